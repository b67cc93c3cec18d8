import type { Database, Tx } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import { formatCitation, type PolicyService, type PolicySettings } from '../policies/index.ts';
import type { PeopleDirectory, StaffClassesService } from '../people/index.ts';
import type { AcknowledgementsService } from '../acknowledgements/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import type { ClassLessonRow, SessionRow, TrainingRepository } from './training.repository.ts';
import type { ScheduleSessionInput } from './training.forms.ts';
import { canMarkAnyClass } from './training.policy.ts';
import {
  kindAudience,
  kindLabel,
  staffKinds,
  staffTraining,
  termOf,
  type KindStatus,
  type TrainingSessionKey,
} from './training-status.ts';

export type { ClassLessonRow, SessionRow };

export interface TrainingDeps {
  database: Database;
  repository: TrainingRepository;
  audit: AuditService;
  clock: Clock;
  policies: Pick<PolicyService, 'current' | 'currentOrNull' | 'currentForSchools'>;
  people: Pick<
    PeopleDirectory,
    | 'staffRoster'
    | 'staffRosterForSchools'
    | 'classesOnRoll'
    | 'staffWithRole'
    | 'getSchool'
    | 'listSchools'
    | 'displayNames'
  >;
  staffClasses: Pick<StaffClassesService, 'classesOf'>;
  acknowledgements: Pick<
    AcknowledgementsService,
    'acknowledgedCurrent' | 'acknowledgedCurrentForSchools'
  >;
  mailer: Mailer;
  baseUrl: string;
}

/** One member of staff's training, kind by kind (the compliance view reads this). */
export interface PersonTraining {
  staffId: string;
  name: string;
  email: string;
  roles: string[];
  startDate: string | null;
  acknowledgedCurrent: boolean;
  kinds: Partial<Record<TrainingSessionKey, KindStatus>>;
}

export interface TrainingStatusReport {
  today: string;
  policyVersion: number;
  kinds: TrainingSessionKey[];
  people: PersonTraining[];
  /** Pupils' e-safety by class, this term. */
  classes: { className: string; pupils: number; lesson: ClassLessonRow | null }[];
  term: { key: string; label: string };
}

/** `statusForSchools`'s report for one school, with the policy settings it followed. */
export interface SchoolTrainingStatus extends TrainingStatusReport {
  /** The school's current policy settings (the version `policyVersion`). */
  settings: PolicySettings;
}

export interface DueAgainReason {
  reason: 'policy_version' | 'incident';
  /** The version number or the incident's id. */
  reference: string;
}

/**
 * Training sessions, the register, pupils' lessons by class, "due again" marks and each
 * person's training status (SPEC §3.8; issue 17 items 3, 4, 6). Every rule from the school's
 * current profile (`training.*`).
 */
export class TrainingService {
  constructor(private readonly deps: TrainingDeps) {}

  private today(): string {
    return ukDate(this.deps.clock.now());
  }

  async settings(schoolId: string) {
    return (await this.deps.policies.current(schoolId)).settings.training;
  }

  // Sessions.

  async schedule(who: StaffPrincipal, input: ScheduleSessionInput): Promise<SessionRow> {
    const { database, repository, audit, people } = this.deps;
    const audience = kindAudience[input.kind];
    if (audience === 'pupils') {
      const classes = await people.classesOnRoll(database.db, who.schoolId, this.today());
      if (!input.className || !classes.some((c) => c.className === input.className))
        throw new ValidationError({ className: 'Choose the class this lesson is for' });
    }
    if (input.startsAt.getTime() < this.deps.clock.now().getTime() - 366 * 86_400_000)
      throw new ValidationError({ date: 'The date must be within the last year or in the future' });
    return database.transaction(async (tx) => {
      const session = await repository.createSession(tx.db, {
        schoolId: who.schoolId,
        kind: input.kind,
        audience,
        className: audience === 'pupils' ? input.className : null,
        title: input.title,
        startsAt: input.startsAt,
        place: input.place,
        trainer: input.trainer,
        capacity: audience === 'parents' ? input.capacity : null,
        createdBy: who.id,
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'training.session-scheduled',
        entityType: 'training_session',
        entityId: session.id,
        data: { kind: input.kind, audience, startsAt: input.startsAt.toISOString() },
      });
      return session;
    });
  }

  async getSession(schoolId: string, id: string): Promise<SessionRow> {
    const s = await this.deps.repository.getSession(this.deps.database.db, schoolId, id);
    if (!s) throw new NotFoundError();
    return s;
  }

