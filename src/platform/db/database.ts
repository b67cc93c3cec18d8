import { createHash } from 'node:crypto';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { VersionReader } from './versions.ts';
import { requestVersions } from '../request-context.ts';

/** A Drizzle handle: the pool's, or one bound to a transaction's client. */
export type Db = NodePgDatabase;

/** What a service hands to repositories, the audit log and the job queue inside one transaction. */
export interface Tx {
  db: Db;
  client: pg.PoolClient;
}

/** Socket errors that mean the database server cannot be reached. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** PostgreSQL states that mean "not now": shutting down, crashed, starting up, too many clients. */
const NOT_NOW = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * True when an error (or one it wraps: Drizzle wraps pg's) means the database is away, not that
 * the query was wrong: the server is stopped, restarting or unreachable. Pages answer 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0 && seen.size < 10) {
    const e = queue.shift() as
      { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE.has(code) || NOT_NOW.has(code) || code.startsWith('08')) return true;
    if (
      typeof e.message === 'string' &&
      /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end)/.test(
        e.message,
      )
    )
      return true;
    queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[])); // AggregateError (IPv4 + IPv6)
  }
  return false;
}

/**
 * True when an error (or the pg error Drizzle wraps in it) is a unique violation, of `constraint`
 * when given: a concurrent insert of the same value, which a service turns into a field error.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const {
      code,
      constraint: name,
      cause,
    } = e as {
      code?: unknown;
      constraint?: unknown;
      cause?: unknown;
    };
    if (code === '23505') return constraint === undefined || name === constraint;
    e = cause;
  }
  return false;
}

/** At most this many cached reads are kept (the oldest goes first). */
const CACHED_READS = 300;
/**
 * At most this many per-person reads are kept (the home page's items, one entry a person), in a
 * map of their own so that a busy school's staff do not push the shared reads out.
 */
const PERSONAL_READS = 2_000;

export class Database {
  readonly pool: pg.Pool;
  readonly db: Db;

  constructor(
    readonly url: string,
    options: { max?: number; applicationName?: string } = {},
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'lanyard',
      // An idle connection is a PostgreSQL backend of ~10-15 MB RSS: after 10 s without a query
      // it is closed (under load connections are never idle that long; a new one costs a few ms).
      idleTimeoutMillis: 10_000,
    });
    // A dropped idle connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.db = drizzle(this.pool);
    this.versions = new VersionReader(this.pool);
  }

  /** The numbers that say whether a value kept in memory is still current (ADR 0018). */
  readonly versions: VersionReader;

  /** Runs fn in one transaction (READ COMMITTED); commits if it resolves, rolls back if it throws. */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: if its connection drops between two queries of
    // this transaction (database restarted, backend terminated), pg emits 'error' on the client,
    // which would crash the process. Keep the error; the next query fails and we roll back.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn({ db: drizzle(client), client });
      await client.query('COMMIT');
      this.generation++; // every cached read from before this commit is now stale
      return result;
    } catch (error) {
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      // A broken connection is destroyed, not returned to the pool.
      client.release(broken ?? undefined);
    }
  }

  /** Bumped by every commit through `transaction` (every change in Lanyard goes through it). */
  private generation = 0;
  private readonly reads = new Map<
    string,
    { generation: number; version: number; at: number; value: Promise<unknown> }
  >();
  private readonly personalReads = new Map<
    string,
    { generation: number; version: number; at: number; value: Promise<unknown> }
  >();

  /**
   * A read many requests share (a school's pupil list, its dashboard figures), reused for up to
   * `ttlMs` and never across a change. With a `scope` (the school id; ADR 0018) the scope's
   * version is read first (a shared one-row statement, see VersionReader) and a kept result is
   * used only if nothing in that school changed since it was read: a change committed through
   * any process, job, the CLI or plain SQL shows on the next request everywhere. Without a scope
   * only this process's commits count (for reads that belong to no school). Either way any commit
   * through `transaction` in this process makes every earlier result stale, including reads
   * still in flight when it committed. Within one request the version is read once per school
   * (it was read after the request arrived, which is all the guarantee needs; see
   * platform/request-context.ts). Concurrent misses share one query. Keys must include the
   * school id; callers still check access first.
   */
  cachedRead<T>(key: string, ttlMs: number, load: () => Promise<T>, scope?: string): Promise<T> {
    if (scope === undefined) return this.cachedReadAt(key, ttlMs, load, 0);
    return this.version(scope).then((v) => this.cachedReadAt(key, ttlMs, load, v));
  }

  /**
   * As `cachedRead` with a scope, for a read that belongs to one person of that school (what
   * the home page shows them): kept in a map of its own (PERSONAL_READS entries) so that many
   * people's entries never push out the shared reads. The same promise: a change to anything
   * the read depends on, committed anywhere, shows on the person's next request, provided every
   * table it reads bumps the school's version (ADR 0018).
   */
  cachedPersonalRead<T>(
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
    scope: string,
  ): Promise<T> {
    return this.version(scope).then((v) =>
      this.cachedReadAt(key, ttlMs, load, v, this.personalReads, PERSONAL_READS),
    );
  }

  /**
   * The scope's cache version (ADR 0018), read after this request arrived: once per request and
   * scope (platform/request-context.ts), or, outside a request, by a statement started after
   * this call. For anything a process keeps in memory about a school (the session cache too).
   */
  version(scope: string): Promise<number> {
    const memo = requestVersions();
    let version = memo?.get(scope);
    if (!version) {
      version = this.versions.version(scope);
      memo?.set(scope, version);
      // A failed read is not reused: the next one in the request reads again.
      version.catch(() => memo?.delete(scope));
    }
    return version;
  }

  private cachedReadAt<T>(
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
    version: number,
    reads = this.reads,
    bound = CACHED_READS,
  ): Promise<T> {
    const now = performance.now();
    const hit = reads.get(key);
    // An entry read at this version or a later one reflects every change up to the version read
    // after this request arrived.
    if (
      hit &&
      hit.generation === this.generation &&
      hit.version >= version &&
      now - hit.at < ttlMs
    ) {
      return hit.value as Promise<T>;
    }
    if (hit) reads.delete(key);
    const value = load();
    const entry = { generation: this.generation, version, at: now, value };
    if (reads.size >= bound) reads.delete(reads.keys().next().value!);
    reads.set(key, entry);
    value.catch(() => {
      if (reads.get(key) === entry) reads.delete(key);
    });
    return value;
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A statement name derived from the SQL text: two different texts never share a name. */
function statementName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (preparedNames.size > 10_000) preparedNames.clear();
    preparedNames.set(text, name);
  }
  return name;
}

