import type { Database } from '../platform/db/database.ts';
import type { Clock } from '../platform/clock.ts';
import type { FileStore } from '../platform/files/file-store.ts';
import type { EnqueueOptions } from '../platform/jobs/queue.ts';
import {
  ImportPipeline,
  type ImportActor,
  type ImportKind,
} from '../platform/imports/import-pipeline.ts';
import type { JobRegistry, Jobs } from './registry.ts';

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
  deps: { database: Database; files: FileStore; clock: Clock; jobs: Pick<Jobs, 'enqueue'> },
): ImportPipeline<Preview, Summary, Prepared, Options, A> {
  // The names are checked by ImportJobsModule; the payloads are the ones those jobs declare.
  const enqueue = deps.jobs.enqueue.bind(deps.jobs) as (
    name: string,
    data: { importId: string; actorId?: string | null },
    options: EnqueueOptions,
  ) => Promise<unknown>;
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
