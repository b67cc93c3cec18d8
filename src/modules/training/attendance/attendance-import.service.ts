import type { ImportRun } from '../../../platform/imports/import-pipeline.ts';
import { ModuleImportService, type ModuleImportDeps } from '../../import-jobs.ts';
import type { Actor } from '../../audit/index.ts';
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
 * transaction). The kind is attendance-import.kind.ts; upload, preview, commit, resume and
 * reading are ModuleImportService's (modules/import-jobs.ts).
 */
export class AttendanceImportService extends ModuleImportService<
  AttendanceImportPreview,
  AttendanceImportSummary,
  Buffer,
  Record<string, never>,
  AttendanceImportView
> {
  constructor(deps: AttendanceImportDeps & ModuleImportDeps) {
    super('training', attendanceImportKind(deps), deps, toView);
  }

  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    queue = true,
  ): Promise<void> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, queue);
  }

  /** Confirms and applies here and now (tests; the CLI has no training import yet). */
  async confirm(schoolId: string, actor: Actor, importId: string): Promise<AttendanceImportView> {
    return this.confirmNow(schoolId, actor, importId, {});
  }
}
