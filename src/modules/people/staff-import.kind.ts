import type { Database, Db } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { ImportFailure, type ImportKind } from '../../platform/imports/import-pipeline.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { StaffInvitationJobs } from './people-deps.ts';
import { checkStaffFile, parseStaffFile } from './staff-import.parse.ts';
import {
  planStaffImport,
  type StaffImportPreview,
  type StaffImportSummary,
} from './staff-import.plan.ts';
import type { StaffImportRepository } from './staff-import.repository.ts';

export interface StaffImportDeps {
  database: Database;
  repository: StaffImportRepository;
  audit: AuditService;
  clock: Clock;
  /** The invitation job ("set your password"), queued in the apply's transaction. */
  jobs: StaffInvitationJobs;
  /** The school's titles for the staff roles (`people.roleTitles`). */
  roleTitles: (schoolId: string) => Promise<Readonly<Partial<Record<string, string>>> | null>;
}

/**
 * A staff list (CSV) as one kind of the import pipeline (ADR 0022): the preview parses the file
 * (staff-import.parse.ts) and compares it with the school's staff (staff-import.plan.ts) as the
 * person who uploaded it may change them; applying plans again as the person who confirmed it,
 * then adds and changes staff, sets line managers (a later row of the file included) and queues
 * each new active member of staff's invitation to set a password, in the pipeline's ONE
 * transaction, with an audit event per person and one for the import.
 */
export function staffImportKind(
  deps: StaffImportDeps,
): ImportKind<StaffImportPreview, StaffImportSummary, Buffer, Record<string, never>, Actor> {
  const { database, repository, audit, clock, jobs } = deps;

  async function plan(db: Db, schoolId: string, data: Buffer, actorId: string | null) {
    const parsed = parseStaffFile(data);
    if (!parsed.ok) return parsed;
    // One after the other: inside a transaction they share one connection.
    const existing = await repository.loadStaff(db, schoolId);
    const elsewhere = await repository.emailsElsewhere(
      db,
      schoolId,
      parsed.lines.map((l) => l.email),
    );
    const titles = await deps.roleTitles(schoolId);
    const me = actorId ? existing.find((s) => s.id === actorId) : undefined;
    const preview = planStaffImport({
      lines: parsed.lines,
      parseErrors: parsed.errors,
      total: parsed.total,
      existing,
      elsewhere,
      titles,
      today: ukDate(clock.now()),
      // Someone of another school (or no longer on record) may change nothing.
      actor: actorId ? { id: actorId, roles: me?.active ? me.roles : [] } : null,
    });
    return { ok: true as const, preview, existing };
  }

  return {
    name: 'people-staff',
    table: 'staff_list_imports',
    defaultFilename: 'staff.csv',
    messages: {
      cannotCommit:
        'This file cannot be imported because it has problems. Correct them and upload the file again.',
      overtaken:
        'A staff list uploaded later has already been imported. Upload this file again to check it against the staff recorded now.',
      failed:
        'Something went wrong while importing the staff list, so nothing was changed. Try again.',
    },
    check: checkStaffFile,
    async preview({ run, data }) {
      const result = await plan(database.db, run.schoolId, data, run.createdBy);
      if (!result.ok) return { fileError: result.fileError };
      return {
        preview: result.preview,
        canCommit: result.preview.canCommit,
        rows: result.preview.totalRows,
      };
    },
    // Applying reads the file again and plans it against the staff as they are now.
    prepare: ({ file }) => file(),
    async apply(tx, { run, actor, now, started, prepared }) {
      const result = await plan(
        tx.db,
        run.schoolId,
        prepared,
        actor.kind === 'staff' ? actor.id : null,
      );
      if (!result.ok || !result.preview.canCommit) {
        throw new ImportFailure(
          'Something changed since the file was checked, so nothing was imported. Upload the file again to see the problems.',
          false,
        );
      }
      const { preview, existing } = result;
      const schoolId = run.schoolId;
      const idOf = new Map(existing.map((s) => [s.email.toLowerCase(), s.id]));
      const source = { importId: run.id };
      let invited = 0;
      for (const a of preview.added) {
        const id = await repository.insertStaff(
          tx.db,
          {
            schoolId,
            email: a.email,
            givenName: a.givenName,
            familyName: a.familyName,
            jobTitle: a.jobTitle,
            startDate: a.startDate,
            leaveDate: a.leaveDate,
            active: a.active,
            createdAt: now,
            updatedAt: now,
          },
          a.roles,
        );
        idOf.set(a.email, id);
        await audit.record(tx, {
          schoolId,
          actor,
          action: 'people.staff-added',
          entityType: 'staff',
          entityId: id,
          data: { roles: a.roles, ...source },
        });
        // As the staff page does: the job emails them a link to set their password.
        if (a.active) {
          await jobs.enqueue(
            'auth.staff-invitation',
            { staffId: id, requestedAt: now.toISOString() },
            { tx },
          );
          invited += 1;
        }
      }
      let deactivated = 0;
      const before = new Map(existing.map((s) => [s.id, s]));
      for (const c of preview.changed) {
        const old = before.get(c.staffId)!;
        await repository.updateStaff(tx.db, schoolId, c.staffId, { ...c.values, updatedAt: now });
        if (c.rolesAdded.length || c.rolesRemoved.length) {
          await repository.setRoles(tx.db, schoolId, c.staffId, c.roles);
        }
        if (old.active && !c.values.active) deactivated += 1;
        await audit.record(tx, {
          schoolId,
          actor,
          action:
            old.active === c.values.active
              ? 'people.staff-changed'
              : c.values.active
                ? 'people.staff-reactivated'
                : 'people.staff-deactivated',
          entityType: 'staff',
          entityId: c.staffId,
          data: {
            changed: c.changed,
            rolesAdded: c.rolesAdded,
            rolesRemoved: c.rolesRemoved,
            ...(c.changed.includes('leaveDate') ? { leaveDate: c.values.leaveDate } : {}),
            ...source,
          },
        });
      }
      // Line managers last: a manager may be a later row of the file.
      for (const a of preview.added) {
        if (!a.lineManagerEmail) continue;
        await repository.setLineManager(
          tx.db,
          schoolId,
          idOf.get(a.email)!,
          idOf.get(a.lineManagerEmail)!,
          now,
        );
      }
      for (const c of preview.changed) {
        if (c.lineManagerEmail === undefined) continue;
        await repository.setLineManager(
          tx.db,
          schoolId,
          c.staffId,
          c.lineManagerEmail ? idOf.get(c.lineManagerEmail)! : null,
          now,
        );
      }
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'people.staff-imported',
        entityType: 'staff_import',
        entityId: run.id,
        data: {
          added: preview.added.length,
          changed: preview.changed.length,
          deactivated,
          invited,
          sha256: run.sha256,
        },
      });
      return {
        added: preview.added.length,
        changed: preview.changed.length,
        deactivated,
        invited,
        durationMs: Date.now() - started,
      };
    },
    async uploaded(tx, run, actor) {
      await audit.record(tx, {
        schoolId: run.schoolId,
        actor,
        action: 'people.staff-import-uploaded',
        entityType: 'staff_import',
        entityId: run.id,
        data: { sizeBytes: run.sizeBytes, status: run.status },
      });
    },
  };
}
