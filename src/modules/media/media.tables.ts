import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { pupils, schools, staff } from '../people/people.tables.ts';
import { captureDevices } from '../devices/devices.tables.ts';

/**
 * The media library (SPEC §3.4). One row per uploaded photo or video. The files live in the
 * FileStore under `<schoolId>/<mediaId>/…`; the row records every key it owns, so the orphan
 * sweeper can tell a file that belongs from one a crash left behind.
 */
export const mediaItems = pgTable(
  'media_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** 'image' | 'video' */
    kind: text('kind').notNull(),
    /** 'processing' (waiting for the ingest job) | 'ready' | 'failed' */
    status: text('status').notNull(),
    /** The registered device it came from; null when the uploader named an unregistered one. */
    deviceId: uuid('device_id').references(() => captureDevices.id),
    /** What the uploader said about an unregistered device. */
    deviceDescription: text('device_description'),
    /** 'unregistered_device' | 'device_not_approved' while quarantined, else null. */
    quarantineReason: text('quarantine_reason'),
    /** Set when the device approver released the item from quarantine. */
    releasedBy: uuid('released_by').references(() => staff.id),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    /** A general event label ('sports day'), never a pupil's name (`publishing.groupImagesWithGeneralLabels`). */
    eventLabel: text('event_label').notNull(),
    /** Swimming or swimwear: can never be made publishable (`media.swimwearBan`). Never cleared. */
    swimwear: boolean('swimwear').notNull().default(false),
    /** Kept beyond the retention period as evidence of achievement (`media.retention.keepEvidenceOfAchievement`). */
    evidenceOfAchievement: boolean('evidence_of_achievement').notNull().default(false),
    /** 'jpeg' | 'png' | 'webp' | 'heif' | 'mp4' | 'mov' | 'webm' (as detected from the bytes). */
    format: text('format').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    width: integer('width'),
    height: integer('height'),
    /** The file as uploaded, until the ingest job has replaced it (images) — then null. */
    uploadKey: text('upload_key'),
    /** Images: the normalised copy (oriented, every metadata field stripped). Videos: the upload. */
    originalKey: text('original_key'),
    thumbnailKey: text('thumbnail_key'),
    /** Faces the detector found (null until ingested; videos are not analysed). */
    detectedFaces: integer('detected_faces'),
    failure: text('failure'),
    /** '2026-27': the academic year it was taken in, by the profile's year start. */
    academicYear: text('academic_year').notNull(),
    uploadedBy: uuid('uploaded_by').references(() => staff.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
    ingestedAt: timestamp('ingested_at', { withTimezone: true }),
    /** Out of the working library and read-only (`media.retention.archiveAtYearEnd`). */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [
    index('media_items_school_idx').on(t.schoolId, t.archivedAt, t.uploadedAt),
    index('media_items_quarantine_idx').on(t.schoolId, t.quarantineReason),
    index('media_items_device_idx').on(t.deviceId),
  ],
);

/** A face box on a photo: found by the detector or drawn by staff, optionally linked to a pupil. */
export const mediaFaces = pgTable(
  'media_faces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    mediaId: uuid('media_id')
      .notNull()
      .references(() => mediaItems.id, { onDelete: 'cascade' }),
    /** The number shown on the photo; stable while boxes are added and removed. */
    seq: integer('seq').notNull(),
    /** Pixels of the normalised image. */
    x: integer('x').notNull(),
    y: integer('y').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    score: real('score'),
    /** 'detector' | 'staff' */
    source: text('source').notNull(),
    pupilId: uuid('pupil_id').references(() => pupils.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('media_faces_media_seq_key').on(t.mediaId, t.seq),
    index('media_faces_pupil_idx').on(t.schoolId, t.pupilId),
  ],
);

/** A pupil tagged to the whole photo or video (not to one face box). */
export const mediaPupilTags = pgTable(
  'media_pupil_tags',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    mediaId: uuid('media_id')
      .notNull()
      .references(() => mediaItems.id, { onDelete: 'cascade' }),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    taggedBy: uuid('tagged_by').references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.mediaId, t.pupilId] }),
    index('media_pupil_tags_pupil_idx').on(t.schoolId, t.pupilId),
  ],
);

/** The publishable copy of a photo for one purpose: faces without consent blurred. */
export const mediaRenditions = pgTable(
  'media_renditions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    mediaId: uuid('media_id')
      .notNull()
      .references(() => mediaItems.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    fileKey: text('file_key').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    facesTotal: integer('faces_total').notNull(),
    facesBlurred: integer('faces_blurred').notNull(),
    /** Per face: seq, pupil id, blurred or not, and the consent answer's reason. */
    basis: jsonb('basis').notNull(),
    createdBy: uuid('created_by').references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('media_renditions_media_purpose_key').on(t.mediaId, t.purpose)],
);

/** One run of the retention job for one school: what it archived and deleted (`media.retention`). */
export const mediaRetentionRuns = pgTable(
  'media_retention_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
    /** The academic year the run happened in, e.g. '2026-27'. */
    academicYear: text('academic_year').notNull(),
    archived: integer('archived').notNull(),
    deleted: integer('deleted').notNull(),
    keptAsEvidence: integer('kept_as_evidence').notNull(),
    /** Each deleted item: id, kind, event label, academic year, uploaded at, files removed. */
    deletedItems: jsonb('deleted_items').notNull(),
  },
  (t) => [index('media_retention_runs_school_idx').on(t.schoolId, t.ranAt)],
);

/** One file of a batch upload: where its temporary file is, and the key it moves to. */
export interface UploadMove {
  mediaId: string;
  kind: 'image' | 'video';
  temp: string;
  key: string;
}

/**
 * A batch upload whose rows are committed but whose files may not all have moved into place
 * yet (issue 10 item 9). Written in the same transaction as the batch's items, deleted once every
 * file has moved; a row still here at start-up is a batch a crash interrupted after its commit,
 * and start-up finishes the moves. A crash before the commit leaves no row and no item at all:
 * a batch is stored whole or not at all.
 */
export const mediaUploadBatches = pgTable('media_upload_batches', {
  id: uuid('id').primaryKey(),
  schoolId: uuid('school_id')
    .notNull()
    .references(() => schools.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  moves: jsonb('moves').$type<UploadMove[]>().notNull(),
});
