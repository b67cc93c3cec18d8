import type pg from 'pg';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The numbers in `cache_versions` (migration 0022, ADR 0018): one per school (or organisation),
 * bumped by triggers in the same transaction as any change to what a process keeps in memory
 * (shared reads, the session cache). A value kept in memory is used only after the current
 * number has been read and found unchanged since the value was read, so a change committed
 * through any process is seen on every process's next request.
 *
 * Reads are shared: one statement at a time, started after the event loop's current turn; every
 * caller that asks while one is in flight waits for the next, which starts after it asked. So
 * the number a caller gets was read after it asked (never an older one), and under load one
 * statement serves every request that arrived meanwhile. A scope with no row yet is 0.
 */
export class VersionReader {
  private waiting = new Map<string, { resolve(v: number): void; reject(e: unknown): void }[]>();
  private busy = false;
  /** Statements run and versions asked for (one statement answers many asks under load). */
  readonly stats = { reads: 0, asked: 0 };

  constructor(private readonly pool: Pick<pg.Pool, 'query'>) {}

  /** The scope's current version, read by a statement that started after this call. */
  version(scope: string): Promise<number> {
    if (!UUID.test(scope)) return Promise.reject(new TypeError('A version scope is a uuid'));
    this.stats.asked++;
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(scope);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(scope, [{ resolve, reject }]);
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.next());
      }
    });
  }

  private async next(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.stats.reads++;
    try {
      const { rows } = await this.pool.query<{ scope: string; version: string }>({
        name: 'cache_versions_v1',
        text: 'SELECT scope::text AS scope, version FROM cache_versions WHERE scope = ANY($1::uuid[])',
        values: [[...batch.keys()]],
      });
      const found = new Map(rows.map((r) => [r.scope, Number(r.version)]));
      for (const [scope, list] of batch) {
        const v = found.get(scope.toLowerCase()) ?? 0;
        for (const w of list) w.resolve(v);
      }
    } catch (error) {
      for (const list of batch.values()) for (const w of list) w.reject(error);
    } finally {
      if (this.waiting.size > 0) setImmediate(() => void this.next());
      else this.busy = false;
    }
  }
}
