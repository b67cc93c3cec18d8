import type { Database } from '../../../platform/db/database.ts';
import { ukDate } from '../../../platform/clock.ts';
import { ImportFailure, type ImportKind } from '../../../platform/imports/import-pipeline.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { AcknowledgementsService } from '../../acknowledgements/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { TrainingRepository } from '../training.repository.ts';
import { kindLabel } from '../training-status.ts';
import { checkAttendanceFile, parseAttendanceFile } from './attendance-import.parse.ts';

export interface AttendanceImportPreview {
  canCommit: boolean;
  totalRows: number;
  /** Rows that will be recorded as attended. */
  matched: {
    line: number;
    sessionId: string;
    staffId: string;
    name: string;
    session: string;
    date: string;
  }[];
  errors: { line: number; message: string }[];
}

export interface AttendanceImportSummary {
  recorded: number;
  sessions: number;
  durationMs: number;
}

export interface AttendanceImportDeps {
  database: Database;
  repository: TrainingRepository;
  audit: AuditService;
  policies: Pick<PolicyService, 'current'>;
  people: Pick<PeopleDirectory, 'staffRoster'>;
  acknowledgements: Pick<AcknowledgementsService, 'acknowledgedCurrent'>;
}

/**
 * Training attendance from a sign-in sheet (CSV), as one kind of the import pipeline (ADR 0022):
 * the preview matches each row to a member of staff (by email) and a staff session of that kind
 * on that date; applying records them as attended in one transaction, checking again (the
 * induction rule included: `training.inductionNeedsAcknowledgement`).
 */
export function attendanceImportKind(
  deps: AttendanceImportDeps,
): ImportKind<
  AttendanceImportPreview,
  AttendanceImportSummary,
  Buffer,
  Record<string, never>,
  Actor
> {
  const { database, repository, audit, policies, people, acknowledgements } = deps;

  /** Matches the parsed lines against the school now (preview, and again when applying). */
  async function plan(db: Database['db'], schoolId: string, data: Buffer) {
    const parsed = parseAttendanceFile(data);
    if (!parsed.ok) return parsed;
    const [roster, sessions, current] = await Promise.all([
      people.staffRoster(db, schoolId),
      repository.sessionsBetween(
        db,
        schoolId,
        new Date(0),
        new Date(Date.now() + 366 * 86_400_000),
        'staff',
      ),
      policies.current(schoolId),
    ]);
    const staffByEmail = new Map(roster.map((s) => [s.email.toLowerCase(), s]));
    const acknowledged = await acknowledgements.acknowledgedCurrent(
      schoolId,
      roster.map((s) => s.id),
    );
    const induction = current.settings.training.inductionNeedsAcknowledgement.value;
    const errors = [...parsed.errors];
    const matched: AttendanceImportPreview['matched'] = [];
    const seen = new Set<string>();
    for (const l of parsed.lines) {
      const person = staffByEmail.get(l.email);
      const session = sessions.find((s) => s.kind === l.kind && ukDate(s.startsAt) === l.date);
      if (!person)
        errors.push({ line: l.line, message: 'No current member of staff has this email address' });
      else if (!session)
        errors.push({
          line: l.line,
          message: `There is no ${kindLabel(l.kind).toLowerCase()} session on that date`,
        });
      else if (l.kind === 'staff_induction' && induction && !acknowledged.has(person.id))
        errors.push({
          line: l.line,
          message: `${person.givenName} ${person.familyName} cannot be marked as inducted until they have acknowledged the current version of the policy`,
        });
      else if (!seen.has(`${session.id}:${person.id}`)) {
        seen.add(`${session.id}:${person.id}`);
        matched.push({
          line: l.line,
          sessionId: session.id,
          staffId: person.id,
          name: `${person.givenName} ${person.familyName}`,
          session: session.title,
          date: l.date,
        });
      }
    }
    errors.sort((a, b) => a.line - b.line);
    return {
      ok: true as const,
      preview: {
        canCommit: errors.length === 0 && matched.length > 0,
        totalRows: parsed.total,
        matched,
        errors,
      },
      sessions,
    };
  }

  return {
    name: 'training-attendance',
    table: 'training_attendance_imports',
    defaultFilename: 'attendance.csv',
    messages: {
      cannotCommit:
        'This file cannot be imported because it has problems. Correct them and upload the file again.',
      overtaken:
        'A file uploaded later has already been imported. Upload this file again to check it against what is recorded now.',
      failed:
        'Something went wrong while recording the attendance, so nothing was recorded. Try again.',
    },
    check: checkAttendanceFile,
    async preview({ run, data }) {
      const result = await plan(database.db, run.schoolId, data);
      if (!result.ok) return { fileError: result.fileError };
      return {
        preview: result.preview,
        canCommit: result.preview.canCommit,
        rows: result.preview.totalRows,
      };
    },
    // Applying reads the file again and matches it against the school as it is now.
    prepare: ({ file }) => file(),
    async apply(tx, { run, actor, now, started, prepared }) {
      const result = await plan(tx.db, run.schoolId, prepared);
      if (!result.ok || !result.preview.canCommit)
        throw new ImportFailure(
          'Something changed since the file was checked, so nothing was imported. Upload the file again to see the problems.',
          false,
        );
      const sessions = new Map(result.sessions.map((s) => [s.id, s]));
      await repository.upsertAttendance(
        tx.db,
        result.preview.matched.map((m) => ({
          schoolId: run.schoolId,
          sessionId: m.sessionId,
          kind: sessions.get(m.sessionId)!.kind,
          personKind: 'staff',
          personId: m.staffId,
          attended: true,
          attendedOn: m.date,
          source: 'import',
          recordedBy: actor.kind === 'staff' ? actor.id : null,
          recordedAt: now,
        })),
      );
      const sessionCount = new Set(result.preview.matched.map((m) => m.sessionId)).size;
      await audit.record(tx, {
        schoolId: run.schoolId,
        actor,
        action: 'training.attendance-imported',
        entityType: 'training_attendance_import',
        entityId: run.id,
        data: {
          recorded: result.preview.matched.length,
          sessions: sessionCount,
          sha256: run.sha256,
        },
      });
      return {
        recorded: result.preview.matched.length,
        sessions: sessionCount,
        durationMs: Date.now() - started,
      };
    },
  };
}
