import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { PeopleDirectory, StaffClassesService } from '../people/index.ts';
import type { AcknowledgementsService } from './acknowledgements.service.ts';
import type { VersionKindsRepository } from './version-kinds.repository.ts';

/** The groups a member of staff belongs to for `people.mustAcknowledge`, from their roles. */
export function staffGroup(roles: readonly string[]): 'governors' | 'volunteers' | 'staff' {
  if (roles.includes('governor') && roles.every((r) => r === 'governor')) return 'governors';
  if (roles.includes('volunteer') && roles.every((r) => r === 'volunteer')) return 'volunteers';
  return 'staff';
}

export interface MissingPerson {
  id: string;
  name: string;
  group: 'governors' | 'volunteers' | 'staff' | 'parents';
  /** Their latest acknowledged version, or null. */
  lastVersion: number | null;
}

export interface WhoIsMissing {
  currentVersion: number;
  requiredVersion: number;
  /** Who must acknowledge, from the profile (people.mustAcknowledge, parents per training.*). */
  groups: string[];
  staff: MissingPerson[];
  staffAsked: number;
  parents: MissingPerson[];
  parentsAsked: number;
  /** Classes without a pupils' agreement of the required version (pupils must acknowledge). */
  classes: string[];
  classesAsked: number;
}

/**
 * Rounds of acknowledgement (issue 16 item 2): a version published as substantive asks everyone
 * again (earlier acknowledgements are marked superseded, in the publishing transaction); a minor
 * one asks nobody. Class agreements recorded by a teacher, who is missing, and reminders.
 */
export class AcknowledgementRoundsService {
  constructor(
    private readonly deps: {
      database: Database;
      kinds: VersionKindsRepository;
      acknowledgements: AcknowledgementsService;
      policies: Pick<PolicyService, 'currentVersionLocked' | 'currentOrNull'>;
      people: Pick<PeopleDirectory, 'staffRoster' | 'parentRoster' | 'listSchools' | 'getSchool'>;
      staffClasses: Pick<StaffClassesService, 'classesOf' | 'schoolClasses'>;
      audit: AuditService;
      clock: Clock;
      mailer: Mailer;
      baseUrl: string;
    },
  ) {}

  /**
   * Marks a version substantive or minor as it is published (the caller's transaction, before
   * the version is announced: the announcement supersedes only after a substantive one).
   */
  async markVersion(
    tx: Tx,
    input: { schoolId: string; versionId: string; version: number; substantive: boolean },
    actor: Actor,
  ): Promise<void> {
    await this.deps.kinds.insertKind(tx.db, {
      ...input,
      policyVersionId: input.versionId,
      decidedBy: actor.kind === 'staff' ? actor.id : null,
      decidedAt: this.deps.clock.now(),
    });
  }

  /**
   * policy.version-published, in the publishing transaction: unless the version was marked
   * minor, every live acknowledgement of an earlier version is marked superseded (kept).
   */
  async onVersionPublished(
    tx: Tx,
    schoolId: string,
    versionId: string,
    version: number,
  ): Promise<number> {
    const kind = await this.deps.kinds.kindOf(tx.db, schoolId, versionId);
    if (kind && !kind.substantive) return 0;
    const n = await this.deps.kinds.supersedeBefore(
      tx.db,
      schoolId,
      versionId,
      version,
      this.deps.clock.now(),
    );
    if (n > 0)
      await this.deps.audit.record(tx, {
        schoolId,
        actor: { kind: 'system', id: null },
        action: 'acknowledgements.superseded',
        entityType: 'policy_version',
        entityId: versionId,
        data: { version, superseded: n },
      });
    return n;
  }

  /** Whether a version was substantive (a version not marked is: it asked everyone again). */
  async versionKind(schoolId: string, versionId: string): Promise<boolean> {
    const kind = await this.deps.kinds.kindOf(this.deps.database.db, schoolId, versionId);
    return kind?.substantive ?? true;
  }

  /** Whether this person's acknowledgement is current (the version asked for, or later). */
  async hasAcknowledged(schoolId: string, kind: 'staff' | 'parent', personId: string) {
    const required = await this.deps.acknowledgements.requiredVersion(schoolId);
    if (required === null) return false;
    const done = await this.deps.kinds.acknowledgedSince(
      this.deps.database.db,
      schoolId,
      kind,
      [personId],
      required,
    );
    return done.has(personId);
  }

  /** Whether the school's profile asks parents to acknowledge the parents' guidance. */
  async parentsAsked(schoolId: string): Promise<boolean> {
    const current = await this.deps.policies.currentOrNull(schoolId);
    if (!current) return false;
    return (
      current.settings.training.parentsAcknowledgeGuidance.value ||
      current.settings.people.mustAcknowledge.value.includes('parents')
    );
  }

  /**
   * A teacher records that their class has agreed to the policy (the pupils' agreement), for
   * the current version, read under the same shared lock as every acknowledgement.
   */
  async recordClassAgreement(
    teacher: { id: string; schoolId: string },
    className: string,
  ): Promise<{ version: number; already: boolean }> {
    const { database, kinds, policies, staffClasses, audit, clock } = this.deps;
    const mine = await staffClasses.classesOf(teacher.schoolId, teacher.id);
    if (!mine.includes(className))
      throw new ValidationError({ className: 'Choose one of your classes' });
    return database.transaction(async (tx) => {
      const current = await policies.currentVersionLocked(tx, teacher.schoolId);
      const row = await kinds.insertClass(tx.db, {
        schoolId: teacher.schoolId,
        className,
        policyVersionId: current.versionId,
        policyVersion: current.version,
        acknowledgedAt: clock.now(),
        recordedBy: teacher.id,
      });
      if (row)
        await audit.record(tx, {
          schoolId: teacher.schoolId,
          actor: { kind: 'staff', id: teacher.id },
          action: 'acknowledgements.class-agreement-recorded',
          entityType: 'policy_acknowledgement',
          entityId: row.id,
          data: { version: current.version, className },
        });
      return { version: current.version, already: !row };
    });
  }

