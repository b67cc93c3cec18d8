/** What reporting hands the evidence store (`evidence/`): the files of a report and the attacher. */
import type { Tx } from '../../platform/db/database.ts';

/** A file of a report as the web layer streamed it (web/uploads.ts `UploadedFile`). */
export interface ReportFile {
  tempName: string;
  size: number;
  sha256: string;
  filename: string;
  mimetype: string;
  truncated: boolean;
}

/**
 * The evidence store (`evidence/`, `services.incidentEvidence`) as reporting needs it: attach the
 * report's files inside the report's transaction. Refuses hostile files (ValidationError).
 */
export interface EvidenceAttacher {
  attach(
    tx: Tx | undefined,
    input: {
      schoolId: string;
      incidentId: string;
      uploader: { kind: 'staff' | 'parent' | 'pupil'; id: string };
      files: ReportFile[];
      statedAt: string | null;
      statedPlace: string | null;
    },
  ): Promise<unknown>;
}
