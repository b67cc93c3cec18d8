import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../platform/db/database.ts';
import type { Clock } from '../platform/clock.ts';
import type { FileStore } from '../platform/files/file-store.ts';
import type { EnqueueOptions } from '../platform/jobs/queue.ts';
import {
  ImportPipeline,
  type ImportActor,
  type ImportKeptNames,
  type ImportKind,
  type ImportRun,
  type ProgressListener,
} from '../platform/imports/import-pipeline.ts';
import { ConflictError } from '../errors.ts';
import type { JobRegistry, Jobs } from './registry.ts';
import { systemActor, type Actor } from './audit/index.ts';

/**
 * The modules whose jobs include an import's two: `<module>.import-preview` ({ importId }) and
 * `<module>.import-commit` ({ importId, actorId }), declared in the module's `<name>.jobs.ts`.
 */
export type ImportJobsModule = {
  [K in keyof JobRegistry]: K extends `${infer M}.import-preview`
    ? `${M}.import-commit` extends keyof JobRegistry
      ? M
      : never
    : never;
}[keyof JobRegistry];

/**
 * A module's import pipeline (platform/imports, ADR 0022) wired the one way every module wires
 * it: the platform's database, files and clock, and its two steps queued as the module's
 * `<module>.import-preview` and `<module>.import-commit` jobs (in the caller's transaction when
 * there is one).
 */
export function moduleImportPipeline<
  Preview extends { canCommit: boolean },
  Summary,
  Prepared,
  Options,
  A extends ImportActor,
>(
  module: ImportJobsModule,
  kind: ImportKind<Preview, Summary, Prepared, Options, A>,
  deps: ModuleImportDeps,
): ImportPipeline<Preview, Summary, Prepared, Options, A> {
  // The names are checked by ImportJobsModule; the payloads are the ones those jobs declare.
  // Looked up when a job is queued, not now: wiring builds objects and never calls the platform.
  const enqueue = (
    name: string,
    data: { importId: string; actorId?: string | null },
    options: EnqueueOptions,
  ): Promise<unknown> =>
    (
      deps.jobs.enqueue as (
        name: string,
        data: { importId: string; actorId?: string | null },
        options: EnqueueOptions,
      ) => Promise<unknown>
    ).call(deps.jobs, name, data, options);
  return new ImportPipeline(kind, {
    database: deps.database,
    files: deps.files,
    clock: deps.clock,
    jobs: {
      preview: async (importId, tx) => {
        await enqueue(`${module}.import-preview`, { importId }, tx ? { tx } : {});
      },
      apply: async (importId, actorId, tx) => {
        await enqueue(`${module}.import-commit`, { importId, actorId }, tx ? { tx } : {});
      },
    },
  });
}

/** What a module's import service is built from besides its kind. */
export interface ModuleImportDeps {
  database: Database;
  files: FileStore;
  clock: Clock;
  jobs: Pick<Jobs, 'enqueue'>;
}

/**
 * What every module's import service does the same way around its pipeline (upload, the preview
 * and commit jobs, resuming, reading), each answer as the module's view of an import (`toView`).
 * A module adds its own confirm (the confirmer's answers) and command line.
 */
export abstract class ModuleImportService<
  Preview extends { canCommit: boolean },
  Summary,
  Prepared,
  Options,
  View extends { status: string; fileError: string | null },