const preparedNames = new Map<string, string>();

/** The parts of drizzle's node-postgres prepared query that carry the statement name. */
interface NamedPreparedQuery {
  queryString?: unknown;
  rawQueryConfig?: { name?: string };
  queryConfig?: { name?: string };
}

/**
 * Runs a Drizzle query as a named prepared statement whose name is derived from its SQL text, so
 * PostgreSQL parses and plans each distinct query once per connection and two different texts
 * can never share a name. The SQL is built once (asking for it first and then preparing would
 * build it twice; building is most of Drizzle's cost per query).
 */
export async function runPrepared<T>(query: {
  toSQL(): { sql: string };
  prepare(name: string): { execute(): Promise<T> };
}): Promise<T> {
  const prepared = query.prepare('');
  const named = prepared as NamedPreparedQuery;
  if (typeof named.queryString === 'string' && named.rawQueryConfig && named.queryConfig) {
    const name = statementName(named.queryString);
    named.rawQueryConfig.name = name;
    named.queryConfig.name = name;
    return prepared.execute();
  }
  return query.prepare(statementName(query.toSQL().sql)).execute();
}

/**
 * A query for a hot read path, built once with `sql.placeholder(...)` for its values and then
 * only executed: no query building per request. One prepared query per Drizzle handle (the
 * pool's, or a transaction's) and shape key, named by its SQL text like runPrepared.
 *
 *   const byName = statement((db, shape: 'all' | 'on-roll') => db.select()…where(eq(t.x, sql.placeholder('x'))));
 *   await byName(db, 'all', { x: 1 });
 */
export function statement<K extends string, R>(
  build: (
    db: Db,
    shape: K,
  ) => {
    toSQL(): { sql: string };
    prepare(name: string): { execute(values: Record<string, unknown>): Promise<R> };
  },
): (db: Db, shape: K, values: Record<string, unknown>) => Promise<R> {
  const handles = new WeakMap<Db, Map<K, { execute(v: Record<string, unknown>): Promise<R> }>>();
  return (db, shape, values) => {
    let shapes = handles.get(db);
    if (!shapes) handles.set(db, (shapes = new Map()));
    let prepared = shapes.get(shape);
    if (!prepared) {
      const query = build(db, shape);
      prepared = query.prepare(statementName(query.toSQL().sql));
      shapes.set(shape, prepared);
    }
    return prepared.execute(values);
  };
}
