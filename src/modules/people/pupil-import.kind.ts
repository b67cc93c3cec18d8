import crypto from 'node:crypto';
import type { Database, Db, Tx } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import {
  ImportFailure,
  type ImportKind,
  type ImportRun,
  type ProgressListener,
} from '../../platform/imports/import-pipeline.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import {
  MAX_FILE_BYTES,
  SNIFF_BYTES,
  parseMisFile,
  sniffFile,
  type MisParseResult,
} from './mis-import/mis-parse.ts';
import type { ImportRepository } from './import.repository.ts';
import {
  managedColumns,
  planImport,
  planSize,
  type ExistingData,
  type ImportPlan,
  type ImportPreview,
  type ImportSummary,
} from './import.plan.ts';

export type Parsed = MisParseResult & { ok: true };

export const FAILED_MESSAGE =
  'Something went wrong while saving the import, so nothing was changed. Try again. If it ' +
  'keeps happening, contact your Lanyard administrator.';

const CHUNK_PUPILS = 500;
const CHUNK_OTHER = 1000;

/** The confirmer's answer: does the file list every pupil on roll? */
export interface PupilImportOptions {
  wholeRoll: boolean;
}

/**
 * Pupils and their parents and carers from an MIS export, as one kind of the import pipeline
 * (platform/imports): the file is checked and compared by `mis-import/` and `import.plan.ts`;
 * applying it writes pupils, parents and links in set-based batches (import.repository.ts).
 */
