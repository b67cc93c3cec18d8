import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database, Tx } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { FileNotFoundError } from '../../../platform/files/file-store.ts';
import { displayFilename } from '../../../platform/files/display-filename.ts';
import {
  EvidenceIntegrityError,
  EvidenceTooLargeError,
  type EvidenceStore,
  type StagedEvidence,
} from '../../../platform/evidence/evidence-store.ts';
import {
  ImageRejectedError,
  type ImageProcessor,
} from '../../../platform/images/image-processor.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { EvidenceRepository, EvidenceRow, NewEvidenceRow } from './evidence.repository.ts';
import {
  evidenceKindLabels,
  evidenceMediaTypes,
  evidenceRefusalMessages,
  imageMediaTypes,
  MAX_IMAGE_BYTES,
  scanPdf,
  scanText,
  scanZip,
  sniffEvidence,
  type EvidenceRefusal,
} from './evidence-formats.ts';

export type { EvidenceRow };

/** A file as the web layer streamed it to a temporary file (web/uploads.ts `UploadedFile`). */
export interface EvidenceFile {
  tempName: string;
  size: number;
  sha256: string;
  filename: string;
  truncated?: boolean;
}

export interface AttachInput {
  schoolId: string;
  incidentId: string;
  uploader: { kind: 'staff' | 'parent' | 'pupil'; id: string };
  files: EvidenceFile[];
  /** When it was posted, sent or seen, in the uploader's words. */
  statedAt: string | null;
  /** Where (the app, group, page or account), in the uploader's words. */
  statedPlace: string | null;
}

/** What was kept: each file's id, fingerprint, size and type. */
export interface AttachResult {
  ids: string[];
  files: { id: string; sha256: string; size: number; mediaType: string }[];
}

/** What the evidence service needs of the incidents core (`services.incidents`). */
export interface IncidentsForEvidence {
  findVisible(
    viewer: Principal,
    incidentId: string,
  ): Promise<{ id: string; schoolId: string; reference: string; indecentImage: boolean } | null>;
  canAddEvidence(viewer: Principal, incidentId: string): Promise<boolean>;
  /** The reporter's view of their own report (throws NotFoundError for anyone else). */
  receipt(
    viewer: Principal,
    incidentId: string,
  ): Promise<{ id: string; reference: string; indecentImage: boolean }>;
  recordEntry(
    tx: Tx,
    incidentId: string,
    actorStaffId: string | null,
    kind: string,
    data: Record<string, unknown>,
  ): Promise<unknown>;
}

/** A stored file failed its check on the way out; nothing more of it was sent. */
export class EvidenceDamagedError extends AppError {
  override readonly status = 500;
  override readonly title = 'This evidence file cannot be opened';
  constructor(readonly reason: EvidenceIntegrityError['reason']) {
    super(
      reason === 'wrong_key'
        ? 'The file was stored under a different encryption key from the one this server has (EVIDENCE_KEY). Nothing of it was sent. Ask your IT support to check the server’s settings.'
        : 'The stored file does not match the fingerprint (SHA-256) recorded when it was uploaded: it has been changed or damaged since. Nothing of it was sent. This has been recorded in the audit log; tell your IT support and keep the original if you still have it.',
    );
  }
}

/** What a case page shows about a file (never its bytes). */
export interface EvidenceListItem {
  id: string;
  mediaType: string;
  originalName: string;
  size: number;
  sha256: string;
  uploadedAt: Date;
  uploadedByKind: string;
  uploadedById: string;
  statedAt: string | null;
  statedPlace: string | null;
}

/** A list item with the words the case page shows. */
export interface EvidenceListEntry extends EvidenceListItem {
  kindLabel: string;
  sizeText: string;
  uploaderText: string;
}

/** "1.2 MB", "830 KB", "120 bytes". */
export function sizeInWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface EvidenceDeps {
  database: Database;
  clock: Clock;
  audit: AuditService;
  files: FileStore;
  images: ImageProcessor;
  store: EvidenceStore;
  repository: EvidenceRepository;
  people: Pick<PeopleDirectory, 'staffRoster' | 'listSchools'>;
  incidents: () => IncidentsForEvidence;
  uploadMaxBytes: number;
}

const actorOf = (p: Principal): Actor => ({
  kind: p.kind === 'org_admin' ? 'org_admin' : p.kind,
  id: p.id,
});

/** The evidence store's key of a file: one folder per school, listed under `evidence/`. */
export const evidenceKey = (schoolId: string, id: string) => `${schoolId}/evidence/${id}`;

