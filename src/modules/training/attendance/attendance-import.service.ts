import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import type { ImportPipeline, ImportRun } from '../../../platform/imports/import-pipeline.ts';
import { ConflictError } from '../../../errors.ts';
import type { Jobs } from '../../registry.ts';
import { moduleImportPipeline } from '../../import-jobs.ts';
import { systemActor, type Actor } from '../../audit/index.ts';
import {
  attendanceImportKind,
  type AttendanceImportDeps,
  type AttendanceImportPreview,
  type AttendanceImportSummary,
} from './attendance-import.kind.ts';

export type { AttendanceImportPreview, AttendanceImportSummary };

export type AttendanceImportView = Omit<ImportRun, 'preview' | 'summary'> & {
  preview: AttendanceImportPreview | null;
  summary: AttendanceImportSummary | null;
};

const toView = (run: ImportRun): AttendanceImportView => ({
  ...run,
  preview: (run.preview as AttendanceImportPreview | null) ?? null,
  summary: (run.summary as AttendanceImportSummary | null) ?? null,
});

/**
 * Importing training attendance from a CSV sign-in sheet through the shared import pipeline
 * (platform/imports, ADR 0022): upload → preview (a job) → confirm → apply (a job, one
 * transaction). The kind is attendance-import.kind.ts.
 */
export class AttendanceImportService {
  private readonly pipeline: ImportPipeline<
    AttendanceImportPreview,
    AttendanceImportSummary,
    Buffer,
    Record<string, never>,
    Actor
  >;

  constructor(
    deps: AttendanceImportDeps & {
      database: Database;
      clock: Clock;
      files: FileStore;
      jobs: Pick<Jobs, 'enqueue'>;
    },
  ) {
    this.pipeline = moduleImportPipeline('training', attendanceImportKind(deps), deps);
  }

  upload(
    schoolId: string,
    actor: Actor,
    file: { filename: string; data: Buffer },
    options: { queue?: boolean } = {},
  ): Promise<string> {
    return this.pipeline.upload(schoolId, actor, file, options);
  }

  async preview(importId: string): Promise<AttendanceImportView | undefined> {
    const run = await this.pipeline.preview(importId);
    return run ? toView(run) : undefined;
  }

  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    queue = true,
  ): Promise<void> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, queue);
  }

  async commit(
    importId: string,
    actorId: string | null,
  ): Promise<AttendanceImportView | undefined> {
    const run = await this.pipeline.commit(
      importId,
      actorId ? { kind: 'staff', id: actorId } : systemActor,
    );
    return run ? toView(run) : undefined;
  }

  /** Confirms and applies here and now (tests; the CLI has no training import yet). */
  async confirm(schoolId: string, actor: Actor, importId: string): Promise<AttendanceImportView> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, false);
    await this.pipeline.commit(importId, actor);
    const view = await this.get(schoolId, importId);
    if (view.status !== 'committed')
      throw new ConflictError(view.fileError ?? 'The import did not finish. Try again.');
    return view;
  }

  resumeInterrupted(options: { everything?: boolean } = { everything: true }) {
    return this.pipeline.resumeInterrupted(options);
  }

  async get(schoolId: string, importId: string): Promise<AttendanceImportView> {
    return toView(await this.pipeline.get(schoolId, importId));
  }

  async listRecent(schoolId: string, limit = 20): Promise<AttendanceImportView[]> {
    return (await this.pipeline.listRecent(schoolId, limit)).map(toView);
  }
}
