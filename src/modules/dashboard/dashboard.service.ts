import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { hasRole, secondFactorRoles, type Principal } from '../auth/principal.ts';
import type { PeopleRepository } from '../people/people.repository.ts';
import type { ImportRepository } from '../people/import.repository.ts';
import type { PolicyService } from '../policies/policies.service.ts';
import { addDays } from '../policies/policies.service.ts';
import { READ_TTL_MS, todayIn } from '../people/people.service.ts';

export interface AttentionItem {
  title: string;
  detail: string;
  href: string;
  tag: { text: string; colour: 'red' | 'orange' | 'blue' | 'grey' };
}

export interface Dashboard {
  kind: Principal['kind'];
  items: AttentionItem[];
  stats: { label: string; value: string | number; href?: string }[];
  children?: Awaited<ReturnType<PeopleRepository['childrenOfParent']>>;
  schools?: {
    id: string;
    name: string;
    pupils: number;
    templateKey: string | null;
    nextReviewDate: string | null;
  }[];
  schoolName?: string;
}

/** What needs each person's attention, from real records only. */
export class DashboardService {
  constructor(
    private readonly deps: {
      database: Database;
      people: PeopleRepository;
      imports: ImportRepository;
      policies: PolicyService;
      clock: Clock;
    },
  ) {}

  async forPrincipal(p: Principal): Promise<Dashboard> {
    const db = this.deps.database.db;
    const today = todayIn(this.deps.clock);
    if (p.kind === 'org_admin') {
      const schools = await this.deps.people.listSchoolsInOrganisation(db, p.organisationId);
      const rows = await Promise.all(
        schools.map(async (s) => {
          const profile = await this.deps.policies.currentOrNull(s.id);
          return {
            id: s.id,
            name: s.name,
            pupils: await this.deps.people.countPupils(db, s.id, today),
            templateKey: profile?.templateKey ?? null,
            nextReviewDate: profile?.nextReviewDate ?? null,
          };
        }),
      );
      return { kind: p.kind, items: [], stats: [], schools: rows };
    }
    if (p.kind === 'parent' || p.kind === 'pupil') {
      const school = await this.deps.people.getSchool(db, p.schoolId);
      const children =
        p.kind === 'parent' ? await this.deps.people.childrenOfParent(db, p.schoolId, p.id) : [];
      return { kind: p.kind, items: [], stats: [], children, schoolName: school?.name ?? '' };
    }

    // Everything this person's dashboard needs, fetched in parallel (one round trip's latency).
    const seesRoll = hasRole(
      p,
      'headteacher',
      'dsl',
      'dpo',
      'business_manager',
      'office',
      'teacher',
      'support_staff',
    );
    const seesImports = hasRole(p, 'headteacher', 'dpo', 'office');
    // The pupil figures and imports awaiting confirmation are a shared read (see
    // Database.cachedRead): the same for everyone in the school, and never older than the last
    // change made through this process. The policy profile and the second-factor check are
    // small indexed lookups, read fresh.
    const isHead = hasRole(p, 'headteacher');
    const needsRoll = seesRoll || seesImports;
    const [policy, [pending, roll], missing] = await Promise.all([
      this.deps.policies.currentOrNull(p.schoolId),
      needsRoll
        ? this.deps.database.cachedRead(
            `dashboard:${p.schoolId}:${today}:${seesImports}`,
            READ_TTL_MS,
            () =>
              Promise.all([
                seesImports ? this.deps.imports.awaitingConfirmation(db, p.schoolId) : [],
                this.deps.people.rollCounts(db, p.schoolId, today),
              ]),
          )
        : ([[], null] as const),
      isHead ? this.deps.people.staffWithoutSecondFactor(db, p.schoolId, secondFactorRoles) : [],
    ]);
    const items: AttentionItem[] = [];
    if (!policy && hasRole(p, 'headteacher')) {
      items.push({
        title: 'Choose a policy template',
        detail:
          'Lanyard needs the school’s policy profile before consent and publishing checks can run.',
        href: '/policy',
        tag: { text: 'Set up', colour: 'red' },
      });
    }
    if (policy && hasRole(p, 'headteacher', 'dpo', 'ict_technician', 'governor')) {
      const remindFrom = addDays(
        policy.nextReviewDate,
        -policy.settings.review.reminderDaysBefore.value,
      );
      if (today > policy.nextReviewDate) {
        items.push({
          title: 'The policy review is overdue',
          detail: `It was due on ${policy.nextReviewDate}.`,
          href: '/policy',
          tag: { text: 'Overdue', colour: 'red' },
        });
      } else if (today >= remindFrom) {
        items.push({
          title: 'The policy review is due soon',
          detail: `Due on ${policy.nextReviewDate}.`,
          href: '/policy',
          tag: { text: 'Due soon', colour: 'orange' },
        });
      }
    }
    if (seesImports) {
      for (const imp of pending) {
        items.push({
          title: `Confirm the pupil import “${imp.filename}”`,
          detail: 'The preview is ready. Nothing changes until someone confirms it.',
          href: `/imports/pupils/${imp.id}`,
          tag: { text: 'To confirm', colour: 'orange' },
        });
      }
      const possiblyLeft = roll?.possiblyLeft ?? 0;
      if (possiblyLeft > 0) {
        items.push({
          title: `${possiblyLeft} ${possiblyLeft === 1 ? 'pupil was' : 'pupils were'} missing from the last MIS import`,
          detail: 'They may have left. Check and record a leaving date; their records are kept.',
          href: '/pupils?possiblyLeft=yes',
          tag: { text: 'Check', colour: 'blue' },
        });
      }
    }
    if (missing.length > 0) {
      items.push({
        title: `${missing.length} safeguarding or data role${missing.length === 1 ? ' has' : 's have'} not set up two-step sign-in`,
        detail:
          'Headteacher, DSL and DPO accounts must use an authenticator app. They will be asked at their next sign-in.',
        href: '/staff',
        tag: { text: 'Security', colour: 'orange' },
      });
    }
    const stats: Dashboard['stats'] = [];
    if (seesRoll && roll) {
      stats.push({ label: 'Pupils on roll', value: roll.onRoll, href: '/pupils' });
    }
    if (policy) {
      stats.push({ label: 'Policy version', value: policy.version, href: '/policy' });
      stats.push({ label: 'Next policy review', value: policy.nextReviewDate, href: '/policy' });
    }
    return { kind: p.kind, items, stats };
  }
}