  /** Sessions from a year ago to a year ahead, soonest first. */
  async sessionsAround(schoolId: string, audience?: string): Promise<SessionRow[]> {
    const now = this.deps.clock.now().getTime();
    return this.deps.repository.sessionsBetween(
      this.deps.database.db,
      schoolId,
      new Date(now - 366 * 86_400_000),
      new Date(now + 366 * 86_400_000),
      audience,
    );
  }

  /** Sessions starting in the next `days` days. */
  async upcoming(schoolId: string, days = 7, audience?: string): Promise<SessionRow[]> {
    const now = this.deps.clock.now();
    return this.deps.repository.sessionsBetween(
      this.deps.database.db,
      schoolId,
      new Date(now.getTime() - 2 * 3_600_000),
      new Date(now.getTime() + days * 86_400_000),
      audience,
    );
  }

  // The register.

  /**
   * Who is expected at a staff session, with whether they attended and (induction) whether they
   * have acknowledged the current policy.
   */
  async register(schoolId: string, session: SessionRow) {
    const { database, repository, people, acknowledgements } = this.deps;
    if (session.audience !== 'staff') return [];
    const [roster, attendance] = await Promise.all([
      people.staffRoster(database.db, schoolId),
      repository.attendanceFor(database.db, schoolId, session.id),
    ]);
    const acknowledged = await acknowledgements.acknowledgedCurrent(
      schoolId,
      roster.map((s) => s.id),
    );
    const attended = new Set(attendance.filter((a) => a.attended).map((a) => a.personId));
    return roster.map((s) => ({
      id: s.id,
      name: `${s.givenName} ${s.familyName}`,
      roles: s.roles,
      attended: attended.has(s.id),
      acknowledged: acknowledged.has(s.id),
    }));
  }

  /**
   * Takes the register for a staff session (in the room, or from an import): the ticked people
   * attended, everyone else expected did not. At a staff induction session, while the profile
   * says `training.inductionNeedsAcknowledgement`, a person who has not acknowledged the current
   * policy version cannot be marked as attending (ValidationError naming them).
   */
  async recordAttendance(
    schoolId: string,
    actor: Actor,
    sessionId: string,
    attendedIds: readonly string[],
    source: 'room' | 'import' = 'room',
    tx?: Tx,
  ): Promise<{ attended: number; absent: number }> {
    const { database, repository, audit, clock } = this.deps;
    const session = await this.getSession(schoolId, sessionId);
    if (session.audience !== 'staff') throw new NotFoundError();
    const expected = await this.register(schoolId, session);
    const byId = new Map(expected.map((e) => [e.id, e]));
    const ticked = new Set(attendedIds);
    for (const id of ticked) {
      if (!byId.has(id)) throw new ValidationError({ attended: 'Choose people from the list' });
    }
    const settings = await this.settings(schoolId);
    if (session.kind === 'staff_induction' && settings.inductionNeedsAcknowledgement.value) {
      const missing = [...ticked].map((id) => byId.get(id)!).filter((p) => !p.acknowledged);
      if (missing.length > 0) {
        const names = missing.map((p) => p.name).join(', ');
        throw new ValidationError({
          attended: `${names} cannot be marked as inducted until they have acknowledged the current version of the policy (${formatCitation(settings.inductionNeedsAcknowledgement.citation)})`,
        });
      }
    }
    const now = clock.now();
    const attendedOn = ukDate(session.startsAt);
    const write = async (t: Tx) => {
      await repository.upsertAttendance(
        t.db,
        expected.map((e) => ({
          schoolId,
          sessionId,
          kind: session.kind,
          personKind: 'staff',
          personId: e.id,
          attended: ticked.has(e.id),
          attendedOn,
          source,
          recordedBy: actor.kind === 'staff' ? actor.id : null,
          recordedAt: now,
        })),
      );
      await audit.record(t, {
        schoolId,
        actor,
        action: 'training.attendance-recorded',
        entityType: 'training_session',
        entityId: sessionId,
        data: {
          kind: session.kind,
          attended: ticked.size,
          absent: expected.length - ticked.size,
          source,
        },
      });
    };
    if (tx) await write(tx);
    else await database.transaction(write);
    return { attended: ticked.size, absent: expected.length - ticked.size };
  }

  // Pupils' e-safety lessons by class.

  /** The classes this person may mark: their own (teachers), or every class (those who run training). */
  async classesFor(who: StaffPrincipal): Promise<string[]> {
    if (canMarkAnyClass(who)) {
      const classes = await this.deps.people.classesOnRoll(
        this.deps.database.db,
        who.schoolId,
        this.today(),
      );
      return classes.map((c) => c.className);
    }
    return this.deps.staffClasses.classesOf(who.schoolId, who.id);
  }

