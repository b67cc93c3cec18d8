import crypto from 'node:crypto';
import type { Database, Db, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuditFilters, AuditRepository, AuditRow } from './audit.repository.ts';
import {
  actorInWords,
  peopleIn,
  summaryInWords,
  type NameBook,
  type PeopleIds,
} from './audit-summary.ts';
import type { KeptNameRef } from './audit-kept-names.ts';
import {
  CHECKPOINT_LOCK,
  type AuditCheckpoints,
  type ChainHead,
  type Checkpoint,
} from './audit-checkpoints.ts';

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

/** The checkpoint a verification compared the chains against. */
export interface CheckpointSummary {
  number: number;
  at: Date;
  /** Entries in every chain at that moment. */
  entries: number;
  chains: number;
}

export interface VerifyBreak {
  /** The entry that does not verify, or null when entries are missing from a chain's end. */
  id: number | null;
  /** The chain (or `checkpoints` when the checkpoint files themselves do not verify). */
  chain: string;
  seq: number;
  reason: string;
  /** When the newest entries are gone: the first and last missing sequence numbers. */
  missing?: { from: number; to: number };
}

export type VerifyResult =
  | {
      ok: true;
      chains: number;
      entries: number;
      checkpoint: CheckpointSummary | null;
      notes: string[];
    }
  | {
      ok: false;
      chains: number;
      entries: number;
      checkpoint: CheckpointSummary | null;
      notes: string[];
      broken: VerifyBreak;
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
    private readonly deps: {
      database: Database;
      repository: AuditRepository;
      clock: Clock;
      checkpoints: AuditCheckpoints;
      /** People's names for the ids entries hold (the people service, bound late: it records audit). */
      names: (schoolId: string, ids: PeopleIds) => Promise<Omit<NameBook, 'showPupils'>>;
      /** The school's titles for the staff roles (the policies module, bound late). */
      roleTitles?: (schoolId: string) => Promise<NameBook['roleTitles']>;
      /**
       * Names of former staff kept on the records entries are about (audit-kept-names.ts), by
       * `keptNameKey`; asked only for actors no longer on record.
       */
      keptNames?: (
        schoolId: string,
        refs: readonly KeptNameRef[],
      ) => Promise<ReadonlyMap<string, string>>;
    },
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

  /**
   * Walks every chain from its first entry and names the first entry that does not verify; then
   * checks that each chain still reaches the head recorded by the newest checkpoint (so deleting
   * the newest entries is caught too).
   */
  async verify(onProgress?: (entries: number) => void): Promise<VerifyResult> {
    const { database, repository, checkpoints } = this.deps;
    const reading = await checkpoints.read();
    const cp = reading.latest;
    const checkpoint: CheckpointSummary | null = cp
      ? {
          number: cp.n,
          at: new Date(cp.at),
          entries: cp.chains.reduce((a, h) => a + h.entries, 0),
          chains: cp.chains.length,
        }
      : null;
    const notes: string[] = [];
    if (reading.otherKey > 0)
      notes.push(
        `${reading.otherKey} older checkpoints were signed with another SESSION_SECRET and were not checked`,
      );
    if (!cp) notes.push('there is no checkpoint yet, so missing newest entries cannot be detected');
    /** Per chain in the checkpoint: the hash found at the checkpoint's sequence, and the last seq. */
    const anchored = new Map(cp?.chains.map((h) => [h.chain, h]) ?? []);
    const reached = new Map<string, { last: number; hashAtAnchor: string | null }>();

    let after: { chain: string; seq: number } | null = null;
    let chains = 0;
    let entries = 0;
    let prev: { chain: string; seq: number; hash: string } | null = null;
    const fail = (broken: VerifyBreak): VerifyResult => ({
      ok: false,
      chains,
      entries,
      checkpoint,
      notes,
      broken,
    });
    for (;;) {
      const batch = await repository.batchAfter(database.db, after, 5000);
      if (batch.length === 0) break;
      for (const row of batch) {
        entries++;
        const sameChain: boolean = prev !== null && prev.chain === row.chain;
        if (!sameChain) chains++;
        const expectedSeq: number = sameChain && prev ? prev.seq + 1 : 1;
        const expectedPrev: string = sameChain && prev ? prev.hash : GENESIS_HASH;
        const broken = (reason: string) =>
          fail({ id: row.id, chain: row.chain, seq: row.seq, reason });
        if (row.seq !== expectedSeq)
          return broken(`expected sequence ${expectedSeq}, found ${row.seq} (an entry is missing)`);
        if (row.prevHash !== expectedPrev)
          return broken('its link to the previous entry does not match');
        if (entryHash(row.prevHash, row) !== row.hash)
          return broken('its content does not match its hash (it was changed)');
        prev = { chain: row.chain, seq: row.seq, hash: row.hash };
        const anchor = anchored.get(row.chain);
        if (anchor) {
          const r = reached.get(row.chain) ?? { last: 0, hashAtAnchor: null };
          r.last = row.seq;
          if (row.seq === anchor.seq) r.hashAtAnchor = row.hash;
          reached.set(row.chain, r);
        }
      }
      const last = batch[batch.length - 1]!;
      after = { chain: last.chain, seq: last.seq };
      onProgress?.(entries);
    }
    if (reading.problems.length > 0) {
      return fail({
        id: null,
        chain: 'checkpoints',
        seq: cp?.n ?? 0,
        reason: `the checkpoint files do not verify: ${reading.problems.join('; ')}`,
      });
    }
    if (cp) {
      for (const anchor of cp.chains) {
        const r = reached.get(anchor.chain) ?? { last: 0, hashAtAnchor: null };
        if (r.last < anchor.seq) {
          const range =
            r.last + 1 === anchor.seq
              ? `sequence ${anchor.seq} is gone`
              : `sequences ${r.last + 1} to ${anchor.seq} are gone`;
          return fail({
            id: null,
            chain: anchor.chain,
            seq: r.last + 1,
            missing: { from: r.last + 1, to: anchor.seq },
            reason: `entries after sequence ${r.last} are missing: checkpoint ${cp.n} recorded ${anchor.entries} entries in this chain; ${range}`,
          });
        }
        if (r.hashAtAnchor !== anchor.hash) {
          return fail({
            id: null,
            chain: anchor.chain,
            seq: anchor.seq,
            reason: `entry ${anchor.seq} is not the one checkpoint ${cp.n} recorded: the chain was rewritten`,
          });
        }
      }
    }
    return { ok: true, chains, entries, checkpoint, notes };
  }

  /**
   * Writes a checkpoint of every chain's head to the file store (the hourly `audit.checkpoint`
   * job; `lanyard backup` writes one too). Returns null when a backup holds the lock: it writes
   * its own.
   */
  async checkpoint(reason = 'scheduled'): Promise<Checkpoint | null> {
    const { database, repository, checkpoints, clock } = this.deps;
    return database.transaction(async (tx) => {
      if (!(await repository.tryLockCheckpoints(tx.db, CHECKPOINT_LOCK))) return null;
      const heads = await repository.heads(tx.db);
      if (heads.length === 0) return null;
      const c = await checkpoints.prepare(heads, clock.now(), reason);
      await checkpoints.append(c);
      return c;
    });
  }

  /**
   * What `backup` needs to put a checkpoint into the backup and the file store (taken in the
   * backup's own snapshot, under the checkpoint lock), and to check it again on restore.
   */
  backupCheckpoint() {
    const { repository, checkpoints, clock } = this.deps;
    return {
      lockName: CHECKPOINT_LOCK,
      capture: async (db: Db): Promise<Checkpoint | null> => {
        const heads = await repository.heads(db);
        return heads.length ? checkpoints.prepare(heads, clock.now(), 'backup') : null;
      },
      write: (c: Checkpoint) => checkpoints.append(c),
      /** The restored chains against the backup's checkpoint: a message when they differ. */
      check: async (db: Db, c: Checkpoint): Promise<string | null> => {
        const heads = new Map((await repository.heads(db)).map((h) => [h.chain, h]));
        for (const want of c.chains) {
          const got = heads.get(want.chain);
          if (!got || got.seq !== want.seq || got.hash !== want.hash)
            return `audit chain ${want.chain} has ${got?.entries ?? 0} entries but the backup's checkpoint recorded ${want.entries}`;
        }
        return null;
      },
    };
  }

  /** The newest checkpoint, for one school's audit page: when, and how many of its entries. */
  async lastCheckpointFor(
    schoolId: string,
  ): Promise<{ at: Date; entries: number } | { unreadable: true } | null> {
    const latest = await this.deps.checkpoints.latest();
    if (latest === null) return null;
    if (latest === 'unreadable') return { unreadable: true };
    const head: ChainHead | undefined = latest.chains.find((h) => h.chain === chainFor(schoolId));
    return { at: new Date(latest.at), entries: head?.entries ?? 0 };
  }

  /**
   * One page of a school's audit log in words: who (names read now), what happened, when, and
   * the entry as stored. Pupils' names only when `showPupils` (the reader may see every pupil).
   */
  async readLog(
    schoolId: string,
    filters: AuditFilters,
    page: number,
    options: { showPupils: boolean },
    pageSize = 50,
  ) {
    const [{ rows, total, entityTypes }, checkpoint] = await Promise.all([
      this.listForSchool(schoolId, filters, page, pageSize),
      this.lastCheckpointFor(schoolId),
    ]);
    const [names, roleTitles] = await Promise.all([
      this.deps.names(schoolId, peopleIn(rows)),
      this.deps.roleTitles?.(schoolId),
    ]);
    // Actors no longer on record: the name the entry's own record kept, if it kept one.
    const gone: KeptNameRef[] = rows.flatMap((r) =>
      r.actorKind === 'staff' && r.actorId && r.entityId && !names.staff.get(r.actorId)
        ? [{ entityType: r.entityType, entityId: r.entityId, staffId: r.actorId }]
        : [],
    );
    const kept =
      gone.length && this.deps.keptNames ? await this.deps.keptNames(schoolId, gone) : undefined;
    const book: NameBook = {
      ...names,
      roleTitles,
      showPupils: options.showPupils,
      ...(kept ? { kept } : {}),
    };
    const entries = rows.map((row) => ({
      seq: row.seq,
      occurredAt: row.occurredAt,
      who: actorInWords(row, book),
      summary: summaryInWords(row, book),
      raw: JSON.stringify(
        {
          entry: row.seq,
          chain: row.chain,
          occurredAt: row.occurredAt.toISOString(),
          actorKind: row.actorKind,
          actorId: row.actorId,
          action: row.action,
          entityType: row.entityType,
          entityId: row.entityId,
          data: row.data,
          prevHash: row.prevHash,
          hash: row.hash,
        },
        null,
        2,
      ),
    }));
    return { entries, total, page, pageSize, entityTypes, checkpoint };
  }

  /** One page of a school's entries as stored (for services and tests). */
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
