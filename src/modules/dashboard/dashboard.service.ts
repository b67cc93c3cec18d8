import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { secondFactorRoles, type Principal } from '../auth/index.ts';
import { canApproveDevices } from '../devices/index.ts';
import {
  seesConsentWork,
  seesPolicyReview,
  seesPupilImports,
  seesPupilRoll,
  seesSchoolSetup,
} from './dashboard.policy.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { PolicyService } from '../policies/index.ts';
import { addDays } from '../policies/index.ts';
import { READ_TTL_MS, todayIn } from '../people/index.ts';
import type { ConsentCampaignService, ConsentService } from '../consent/index.ts';
import type { MediaService } from '../media/index.ts';
import type { DevicesService } from '../devices/index.ts';
import type { StaffClassesService } from '../people/index.ts';
import { formatCitation, type PolicySettings } from '../policies/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import type { AttentionItem } from '../registry.ts';

const ukDay = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
});

export type { AttentionItem };

export interface Dashboard {
  kind: Principal['kind'];
  items: AttentionItem[];
  stats: { label: string; value: string | number; href?: string }[];
  children?: Awaited<ReturnType<PeopleDirectory['childrenOfParent']>>;
  schools?: TrustSchoolFigures[];
  /** The trust's name (trust admin), for the page header. */
  organisationName?: string;
  schoolName?: string;
}

/** One school of a trust, as figures only: the trust admin never sees a pupil's record. */
export interface TrustSchoolFigures {
  id: string;
  name: string;
  /** Pupils on roll, not counting those flagged as possibly left by an MIS import. */
  pupils: number;
  /** Pupils flagged as possibly left, awaiting the school's check. */
  possiblyLeft: number;
  /** The school's policy template in words ('Sacred Heart Catholic Primary School'), or null. */
  template: string | null;
  nextReviewDate: string | null;
  /** Consent coverage for the current period; null until the school has a policy. */
  consent: {
    period: string;
    /** Pupils on roll (as counted above) with a form in force. */
    withForm: number;
    /** The school's count of pupils without a form, as its register and dashboard show it. */
    withoutForm: number;
    /** How many of those are flagged as possibly left. */
    withoutFormPossiblyLeft: number;
    percent: number;
  } | null;
}

/** What needs each person's attention, from real records only. */
export class DashboardService {
  constructor(
    private readonly deps: {
      database: Database;
      people: PeopleDirectory;
      policies: PolicyService;
      consent: ConsentService;
      media: MediaService;
      devices: DevicesService;
      consentCampaigns: ConsentCampaignService;
      /** The pupil scope: a teacher's figure is the pupils of their classes, not the school's. */
      staffClasses: StaffClassesService;
      clock: Clock;
      /** What the other modules put on this person's home page (their definitions' `attention`). */
      attention(p: Principal): Promise<AttentionItem[]>;
      /** Whether this person is the profile's consent record keeper (a role or a responsibility). */
      isConsentKeeper?: (p: Principal) => Promise<boolean>;
    },
  ) {}

