import type { ImportRun } from '../../platform/imports/import-pipeline.ts';
import { ModuleImportService, type ModuleImportDeps } from '../import-jobs.ts';
import type { Actor } from '../audit/index.ts';
import { staffImportKind, type StaffImportDeps } from './staff-import.kind.ts';
import type { StaffImportPreview, StaffImportSummary } from './staff-import.plan.ts';

export type { StaffImportPreview, StaffImportSummary };

export type StaffImportView = Omit<ImportRun, 'preview' | 'summary'> & {
  preview: StaffImportPreview | null;
  summary: StaffImportSummary | null;
};

const toView = (run: ImportRun): StaffImportView => ({
  ...run,
  preview: (run.preview as StaffImportPreview | null) ?? null,
  summary: (run.summary as StaffImportSummary | null) ?? null,
});

/**
 * Importing a staff list from a CSV through the shared import pipeline (platform/imports, ADR
 * 0022): upload → preview (a job) → confirm → apply (a job, one transaction). The kind is
 * staff-import.kind.ts; upload, preview, commit, resume and reading are ModuleImportService's
 * (modules/import-jobs.ts). Its jobs are `people.staff.import-*` (people.jobs.ts).
 */
export class StaffImportService extends ModuleImportService<
  StaffImportPreview,
  StaffImportSummary,
  Buffer,
  Record<string, never>,
  StaffImportView
> {
  constructor(deps: StaffImportDeps & ModuleImportDeps) {
    super('people.staff', staffImportKind(deps), deps, toView);
  }

  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    queue = true,
  ): Promise<void> {
    await this.pipeline.requestCommit(schoolId, actor, importId, {}, queue);
  }

  /** Confirms and applies here and now (tests; there is no staff import on the command line). */
  async confirm(schoolId: string, actor: Actor, importId: string): Promise<StaffImportView> {
    return this.confirmNow(schoolId, actor, importId, {});
  }
}
