import { index, pgTable, uuid } from 'drizzle-orm/pg-core';
import { importRunColumns } from '../../platform/imports/import-tables.ts';
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
    ...importRunColumns(),
  },
  (t) => [index('staff_list_imports_school_idx').on(t.schoolId, t.createdAt)],
);
