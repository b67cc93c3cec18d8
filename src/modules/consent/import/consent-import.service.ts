import type { ImportRun } from '../../../platform/imports/import-pipeline.ts';
import { ModuleImportService, type ModuleImportDeps } from '../../import-jobs.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { ConsentService } from '../register/consent.service.ts';
import type {
  ConsentImportRecord,
  ConsentImportRepository,
  ConsentImportStatus,
} from './consent-import.repository.ts';
import type { ConsentImportPreview, ConsentImportSummary } from './consent-import.plan.ts';
import { consentImportKind } from './consent-import.kind.ts';

export type {
  PlannedStatement,
  ConsentImportCounts,
  ConsentImportPreview,
  ConsentImportSummary,
} from './consent-import.plan.ts';
export { answersText, keyLabel } from './consent-import.plan.ts';

export type ConsentImportView = Omit<ConsentImportRecord, 'status' | 'preview' | 'summary'> & {
  status: ConsentImportStatus;
  preview: ConsentImportPreview | null;
  summary: ConsentImportSummary | null;
};

function toView(run: ImportRun): ConsentImportView {
  return {
    ...(run as unknown as ConsentImportRecord),
    status: run.status,
    preview: (run.preview as ConsentImportPreview | null) ?? null,
    summary: (run.summary as ConsentImportSummary | null) ?? null,
  };
}

interface ConsentImportDeps extends ModuleImportDeps {
  repository: ConsentImportRepository;
  consent: ConsentService;
  audit: AuditService;
}

/**
 * Importing the consents a school already holds, from a spreadsheet (issue 3 item 8), through the
 * import pipeline (platform/imports; the kind is consent-import.kind.ts): the upload is stored in
 * the FileStore and checked by a job into a preview (row errors, or what would be recorded);
 * nothing is recorded until someone confirms, and then a job records everything in ONE
 * transaction through `ConsentService.recordMany`. A row equal to its decider's current statement
 * is skipped, so the same file twice changes nothing. Upload, preview, commit, resume and reading
 * are ModuleImportService's (modules/import-jobs.ts).
 */
export class ConsentImportService extends ModuleImportService<
  ConsentImportPreview,
  ConsentImportSummary,
  null,
  Record<string, never>,
  ConsentImportView
> {
  constructor(deps: ConsentImportDeps) {
    super('consent', consentImportKind(deps), deps, toView);
  }

  /** Confirms a clean preview: status committing and the commit job, in one transaction. */
  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    options: { queue?: boolean } = {},
  ): Promise<void> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, options.queue !== false);
  }

  /**
   * Confirms and records at once, here and now (the command line, and tests): the same methods
   * as the page and the job without the queue. Pressing confirm twice is harmless; a file that
   * no longer fits what is recorded is rejected with the reason (a ConflictError).
   */
  async confirm(schoolId: string, actor: Actor, importId: string): Promise<ConsentImportView> {
    return this.confirmNow(schoolId, actor, importId, {});
  }

  /** `lanyard import consents`: check the file, and with `confirm` record it (runFileNow). */
  runFromCli(
    schoolId: string,
    filePath: string,
    options: { confirm: boolean },
  ): Promise<{ import: ConsentImportView; error: string | null }> {
    return this.runFileNow(
      schoolId,
      filePath,
      options.confirm ? this.confirmNowStep(schoolId, {}) : null,
    );
  }
}
