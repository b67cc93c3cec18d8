import {
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  date,
} from 'drizzle-orm/pg-core';
import { schools } from '../people/people.tables.ts';

/** Each school's policy profile; every change is a new row in policy_profile_versions. */
export const policyProfiles = pgTable(
  'policy_profiles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    templateKey: text('template_key').notNull(),
    currentVersion: integer('current_version').notNull(),
    nextReviewDate: date('next_review_date', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policy_profiles_school_key').on(t.schoolId)],
);

export const policyProfileVersions = pgTable(
  'policy_profile_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    profileId: uuid('profile_id')
      .notNull()
      .references(() => policyProfiles.id),
    version: integer('version').notNull(),
    settings: jsonb('settings').notNull(),
    changeNote: text('change_note').notNull(),
    createdBy: uuid('created_by'),
    /**
     * The name of who made the version, in words, written by the retention sweep when it deletes
     * their own record (docs/subject-access.md, "Staff named with no key").
     */
    createdByName: text('created_by_name'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policy_profile_versions_key').on(t.profileId, t.version)],
);

/** One row per review reminder sent, so the daily job is safe to run twice. */
export const policyReviewReminders = pgTable(
  'policy_review_reminders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    reviewDate: date('review_date', { mode: 'string' }).notNull(),
    stage: text('stage').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policy_review_reminders_key').on(t.schoolId, t.reviewDate, t.stage)],
);