export const NO_FILE_FOR_IMAGE_REPORT =
  'No file can be kept for a report of a nude or semi-nude image of a child. Do not view, copy, print, share or store the image: contact the Designated Safeguarding Lead now.';

/**
 * Evidence files of incidents (issue 14 item 3): checked from their bytes, encrypted and hashed
 * into the evidence store as they stream, recorded append-only with the uploader's stated time
 * and place, verified on every download, and every download audited. Nothing is ever attached
 * to a report of a nude or semi-nude image of a child, by any route.
 */
export class EvidenceService {
  constructor(private readonly deps: EvidenceDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * May this person add evidence to this incident? The staff who may open the case (DSL,
   * Headteacher, deputies, assignees: `incidents.canAddEvidence`), or the person who reported
   * it; never for a report of an indecent image.
   */
  async mayAttach(viewer: Principal, incidentId: string): Promise<boolean> {
    const incidents = this.deps.incidents();
    if (await incidents.canAddEvidence(viewer, incidentId)) return true;
    if (await incidents.findVisible(viewer, incidentId)) return false; // the case, but no evidence
    try {
      const own = await incidents.receipt(viewer, incidentId);
      return !own.indecentImage;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** What the file is, from its bytes; a refusal message for anything Lanyard does not keep. */
  async check(
    file: EvidenceFile,
  ): Promise<{ ok: true; mediaType: string } | { ok: false; message: string }> {
    const { files, images, uploadMaxBytes } = this.deps;
    const refuse = (code: EvidenceRefusal) => ({
      ok: false as const,
      message: evidenceRefusalMessages[code],
    });
    if (file.size === 0) return refuse('empty');
    if (file.truncated || file.size > uploadMaxBytes)
      return {
        ok: false,
        message: `The file is larger than ${Math.round(uploadMaxBytes / 1024 / 1024)} MB.`,
      };
    const head = await readHead(await files.streamTemp(file.tempName), 64 * 1024);
    const sniffed = sniffEvidence(head, file.filename);
    if ('refused' in sniffed) return refuse(sniffed.refused);
    const { kind } = sniffed;
    if (kind === 'image') {
      if (file.size > MAX_IMAGE_BYTES) return refuse('image_too_big');
      // Decoded in full by the image processor, exactly as the media upload checks a photo.
      try {
        const info = await images.inspect(await files.readTemp(file.tempName));
        return { ok: true, mediaType: imageMediaTypes[info.format] ?? 'image/jpeg' };
      } catch (e) {
        if (e instanceof ImageRejectedError) return { ok: false, message: e.message };
        throw e;
      }
    }
    const stream = await files.streamTemp(file.tempName);
    const problem =
      kind === 'pdf'
        ? await scanPdf(stream)
        : kind === 'zip'
          ? await scanZip(stream, file.size)
          : await scanText(stream, kind);
    if (problem) return refuse(problem);
    return { ok: true, mediaType: evidenceMediaTypes[kind] };
  }

  /**
   * Checks every file, then encrypts each into the evidence store and records it, in the
   * caller's transaction (the report form's) or one of its own. All or nothing: one refused file
   * and nothing is added (ValidationError on `evidence`). The uploaded temporary files are gone
   * afterwards whatever happens. Refused with a ConflictError for an indecent-image report.
   */
  async attach(tx: Tx | undefined, input: AttachInput): Promise<AttachResult> {
    const { files, store, repository } = this.deps;
    const staged: StagedEvidence[] = [];
    const committed: StagedEvidence[] = [];
    try {
      if (input.files.length === 0)
        throw new ValidationError({ evidence: 'Select at least one file' });
      // Checked before anything is written (the incident's flag again inside the transaction).
      const flag = await repository.indecentImage(
        tx?.db ?? this.db,
        input.schoolId,
        input.incidentId,
      );
      if (flag === null) throw new NotFoundError();
      if (flag) throw new ConflictError(NO_FILE_FOR_IMAGE_REPORT);
      const checked: { file: EvidenceFile; mediaType: string }[] = [];
      const problems: string[] = [];
      for (const file of input.files) {
        const result = await this.check(file);
        const name = displayFilename(file.filename, 'The file');
        if (result.ok) checked.push({ file, mediaType: result.mediaType });
        else
          problems.push(
            input.files.length > 1 || file.filename ? `${name}: ${result.message}` : result.message,
          );
      }
      if (problems.length > 0)
        throw new ValidationError({ evidence: `${problems.join(' ')} Nothing was added.` });

      const rows: NewEvidenceRow[] = [];
      const now = this.deps.clock.now();
      for (const { file, mediaType } of checked) {
        const id = crypto.randomUUID();
        const key = evidenceKey(input.schoolId, id);
        const s = await store.stage(key, await files.streamTemp(file.tempName), {
          maxBytes: this.deps.uploadMaxBytes,
        });
        staged.push(s);
        // The bytes encrypted are the bytes that arrived (hashed by the upload as it streamed).
        if (s.sha256 !== file.sha256 || s.size !== file.size)
          throw new Error('An uploaded file changed while it was being stored');
        rows.push({
          id,
          schoolId: input.schoolId,
          incidentId: input.incidentId,
          sha256: s.sha256,
          size: s.size,
          mediaType,
          originalName: displayFilename(file.filename, 'evidence'),
          uploadedAt: now,
          uploadedByKind: input.uploader.kind,
          uploadedById: input.uploader.id,
          statedAt: input.statedAt,
          statedPlace: input.statedPlace,
          storageKey: key,
        });
      }
      // Into place before the rows commit: a crash after this leaves an encrypted file no row
      // names (harmless), never a row whose evidence is missing.
      for (const s of staged) {
        await store.commit(s);
        committed.push(s);
      }
      const record = async (t: Tx) => {
        // Under the transaction's lock on the incident row: an indecent-image report never gets one.
        const again = await repository.indecentImage(t.db, input.schoolId, input.incidentId);
        if (again !== false) throw new ConflictError(NO_FILE_FOR_IMAGE_REPORT);
        await repository.insert(t.db, rows);
        await this.deps
          .incidents()
          .recordEntry(
            t,
            input.incidentId,
            input.uploader.kind === 'staff' ? input.uploader.id : null,
            'evidence_added',
            {
              uploaderKind: input.uploader.kind,
              files: rows.map((r) => ({
                id: r.id,
                sha256: r.sha256,
                size: r.size,
                mediaType: r.mediaType,
              })),
            },
          );
        for (const r of rows)
          await this.deps.audit.record(t, {
            schoolId: input.schoolId,
            actor: { kind: input.uploader.kind, id: input.uploader.id },
            action: 'incidents.evidence-added',
            entityType: 'incident_evidence',
            entityId: r.id,
            data: {
              incidentId: input.incidentId,
              sha256: r.sha256,
              size: r.size,
              mediaType: r.mediaType,
            },
          });
      };
      if (tx) await record(tx);
      else {
        try {
          await this.deps.database.transaction(record);
        } catch (e) {
          for (const s of committed) await store.remove(s.key).catch(() => undefined);
          throw e;
        }
      }
      return {
        ids: rows.map((r) => r.id),
        files: rows.map((r) => ({
          id: r.id,
          sha256: r.sha256,
          size: r.size,
          mediaType: r.mediaType,
        })),
      };
    } catch (e) {
      for (const s of staged)
        if (!committed.includes(s)) await store.discard(s).catch(() => undefined);
      if (e instanceof EvidenceTooLargeError)
        throw new ValidationError({
          evidence: 'A file is larger than the upload limit. Nothing was added.',
        });
      throw e;
    } finally {
      // The plaintext upload leaves the disk as soon as it is encrypted (or refused).
      for (const f of input.files) await files.discard(f.tempName).catch(() => undefined);
    }
  }

  /**
   * Removes encrypted evidence files that no row names and that were written before `olderThan`
   * (the hourly job `incidents.evidence-sweep`, an hour back). A report's files are moved into
   * place inside the report's transaction, before its rows commit (never a row without its
   * file); when that transaction then fails, or the process dies in between, the file is left
   * with no row. Nothing in a transaction takes an hour, so no file of one still running is
   * touched; a recorded file is never removed. Returns how many files went.
   */
  async sweepOrphans(olderThan: Date): Promise<number> {
    const { files, store, repository, people } = this.deps;
    let removed = 0;
    for (const school of await people.listSchools(this.db)) {
      const old: string[] = [];
      for await (const f of files.list(`${school.id}/evidence`))
        if (f.modifiedAt.getTime() < olderThan.getTime()) old.push(f.key);
      for (let i = 0; i < old.length; i += 500) {
        const batch = old.slice(i, i + 500);
        const known = new Set(await repository.storageKeysIn(this.db, school.id, batch));
        for (const key of batch)
          if (!known.has(key)) {
            await store.remove(key);
            removed++;
          }
      }
    }
    return removed;
  }

  /** Adds files to an incident later (a case page, the reporter's receipt page, the API). */
  async attachLater(
    viewer: Principal,
    incidentId: string,
    files: EvidenceFile[],
    stated: { statedAt: string | null; statedPlace: string | null },
  ): Promise<AttachResult> {
    if (viewer.kind === 'org_admin' || !(await this.mayAttach(viewer, incidentId))) {
      for (const f of files) await this.deps.files.discard(f.tempName).catch(() => undefined);
      throw new NotFoundError();
    }
    return this.attach(undefined, {
      schoolId: viewer.schoolId,
      incidentId,
      uploader: { kind: viewer.kind, id: viewer.id },
      files,
      ...stated,
    });
  }

  /** The evidence of a case the viewer may open (the case page), oldest first. */
  async list(viewer: Principal, incidentId: string): Promise<EvidenceListEntry[]> {
    const found = await this.deps.incidents().findVisible(viewer, incidentId);
    if (!found) throw new NotFoundError();
    const rows = await this.deps.repository.listFor(this.db, found.schoolId, found.id);
    const staffNames = new Map<string, string>();
    if (rows.some((r) => r.uploadedByKind === 'staff'))
      for (const m of await this.deps.people.staffRoster(this.db, found.schoolId))
        staffNames.set(m.id, `${m.givenName} ${m.familyName}`);
    return rows.map((r) => ({
      ...metaOf(r),
      kindLabel: evidenceKindLabels[r.mediaType] ?? 'File',
      sizeText: sizeInWords(r.size),
      uploaderText:
        r.uploadedByKind === 'staff'
          ? (staffNames.get(r.uploadedById) ?? 'a member of staff who has left')
          : r.uploadedByKind === 'parent'
            ? 'a parent'
            : 'a pupil',
    }));
  }

  /**
   * A file for download, for those who may open the case. The whole file is checked first (every
   * chunk's tag, then its SHA-256 and size against the row), so a damaged or changed file is
   * refused with a clear page and an audit event before a byte is sent; the stream returned
   * checks again as it goes (a change in between ends it with an error, the last chunk held
   * back). Every download is audited.
   */
  async open(
    viewer: Principal,
    incidentId: string,
    evidenceId: string,
  ): Promise<{ stream: Readable; meta: EvidenceListItem }> {
    const found = await this.deps.incidents().findVisible(viewer, incidentId);
    if (!found) throw new NotFoundError();
    const row = isUuid(evidenceId)
      ? await this.deps.repository.get(this.db, found.schoolId, found.id, evidenceId)
      : undefined;
    if (!row) throw new NotFoundError();
    const expected = { sha256: row.sha256, size: row.size };
    const audit = (action: string, data: Record<string, unknown>) =>
      this.deps.database.transaction((tx) =>
        this.deps.audit.record(tx, {
          schoolId: found.schoolId,
          actor: actorOf(viewer),
          action,
          entityType: 'incident_evidence',
          entityId: row.id,
          data: { incidentId: found.id, ...data },
        }),
      );
    try {
      await this.deps.store.verify(row.storageKey, expected);
    } catch (e) {
      const reason =
        e instanceof EvidenceIntegrityError
          ? e.reason
          : e instanceof FileNotFoundError
            ? 'missing'
            : null;
      if (reason === null) throw e;
      await audit('incidents.evidence-check-failed', { reason, sha256: row.sha256 });
      throw new EvidenceDamagedError(
        reason === 'missing' ? 'tampered' : (reason as EvidenceIntegrityError['reason']),
      );
    }
    await audit('incidents.evidence-downloaded', { sha256: row.sha256, size: row.size });
    const stream = await this.deps.store.open(row.storageKey, expected);
    stream.once('error', (e) => {
      if (e instanceof EvidenceIntegrityError)
        void audit('incidents.evidence-check-failed', {
          reason: e.reason,
          sha256: row.sha256,
          during: 'download',
        }).catch(() => undefined);
    });
    return { stream, meta: metaOf(row) };
  }

  /** The encrypted store itself (letters keep their PDFs in it too). */
  get store(): EvidenceStore {
    return this.deps.store;
  }
}

const metaOf = (r: EvidenceRow): EvidenceListItem => ({
  id: r.id,
  mediaType: r.mediaType,
  originalName: r.originalName,
  size: r.size,
  sha256: r.sha256,
  uploadedAt: r.uploadedAt,
  uploadedByKind: r.uploadedByKind,
  uploadedById: r.uploadedById,
  statedAt: r.statedAt,
  statedPlace: r.statedPlace,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: string) => UUID.test(v);

/** The first `bytes` of a stream (then the stream is closed). */
async function readHead(stream: Readable, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    parts.push(b);
    have += b.length;
    if (have >= bytes) break;
  }
  stream.destroy();
  return Buffer.concat(parts).subarray(0, bytes);
}
