import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import { FileNotFoundError } from '../../platform/files/file-store.ts';
import {
  ImageRejectedError,
  type ImageProcessor,
  type Region,
} from '../../platform/images/image-processor.ts';
import type { FaceDetector } from '../../platform/faces/face-detector.ts';
import type { JobPayloads } from '../../jobs.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { systemActor, type Actor, type AuditService } from '../audit/audit.service.ts';
import type { Principal } from '../auth/principal.ts';
import type { PeopleRepository, PupilRow } from '../people/people.repository.ts';
import type { PupilScope } from '../people/pupil-scope.ts';
import type { PolicyService } from '../policies/policies.service.ts';
import type { ConsentPurpose, PolicySettings } from '../policies/policy-settings.ts';
import type { DevicesService } from '../devices/devices.service.ts';
import type {
  LibraryView,
  MediaFaceRow,
  MediaItemRow,
  MediaPupilTagRow,
  MediaRenditionRow,
  MediaRepository,
  RetentionRunRow,
  UploadMove,
} from './media.repository.ts';
import { pupilNameInLabel } from './media-labels.ts';
import { describePupils, yearLabel, type PickerPupil } from './pupil-picker.ts';
import { sniffVideo, videoContentTypes } from './media-formats.ts';
import type { UploadFields } from './media.forms.ts';
import { canReviewQuarantine } from './media.policy.ts';

export type { MediaItemRow, MediaFaceRow, MediaRenditionRow, RetentionRunRow, LibraryView };

/** The consent register's check, as the media library uses it (ConsentService.mayMany). */
export interface ConsentChecker {
  mayMany(
    schoolId: string,
    checks: readonly {
      pupilId: string;
      purpose: string;
      mediaType: 'image' | 'video';
      at?: Date;
    }[],
  ): Promise<{ allowed: boolean; reason: string }[]>;
}

/** Why an item cannot be made publishable (each with a message for staff). */
export type NotPublishableReason =
  | 'swimwear'
  | 'quarantined'
  | 'video'
  | 'not_ready'
  | 'archived'
  | 'unknown_purpose'
  | 'tagged_without_consent';

export class MediaNotPublishableError extends ConflictError {
  constructor(
    readonly reason: NotPublishableReason,
    message: string,
  ) {
    super(message);
  }
}

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

/**
 * A pupil linked or tagged to an item, as the person looking may see them: within their pupil
 * scope, the name, class, year and label; outside it (or with no scope given) `hidden`, with no
 * name, class or id to show.
 */
export interface TaggedPupilView {
  id: string;
  name: string;
  className: string | null;
  year: string;
  /** "Samuel Ahmed (4 Oak, Year 4)", or words saying the pupil is not one this person sees. */
  label: string;
  hidden: boolean;
}

export interface FaceView extends MediaFaceRow {
  pupil: TaggedPupilView | null;
}

export interface ItemView {
  item: MediaItemRow;
  faces: FaceView[];
  pupilTags: (MediaPupilTagRow & TaggedPupilView)[];
  renditions: MediaRenditionRow[];
  device: { id: string; name: string; assetTag: string; status: string } | null;
  /** Distinct pupils linked to a box or tagged to the whole photo. */
  taggedPupils: number;
  /** Faces (boxes) outnumber tagged pupils: someone in the photo is not identified. */
  facesOutnumberTags: boolean;
  publishable: { ok: true } | { ok: false; reason: NotPublishableReason; message: string };
}

export interface RenditionBasisEntry {
  seq: number;
  pupilId: string | null;
  blurred: boolean;
  reason: string;
}

export interface RetentionReport {
  schoolId: string;
  runId: string;
  archived: number;
  deleted: number;
  keptAsEvidence: number;
}

export interface SweepReport {
  tempFilesRemoved: number;
  orphanFilesRemoved: number;
  incompleteUploadsRemoved: number;
  stalledIngestsFailed: number;
}

/** Longest side of the preview used on the tagging page and in the library. */
export const PREVIEW_SIZE = 1024;
/** A file younger than this is never treated as an orphan (an upload or ingest may be under way). */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;
/** Items still 'processing' this long after upload are marked failed by the sweeper. */
export const STALLED_INGEST_MS = 24 * 60 * 60 * 1000;
const PAGE_SIZE = 24;

