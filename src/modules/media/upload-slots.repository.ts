import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { uploadSlots } from './upload-slots.tables.ts';

export class UploadSlotsRepository {
  /**
   * Inside the caller's transaction: serialises one person's acquisitions (an advisory lock on
   * the person), drops their expired leases, and inserts a new one if fewer than `max` are live.
   * Returns whether it was inserted.
   */
  async tryInsert(
    db: Db,
    values: { id: string; personKey: string; ttlMs: number; max: number },
  ): Promise<boolean> {
    await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`upload:${values.personKey}`}))`);
    await db.execute(
      sql`DELETE FROM upload_slots WHERE person_key = ${values.personKey} AND expires_at < now()`,
    );
    const inserted = await db.execute<{ id: string }>(sql`
      INSERT INTO upload_slots (id, person_key, expires_at)
      SELECT ${values.id}::uuid, ${values.personKey}, now() + ${values.ttlMs} * interval '1 millisecond'
      WHERE (SELECT count(*) FROM upload_slots WHERE person_key = ${values.personKey}) < ${values.max}
      RETURNING id`);
    return inserted.rows.length === 1;
  }

  async renew(db: Db, id: string, ttlMs: number): Promise<void> {
    await db.execute(
      sql`UPDATE upload_slots SET expires_at = now() + ${ttlMs} * interval '1 millisecond' WHERE id = ${id}::uuid`,
    );
  }

  async delete(db: Db, id: string): Promise<void> {
    await db.delete(uploadSlots).where(eq(uploadSlots.id, id));
  }
}
