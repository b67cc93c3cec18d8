import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { schools } from '../people/people.tables.ts';
import { policyProfileVersions } from '../policies/policies.tables.ts';

/**
 * Who acknowledged which policy version (issue 17 item 6; issue 16 item 2 extends it).
 * Append-only: a row is never updated or deleted (the repository has no such method). A person
 * is a member of staff or a parent (`person_id`), or a class of pupils (`class_name`: a teacher
 * records the class's agreement). `policy_version_id` is the version that was current when the
 * acknowledgement committed (read under a shared lock on the school's profile row, so a new
 * version published at the same moment is never confused with it).
 */
export const policyAcknowledgements = pgTable(
  'policy_acknowledgements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** staff | parent | pupil_class */
    personKind: text('person_kind').notNull(),
    personId: uuid('person_id'),
    className: text('class_name'),
    policyVersionId: uuid('policy_version_id')
      .notNull()
      .references(() => policyProfileVersions.id),
    /** The version's number, kept beside its id for pages and reports. */
    policyVersion: integer('policy_version').notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }).notNull(),
    /** Who recorded it: the person themselves, or the teacher for a class. */
    recordedBy: uuid('recorded_by'),
    /**
     * The name of the teacher who recorded a class’s agreement, in words, written by the retention
     * sweep when it deletes their own record (docs/subject-access.md, "Staff named with no key").
     */
    recordedByName: text('recorded_by_name'),
  },
  (t) => [
    check(
      'policy_acknowledgements_person',
      sql`(${t.personKind} IN ('staff','parent') AND ${t.personId} IS NOT NULL AND ${t.className} IS NULL) OR (${t.personKind} = 'pupil_class' AND ${t.personId} IS NULL AND ${t.className} IS NOT NULL)`,
    ),
    // One acknowledgement per person per version (acknowledging again changes nothing).
    uniqueIndex('policy_acknowledgements_person_version')
      .on(t.policyVersionId, t.personKind, t.personId)
      .where(sql`${t.personId} IS NOT NULL`),
    uniqueIndex('policy_acknowledgements_class_version')
      .on(t.policyVersionId, t.className)
      .where(sql`${t.className} IS NOT NULL`),
    // The compliance view: a school's people, newest first.
    index('policy_acknowledgements_school_person').on(
      t.schoolId,
      t.personKind,
      t.personId,
      t.acknowledgedAt,
    ),
  ],
);

/**
 * A separate append-only entry marks an acknowledgement superseded (issue 16: a substantive new
 * version asks everyone again; the earlier acknowledgement is kept, marked here). Nothing in
 * `policy_acknowledgements` is ever updated.
 */
export const policyAcknowledgementSupersessions = pgTable(
  'policy_acknowledgement_supersessions',
  {
    acknowledgementId: uuid('acknowledgement_id')
      .primaryKey()
      .references(() => policyAcknowledgements.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    supersededByVersionId: uuid('superseded_by_version_id')
      .notNull()
      .references(() => policyProfileVersions.id),
    supersededAt: timestamp('superseded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('policy_acknowledgement_supersessions_school').on(t.schoolId)],
);
