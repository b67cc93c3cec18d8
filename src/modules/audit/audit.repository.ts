import { and, asc, desc, eq, gt, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { auditEvents } from './audit.tables.ts';

export type AuditRow = typeof auditEvents.$inferSelect;
export type NewAuditRow = typeof auditEvents.$inferInsert;

export interface AuditFilters {
  action?: string | undefined;
  entityType?: string | undefined;
  actorId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export class AuditRepository {
  async lockChain(db: Db, chain: string): Promise<void> {
    await db.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${chain}, 0))`);
  }

  /**
   * Takes the checkpoint writers' lock for this transaction; false when someone (a backup) holds
   * it already.
   */
  async tryLockCheckpoints(db: Db, name: string): Promise<boolean> {
    const r = await db.execute<{ ok: boolean }>(
      sql`SELECT pg_try_advisory_xact_lock(hashtextextended(${name}, 0)) AS ok`,
    );
    return r.rows[0]?.ok === true;
  }

  /** Every chain's newest entry and its count, as committed now (or in the caller's snapshot). */
  async heads(db: Db): Promise<{ chain: string; seq: number; hash: string; entries: number }[]> {
    const r = await db.execute<{ chain: string; seq: string; hash: string; entries: string }>(
      sql`SELECT g.chain, g.seq, e.hash, g.entries
          FROM (SELECT chain, max(seq) AS seq, count(*) AS entries FROM audit_events GROUP BY chain) g
          JOIN audit_events e ON e.chain = g.chain AND e.seq = g.seq
          ORDER BY g.chain`,
    );
    return r.rows.map((h) => ({
      chain: h.chain,
      seq: Number(h.seq),
      hash: h.hash,
      entries: Number(h.entries),
    }));
  }

  async lastInChain(db: Db, chain: string): Promise<{ seq: number; hash: string } | undefined> {
    const rows = await db
      .select({ seq: auditEvents.seq, hash: auditEvents.hash })
      .from(auditEvents)
      .where(eq(auditEvents.chain, chain))
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    return rows[0];
  }

  async create(db: Db, row: NewAuditRow): Promise<void> {
    await db.insert(auditEvents).values(row);
  }

  /** Keyset batch over every chain in (chain, seq) order, for verification. */
  async batchAfter(
    db: Db,
    after: { chain: string; seq: number } | null,
    limit: number,
  ): Promise<AuditRow[]> {
    const where = after
      ? or(
          gt(auditEvents.chain, after.chain),
          and(eq(auditEvents.chain, after.chain), gt(auditEvents.seq, after.seq)),
        )
      : undefined;
    return db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(asc(auditEvents.chain), asc(auditEvents.seq))
      .limit(limit);
  }

  async listForSchool(
    db: Db,
    schoolId: string,
    filters: AuditFilters,
    page: { limit: number; offset: number },
  ): Promise<{ rows: AuditRow[]; total: number }> {
    const conditions: SQL[] = [eq(auditEvents.schoolId, schoolId)];
    if (filters.action)
      conditions.push(
        sql`${auditEvents.action} ILIKE ${filters.action.replace(/[%_]/g, '') + '%'}`,
      );
    if (filters.entityType) conditions.push(eq(auditEvents.entityType, filters.entityType));
    if (filters.actorId) conditions.push(eq(auditEvents.actorId, filters.actorId));
    if (filters.from) conditions.push(gte(auditEvents.occurredAt, filters.from));
    if (filters.to) conditions.push(lt(auditEvents.occurredAt, filters.to));
    const where = and(...conditions);
    const [rows, count] = await Promise.all([
      db
        .select()
        .from(auditEvents)
        .where(where)
        .orderBy(desc(auditEvents.id))
        .limit(page.limit)
        .offset(page.offset),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(auditEvents)
        .where(where),
    ]);
    return { rows, total: count[0]?.n ?? 0 };
  }

  async distinctEntityTypes(db: Db, schoolId: string): Promise<string[]> {
    const rows = await db
      .selectDistinct({ t: auditEvents.entityType })
      .from(auditEvents)
      .where(eq(auditEvents.schoolId, schoolId))
      .orderBy(asc(auditEvents.entityType));
    return rows.map((r) => r.t);
  }
}
