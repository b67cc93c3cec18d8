import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { schools } from './people.tables.ts';

/**
 * Staff lists imported from a CSV through the shared import pipeline (ADR 0022,
 * staff-import.kind.ts): the pipeline's columns (docs/architecture.md, "Imports"), nothing else.
 */
export const staffListImports = pgTable(
  'staff_list_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    filename: text('filename').notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** uploaded → previewing → previewed | rejected → committing → committed | failed */
    status: text('status').notNull(),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total').notNull().default(0),
    fileError: text('file_error'),
    preview: jsonb('preview'),
    summary: jsonb('summary'),
    createdBy: uuid('created_by'),
    confirmedBy: uuid('confirmed_by'),
    /** Their names in words, kept by the retention sweep when it deletes their own record. */
    createdByName: text('created_by_name'),
    confirmedByName: text('confirmed_by_name'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    committedAt: timestamp('committed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
  },
  (t) => [index('staff_list_imports_school_idx').on(t.schoolId, t.createdAt)],
);
