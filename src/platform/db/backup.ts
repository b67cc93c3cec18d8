import crypto from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import zlib from 'node:zlib';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { FileStore } from '../files/file-store.ts';
import type { Db } from './database.ts';

/**
 * A whole Lanyard installation as one file, and back (`lanyard backup FILE`, `lanyard restore
 * FILE`): every table of the public schema and every committed file of the file store. It works
 * on the embedded PostgreSQL (whose npm package has no pg_dump) and on any server, through the
 * application's own connection.
 *
 * The file is gzip-compressed JSON lines. Rows are JSON objects (PostgreSQL's own `row_to_json`,
 * turned back by `json_populate_recordset`, so every type round-trips exactly); every other line
 * is a JSON array `[kind, details]`: the header (format, the migrations applied, the time), a
 * line naming each table and its columns before its rows, one line per file (key, SHA-256,
 * contents in base64), and an end line with the counts.
 * All tables are read in one REPEATABLE READ transaction, so the backup is one consistent moment.
 *
 * With a `checkpoint` (the audit log's, ADR 0012), the backup holds that checkpoint's lock from
 * before its snapshot until every file is copied, writes a checkpoint of the audit chains' heads
 * as they are in the snapshot into the backup (an `audit-checkpoint` line after the header) and
 * into the file store before the files are copied, so the backup carries a checkpoint that
 * matches its own rows and no later one. Restore checks the restored chains against it.
 *
 * Left out on purpose: sessions and sign-in links (a restored copy must not let anyone in), the
 * consent register versions and the cache versions (kept by triggers, which raise them again as
 * the rows go back: ADRs 0009, 0018), sign-in attempts, rate-limit counters and upload leases (minutes-old throttling state
 * holding client addresses: a backup must not keep them), and pg-boss's queue (jobs are
 * re-created by the schedules; pending ones are lost).
 */
export const BACKUP_FORMAT = 'lanyard-backup/1';
export const SKIPPED_TABLES: ReadonlySet<string> = new Set([
  'sessions',
  'sign_in_links',
  'consent_register_versions',
  'cache_versions',
  'sign_in_attempts',
  'rate_limit_hits',
  'upload_slots',
]);
const FETCH = 2_000;
const INSERT_BATCH = 500;

export interface BackupSummary {
  tables: Record<string, number>;
  files: number;
  bytes: number;
}

export class BackupError extends Error {}

/** A checkpoint of the audit chains taken in the backup's snapshot (see the module comment). */
export interface BackupCheckpoint<C> {
  /** The advisory lock that serialises checkpoint writers. */
  lockName: string;
  /** Reads the chains' heads in the backup's snapshot; null when there is nothing to anchor. */
  capture(db: Db): Promise<C | null>;
  /** Writes the captured checkpoint to the file store. */
  write(checkpoint: C): Promise<void>;
  /** On restore, inside its transaction: a message if the restored rows do not match. */
  check(db: Db, checkpoint: C): Promise<string | null>;
}

/** Public tables in an order that satisfies their foreign keys (referenced tables first). */
async function tablesInOrder(client: pg.PoolClient): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  const { rows: refs } = await client.query<{ child: string; parent: string }>(
    `SELECT cl.relname AS child, pr.relname AS parent FROM pg_constraint co
     JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_class pr ON pr.oid = co.confrelid
     JOIN pg_namespace n ON n.oid = cl.relnamespace
     WHERE co.contype = 'f' AND n.nspname = 'public' AND cl.oid <> pr.oid`,
  );
  const names = tables.map((t) => t.name).filter((t) => !SKIPPED_TABLES.has(t));
  const parents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const r of refs) parents.get(r.child)?.add(r.parent);
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    if (seen.has(name)) return;
    if (path.has(name)) throw new BackupError(`Foreign keys form a cycle through ${name}`);
    path.add(name);
    for (const p of parents.get(name) ?? []) if (parents.has(p)) visit(p, path);
    path.delete(name);
    seen.add(name);
    ordered.push(name);
  };
  for (const n of names) visit(n, new Set());
  return ordered;
}

