import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  killPostgresFor,
  makeDataDir,
  portInUse,
  postgresPidsUnder,
  startLanyard,
  stillRunning,
  stopLanyard,
  withTimeout,
  type LanyardOptions,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * The start-up and shutdown contract, on real processes: `node --import tsx src/main.ts all`
 * with the embedded PostgreSQL in a fresh data folder. The tests run in order and share the
 * folder: start, refuse a second process, stop cleanly, refuse a bad configuration, recover
 * after `kill -9`.
 */
describe('the Lanyard process', () => {
  const processes: LanyardProcess[] = [];
  const folders: string[] = [];
  let options: LanyardOptions;
  let first: LanyardProcess | undefined;

  const start = (extra: Partial<LanyardOptions> = {}) => {
    const proc = startLanyard({
      ...options,
      ...extra,
      env: { DEMO_SEED: 'false', ...extra.env },
    });
    processes.push(proc);
    return proc;
  };
  const readyz = async (port = options.port) =>
    (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  const postmasterPid = () => path.join(options.dataDir, 'postgres', 'postmaster.pid');
  const lockFile = () => path.join(options.dataDir, 'lanyard.lock');

  /** Waits for processes that exit just after their parent (postgres workers). */
  async function expectGone(pids: number[]): Promise<void> {
    for (let i = 0; i < 50 && stillRunning(pids).length > 0; i++) await sleep(100);
    expect(stillRunning(pids)).toEqual([]);
  }

  beforeAll(async () => {
    const dataDir = makeDataDir('lanyard-process-test-');
    folders.push(dataDir);
    options = { dataDir, port: await freePort(), pgPort: await freePort() };
  });

  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    for (const dir of folders) {
      await killPostgresFor(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('starts on an empty data folder (initdb, migrations) and reports ready', async () => {
    first = start();
    const ready = await withTimeout(first.ready, 90_000, 'the first start');
    expect(ready.ms).toBeGreaterThan(0);
    expect(first.output()).toMatch(/Lanyard \(all\) is ready in \d+ ms on the embedded PostgreSQL/);
    expect(await readyz()).toBe(200);
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(String(first.pid));
    expect(postgresPidsUnder(first.pid).length).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a second process on the same data folder, quickly and clearly', async () => {
    const second = start({ port: await freePort() });
    const { code, wallMs } = await withTimeout(second.exited, 30_000, 'the second process');
    expect(code).not.toBe(0);
    expect(second.output()).toContain('already using the data folder');
    expect(second.output()).toContain(`pid ${first!.pid}`);
    expect(wallMs).toBeLessThan(15_000); // node + tsx start-up, then refused before any work
    // The first server is unharmed and still holds the folder.
    expect(await readyz()).toBe(200);
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(String(first!.pid));
  }, 60_000);

  it('stops cleanly on SIGTERM: exit 0, embedded PostgreSQL gone, lock released', async () => {
    const pgPids = postgresPidsUnder(first!.pid);
    expect(pgPids.length).toBeGreaterThan(0);
    const { code, signal, stopMs } = await stopLanyard(first!, 30_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(15_000);
    expect(first!.output()).toContain('SIGTERM received');
    expect(first!.output()).toContain('Stopped cleanly');
    // The database went down last, after the job queue had stopped using it.
    expect(first!.output()).not.toMatch(/terminating connection due to administrator command/);
    await expectGone(pgPids);
    expect(fs.existsSync(postmasterPid())).toBe(false);
    expect(await portInUse(options.pgPort)).toBe(false);
    expect(fs.existsSync(lockFile())).toBe(false);
  }, 60_000);

  it('refuses NODE_ENV=production with DEMO_SEED=true, before touching anything', async () => {
    const dataDir = makeDataDir('lanyard-process-test-prod-');
    folders.push(dataDir);
    const proc = start({
      dataDir,
      port: await freePort(),
      env: {
        NODE_ENV: 'production',
        DEMO_SEED: 'true',
        DATABASE_URL: 'postgres://lanyard@127.0.0.1:9/lanyard',
        SESSION_SECRET: 'x'.repeat(40),
        EVIDENCE_KEY: Buffer.alloc(32, 7).toString('base64'),
        SMTP_URL: 'smtp://127.0.0.1:9',
        BASE_URL: 'https://lanyard.example',
      },
    });
    const { code } = await withTimeout(proc.exited, 30_000, 'the production start');
    expect(code).toBe(1);
    expect(proc.output()).toContain('DEMO_SEED cannot be switched on when NODE_ENV=production');
    expect(proc.output()).not.toContain('is ready');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);

  it('names the missing settings when production is not configured', async () => {
    const proc = start({ port: await freePort(), env: { NODE_ENV: 'production' } });
    const { code } = await withTimeout(proc.exited, 30_000, 'the production start');
    expect(code).toBe(1);
    expect(proc.output()).toContain(
      'In production these settings are required: DATABASE_URL, SESSION_SECRET, SMTP_URL, BASE_URL',
    );
  }, 60_000);

  it('starts again after kill -9, stopping the PostgreSQL the dead process left running', async () => {
    const victim = start();
    await withTimeout(victim.ready, 60_000, 'the restart');
    const pgPids = postgresPidsUnder(victim.pid);
    const postmaster = Number(fs.readFileSync(postmasterPid(), 'utf8').split('\n')[0]);
    expect(pgPids).toContain(postmaster);

    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    // What a crash leaves behind: a stale lock naming a dead pid, and the postmaster, which does
    // not die with its parent, still running (re-parented) and holding postmaster.pid.
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(String(victim.pid));
    await sleep(300);
    expect(stillRunning([postmaster])).toEqual([postmaster]);
    expect(fs.existsSync(postmasterPid())).toBe(true);

    const next = start();
    await withTimeout(next.ready, 60_000, 'the start after kill -9');
    expect(await readyz()).toBe(200);
    await expectGone(pgPids); // the orphan was shut down, not left beside the new server
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(String(next.pid));
    const newPids = postgresPidsUnder(next.pid);
    expect(newPids.length).toBeGreaterThan(0);

    const { code } = await stopLanyard(next, 30_000);
    expect(code).toBe(0);
    expect(next.output()).toContain('Stopped cleanly');
    await expectGone(newPids);
    expect(fs.existsSync(postmasterPid())).toBe(false);
  }, 150_000);
});
