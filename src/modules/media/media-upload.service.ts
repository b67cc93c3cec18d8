/**
 * Upload and batch upload (issue 10 item 9): every file of a batch is checked from its bytes and
 * the batch is stored whole or not at all; the event-label rule; finishing batches a crash
 * interrupted after their commit.
 */
import crypto from 'node:crypto';
import { ukDate } from '../../platform/clock.ts';
import { FileNotFoundError } from '../../platform/files/file-store.ts';
import { ImageRejectedError } from '../../platform/images/image-processor.ts';
import { ValidationError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import type { PupilRow } from '../people/index.ts';
import type { UploadMove } from './media.repository.ts';
import { pupilNameInLabel } from './media-labels.ts';
import { sniffVideo, videoContentTypes } from './media-formats.ts';
import type { UploadFields } from './media.forms.ts';
import { academicYearKey, keyFor, MediaPart } from './media-shared.ts';

/**
 * One uploaded file: bytes in memory (CLI, seed, tests), or a temporary file of the file store
 * that the upload streamed into (the web routes; see web/uploads.ts). Either way `upload` owns
 * it from the call on: it is committed with its batch or discarded.
 */
export type UploadFile = {
  /** Only for messages ("IMG_0001.svg: …"); never stored, since file names can name pupils. */
  filename: string;
} & (
  | { data: Buffer }
  | {
      tempName: string;
      size: number;
      sha256: string;
      /** The upload was longer than the route's limit and was cut there. */
      truncated?: boolean;
    }
);

/** A file of a batch, staged as a temporary file and checked. */
interface StagedFile {
  filename: string;
  temp: string;
  size: number;
  sha256: string;
  truncated: boolean;
}

export interface UploadResult {
  id: string;
  kind: 'image' | 'video';
  quarantined: boolean;
}

export class MediaUploads extends MediaPart {
  /** Every pupil, leavers included, whose name an event label must not contain. */
  private async allPupils(schoolId: string): Promise<PupilRow[]> {
    const { rows } = await this.deps.people.listPupils(
      this.db,
      schoolId,
      { includeLeavers: true, today: ukDate(this.deps.clock.now()) },
      { limit: 100_000, offset: 0 },
    );
    return rows;
  }

  /** Refuses a label that names a pupil of the school (`publishing.groupImagesWithGeneralLabels`). */
  async checkEventLabel(schoolId: string, label: string): Promise<void> {
    const found = pupilNameInLabel(label, await this.allPupils(schoolId));
    if (found) {
      throw new ValidationError({
        eventLabel: `The event label contains the name of a pupil (“${found}”). Use a general label such as “sports day” or “Year 4 trip”, never a pupil’s name.`,
      });
    }
  }

  /** What a file is, from its bytes; an ImageRejectedError message for anything else. */
  private async classify(
    file: StagedFile,
  ): Promise<
    | { ok: true; kind: 'image'; format: string; width: number; height: number }
    | { ok: true; kind: 'video'; format: string }
    | { ok: false; message: string }
  > {
    if (file.size === 0) return { ok: false, message: 'The file is empty.' };
    if (file.truncated || file.size > this.deps.uploadMaxBytes) {
      const mb = Math.round(this.deps.uploadMaxBytes / 1024 / 1024);
      return { ok: false, message: `The file is larger than ${mb} MB.` };
    }
    // One file in memory at a time (at most the upload limit), only while it is checked.
    const data = await this.deps.files.readTemp(file.temp);
    const video = sniffVideo(data);
    if (video) return { ok: true, kind: 'video', format: video };
    try {
      const info = await this.deps.images.inspect(data);
      return {
        ok: true,
        kind: 'image',
        format: info.format,
        width: info.width,
        height: info.height,
      };
    } catch (e) {
      if (e instanceof ImageRejectedError) {
        const message =
          e.code === 'not_an_image'
            ? 'The file is not a photo or video Lanyard can use. Upload JPEG, PNG or WebP photos, or MP4, MOV or WebM videos.'
            : e.message;
        return { ok: false, message };
      }
      throw e;
    }
  }

  /**
   * Stores a batch of files whole or not at all (issue 10 item 9). Every file is first a
   * temporary file (streamed there by the upload, or written here from memory); the form and
   * every file are checked, and if anything is wrong nothing is stored (ValidationError with
   * `eventLabel`, `deviceDescription` or `files` messages). Then ONE transaction writes every
   * item, its ingest job and audit event, and the batch's pending file moves; after it commits the
   * files move into place and the batch row goes. A crash before the commit leaves no item (and
   * the temporary files are swept at start-up); a crash after it leaves the batch row, and
   * start-up finishes the moves ({@link recoverUploads}).
   */
  async upload(
    schoolId: string,
    actor: Actor,
    fields: UploadFields,
    files: UploadFile[],
    options: { queue?: boolean } = {},
  ): Promise<UploadResult[]> {
    const staged: StagedFile[] = [];
    // Once the batch has committed its temporary files belong to it (its row lists them): they
    // move into place, now or at the next start-up, and are never discarded.
    const state = { committed: false };
    try {
      for (const f of files) {
        if ('data' in f) {
          const t = await this.deps.files.writeTemp(f.data);
          staged.push({
            filename: f.filename,
            temp: t.name,
            size: t.size,
            sha256: t.sha256,
            truncated: false,
          });
        } else {
          staged.push({
            filename: f.filename,
            temp: f.tempName,
            size: f.size,
            sha256: f.sha256,
            truncated: f.truncated === true,
          });
        }
      }
      return await this.storeBatch(schoolId, actor, fields, staged, options.queue !== false, state);
    } finally {
      if (!state.committed)
        for (const f of staged) await this.deps.files.discard(f.temp).catch(() => undefined);
    }
  }

  private async storeBatch(
    schoolId: string,
    actor: Actor,
    fields: UploadFields,
    files: StagedFile[],
    queue: boolean,
    state: { committed: boolean },
  ): Promise<UploadResult[]> {
    if (files.length === 0)
      throw new ValidationError({ files: 'Select at least one photo or video' });
    await this.checkEventLabel(schoolId, fields.eventLabel);
    const device = await this.deps.devices.check(schoolId, fields.deviceId);
    if (fields.deviceId && device.kind === 'unregistered') {
      throw new ValidationError({ deviceId: 'Select the device the photos were taken on' });
    }
    const checked: { f: StagedFile; c: Awaited<ReturnType<MediaUploads['classify']>> }[] = [];
    for (const f of files) checked.push({ f, c: await this.classify(f) });
    const problems = checked.filter(
      (x): x is { f: StagedFile; c: { ok: false; message: string } } => !x.c.ok,
    );
    if (problems.length > 0) {
      const text = problems
        .map((p) =>
          files.length > 1 || p.f.filename
            ? `${p.f.filename || 'The file'}: ${p.c.message}`
            : p.c.message,
        )
        .join(' ');
      throw new ValidationError({ files: `${text} Nothing was uploaded.` });
    }
    const quarantineReason =
      device.kind === 'approved'
        ? null
        : device.kind === 'not_approved'
          ? 'device_not_approved'
          : 'unregistered_device';
    const deviceId = device.kind === 'unregistered' ? null : device.device.id;
    const settings = await this.settings(schoolId);
    const { database, repository, audit, clock, jobs } = this.deps;
    const now = clock.now();
    const academicYear = academicYearKey(settings, ukDate(now));
    const items = checked.map(({ f, c }) => {
      if (!c.ok) throw new Error('unreachable');
      const id = crypto.randomUUID();
      const isVideo = c.kind === 'video';
      // Videos are stored as they are (no processing yet); images wait for the ingest job.
      const key = keyFor(schoolId, id, isVideo ? `video.${c.format}` : 'upload');
      return { f, c, id, isVideo, key };
    });
    const batchId = crypto.randomUUID();
    const moves: UploadMove[] = items.map((i) => ({
      mediaId: i.id,
      kind: i.c.kind as 'image' | 'video',
      temp: i.f.temp,
      key: i.key,
    }));
    await database.transaction(async (tx) => {
      await repository.createMany(
        tx.db,
        items.map(({ f, c, id, isVideo, key }) => ({
          id,
          schoolId,
          kind: c.ok ? c.kind : 'image',
          status: isVideo ? 'ready' : 'processing',
          deviceId,
          deviceDescription: fields.deviceDescription,
          quarantineReason,
          eventLabel: fields.eventLabel,
          swimwear: fields.swimwear,
          format: c.ok ? c.format : '',
          contentType: isVideo
            ? videoContentTypes[(c.ok ? c.format : '') as keyof typeof videoContentTypes]
            : 'image/jpeg',
          sizeBytes: f.size,
          sha256: f.sha256,
          width: c.ok && c.kind === 'image' ? c.width : null,
          height: c.ok && c.kind === 'image' ? c.height : null,
          uploadKey: isVideo ? null : key,
          originalKey: isVideo ? key : null,
          academicYear,
          uploadedBy: actor.kind === 'staff' ? actor.id : null,
          uploadedAt: now,
          ingestedAt: isVideo ? now : null,
        })),
      );
      for (const { f, c, id, isVideo } of items) {
        if (!isVideo && queue) await jobs.enqueue('media.ingest', { mediaId: id }, { tx });
        await audit.record(tx, {
          schoolId,
          actor,
          action: quarantineReason ? 'media.uploaded-to-quarantine' : 'media.uploaded',
          entityType: 'media_item',
          entityId: id,
          data: {
            kind: c.ok ? c.kind : 'image',
            format: c.ok ? c.format : '',
            sizeBytes: f.size,
            deviceId,
            quarantineReason,
            swimwear: fields.swimwear,
            batch: batchId,
            batchSize: items.length,
          },
        });
      }
      await repository.insertUploadBatch(tx.db, { id: batchId, schoolId, createdAt: now, moves });
    });
    state.committed = true;
    await this.finishBatch(batchId, moves);
    return items.map((i) => ({
      id: i.id,
      kind: i.c.ok ? i.c.kind : 'image',
      quarantined: quarantineReason !== null,
    }));
  }

  /**
   * Moves a committed batch's files into place (safe to run twice, and by two processes at once:
   * a file already moved is left as it is), then removes the batch row.
   */
  private async finishBatch(batchId: string, moves: UploadMove[]): Promise<number> {
    const { files, repository } = this.deps;
    let moved = 0;
    for (const m of moves) {
      try {
        await files.commit(m.temp, m.key);
        moved += 1;
      } catch (e) {
        if (!(e instanceof FileNotFoundError)) throw e;
        // Moved already (by this batch's other finisher), or lost: the ingest and the sweeper
        // deal with an item whose file never arrived.
      }
    }
    await repository.deleteUploadBatch(this.db, batchId);
    return moved;
  }

  /**
   * At start-up (and before each orphan sweep): finishes the batches a crash interrupted after
   * their commit, and queues their photos' ingest again (the ingest job may have given up while
   * the file was not there). Runs before the temporary-file sweep, which would otherwise remove
   * the files these batches still need.
   */
  async recoverUploads(): Promise<{ batches: number; files: number }> {
    const pending = await this.deps.repository.pendingUploadBatches(this.db);
    let moved = 0;
    for (const b of pending) {
      moved += await this.finishBatch(b.id, b.moves);
      for (const m of b.moves)
        if (m.kind === 'image')
          await this.deps.jobs.enqueue('media.ingest', { mediaId: m.mediaId });
    }
    return { batches: pending.length, files: moved };
  }
}
