import { Readable } from 'node:stream';
import { ImageRejectedError } from '../../../platform/images/image-processor.ts';
import { ScanRejectedError, type ScanType } from '../../../platform/images/scan-sanitiser.ts';
import { NotFoundError } from '../../../errors.ts';
import type { ConsentDeps } from './consent-shared.ts';

export interface EvidenceUpload {
  data: Buffer;
  filename: string;
}

/** The scans a record may carry, recognised by their first bytes (never by the name). */
export const EVIDENCE_TYPES: { type: string; ext: string; magic: (b: Buffer) => boolean }[] = [
  { type: 'application/pdf', ext: 'pdf', magic: (b) => b.subarray(0, 5).toString() === '%PDF-' },
  {
    type: 'image/jpeg',
    ext: 'jpg',
    magic: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  {
    type: 'image/png',
    ext: 'png',
    magic: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])),
  },
];

export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/**
 * Checks a scan sent with a statement (size, PDF/JPEG/PNG by its bytes) and strips its metadata.
 * What is stored is the scan without its metadata (who made it, where, with what): the page
 * itself is the evidence of the decision (issue 10 item 11; docs/consent-register.md). Gives the
 * error to show when the scan cannot be kept.
 */
export async function prepareEvidence(
  deps: Pick<ConsentDeps, 'scans' | 'evidenceMaxBytes'>,
  upload: EvidenceUpload | null | undefined,
): Promise<{ type?: EvidenceType; stored?: Buffer; error?: string }> {
  if (!upload || upload.data.length === 0) return {};
  const type = EVIDENCE_TYPES.find((t) => t.magic(upload.data));
  if (upload.data.length > deps.evidenceMaxBytes) {
    return {
      type,
      error: `The scan must be smaller than ${Math.floor(deps.evidenceMaxBytes / 1_048_576)} MB`,
    };
  }
  if (!type) return { error: 'The scan must be a PDF, JPEG or PNG file' };
  try {
    return { type, stored: await deps.scans.strip(upload.data, type.type as ScanType) };
  } catch (e) {
    if (!(e instanceof ScanRejectedError || e instanceof ImageRejectedError)) throw e;
    return { type, error: `The scan cannot be read: ${e.message}` };
  }
}

/** The scans kept with records, served to staff who may see the pupil's register. */
export class ConsentEvidence {
  constructor(private readonly deps: ConsentDeps) {}

  /** The scan attached to a record, for staff who may see the pupil's register. */
  async evidence(schoolId: string, recordId: string) {
    const row = await this.deps.repository.getRecord(this.deps.database.db, schoolId, recordId);
    if (!row?.evidenceKey) throw new NotFoundError('No such file');
    const contentType = row.evidenceContentType ?? 'application/octet-stream';
    // A scan stored before scans were stripped is served without its metadata too (the record,
    // append-only, keeps the file it was made with; issue 10 item 11).
    const scanType = EVIDENCE_TYPES.find((t) => t.type === contentType)?.type as
      ScanType | undefined;
    const stream = scanType
      ? Readable.from([
          await this.deps.scans.clean(await this.deps.files.read(row.evidenceKey), scanType),
        ])
      : await this.deps.files.stream(row.evidenceKey);
    return {
      pupilId: row.pupilId,
      filename: row.evidenceFilename ?? 'evidence',
      contentType,
      stream,
    };
  }
}
