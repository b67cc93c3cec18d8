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
 * (people.jobs.ts). `lanyard import staff` (cli/import-staff.ts) runs the same steps here and now.
 */
export class StaffImportService extends PlainImportService<StaffImportPreview, StaffImportSummary> {
  constructor(deps: StaffImportDeps & ModuleImportDeps) {
    super('people.staff', staffImportKind(deps), deps);
  }

  /** `lanyard import staff`: check the file, and with `confirm` apply it (runFileNow). */
  runFromCli(
    schoolId: string,
    filePath: string,
    options: { confirm: boolean },
  ): Promise<{ import: StaffImportView; error: string | null }> {
    return this.runFileNow(
      schoolId,
      filePath,
      options.confirm ? this.confirmNowStep(schoolId, {}) : null,
    );
  }
}