export function pupilImportKind(deps: {
  database: Database;
  repository: ImportRepository;
  audit: AuditService;
  clock: Clock;
}): ImportKind<ImportPreview, ImportSummary, Parsed, PupilImportOptions, Actor> {
  const { repository, audit, clock } = deps;

  const parse = (data: Buffer, onProgress: ProgressListener | undefined) =>
    parseMisFile(data, {
      today: clock.now(),
      ...(onProgress
        ? { onProgress: (done: number, total: number) => onProgress('checking', done, total) }
        : {}),
    });

  const loadExisting = async (db: Db, schoolId: string): Promise<ExistingData> => {
    // One after the other: inside a transaction they share one connection.
    const pupils = await repository.loadPupils(db, schoolId);
    const parents = await repository.loadParents(db, schoolId);
    const links = await repository.loadLinks(db, schoolId);
    return { pupils, parents, links };
  };

  const plan = (parsed: Parsed, existing: ExistingData, today: string, wholeRoll: boolean) =>
    planImport({
      rows: parsed.rows,
      managed: managedColumns(parsed.headerReport.mapping, parsed.headerReport.contactSlots),
      existing,
      today,
      newId: () => crypto.randomUUID(),
      wholeRoll,
    });

  return {
    name: 'pupils',
    table: 'pupil_imports',
    defaultFilename: 'pupils.csv',
    messages: {
      cannotCommit:
        'This file cannot be imported because it has problems. Correct them and upload the file again.',
      overtaken:
        'A file uploaded later has already been imported, so this one would undo its changes. ' +
        'Export the pupil list from your MIS again and upload the new file.',
      failed: FAILED_MESSAGE,
    },

    check(data) {
      const sniff = sniffFile(data.subarray(0, SNIFF_BYTES));
      if (!sniff.ok) return sniff.fileError.message;
      if (data.length > MAX_FILE_BYTES) {
        // parseMisFile refuses an over-size file straight after the sniff, with its own message.
        const refused = parseMisFile(data);
        return refused.ok ? null : refused.fileError.message;
      }
      return null;
    },

    async preview({ run, data, onProgress, progress }) {
      // The parse is synchronous: progress goes to the listener (the CLI's bar) as it happens and
      // to the import row before and after it.
      const parsed = parse(data, onProgress);
      if (!parsed.ok) return { fileError: parsed.fileError.message };
      const total = parsed.stats.totalRows;
      await progress(total, total);
      if (parsed.stats.totalErrors > 0) {
        return { preview: buildPreview(parsed, null), canCommit: false, rows: total };
      }
      onProgress?.('comparing', 0, 1);
      // The preview flags nobody: it says how many pupils are not in the file, and the person
      // who confirms says whether the file is the whole roll.
      const existing = await loadExisting(deps.database.db, run.schoolId);
      const planned = plan(parsed, existing, ukDate(clock.now()), false);
      onProgress?.('comparing', 1, 1);
      return { preview: buildPreview(parsed, planned), canCommit: true, rows: total };
    },

    async prepare({ file, onProgress }) {
      const parsed = parse(await file(), onProgress);
      if (!parsed.ok || parsed.stats.totalErrors > 0) {
        throw new ImportFailure(
          'The file no longer passes the checks (dates are checked against today). Upload it again to see why.',
        );
      }
      return parsed;
    },

    async apply(tx, { run, prepared, actor, now, progress, onProgress, started }) {
      const wholeRoll = (run as ImportRun & { wholeRoll: boolean | null }).wholeRoll === true;
      const existing = await loadExisting(tx.db, run.schoolId);
      const planned = plan(prepared, existing, ukDate(now), wholeRoll);
      await write(tx, run.schoolId, planned, now, progress, onProgress);
      await audit.record(tx, {
        schoolId: run.schoolId,
        actor,
        action: 'people.imported',
        entityType: 'pupil_import',
        entityId: run.id,
        data: { ...planned.counts },
      });
      return { counts: planned.counts, durationMs: Date.now() - started, wholeRoll };
    },

    async uploaded(tx, run, actor) {
      await audit.record(tx, {
        schoolId: run.schoolId,
        actor,
        action: 'people.import-uploaded',
        entityType: 'pupil_import',
        entityId: run.id,
        data: { sizeBytes: run.sizeBytes, status: run.status },
      });
    },

    async confirmed(tx, run, actor, options) {
      await repository.setWholeRoll(tx.db, run.id, options.wholeRoll);
      await audit.record(tx, {
        schoolId: run.schoolId,
        actor,
        action: 'people.import-confirmed',
        entityType: 'pupil_import',
        entityId: run.id,
        data: { wholeRoll: options.wholeRoll },
      });
    },
  };

  /** Writes a plan in batches inside the apply's transaction; progress goes to the import row. */
  async function write(
    tx: Tx,
    schoolId: string,
    planned: ImportPlan,
    now: Date,
    progress: (done: number, total: number) => Promise<void>,
    onProgress: ProgressListener | undefined,
  ): Promise<void> {
    const total = planSize(planned);
    let done = 0;
    let written = -1;
    const every = Math.max(1, Math.ceil(total / 50)); // about every 2%
    const report = async () => {
      onProgress?.('saving', done, total);
      if (done === total || done - written >= every) {
        written = done;
        // Outside the transaction (the pool), so the progress page sees it while we work.
        await progress(done, total);
      }
    };
    const batches = async <T>(
      items: readonly T[],
      size: number,
      fn: (batch: T[]) => Promise<unknown>,
    ) => {
      for (let i = 0; i < items.length; i += size) {
        const batch = items.slice(i, i + size);
        await fn(batch);
        done += batch.length;
        await report();
      }
    };
    await report();
    let inserted = 0;
    await batches(planned.pupilWrites, CHUNK_PUPILS, async (batch) => {
      const result = await repository.upsertPupils(tx.db, schoolId, batch, now);
      inserted += result.inserted;
    });
    if (inserted !== planned.counts.newPupils) {
      throw new Error(`Expected ${planned.counts.newPupils} new pupils, inserted ${inserted}`);
    }
    await batches(planned.newParents, CHUNK_OTHER, (b) =>
      repository.insertParents(tx.db, schoolId, b, now),
    );
    await batches(planned.updatedParents, CHUNK_OTHER, (b) =>
      repository.updateParents(tx.db, schoolId, b, now),
    );
    await batches(planned.linkRemovals, CHUNK_OTHER, (b) =>
      repository.removeLinks(tx.db, schoolId, b),
    );
    await batches(planned.linkWrites, CHUNK_OTHER, (b) =>
      repository.upsertLinks(tx.db, schoolId, b),
    );
    await batches(planned.possiblyLeftIds, CHUNK_OTHER, (b) =>
      repository.markPossiblyLeft(tx.db, schoolId, b, now),
    );
  }
}

function buildPreview(parsed: Parsed, plan: ImportPlan | null): ImportPreview {
  const h = parsed.headerReport;
  return {
    canCommit: plan !== null && parsed.stats.totalErrors === 0,
    stats: parsed.stats,
    fileFormat: {
      encoding: h.encoding,
      pupilIdLabel: h.pupilIdColumn.label,
      pupilIdColumn: h.pupilIdColumn.header,
      unknownColumns: h.unknown,
      contactSlots: [...h.contactSlots],
    },
    errors: parsed.errors,
    errorsTruncated: parsed.errorsTruncated,
    errorLimitMessage: parsed.errorLimitMessage,
    counts: plan?.counts ?? null,
    samples: plan?.samples ?? {
      newPupils: [],
      updatedPupils: [],
      reappearedPupils: [],
      possiblyLeft: [],
    },
  };
}
