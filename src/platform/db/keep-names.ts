import { sql, type Column } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './database.ts';

/**
 * Writes people's names, in words, beside the id columns that named them (no foreign key), for
 * the rows of one school whose name column is still empty: `names` maps an id to the name to keep.
 * The retention sweep uses it when it deletes a former member of staff's own record but a record
 * the school keeps for good (a training session, a policy version, an import) names them
 * (docs/subject-access.md, "Former staff"). One statement per column; returns the rows written.
 */
export async function keepNames(
  db: Db,
  table: PgTable,
  columns: { schoolId: Column; id: Column; name: Column },
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  if (!names.size) return 0;
  const byId = JSON.stringify(Object.fromEntries(names));
  const result = await db.execute(sql`
    UPDATE ${table} SET ${sql.identifier(columns.name.name)} = ${byId}::jsonb ->> ${columns.id}::text
    WHERE ${columns.schoolId} = ${schoolId}
      AND ${columns.id}::text IN (SELECT jsonb_object_keys(${byId}::jsonb))
      AND ${columns.name} IS NULL`);
  return result.rowCount ?? 0;
}
