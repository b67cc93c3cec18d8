import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import type {
  ImportRun,
  ImportStatus,
  ProgressListener,
} from '../../platform/imports/import-pipeline.ts';
import type { Jobs } from '../registry.ts';
import { moduleImportPipeline } from '../import-jobs.ts';
import { systemActor, type Actor, type AuditService } from '../audit/index.ts';
import type { ImportRepository, PupilImportRecord } from './import.repository.ts';
import type { ImportPreview, ImportSummary } from './import.plan.ts';
import { pupilImportKind } from './pupil-import.kind.ts';

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

interface ImportServiceDeps {
  database: Database;
  repository: ImportRepository;
  audit: AuditService;
  clock: Clock;
  jobs: Pick<Jobs, 'enqueue'>;
  files: FileStore;
}

function pupilImportPipeline(deps: ImportServiceDeps) {
  return moduleImportPipeline('people', pupilImportKind(deps), deps);
}

/**
 * Imports pupils and their contacts from an MIS export through the import pipeline
 * (platform/imports; the kind is pupil-import.kind.ts): upload (file checked and stored in the
 * FileStore), preview (a job: parse, row errors, what would change), confirm, commit (a job: one
 * transaction, all or nothing, safe to run twice). The CLI goes through the same methods without
 * the queue.
 */
export class ImportService {
  private readonly pipeline: ReturnType<typeof pupilImportPipeline>;

  constructor(deps: ImportServiceDeps) {
    this.pipeline = pupilImportPipeline(deps);
  }

  /** Where the import's file is kept in the FileStore (until it is applied or rejected). */
  fileKey(imp: { id: string; schoolId: string }): string {
    return this.pipeline.fileKey(imp);
  }

  /**
   * Records an uploaded file. A file that is clearly not a CSV (binary, wrong encoding, too big)
   * is recorded as rejected with its message and nothing else happens; otherwise the file is
   * stored and the preview job is queued in the same transaction as the row.
   */
  async upload(
    schoolId: string,
    actor: Actor,
    file: { filename: string; data: Buffer },
    options: { queue?: boolean } = {},
  ): Promise<string> {
    return this.pipeline.upload(schoolId, actor, file, options);
  }

  /** The preview job (see ImportPipeline.preview). */
  async preview(
    importId: string,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<ImportView | undefined> {
    const run = await this.pipeline.preview(importId, hooks);
    return run ? toImportView(run) : undefined;
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

  /** The commit job. Safe to run twice: only an import in `committing` is applied, once. */
  async commit(importId: string, actorId: string | null): Promise<ImportView | undefined> {
    const run = await this.pipeline.commit(
      importId,
      actorId ? { kind: 'staff', id: actorId } : systemActor,
    );
    return run ? toImportView(run) : undefined;
  }

  /**
   * Imports a crash left checking or saving get their job again: every one when a worker starts
   * (the default), only those whose job has stopped showing signs of life from the minutely
   * resume job. See ImportPipeline.resumeInterrupted.
   */
  async resumeInterrupted(
    options: { everything?: boolean } = { everything: true },
  ): Promise<{ previews: number; commits: number; failed: number }> {
    return this.pipeline.resumeInterrupted(options);
  }

  async get(schoolId: string, importId: string): Promise<ImportView> {
    return toImportView(await this.pipeline.get(schoolId, importId));
  }

  async listRecent(schoolId: string, limit = 20): Promise<ImportView[]> {
    return (await this.pipeline.listRecent(schoolId, limit)).map(toImportView);
  }

  /**
   * `lanyard import pupils`: upload → preview → (with confirm) commit, through the same methods as
   * the web and the jobs but run here and now instead of on the queue.
   */
  async runFromCli(
    schoolId: string,
    filePath: string,
    options: { onProgress?: ProgressListener; confirm: boolean; wholeRoll: boolean },
  ): Promise<{ import: ImportView; error: string | null }> {
    const actor: Actor = { kind: 'cli', id: null };
    const data = await fs.readFile(filePath);
    const id = await this.upload(
      schoolId,
      actor,
      { filename: path.basename(filePath), data },
      { queue: false },
    );
    const hooks = options.onProgress ? { onProgress: options.onProgress } : {};
    const previewed = await this.pipeline.preview(id, hooks);
    let error: string | null = null;
    if (previewed?.status === 'previewed' && options.confirm) {
      await this.requestCommit(schoolId, actor, id, { queue: false, wholeRoll: options.wholeRoll });
      try {
        await this.pipeline.commit(id, actor, hooks);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    return { import: await this.get(schoolId, id), error };
  }
}