  async forPrincipal(p: Principal): Promise<Dashboard> {
    const db = this.deps.database.db;
    const today = todayIn(this.deps.clock);
    if (p.kind === 'org_admin') {
      const [schools, organisation] = await Promise.all([
        this.deps.people.listSchoolsInOrganisation(db, p.organisationId),
        this.deps.people.getOrganisation(db, p.organisationId),
      ]);
      const rows = await Promise.all(
        schools.map(async (s): Promise<TrustSchoolFigures> => {
          const [profile, roll] = await Promise.all([
            this.deps.policies.currentOrNull(s.id),
            this.deps.people.rollCounts(db, s.id, today),
          ]);
          const pupils = roll.onRoll - roll.possiblyLeft;
          const coverage = profile ? await this.deps.consent.coverage(s.id) : null;
          const template = profile?.templateKey
            ? this.deps.policies.templates().find((t) => t.key === profile.templateKey)
            : undefined;
          return {
            id: s.id,
            name: s.name,
            pupils,
            possiblyLeft: roll.possiblyLeft,
            template: template ? template.school : profile ? 'The school’s own policy' : null,
            nextReviewDate: profile?.nextReviewDate ?? null,
            // Coverage of the pupils on roll, leaving out those flagged as possibly left.
            consent: coverage && consentCoverage(pupils, coverage),
          };
        }),
      );
      return {
        kind: p.kind,
        items: [],
        stats: [],
        schools: rows,
        organisationName: organisation?.name ?? '',
      };
    }
    if (p.kind === 'parent' || p.kind === 'pupil') {
      const school = await this.deps.people.getSchool(db, p.schoolId);
      const children =
        p.kind === 'parent' ? await this.deps.people.childrenOfParent(db, p.schoolId, p.id) : [];
      return { kind: p.kind, items: [], stats: [], children, schoolName: school?.name ?? '' };
    }

    // Everything this person's dashboard needs, fetched in parallel (one round trip's latency).
    const seesRoll = seesPupilRoll(p);
    const seesImports = seesPupilImports(p);
    // The pupil figures, the imports awaiting confirmation and the policy profile are shared
    // reads (see Database.cachedRead): the same for everyone in the school, and never older than
    // the last change committed before this request, through any process (ADRs 0008, 0018). Reading the profile fresh cost a
    // database round trip on every dashboard, which under load set its p99. Rule checks
    // elsewhere still read it fresh. The second-factor check (headteachers only) is a shared read
    // too: staff and their roles, two-step set-up included, bump the school's version (0022).
    const isHead = seesSchoolSetup(p);
    const needsRoll = seesRoll || seesImports;
    const [policy, [pending, roll], missing] = await Promise.all([
      this.deps.database.cachedRead(
        `dashboard-policy:${p.schoolId}`,
        READ_TTL_MS,
        () => this.deps.policies.currentOrNull(p.schoolId),
        p.schoolId,
      ),
      needsRoll
        ? this.deps.database.cachedRead(
            `dashboard:${p.schoolId}:${today}:${seesImports}`,
            READ_TTL_MS,
            () =>
              Promise.all([
                seesImports ? this.deps.people.importsAwaitingConfirmation(db, p.schoolId) : [],
                this.deps.people.rollCounts(db, p.schoolId, today),
              ]),
            p.schoolId,
          )
        : ([[], null] as const),
      isHead
        ? this.deps.database.cachedRead(
            `dashboard-second-factor:${p.schoolId}`,
            READ_TTL_MS,
            () => this.deps.people.staffWithoutSecondFactor(db, p.schoolId, secondFactorRoles),
            p.schoolId,
          )
        : [],
    ]);
    const items: AttentionItem[] = [];
    if (!policy && seesSchoolSetup(p)) {
      items.push({
        title: 'Choose a policy template',
        detail:
          'Lanyard needs the school’s policy profile before consent and publishing checks can run.',
        href: '/policy',
        tag: { text: 'Set up', colour: 'red' },
      });
    }
    if (policy && seesPolicyReview(p)) {
      const remindFrom = addDays(
        policy.nextReviewDate,
        -policy.settings.review.reminderDaysBefore.value,
      );
      if (today > policy.nextReviewDate) {
        items.push({
          title: 'The policy review is overdue',
          detail: `It was due on ${formatDateInWords(policy.nextReviewDate)}.`,
          href: '/policy',
          tag: { text: 'Overdue', colour: 'red' },
        });
      } else if (today >= remindFrom) {
        items.push({
          title: 'The policy review is due soon',
          detail: `Due on ${formatDateInWords(policy.nextReviewDate)}.`,
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
          href: '/pupils/possibly-left',
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
    if (policy) items.push(...(await this.consentAndMediaItems(p, policy.settings, today)));
    items.push(...(await this.deps.attention(p)));
    const stats: Dashboard['stats'] = [];
    if (seesRoll && roll) {
      // A teacher's classes and their pupils: kept per person, checked against the school's
      // version (staff_classes and pupils bump it: migrations 0022, 0048).
      const inClasses = await this.deps.database.cachedPersonalRead(
        `dashboard-classes:${p.schoolId}:${p.id}:${[...p.roles].sort().join(',')}:${today}`,
        READ_TTL_MS,
        async () => {
          const classes = (await this.deps.staffClasses.scopeOf(p)).classFilter;
          if (!classes) return null;
          if (!classes.length) return 0;
          return (
            await this.deps.people.listPupils(
              db,
              p.schoolId,
              { today, classNames: classes },
              { limit: 1, offset: 0 },
            )
          ).total;
        },
        p.schoolId,
      );
      if (inClasses === null) {
        stats.push({ label: 'Pupils on roll', value: roll.onRoll, href: '/pupils' });
      } else {
        stats.push({ label: 'Pupils in your classes', value: inClasses, href: '/pupils' });
      }
    }
    if (policy) {
      stats.push({ label: 'Policy version', value: policy.version, href: '/policy' });
      stats.push({
        label: 'Next policy review',
        value: formatDateInWords(policy.nextReviewDate),
        href: '/policy',
      });
    }
    return { kind: p.kind, items, stats };
  }

  /**
   * For the consent keepers: withdrawals of the last week and forms not returned, with the
   * campaign that chases them. For the device approver: devices and quarantined media waiting for
   * them. Every clause cited comes from this school's policy profile, never from code. Shared
   * reads per school, like the roll figures.
   */
  private async consentAndMediaItems(
    p: Extract<Principal, { kind: 'staff' }>,
    settings: PolicySettings,
    today: string,
  ): Promise<AttentionItem[]> {
    const items: AttentionItem[] = [];
    const keepsConsent = seesConsentWork(p) || ((await this.deps.isConsentKeeper?.(p)) ?? false);
    // The profile's role, or a holder of one of its device approver responsibilities.
    const approvesDevices =
      canApproveDevices(p, settings.roles.deviceApproverRole.value) ||
      (settings.roles.deviceApproverResponsibilities.value.length > 0 &&
        (await this.deps.devices.isApprover(p)));
    const [consent, media] = await Promise.all([
      keepsConsent
        ? this.deps.database.cachedRead(
            `dashboard-consent:${p.schoolId}:${today}`,
            READ_TTL_MS,
            async () => {
              const attention = await this.deps.consent.attention(p.schoolId);
              const campaign = await this.deps.consentCampaigns.forPeriod(
                p.schoolId,
                attention.period.key,
              );
              return { ...attention, campaign };
            },
            p.schoolId,
          )
        : null,
      approvesDevices
        ? this.deps.database.cachedRead(
            `dashboard-media:${p.schoolId}`,
            READ_TTL_MS,
            async () => {
              const [devices, quarantine] = await Promise.all([
                this.deps.devices.list(p.schoolId),
                this.deps.media.list(p.schoolId, 'quarantine', 1),
              ]);
              return {
                pendingDevices: devices.filter((d) => d.status === 'pending').length,
                quarantined: quarantine.total,
              };
            },
            p.schoolId,
          )
        : null,
    ]);
    if (consent) {
      const withdrawalCitation = citations(
        settings.consent.withdrawalRetroactive.citation,
        settings.consent.takedownWherePracticable.citation,
      );
      for (const w of consent.withdrawals) {
        items.push({
          title: `Consent withdrawn for ${w.pupilName}${w.className ? ` (${w.className})` : ''}`,
          detail: `Recorded ${ukDay.format(w.recordedAt)}. No longer allowed: ${w.stopped.join('; ') || 'some uses'}. It applies at once to anything not yet published; check what is already out (${withdrawalCitation}).`,
          href: `/consent/pupils/${w.pupilId}`,
          tag: { text: 'Withdrawn', colour: 'red' },
        });
      }
      if (consent.withoutForm > 0) {
        items.push({
          title: `${consent.withoutForm} ${consent.withoutForm === 1 ? 'pupil has' : 'pupils have'} no consent form for ${consent.period.label === 'From admission until changed' ? 'photos and videos' : `the ${consent.period.label}`}`,
          ...chase(consent.campaign),
        });
      }
    }
    if (media) {
      if (media.pendingDevices > 0) {
        items.push({
          title: `${media.pendingDevices} ${media.pendingDevices === 1 ? 'device is' : 'devices are'} waiting for your approval`,
          detail: `Only approved school devices may be used for photos of pupils (${citations(settings.media.schoolDevicesOnly.citation)}).`,
          href: '/devices',
          tag: { text: 'To approve', colour: 'orange' },
        });
      }
      if (media.quarantined > 0) {
        items.push({
          title: `${media.quarantined} ${media.quarantined === 1 ? 'photo or video is' : 'photos or videos are'} in quarantine`,
          detail: 'They were not taken on an approved school device. Release or delete them.',
          href: '/media/quarantine',
          tag: { text: 'Review', colour: 'orange' },
        });
      }
    }
    return items;
  }
}

/** One or two of the school's own citations, in words (two clauses joined by 'and'). */
function citations(...cs: Parameters<typeof formatCitation>[0][]): string {
  return [...new Set(cs.map((c) => formatCitation(c)))].join(' and ');
}

/**
 * Where the "no consent form" item leads: the open campaign's list of forms not returned, or,
 * when no campaign is open for the period, the campaigns page to start one (a chaser list would
 * chase families who were never sent the form).
 */
function chase(
  campaign: { id: string; closedAt: Date | null } | null,
): Pick<AttentionItem, 'detail' | 'href' | 'tag'> {
  const noConsent =
    'No form means no consent: they must not be photographed for any use until a parent answers.';
  if (campaign && !campaign.closedAt) {
    return {
      detail: `${noConsent} See who has not returned the form and send reminders.`,
      href: `/consent/campaigns/${campaign.id}`,
      tag: { text: 'Chase', colour: 'orange' },
    };
  }
  return {
    detail: `${noConsent} No consent campaign has started for this period yet: start one to email the form to every family.`,
    href: '/consent/campaigns',
    tag: { text: 'Not started', colour: 'orange' },
  };
}

/**
 * Consent coverage for the trust: the share of pupils on roll (not counting those flagged as
 * possibly left) with a form in force, and the school's own count of pupils without a form (the
 * one definition the register and dashboard use, which keeps flagged pupils until the school has
 * checked them), saying how many of those are flagged.
 */
function consentCoverage(
  pupils: number,
  coverage: { period: string; withoutForm: number; withoutFormPossiblyLeft: number },
): NonNullable<TrustSchoolFigures['consent']> {
  const withForm = pupils - (coverage.withoutForm - coverage.withoutFormPossiblyLeft);
  return {
    period: coverage.period,
    withForm,
    withoutForm: coverage.withoutForm,
    withoutFormPossiblyLeft: coverage.withoutFormPossiblyLeft,
    percent: pupils === 0 ? 0 : Math.floor((withForm * 100) / pupils),
  };
}
