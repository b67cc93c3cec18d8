import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { schools, staff } from '../../people/people.tables.ts';
import { incidents } from '../incidents.tables.ts';

/**
 * A school's own wording of a letter template (issue 14 item 7; docs/incidents.md). Each edit
 * is a new row, never changed or deleted (trigger, custom migration): the newest row of a key is
 * the template, the rest its history. A key with no row uses Lanyard's wording.
 */
export const incidentLetterTemplateVersions = pgTable(
  'incident_letter_template_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** A key of `letterTemplateKeys` ('parent_warning', 'platform_removal', 'meeting_invitation'). */
    templateKey: text('template_key').notNull(),
    title: text('title').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    /** What the letter asks for when the sender writes nothing else ((what we ask)). */
    defaultAsk: text('default_ask').notNull(),
    note: text('note').notNull(),
    editedBy: uuid('edited_by')
      .notNull()
      .references(() => staff.id),
    editedAt: timestamp('edited_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incident_letter_template_versions_idx').on(t.schoolId, t.templateKey, t.editedAt)],
);

/**
 * A letter made for an incident: the words as sent, and the PDF kept in the encrypted evidence
 * store (platform/evidence: AES-256-GCM, checked against its SHA-256 on every read) under
 * `storage_key`. Never changed or deleted (trigger): a second letter is a new row, and the
 * incident's chronology has an entry of kind `letter` for each.
 */
export const incidentLetters = pgTable(
  'incident_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    templateKey: text('template_key').notNull(),
    /** The school's template version used; null when Lanyard's wording was. */
    templateVersionId: uuid('template_version_id').references(
      () => incidentLetterTemplateVersions.id,
    ),
    title: text('title').notNull(),
    recipientName: text('recipient_name').notNull(),
    recipientEmail: text('recipient_email'),
    subject: text('subject').notNull(),
    /** The letter's words with every placeholder filled, as printed in the PDF. */
    body: text('body').notNull(),
    /** Where the encrypted PDF is in the file store (`<schoolId>/letters/<id>.pdf`). */
    storageKey: text('storage_key').notNull(),
    pdfSha256: text('pdf_sha256').notNull(),
    pdfSize: integer('pdf_size').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incident_letters_incident_idx').on(t.schoolId, t.incidentId, t.createdAt)],
);

/** A letter emailed (one row per letter; the job claims it before sending, so it goes once). */
export const incidentLetterEmails = pgTable('incident_letter_emails', {
  letterId: uuid('letter_id')
    .primaryKey()
    .references(() => incidentLetters.id),
  schoolId: uuid('school_id')
    .notNull()
    .references(() => schools.id),
  sentTo: text('sent_to').notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
});
