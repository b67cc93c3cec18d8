import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { retentionRuns, subjectAccessRequests } from './subject-access.tables.ts';

export type SubjectAccessRow = typeof subjectAccessRequests.$inferSelect;
export type RetentionRunRow = typeof retentionRuns.$inferSelect;

/** Queries on subject access requests and retention runs; every one is scoped by school. */
export class SubjectAccessRepository {
  async list(db: Db, schoolId: string): Promise<SubjectAccessRow[]> {
    return db
      .select()
      .from(subjectAccessRequests)
      .where(eq(subjectAccessRequests.schoolId, schoolId))
      .orderBy(
        sql`case when ${subjectAccessRequests.status} = 'open' then 0 else 1 end`,
        asc(sql`coalesce(${subjectAccessRequests.extendedDueOn}, ${subjectAccessRequests.dueOn})`),
        desc(subjectAccessRequests.loggedAt),
      );
  }

  async listOpen(db: Db, schoolId: string): Promise<SubjectAccessRow[]> {
    return db
      .select()
      .from(subjectAccessRequests)
      .where(
        and(eq(subjectAccessRequests.schoolId, schoolId), eq(subjectAccessRequests.status, 'open')),
      )
      .orderBy(
        asc(sql`coalesce(${subjectAccessRequests.extendedDueOn}, ${subjectAccessRequests.dueOn})`),
      );
  }

  async get(db: Db, schoolId: string, id: string): Promise<SubjectAccessRow | undefined> {
    const rows = await db
      .select()
      .from(subjectAccessRequests)
      .where(and(eq(subjectAccessRequests.schoolId, schoolId), eq(subjectAccessRequests.id, id)))
      .limit(1);
    return rows[0];
  }

  async getForUpdate(db: Db, schoolId: string, id: string): Promise<SubjectAccessRow | undefined> {
    const rows = await db
      .select()
      .from(subjectAccessRequests)
      .where(and(eq(subjectAccessRequests.schoolId, schoolId), eq(subjectAccessRequests.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async create(
    db: Db,
    values: typeof subjectAccessRequests.$inferInsert,
  ): Promise<SubjectAccessRow> {
    const rows = await db.insert(subjectAccessRequests).values(values).returning();
    return rows[0]!;
  }

  async update(
    db: Db,
    schoolId: string,
    id: string,
    values: Partial<typeof subjectAccessRequests.$inferInsert>,
  ): Promise<void> {
    await db
      .update(subjectAccessRequests)
      .set(values)
      .where(and(eq(subjectAccessRequests.schoolId, schoolId), eq(subjectAccessRequests.id, id)));
  }

  /**
   * Retention (`retention.subjectAccessRequestsYearsAfterClosing`): deletes the school's requests
   * closed before `before`; an open request is never deleted. A bundle is streamed to the DPO,
   * never stored, so the request row (with the counts of its last bundle) is all there is.
   */
  async deleteClosedBefore(db: Db, schoolId: string, before: Date): Promise<string[]> {
    const rows = await db
      .delete(subjectAccessRequests)
      .where(
        and(
          eq(subjectAccessRequests.schoolId, schoolId),
          eq(subjectAccessRequests.status, 'closed'),
          lt(subjectAccessRequests.closedAt, before),
        ),
      )
      .returning({ id: subjectAccessRequests.id });
    return rows.map((r) => r.id);
  }

  async insertRun(db: Db, values: typeof retentionRuns.$inferInsert): Promise<RetentionRunRow> {
    const rows = await db.insert(retentionRuns).values(values).returning();
    return rows[0]!;
  }

  async runs(db: Db, schoolId: string, limit = 50): Promise<RetentionRunRow[]> {
    return db
      .select()
      .from(retentionRuns)
      .where(eq(retentionRuns.schoolId, schoolId))
      .orderBy(desc(retentionRuns.ranAt))
      .limit(limit);
  }
}
