import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { parents, pupils, schools, staff } from '../people/people.tables.ts';

/**
 * Incidents and safeguarding concerns (SPEC §3.6, issue 14; docs/incidents.md).
 *
 * `incidents` is the report as the reporter made it and never changes (trigger, migration
 * 0030): what the DSL learns later, corrections included, are `incident_entries` (append-only
 * too). `incident_cases` is the current state, rebuilt from the entries in the same
 * transaction as each new entry (IncidentsRepository.refreshCase); it is the only mutable
 * table here and the one the case lists read.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** 1, 2, 3 … per school (taken under a per-school lock); `reference` is "INC-0042". */
    seq: integer('seq').notNull(),
    reference: text('reference').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    /** 'staff' (governors included) | 'parent' | 'pupil' */
    reporterKind: text('reporter_kind').notNull(),
    reporterId: uuid('reporter_id').notNull(),
    /** What happened, in the reporter's words (null for an indecent-image report: nothing kept). */
    whatHappened: text('what_happened'),
    /** The platform (a key of the guidance list: 'facebook', 'whatsapp' …, or 'other'). */
    platform: text('platform'),
    url: text('url'),
    /** When it happened, as the reporter stated it (date, and the time if they gave one). */
    occurredOn: date('occurred_on', { mode: 'string' }),
    occurredTime: text('occurred_time'),
    /** Where it happened or was seen (the reporter's account: a group chat, a page …). */
    occurredWhere: text('occurred_where'),
    /** The reporter believes a child may be at risk of harm: a safeguarding concern at once. */
    reporterConcern: boolean('reporter_concern').notNull().default(false),
    /** It involves a nude or semi-nude image of a child: no upload, ever (UKCIS advice). */
    indecentImage: boolean('indecent_image').notNull().default(false),
  },
  (t) => [
    uniqueIndex('incidents_school_reference_key').on(t.schoolId, t.reference),
    uniqueIndex('incidents_school_seq_key').on(t.schoolId, t.seq),
    index('incidents_reporter_idx').on(t.schoolId, t.reporterKind, t.reporterId, t.reportedAt),
  ],
);

/** Append-only chronology of an incident (trigger, migration 0030): nothing is overwritten. */
export const incidentEntries = pgTable(
  'incident_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Null when a parent or pupil reporter made the entry (the report itself). */
    actorStaffId: uuid('actor_staff_id').references(() => staff.id),
    /**
     * report, classification, assignment, restricted, step, note, correction, victim_wishes,
     * police_decision, evidence_added, letter, closed, reopened, referral, person_added
     */
    kind: text('kind').notNull(),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    /**
     * The order entries were written in (migration 0049): entries of one case are written one
     * after the other under the case row's lock, so a case's chronology is ordered by it, never
     * by `at` alone (two entries of one transaction share the same instant).
     */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('incident_entries_case_seq_idx').on(t.incidentId, t.seq),
    // Significant incidents since a date (the policy's early review, `significantSince`).
    index('incident_entries_school_kind_idx').on(t.schoolId, t.kind, t.at),
  ],
);

/**
 * Who is involved (append-only): pupils and staff from the roll, parents, ex-pupils and people
 * from outside, each with their part ('victim' | 'alleged' | 'witness' | 'other').
 */
export const incidentPeople = pgTable(
  'incident_people',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    /** 'pupil' | 'staff' | 'parent' | 'ex_pupil' | 'external' */
    personKind: text('person_kind').notNull(),
    pupilId: uuid('pupil_id').references(() => pupils.id),
    staffId: uuid('staff_id').references(() => staff.id),
    parentId: uuid('parent_id').references(() => parents.id),
    /** The name as given (ex-pupils, parents not on the roll, people from outside). */
    name: text('name'),
    part: text('part').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('incident_people_incident_idx').on(t.incidentId),
    index('incident_people_pupil_idx').on(t.schoolId, t.pupilId),
  ],
);

/** The current state of each incident, rebuilt from its entries (the case lists read this). */
export const incidentCases = pgTable(
  'incident_cases',
  {
    incidentId: uuid('incident_id')
      .primaryKey()
      .references(() => incidents.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    reference: text('reference').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    reporterKind: text('reporter_kind').notNull(),
    reporterId: uuid('reporter_id').notNull(),
    /** 'open' | 'closed' */
    status: text('status').notNull(),
    /** When the DSL or Headteacher first classified it (null: a new report). */
    classifiedAt: timestamp('classified_at', { withTimezone: true }),
    /** A playbook key of the profile (`incidents.playbooks.*`). */
    incidentType: text('incident_type'),
    /** The 4Cs grid: 'content' | 'contact' | 'conduct' | 'commerce' × risk. */
    category: text('category'),
    risk: text('risk'),
    safeguarding: boolean('safeguarding').notNull(),
    indecentImage: boolean('indecent_image').notNull(),
    assignedStaffIds: uuid('assigned_staff_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    /** Deputies the DSL names for a safeguarding concern. */
    deputyStaffIds: uuid('deputy_staff_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    stepsDone: integer('steps_done').notNull().default(0),
    nextStepDue: date('next_step_due', { mode: 'string' }),
    outcome: text('outcome'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    entryCount: integer('entry_count').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // The case lists: newest first, keyset on (reported_at, incident_id), optionally by status.
    index('incident_cases_list_idx').on(t.schoolId, t.reportedAt.desc(), t.incidentId.desc()),
    index('incident_cases_status_idx').on(
      t.schoolId,
      t.status,
      t.reportedAt.desc(),
      t.incidentId.desc(),
    ),
    index('incident_cases_reporter_idx').on(t.schoolId, t.reporterKind, t.reporterId),
    // New reports and indecent-image referrals: few rows each, so the lists of them (and their
    // counts) read only those instead of walking every open case of the school.
    index('incident_cases_new_idx')
      .on(t.schoolId, t.reportedAt.desc(), t.incidentId.desc())
      .where(sql`${t.classifiedAt} is null`),
    index('incident_cases_image_idx')
      .on(t.schoolId, t.reportedAt.desc(), t.incidentId.desc())
      .where(sql`${t.indecentImage}`),
    // A member of staff's own cases (a worker's list, "Given to me"): `@>` on these.
    index('incident_cases_assigned_idx').using('gin', t.assignedStaffIds),
    index('incident_cases_deputies_idx').using('gin', t.deputyStaffIds),
  ],
);
