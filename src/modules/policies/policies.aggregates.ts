import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { policySettingsSchema, type PolicySettings } from './policy-settings.ts';
import { policyProfileVersions } from './policies.tables.ts';

/** A school's rules as they stood at a time: the version then current and its settings. */
export interface PolicyAt {
  version: number;
  settings: PolicySettings;
}

/**
 * The policy as it stood at a time (the governors' monitoring report's figures at the end of a
 * past period, issue 16 item 4): the version created last before that time; before a school's
 * first version, its first version (the first rules it had). Versions are never changed once
 * written, so their parsed settings are kept (at most 500, then emptied).
 */
export class PolicyHistory {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  private readonly parsed = new Map<string, PolicySettings>();

  /** For each school with a policy, its version and rules at `at`; one or two statements. */
  async at(schoolIds: readonly string[], at: Date): Promise<Map<string, PolicyAt>> {
    const out = new Map<string, PolicyAt>();
    if (schoolIds.length === 0) return out;
    const db = this.deps.database.db;
    const ids = sql`${`{${schoolIds.join(',')}}`}::uuid[]`;
    const chosen = await db.execute<{ school_id: string; id: string; version: number }>(sql`
      SELECT DISTINCT ON (school_id) school_id, id, version FROM ${policyProfileVersions}
       WHERE school_id = ANY(${ids})
       ORDER BY school_id, (created_at < ${at.toISOString()}::timestamptz) DESC,
                CASE WHEN created_at < ${at.toISOString()}::timestamptz THEN -version ELSE version END`);
    const found = new Map<string, PolicySettings>();
    for (const r of chosen.rows) {
      const kept = this.parsed.get(r.id);
      if (kept) found.set(r.id, kept);
    }
    const missing = chosen.rows.filter((r) => !found.has(r.id)).map((r) => r.id);
    if (missing.length > 0) {
      const rows = await db.execute<{ id: string; settings: unknown }>(sql`
        SELECT id, settings FROM ${policyProfileVersions}
         WHERE id = ANY(${`{${missing.join(',')}}`}::uuid[])`);
      if (this.parsed.size + rows.rows.length > 500) this.parsed.clear();
      for (const r of rows.rows) {
        const settings = policySettingsSchema.parse(r.settings);
        this.parsed.set(r.id, settings);
        found.set(r.id, settings);
      }
    }
    for (const r of chosen.rows) {
      const settings = found.get(r.id);
      if (settings) out.set(r.school_id, { version: r.version, settings });
    }
    return out;
  }

  /**
   * When each school's given version was published (made), in one statement: the compliance
   * view counts a policy acknowledgement due from the later of a person's start and the
   * publication of the version they must acknowledge. A version not found is left out.
   */
  async madeAt(versions: ReadonlyMap<string, number>): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    if (versions.size === 0) return out;
    const ids = sql`${`{${[...versions.keys()].join(',')}}`}::uuid[]`;
    const numbers = sql`${`{${[...versions.values()].join(',')}}`}::int[]`;
    const rows = await this.deps.database.db.execute<{
      school_id: string;
      created_at: unknown;
    }>(sql`
      SELECT v.school_id, v.created_at FROM ${policyProfileVersions} v
        JOIN unnest(${ids}, ${numbers}) AS w(school_id, version)
          ON w.school_id = v.school_id AND w.version = v.version`);
    for (const r of rows.rows) out.set(r.school_id, new Date(r.created_at as string | Date));
    return out;
  }
}
