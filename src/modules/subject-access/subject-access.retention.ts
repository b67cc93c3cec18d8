/**
 * Retention and erasure (issue 16 item 6; docs/subject-access.md). The daily sweep
 * (`retention.sweep`) first runs the media module's own retention (`media.retention`: photos and
 * their published copies), then deletes in one transaction per school what the
 * profile's `retention` section says is due: consent records of pupils who left long enough ago,
 * closed incidents (safeguarding ones only once every pupil in them has reached the profile's
 * age), staff declarations, permission requests, training records, publications that ended,
 * closed subject access requests, then people: pupils who left (or whom a whole-roll MIS import
 * stopped listing, with no leaving date), parents with no child left, and former staff, each kept
 * with the reason in words while a kept record names them. It records a
 * retention_runs row (counts per type and the ids) and one audit entry, then removes the files
 * (consent scans, incident evidence and letters) once the rows are gone.
 *
 * Erasure (Art. 17): the DPO previews what could be erased about one person and what is kept and
 * why, then carries it out; the same run row and audit entry record it.
 */
import { ukDate } from '../../platform/clock.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Db } from '../../platform/db/database.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import { NotFoundError } from '../../errors.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { auditAboutPerson, systemActor, type Actor, type AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { PolicyService } from '../policies/index.ts';
import { mediaAboutPupil, type MediaService } from '../media/index.ts';
import {
  deleteConsentRecordsOf,
  pupilsWithConsentRecords,
  consentAboutPerson,
  keepFormerStaffNamesInConsent,
  staffWhoRecordedConsent,
} from '../consent/index.ts';
import {
  keepFormerStaffNamesInPolicyTexts,
  staffNamedInPolicyReviews,
} from '../lifecycle/index.ts';
import { keepFormerStaffNamesInPolicyVersions } from '../policies/index.ts';
import {
  closedIncidentsBefore,
  closedSafeguardingIncidents,
  deleteIncidents,
  incidentsAboutPerson,
  staffNamedInIncidents,
} from '../incidents/index.ts';
import {
  conductAboutPerson,
  deleteDeclarationsBefore,
  deletePermissionsBefore,
} from '../conduct/index.ts';
import {
  deleteTrainingBefore,
  forgetStaffTraining,
  forgetTrainingLatest,
  keepFormerStaffNamesInTraining,
  parentsWithTrainingRecords,
  staffWhoRecordedTraining,
  staffWithTrainingRecords,
  trainingAboutPerson,
} from '../training/index.ts';
import {
  deletePublications,
  livePublicationsBefore,
  publicationsEndedBefore,
  publishingAboutPupil,
} from '../publishing/index.ts';
import {
  deletePeopleRecords,
  deleteStaffRecords,
  formerStaffLeftOnOrBefore,
  keepFormerStaffNamesInImports,
  pupilsLeftOnOrBefore,
  retentionLeavingDate,
} from '../people/index.ts';
import {
  forgetParentsAcknowledgements,
  forgetStaffAcknowledgements,
  keepFormerStaffNamesInAcknowledgements,
  staffWhoRecordedAcknowledgements,
} from '../acknowledgements/index.ts';
import { forgetStaffAccess } from '../auth/index.ts';
import type { RetentionRunRow, SubjectAccessRepository } from './subject-access.repository.ts';
import { addCalendarMonths } from './subject-access.dates.ts';
import { canHandleSubjectAccess, canViewSubjectAccess } from './subject-access.policy.ts';
import {
  heldByOther,
  heldByReasons,
  recordTypeLabels,
  staffHeldByReasons,
} from './subject-access.retention-words.ts';

export { recordTypeLabels };

export interface RetentionDeps {
  database: Database;
  repository: SubjectAccessRepository;
  audit: AuditService;
  clock: Clock;
  people: PeopleDirectory;
  policies: PolicyService;
  media: MediaService;
  files: FileStore;
}

const yearsBefore = (now: Date, years: number) =>
  new Date(`${addCalendarMonths(ukDate(now), -12 * years)}T00:00:00Z`);

export interface SweepReport {
  schoolId: string;
  runId: string;
  counts: Record<string, number>;
  filesDeleted: number;
  /** What was due by its age but kept, with why (safeguarding, still published, still named). */
  kept: { type: string; count: number; reason: string }[];
}

export interface ErasurePreview {
  subject: { kind: 'pupil' | 'parent'; id: string; name: string };
  erase: { type: string; count: number }[];
  keep: { type: string; count: number; reason: string }[];
}

