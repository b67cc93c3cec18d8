import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { responsibilityHolders } from './responsibilities.tables.ts';

export type HolderRow = typeof responsibilityHolders.$inferSelect;

/** Who holds the school's named responsibilities (issue 15). */
export class ResponsibilitiesRepository {
  /** Current holders of every responsibility in the school, by key (staff ids). */
  async current(db: Db, schoolId: string): Promise<HolderRow[]> {
    return db
      .select()
      .from(responsibilityHolders)
      .where(
        and(eq(responsibilityHolders.schoolId, schoolId), isNull(responsibilityHolders.removedAt)),
      );
  }

  /** The responsibilities a member of staff holds now. */
  async heldBy(db: Db, schoolId: string, staffId: string): Promise<string[]> {
    const rows = await db
      .select({ key: responsibilityHolders.responsibilityKey })
      .from(responsibilityHolders)
      .where(
        and(
          eq(responsibilityHolders.schoolId, schoolId),
          eq(responsibilityHolders.staffId, staffId),
          isNull(responsibilityHolders.removedAt),
        ),
      );
    return rows.map((r) => r.key);
  }

  /** Gives it, unless the person already holds it (then null). */
  async give(
    db: Db,
    row: {
      schoolId: string;
      staffId: string;
      responsibilityKey: string;
      givenBy: string;
      givenAt: Date;
    },
  ): Promise<HolderRow | null> {
    const held = await db
      .select({ id: responsibilityHolders.id })
      .from(responsibilityHolders)
      .where(
        and(
          eq(responsibilityHolders.schoolId, row.schoolId),
          eq(responsibilityHolders.staffId, row.staffId),
          eq(responsibilityHolders.responsibilityKey, row.responsibilityKey),
          isNull(responsibilityHolders.removedAt),
        ),
      )
      .for('update');
    if (held.length > 0) return null;
    const [created] = await db.insert(responsibilityHolders).values(row).returning();
    return created!;
  }

  /** Takes it away (the row stays with who removed it and when); false if not held. */
  async remove(
    db: Db,
    schoolId: string,
    id: string,
    removedBy: string,
    removedAt: Date,
  ): Promise<HolderRow | null> {
    const [row] = await db
      .update(responsibilityHolders)
      .set({ removedBy, removedAt })
      .where(
        and(
          eq(responsibilityHolders.schoolId, schoolId),
          eq(responsibilityHolders.id, id),
          isNull(responsibilityHolders.removedAt),
        ),
      )
      .returning();
    return row ?? null;
  }
}
