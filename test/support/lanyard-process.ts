import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real Lanyard server as a child process (`node --import tsx src/main.ts all`), the way
 * `npm start` does, for the HTTP benchmark and the start-up/shutdown process tests.
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh data folder the `postgres` user can reach (mkdtemp makes it 0700). */
export function makeDataDir(prefix = 'lanyard-proc-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export interface LanyardOptions {
  dataDir: string;
  port: number;
  pgPort: number;
  env?: Record<string, string | undefined>;
  args?: string[];
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** What node runs: `src/main.ts` through tsx unless given, e.g. ['dist/main.js'] (ADR 0033). */
  entry?: string[];
}

export interface LanyardProcess {
  child: ChildProcess;
  pid: number;
  options: LanyardOptions;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with wall time from spawn and the server's own figure; rejects if it exits first. */
  ready: Promise<{ wallMs: number; ms: number }>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; wallMs: number }>;
}

export function lanyardEnv(options: LanyardOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never inherit the test runner's database or settings meant for another process.
  for (const key of ['DATABASE_URL', 'TEST_DATABASE_URL', 'SMTP_URL', 'BASE_URL', 'VITEST'])
    delete env[key];
  Object.assign(env, {
    NODE_ENV: 'development',
    DATA_DIR: options.dataDir,
    PORT: String(options.port),
    EMBEDDED_PG_PORT: String(options.pgPort),
    SMTP_SINK_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function startLanyard(options: LanyardOptions): LanyardProcess {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...(options.entry ?? ['--import', 'tsx', 'src/main.ts']),
      ...(options.args ?? ['all']),
    ],
    { cwd: repoRoot, env: lanyardEnv(options), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    wallMs: number;
  }>((resolve) => {
    child.once('exit', (code, signal) =>
      // Let the last output arrive before anyone reads it.
      setImmediate(() => resolve({ code, signal, wallMs: performance.now() - started })),
    );
  });
  const ready = new Promise<{ wallMs: number; ms: number }>((resolve, reject) => {
    child.on('message', (m: unknown) => {
      const msg = m as { ready?: boolean; ms?: number };
      if (msg?.ready) resolve({ wallMs: performance.now() - started, ms: msg.ms ?? NaN });
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`Lanyard exited before ready (code ${code}, signal ${signal}):\n${out}`)),
    );
  });
  ready.catch(() => undefined); // callers that only wait for `exited` must not see a rejection
  return { child, pid: child.pid!, options, output: () => out, ready, exited };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

/** SIGTERM, then wait for the exit (SIGKILL after `ms` so a test never leaves it behind). */
export async function stopLanyard(
  proc: LanyardProcess,
  ms = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stopMs: number }> {
  const t0 = performance.now();
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), ms);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  return { code, signal, stopMs: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------
// Processes, from /proc (Linux)

interface ProcInfo {
  pid: number;
  ppid: number;
  name: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // exited, not yet reaped
    return { pid, ppid: Number(fields[1]), name };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The process and all its descendants. */
export function processTree(rootPid: number): ProcInfo[] {
  const infos = allPids()
    .map(readProc)
    .filter((p): p is ProcInfo => p !== undefined);
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of infos) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const root = infos.find((p) => p.pid === rootPid);
  if (!root) return [];
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return out;
}

/** The embedded PostgreSQL processes (postmaster and its workers) under a Lanyard process. */
export function postgresPidsUnder(rootPid: number): number[] {
  return processTree(rootPid)
    .filter((p) => p.pid !== rootPid && p.name.startsWith('postgres'))
    .map((p) => p.pid);
}

/** The pids of these that are still running. */
export function stillRunning(pids: number[]): number[] {
  return pids.filter((pid) => readProc(pid) !== undefined);
}

/** Live postmasters whose command line names this data folder. */
export function postgresProcessesFor(dataDir: string): number[] {
  const needle = path.join(dataDir, 'postgres');
  return allPids().filter((pid) => readProc(pid) && commandLine(pid).includes(needle));
}

function statusKb(pid: number, field: string, file = 'status'): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface MemoryFigures {
  /** Sum of RSS (counts PostgreSQL's shared memory once per process that touched it). */
  rssMb: number;
  /** Sum of PSS: shared pages split between the processes that map them. */
  pssMb: number;
  nodeRssMb: number;
  postgresRssMb: number;
  otherRssMb: number;
  processes: number;
  postgresProcesses: number;
}

/** RSS of Lanyard's node process and every process under it (embedded postgres, esbuild). */
export function memoryOf(rootPid: number): MemoryFigures {
  const tree = processTree(rootPid);
  let node = 0;
  let postgres = 0;
  let other = 0;
  let pss = 0;
  let pgCount = 0;
  for (const p of tree) {
    const rss = statusKb(p.pid, 'VmRSS');
    pss += statusKb(p.pid, 'Pss', 'smaps_rollup');
    if (p.pid === rootPid) node += rss;
    else if (p.name.startsWith('postgres')) {
      postgres += rss;
      pgCount++;
    } else other += rss;
  }
  const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
  return {
    rssMb: mb(node + postgres + other),
    pssMb: mb(pss),
    nodeRssMb: mb(node),
    postgresRssMb: mb(postgres),
    otherRssMb: mb(other),
    processes: tree.length,
    postgresProcesses: pgCount,
  };
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until no process names the data folder (postgres children exit just after the postmaster). */
export async function waitForPostgresGone(dataDir: string, ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = postgresProcessesFor(dataDir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = postgresProcessesFor(dataDir);
  }
  return left;
}

/** Last resort in cleanup: stop whatever postgres still runs on this folder (fast shutdown). */
export async function killPostgresFor(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  let pid: number | undefined;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    /* none */
  }
  const pids = postgresProcessesFor(dataDir);
  const target = pid && pids.includes(pid) ? [pid] : pids;
  for (const p of target) {
    try {
      process.kill(p, 'SIGINT');
    } catch {
      /* gone */
    }
  }
  const left = await waitForPostgresGone(dataDir, 10_000);
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The CLI and a browser-like HTTP client, beside a running server

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs `lanyard <args>` (bin/lanyard.js, as `npx lanyard` does) with the server's environment. */
export function runCli(
  options: LanyardOptions,
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
  timeoutMs = 90_000,
): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/lanyard.js', ...args], {
    cwd: repoRoot,
    env: lanyardEnv({ ...options, env: { ...options.env, ...extraEnv } }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code) =>
      setImmediate(() => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, wallMs: performance.now() - started });
      }),
    );
  });
}

/** A cookie jar over fetch: signs in through the real form (CSRF token and all). */
export class HttpSession {
  private readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { cookie: this.cookieHeader(), ...headers },
      redirect: 'manual',
    });
    this.remember(response);
    return response;
  }

  /** Posts a form from `formPath`'s page, with the CSRF token that page carries. */
  async postForm(
    formPath: string,
    path: string,
    fields: Record<string, string>,
  ): Promise<Response> {
    const page = await (await this.get(formPath)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error(`No CSRF token on ${formPath}`);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        cookie: this.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ ...fields, _csrf: token }).toString(),
      redirect: 'manual',
    });
    this.remember(response);
    return response;
  }

  async signIn(email: string, password: string): Promise<void> {
    const response = await this.postForm('/sign-in', '/sign-in', { email, password, next: '/' });
    if (response.status !== 303)
      throw new Error(`Sign-in as ${email} answered ${response.status}, not a redirect`);
  }
}

/** Polls `check` every 200 ms until it returns true; resolves with the time it took. */
export async function waitUntil(
  check: () => Promise<boolean>,
  ms: number,
  what: string,
): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return performance.now() - t0;
    if (performance.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
