import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { schools, staff } from '../people/people.tables.ts';

/**
 * Named responsibilities given to people (issue 15): the school defines them in its profile
 * (`people.responsibilities`: publicity poster, e-safety co-ordinator, deputy DSL…) and the
 * Headteacher gives them to members of staff. A row is one giving; taking it away sets
 * `removedAt` (the row stays, so who held what and when is kept).
 */
export const responsibilityHolders = pgTable(
  'responsibility_holders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id),
    /** A key of the profile's `people.responsibilities`. */
    responsibilityKey: text('responsibility_key').notNull(),
    givenBy: uuid('given_by')
      .notNull()
      .references(() => staff.id),
    givenAt: timestamp('given_at', { withTimezone: true }).notNull(),
    removedBy: uuid('removed_by').references(() => staff.id),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [index('responsibility_holders_school_idx').on(t.schoolId, t.responsibilityKey)],
);
