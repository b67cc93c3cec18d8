/**
 * The ingest job: the upright, metadata-free copy, the preview and the face boxes of an uploaded
 * photo; and marking an ingest failed (also used by the sweeper for a stalled one).
 */
import { systemActor } from '../audit/index.ts';
import { FileNotFoundError } from '../../platform/files/file-store.ts';
import { ImageRejectedError } from '../../platform/images/image-processor.ts';
import type { MediaItemRow } from './media.repository.ts';
import { keyFor, MediaPart, SWEEP_GRACE_MS } from './media-shared.ts';

/** Longest side of the preview used on the tagging page and in the library. */
export const PREVIEW_SIZE = 1024;

export class MediaIngest extends MediaPart {
  /**
   * The ingest job: reload the item; if it is still processing, make the upright, metadata-free
   * copy and the preview, find faces, store the boxes, and remove the upload. Safe to run twice:
   * the files have fixed keys (a second run overwrites them) and only the run that moves the row
   * from 'processing' to 'ready' stores boxes.
   */
  async ingest(mediaId: string): Promise<'ready' | 'failed' | 'skipped'> {
    const { database, repository, audit, clock, files, images, faces } = this.deps;
    const item = await repository.getAnySchool(this.db, mediaId);
    if (!item || item.status !== 'processing' || !item.uploadKey) return 'skipped';
    let upload: Buffer;
    try {
      upload = await files.read(item.uploadKey);
    } catch (e) {
      if (!(e instanceof FileNotFoundError)) throw e;
      // The row committed but the file never arrived (a crash in between): wait for it a while,
      // then the sweeper removes the row.
      if (clock.now().getTime() - item.uploadedAt.getTime() < SWEEP_GRACE_MS) throw e;
      return 'skipped';
    }
    let normalised: {
      image: { data: Buffer; width: number; height: number };
      pixels: { data: Buffer; width: number; height: number };
    };
    let preview: { data: Buffer };
    let boxes: { x: number; y: number; width: number; height: number; score: number }[];
    try {
      normalised = await images.normaliseWithPixels(upload);
      preview = await images.thumbnail(normalised.image.data, PREVIEW_SIZE);
      boxes = await faces.detect(normalised.pixels);
    } catch (e) {
      if (!(e instanceof ImageRejectedError)) throw e;
      await this.failIngest(item, e.message);
      return 'failed';
    }
    const originalKey = keyFor(item.schoolId, item.id, 'original.jpg');
    const previewKey = keyFor(item.schoolId, item.id, 'preview.jpg');
    // Files first, under fixed keys: a crash before the row changes leaves the item processing
    // (the job is retried and overwrites them); an item deleted meanwhile leaves files the
    // sweeper removes.
    const t1 = await files.writeTemp(normalised.image.data);
    const t2 = await files.writeTemp(preview.data);
    await files.commit(t1.name, originalKey);
    await files.commit(t2.name, previewKey);
    const { width, height } = normalised.image;
    const done = await database.transaction(async (tx) => {
      const moved = await repository.finishIngest(tx.db, item.id, {
        status: 'ready',
        originalKey,
        thumbnailKey: previewKey,
        uploadKey: null,
        width,
        height,
        sizeBytes: normalised.image.data.length,
        contentType: 'image/jpeg',
        detectedFaces: boxes.length,
        ingestedAt: clock.now(),
      });
      if (!moved) return false;
      const now = clock.now();
      await repository.insertFaces(
        tx.db,
        boxes.map((b, i) => {
          const x = Math.max(0, Math.round(b.x));
          const y = Math.max(0, Math.round(b.y));
          return {
            schoolId: item.schoolId,
            mediaId: item.id,
            seq: i + 1,
            x,
            y,
            width: Math.max(1, Math.min(width - x, Math.round(b.width))),
            height: Math.max(1, Math.min(height - y, Math.round(b.height))),
            score: b.score,
            source: 'detector',
            createdAt: now,
          };
        }),
      );
      await audit.record(tx, {
        schoolId: item.schoolId,
        actor: systemActor,
        action: 'media.ingested',
        entityType: 'media_item',
        entityId: item.id,
        data: { width, height, facesDetected: boxes.length, metadataStripped: true },
      });
      return true;
    });
    if (done) await files.delete(item.uploadKey);
    return done ? 'ready' : 'skipped';
  }

  /** A file the processor refused during ingest: the row says why, and holds no files. */
  async failIngest(item: MediaItemRow, message: string): Promise<void> {
    const { database, repository, audit, files, clock } = this.deps;
    await database.transaction(async (tx) => {
      await repository.update(tx.db, item.schoolId, item.id, {
        status: 'failed',
        failure: message,
        uploadKey: null,
        ingestedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: item.schoolId,
        actor: systemActor,
        action: 'media.ingest-failed',
        entityType: 'media_item',
        entityId: item.id,
        data: {},
      });
    });
    if (item.uploadKey) await files.delete(item.uploadKey);
  }
}
