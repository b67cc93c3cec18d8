import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { importRunColumns } from '../../platform/imports/import-tables.ts';
import { parents, pupils, schools, staff } from '../people/people.tables.ts';

/**
 * The consent register (SPEC §3.2). Append-only: a change is a new record, never an update
 * (a trigger refuses UPDATE and DELETE). Each record is one statement by one decider — a parent
 * with parental responsibility or the pupil assessed as competent — about some of the keys
 * `purpose/kind` (kind: image, video, or name for permission to name the pupil with a photo),
 * for one period. The decision for a key is the decider's latest record that mentions it.
 */
export const consentRecords = pgTable(
  'consent_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    /** '2026-27' for a yearly consent, 'admission' for consent given until changed. */
    periodKey: text('period_key').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    /** Exclusive; null while consent lasts until changed. */
    validUntil: date('valid_until', { mode: 'string' }),
    /** 'parent' | 'pupil' */
    deciderKind: text('decider_kind').notNull(),
    deciderParentId: uuid('decider_parent_id').references(() => parents.id),
    /** { 'school_website/image': 'granted', 'local_newspapers/name': 'refused', … } */
    decisions: jsonb('decisions').$type<Record<string, string>>().notNull(),
    /** 'paper_form' | 'online_form' | 'letter' | 'email' | 'import' */
    method: text('method').notNull(),
    /** 'form' | 'amendment' | 'withdrawal' | 'import' */
    kind: text('kind').notNull(),
    /** The date the decider gave (on the form or letter). */
    decidedOn: date('decided_on', { mode: 'string' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    /** 'staff' | 'parent' | 'pupil' | 'system' | 'cli' */
    recordedByKind: text('recorded_by_kind').notNull(),
    recordedById: uuid('recorded_by_id'),
    evidenceKey: text('evidence_key'),
    evidenceFilename: text('evidence_filename'),
    evidenceContentType: text('evidence_content_type'),
    evidenceSha256: text('evidence_sha256'),
    importId: uuid('import_id'),
    note: text('note'),
    /**
     * The school's policy version whose rules the statement was checked against when recorded
     * (its purposes, questions and clauses); the receipt shows that version. Null on records made
     * before this column existed: the receipt then takes the version in force at recordedAt.
     */
    policyVersion: integer('policy_version'),
    /**
     * The receipt's reference, short enough to read out over the phone: 8 characters from an
     * alphabet without look-alikes (no 0, O, 1, I or L), unique in the school, shown as
     * "K7M4-Q2PX". Set by a trigger on insert (migration 0013, which also gave earlier records one) for every record, however it is
     * made; never null after that migration.
     */
    receiptReference: text('receipt_reference'),
  },
  (t) => [
    uniqueIndex('consent_records_school_reference_idx').on(t.schoolId, t.receiptReference),
    // The consent check reads a pupil's records through consent_records_check_idx (pupil_id,
    // recorded_at) INCLUDE (every column the check reads): an index-only scan of one or two pages
    // instead of a heap page per record. Drizzle cannot declare INCLUDE, so migration 0008 creates
    // it (with the covering indexes on parents and pupil_parents the check also uses).
    index('consent_records_school_recorded_idx').on(t.schoolId, t.recordedAt),
    index('consent_records_school_period_idx').on(t.schoolId, t.periodKey, t.pupilId),
  ],
);

/**
 * One row per school: a number that goes up, in the same transaction, whenever anything the consent
 * check reads changes for that school — a consent record, a competence assessment, who has
 * parental responsibility, a parent's name, a pupil joining or leaving the school's rows, the
 * current policy version. It is kept by database triggers (migration 0007), never by application
 * code, so no code path can change an input without changing the number. The check's in-process
 * cache (consent-register-cache.ts) is valid only while this number is unchanged: see ADR 0009.
 */
export const consentRegisterVersions = pgTable('consent_register_versions', {
  schoolId: uuid('school_id')
    .primaryKey()
    .references(() => schools.id),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

/**
 * Confirmation emails sent for online statements (the receipt, issue 3 item 4). The job that
 * sends one is enqueued in the same transaction as the record, so a mail server that is down, or
 * a crash after the commit, delays the email but never loses it; this row says it went, so the
 * job and the immediate attempt after the commit never both send it.
 */
export const consentReceiptEmails = pgTable('consent_receipt_emails', {
  recordId: uuid('record_id')
    .primaryKey()
    .references(() => consentRecords.id),
  schoolId: uuid('school_id')
    .notNull()
    .references(() => schools.id),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
});

/** Assessments of whether a pupil may decide for themself (`consent.competentPupilMayConsent`). Latest wins; append-only. */
export const pupilCompetenceAssessments = pgTable(
  'pupil_competence_assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    competent: boolean('competent').notNull(),
    assessedBy: uuid('assessed_by')
      .notNull()
      .references(() => staff.id),
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    note: text('note'),
  },
  (t) => [index('pupil_competence_pupil_idx').on(t.pupilId, t.recordedAt)],
);

/** Answers a parent (or competent pupil) has entered but not yet confirmed on check-answers. */
export const consentDrafts = pgTable(
  'consent_drafts',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    deciderKind: text('decider_kind').notNull(),
    deciderId: uuid('decider_id').notNull(),
    periodKey: text('period_key').notNull(),
    answers: jsonb('answers').$type<Record<string, string>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.pupilId, t.deciderKind, t.deciderId, t.periodKey] })],
);

