import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { domainEvents } from './events.tables.ts';

export type DomainEventRow = typeof domainEvents.$inferSelect;

export class EventsRepository {
  async insert(
    db: Db,
    values: { schoolId: string; type: string; payload: unknown; createdAt: Date },
  ): Promise<number> {
    const [row] = await db.insert(domainEvents).values(values).returning({ id: domainEvents.id });
    return row!.id;
  }

  async listForSchool(
    db: Db,
    schoolId: string,
    type: string,
    afterId = 0,
    limit = 500,
  ): Promise<DomainEventRow[]> {
    return db
      .select()
      .from(domainEvents)
      .where(
        and(
          eq(domainEvents.schoolId, schoolId),
          eq(domainEvents.type, type),
          gt(domainEvents.id, afterId),
        ),
      )
      .orderBy(asc(domainEvents.id))
      .limit(limit);
  }

  async listUnhandled(db: Db, type: string, limit = 500): Promise<DomainEventRow[]> {
    return db
      .select()
      .from(domainEvents)
      .where(and(eq(domainEvents.type, type), isNull(domainEvents.handledAt)))
      .orderBy(asc(domainEvents.id))
      .limit(limit);
  }

  /** The oldest unhandled events of a type, locked; rows another consumer holds are skipped. */
  async lockUnhandled(db: Db, type: string, limit: number): Promise<DomainEventRow[]> {
    return db
      .select()
      .from(domainEvents)
      .where(and(eq(domainEvents.type, type), isNull(domainEvents.handledAt)))
      .orderBy(asc(domainEvents.id))
      .limit(limit)
      .for('update', { skipLocked: true });
  }

  async markHandled(db: Db, id: number, at: Date): Promise<void> {
    await db.update(domainEvents).set({ handledAt: at }).where(eq(domainEvents.id, id));
  }
}
