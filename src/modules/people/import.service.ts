import type {
  ImportRun,
  ImportStatus,
  ProgressListener,
} from '../../platform/imports/import-pipeline.ts';
import { ModuleImportService, type ModuleImportDeps } from '../import-jobs.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { ImportRepository, PupilImportRecord } from './import.repository.ts';
import type { ImportPreview, ImportSummary } from './import.plan.ts';
import { pupilImportKind, type Parsed, type PupilImportOptions } from './pupil-import.kind.ts';

export type { ImportStatus, ProgressListener };
export type { ImportPhase } from '../../platform/imports/import-pipeline.ts';
export * from './import.plan.ts';

/** An import as pages and the CLI show it. */
export type ImportView = Omit<PupilImportRecord, 'status' | 'preview' | 'summary'> & {
  status: ImportStatus;
  preview: ImportPreview | null;
  summary: ImportSummary | null;
};

export function toImportView(run: ImportRun): ImportView {
  return {
    ...(run as unknown as PupilImportRecord),
    status: run.status,
    preview: (run.preview as ImportPreview | null) ?? null,
    summary: (run.summary as ImportSummary | null) ?? null,
  };
}

interface ImportServiceDeps extends ModuleImportDeps {
  repository: ImportRepository;
  audit: AuditService;
}

/**
 * Imports pupils and their contacts from an MIS export through the import pipeline
 * (platform/imports; the kind is pupil-import.kind.ts): upload (file checked and stored in the
 * FileStore), preview (a job: parse, row errors, what would change), confirm, commit (a job: one
 * transaction, all or nothing, safe to run twice). The CLI goes through the same methods without
 * the queue. Upload, preview, commit, resume and reading are ModuleImportService's
 * (modules/import-jobs.ts).
 */
export class ImportService extends ModuleImportService<
  ImportPreview,
  ImportSummary,
  Parsed,
  PupilImportOptions,
  ImportView
> {
  constructor(deps: ImportServiceDeps) {
    super('people', pupilImportKind(deps), deps, toImportView);
  }

  /**
   * Confirms a clean preview: status committing and the commit job, in one transaction.
   * `wholeRoll` is the confirmer's answer to "does this file list every pupil on roll?": only a
   * whole roll marks the pupils missing from it as possibly left.
   */
  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    options: { wholeRoll: boolean; queue?: boolean },
  ): Promise<void> {
    await this.pipeline.requestCommit(
      schoolId,
      actor,
      importId,
      { wholeRoll: options.wholeRoll },
      options.queue !== false,
    );
  }

  /**
   * `lanyard import pupils`: check the file, and with `confirm` apply it, as the whole roll or
   * not (runFileNow); the check's and the apply's progress to `onProgress`.
   */
  runFromCli(
    schoolId: string,
    filePath: string,
    options: { onProgress?: ProgressListener; confirm: boolean; wholeRoll: boolean },
  ): Promise<{ import: ImportView; error: string | null }> {
    const hooks = options.onProgress ? { onProgress: options.onProgress } : {};
    return this.runFileNow(
      schoolId,
      filePath,
      options.confirm
        ? this.commitNowStep(schoolId, { wholeRoll: options.wholeRoll }, hooks)
        : null,
      hooks,
    );
  }
}
