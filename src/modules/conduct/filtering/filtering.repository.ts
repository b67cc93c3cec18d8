import { and, desc, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { filteringChecks, filteringExceptions, filteringProvisions } from '../conduct.tables.ts';

export type ProvisionRow = typeof filteringProvisions.$inferSelect;
export type ExceptionRow = typeof filteringExceptions.$inferSelect;
export type CheckRow = typeof filteringChecks.$inferSelect;

/** Queries on the filtering and monitoring records; every one is scoped by school. */
export class FilteringRepository {
  async currentProvision(db: Db, schoolId: string): Promise<ProvisionRow | undefined> {
    const rows = await db
      .select()
      .from(filteringProvisions)
      .where(eq(filteringProvisions.schoolId, schoolId))
      .orderBy(desc(filteringProvisions.recordedAt))
      .limit(1);
    return rows[0];
  }

  async addProvision(
    db: Db,
    values: typeof filteringProvisions.$inferInsert,
  ): Promise<ProvisionRow> {
    return (await db.insert(filteringProvisions).values(values).returning())[0]!;
  }

  async exceptions(db: Db, schoolId: string): Promise<ExceptionRow[]> {
    return db
      .select()
      .from(filteringExceptions)
      .where(eq(filteringExceptions.schoolId, schoolId))
      .orderBy(desc(filteringExceptions.startsOn))
      .limit(200);
  }

  async addException(
    db: Db,
    values: typeof filteringExceptions.$inferInsert,
  ): Promise<ExceptionRow> {
    return (await db.insert(filteringExceptions).values(values).returning())[0]!;
  }

  async checks(db: Db, schoolId: string, limit = 100): Promise<CheckRow[]> {
    return db
      .select()
      .from(filteringChecks)
      .where(eq(filteringChecks.schoolId, schoolId))
      .orderBy(desc(filteringChecks.checkedOn), desc(filteringChecks.recordedAt))
      .limit(limit);
  }

  async latest(db: Db, schoolId: string, kind: 'check' | 'review'): Promise<CheckRow | undefined> {
    const rows = await db
      .select()
      .from(filteringChecks)
      .where(and(eq(filteringChecks.schoolId, schoolId), eq(filteringChecks.kind, kind)))
      .orderBy(desc(filteringChecks.checkedOn))
      .limit(1);
    return rows[0];
  }

  /** The latest review done in [from, until) (ISO dates; `until` not included). */
  async latestReviewBetween(
    db: Db,
    schoolId: string,
    from: string,
    until: string,
  ): Promise<CheckRow | undefined> {
    const rows = await db
      .select()
      .from(filteringChecks)
      .where(
        and(
          eq(filteringChecks.schoolId, schoolId),
          eq(filteringChecks.kind, 'review'),
          gte(filteringChecks.checkedOn, from),
          lt(filteringChecks.checkedOn, until),
        ),
      )
      .orderBy(desc(filteringChecks.checkedOn), desc(filteringChecks.recordedAt))
      .limit(1);
    return rows[0];
  }

  async addCheck(db: Db, values: typeof filteringChecks.$inferInsert): Promise<CheckRow> {
    return (await db.insert(filteringChecks).values(values).returning())[0]!;
  }
}
