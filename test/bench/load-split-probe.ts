/**
 * Where the CPU of a page under load goes: the server (node), PostgreSQL and the load generator
 * (autocannon, this process). Starts the real server (as the benchmarks do) on the database
 * `BENCH_KEEP_DB=1 npm run bench:compliance` leaves, signs in as the first school's Business
 * Manager, loads each page alone for BENCH_DURATION (8) seconds at BENCH_CONNECTIONS (16) and
 * prints requests per second and CPU milliseconds per request in each, from /proc. Not a test.
 */
import fs from 'node:fs';
import os from 'node:os';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { TEST_PASSWORD } from '../support/factories.ts';
import { makeDataDir } from '../support/lanyard-process.ts';
import { loadRaw } from './rounds.ts';
import { dbUrl, say, signIn, startBenchServer } from './support.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const TICK = 1000 / 100; // ms per clock tick (CLK_TCK 100 on Linux)

function ticks(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}
function byCommand(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    out[comm.startsWith('postgres') ? 'postgres' : comm] =
      (out[comm.startsWith('postgres') ? 'postgres' : comm] ?? 0) + ticks(Number(d));
  }
  return out;
}

async function main() {
  const sink = new SmtpSink();
  await sink.start(0);
  const dataDir = makeDataDir('lanyard-split-');
  const server = await startBenchServer({
    url: dbUrl('lanyard_bench_compliance'),
    dataDir,
    smtpUrl: sink.url,
    cpuProfile: true,
  });
  try {
    const base = server.base;
    const email = process.env.BENCH_EMAIL ?? 'business_manager@bench-compliance-1.test';
    const cookie = await signIn(base, email, TEST_PASSWORD).catch(async () => {
      throw new Error(`sign-in as ${email} failed`);
    });
    const pages = (process.env.BENCH_PAGES ?? '/healthz,/sign-in,/,/compliance').split(',');
    for (const path of pages) {
      const headers: Record<string, string> =
        path === '/healthz' || path === '/sign-in' ? {} : { cookie };
      await loadRaw({ url: base + path, headers, connections: CONNECTIONS, duration: 2 });
      const before = byCommand();
      const me0 = process.cpuUsage();
      const serverTicks0 = ticks(server.process.pid);
      const run = await loadRaw({
        url: base + path,
        headers,
        connections: CONNECTIONS,
        duration: DURATION,
      });
      const me = process.cpuUsage(me0);
      const serverMs = (ticks(server.process.pid) - serverTicks0) * TICK;
      const after = byCommand();
      const pg = ((after.postgres ?? 0) - (before.postgres ?? 0)) * TICK;
      const n = run.totalCompletedRequests;
      say(
        `${path}: ${Math.round(n / DURATION)} req/s; per request CPU: server ${(serverMs / n).toFixed(3)} ms, postgres ${(pg / n).toFixed(3)} ms, load generator ${((me.user + me.system) / 1000 / n).toFixed(3)} ms`,
      );
    }
    say(`load average ${os.loadavg()[0]!.toFixed(2)}`);
  } finally {
    await server.stop();
    await sink.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
