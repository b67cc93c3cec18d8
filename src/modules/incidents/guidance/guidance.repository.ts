import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { incidentGuidanceVersions } from './guidance.tables.ts';

export type GuidanceVersionRow = typeof incidentGuidanceVersions.$inferSelect;

/** Queries on the schools' own guidance pages; every one is scoped by school. */
export class GuidanceRepository {
  /** Every version of every page of the school, newest first (a few dozen rows at most). */
  async listForSchool(db: Db, schoolId: string): Promise<GuidanceVersionRow[]> {
    return db
      .select()
      .from(incidentGuidanceVersions)
      .where(eq(incidentGuidanceVersions.schoolId, schoolId))
      .orderBy(desc(incidentGuidanceVersions.editedAt), desc(incidentGuidanceVersions.id));
  }

  /** One page's versions, newest first. */
  async history(db: Db, schoolId: string, platform: string): Promise<GuidanceVersionRow[]> {
    return db
      .select()
      .from(incidentGuidanceVersions)
      .where(
        and(
          eq(incidentGuidanceVersions.schoolId, schoolId),
          eq(incidentGuidanceVersions.platform, platform),
        ),
      )
      .orderBy(desc(incidentGuidanceVersions.editedAt), desc(incidentGuidanceVersions.id));
  }

  async create(
    db: Db,
    values: typeof incidentGuidanceVersions.$inferInsert,
  ): Promise<GuidanceVersionRow> {
    const rows = await db.insert(incidentGuidanceVersions).values(values).returning();
    return rows[0]!;
  }
}
