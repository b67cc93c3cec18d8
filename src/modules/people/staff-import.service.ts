import { PlainImportService, type ImportView, type ModuleImportDeps } from '../import-jobs.ts';
import { staffImportKind, type StaffImportDeps } from './staff-import.kind.ts';
import type { StaffImportPreview, StaffImportSummary } from './staff-import.plan.ts';

export type { StaffImportPreview, StaffImportSummary };

export type StaffImportView = ImportView<StaffImportPreview, StaffImportSummary>;

/**
 * Importing a staff list from a CSV through the shared import pipeline (platform/imports, ADR
 * 0022): upload → preview (a job) → confirm → apply (a job, one transaction). The kind is
 * staff-import.kind.ts; upload, preview, commit, resume, reading and confirming are
 * PlainImportService's (modules/import-jobs.ts). Its jobs are `people.staff.import-*`
 * (people.jobs.ts). There is no staff import on the command line.
 */
export class StaffImportService extends PlainImportService<StaffImportPreview, StaffImportSummary> {
  constructor(deps: StaffImportDeps & ModuleImportDeps) {
    super('people.staff', staffImportKind(deps), deps);
  }
}
