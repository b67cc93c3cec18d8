import type { Database } from '../../../platform/db/database.ts';
import { ukDate, type Clock } from '../../../platform/clock.ts';
import { ImportFailure, type ImportKind } from '../../../platform/imports/import-pipeline.ts';
import { ValidationError } from '../../../errors.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { ConsentService } from '../register/consent.service.ts';
import { checkConsentFile, parseConsentFile } from './consent-import.parse.ts';
import type { ConsentImportRepository } from './consent-import.repository.ts';
import {
  markUnchanged,
  planConsentImport,
  type ConsentImportPreview,
  type ConsentImportSummary,
} from './consent-import.plan.ts';

/**
 * Existing consents from a spreadsheet, as one kind of the import pipeline (platform/imports):
 * the preview checks every row against the school and says what would be recorded; applying it
 * records the new statements through `ConsentService.recordMany`, comparing again with the pupils
 * locked, in the pipeline's one transaction. See docs/consent-import.md.
 */
export function consentImportKind(deps: {
  database: Database;
  repository: ConsentImportRepository;
  consent: ConsentService;
  audit: AuditService;
  clock: Clock;
}): ImportKind<ConsentImportPreview, ConsentImportSummary, null, Record<string, never>, Actor> {
  const { repository, consent, audit, clock } = deps;

  const uploadedEvent = (
    tx: Parameters<AuditService['record']>[0],
    run: { id: string; schoolId: string; createdBy: string | null; sizeBytes: number },
    data: { status: string; rows: number; problems: number; newStatements: number },
  ) =>
    audit.record(tx, {
      schoolId: run.schoolId,
      actor: run.createdBy ? { kind: 'staff', id: run.createdBy } : { kind: 'cli', id: null },
      action: 'consent.import-uploaded',
      entityType: 'consent_import',
      entityId: run.id,
      data: { ...data, sizeBytes: run.sizeBytes },
    });

  return {
    name: 'consents',
    table: 'consent_imports',
    defaultFilename: 'consents.csv',
    messages: {
      cannotCommit:
        'This file cannot be imported because it has problems. Correct them and upload the file again.',
      overtaken:
        'A file uploaded later has already been imported, so this one could undo its answers. Upload the newest spreadsheet again.',
      failed:
        'Something went wrong while recording the import, so nothing was recorded. Try again. If ' +
        'it keeps happening, contact your Lanyard administrator.',
    },

    check(data) {
      return checkConsentFile(data)?.message ?? null;
    },

    async preview({ run, data }) {
      const settings = await consent.settings(run.schoolId);
      const today = ukDate(clock.now());
      const parsed = parseConsentFile(data, { settings, today });
      if (!parsed.ok) return { fileError: parsed.fileError.message };
      const preview = await planConsentImport(
        deps.database.db,
        repository,
        run.schoolId,
        settings,
        today,
        parsed,
      );
      return { preview, canCommit: preview.canCommit, rows: preview.totalRows };
    },

    // Applying records the statements the preview resolved: the file is not read again.
    prepare: () => Promise.resolve(null),

    async apply(tx, { run, actor, started }) {
      const preview = run.preview as ConsentImportPreview;
      const statements = preview.statements;
      const pupilIds = [...new Set(statements.map((s) => s.pupilId))];
      await repository.lockPupils(tx.db, run.schoolId, pupilIds);
      const current = await repository.currentStatements(tx.db, run.schoolId, pupilIds, [
        ...new Set(statements.map((s) => s.periodKey)),
      ]);
      const fresh = statements.map((s) => ({ ...s, unchanged: false }));
      markUnchanged(fresh, current);
      const toRecord = fresh.filter((s) => !s.unchanged);
      let result: Awaited<ReturnType<ConsentService['recordMany']>>;
      try {
        result = await consent.recordMany(tx, {
          schoolId: run.schoolId,
          actor,
          importId: run.id,
          statements: toRecord.map((s) => ({
            pupilId: s.pupilId,
            periodKey: s.periodKey,
            decider: s.decider,
            decisions: s.decisions,
            method: s.method,
            decidedOn: s.decidedOn,
            note: s.note,
          })),
          auditData: {
            sha256: run.sha256,
            unchangedStatements: fresh.length - toRecord.length,
          },
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const lines = Object.entries(error.fieldErrors)
          .slice(0, 5)
          .map(([k, message]) => {
            const s = toRecord[Number(k.replace('statement-', ''))];
            return `line ${s?.line ?? '?'}: ${message}`;
          });
        // Not "try again": the file must be checked again against what has changed.
        throw new ImportFailure(
          `Something changed since the file was checked (${lines.join('; ')}). Nothing was imported. Upload the file again to see the problems.`,
          false,
        );
      }
      return {
        newStatements: toRecord.length,
        unchangedStatements: fresh.length - toRecord.length,
        pupils: result.pupils,
        pupilsWhoseAnswersChanged: result.changedPupils,
        durationMs: Date.now() - started,
      };
    },

    // `consent.import-uploaded` when the file has been checked: at once for a file that is not a
    // CSV at all, otherwise when the preview job has read it.
    async uploaded(tx, run) {
      if (run.status !== 'rejected') return;
      await uploadedEvent(tx, run, { status: 'rejected', rows: 0, problems: 1, newStatements: 0 });
    },

    async previewed(tx, run, outcome) {
      const preview = 'fileError' in outcome ? null : outcome.preview;
      await uploadedEvent(tx, run, {
        status: run.status,
        rows: preview?.totalRows ?? 0,
        problems: preview?.totalErrors ?? 1,
        newStatements: preview?.counts?.newStatements ?? 0,
      });
    },
  };
}
