import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { conductDeclarations } from '../conduct.tables.ts';

export type DeclarationRow = typeof conductDeclarations.$inferSelect;

/** Queries on staff declarations; every one is scoped by school. */
export class DeclarationsRepository {
  async create(db: Db, values: typeof conductDeclarations.$inferInsert): Promise<DeclarationRow> {
    const rows = await db.insert(conductDeclarations).values(values).returning();
    return rows[0]!;
  }

  async get(db: Db, schoolId: string, id: string): Promise<DeclarationRow | undefined> {
    const rows = await db
      .select()
      .from(conductDeclarations)
      .where(and(eq(conductDeclarations.schoolId, schoolId), eq(conductDeclarations.id, id)))
      .limit(1);
    return rows[0];
  }

  async getForUpdate(db: Db, schoolId: string, id: string): Promise<DeclarationRow | undefined> {
    const rows = await db
      .select()
      .from(conductDeclarations)
      .where(and(eq(conductDeclarations.schoolId, schoolId), eq(conductDeclarations.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  /** One person's own declarations, newest first. */
  async listOwn(db: Db, schoolId: string, staffId: string, limit = 200): Promise<DeclarationRow[]> {
    return db
      .select()
      .from(conductDeclarations)
      .where(
        and(eq(conductDeclarations.schoolId, schoolId), eq(conductDeclarations.staffId, staffId)),
      )
      .orderBy(desc(conductDeclarations.declaredAt))
      .limit(limit);
  }

  /** Every declaration of the school (the reviewer), waiting ones first, newest first. */
  async listAll(db: Db, schoolId: string, limit = 200): Promise<DeclarationRow[]> {
    return db
      .select()
      .from(conductDeclarations)
      .where(eq(conductDeclarations.schoolId, schoolId))
      .orderBy(
        sql`(${conductDeclarations.status} = 'awaiting_review') DESC`,
        desc(conductDeclarations.declaredAt),
      )
      .limit(limit);
  }

  async countAwaitingReview(db: Db, schoolId: string): Promise<number> {
    const rows = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(conductDeclarations)
      .where(
        and(
          eq(conductDeclarations.schoolId, schoolId),
          eq(conductDeclarations.status, 'awaiting_review'),
        ),
      );
    return rows[0]?.n ?? 0;
  }

  async review(
    db: Db,
    schoolId: string,
    id: string,
    values: { reviewedBy: string; reviewedAt: Date; response: string },
  ): Promise<void> {
    await db
      .update(conductDeclarations)
      .set({ ...values, status: 'reviewed' })
      .where(and(eq(conductDeclarations.schoolId, schoolId), eq(conductDeclarations.id, id)));
  }

  async linkIncident(db: Db, schoolId: string, id: string, incidentId: string): Promise<void> {
    await db
      .update(conductDeclarations)
      .set({ incidentId })
      .where(and(eq(conductDeclarations.schoolId, schoolId), eq(conductDeclarations.id, id)));
  }
}
