import crypto from 'node:crypto';
import { FileNotFoundError, type FileStore } from '../../platform/files/file-store.ts';

/**
 * Checkpoints of the audit chains' heads, kept outside the database (ADR 0012).
 *
 * The hash chain in `audit_events` proves that no entry was changed or removed in the middle, but
 * whoever can delete rows can also delete the newest ones and leave a shorter chain that still
 * verifies. A checkpoint records, for every chain, the sequence number, hash and entry count of
 * its head at one moment. Checkpoints are written every hour (the `audit.checkpoint` job) and by
 * every backup, to the file store (so into every backup too), as JSON lines:
 *
 *   audit/checkpoints/<yyyy-mm>/<dd>.jsonl   one line per checkpoint, appended, never rewritten
 *   audit/checkpoints/latest.json            a copy of the newest line (for the audit page)
 *
 * Each line carries its number `n`, the signature of the line before (`prev`), and its own
 * signature `mac`: HMAC-SHA256 under a key derived from SESSION_SECRET. Someone who can change the
 * database but not read the server's secret can therefore neither forge a checkpoint nor remove
 * one from the middle of the file unnoticed. `lanyard audit verify` checks the lines, then checks
 * that every chain reaches at least the newest checkpoint's head with the same hash.
 */

export interface ChainHead {
  chain: string;
  /** Sequence number of the newest entry. */
  seq: number;
  /** Hash of the newest entry. */
  hash: string;
  /** How many entries the chain held. */
  entries: number;
}

export interface Checkpoint {
  v: 1;
  /** 1, 2, 3… across every file. */
  n: number;
  /** ISO timestamp. */
  at: string;
  /** Why it was written: `scheduled`, `backup`, `manual`. */
  reason: string;
  /** Which key signed it (a fingerprint of the key, not the key). */
  kid: string;
  /** The signature of the checkpoint before, or 64 zeros for the first. */
  prev: string;
  chains: ChainHead[];
  mac: string;
}

export interface CheckpointReading {
  /** The newest checkpoint signed with this server's key, or null if there is none. */
  latest: Checkpoint | null;
  /** What is wrong with the checkpoint files (empty when they verify). */
  problems: string[];
  /** Checkpoints signed with another key (before SESSION_SECRET was changed): not checked. */
  otherKey: number;
  /** How many checkpoints were checked. */
  checked: number;
}

const DIR = 'audit/checkpoints';
const LATEST = `${DIR}/latest.json`;
const DAY_FILE = /^audit\/checkpoints\/\d{4}-\d{2}\/\d{2}\.jsonl$/;
const NO_PREVIOUS = '0'.repeat(64);

/** The PostgreSQL advisory lock name that serialises checkpoint writers (and backups). */
export const CHECKPOINT_LOCK = 'lanyard:audit-checkpoint';

function signedBody(c: Omit<Checkpoint, 'mac'>): string {
  return JSON.stringify([
    c.v,
    c.n,
    c.at,
    c.reason,
    c.kid,
    c.prev,
    c.chains.map((h) => [h.chain, h.seq, h.hash, h.entries]),
  ]);
}

function isCheckpoint(value: unknown): value is Checkpoint {
  const c = value as Checkpoint;
  return (
    !!c &&
    c.v === 1 &&
    Number.isInteger(c.n) &&
    typeof c.at === 'string' &&
    typeof c.reason === 'string' &&
    typeof c.kid === 'string' &&
    typeof c.prev === 'string' &&
    typeof c.mac === 'string' &&
    Array.isArray(c.chains) &&
    c.chains.every(
      (h) =>
        typeof h?.chain === 'string' &&
        Number.isInteger(h.seq) &&
        typeof h.hash === 'string' &&
        Number.isInteger(h.entries),
    )
  );
}

export class AuditCheckpoints {
  private readonly key: Buffer;
  readonly kid: string;

