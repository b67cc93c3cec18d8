import { and, desc, eq, lte } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { policyReviews, policyTexts } from './lifecycle.tables.ts';

export type PolicyTextRow = typeof policyTexts.$inferSelect;
export type PolicyReviewRow = typeof policyReviews.$inferSelect;

/**
 * The policy's texts and reviews; every query scoped by school. Texts are append-only (insert
 * only); a review is inserted, then approved once (its approval columns set, never changed).
 */
export class LifecycleRepository {
  /** The text in force at a version: the latest text written at or before it. */
  async textAt(db: Db, schoolId: string, version: number): Promise<PolicyTextRow | undefined> {
    const rows = await db
      .select()
      .from(policyTexts)
      .where(and(eq(policyTexts.schoolId, schoolId), lte(policyTexts.version, version)))
      .orderBy(desc(policyTexts.version))
      .limit(1);
    return rows[0];
  }

  /** Every text the school has written, newest first. */
  async texts(db: Db, schoolId: string): Promise<PolicyTextRow[]> {
    return db
      .select()
      .from(policyTexts)
      .where(eq(policyTexts.schoolId, schoolId))
      .orderBy(desc(policyTexts.version));
  }

  async insertText(db: Db, row: typeof policyTexts.$inferInsert): Promise<PolicyTextRow> {
    const [created] = await db.insert(policyTexts).values(row).returning();
    return created!;
  }

  async reviews(db: Db, schoolId: string): Promise<PolicyReviewRow[]> {
    return db
      .select()
      .from(policyReviews)
      .where(eq(policyReviews.schoolId, schoolId))
      .orderBy(desc(policyReviews.metOn), desc(policyReviews.recordedAt));
  }

  async review(db: Db, schoolId: string, id: string): Promise<PolicyReviewRow | undefined> {
    const rows = await db
      .select()
      .from(policyReviews)
      .where(and(eq(policyReviews.schoolId, schoolId), eq(policyReviews.id, id)))
      .limit(1);
    return rows[0];
  }

  async reviewForUpdate(db: Db, schoolId: string, id: string) {
    const rows = await db
      .select()
      .from(policyReviews)
      .where(and(eq(policyReviews.schoolId, schoolId), eq(policyReviews.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async insertReview(db: Db, row: typeof policyReviews.$inferInsert): Promise<PolicyReviewRow> {
    const [created] = await db.insert(policyReviews).values(row).returning();
    return created!;
  }

  async approveReview(
    db: Db,
    schoolId: string,
    id: string,
    values: { approvedBy: string; approvedAt: Date; nextReviewDate: string },
  ): Promise<void> {
    await db
      .update(policyReviews)
      .set(values)
      .where(and(eq(policyReviews.schoolId, schoolId), eq(policyReviews.id, id)));
  }

  /** The latest approved review (the early-review check counts incidents since it). */
  async lastApproved(db: Db, schoolId: string): Promise<PolicyReviewRow | undefined> {
    const rows = await db
      .select()
      .from(policyReviews)
      .where(and(eq(policyReviews.schoolId, schoolId)))
      .orderBy(desc(policyReviews.approvedAt))
      .limit(20);
    return rows.find((r) => r.approvedAt !== null);
  }
}