  async markClassLesson(
    who: StaffPrincipal,
    input: { className: string; taughtOn: string; topic: string },
  ): Promise<{ term: string }> {
    const { database, repository, audit, clock } = this.deps;
    const classes = await this.classesFor(who);
    if (!classes.includes(input.className))
      throw new ValidationError({ className: 'Choose one of your classes' });
    if (input.taughtOn > this.today())
      throw new ValidationError({ taughtOn: 'The lesson must have been taught today or earlier' });
    const term = termOf(input.taughtOn);
    return database.transaction(async (tx) => {
      const row = await repository.insertClassLesson(tx.db, {
        schoolId: who.schoolId,
        className: input.className,
        termKey: term.key,
        taughtOn: input.taughtOn,
        topic: input.topic,
        taughtBy: who.id,
        recordedAt: clock.now(),
      });
      if (!row)
        throw new ValidationError({
          className: `The ${term.label} e-safety lesson for ${input.className} is already marked`,
        });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'training.class-lesson-marked',
        entityType: 'training_class_lesson',
        entityId: row.id,
        data: { className: input.className, term: term.key, taughtOn: input.taughtOn },
      });
      return { term: term.label };
    });
  }

  async classLessons(schoolId: string, termKey?: string): Promise<ClassLessonRow[]> {
    return this.deps.repository.classLessons(this.deps.database.db, schoolId, termKey);
  }

  // Refresh rules (the profile's `training.refreshAfterIncidentOrChange`).

  /**
   * A significant incident or a new policy version makes the training of these members of
   * staff due again (the profile's `training.refreshAfterIncidentOrChange`; off: nothing). Marks
   * `kinds` (by default regular staff training) that the profile requires; a mark for the same
   * reason and reference is made once. The incidents module calls this for a significant
   * incident (docs/training.md, "Refresh rules"). In `tx` when given.
   */
  async markDueAgain(
    schoolId: string,
    reason: DueAgainReason,
    staffIds: readonly string[],
    options: { tx?: Tx; kinds?: TrainingSessionKey[]; actor?: Actor } = {},
  ): Promise<number> {
    const settings = await this.settings(schoolId);
    if (!settings.refreshAfterIncidentOrChange.value || staffIds.length === 0) return 0;
    const kinds = (options.kinds ?? ['staff_regular']).filter(
      (k) => kindAudience[k] === 'staff' && settings.sessions[k].value.required,
    );
    if (kinds.length === 0) return 0;
    const now = this.deps.clock.now();
    const work = async (tx: Tx) => {
      const marked = await this.deps.repository.insertDueAgain(
        tx.db,
        staffIds.flatMap((staffId) =>
          kinds.map((kind) => ({
            schoolId,
            staffId,
            kind,
            reason: reason.reason,
            reference: reason.reference,
            markedOn: ukDate(now),
            markedAt: now,
          })),
        ),
      );
      if (marked > 0) {
        await this.deps.audit.record(tx, {
          schoolId,
          actor: options.actor ?? { kind: 'system', id: null },
          action: 'training.marked-due-again',
          entityType: 'school',
          entityId: schoolId,
          data: { reason: reason.reason, reference: reason.reference, kinds, marked },
        });
      }
      return marked;
    };
    return options.tx ? work(options.tx) : this.deps.database.transaction(work);
  }

  /** The outbox listener: a new policy version makes every active member of staff due again. */
  async onPolicyVersionPublished(tx: Tx, schoolId: string, version: number): Promise<number> {
    const roster = await this.deps.people.staffRoster(tx.db, schoolId);
    return this.markDueAgain(
      schoolId,
      { reason: 'policy_version', reference: String(version) },
      roster.map((s) => s.id),
      { tx },
    );
  }

  // Status.

  /**
   * Every active member of staff's state per kind of staff training (done, due soon, overdue),
   * with the policy acknowledgement, and pupils' e-safety by class this term: five statements
   * whatever the school's size (roster, latest attendance per person and kind, due-again marks,
   * acknowledgements, class lessons).
   */
  async status(schoolId: string, onlyStaffIds?: readonly string[]): Promise<TrainingStatusReport> {
    const { database, repository, people, acknowledgements, policies } = this.deps;
    const db = database.db;
    const today = this.today();
    const current = await policies.current(schoolId);
    const settings = current.settings.training;
    const term = termOf(today);
    const [rosterAll, latest, marks, classes, lessons] = await Promise.all([
      people.staffRoster(db, schoolId),
      repository.latestAttendance(db, schoolId, 'staff', onlyStaffIds),
      repository.dueAgainFor(db, schoolId, onlyStaffIds),
      onlyStaffIds ? Promise.resolve([]) : people.classesOnRoll(db, schoolId, today),
      onlyStaffIds ? Promise.resolve([]) : repository.classLessons(db, schoolId, term.key),
    ]);
    const roster = onlyStaffIds ? rosterAll.filter((s) => onlyStaffIds.includes(s.id)) : rosterAll;
    const acknowledged = await acknowledgements.acknowledgedCurrent(
      schoolId,
      roster.map((s) => s.id),
    );
    const kinds = staffKinds;
    const peopleOut = staffTraining(roster, latest, marks, acknowledged, settings, today);
    const lessonBy = new Map(lessons.map((l) => [l.className, l]));
    return {
      today,
      policyVersion: current.version,
      kinds: [...kinds],
      people: peopleOut,
      classes: classes.map((c) => ({ ...c, lesson: lessonBy.get(c.className) ?? null })),
      term,
    };
  }

  /**
   * `status` for several schools (a trust's compliance figures, a school's compliance view)
   * without the pupils' lessons, in a constant number of statements whatever the number of
   * schools: the current policies (`PolicyService.currentForSchools`), the roster, latest
   * attendance and due-again marks of every school in one statement each, and the
   * acknowledgements through their own module (`acknowledgedCurrentForSchools`: its rules on
   * substantive and minor versions, not copied). Schools without a policy are left out. Each
   * school's report carries the policy settings it followed (the compliance view's access rule
   * and role titles read them: no further statement).
   */
  async statusForSchools(schoolIds: readonly string[]): Promise<Map<string, SchoolTrainingStatus>> {
    const { database, repository, people, acknowledgements, policies } = this.deps;
    const db = database.db;
    const today = this.today();
    const term = termOf(today);
    const out = new Map<string, SchoolTrainingStatus>();
    if (schoolIds.length === 0) return out;
    const currents = await policies.currentForSchools(schoolIds);
    const withPolicy = schoolIds.filter((id) => currents.has(id));
    if (withPolicy.length === 0) return out;
    const [roster, latest, marks, acknowledged] = await Promise.all([
      people.staffRosterForSchools(db, withPolicy),
      repository.latestAttendanceForSchools(db, withPolicy, 'staff'),
      repository.dueAgainForSchools(db, withPolicy),
      acknowledgements.acknowledgedCurrentForSchools(withPolicy, currents),
    ]);
    const bySchool = <T extends { schoolId: string }>(rows: T[]) => {
      const m = new Map<string, T[]>();
      for (const r of rows) {
        const list = m.get(r.schoolId);
        if (list) list.push(r);
        else m.set(r.schoolId, [r]);
      }
      return m;
    };
    const rosters = bySchool(roster);
    const latests = bySchool(latest);
    const markRows = bySchool(marks);
    for (const schoolId of withPolicy) {
      const current = currents.get(schoolId)!;
      out.set(schoolId, {
        today,
        policyVersion: current.version,
        kinds: [...staffKinds],
        people: staffTraining(
          rosters.get(schoolId) ?? [],
          latests.get(schoolId) ?? [],
          markRows.get(schoolId) ?? [],
          acknowledged.get(schoolId) ?? new Set(),
          current.settings.training,
          today,
        ),
        classes: [],
        term,
        settings: current.settings,
      });
    }
    return out;
  }

  // Reminders (the daily job).

  /**
   * Emails each member of staff whose training of a kind is overdue (once per due date), and
   * their line manager: one email a day per manager listing every overdue report. Staff with no
   * line manager recorded (or whose manager has left) go to the holders of the profile's
   * `training.overdueReminderRole` instead, in the same one email per person (docs/training.md).
   */
  async sendReminders(onlySchoolId?: string): Promise<{ people: number; managers: number }> {
    const { database, people, repository, mailer, clock, baseUrl, policies } = this.deps;
    const schools = onlySchoolId
      ? [await people.getSchool(database.db, onlySchoolId)].filter((s) => !!s)
      : await people.listSchools(database.db);
    let sentPeople = 0;
    let sentManagers = 0;
    for (const school of schools) {
      const current = await policies.currentOrNull(school.id);
      if (!current) continue;
      const report = await this.status(school.id);
      const overdue: OverdueItem[] = [];
      for (const person of report.people) {
        for (const kind of report.kinds) {
          const s = person.kinds[kind];
          if (s?.state === 'overdue') overdue.push({ person, kind, status: s });
        }
      }
      for (const o of overdue) {
        const claimed = await repository.claimReminder(database.db, {
          schoolId: school.id,
          staffId: o.person.staffId,
          kind: o.kind,
          dueOn: o.status.dueOn ?? report.today,
          recipient: 'person',
          sentAt: clock.now(),
        });
        if (!claimed) continue;
        await mailer.send({
          to: o.person.email,
          subject: `Your ${kindLabel(o.kind).toLowerCase()} is overdue`,
          text: [
            `Dear ${o.person.name},`,
            '',
            `Your ${kindLabel(o.kind).toLowerCase()} was due on ${formatDateInWords(o.status.dueOn ?? report.today)}.`,
            o.status.dueAgain
              ? o.status.dueAgain.reason === 'policy_version'
                ? 'It is due again because the school’s social media policy has changed.'
                : 'It is due again after a significant incident.'
              : '',
            `Look for a session on ${baseUrl}/training and speak to whoever runs training at ${school.name}.`,
          ]
            .filter((l) => l !== '')
            .join('\n'),
        });
        sentPeople += 1;
      }
      if (overdue.length === 0) continue;
      const fallbackRole = current.settings.training.overdueReminderRole.value;
      const recipients = await this.managerSummaries(school.id, overdue, fallbackRole);
      const roleTitle = current.settings.people.roleTitles.value[fallbackRole];
      for (const r of recipients.values()) {
        const claimed = await repository.claimReminder(database.db, {
          schoolId: school.id,
          staffId: r.manager.id,
          kind: 'summary',
          dueOn: report.today,
          recipient: 'manager',
          sentAt: clock.now(),
        });
        if (!claimed) continue;
        const line = (o: OverdueItem) =>
          `- ${o.person.name}: ${kindLabel(o.kind)}, due ${formatDateInWords(o.status.dueOn ?? report.today)}`;
        const count = r.reports.length + r.unmanaged.length;
        await mailer.send({
          to: r.manager.email,
          subject: `${count} overdue training ${count === 1 ? 'item' : 'items'} at ${school.name}`,
          text: [
            `Dear ${r.manager.givenName},`,
            ...(r.reports.length
              ? ['', 'People you line-manage are overdue for training:', ...r.reports.map(line)]
              : []),
            ...(r.unmanaged.length
              ? [
                  '',
                  `These members of staff have no line manager recorded, so the school’s policy asks the ${roleTitle} to be told:`,
                  ...r.unmanaged.map(line),
                ]
              : []),
            '',
            `See everyone’s training: ${baseUrl}/training/status`,
          ].join('\n'),
        });
        sentManagers += 1;
      }
    }
    return { people: sentPeople, managers: sentManagers };
  }

  /**
   * Who is told of these overdue items, one entry per person told: each item goes to the
   * person's line manager (an active member of staff of the school), or, without one, to every
   * holder of `fallbackRole` but the person themself. Two statements (roster, role holders).
   */
  private async managerSummaries(
    schoolId: string,
    overdue: readonly OverdueItem[],
    fallbackRole: string,
  ): Promise<Map<string, ManagerSummary>> {
    const { database, people } = this.deps;
    const [roster, fallback] = await Promise.all([
      people.staffRoster(database.db, schoolId),
      people.staffWithRole(database.db, schoolId, fallbackRole),
    ]);
    const byId = new Map(roster.map((s) => [s.id, s]));
    const out = new Map<string, ManagerSummary>();
    const entry = (m: { id: string; email: string; givenName: string }) => {
      let e = out.get(m.id);
      if (!e) {
        e = {
          manager: { id: m.id, email: m.email, givenName: m.givenName },
          reports: [],
          unmanaged: [],
        };
        out.set(m.id, e);
      }
      return e;
    };
    for (const o of overdue) {
      const managerId = byId.get(o.person.staffId)?.lineManagerId ?? null;
      const manager = managerId ? byId.get(managerId) : undefined;
      if (manager) {
        entry(manager).reports.push(o);
        continue;
      }
      for (const f of fallback) if (f.id !== o.person.staffId) entry(f).unmanaged.push(o);
    }
    return out;
  }
}

interface OverdueItem {
  person: PersonTraining;
  kind: TrainingSessionKey;
  status: KindStatus;
}

interface ManagerSummary {
  manager: { id: string; email: string; givenName: string };
  /** Overdue items of the people they line-manage. */
  reports: OverdueItem[];
  /** Overdue items of staff with no line manager (they hold the profile's role). */
  unmanaged: OverdueItem[];
}