  /** Who must acknowledge the policy and has not (the Head's list and the reminders). */
  async whoIsMissing(schoolId: string): Promise<WhoIsMissing> {
    const { database, people, kinds, acknowledgements, policies, staffClasses } = this.deps;
    const current = await policies.currentOrNull(schoolId);
    if (!current) throw new NotFoundError('This school has no policy profile yet');
    const required = (await acknowledgements.requiredVersion(schoolId)) ?? current.version;
    const groups = current.settings.people.mustAcknowledge.value as string[];
    const roster = (await people.staffRoster(database.db, schoolId)).filter((s) =>
      groups.includes(staffGroup(s.roles)),
    );
    const latestStaff = new Map(
      (await acknowledgements.latestBySchool(schoolId, 'staff')).map((r) => [r.personId, r]),
    );
    const doneStaff = await kinds.acknowledgedSince(
      database.db,
      schoolId,
      'staff',
      roster.map((s) => s.id),
      required,
    );
    const staff = roster
      .filter((s) => !doneStaff.has(s.id))
      .map((s) => ({
        id: s.id,
        name: `${s.givenName} ${s.familyName}`,
        group: staffGroup(s.roles),
        lastVersion: latestStaff.get(s.id)?.version ?? null,
      }));
    let parents: MissingPerson[] = [];
    let parentsAsked = 0;
    if (await this.parentsAsked(schoolId)) {
      const roll = await people.parentRoster(database.db, schoolId);
      parentsAsked = roll.length;
      const done = await kinds.acknowledgedSince(
        database.db,
        schoolId,
        'parent',
        roll.map((p) => p.id),
        required,
      );
      const latest = new Map(
        (await acknowledgements.latestBySchool(schoolId, 'parent')).map((r) => [r.personId, r]),
      );
      parents = roll
        .filter((p) => !done.has(p.id))
        .map((p) => ({
          id: p.id,
          name: `${p.givenName} ${p.familyName}`,
          group: 'parents' as const,
          lastVersion: latest.get(p.id)?.version ?? null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    }
    let classes: string[] = [];
    let classesAsked = 0;
    if (groups.includes('pupils')) {
      const all = await staffClasses.schoolClasses(schoolId);
      classesAsked = all.length;
      const agreed = await kinds.classesAgreedSince(database.db, schoolId, required);
      classes = all.filter((c) => !agreed.has(c));
    }
    return {
      currentVersion: current.version,
      requiredVersion: required,
      groups,
      staff,
      staffAsked: roster.length,
      parents,
      parentsAsked,
      classes,
      classesAsked,
    };
  }

  /** Of a person's acknowledgements, which are superseded (their history marks them). */
  async supersededIds(schoolId: string, ids: readonly string[]): Promise<Set<string>> {
    return this.deps.kinds.supersededAmong(this.deps.database.db, schoolId, ids);
  }

  /**
   * The reminders job: each member of staff (and parent, when asked) who has not acknowledged
   * the version they are asked for gets one email per version; running twice sends nothing more.
   */
  async sendReminders(onlySchoolId?: string): Promise<{ sent: number }> {
    const { database, people, kinds, mailer, clock, baseUrl } = this.deps;
    const schools = onlySchoolId
      ? [await people.getSchool(database.db, onlySchoolId)].filter((s) => s !== undefined)
      : await people.listSchools(database.db);
    let sent = 0;
    for (const school of schools) {
      if (!school || !(await this.deps.policies.currentOrNull(school.id))) continue;
      const missing = await this.whoIsMissing(school.id);
      const staffEmails = new Map(
        (await people.staffRoster(database.db, school.id)).map((s) => [s.id, s]),
      );
      const parentEmails = missing.parents.length
        ? new Map((await people.parentRoster(database.db, school.id)).map((p) => [p.id, p]))
        : new Map();
      const targets = [
        ...missing.staff.map((m) => ({ kind: 'staff' as const, m, to: staffEmails.get(m.id) })),
        ...missing.parents.map((m) => ({ kind: 'parent' as const, m, to: parentEmails.get(m.id) })),
      ];
      for (const t of targets) {
        if (!t.to?.email) continue;
        const fresh = await kinds.recordReminder(database.db, {
          schoolId: school.id,
          personKind: t.kind,
          personId: t.m.id,
          version: missing.requiredVersion,
          sentAt: clock.now(),
        });
        if (!fresh) continue;
        const link = t.kind === 'staff' ? '/acknowledge-policy' : '/parent-guidance';
        await mailer.send({
          to: t.to.email,
          subject: `Please read ${school.name}’s social media policy`,
          text: [
            `Dear ${t.to.givenName},`,
            '',
            t.m.lastVersion === null
              ? `Please read ${school.name}’s social media policy and confirm you have understood it.`
              : `${school.name}’s social media policy has changed since you last read it. Please read it again and confirm you have understood it.`,
            '',
            `Open it in Lanyard: ${baseUrl}${link}`,
          ].join('\n'),
        });
        sent++;
      }
    }
    return { sent };
  }
}
