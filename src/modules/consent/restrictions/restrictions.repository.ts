import { sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { pupilPublicationRestrictions } from '../consent.tables.ts';

export type RestrictionRow = typeof pupilPublicationRestrictions.$inferSelect;
export type NewRestriction = typeof pupilPublicationRestrictions.$inferInsert;

/** A restriction record with the name of the person who made it. */
export type RestrictionEntry = RestrictionRow & { setByName: string };

/**
 * "Never publish" restrictions (issue 15): append-only records, the latest per pupil wins. The
 * consent check reads them in its own facts statements (consent.repository.ts).
 */
export class RestrictionsRepository {
  async insert(db: Db, row: NewRestriction): Promise<RestrictionRow> {
    const [created] = await db.insert(pupilPublicationRestrictions).values(row).returning();
    return created!;
  }

  /**
   * A pupil's restriction records, latest first, with who made each (a read-only join to the
   * staff names, like the consent facts' joins: ADR 0006).
   */
  async history(db: Db, schoolId: string, pupilId: string): Promise<RestrictionEntry[]> {
    const result = await db.execute<{
      id: string;
      school_id: string;
      pupil_id: string;
      restricted: boolean;
      reason: string;
      set_by: string;
      recorded_at: string | Date;
      set_by_name: string;
    }>(sql`
      SELECT x.id, x.school_id, x.pupil_id, x.restricted, x.reason, x.set_by, x.recorded_at,
             s.given_name || ' ' || s.family_name AS set_by_name
      FROM ${pupilPublicationRestrictions} x JOIN staff s ON s.id = x.set_by
      WHERE x.school_id = ${schoolId} AND x.pupil_id = ${pupilId}
      ORDER BY x.recorded_at DESC, x.id DESC`);
    return result.rows.map((r) => ({
      id: r.id,
      schoolId: r.school_id,
      pupilId: r.pupil_id,
      restricted: r.restricted,
      reason: r.reason,
      setBy: r.set_by,
      recordedAt: new Date(r.recorded_at),
      setByName: r.set_by_name,
    }));
  }

  /** Every pupil of the school whose latest restriction record restricts them, by name. */
  async restrictedPupils(
    db: Db,
    schoolId: string,
  ): Promise<
    { pupilId: string; givenName: string; familyName: string; since: Date; reason: string }[]
  > {
    const result = await db.execute<{
      pupil_id: string;
      given_name: string;
      family_name: string;
      recorded_at: string | Date;
      reason: string;
      restricted: boolean;
    }>(sql`
      SELECT DISTINCT ON (x.pupil_id) x.pupil_id, p.given_name, p.family_name, x.recorded_at,
             x.reason, x.restricted
      FROM ${pupilPublicationRestrictions} x JOIN pupils p ON p.id = x.pupil_id
      WHERE x.school_id = ${schoolId} AND p.school_id = ${schoolId}
      ORDER BY x.pupil_id, x.recorded_at DESC, x.id DESC`);
    return result.rows
      .filter((r) => r.restricted)
      .map((r) => ({
        pupilId: r.pupil_id,
        givenName: r.given_name,
        familyName: r.family_name,
        since: new Date(r.recorded_at),
        reason: r.reason,
      }))
      .sort((a, b) =>
        `${a.familyName} ${a.givenName}`.localeCompare(`${b.familyName} ${b.givenName}`),
      );
  }
}
