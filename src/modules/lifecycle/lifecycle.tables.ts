import { sql } from 'drizzle-orm';
import {
  check,
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
import { schools } from '../people/people.tables.ts';
import { policyProfileVersions } from '../policies/policies.tables.ts';

/**
 * The policy's text per profile version (issue 16 item 1): the school's sections and clauses.
 * A version without a row has the text of the latest version before it with one; a school with
 * none has its starting template's text. Append-only (no update or delete in the repository).
 */
export const policyTexts = pgTable(
  'policy_texts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    policyVersionId: uuid('policy_version_id')
      .notNull()
      .references(() => policyProfileVersions.id),
    version: integer('version').notNull(),
    /** PolicyText: { title, sections: [{ id, heading, clauses: [{ id, text }] }] }. */
    text: jsonb('text').notNull(),
    createdBy: uuid('created_by'),
    /**
     * The name of who wrote the text, in words, written by the retention sweep when it deletes
     * their own record (docs/subject-access.md, "Staff named with no key").
     */
    createdByName: text('created_by_name'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('policy_texts_version').on(t.policyVersionId),
    index('policy_texts_school_version').on(t.schoolId, t.version),
  ],
);

/**
 * A review of the policy (issue 16 item 3): who met, when, what was decided and which versions
 * it published; approved by a reviewer (review.reviewers), which sets the next review date.
 */
export const policyReviews = pgTable(
  'policy_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** scheduled | early (the profile's review.reviewAfterIncidents after a significant incident) */
    reason: text('reason').notNull(),
    metOn: date('met_on', { mode: 'string' }).notNull(),
    attendees: text('attendees').notNull(),
    decisions: text('decisions').notNull(),
    /** The policy version numbers published by this review. */
    versions: integer('versions')
      .array()
      .notNull()
      .default(sql`'{}'::integer[]`),
    recordedBy: uuid('recorded_by').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    approvedBy: uuid('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    nextReviewDate: date('next_review_date', { mode: 'string' }),
  },
  (t) => [
    check('policy_reviews_reason', sql`${t.reason} IN ('scheduled','early')`),
    check(
      'policy_reviews_approval',
      sql`(${t.approvedAt} IS NULL) = (${t.approvedBy} IS NULL) AND (${t.approvedAt} IS NULL) = (${t.nextReviewDate} IS NULL)`,
    ),
    index('policy_reviews_school').on(t.schoolId, t.metOn),
  ],
);