/** A renewal campaign: consent forms for one period sent to every parent of every pupil on roll. */
export const consentCampaigns = pgTable(
  'consent_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    periodKey: text('period_key').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** Null when the rollover job started it. */
    startedBy: uuid('started_by'),
    /**
     * The name of who started it, in words, written by the retention sweep when it deletes their
     * own record (docs/subject-access.md, "Staff named with no key").
     */
    startedByName: text('started_by_name'),
    reminderDays: integer('reminder_days').notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('consent_campaigns_school_period_key').on(t.schoolId, t.periodKey)],
);

/** One parent's form request within a campaign: when it was sent and each reminder. */
export const consentRequests = pgTable(
  'consent_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => consentCampaigns.id),
    parentId: uuid('parent_id')
      .notNull()
      .references(() => parents.id),
    firstSentAt: timestamp('first_sent_at', { withTimezone: true }),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true }),
    remindersSent: integer('reminders_sent').notNull().default(0),
    /** Set when every child of this parent has a returned form for the period. */
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('consent_requests_campaign_parent_key').on(t.campaignId, t.parentId),
    index('consent_requests_school_idx').on(t.schoolId, t.campaignId),
  ],
);

/** An uploaded spreadsheet of existing consents: previewed with row errors, then committed. */
export const consentImports = pgTable(
  'consent_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    ...importRunColumns(),
  },
  (t) => [index('consent_imports_school_idx').on(t.schoolId, t.createdAt)],
);

/**
 * A per-pupil "never publish" restriction, independent of parental consent (issue 15): set or
 * lifted by the people the policy names (`consent.publicationRestrictionSetters`, the DSL and
 * Headteacher by default) for safeguarding or legal reasons (a looked-after or adopted child, a
 * court order). Latest row wins; append-only (migration 0042 refuses UPDATE and DELETE and bumps
 * the register version, so the consent check and its cache see it at once). The reason is shown
 * only to those who may set it; everyone else sees "do not publish".
 */
export const pupilPublicationRestrictions = pgTable(
  'pupil_publication_restrictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    /** True: never publish this pupil; false: the restriction is lifted. */
    restricted: boolean('restricted').notNull(),
    /** Why (restricted) or why lifted; shown only to the people who may set it. */
    reason: text('reason').notNull(),
    setBy: uuid('set_by')
      .notNull()
      .references(() => staff.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('pupil_publication_restrictions_pupil_idx').on(t.pupilId, t.recordedAt)],
);
