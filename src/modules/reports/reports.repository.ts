import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';

/**
 * The governors' monitoring report's aggregates: one GROUP BY statement per module's records,
 * for one school (or a trust's schools together) and one period, returning counts only (no names, no ids, no free text).
 *
 * These statements read other modules' tables by name (no table objects are imported, so the
 * boundary rule "only repositories import tables" holds); each is a read-only aggregate and is
 * listed in docs/policy-lifecycle.md ("Governors' monitoring report") so that a module changing
 * its table knows this reader exists. Dates are UK dates: a period's bounds are midnight in
 * Europe/London.
 */

export type IncidentAggregateRow = {
  category: string | null;
  risk: string | null;
  incident_type: string | null;
  status: string | null;
  /** GROUPING(category, risk, incident_type, status): which grouping set the row belongs to. */
  g: number;
  n: number;
  closed: number;
  median_s: number | null;
  longest_s: number | null;
};

export type ConsentAggregateRow = {
  year_group: string;
  pupils: number;
  with_consent: number;
};

export type PostsAggregateRow = {
  published: number;
  published_posts: number;
  removed: number;
  takedowns_done: number;
  takedowns_open: number;
};

export type ConductAggregateRow = {
  what: 'declaration' | 'permission' | 'filtering';
  key: string;
  state: string;
  n: number;
};

/** A list of school ids as one uuid[] parameter (ids come from the database, never from input). */
const ids = (schoolIds: string[]) => sql`${`{${schoolIds.join(',')}}`}::uuid[]`;

const ukStart = (isoDate: string) =>
  sql`(${isoDate}::date::timestamp AT TIME ZONE 'Europe/London')`;

export class ReportsRepository {
  /** Incidents reported in the period: by the 4Cs grid, by type, by status, and overall. */
  async incidents(db: Db, schoolIds: string[], from: string, until: string) {
    const r = await db.execute<IncidentAggregateRow>(sql`
      SELECT category, risk, incident_type, status,
             GROUPING(category, risk, incident_type, status)::int AS g,
             count(*)::int AS n,
             count(closed_at)::int AS closed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at))
               FILTER (WHERE closed_at IS NOT NULL) AS median_s,
             max(extract(epoch FROM closed_at - reported_at)) AS longest_s
        FROM incident_cases
       WHERE school_id = ANY(${ids(schoolIds)})
         AND reported_at >= ${ukStart(from)} AND reported_at < ${ukStart(until)}
       GROUP BY GROUPING SETS ((category, risk), (incident_type), (status), ())`);
    return r.rows.map((row) => ({
      ...row,
      median_s: row.median_s === null ? null : Number(row.median_s),
      longest_s: row.longest_s === null ? null : Number(row.longest_s),
    }));
  }

  /**
   * Pupils on roll at some point in the period, by year group, and how many of them had a
   * consent record in force during it (a returned form, an amendment or an import).
   */
  async consentCoverage(db: Db, schoolIds: string[], from: string, until: string) {
    const r = await db.execute<ConsentAggregateRow>(sql`
      WITH c AS (
        SELECT DISTINCT pupil_id FROM consent_records
         WHERE school_id = ANY(${ids(schoolIds)}) AND kind <> 'withdrawal'
           AND valid_from < ${until}::date
           AND (valid_until IS NULL OR valid_until >= ${from}::date)
      )
      SELECT p.year_group, count(*)::int AS pupils, count(c.pupil_id)::int AS with_consent
        FROM pupils p LEFT JOIN c ON c.pupil_id = p.id
       WHERE p.school_id = ANY(${ids(schoolIds)})
         AND (p.admission_date IS NULL OR p.admission_date < ${until}::date)
         AND (p.leaving_date IS NULL OR p.leaving_date >= ${from}::date)
       GROUP BY p.year_group`);
    return r.rows;
  }

  /** Publications made and taken down in the period; takedown tasks done and still open. */
  async posts(db: Db, schoolIds: string[], from: string, until: string) {
    const r = await db.execute<PostsAggregateRow>(sql`
      SELECT count(*) FILTER (WHERE published_at >= ${ukStart(from)} AND published_at < ${ukStart(until)})::int AS published,
             count(DISTINCT post_id) FILTER (WHERE published_at >= ${ukStart(from)} AND published_at < ${ukStart(until)})::int AS published_posts,
             count(*) FILTER (WHERE removed_at >= ${ukStart(from)} AND removed_at < ${ukStart(until)})::int AS removed,
             (SELECT count(*) FROM takedown_tasks t WHERE t.school_id = ANY(${ids(schoolIds)})
                 AND t.created_at >= ${ukStart(from)} AND t.created_at < ${ukStart(until)}
                 AND t.state <> 'open')::int AS takedowns_done,
             (SELECT count(*) FROM takedown_tasks t WHERE t.school_id = ANY(${ids(schoolIds)})
                 AND t.created_at >= ${ukStart(from)} AND t.created_at < ${ukStart(until)}
                 AND t.state = 'open')::int AS takedowns_open
        FROM publications
       WHERE school_id = ANY(${ids(schoolIds)})`);
    return r.rows[0]!;
  }

  /** Staff declarations and permission requests made, and filtering checks done, in the period. */
  async conduct(db: Db, schoolIds: string[], from: string, until: string) {
    const r = await db.execute<ConductAggregateRow>(sql`
      SELECT 'declaration' AS what, kind AS key, status AS state, count(*)::int AS n
        FROM conduct_declarations
       WHERE school_id = ANY(${ids(schoolIds)})
         AND declared_at >= ${ukStart(from)} AND declared_at < ${ukStart(until)}
       GROUP BY kind, status
      UNION ALL
      SELECT 'permission', type, status, count(*)::int
        FROM conduct_permissions
       WHERE school_id = ANY(${ids(schoolIds)})
         AND requested_at >= ${ukStart(from)} AND requested_at < ${ukStart(until)}
       GROUP BY type, status
      UNION ALL
      SELECT 'filtering', kind, outcome, count(*)::int
        FROM filtering_checks
       WHERE school_id = ANY(${ids(schoolIds)})
         AND checked_on >= ${from}::date AND checked_on < ${until}::date
       GROUP BY kind, outcome`);
    return r.rows;
  }
}
