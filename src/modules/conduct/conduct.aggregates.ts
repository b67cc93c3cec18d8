import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { conductDeclarations, conductPermissions, filteringChecks } from './conduct.tables.ts';

/** How many of one kind in one state: counts only (keys, never names or free text). */
export interface ConductCount {
  what: 'declaration' | 'permission' | 'filtering';
  /** The declaration's kind, the permission's type or the filtering check's kind. */
  key: string;
  /** Its status (declarations, permissions) or outcome (filtering checks). */
  state: string;
  count: number;
}

/**
 * Conduct in figures (the governors' monitoring report, issue 16 item 4): staff declarations and
 * permission requests made, and filtering checks done, in a period, for one school or a trust's
 * schools. One statement. Dates are UK dates (midnight in Europe/London).
 */
export class ConductAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  async between(
    schoolIds: readonly string[],
    from: string,
    until: string,
  ): Promise<ConductCount[]> {
    if (schoolIds.length === 0) return [];
    const ids = sql`${`{${schoolIds.join(',')}}`}::uuid[]`;
    const start = sql`(${from}::date::timestamp AT TIME ZONE 'Europe/London')`;
    const end = sql`(${until}::date::timestamp AT TIME ZONE 'Europe/London')`;
    const r = await this.deps.database.db.execute<{
      what: ConductCount['what'];
      key: string;
      state: string;
      n: number;
    }>(sql`
      SELECT 'declaration' AS what, kind AS key, status AS state, count(*)::int AS n
        FROM ${conductDeclarations}
       WHERE school_id = ANY(${ids}) AND declared_at >= ${start} AND declared_at < ${end}
       GROUP BY kind, status
      UNION ALL
      SELECT 'permission', type, status, count(*)::int
        FROM ${conductPermissions}
       WHERE school_id = ANY(${ids}) AND requested_at >= ${start} AND requested_at < ${end}
       GROUP BY type, status
      UNION ALL
      SELECT 'filtering', kind, outcome, count(*)::int
        FROM ${filteringChecks}
       WHERE school_id = ANY(${ids}) AND checked_on >= ${from}::date AND checked_on < ${until}::date
       GROUP BY kind, outcome`);
    return r.rows.map((row) => ({ what: row.what, key: row.key, state: row.state, count: row.n }));
  }
}