export class RetentionService {
  constructor(private readonly deps: RetentionDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The daily sweep, for one school or every school with a policy. */
  async sweep(schoolId?: string): Promise<SweepReport[]> {
    const schools = schoolId
      ? [schoolId]
      : (await this.deps.people.listSchools(this.db)).map((s) => s.id);
    const out: SweepReport[] = [];
    for (const id of schools) {
      const current = await this.deps.policies.currentOrNull(id);
      if (!current) continue;
      out.push(await this.sweepSchool(id, current.settings));
    }
    return out;
  }

  private async sweepSchool(
    schoolId: string,
    settings: Awaited<ReturnType<PolicyService['current']>>['settings'],
  ): Promise<SweepReport> {
    const { database, repository, audit, clock, people } = this.deps;
    const now = clock.now();
    const today = ukDate(now);
    const rules = settings.retention;
    // The schema allows only 'never' for the audit log: it is the record of what was deleted.
    if (rules.auditLogYears.value !== null) throw new Error('The audit log is never deleted');
    // Photos and their published copies: the media module's own rule and run (`media.retention`).
    const media = await this.deps.media.runRetention(schoolId);
    const mediaDeleted = media.reduce((n, r) => n + r.deleted, 0);

    // Who left long enough ago, and the ages of pupils in safeguarding cases (people directory).
    const consentYears = rules.consentRecordsYearsAfterLeaving.value;
    let leavers: string[] = [];
    if (consentYears !== null) {
      const withRecords = await pupilsWithConsentRecords(this.db, schoolId);
      const cutoff = addCalendarMonths(today, -12 * consentYears);
      leavers = (await people.pupilsByIds(this.db, schoolId, withRecords))
        .filter((p) => {
          const left = retentionLeavingDate(p, ukDate);
          return left !== null && left <= cutoff;
        })
        .map((p) => p.id);
    }
    const untilAge = rules.safeguardingUntilAge.value;
    let safeguardingDue: string[] = [];
    if (untilAge !== null) {
      const cases = await closedSafeguardingIncidents(this.db, schoolId);
      const pupilIds = [...new Set(cases.flatMap((c) => c.pupils))];
      const dob = new Map(
        (await people.pupilsByIds(this.db, schoolId, pupilIds)).map((p) => [p.id, p.dateOfBirth]),
      );
      const oldEnough = (id: string) => {
        const d = dob.get(id);
        return !!d && addCalendarMonths(d, 12 * untilAge) <= today;
      };
      // A case naming no pupil on the roll is kept: nobody's age says when it may go.
      safeguardingDue = cases
        .filter((c) => c.pupils.length > 0 && c.pupils.every(oldEnough))
        .map((c) => c.id);
    }

    const result = await database.transaction(async (tx) => {
      const counts: Record<string, number> = { media: mediaDeleted };
      const items: Record<string, string[]> = {};
      const files: string[] = [];
      const consent = await deleteConsentRecordsOf(tx.db, schoolId, leavers);
      counts.consentRecords = consent.deleted;
      items.consentRecords = consent.ids;
      files.push(...consent.scanKeys);
      const years = rules.incidentsYearsAfterClosing.value;
      const plain =
        years === null ? [] : await closedIncidentsBefore(tx.db, schoolId, yearsBefore(now, years));
      for (const [type, ids] of [
        ['incidents', plain],
        ['safeguardingIncidents', safeguardingDue],
      ] as const) {
        const gone = await deleteIncidents(tx.db, schoolId, [...ids]);
        counts[type] = gone.deleted;
        items[type] = [...ids];
        counts.evidenceFiles = (counts.evidenceFiles ?? 0) + gone.evidenceKeys.length;
        files.push(...gone.evidenceKeys, ...gone.letterKeys);
      }
      const dYears = rules.declarationsYears.value;
      items.declarations =
        dYears === null
          ? []
          : await deleteDeclarationsBefore(tx.db, schoolId, yearsBefore(now, dYears));
      counts.declarations = items.declarations.length;
      const pYears = rules.permissionsYears.value;
      items.permissions =
        pYears === null
          ? []
          : await deletePermissionsBefore(tx.db, schoolId, yearsBefore(now, pYears));
      counts.permissions = items.permissions.length;
      const tYears = rules.trainingRecordsYears.value;
      const training =
        tYears === null
          ? { attendance: [], bookings: [] }
          : await deleteTrainingBefore(tx.db, schoolId, yearsBefore(now, tYears));
      items.trainingAttendance = training.attendance;
      items.trainingBookings = training.bookings;
      counts.trainingAttendance = training.attendance.length;
      counts.trainingBookings = training.bookings.length;
      const kept: { type: string; count: number; reason: string }[] = [];
      // Publications that ended long enough ago, with the files that went out; live ones stay.
      const pubYears = rules.publicationsYearsAfterEnding.value;
      if (pubYears !== null) {
        const before = yearsBefore(now, pubYears);
        const gone = await deletePublications(
          tx.db,
          schoolId,
          await publicationsEndedBefore(tx.db, schoolId, before),
        );
        items.publications = gone.ids;
        counts.publications = gone.ids.length;
        counts.publicationFiles = gone.fileKeys.length;
        files.push(...gone.fileKeys);
        kept.push({
          type: 'Publications still published',
          count: await livePublicationsBefore(tx.db, schoolId, before),
          reason: 'Still out there: the school must be able to take them down if consent changes.',
        });
      }
      if (untilAge !== null)
        kept.push({
          type: 'Safeguarding incidents',
          count: (await closedSafeguardingIncidents(tx.db, schoolId)).length,
          reason: `Child protection records are kept until every pupil in them is ${untilAge} (IRMS toolkit: date of birth + 25 years, then review).`,
        });
      // Closed subject access requests (the request row is all there is: bundles are streamed).
      const sarYears = rules.subjectAccessRequestsYearsAfterClosing.value;
      items.subjectAccessRequests =
        sarYears === null
          ? []
          : await repository.deleteClosedBefore(tx.db, schoolId, yearsBefore(now, sarYears));
      counts.subjectAccessRequests = items.subjectAccessRequests.length;
      // People last: a pupil who left long enough ago, once nothing kept names them.
      const peopleYears = rules.pupilRecordsYearsAfterLeaving.value;
      if (peopleYears !== null) {
        const due = await pupilsLeftOnOrBefore(
          tx.db,
          schoolId,
          addCalendarMonths(today, -12 * peopleYears),
        );
        const training = new Map(
          (await parentsWithTrainingRecords(tx.db, schoolId)).map((id) => [
            id,
            'training_attendance',
          ]),
        );
        const people = await deletePeopleRecords(
          tx.db,
          schoolId,
          due,
          yearsBefore(now, peopleYears),
          training,
        );
        await forgetTrainingLatest(tx.db, schoolId, 'parent', people.parents);
        counts.parentAcknowledgements = await forgetParentsAcknowledgements(
          tx.db,
          schoolId,
          people.parents,
        );
        items.pupils = people.pupils;
        items.parents = people.parents;
        counts.pupils = people.pupils.length;
        counts.parents = people.parents.length;
        const byReason = new Map<string, { pupils: number; parents: number }>();
        for (const k of people.kept) {
          const reason = heldByReasons[k.heldBy] ?? heldByOther;
          const n = byReason.get(reason) ?? { pupils: 0, parents: 0 };
          n[k.kind === 'pupil' ? 'pupils' : 'parents']++;
          byReason.set(reason, n);
        }
        for (const [reason, n] of byReason) {
          if (n.pupils) kept.push({ type: 'Pupils who left', count: n.pupils, reason });
          if (n.parents) kept.push({ type: 'Parents', count: n.parents, reason });
        }
      }
      // Former staff (no longer active) who left long enough ago, once nothing kept names them.
      const staffYears = rules.staffRecordsYearsAfterLeaving.value;
      if (staffYears !== null) {
        const former = await formerStaffLeftOnOrBefore(
          tx.db,
          schoolId,
          addCalendarMonths(today, -12 * staffYears),
        );
        // Kept records that name them with no foreign key and are deleted in their turn (the
        // first reason found is given). Records kept for good keep their name instead, below.
        const held = new Map<string, string>();
        const incidents = await staffNamedInIncidents(tx.db, schoolId);
        for (const [table, named] of [
          ['training_attendance', await staffWithTrainingRecords(tx.db, schoolId)],
          ['training_attendance_recorders', await staffWhoRecordedTraining(tx.db, schoolId)],
          ['consent_records', await staffWhoRecordedConsent(tx.db, schoolId)],
          ['policy_reviews', await staffNamedInPolicyReviews(tx.db, schoolId)],
          ['incident_reports', incidents.incident_reports],
          ['incident_assignments', incidents.incident_assignments],
          ['incident_evidence', incidents.incident_evidence],
          ['policy_acknowledgements', await staffWhoRecordedAcknowledgements(tx.db, schoolId)],
        ] as const)
          for (const id of named) if (!held.has(id)) held.set(id, table);
        const gone = await deleteStaffRecords(tx.db, schoolId, former.due, held);
        await forgetStaffTraining(tx.db, schoolId, gone.staff);
        await forgetStaffAccess(tx.db, schoolId, gone.staff);
        counts.staffAcknowledgements = await forgetStaffAcknowledgements(
          tx.db,
          schoolId,
          gone.staff,
        );
        // Records the school keeps for good (training sessions, lessons and materials, imports,
        // consent campaigns, policy versions, texts and decisions, class acknowledgements) keep
        // the name of who made them, in words, once the person's own record is gone.
        let named = 0;
        for (const keep of [
          keepFormerStaffNamesInTraining,
          keepFormerStaffNamesInConsent,
          keepFormerStaffNamesInImports,
          keepFormerStaffNamesInPolicyVersions,
          keepFormerStaffNamesInPolicyTexts,
          keepFormerStaffNamesInAcknowledgements,
        ])
          named += await keep(tx.db, schoolId, gone.names);
        if (named)
          kept.push({
            type: 'Names of former staff on the school’s lasting records',
            count: named,
            reason:
              'Training sessions, lessons and materials, imports, consent campaigns and policy versions are kept for good: each keeps, in words, the name of the former member of staff who made it.',
          });
        items.staff = gone.staff;
        counts.staff = gone.staff.length;
        const byReason = new Map<string, number>();
        for (const k of gone.kept) {
          const reason = staffHeldByReasons[k.heldBy] ?? heldByReasons[k.heldBy] ?? heldByOther;
          byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
        }
        for (const [reason, count] of byReason) kept.push({ type: 'Former staff', count, reason });
        if (former.noLeaveDate.length)
          kept.push({
            type: 'Former staff',
            count: former.noLeaveDate.length,
            reason:
              'No leave date recorded, so there is no date to count from: they are kept until one is.',
          });
      }
      const run = await repository.insertRun(tx.db, {
        schoolId,
        ranAt: now,
        kind: 'sweep',
        counts,
        filesDeleted: files.length,
        items,
        kept,
      });
      await audit.record(tx, {
        schoolId,
        actor: systemActor,
        action: 'retention.swept',
        entityType: 'retention_run',
        entityId: run.id,
        data: {
          counts,
          filesDeleted: files.length,
          kept: kept.map(({ type, count }) => ({ type, count })),
        },
      });
      return { runId: run.id, counts, files, kept };
    });
    // Files after the rows are gone (a crash leaves an orphan file, never a row without its file).
    for (const key of result.files) await this.deps.files.delete(key);
    return {
      schoolId,
      runId: result.runId,
      counts: result.counts,
      filesDeleted: result.files.length,
      kept: result.kept,
    };
  }

  async runs(p: StaffPrincipal): Promise<RetentionRunRow[]> {
    if (!canViewSubjectAccess(p)) throw new NotFoundError();
    return this.deps.repository.runs(this.db, p.schoolId);
  }

  /** The school's schedule, from its current profile, for the report page. */
  async schedule(p: StaffPrincipal) {
    if (!canViewSubjectAccess(p)) throw new NotFoundError();
    const current = await this.deps.policies.current(p.schoolId);
    return { retention: current.settings.retention, media: current.settings.media.retention };
  }

  private async subjectOf(
    db: Db,
    schoolId: string,
    subject: { kind: 'pupil' | 'parent'; id: string },
  ) {
    const row =
      subject.kind === 'pupil'
        ? await this.deps.people.getPupil(db, schoolId, subject.id)
        : await this.deps.people.getParent(db, schoolId, subject.id);
    if (!row) throw new NotFoundError();
    return { ...subject, name: `${row.givenName} ${row.familyName}` };
  }

  /** What an erasure of this person would delete, and what it keeps and why. */
  async erasurePreview(
    p: StaffPrincipal,
    subject: { kind: 'pupil' | 'parent'; id: string },
  ): Promise<ErasurePreview> {
    if (!canHandleSubjectAccess(p)) throw new NotFoundError();
    const who = await this.subjectOf(this.db, p.schoolId, subject);
    const pupil = subject.kind === 'pupil';
    const [consent, incidents, conduct, training, media, published, audit] = await Promise.all([
      consentAboutPerson(this.db, p.schoolId, subject),
      incidentsAboutPerson(this.db, p.schoolId, subject),
      conductAboutPerson(this.db, p.schoolId, subject),
      trainingAboutPerson(
        this.db,
        p.schoolId,
        pupil
          ? { kind: 'pupil', id: subject.id, className: null }
          : { kind: 'parent', id: subject.id },
      ),
      pupil ? mediaAboutPupil(this.db, p.schoolId, subject.id) : null,
      pupil ? publishingAboutPupil(this.db, p.schoolId, subject.id) : null,
      auditAboutPerson(this.db, p.schoolId, subject.id),
    ]);
    const safeguarding = incidents.cases.filter((c) => c.safeguarding || c.indecentImage).length;
    const keep: ErasurePreview['keep'] = [
      {
        type: 'Consent records and scans',
        count: consent.records.length,
        reason:
          'Evidence that photos were used lawfully (UK GDPR Art. 7(1) and 17(3)(e)); deleted by the retention schedule after the pupil leaves.',
      },
      {
        type: 'Safeguarding incidents',
        count: safeguarding,
        reason:
          'Child protection records are kept until the pupil is 25 (Keeping Children Safe in Education; IRMS toolkit); Art. 17(3)(b) and (e).',
      },
      {
        type: 'Other incidents',
        count: incidents.incidents.length - safeguarding,
        reason:
          'Kept for the school’s defence of legal claims until the retention schedule deletes them (Art. 17(3)(e)).',
      },
    ];
    if (media && published)
      keep.push(
        {
          type: 'Photos and videos they are tagged in',
          count: media.items.length,
          reason:
            'Other children may be in them too; they follow the photo retention rule. To stop their use, record a change of consent: published copies are then taken down.',
        },
        {
          type: 'Publications they appear in',
          count: published.publications.length,
          reason:
            'The record of what was published and where, so it can be taken down; deleted by the retention schedule once it has ended.',
        },
      );
    keep.push(
      {
        type: 'Their details and family links',
        count: 1,
        reason:
          'A copy of the school’s pupil records, needed while other records name them; deleted by the retention schedule after they leave.',
      },
      {
        type: 'Audit log entries',
        count: audit.length,
        reason:
          'The tamper-evident log shows what the school did and is never edited (Art. 5(2) accountability); it records this erasure too.',
      },
    );
    return {
      subject: who,
      erase: [
        { type: 'Staff declarations that name them', count: conduct.declarations.length },
        { type: 'Permission requests that name them', count: conduct.permissions.length },
        { type: 'Training attendance', count: training.attendance.length },
        { type: 'Parents’ training bookings', count: training.bookings.length },
      ],
      keep,
    };
  }

  /** Carries out the erasure the preview showed: one transaction, recorded and audited. */
  async erase(p: StaffPrincipal, subject: { kind: 'pupil' | 'parent'; id: string }) {
    const preview = await this.erasurePreview(p, subject);
    const { database, repository, audit, clock } = this.deps;
    const now = clock.now();
    const actor: Actor = { kind: 'staff', id: p.id };
    return database.transaction(async (tx) => {
      const far = new Date(now.getTime() + 86_400_000);
      const declarations = await deleteDeclarationsBefore(tx.db, p.schoolId, far, subject);
      const permissions =
        subject.kind === 'pupil'
          ? await deletePermissionsBefore(tx.db, p.schoolId, far, subject.id)
          : [];
      const training =
        subject.kind === 'parent'
          ? await deleteTrainingBefore(tx.db, p.schoolId, far, subject.id)
          : { attendance: [], bookings: [] };
      const counts = {
        declarations: declarations.length,
        permissions: permissions.length,
        trainingAttendance: training.attendance.length,
        trainingBookings: training.bookings.length,
      };
      const run = await repository.insertRun(tx.db, {
        schoolId: p.schoolId,
        ranAt: now,
        kind: 'erasure',
        counts,
        filesDeleted: 0,
        items: {
          declarations,
          permissions,
          trainingAttendance: training.attendance,
          trainingBookings: training.bookings,
        },
        subjectKind: subject.kind,
        subjectId: subject.id,
        kept: preview.keep.map(({ type, count, reason }) => ({ type, count, reason })),
        ranBy: p.id,
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor,
        action: 'retention.erased',
        entityType: 'retention_run',
        entityId: run.id,
        data: { subjectKind: subject.kind, subjectId: subject.id, counts },
      });
      return { runId: run.id, counts, preview };
    });
  }
}
