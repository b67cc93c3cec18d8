import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { parents, pupils, schools, staff } from '../people/people.tables.ts';

/**
 * Subject access requests (UK GDPR Art. 15; SPEC §3.10): who asked, about whom, when it was
 * received, how identity was checked, and the one-calendar-month due date (extendable with a
 * reason). Producing the bundle and closing the request are recorded here and in the audit log.
 */
export const subjectAccessRequests = pgTable(
  'subject_access_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** 'pupil' | 'parent' */
    subjectKind: text('subject_kind').notNull(),
    pupilId: uuid('pupil_id').references(() => pupils.id),
    parentId: uuid('parent_id').references(() => parents.id),
    /** Who asked, in the DPO's words ("Mrs A Shah, the pupil's mother"). */
    requesterName: text('requester_name').notNull(),
    /** 'self' | 'parent' | 'representative' */
    requesterRelationship: text('requester_relationship').notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    /** How the requester's identity was checked (empty when not yet). */
    identityChecked: boolean('identity_checked').notNull().default(false),
    identityMethod: text('identity_method'),
    /** One calendar month from receipt (ICO: the corresponding date of the next month). */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /** Extended by up to two further months for a complex request, with the reason given. */
    extendedDueOn: date('extended_due_on', { mode: 'string' }),
    extensionReason: text('extension_reason'),
    /** 'open' | 'closed' */
    status: text('status').notNull(),
    loggedBy: uuid('logged_by').references(() => staff.id),
    loggedAt: timestamp('logged_at', { withTimezone: true }).notNull(),
    lastProducedAt: timestamp('last_produced_at', { withTimezone: true }),
    timesProduced: integer('times_produced').notNull().default(0),
    /** The counts of each kind of record in the last bundle produced. */
    lastProducedCounts: jsonb('last_produced_counts').$type<Record<string, number>>(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedBy: uuid('closed_by').references(() => staff.id),
    closingNote: text('closing_note'),
  },
  (t) => [index('subject_access_requests_school_idx').on(t.schoolId, t.status, t.dueOn)],
);

/**
 * A run of the retention sweep for one school: what it deleted, by record type, with counts
 * (the report page), and the identifiers in `items` (never names).
 */
export const retentionRuns = pgTable(
  'retention_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
    /** 'sweep' (the daily job) | 'erasure' (an erasure request carried out by the DPO) */
    kind: text('kind').notNull(),
    /** Record type → number deleted. */
    counts: jsonb('counts').$type<Record<string, number>>().notNull(),
    filesDeleted: integer('files_deleted').notNull().default(0),
    /** Record type → ids deleted. */
    items: jsonb('items').$type<Record<string, string[]>>().notNull(),
    /** For an erasure: the person, and what was kept with the reason. */
    subjectKind: text('subject_kind'),
    subjectId: uuid('subject_id'),
    kept: jsonb('kept').$type<{ type: string; count: number; reason: string }[]>(),
    ranBy: uuid('ran_by').references(() => staff.id),
  },
  (t) => [index('retention_runs_school_idx').on(t.schoolId, t.ranAt)],
);
