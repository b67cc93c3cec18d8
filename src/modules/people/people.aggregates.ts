import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { pupils, staff } from './people.tables.ts';

/**
 * Who was on roll, for figures (the governors' monitoring report, issue 16 item 4): ids and year
 * groups only, never names, one statement each, for one school or a trust's schools.
 */
export class PeopleAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  /**
   * Pupils on roll at some point from `from` to the day before `until` (admitted before `until`,
   * not left before `from`; no admission date counts as on roll), with their year group.
   */
  async pupilsOnRollDuring(
    schoolIds: readonly string[],
    from: string,
    until: string,
  ): Promise<{ id: string; yearGroup: string }[]> {
    if (schoolIds.length === 0) return [];
    const r = await this.deps.database.db.execute<{ id: string; year_group: string }>(sql`
      SELECT id, year_group FROM ${pupils}
       WHERE school_id = ANY(${`{${schoolIds.join(',')}}`}::uuid[])
         AND (admission_date IS NULL OR admission_date < ${until}::date)
         AND (leaving_date IS NULL OR leaving_date >= ${from}::date)`);
    return r.rows.map((row) => ({ id: row.id, yearGroup: row.year_group }));
  }

  /**
   * Staff in post on a date: started by then (no start date counts as started) and not left
   * (a leave date after it; staff made inactive without a leave date are not counted), with
   * their start date (training's "on joining" rule reads it).
   */
  async staffInPostOn(
    schoolIds: readonly string[],
    date: string,
  ): Promise<{ schoolId: string; id: string; startDate: string | null }[]> {
    if (schoolIds.length === 0) return [];
    const r = await this.deps.database.db.execute<{
      school_id: string;
      id: string;
      start_date: string | null;
    }>(sql`
      SELECT school_id, id, start_date::text AS start_date FROM ${staff}
       WHERE school_id = ANY(${`{${schoolIds.join(',')}}`}::uuid[])
         AND (start_date IS NULL OR start_date <= ${date}::date)
         AND (CASE WHEN leave_date IS NULL THEN active ELSE leave_date > ${date}::date END)`);
    return r.rows.map((row) => ({
      schoolId: row.school_id,
      id: row.id,
      startDate: row.start_date,
    }));
  }
}
