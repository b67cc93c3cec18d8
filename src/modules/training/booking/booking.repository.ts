import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { trainingBookings } from '../training.tables.ts';

export type BookingRow = typeof trainingBookings.$inferSelect;

/** Parents' bookings of places at parents' sessions; every query by school. */
export class BookingRepository {
  async placesTaken(db: Db, schoolId: string, sessionId: string): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`coalesce(sum(${trainingBookings.places}), 0)::int` })
      .from(trainingBookings)
      .where(
        and(
          eq(trainingBookings.schoolId, schoolId),
          eq(trainingBookings.sessionId, sessionId),
          isNull(trainingBookings.cancelledAt),
        ),
      );
    return row?.n ?? 0;
  }

  async activeFor(db: Db, schoolId: string, parentId: string): Promise<BookingRow[]> {
    return db
      .select()
      .from(trainingBookings)
      .where(
        and(
          eq(trainingBookings.schoolId, schoolId),
          eq(trainingBookings.parentId, parentId),
          isNull(trainingBookings.cancelledAt),
        ),
      );
  }

  async activeForSession(db: Db, schoolId: string, sessionId: string): Promise<BookingRow[]> {
    return db
      .select()
      .from(trainingBookings)
      .where(
        and(
          eq(trainingBookings.schoolId, schoolId),
          eq(trainingBookings.sessionId, sessionId),
          isNull(trainingBookings.cancelledAt),
        ),
      );
  }

  async create(db: Db, values: typeof trainingBookings.$inferInsert): Promise<BookingRow> {
    const [row] = await db.insert(trainingBookings).values(values).returning();
    return row!;
  }

  /** Cancels a parent's active booking; the row is kept. Returns it, or undefined. */
  async cancel(
    db: Db,
    schoolId: string,
    sessionId: string,
    parentId: string,
    at: Date,
  ): Promise<BookingRow | undefined> {
    const rows = await db
      .update(trainingBookings)
      .set({ cancelledAt: at })
      .where(
        and(
          eq(trainingBookings.schoolId, schoolId),
          eq(trainingBookings.sessionId, sessionId),
          eq(trainingBookings.parentId, parentId),
          isNull(trainingBookings.cancelledAt),
        ),
      )
      .returning();
    return rows[0];
  }
}
