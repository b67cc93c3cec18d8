import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Uploads running now, one row each, so "at most N uploads at once per person" holds across every
 * web process (ARCHITECTURE rule 14; issue 10 item 1). A row is a lease: the process receiving the
 * upload renews it while the body arrives and deletes it when the answer has gone; a process that
 * dies leaves a row that expires on its own within two minutes.
 */
export const uploadSlots = pgTable(
  'upload_slots',
  {
    id: uuid('id').primaryKey(),
    /** `<principal kind>:<principal id>` of the person uploading. */
    personKey: text('person_key').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('upload_slots_person_idx').on(t.personKey)],
);