const quarantineMessages: Record<string, string> = {
  unregistered_device: 'It was taken on a device that is not registered as a school device.',
  device_not_approved: 'It was taken on a school device that is not approved for photography.',
};

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** '2026-27' for a UK date, by the profile's academic year start (1 September by default). */
export function academicYearKey(settings: PolicySettings, isoDate: string): string {
  const { month, day } = settings.consent.academicYearStart.value;
  const year = Number(isoDate.slice(0, 4));
  const first = isoDate.slice(5) >= `${pad(month)}-${pad(day)}` ? year : year - 1;
  return `${first}-${pad((first + 1) % 100)}`;
}

function firstYear(key: string): number {
  return Number(key.slice(0, 4));
}

function keyFor(schoolId: string, mediaId: string, name: string): string {
  return `${schoolId}/media/${mediaId}/${name}`;
}

function pupilName(p: Pick<PupilRow, 'givenName' | 'familyName'>): string {
  return `${p.givenName} ${p.familyName}`;
}

/**
 * The media library and privacy pipeline (SPEC §3.4): upload from registered devices, the
 * ingest job (upright, metadata stripped, preview, face boxes), tagging, publishable renditions
 * with faces blurred by consent, quarantine review, retention (`media.retention`) and the orphan sweeper.
 *
 * Files and rows stay consistent (ARCHITECTURE rule 10): bytes go to a temporary file, the row
 * commits, then the file moves into place; deleting an item deletes its rows in one transaction
 * and then its files; the sweeper removes what a crash left in between.
 */
