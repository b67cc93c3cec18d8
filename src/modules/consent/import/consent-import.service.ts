import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import type { ImportRun } from '../../../platform/imports/import-pipeline.ts';
import { ConflictError } from '../../../errors.ts';
import type { Jobs } from '../../registry.ts';
import { moduleImportPipeline } from '../../import-jobs.ts';
import { systemActor, type Actor, type AuditService } from '../../audit/index.ts';
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

interface ConsentImportDeps {
  database: Database;
  repository: ConsentImportRepository;
  consent: ConsentService;
  audit: AuditService;
  clock: Clock;
  jobs: Pick<Jobs, 'enqueue'>;
  files: FileStore;
}

function consentImportPipeline(deps: ConsentImportDeps) {
  return moduleImportPipeline('consent', consentImportKind(deps), deps);
}

/**
 * Importing the consents a school already holds, from a spreadsheet (issue 3 item 8), through the
 * import pipeline (platform/imports; the kind is consent-import.kind.ts): the upload is stored in
 * the FileStore and checked by a job into a preview (row errors, or what would be recorded);
 * nothing is recorded until someone confirms, and then a job records everything in ONE
 * transaction through `ConsentService.recordMany`. A row equal to its decider's current statement
 * is skipped, so the same file twice changes nothing.
 */
export class ConsentImportService {
  private readonly pipeline: ReturnType<typeof consentImportPipeline>;

  constructor(deps: ConsentImportDeps) {
    this.pipeline = consentImportPipeline(deps);
  }

  /** Where the import's file is kept in the FileStore (until it is applied or rejected). */
  fileKey(imp: { id: string; schoolId: string }): string {
    return this.pipeline.fileKey(imp);
  }

  /**
   * Stores an uploaded file and queues its check (a file that is not a CSV at all is refused at
   * once). Returns the import's id.
   */
  async upload(
    schoolId: string,
    actor: Actor,
    file: { filename: string; data: Buffer },
    options: { queue?: boolean } = {},
  ): Promise<string> {
    return this.pipeline.upload(schoolId, actor, file, options);
  }

  /** The preview job: checks the stored file against the school and stores the preview. */
  async preview(importId: string): Promise<ConsentImportView | undefined> {
    const run = await this.pipeline.preview(importId);
    return run ? toView(run) : undefined;
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
   * The commit job: records the new statements of a confirmed preview, all in one transaction
   * (pupils locked, the comparison with current statements made again inside it). Safe to run
   * twice.
   */
  async commit(importId: string, actorId: string | null): Promise<ConsentImportView | undefined> {
    const run = await this.pipeline.commit(
      importId,
      actorId ? { kind: 'staff', id: actorId } : systemActor,
    );
    return run ? toView(run) : undefined;
  }

  /**
   * Confirms and records at once, here and now (the command line, and tests): the same methods
   * as the page and the job without the queue. Pressing confirm twice is harmless; a file that
   * no longer fits what is recorded is rejected with the reason (a ConflictError).
   */
  async confirm(schoolId: string, actor: Actor, importId: string): Promise<ConsentImportView> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, false);
    await this.pipeline.commit(importId, actor);
    const view = await this.get(schoolId, importId);
    if (view.status !== 'committed') {
      throw new ConflictError(view.fileError ?? 'The import did not finish. Try again.');
    }
    return view;
  }

  /** See ImportPipeline.resumeInterrupted (everything: when a worker starts). */
  async resumeInterrupted(
    options: { everything?: boolean } = { everything: true },
  ): Promise<{ previews: number; commits: number; failed: number }> {
    return this.pipeline.resumeInterrupted(options);
  }

  async get(schoolId: string, importId: string): Promise<ConsentImportView> {
    return toView(await this.pipeline.get(schoolId, importId));
  }

  async listRecent(schoolId: string, limit = 20): Promise<ConsentImportView[]> {
    return (await this.pipeline.listRecent(schoolId, limit)).map(toView);
  }

  /** `lanyard import consents`: check the file, and with `confirm` record it. */
  async runFromCli(
    schoolId: string,
    filePath: string,
    options: { confirm: boolean },
  ): Promise<{ import: ConsentImportView; error: string | null }> {
    const actor: Actor = { kind: 'cli', id: null };
    const data = await fs.readFile(filePath);
    const id = await this.upload(
      schoolId,
      actor,
      { filename: path.basename(filePath), data },
      { queue: false },
    );
    let view = (await this.preview(id)) ?? (await this.get(schoolId, id));
    let error: string | null = null;
    if (view.status === 'previewed' && options.confirm) {
      try {
        view = await this.confirm(schoolId, actor, id);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        error = e.message;
        view = await this.get(schoolId, id);
      }
    }
    return { import: view, error };
  }
}
