import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { conductPermissionDecisions, conductPermissions } from '../conduct.tables.ts';

export type PermissionRow = typeof conductPermissions.$inferSelect;
export type DecisionRow = typeof conductPermissionDecisions.$inferSelect;

/** Queries on permission requests and their decision trail; every one is scoped by school. */
export class PermissionsRepository {
  async create(db: Db, values: typeof conductPermissions.$inferInsert): Promise<PermissionRow> {
    const rows = await db.insert(conductPermissions).values(values).returning();
    return rows[0]!;
  }

  async addDecision(db: Db, values: typeof conductPermissionDecisions.$inferInsert): Promise<void> {
    await db.insert(conductPermissionDecisions).values(values);
  }

  async get(db: Db, schoolId: string, id: string): Promise<PermissionRow | undefined> {
    const rows = await db
      .select()
      .from(conductPermissions)
      .where(and(eq(conductPermissions.schoolId, schoolId), eq(conductPermissions.id, id)))
      .limit(1);
    return rows[0];
  }

  async getForUpdate(db: Db, schoolId: string, id: string): Promise<PermissionRow | undefined> {
    const rows = await db
      .select()
      .from(conductPermissions)
      .where(and(eq(conductPermissions.schoolId, schoolId), eq(conductPermissions.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async setStatus(
    db: Db,
    schoolId: string,
    id: string,
    values: { status: string; grantedAt?: Date | null; expiresAt?: Date | null },
  ): Promise<void> {
    await db
      .update(conductPermissions)
      .set(values)
      .where(and(eq(conductPermissions.schoolId, schoolId), eq(conductPermissions.id, id)));
  }

  async decisions(db: Db, schoolId: string, permissionId: string): Promise<DecisionRow[]> {
    return db
      .select()
      .from(conductPermissionDecisions)
      .where(
        and(
          eq(conductPermissionDecisions.schoolId, schoolId),
          eq(conductPermissionDecisions.permissionId, permissionId),
        ),
      )
      .orderBy(asc(conductPermissionDecisions.at), asc(conductPermissionDecisions.id));
  }

  async listOwn(db: Db, schoolId: string, staffId: string, limit = 200): Promise<PermissionRow[]> {
    return db
      .select()
      .from(conductPermissions)
      .where(
        and(eq(conductPermissions.schoolId, schoolId), eq(conductPermissions.staffId, staffId)),
      )
      .orderBy(desc(conductPermissions.requestedAt))
      .limit(limit);
  }

  /** Requests in these states (the decider's and the ICT Technician's lists). */
  async listByStatus(
    db: Db,
    schoolId: string,
    statuses: string[],
    types?: string[],
  ): Promise<PermissionRow[]> {
    if (types && types.length === 0) return [];
    return db
      .select()
      .from(conductPermissions)
      .where(
        and(
          eq(conductPermissions.schoolId, schoolId),
          inArray(conductPermissions.status, statuses),
          ...(types ? [inArray(conductPermissions.type, types)] : []),
        ),
      )
      .orderBy(asc(conductPermissions.requestedAt))
      .limit(500);
  }

  /** Whether this person holds a granted permission of this type at this moment. */
  async holds(db: Db, schoolId: string, staffId: string, type: string, at: Date): Promise<boolean> {
    const rows = await db
      .select({ id: conductPermissions.id })
      .from(conductPermissions)
      .where(
        and(
          eq(conductPermissions.schoolId, schoolId),
          eq(conductPermissions.staffId, staffId),
          eq(conductPermissions.type, type),
          eq(conductPermissions.status, 'granted'),
          sql`(${conductPermissions.expiresAt} IS NULL OR ${conductPermissions.expiresAt} > ${at.toISOString()}::timestamptz)`,
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  /** Granted permissions past their expiry, every school, oldest first, locked for the job. */
  async dueToExpire(db: Db, at: Date, limit: number): Promise<PermissionRow[]> {
    return db
      .select()
      .from(conductPermissions)
      .where(and(eq(conductPermissions.status, 'granted'), lte(conductPermissions.expiresAt, at)))
      .orderBy(asc(conductPermissions.expiresAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  }
}