> {
  protected readonly pipeline: ImportPipeline<Preview, Summary, Prepared, Options, Actor>;

  constructor(
    module: ImportJobsModule,
    kind: ImportKind<Preview, Summary, Prepared, Options, Actor>,
    deps: ModuleImportDeps,
    private readonly toView: (run: ImportRun) => View,
  ) {
    this.pipeline = moduleImportPipeline(module, kind, deps);
  }

  /** Where the import's file is kept in the FileStore (until it is applied or rejected). */
  fileKey(imp: { id: string; schoolId: string }): string {
    return this.pipeline.fileKey(imp);
  }

  /**
   * Records an uploaded file. A file that is clearly not a CSV (binary, wrong encoding, too big)
   * is recorded as rejected with its message and nothing else happens; otherwise the file is
   * stored and the preview job is queued in the same transaction as the row. Returns its id.
   */
  upload(
    schoolId: string,
    actor: Actor,
    file: { filename: string; data: Buffer },
    options: { queue?: boolean } = {},
  ): Promise<string> {
    return this.pipeline.upload(schoolId, actor, file, options);
  }

  /** The preview job: checks the stored file against the school and stores the preview. */
  async preview(
    importId: string,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<View | undefined> {
    const run = await this.pipeline.preview(importId, hooks);
    return run ? this.toView(run) : undefined;
  }

  /** The commit job, all in one transaction. Safe to run twice: only `committing` is applied. */
  async commit(importId: string, actorId: string | null): Promise<View | undefined> {
    const run = await this.pipeline.commit(
      importId,
      actorId ? { kind: 'staff', id: actorId } : systemActor,
    );
    return run ? this.toView(run) : undefined;
  }

  /**
   * Confirms and applies here and now, without the queue (the command line, tests): the same
   * steps as the page and the job. Confirming twice is harmless; a file that no longer fits what
   * is recorded is rejected with the reason (a ConflictError).
   */
  protected async confirmNow(
    schoolId: string,
    actor: Actor,
    importId: string,
    options: Options,
  ): Promise<View> {
    await this.pipeline.requestCommit(schoolId, actor, importId, options, false);
    await this.pipeline.commit(importId, actor);
    const view = await this.get(schoolId, importId);
    if (view.status !== 'committed')
      throw new ConflictError(view.fileError ?? 'The import did not finish. Try again.');
    return view;
  }

  /**
   * A command line's import (`lanyard import pupils|staff|consents`): upload → preview → (with
   * `apply`, the module's own confirm: confirmNowStep or commitNowStep) apply, through the same
   * methods as the pages and the jobs but here and now instead of on the queue. The command line
   * acts as the system (actor `cli`), as the server's operator. `hooks.onProgress` hears the
   * check (and the apply, when `apply` passes it on). `error`: why a confirmed file was not
   * applied (e.g. the school's records changed since the check), as `apply` answers it.
   */
  protected async runFileNow(
    schoolId: string,
    filePath: string,
    apply: ((actor: Actor, importId: string) => Promise<string | null>) | null,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<{ import: View; error: string | null }> {
    const actor: Actor = { kind: 'cli', id: null };
    const data = await fs.readFile(filePath);
    const id = await this.upload(
      schoolId,
      actor,
      { filename: path.basename(filePath), data },
      { queue: false },
    );
    const view = (await this.preview(id, hooks)) ?? (await this.get(schoolId, id));
    if (view.status !== 'previewed' || !apply) return { import: view, error: null };
    const error = await apply(actor, id);
    return { import: await this.get(schoolId, id), error };
  }

  /**
   * runFileNow's apply step through confirmNow (staff, consents): a refusal (a ConflictError: the
   * file was overtaken, or did not apply) is the reason it was not applied; anything else is
   * thrown.
   */
  protected confirmNowStep(
    schoolId: string,
    options: Options,
  ): (actor: Actor, importId: string) => Promise<string | null> {
    return async (actor, importId) => {
      try {
        await this.confirmNow(schoolId, actor, importId, options);
        return null;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        return e.message;
      }
    };
  }

  /**
   * runFileNow's apply step with the confirmer's answers (`options`, e.g. the pupil import's
   * whole roll) and the apply's progress to `hooks` (the pupils' command line): a refusal to
   * confirm is thrown; an apply that failed says so on the import (its status and reason), and an
   * unexpected error's message is the reason.
   */
  protected commitNowStep(
    schoolId: string,
    options: Options,
    hooks: { onProgress?: ProgressListener } = {},
  ): (actor: Actor, importId: string) => Promise<string | null> {
    return async (actor, importId) => {
      await this.pipeline.requestCommit(schoolId, actor, importId, options, false);
      try {
        await this.pipeline.commit(importId, actor, hooks);
        return null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    };
  }

  /**
   * Imports a crash left checking or saving get their job again: every one when a worker starts
   * (the default), only those whose job has stopped showing signs of life from the minutely
   * resume job. See ImportPipeline.resumeInterrupted.
   */
  resumeInterrupted(
    options: { everything?: boolean } = { everything: true },
  ): Promise<{ previews: number; commits: number; failed: number }> {
    return this.pipeline.resumeInterrupted(options);
  }

  async get(schoolId: string, importId: string): Promise<View> {
    return this.toView(await this.pipeline.get(schoolId, importId));
  }

  async listRecent(schoolId: string, limit = 20): Promise<View[]> {
    return (await this.pipeline.listRecent(schoolId, limit)).map(this.toView);
  }

  /**
   * Of these imports, those that keep the name of a former member of staff who uploaded or
   * confirmed them (the audit log names them on its entries about the import).
   */
  keptNames(schoolId: string, importIds: readonly string[]): Promise<ImportKeptNames[]> {
    return this.pipeline.keptNames(schoolId, importIds);
  }
}

/** An import as a module's pages read it: the run, with its preview and summary typed. */
export type ImportView<Preview, Summary> = Omit<ImportRun, 'preview' | 'summary'> & {
  preview: Preview | null;
  summary: Summary | null;
};

const asImportView = <Preview, Summary>(run: ImportRun): ImportView<Preview, Summary> => ({
  ...run,
  preview: (run.preview as Preview | null) ?? null,
  summary: (run.summary as Summary | null) ?? null,
});

/**
 * An import whose confirm takes no answers beyond "yes" (the staff list, training attendance):
 * the file is the whole of it. Confirming queues the commit job; `confirm` applies here and now
 * (tests, a command line).
 */
export abstract class PlainImportService<
  Preview extends { canCommit: boolean },
  Summary,
> extends ModuleImportService<
  Preview,
  Summary,
  Buffer,
  Record<string, never>,
  ImportView<Preview, Summary>
> {
  constructor(
    module: ImportJobsModule,
    kind: ImportKind<Preview, Summary, Buffer, Record<string, never>, Actor>,
    deps: ModuleImportDeps,
  ) {
    super(module, kind, deps, asImportView);
  }

  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    queue = true,
  ): Promise<void> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, queue);
  }

  /** Confirms and applies here and now, without the queue. */
  async confirm(
    schoolId: string,
    actor: Actor,
    importId: string,
  ): Promise<ImportView<Preview, Summary>> {
    return this.confirmNow(schoolId, actor, importId, {});
  }
}
