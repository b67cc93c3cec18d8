import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../../errors.ts';
import { PlainImportService, type ImportView, type ModuleImportDeps } from '../import-jobs.ts';
import type { Actor } from '../audit/index.ts';
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

  /**
   * `lanyard import staff`: upload → preview → (with confirm) apply, through the same methods as
   * the pages and the jobs but run here and now instead of on the queue. The command line acts
   * as the system (actor `cli`): it may give and take away every role, as the server's operator.
   * `error`: why a confirmed file was not applied (e.g. the staff changed since the check).
   */
  async runFromCli(
    schoolId: string,
    filePath: string,
    options: { confirm: boolean },
  ): Promise<{ import: StaffImportView; error: string | null }> {
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
