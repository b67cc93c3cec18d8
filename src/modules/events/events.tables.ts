import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { schools } from '../people/people.tables.ts';

/**
 * Domain events written in the same transaction as the change they describe (a transactional
 * outbox). Other modules turn them into work: `consent.changed` becomes takedown tasks in
 * publishing. Rows are never updated except to mark them handled.
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    type: text('type').notNull(),
    /** Ids and decisions only: never names or free text about a child. */
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    handledAt: timestamp('handled_at', { withTimezone: true }),
  },
  (t) => [
    index('domain_events_school_type_idx').on(t.schoolId, t.type, t.id),
    index('domain_events_unhandled_idx').on(t.type, t.id),
  ],
);
