import { integer, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The columns every import's table has after its id and school (the pipeline reads and writes
 * them: import-runs.repository.ts), for a module's `pgTable` to spread. Each call makes new column
 * builders, as Drizzle needs one per table.
 */
export const importRunColumns = () => ({
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
  /** Who confirmed the import (the apply job records as them). */
  confirmedBy: uuid('confirmed_by'),
  /**
   * The name of who uploaded or confirmed it, in words, written by the retention sweep when it
   * deletes their own record (docs/subject-access.md, "Staff named with no key").
   */
  createdByName: text('created_by_name'),
  confirmedByName: text('confirmed_by_name'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  committedAt: timestamp('committed_at', { withTimezone: true }),
  /** Times a lost job was queued again. */
  attempts: integer('attempts').notNull().default(0),
  /** The working job's last sign of life (null until one starts). */
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
});
