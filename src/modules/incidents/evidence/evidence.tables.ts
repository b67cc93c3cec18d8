import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { schools } from '../../people/people.tables.ts';
import { incidents } from '../incidents.tables.ts';

/**
 * Evidence files of an incident (issue 14 item 3; docs/incidents.md "Evidence"). One row a file,
 * append-only (trigger, custom migration): what was uploaded, its SHA-256 and size, when and by
 * whom, and the reporter's own account of when and where. The file itself is in the encrypted
 * evidence store (platform/evidence) under `storage_key`; the key that opens it is configuration
 * (EVIDENCE_KEY), never a column.
 */
export const incidentEvidence = pgTable(
  'incident_evidence',
  {
    id: uuid('id').primaryKey(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    /** SHA-256 of the file as uploaded (hex), checked on every download. */
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** What the bytes are (sniffed, never the browser's word): image/png, application/pdf … */
    mediaType: text('media_type').notNull(),
    /** The file's name as the uploader's device gave it (folders and control characters removed). */
    originalName: text('original_name').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
    /** 'staff' | 'parent' | 'pupil' */
    uploadedByKind: text('uploaded_by_kind').notNull(),
    uploadedById: uuid('uploaded_by_id').notNull(),
    /** When it was posted, sent or seen, in the uploader's own words (e.g. "Saturday about 9pm"). */
    statedAt: text('stated_at'),
    /** Where, in the uploader's own words (the app, group, page or account). */
    statedPlace: text('stated_place'),
    /** Where the encrypted file is in the evidence store: `<schoolId>/evidence/<id>`. */
    storageKey: text('storage_key').notNull(),
  },
  (t) => [
    index('incident_evidence_incident_idx').on(t.schoolId, t.incidentId, t.uploadedAt),
    uniqueIndex('incident_evidence_storage_key_key').on(t.storageKey),
  ],
);