export class MediaService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: MediaRepository;
      audit: AuditService;
      clock: Clock;
      jobs: JobQueue<JobPayloads>;
      files: FileStore;
      images: ImageProcessor;
      faces: FaceDetector;
      policies: PolicyService;
      devices: DevicesService;
      people: PeopleRepository;
      /** The consent register: which linked faces may stay unblurred for a purpose. */
      consent: ConsentChecker;
      uploadMaxBytes: number;
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  private async settings(schoolId: string): Promise<PolicySettings> {
    return (await this.deps.policies.current(schoolId)).settings;
  }

  /** Consent purposes from the profile (for the rendition page). */
  async purposes(schoolId: string): Promise<ConsentPurpose[]> {
    return (await this.settings(schoolId)).consent.purposes.value;
  }

  // -------------------------------------------------------------------------------------------
  // Upload

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
    const checked: { f: StagedFile; c: Awaited<ReturnType<MediaService['classify']>> }[] = [];
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

  // -------------------------------------------------------------------------------------------
  // Ingest (job)

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
  private async failIngest(item: MediaItemRow, message: string): Promise<void> {
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

  // -------------------------------------------------------------------------------------------
  // Reading

  async list(schoolId: string, view: LibraryView, page: number) {
    const { rows, total } = await this.deps.repository.list(this.db, schoolId, view, {
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    const tagged = await this.deps.repository.taggedCounts(
      this.db,
      schoolId,
      rows.map((r) => r.id),
    );
    return {
      rows: rows.map((r) => ({ ...r, taggedPupils: tagged.get(r.id) ?? 0 })),
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    };
  }

  private async getItem(schoolId: string, id: string): Promise<MediaItemRow> {
    const item = await this.deps.repository.getById(this.db, schoolId, id);
    if (!item) throw new NotFoundError();
    return item;
  }

  /**
   * The pupils on roll this person may see (their pupil scope), for the tagging picker: the whole
   * school for school-wide staff, their classes for a teacher, nobody for anyone else.
   */
  async pickerPupils(scope: PupilScope): Promise<PickerPupil[]> {
    const classNames = scope.classFilter;
    if (scope.kind === 'none' || (classNames && classNames.length === 0)) return [];
    const { rows } = await this.deps.people.listPupils(
      this.db,
      scope.schoolId,
      { today: ukDate(this.deps.clock.now()), classNames: classNames ?? undefined },
      { limit: 100_000, offset: 0 },
    );
    return rows;
  }

  private reasonNotPublishable(
    item: MediaItemRow,
  ): { reason: NotPublishableReason; message: string } | null {
    if (item.swimwear)
      return {
        reason: 'swimwear',
        message: 'This item is marked as showing swimming or swimwear. It can never be published.',
      };
    if (item.quarantineReason)
      return {
        reason: 'quarantined',
        message: `This item is in quarantine. ${quarantineMessages[item.quarantineReason] ?? ''} It cannot be published unless the device approver releases it.`,
      };
    if (item.archivedAt)
      return {
        reason: 'archived',
        message: 'This item is archived. Archived items are kept read-only and are not published.',
      };
    if (item.kind === 'video')
      return {
        reason: 'video',
        message:
          'Lanyard cannot yet blur faces in videos or remove their metadata, so videos cannot be made publishable here.',
      };
    if (item.status !== 'ready')
      return {
        reason: 'not_ready',
        message:
          item.status === 'failed'
            ? `This photo could not be processed: ${item.failure ?? 'unknown problem'}`
            : 'This photo is still being processed. Try again in a minute.',
      };
    return null;
  }

  /**
   * The tagging page: the item, its boxes and tags, renditions, and the faces-vs-tags check.
   * Linked and tagged pupils are named only within `scope` (the person's pupil scope); without
   * a scope nobody is named.
   */
  async view(schoolId: string, id: string, scope?: PupilScope): Promise<ItemView> {
    const { repository, people } = this.deps;
    const item = await this.getItem(schoolId, id);
    const [faces, tags, renditions] = await Promise.all([
      repository.faces(this.db, schoolId, id),
      repository.pupilTags(this.db, schoolId, id),
      repository.renditions(this.db, schoolId, id),
    ]);
    const pupilIds = [
      ...new Set([
        ...faces.map((f) => f.pupilId).filter((x): x is string => !!x),
        ...tags.map((t) => t.pupilId),
      ]),
    ];
    const pupils = new Map<string, PupilRow>();
    if (scope && scope.kind !== 'none') {
      for (const pid of pupilIds) {
        const p = await people.getPupil(this.db, schoolId, pid);
        if (p && scope.includes(p)) pupils.set(pid, p);
      }
    }
    const labels = describePupils([...pupils.values()]);
    const describe = (pid: string | null): TaggedPupilView | null => {
      if (!pid) return null;
      const p = pupils.get(pid);
      const choice = labels.get(pid);
      if (!p || !choice) {
        return {
          id: '',
          name: '',
          className: null,
          year: '',
          label: 'a pupil who is not in your classes',
          hidden: true,
        };
      }
      return {
        id: p.id,
        name: pupilName(p),
        className: p.className,
        year: yearLabel(p.yearGroup),
        label: choice.label,
        hidden: false,
      };
    };
    let device: ItemView['device'] = null;
    if (item.deviceId) {
      const d = await this.deps.devices.get(schoolId, item.deviceId).catch(() => null);
      if (d) device = { id: d.id, name: d.name, assetTag: d.assetTag, status: d.status };
    }
    const taggedPupils = pupilIds.length;
    const notPublishable = this.reasonNotPublishable(item);
    return {
      item,
      faces: faces.map((f) => ({ ...f, pupil: describe(f.pupilId) })),
      pupilTags: tags.map((t) => ({ ...t, ...describe(t.pupilId)! })),
      renditions,
      device,
      taggedPupils,
      facesOutnumberTags: faces.length > taggedPupils,
      publishable: notPublishable ? { ok: false, ...notPublishable } : { ok: true },
    };
  }

  /**
   * A staff-only file of the item: the upright, metadata-free copy ('original') or the preview.
   * Never served outside the staff pages of the item's own school.
   */
  async file(
    schoolId: string,
    id: string,
    which: 'original' | 'preview',
  ): Promise<{ stream: Readable; contentType: string; size: number }> {
    const item = await this.getItem(schoolId, id);
    const key = which === 'original' ? item.originalKey : item.thumbnailKey;
    if (!key) throw new NotFoundError();
    return this.streamKey(key, which === 'original' ? item.contentType : 'image/jpeg');
  }

  private async streamKey(key: string, contentType: string) {
    const info = await this.deps.files.stat(key);
    if (!info) throw new NotFoundError();
    try {
      return { stream: await this.deps.files.stream(key), contentType, size: info.size };
    } catch (e) {
      if (e instanceof FileNotFoundError) throw new NotFoundError();
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Tagging and details (each: one transaction, one audit event; stale renditions removed)

  /** Runs a change on a working (not archived) item and drops its renditions, which it outdates. */
  private async change(
    schoolId: string,
    actor: Actor,
    id: string,
    action: string,
    fn: (
      tx: Parameters<Parameters<Database['transaction']>[0]>[0],
      item: MediaItemRow,
    ) => Promise<Record<string, unknown>>,
    options: { keepRenditions?: boolean } = {},
  ): Promise<void> {
    const { database, repository, audit, files } = this.deps;
    const stale = await database.transaction(async (tx) => {
      const item = await repository.getForUpdate(tx.db, schoolId, id);
      if (!item) throw new NotFoundError();
      if (item.archivedAt)
        throw new ConflictError('This item is archived. Archived items are read-only.');
      const data = await fn(tx, item);
      const keys = options.keepRenditions
        ? []
        : await repository.deleteRenditions(tx.db, schoolId, id);
      await audit.record(tx, {
        schoolId,
        actor,
        action,
        entityType: 'media_item',
        entityId: id,
        data: { ...data, ...(keys.length ? { renditionsRemoved: keys.length } : {}) },
      });
      return keys;
    });
    for (const key of stale) await files.delete(key);
  }

  /** A pupil of the school (and, given a scope, one this person may see), else a field error. */
  private async assertPupil(
    schoolId: string,
    pupilId: string,
    field = 'pupilId',
    scope?: PupilScope,
  ): Promise<PupilRow> {
    const p = await this.deps.people.getPupil(this.db, schoolId, pupilId);
    if (!p || (scope && !scope.includes(p)))
      throw new ValidationError({ [field]: 'Select a pupil from the list' });
    return p;
  }

  /** A face linked to a pupil this person may not see cannot be changed by them. */
  private async assertFaceChangeable(
    schoolId: string,
    id: string,
    faceId: string,
    scope: PupilScope | undefined,
    field: string,
  ): Promise<void> {
    if (!scope || scope.wholeSchool) return;
    const face = await this.deps.repository.getFace(this.db, schoolId, id, faceId);
    if (!face?.pupilId) return;
    const p = await this.deps.people.getPupil(this.db, schoolId, face.pupilId);
    if (!p || !scope.includes(p))
      throw new ValidationError({
        [field]:
          'This face is linked to a pupil who is not in your classes, so only someone who teaches them or a member of the school office can change it',
      });
  }

  async updateDetails(
    schoolId: string,
    actor: Actor,
    id: string,
    input: { eventLabel: string; swimwear: boolean; evidence: boolean },
  ): Promise<void> {
    await this.checkEventLabel(schoolId, input.eventLabel);
    await this.change(
      schoolId,
      actor,
      id,
      'media.details-updated',
      async (tx, item) => {
        // The swimwear flag is a hard stop: once set it is never cleared (`media.swimwearBan`).
        const swimwear = item.swimwear || input.swimwear;
        await this.deps.repository.update(tx.db, schoolId, id, {
          eventLabel: input.eventLabel,
          swimwear,
          evidenceOfAchievement: input.evidence,
        });
        return {
          labelChanged: input.eventLabel !== item.eventLabel,
          swimwear,
          evidenceOfAchievement: input.evidence,
        };
      },
      { keepRenditions: false },
    );
  }

  async addFace(
    schoolId: string,
    actor: Actor,
    id: string,
    box: { x: number; y: number; width: number; height: number },
  ): Promise<void> {
    await this.change(schoolId, actor, id, 'media.face-added', async (tx, item) => {
      if (item.kind !== 'image' || item.status !== 'ready' || !item.width || !item.height)
        throw new ConflictError('Face boxes can only be added to a processed photo.');
      const errors: Record<string, string> = {};
      if (box.x >= item.width) errors.x = `The left edge must be less than ${item.width}`;
      if (box.y >= item.height) errors.y = `The top edge must be less than ${item.height}`;
      if (box.x + box.width > item.width)
        errors.width = `The box goes past the right edge of the photo (${item.width} pixels wide)`;
      if (box.y + box.height > item.height)
        errors.height = `The box goes past the bottom of the photo (${item.height} pixels high)`;
      if (Object.keys(errors).length) throw new ValidationError(errors);
      // Numbers stay stable: a removed detector box's number is not reused.
      const seq = Math.max(
        await this.deps.repository.nextFaceSeq(tx.db, id),
        (item.detectedFaces ?? 0) + 1,
      );
      await this.deps.repository.insertFaces(tx.db, [
        {
          schoolId,
          mediaId: id,
          seq,
          ...box,
          score: null,
          source: 'staff',
          createdAt: this.deps.clock.now(),
        },
      ]);
      return { seq, ...box };
    });
  }

  async removeFace(
    schoolId: string,
    actor: Actor,
    id: string,
    faceId: string,
    scope?: PupilScope,
  ): Promise<void> {
    await this.assertFaceChangeable(schoolId, id, faceId, scope, 'faceId');
    await this.change(schoolId, actor, id, 'media.face-removed', async (tx) => {
      const face = await this.deps.repository.getFace(tx.db, schoolId, id, faceId);
      if (!face) throw new ValidationError({ faceId: 'That face box is no longer on this photo' });
      await this.deps.repository.deleteFace(tx.db, faceId);
      return { seq: face.seq, source: face.source };
    });
  }

  async linkFace(
    schoolId: string,
    actor: Actor,
    id: string,
    faceId: string,
    pupilId: string | null,
    scope?: PupilScope,
  ): Promise<void> {
    await this.assertFaceChangeable(schoolId, id, faceId, scope, `pupil-${faceId}`);
    if (pupilId) await this.assertPupil(schoolId, pupilId, `pupil-${faceId}`, scope);
    await this.change(
      schoolId,
      actor,
      id,
      pupilId ? 'media.face-linked' : 'media.face-unlinked',
      async (tx) => {
        const face = await this.deps.repository.getFace(tx.db, schoolId, id, faceId);
        if (!face)
          throw new ValidationError({ faceId: 'That face box is no longer on this photo' });
        await this.deps.repository.setFacePupil(tx.db, faceId, pupilId);
        return { seq: face.seq, pupilId };
      },
    );
  }

  async tagPupil(
    schoolId: string,
    actor: Actor,
    id: string,
    pupilId: string,
    scope?: PupilScope,
  ): Promise<void> {
    await this.assertPupil(schoolId, pupilId, 'pupilId', scope);
    await this.change(schoolId, actor, id, 'media.pupil-tagged', async (tx) => {
      await this.deps.repository.addPupilTag(tx.db, {
        schoolId,
        mediaId: id,
        pupilId,
        taggedBy: actor.kind === 'staff' ? actor.id : null,
        createdAt: this.deps.clock.now(),
      });
      return { pupilId };
    });
  }

  async untagPupil(
    schoolId: string,
    actor: Actor,
    id: string,
    pupilId: string,
    scope?: PupilScope,
  ): Promise<void> {
    if (scope) {
      const p = await this.deps.people.getPupil(this.db, schoolId, pupilId);
      if (!p || !scope.includes(p))
        throw new ValidationError({ pupilId: 'That pupil is not tagged to this item' });
    }
    await this.change(schoolId, actor, id, 'media.pupil-untagged', async (tx) => {
      if (!(await this.deps.repository.removePupilTag(tx.db, schoolId, id, pupilId)))
        throw new ValidationError({ pupilId: 'That pupil is not tagged to this item' });
      return { pupilId };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Publishable renditions

  /**
   * The publishable copy of a photo for one purpose (pseudonymisation, `publishing.blurFaces`): every face box
   * not linked to a pupil whose consent allows this purpose for images is blurred irreversibly;
   * with the profile's `publishing.blurFaces` = 'all', every face is. Refused (with the reason)
   * for swimwear, quarantined, archived, video, unprocessed items, unknown purposes, and when a
   * pupil tagged to the whole photo (so their face cannot be located) lacks consent.
   */
  async publishableRendition(
    schoolId: string,
    itemId: string,
    purpose: string,
    actor: Actor,
  ): Promise<MediaRenditionRow> {
    const { database, repository, audit, clock, files, images } = this.deps;
    const item = await this.getItem(schoolId, itemId);
    const refusal = this.reasonNotPublishable(item);
    if (refusal) throw new MediaNotPublishableError(refusal.reason, refusal.message);
    const settings = await this.settings(schoolId);
    const purposeDef = settings.consent.purposes.value.find((p) => p.key === purpose);
    if (!purposeDef)
      throw new MediaNotPublishableError(
        'unknown_purpose',
        'Choose one of the purposes in the school’s consent form.',
      );
    const [faces, tags] = await Promise.all([
      repository.faces(this.db, schoolId, itemId),
      repository.pupilTags(this.db, schoolId, itemId),
    ]);
    const blurAll = settings.publishing.blurFaces.value === 'all';
    const at = clock.now();
    const linked = faces.filter((f) => f.pupilId);
    const checks = [
      ...linked.map((f) => ({ pupilId: f.pupilId!, purpose, mediaType: 'image' as const, at })),
      ...tags.map((t) => ({ pupilId: t.pupilId, purpose, mediaType: 'image' as const, at })),
    ];
    const answers = await this.deps.consent.mayMany(schoolId, checks);
    const faceAnswers = new Map(linked.map((f, i) => [f.id, answers[i]!]));
    const tagAnswers = tags.map((t, i) => ({ tag: t, answer: answers[linked.length + i]! }));
    const withoutConsent = tagAnswers.filter(
      (x) => !x.answer.allowed && !linked.some((f) => f.pupilId === x.tag.pupilId),
    );
    if (withoutConsent.length > 0) {
      throw new MediaNotPublishableError(
        'tagged_without_consent',
        `${withoutConsent.length === 1 ? 'A pupil tagged' : `${withoutConsent.length} pupils tagged`} to the whole photo ${withoutConsent.length === 1 ? 'does' : 'do'} not have consent for “${purposeDef.label}”, and Lanyard cannot tell which face to blur. Link ${withoutConsent.length === 1 ? 'them' : 'each of them'} to a face box (or add a box), then try again.`,
      );
    }
    const basis: RenditionBasisEntry[] = faces.map((f) => {
      if (blurAll)
        return {
          seq: f.seq,
          pupilId: f.pupilId,
          blurred: true,
          reason: 'The policy blurs every face.',
        };
      if (!f.pupilId)
        return {
          seq: f.seq,
          pupilId: null,
          blurred: true,
          reason: 'Not linked to a pupil, so there is no consent.',
        };
      const a = faceAnswers.get(f.id)!;
      return { seq: f.seq, pupilId: f.pupilId, blurred: !a.allowed, reason: a.reason };
    });
    const regions: Region[] = faces
      .filter((_, i) => basis[i]!.blurred)
      .map((f) => ({ x: f.x, y: f.y, width: f.width, height: f.height }));
    const original = await files.read(item.originalKey!);
    const out =
      regions.length > 0
        ? await images.blurRegions(original, regions)
        : await images.normalise(original);
    const key = keyFor(schoolId, itemId, `rendition-${purpose}.jpg`);
    const temp = await files.writeTemp(out.data);
    let row: MediaRenditionRow;
    try {
      row = await database.transaction(async (tx) => {
        const locked = await repository.getForUpdate(tx.db, schoolId, itemId);
        if (!locked) throw new NotFoundError();
        const again = this.reasonNotPublishable(locked);
        if (again) throw new MediaNotPublishableError(again.reason, again.message);
        const saved = await repository.upsertRendition(tx.db, {
          id: crypto.randomUUID(),
          schoolId,
          mediaId: itemId,
          purpose,
          fileKey: key,
          width: out.width,
          height: out.height,
          sizeBytes: out.data.length,
          facesTotal: faces.length,
          facesBlurred: regions.length,
          basis,
          createdBy: actor.kind === 'staff' ? actor.id : null,
          createdAt: clock.now(),
        });
        await audit.record(tx, {
          schoolId,
          actor,
          action: 'media.rendition-created',
          entityType: 'media_item',
          entityId: itemId,
          data: {
            purpose,
            facesTotal: faces.length,
            facesBlurred: regions.length,
            blurAll,
            consentRegister: this.deps.consent ? 'checked' : 'unavailable',
          },
        });
        return saved;
      });
    } catch (e) {
      await files.discard(temp.name);
      throw e;
    }
    await files.commit(temp.name, key);
    return row;
  }

  async rendition(schoolId: string, id: string, purpose: string): Promise<MediaRenditionRow> {
    await this.getItem(schoolId, id);
    const r = await this.deps.repository.getRendition(this.db, schoolId, id, purpose);
    if (!r) throw new NotFoundError();
    return r;
  }

  async renditionFile(schoolId: string, id: string, purpose: string) {
    const r = await this.rendition(schoolId, id, purpose);
    return this.streamKey(r.fileKey, 'image/jpeg');
  }

  // -------------------------------------------------------------------------------------------
  // Quarantine review and deletion (the device approver)

  private async assertApprover(p: Principal): Promise<{ schoolId: string; actor: Actor }> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const role = await this.deps.devices.approverRole(p.schoolId);
    if (!canReviewQuarantine(p, role)) throw new NotFoundError();
    return { schoolId: p.schoolId, actor: { kind: 'staff', id: p.id } };
  }

  /** Whether this person reviews the quarantine under the current profile. */
  async isQuarantineReviewer(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canReviewQuarantine(p, await this.deps.devices.approverRole(p.schoolId));
  }

  async listQuarantine(p: Principal, page: number) {
    const { schoolId } = await this.assertApprover(p);
    return this.list(schoolId, 'quarantine', page);
  }

  /** The approver has checked where it came from and releases it into the library. */
  async release(p: Principal, id: string): Promise<void> {
    const { schoolId, actor } = await this.assertApprover(p);
    const { database, repository, audit, clock } = this.deps;
    await database.transaction(async (tx) => {
      const item = await repository.getForUpdate(tx.db, schoolId, id);
      if (!item) throw new NotFoundError();
      if (!item.quarantineReason) throw new ConflictError('This item is not in quarantine.');
      await repository.update(tx.db, schoolId, id, {
        quarantineReason: null,
        releasedBy: actor.id,
        releasedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'media.released-from-quarantine',
        entityType: 'media_item',
        entityId: id,
        data: { reason: item.quarantineReason },
      });
    });
  }

  /** The approver deletes an item (from quarantine or the library): rows, then every file. */
  async delete(p: Principal, id: string): Promise<void> {
    const { schoolId, actor } = await this.assertApprover(p);
    const { database, repository, audit } = this.deps;
    const keys = await database.transaction(async (tx) => {
      const item = await repository.getForUpdate(tx.db, schoolId, id);
      if (!item) throw new NotFoundError();
      const keys = await this.keysOf(tx.db, item);
      await repository.delete(tx.db, schoolId, id);
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'media.deleted',
        entityType: 'media_item',
        entityId: id,
        data: { kind: item.kind, quarantined: item.quarantineReason !== null, files: keys.length },
      });
      return keys;
    });
    await this.removeFiles(schoolId, id, keys);
  }

  private async keysOf(db: Parameters<MediaRepository['renditionKeysFor']>[0], item: MediaItemRow) {
    const renditions =
      (await this.deps.repository.renditionKeysFor(db, [item.id])).get(item.id) ?? [];
    return [item.uploadKey, item.originalKey, item.thumbnailKey, ...renditions].filter(
      (k): k is string => !!k,
    );
  }

  /** Deletes the known keys, then anything else left under the item's folder. */
  private async removeFiles(schoolId: string, mediaId: string, keys: string[]): Promise<number> {
    const { files } = this.deps;
    let n = 0;
    for (const key of keys) {
      await files.delete(key);
      n += 1;
    }
    for await (const f of files.list(`${schoolId}/media/${mediaId}`)) {
      await files.delete(f.key);
      n += 1;
    }
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Retention (`media.retention`) and the orphan sweeper (jobs)

  /**
   * Archives items of past academic years (read-only, out of the working library) and deletes
   * those whose retention has run out unless kept as evidence of achievement, per the profile.
   * One transaction per school with the report row and one audit event; files are deleted after
   * it commits. Running it twice changes nothing the second time (but records the run).
   */
  async runRetention(schoolId?: string): Promise<RetentionReport[]> {
    const schools = schoolId
      ? [schoolId]
      : (await this.deps.people.listSchools(this.db)).map((s) => s.id);
    const reports: RetentionReport[] = [];
    for (const id of schools) {
      const current = await this.deps.policies.currentOrNull(id);
      if (!current) continue;
      reports.push(await this.retentionFor(id, current.settings));
    }
    return reports;
  }

  private async retentionFor(schoolId: string, settings: PolicySettings): Promise<RetentionReport> {
    const { database, repository, audit, clock } = this.deps;
    const now = clock.now();
    const year = academicYearKey(settings, ukDate(now));
    const rules = settings.media.retention;
    const keepEvidence = rules.keepEvidenceOfAchievement.value;
    const deleteAfter = rules.deleteAfterYears.value;
    const { runId, deleted, archived, kept } = await database.transaction(async (tx) => {
      // Deletion: items whose year ended more than `deleteAfter` years ago (`media.retention`: archived at
      // the end of the year, deleted the following year).
      const toDelete: MediaItemRow[] = [];
      let kept = 0;
      if (deleteAfter !== null) {
        const lastYearFirst = firstYear(year) - 1 - deleteAfter;
        const lastKey = `${lastYearFirst}-${pad((lastYearFirst + 1) % 100)}`;
        const candidates = await repository.ofYearsUpTo(tx.db, schoolId, lastKey);
        for (const c of candidates) {
          if (c.evidenceOfAchievement && keepEvidence) kept += 1;
          else toDelete.push(c);
        }
      }
      const deleting = new Set(toDelete.map((d) => d.id));
      let archivedIds: string[] = [];
      if (rules.archiveAtYearEnd.value) {
        archivedIds = (await repository.toArchive(tx.db, schoolId, year))
          .filter((i) => !deleting.has(i.id))
          .map((i) => i.id);
        await repository.archive(tx.db, schoolId, archivedIds, now);
      }
      const renditionKeys = await repository.renditionKeysFor(
        tx.db,
        toDelete.map((d) => d.id),
      );
      const deleted = toDelete.map((d) => ({
        id: d.id,
        kind: d.kind,
        eventLabel: d.eventLabel,
        academicYear: d.academicYear,
        uploadedAt: d.uploadedAt.toISOString(),
        keys: [
          d.uploadKey,
          d.originalKey,
          d.thumbnailKey,
          ...(renditionKeys.get(d.id) ?? []),
        ].filter((k): k is string => !!k),
      }));
      await repository.deleteMany(
        tx.db,
        schoolId,
        toDelete.map((d) => d.id),
      );
      const run = await repository.insertRetentionRun(tx.db, {
        schoolId,
        ranAt: now,
        academicYear: year,
        archived: archivedIds.length,
        deleted: deleted.length,
        keptAsEvidence: kept,
        deletedItems: deleted.map((d) => ({
          id: d.id,
          kind: d.kind,
          eventLabel: d.eventLabel,
          academicYear: d.academicYear,
          uploadedAt: d.uploadedAt,
          files: d.keys.length,
        })),
      });
      await audit.record(tx, {
        schoolId,
        actor: systemActor,
        action: 'media.retention-run',
        entityType: 'media_retention_run',
        entityId: run.id,
        data: {
          academicYear: year,
          archived: archivedIds.length,
          deleted: deleted.map((d) => d.id),
          keptAsEvidence: kept,
        },
      });
      return { runId: run.id, deleted, archived: archivedIds.length, kept };
    });
    for (const d of deleted) await this.removeFiles(schoolId, d.id, d.keys);
    return { schoolId, runId, archived, deleted: deleted.length, keptAsEvidence: kept };
  }

  async retentionRuns(schoolId: string): Promise<RetentionRunRow[]> {
    return this.deps.repository.retentionRuns(this.db, schoolId);
  }

  /**
   * Cleans what a crash left (ARCHITECTURE rule 10): temporary files older than the grace period;
   * committed files no row refers to; rows whose upload never reached the store; ingests stalled
   * for a day (marked failed, so the uploader sees it).
   */
  async sweepOrphans(): Promise<SweepReport> {
    const { files, repository, database, audit, clock } = this.deps;
    const now = clock.now().getTime();
    const cutoff = new Date(now - SWEEP_GRACE_MS);
    // Batches a crash interrupted after their commit first: their files are still temporaries.
    await this.recoverUploads();
    const report: SweepReport = {
      tempFilesRemoved: await files.sweepTemp(cutoff),
      orphanFilesRemoved: 0,
      incompleteUploadsRemoved: 0,
      stalledIngestsFailed: 0,
    };
    // Committed files: group by item id (the key's second segment), ask the rows once per batch.
    const batch: { key: string; mediaId: string }[] = [];
    const flush = async () => {
      const ids = [...new Set(batch.map((b) => b.mediaId))];
      const referenced = await repository.referencedKeys(this.db, ids);
      for (const b of batch) {
        if (!referenced.has(b.key)) {
          // Re-check this one file's item in case it changed since the batch query.
          const again = await repository.referencedKeys(this.db, [b.mediaId]);
          if (!again.has(b.key)) {
            await files.delete(b.key);
            report.orphanFilesRemoved += 1;
          }
        }
      }
      batch.length = 0;
    };
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const name = /^(upload|original\.jpg|preview\.jpg|video\.\w+|rendition-[a-z0-9_]+\.jpg)$/;
    // Media keys are <schoolId>/media/<mediaId>/<name>; other modules keep their own files.
    for (const school of await this.deps.people.listSchools(this.db)) {
      for await (const f of files.list(`${school.id}/media`)) {
        const parts = f.key.split('/');
        if (parts.length !== 4 || !uuid.test(parts[2]!) || !name.test(parts[3]!)) continue;
        if (f.modifiedAt.getTime() > cutoff.getTime()) continue;
        batch.push({ key: f.key, mediaId: parts[2]! });
        if (batch.length >= 500) await flush();
      }
    }
    if (batch.length) await flush();

    // Rows whose upload file never arrived, or whose ingest stalled.
    for (const item of await repository.processingBefore(this.db, cutoff)) {
      const present = item.uploadKey ? await files.exists(item.uploadKey) : false;
      if (!present) {
        await database.transaction(async (tx) => {
          const locked = await repository.getForUpdate(tx.db, item.schoolId, item.id);
          if (!locked || locked.status !== 'processing') return;
          await repository.delete(tx.db, item.schoolId, item.id);
          await audit.record(tx, {
            schoolId: item.schoolId,
            actor: systemActor,
            action: 'media.incomplete-upload-removed',
            entityType: 'media_item',
            entityId: item.id,
            data: {},
          });
        });
        await this.removeFiles(item.schoolId, item.id, []);
        report.incompleteUploadsRemoved += 1;
      } else if (now - item.uploadedAt.getTime() > STALLED_INGEST_MS) {
        await this.failIngest(
          item,
          'Lanyard could not process this photo. Delete it and upload it again.',
        );
        report.stalledIngestsFailed += 1;
      }
    }
    return report;
  }
}
