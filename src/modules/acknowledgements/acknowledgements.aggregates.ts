import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import {
  policyAcknowledgements,
  policyAcknowledgementSupersessions,
} from './acknowledgements.tables.ts';
import { policyVersionKinds } from './version-kinds.tables.ts';

/**
 * Acknowledgements in figures (the governors' monitoring report, issue 16 item 4): of the staff
 * given (ids, from PeopleDirectory's aggregates), how many had acknowledged the policy as it
 * stood at a time. The same rule as `AcknowledgementsService.acknowledgedCurrent`, at that time
 * instead of now: the version required then is the latest substantive one up to the version
 * current then (a minor version asks nobody again); an acknowledgement counts if it was made
 * before that time, is of the required version or a later one, and had not been superseded by
 * then. One statement; a count, never a name.
 */
export class AcknowledgementAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  async staffAcknowledgedAt(
    schoolId: string,
    staffIds: readonly string[],
    at: Date,
    versionThen: number,
  ): Promise<number> {
    if (staffIds.length === 0) return 0;
    const when = at.toISOString();
    const r = await this.deps.database.db.execute<{ n: number }>(sql`
      WITH required AS (
        SELECT coalesce(max(g), 1) AS v FROM generate_series(1, ${versionThen}::int) g
         WHERE g NOT IN (SELECT version FROM ${policyVersionKinds}
                          WHERE school_id = ${schoolId} AND NOT substantive)
      )
      SELECT count(DISTINCT a.person_id)::int AS n
        FROM ${policyAcknowledgements} a
        LEFT JOIN ${policyAcknowledgementSupersessions} s
          ON s.acknowledgement_id = a.id AND s.superseded_at < ${when}::timestamptz
       WHERE a.school_id = ${schoolId} AND a.person_kind = 'staff'
         AND a.person_id = ANY(${`{${[...new Set(staffIds)].join(',')}}`}::uuid[])
         AND a.acknowledged_at < ${when}::timestamptz
         AND a.policy_version >= (SELECT v FROM required)
         AND s.acknowledgement_id IS NULL`);
    return r.rows[0]?.n ?? 0;
  }
}
