import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { schools, staff } from '../../people/people.tables.ts';
import type { GuidanceLink } from './guidance.defaults.ts';

/**
 * A school's own version of a platform guidance page (issue 14 item 8; docs/incidents.md). Each
 * edit is a new row and none is ever changed or deleted (trigger, custom migration): the newest
 * row is the page, the others its history. A platform with no row shows Lanyard's text.
 */
export const incidentGuidanceVersions = pgTable(
  'incident_guidance_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** A key of `guidancePlatforms` ('facebook' … 'ceop'). */
    platform: text('platform').notNull(),
    summary: text('summary').notNull(),
    steps: jsonb('steps').$type<string[]>().notNull(),
    links: jsonb('links').$type<GuidanceLink[]>().notNull(),
    /** What changed and why, in the editor's words. */
    note: text('note').notNull(),
    /** Set when this version put Lanyard's text back: the date that text was checked. */
    restoredDefaultOf: text('restored_default_of'),
    editedBy: uuid('edited_by')
      .notNull()
      .references(() => staff.id),
    editedAt: timestamp('edited_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incident_guidance_versions_idx').on(t.schoolId, t.platform, t.editedAt)],
);
