import {
  boolean,
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
 * Whether a policy version was a substantive change (everyone acknowledges it again; earlier
 * acknowledgements are marked superseded) or a minor one (earlier acknowledgements still count),
 * decided when it is published (issue 16 item 2). A version with no row here is substantive
 * (every settings change asks everyone again). Append-only.
 */
export const policyVersionKinds = pgTable(
  'policy_version_kinds',
  {
    policyVersionId: uuid('policy_version_id')
      .primaryKey()
      .references(() => policyProfileVersions.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    version: integer('version').notNull(),
    substantive: boolean('substantive').notNull(),
    decidedBy: uuid('decided_by'),
    /**
     * The name of who decided, in words, written by the retention sweep when it deletes their own
     * record (docs/subject-access.md, "Staff named with no key").
     */
    decidedByName: text('decided_by_name'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('policy_version_kinds_school').on(t.schoolId, t.version)],
);

/**
 * One row per acknowledgement reminder sent (the reminders job): a person is reminded once per
 * version they are asked to acknowledge, so running the job twice sends nothing more.
 */
export const policyAcknowledgementReminders = pgTable(
  'policy_acknowledgement_reminders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** staff | parent */
    personKind: text('person_kind').notNull(),
    personId: uuid('person_id').notNull(),
    version: integer('version').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('policy_acknowledgement_reminders_key').on(
      t.schoolId,
      t.personKind,
      t.personId,
      t.version,
    ),
  ],
);
