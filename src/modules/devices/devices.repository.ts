import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { captureDevices } from './devices.tables.ts';

export type DeviceRow = typeof captureDevices.$inferSelect;
export type DeviceStatus = 'pending' | 'approved' | 'withdrawn';

/** Queries on the device register; every one is scoped by school. */
export class DevicesRepository {
  async list(db: Db, schoolId: string): Promise<DeviceRow[]> {
    return db
      .select()
      .from(captureDevices)
      .where(eq(captureDevices.schoolId, schoolId))
      .orderBy(asc(captureDevices.name), asc(captureDevices.assetTag));
  }

  async listByStatus(db: Db, schoolId: string, statuses: DeviceStatus[]): Promise<DeviceRow[]> {
    return db
      .select()
      .from(captureDevices)
      .where(and(eq(captureDevices.schoolId, schoolId), inArray(captureDevices.status, statuses)))
      .orderBy(asc(captureDevices.name), asc(captureDevices.assetTag));
  }

  async getById(db: Db, schoolId: string, id: string): Promise<DeviceRow | undefined> {
    const rows = await db
      .select()
      .from(captureDevices)
      .where(and(eq(captureDevices.schoolId, schoolId), eq(captureDevices.id, id)))
      .limit(1);
    return rows[0];
  }

  /** Locks the row for a status change. */
  async getForUpdate(db: Db, schoolId: string, id: string): Promise<DeviceRow | undefined> {
    const rows = await db
      .select()
      .from(captureDevices)
      .where(and(eq(captureDevices.schoolId, schoolId), eq(captureDevices.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async getByAssetTag(db: Db, schoolId: string, assetTag: string): Promise<DeviceRow | undefined> {
    const rows = await db
      .select()
      .from(captureDevices)
      .where(and(eq(captureDevices.schoolId, schoolId), eq(captureDevices.assetTag, assetTag)))
      .limit(1);
    return rows[0];
  }

  async create(db: Db, values: typeof captureDevices.$inferInsert): Promise<DeviceRow> {
    const rows = await db.insert(captureDevices).values(values).returning();
    return rows[0]!;
  }

  async setStatus(
    db: Db,
    schoolId: string,
    id: string,
    values: { status: DeviceStatus; decidedBy: string | null; decidedAt: Date },
  ): Promise<void> {
    await db
      .update(captureDevices)
      .set(values)
      .where(and(eq(captureDevices.schoolId, schoolId), eq(captureDevices.id, id)));
  }
}
