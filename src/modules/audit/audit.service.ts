import crypto from 'node:crypto';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuditFilters, AuditRepository, AuditRow } from './audit.repository.ts';

export type ActorKind = 'staff' | 'parent' | 'pupil' | 'org_admin' | 'system' | 'cli';
export interface Actor {
  kind: ActorKind;
  id: string | null;
}
export const systemActor: Actor = { kind: 'system', id: null };

export interface AuditEntry {
  schoolId: string | null;
  actor: Actor;
  /** `module.past-tense-verb`, e.g. `policy.profile-updated`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Ids and changed settings only: never names, emails or free text about a child. */
  data?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

export type VerifyResult =
  | { ok: true; chains: number; entries: number }
  | {
      ok: false;
      chains: number;
      entries: number;
      broken: { id: number; chain: string; seq: number; reason: string };
    };

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Hash of one entry: covers the previous entry's hash and every stored field of this one. */
export function entryHash(prevHash: string, e: Omit<AuditRow, 'id' | 'hash' | 'prevHash'>): string {
  const body = JSON.stringify([
    e.chain,
    e.seq,
    e.schoolId,
    e.occurredAt.toISOString(),
    e.actorKind,
    e.actorId,
    e.action,
    e.entityType,
    e.entityId,
    canonical(e.data),
  ]);
  return crypto.createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export function chainFor(schoolId: string | null): string {
  return schoolId ? `school:${schoolId}` : 'global';
}

export class AuditService {
  constructor(
    private readonly deps: { database: Database; repository: AuditRepository; clock: Clock },
  ) {}

  /** Appends one entry inside the caller's transaction (so it commits or rolls back with the change). */
  async record(tx: Tx, entry: AuditEntry): Promise<void> {
    const chain = chainFor(entry.schoolId);
    const repo = this.deps.repository;
    await repo.lockChain(tx.db, chain);
    const last = await repo.lastInChain(tx.db, chain);
    const fields = {
      chain,
      seq: (last?.seq ?? 0) + 1,
      schoolId: entry.schoolId,
      occurredAt: this.deps.clock.now(),
      actorKind: entry.actor.kind,
      actorId: entry.actor.id,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      data: canonical(entry.data ?? {}) as Record<string, unknown>,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    await repo.create(tx.db, { ...fields, prevHash, hash: entryHash(prevHash, fields) });
  }

  /** Walks every chain from its first entry and names the first entry that does not verify. */
  async verify(onProgress?: (entries: number) => void): Promise<VerifyResult> {
    const { database, repository } = this.deps;
    let after: { chain: string; seq: number } | null = null;
    let chains = 0;
    let entries = 0;
    let prev: { chain: string; seq: number; hash: string } | null = null;
    for (;;) {
      const batch = await repository.batchAfter(database.db, after, 5000);
      if (batch.length === 0) break;
      for (const row of batch) {
        entries++;
        const sameChain: boolean = prev !== null && prev.chain === row.chain;
        if (!sameChain) chains++;
        const expectedSeq: number = sameChain && prev ? prev.seq + 1 : 1;
        const expectedPrev: string = sameChain && prev ? prev.hash : GENESIS_HASH;
        const broken = (reason: string): VerifyResult => ({
          ok: false,
          chains,
          entries,
          broken: { id: row.id, chain: row.chain, seq: row.seq, reason },
        });
        if (row.seq !== expectedSeq)
          return broken(`expected sequence ${expectedSeq}, found ${row.seq} (an entry is missing)`);
        if (row.prevHash !== expectedPrev)
          return broken('its link to the previous entry does not match');
        if (entryHash(row.prevHash, row) !== row.hash)
          return broken('its content does not match its hash (it was changed)');
        prev = { chain: row.chain, seq: row.seq, hash: row.hash };
      }
      const last = batch[batch.length - 1]!;
      after = { chain: last.chain, seq: last.seq };
      onProgress?.(entries);
    }
    return { ok: true, chains, entries };
  }

  async listForSchool(schoolId: string, filters: AuditFilters, page: number, pageSize = 50) {
    const { rows, total } = await this.deps.repository.listForSchool(
      this.deps.database.db,
      schoolId,
      filters,
      {
        limit: pageSize,
        offset: (page - 1) * pageSize,
      },
    );
    const entityTypes = await this.deps.repository.distinctEntityTypes(
      this.deps.database.db,
      schoolId,
    );
    return { rows, total, page, pageSize, entityTypes };
  }
}
