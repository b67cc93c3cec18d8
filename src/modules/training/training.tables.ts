import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { importRunColumns } from '../../platform/imports/import-tables.ts';
import { schools } from '../people/people.tables.ts';

/**
 * Training (SPEC §3.8, issue 17 items 3, 4, 6). The kinds of training are the profile's
 * `training.sessions.*` keys (staff_induction, staff_regular, at_risk_identification,
 * pupils_esafety, parents_esafety); see docs/training.md.
 */

/** A scheduled session: a kind, when, where, who runs it and who it is for. */
export const trainingSessions = pgTable(
  'training_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    kind: text('kind').notNull(),
    /** staff | pupils | parents */
    audience: text('audience').notNull(),
    /** For a pupils' session: the class. */
    className: text('class_name'),
    title: text('title').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    place: text('place').notNull(),
    trainer: text('trainer').notNull(),
    /** Places parents may book (parents' sessions); null: no booking. */
    capacity: integer('capacity'),
    createdBy: uuid('created_by'),
    /**
     * The name of who created it, in words, written by the retention sweep when it deletes their
     * own record (docs/subject-access.md, "Staff named with no key").
     */
    createdByName: text('created_by_name'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    index('training_sessions_school_starts').on(t.schoolId, t.startsAt),
    index('training_sessions_school_kind').on(t.schoolId, t.kind, t.startsAt),
  ],
);

/**
 * Who attended a session (staff or parents). One row per person per session; taking the
 * register again updates `attended`. `kind` and `attended_on` are copied from the session so the
 * compliance view reads one table with one index.
 */
export const trainingAttendance = pgTable(
  'training_attendance',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    kind: text('kind').notNull(),
    /** staff | parent */
    personKind: text('person_kind').notNull(),
    personId: uuid('person_id').notNull(),
    attended: boolean('attended').notNull(),
    attendedOn: date('attended_on', { mode: 'string' }).notNull(),
    /** room | import */
    source: text('source').notNull(),
    recordedBy: uuid('recorded_by'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('training_attendance_person').on(t.sessionId, t.personKind, t.personId),
    // Compliance: each person's latest attendance per kind, in one index scan per school.
    index('training_attendance_compliance')
      .on(t.schoolId, t.personKind, t.kind, t.personId, t.attendedOn)
      .where(sql`${t.attended}`),
  ],
);

/**
 * Each person's latest attended date per kind: one row per person and kind, kept in the same
 * transaction as every attendance write (the repository recomputes it from the history for the
 * people written), so the compliance view reads a school's staff (or a trust's schools) without
 * scanning years of attendance.
 */
export const trainingLatest = pgTable(
  'training_latest',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    personKind: text('person_kind').notNull(),
    personId: uuid('person_id').notNull(),
    kind: text('kind').notNull(),
    lastAttended: date('last_attended', { mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.schoolId, t.personKind, t.personId, t.kind] })],
);

/** A class's termly e-safety lesson, marked by its teacher (pupils' e-safety by class). */
export const trainingClassLessons = pgTable(
  'training_class_lessons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    className: text('class_name').notNull(),
    /** e.g. 2026-autumn */
    termKey: text('term_key').notNull(),
    taughtOn: date('taught_on', { mode: 'string' }).notNull(),
    topic: text('topic').notNull(),
    taughtBy: uuid('taught_by').notNull(),
    /**
     * The name of who taught it, in words, written by the retention sweep when it deletes their own
     * record (docs/subject-access.md, "Staff named with no key").
     */
    taughtByName: text('taught_by_name'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('training_class_lessons_term').on(t.schoolId, t.className, t.termKey)],
);

/** A parent's booked place at a parents' session (cancelled, never deleted). */
export const trainingBookings = pgTable(
  'training_bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    parentId: uuid('parent_id').notNull(),
    places: integer('places').notNull(),
    bookedAt: timestamp('booked_at', { withTimezone: true }).notNull(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('training_bookings_active')
      .on(t.sessionId, t.parentId)
      .where(sql`${t.cancelledAt} IS NULL`),
    index('training_bookings_school_parent').on(t.schoolId, t.parentId),
  ],
);

/**
 * "Due again" marks (the profile's `training.refreshAfterIncidentOrChange`): a significant incident
 * or a new policy version makes a person's training of a kind due again. A mark counts until the
 * person attends a session of that kind on or after the day it was made.
 */
export const trainingDueAgain = pgTable(
  'training_due_again',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id').notNull(),
    kind: text('kind').notNull(),
    /** policy_version | incident */
    reason: text('reason').notNull(),
    /** The version number or the incident's id. */
    reference: text('reference').notNull(),
    markedOn: date('marked_on', { mode: 'string' }).notNull(),
    markedAt: timestamp('marked_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('training_due_again_once').on(t.schoolId, t.staffId, t.kind, t.reason, t.reference),
    index('training_due_again_school').on(t.schoolId, t.staffId),
  ],
);

/** Files for a session (slides, handouts) in the file store. */
export const trainingMaterials = pgTable(
  'training_materials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    fileKey: text('file_key').notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    uploadedBy: uuid('uploaded_by'),
    /**
     * The name of who uploaded it, in words, written by the retention sweep when it deletes their
     * own record (docs/subject-access.md, "Staff named with no key").
     */
    uploadedByName: text('uploaded_by_name'),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('training_materials_session').on(t.schoolId, t.sessionId)],
);

/** One row per reminder sent (the reminder job is safe to run twice). */
export const trainingReminders = pgTable(
  'training_reminders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id').notNull(),
    kind: text('kind').notNull(),
    /** The due date the reminder was about, and whom it went to (person | manager). */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    recipient: text('recipient').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('training_reminders_once').on(t.schoolId, t.staffId, t.kind, t.dueOn, t.recipient),
  ],
);

/** Attendance imported from a CSV through the shared import pipeline (ADR 0022). */
export const trainingAttendanceImports = pgTable(
  'training_attendance_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    ...importRunColumns(),
  },
  (t) => [index('training_attendance_imports_school_idx').on(t.schoolId, t.createdAt)],
);