async function appliedMigrations(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ hash: string }>(
    `SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id`,
  );
  return rows.map((r) => r.hash);
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Writes the backup to `path` (a new file; an existing one is refused). */
export async function backup<C>(
  pool: pg.Pool,
  files: FileStore,
  path: string,
  options: { checkpoint?: BackupCheckpoint<C> } = {},
): Promise<BackupSummary> {
  if (fs.existsSync(path)) throw new BackupError(`${path} already exists; choose a new file name`);
  const partial = `${path}.partial`;
  const gzip = zlib.createGzip();
  const sink = fs.createWriteStream(partial, { flags: 'wx' });
  const piped = new Promise<void>((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
    gzip.on('error', reject);
  });
  gzip.pipe(sink);
  let bytes = 0;
  const line = async (value: unknown) => {
    const text = `${typeof value === 'string' ? value : JSON.stringify(value)}\n`;
    bytes += text.length;
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  const summary: BackupSummary = { tables: {}, files: 0, bytes: 0 };
  const anchor = options.checkpoint;
  const client = await pool.connect();
  let locked = false;
  const unlock = async () => {
    if (locked) {
      locked = false;
      await client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [anchor!.lockName])
        .catch(() => undefined);
    }
  };
  let captured: C | null = null;
  try {
    if (anchor) {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [anchor.lockName]);
      locked = true;
    }
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = await appliedMigrations(client);
    const tables = await tablesInOrder(client);
    captured = anchor ? await anchor.capture(drizzle(client)) : null;
    await line([
      'header',
      { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), migrations, tables },
    ]);
    if (captured) await line(['audit-checkpoint', captured]);
    for (const table of tables) {
      const { rows: cols } = await client.query<{ name: string }>(
        `SELECT attname AS name FROM pg_attribute
         WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [`public.${ident(table)}`],
      );
      await line(['table', { table, columns: cols.map((c) => c.name) }]);
      await client.query(
        `DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(lanyard_backup_row)::text AS j FROM public.${ident(table)} lanyard_backup_row`,
      );
      let count = 0;
      for (;;) {
        const { rows } = await client.query<{ j: string }>(`FETCH ${FETCH} FROM backup_rows`);
        for (const r of rows) await line(r.j);
        count += rows.length;
        if (rows.length < FETCH) break;
      }
      await client.query('CLOSE backup_rows');
      summary.tables[table] = count;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    await unlock();
    client.release();
    gzip.destroy();
    await piped.catch(() => undefined);
    fs.rmSync(partial, { force: true });
    throw error;
  }
  try {
    if (anchor && captured) await anchor.write(captured);
    for await (const f of files.list()) {
      const data = await files.read(f.key);
      const sha256 = crypto.createHash('sha256').update(data).digest('hex');
      await line(['file', { key: f.key, sha256, data: data.toString('base64') }]);
      summary.files += 1;
    }
    await line(['end', { tables: summary.tables, files: summary.files }]);
    gzip.end();
    await piped;
    fs.renameSync(partial, path);
  } catch (error) {
    gzip.destroy();
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    await unlock();
    client.release();
  }
  summary.bytes = bytes;
  return summary;
}

/**
 * Restores a backup into an empty, migrated Lanyard database and its file store: all rows in one
 * transaction (nothing is half-restored), files written to temporary names first and moved into
 * place after the rows commit. The backup must have been made with the same migrations. With a
 * `checkpoint`, the restored audit chains must match the checkpoint the backup carries.
 */
export async function restore<C>(
  pool: pg.Pool,
  files: FileStore,
  path: string,
  options: { checkpoint?: BackupCheckpoint<C> } = {},
): Promise<BackupSummary> {
  if (!fs.existsSync(path)) throw new BackupError(`There is no file ${path}`);
  const input = readline.createInterface({
    input: fs.createReadStream(path).pipe(zlib.createGunzip()),
    crlfDelay: Infinity,
  });
  const lines = input[Symbol.asyncIterator]();
  /** A row (its JSON text, passed to PostgreSQL as it is) or a control line [kind, details]. */
  type Item = { row: string } | { kind: string; details: Record<string, unknown> };
  const next = async (): Promise<Item | null> => {
    const r = await lines.next();
    if (r.done) return null;
    if (r.value.startsWith('{')) return { row: r.value };
    const parsed = JSON.parse(r.value) as unknown;
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') {
      throw new BackupError('The backup is damaged: a line is neither a row nor a control line');
    }
    return { kind: parsed[0], details: (parsed[1] ?? {}) as Record<string, unknown> };
  };

  let first: Item | null;
  try {
    first = await next();
  } catch {
    input.close();
    throw new BackupError(`${path} is not a Lanyard backup (it is not gzip-compressed JSON lines)`);
  }
  const header = first && 'kind' in first && first.kind === 'header' ? first.details : null;
  if (!header || header.format !== BACKUP_FORMAT) {
    input.close();
    throw new BackupError(`${path} is not a Lanyard backup (format ${BACKUP_FORMAT})`);
  }
  const summary: BackupSummary = { tables: {}, files: 0, bytes: 0 };
  const temps: { temp: string; key: string }[] = [];
  const client = await pool.connect();
  try {
    const migrations = await appliedMigrations(client);
    if (JSON.stringify(migrations) !== JSON.stringify(header.migrations)) {
      throw new BackupError(
        'The backup was made by another version of Lanyard (its migrations differ); restore it with the version that made it',
      );
    }
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM schools');
    if (Number(rows[0]!.n) > 0) {
      throw new BackupError(
        'The database already holds schools; restore needs an empty Lanyard database (a new DATA_DIR or DATABASE_URL)',
      );
    }
    await client.query('BEGIN');
    let table: string | null = null;
    let batch: string[] = [];
    const flush = async () => {
      if (!table || batch.length === 0) return;
      await client.query(
        `INSERT INTO public.${ident(table)} SELECT * FROM json_populate_recordset(NULL::public.${ident(table)}, $1::json)`,
        [`[${batch.join(',')}]`],
      );
      summary.tables[table] = (summary.tables[table] ?? 0) + batch.length;
      batch = [];
    };
    let end: Record<string, unknown> | null = null;
    let checkpoint: C | null = null;
    for (;;) {
      const item = await next();
      if (item === null) break;
      if ('row' in item) {
        if (!table) throw new BackupError('The backup is damaged: a row before any table');
        batch.push(item.row);
        if (batch.length >= INSERT_BATCH) await flush();
      } else if (item.kind === 'table') {
        await flush();
        table = String(item.details.table);
        summary.tables[table] = 0;
      } else if (item.kind === 'file') {
        await flush();
        table = null;
        const data = Buffer.from(String(item.details.data), 'base64');
        if (crypto.createHash('sha256').update(data).digest('hex') !== item.details.sha256) {
          throw new BackupError(
            `The backup is damaged: ${String(item.details.key)} does not match its checksum`,
          );
        }
        temps.push({ temp: (await files.writeTemp(data)).name, key: String(item.details.key) });
      } else if (item.kind === 'audit-checkpoint') {
        checkpoint = item.details as C;
      } else if (item.kind === 'end') {
        await flush();
        end = item.details;
      }
    }
    if (!end)
      throw new BackupError('The backup is incomplete (it has no end); nothing was restored');
    const expected = end.tables as Record<string, number>;
    for (const [t, n] of Object.entries(expected)) {
      if ((summary.tables[t] ?? 0) !== n) {
        throw new BackupError(
          `The backup is damaged: ${t} has ${summary.tables[t] ?? 0} of ${n} rows`,
        );
      }
    }
    if (checkpoint && options.checkpoint) {
      const problem = await options.checkpoint.check(drizzle(client), checkpoint);
      if (problem) throw new BackupError(`The backup is damaged: ${problem}`);
    }
    // Sequences continue after the restored rows.
    const { rows: seqs } = await client.query<{ tbl: string; col: string; seq: string }>(
      `SELECT c.relname AS tbl, a.attname AS col, pg_get_serial_sequence(format('public.%I', c.relname), a.attname) AS seq
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND pg_get_serial_sequence(format('public.%I', c.relname), a.attname) IS NOT NULL`,
    );
    for (const s of seqs) {
      await client.query(
        `SELECT setval($1, COALESCE((SELECT max(${ident(s.col)}) FROM public.${ident(s.tbl)}), 0) + 1, false)`,
        [s.seq],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    for (const t of temps) await files.discard(t.temp).catch(() => undefined);
    input.close();
    if (error instanceof SyntaxError || (error as { code?: string }).code === 'Z_DATA_ERROR') {
      throw new BackupError(`${path} is damaged: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    client.release();
  }
  for (const t of temps) {
    await files.commit(t.temp, t.key);
    summary.files += 1;
  }
  return summary;
}
