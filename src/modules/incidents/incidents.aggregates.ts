import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { incidentCases } from './incidents.tables.ts';

/** Incidents of one group: category, kind of risk, type and status (null: not yet classified). */
export interface IncidentGroupCount {
  category: string | null;
  risk: string | null;
  incidentType: string | null;
  status: string | null;
  count: number;
  closed: number;
}

/** Counts only: no names, ids, references or free text. */
export interface IncidentFigures {
  groups: IncidentGroupCount[];
  /** Median and longest time from report to closing, in seconds, of those closed (null: none). */
  medianSecondsToClose: number | null;
  longestSecondsToClose: number | null;
}

/**
 * Incidents in figures (the governors' monitoring report, issue 16 item 4): the cases reported
 * in a period, counted by category, risk, type and status together, for one school or a trust's
 * schools. One statement: a hash aggregate of the period's rows (at most a few hundred groups,
 * whatever the number of incidents; the report adds them up by category, type and status) and
 * the median time to close over the same rows. Dates are UK dates (midnight in Europe/London).
 */
export class IncidentAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  async reportedBetween(
    schoolIds: readonly string[],
    from: string,
    until: string,
  ): Promise<IncidentFigures> {
    if (schoolIds.length === 0)
      return { groups: [], medianSecondsToClose: null, longestSecondsToClose: null };
    const r = await this.deps.database.db.execute<{
      category: string | null;
      risk: string | null;
      incident_type: string | null;
      status: string | null;
      n: number;
      closed: number;
      longest_s: number | null;
      median_s: number | null;
      overall: boolean;
    }>(sql`
      WITH c AS MATERIALIZED (
        SELECT category, risk, incident_type, status, reported_at, closed_at
          FROM ${incidentCases}
         WHERE school_id = ANY(${`{${schoolIds.join(',')}}`}::uuid[])
           AND reported_at >= (${from}::date::timestamp AT TIME ZONE 'Europe/London')
           AND reported_at < (${until}::date::timestamp AT TIME ZONE 'Europe/London')
      )
      SELECT category, risk, incident_type, status, count(*)::int AS n,
             count(closed_at)::int AS closed,
             max(extract(epoch FROM closed_at - reported_at))::float8 AS longest_s,
             NULL::float8 AS median_s, false AS overall
        FROM c GROUP BY category, risk, incident_type, status
      UNION ALL
      SELECT NULL, NULL, NULL, NULL, 0, 0, NULL,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at)))::float8,
             true
        FROM c WHERE closed_at IS NOT NULL`);
    const groups: IncidentGroupCount[] = [];
    let median: number | null = null;
    let longest: number | null = null;
    for (const row of r.rows) {
      if (row.overall) {
        median = row.median_s === null ? null : Number(row.median_s);
        continue;
      }
      groups.push({
        category: row.category,
        risk: row.risk,
        incidentType: row.incident_type,
        status: row.status,
        count: row.n,
        closed: row.closed,
      });
      if (row.longest_s !== null) longest = Math.max(longest ?? 0, Number(row.longest_s));
    }
    return { groups, medianSecondsToClose: median, longestSecondsToClose: longest };
  }
}
