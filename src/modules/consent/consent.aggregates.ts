import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { consentRecords } from './consent.tables.ts';

/** One year group's coverage: counts only. */
export interface ConsentCoverage {
  yearGroup: string;
  pupils: number;
  withConsent: number;
}

/**
 * Consent in figures (the governors' monitoring report, issue 16 item 4): of the pupils given
 * (those on roll during a period, from PeopleDirectory's aggregates: ids and year groups, no
 * names), how many had a consent record in force at some point in the period (a returned form,
 * an amendment or an import; a withdrawal is not consent), by year group. One statement.
 */
export class ConsentAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  async coverageByYearGroup(
    schoolIds: readonly string[],
    from: string,
    until: string,
    pupils: readonly { id: string; yearGroup: string }[],
  ): Promise<ConsentCoverage[]> {
    if (pupils.length === 0 || schoolIds.length === 0) return [];
    const r = await this.deps.database.db.execute<{
      year_group: string;
      pupils: number;
      with_consent: number;
    }>(sql`
      WITH p AS (
        SELECT id, year_group
          FROM jsonb_to_recordset(${JSON.stringify(pupils.map((p) => ({ id: p.id, year_group: p.yearGroup })))}::jsonb)
            AS p(id uuid, year_group text)
      ), c AS (
        SELECT DISTINCT pupil_id FROM ${consentRecords}
         WHERE school_id = ANY(${`{${schoolIds.join(',')}}`}::uuid[]) AND kind <> 'withdrawal'
           AND valid_from < ${until}::date
           AND (valid_until IS NULL OR valid_until >= ${from}::date)
      )
      SELECT p.year_group, count(*)::int AS pupils, count(c.pupil_id)::int AS with_consent
        FROM p LEFT JOIN c ON c.pupil_id = p.id
       GROUP BY p.year_group`);
    return r.rows.map((row) => ({
      yearGroup: row.year_group,
      pupils: row.pupils,
      withConsent: row.with_consent,
    }));
  }
}
