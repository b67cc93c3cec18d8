import { PlainImportService, type ImportView, type ModuleImportDeps } from '../../import-jobs.ts';
import {
  attendanceImportKind,
  type AttendanceImportDeps,
  type AttendanceImportPreview,
  type AttendanceImportSummary,
} from './attendance-import.kind.ts';

export type { AttendanceImportPreview, AttendanceImportSummary };

export type AttendanceImportView = ImportView<AttendanceImportPreview, AttendanceImportSummary>;

/**
 * Importing training attendance from a CSV sign-in sheet through the shared import pipeline
 * (platform/imports, ADR 0022): upload → preview (a job) → confirm → apply (a job, one
 * transaction). The kind is attendance-import.kind.ts; upload, preview, commit, resume, reading
 * and confirming are PlainImportService's (modules/import-jobs.ts). The CLI has no training
 * import yet.
 */
export class AttendanceImportService extends PlainImportService<
  AttendanceImportPreview,
  AttendanceImportSummary
> {
  constructor(deps: AttendanceImportDeps & ModuleImportDeps) {
    super('training', attendanceImportKind(deps), deps);
  }
}