  constructor(
    private readonly files: FileStore,
    secret: string,
  ) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', secret, 'lanyard', 'audit-checkpoint/1', 32));
    this.kid = this.hmac('key-id').slice(0, 16);
  }

  private hmac(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('hex');
  }

  private validMac(c: Checkpoint): boolean {
    const { mac, ...rest } = c;
    const expected = Buffer.from(this.hmac(signedBody(rest)), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  /** The day files in order, oldest first. */
  private async dayFiles(): Promise<string[]> {
    const keys: string[] = [];
    for await (const f of this.files.list(DIR)) if (DAY_FILE.test(f.key)) keys.push(f.key);
    return keys.sort();
  }

  private async readText(key: string): Promise<string> {
    try {
      return (await this.files.read(key)).toString('utf8');
    } catch (e) {
      if (e instanceof FileNotFoundError) return '';
      throw e;
    }
  }

  /**
   * A signed checkpoint of these heads, following the newest one in the files. The caller holds
   * the checkpoint lock from here until {@link append} has written it.
   */
  async prepare(heads: ChainHead[], at: Date, reason: string): Promise<Checkpoint> {
    const keys = await this.dayFiles();
    let previous: { n: number; mac: string } | null = null;
    const last = keys[keys.length - 1];
    if (last) {
      const lines = (await this.readText(last)).split('\n').filter((l) => l.trim());
      const tail = lines[lines.length - 1];
      if (tail) {
        try {
          const parsed = JSON.parse(tail) as unknown;
          if (isCheckpoint(parsed)) previous = { n: parsed.n, mac: parsed.mac };
        } catch {
          /* an unreadable line: verify reports it; the chain of checkpoints restarts here */
        }
      }
    }
    const body: Omit<Checkpoint, 'mac'> = {
      v: 1,
      n: (previous?.n ?? 0) + 1,
      at: at.toISOString(),
      reason,
      kid: this.kid,
      prev: previous?.mac ?? NO_PREVIOUS,
      chains: [...heads].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0)),
    };
    return { ...body, mac: this.hmac(signedBody(body)) };
  }

  /** Appends a prepared checkpoint to its day's file and replaces `latest.json`. */
  async append(c: Checkpoint): Promise<void> {
    const key = `${DIR}/${c.at.slice(0, 7)}/${c.at.slice(8, 10)}.jsonl`;
    const before = await this.readText(key);
    const text = `${before}${before && !before.endsWith('\n') ? '\n' : ''}${JSON.stringify(c)}\n`;
    const temp = await this.files.writeTemp(Buffer.from(text, 'utf8'));
    await this.files.commit(temp.name, key);
    const latest = await this.files.writeTemp(Buffer.from(`${JSON.stringify(c)}\n`, 'utf8'));
    await this.files.commit(latest.name, LATEST);
  }

  /** Every checkpoint, checked: signatures, numbering and links. */
  async read(): Promise<CheckpointReading> {
    const reading: CheckpointReading = { latest: null, problems: [], otherKey: 0, checked: 0 };
    let expected: { n: number; mac: string } | null = null;
    for (const key of await this.dayFiles()) {
      const lines = (await this.readText(key)).split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (!line.trim()) continue;
        const where = `${key} line ${i + 1}`;
        let c: unknown;
        try {
          c = JSON.parse(line);
        } catch {
          reading.problems.push(`${where} is not a checkpoint (it cannot be read)`);
          expected = null;
          continue;
        }
        if (!isCheckpoint(c)) {
          reading.problems.push(`${where} is not a checkpoint`);
          expected = null;
          continue;
        }
        if (c.kid !== this.kid) {
          // Signed before SESSION_SECRET changed: it cannot be checked, and the next one signed
          // with this key starts a new run.
          reading.otherKey += 1;
          expected = null;
          continue;
        }
        if (!this.validMac(c)) {
          reading.problems.push(
            `checkpoint ${c.n} (${where}) was altered: its signature does not match`,
          );
          expected = null;
          continue;
        }
        if (expected && (c.n !== expected.n + 1 || c.prev !== expected.mac)) {
          reading.problems.push(
            `checkpoint ${c.n} (${where}) does not follow checkpoint ${expected.n}: a checkpoint was removed or inserted`,
          );
        }
        reading.checked += 1;
        reading.latest = c;
        expected = { n: c.n, mac: c.mac };
      }
    }
    return reading;
  }

  /**
   * The newest checkpoint as kept in `latest.json` (for pages): null when there is none yet,
   * 'unreadable' when its signature does not hold with this server's key.
   */
  async latest(): Promise<Checkpoint | 'unreadable' | null> {
    const text = await this.readText(LATEST);
    if (!text.trim()) return null;
    try {
      const c = JSON.parse(text) as unknown;
      return isCheckpoint(c) && c.kid === this.kid && this.validMac(c) ? c : 'unreadable';
    } catch {
      return 'unreadable';
    }
  }
}
