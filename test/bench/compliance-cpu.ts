/**
 * `node --import tsx test/bench/compliance-cpu.ts` — the CPU time of the trust's compliance
 * figures (issue 17's benchmark, docs/training.md "Compliance"), in one process, on the database
 * `BENCH_KEEP_DB=1 npm run bench:compliance` leaves (`lanyard_bench_compliance`: 50 schools ×
 * 100 staff, five years of sessions). Not a test: prints figures, last line one JSON object.
 *
 * CPU time (`process.cpuUsage`, user + system) rather than the clock: the statements' waits are
 * PostgreSQL's, not this process's, and on a shared machine the clock mostly measures the
 * neighbours. Each figure is the median of BENCH_RUNS (default 9) runs after two warm-up runs:
 *
 * - `status_cpu_ms`: training's status for the 50 schools (`statusForSchools`, eight statements
 *   and ~25,000 rows into ~15,000 states) and each school's figures (`schoolFigures`);
 * - `trust_fresh_cpu_ms`: the trust's figures worked out by a new `ComplianceService` (nothing
 *   kept: every school read and worked out);
 * - `trust_kept_cpu_ms`: the same service again with nothing changed (each school's kept data
 *   reused after its version is read), and `trust_one_changed_cpu_ms` after a due-again mark in
 *   one school (that school alone worked out again), with the schools worked out each time.
 *
 * The statements each sends are counted too (the last run's).
 *
 * Run with `node --cpu-prof --cpu-prof-dir=DIR --import tsx …` for a profile.
 * Environment: BENCH_PG_URL (the server), BENCH_RUNS.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { ComplianceService } from '../../src/modules/compliance/compliance.service.ts';
import { schoolFigures } from '../../src/modules/compliance/compliance-view.ts';
import { acknowledgementRequiredSince } from '../../src/modules/compliance/compliance.module.ts';
import { dbUrl, machineLine, median, printFigures, round, runBench, say } from './support.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

/** Statements sent to PostgreSQL (pg's Client.query), counted for the last run of each figure. */
let statements = 0;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

async function cpu<T>(fn: () => Promise<T>): Promise<{ cpu: number; wall: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall, value };
}

async function runs(name: string, fn: () => Promise<unknown>, before?: () => Promise<void>) {
  const cpus: number[] = [];
  const walls: number[] = [];
  let sent = 0;
  for (let i = 0; i < RUNS + 2; i++) {
    if (before) await before();
    const s0 = statements;
    const r = await cpu(fn);
    sent = statements - s0;
    if (i < 2) continue;
    cpus.push(r.cpu);
    walls.push(r.wall);
  }
  const m = { cpu: round(median(cpus), 1), wall: round(median(walls), 1), statements: sent };
  say(
    `   ${name}: CPU median ${m.cpu} ms (${round(Math.min(...cpus), 1)}–${round(Math.max(...cpus), 1)}), clock median ${m.wall} ms, ${sent} statements`,
  );
  return m;
}

async function main() {
  const loadStart = os.loadavg()[0]!;
  say(machineLine('compliance CPU', loadStart.toFixed(2)));
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl('lanyard_bench_compliance'),
    DATA_DIR: path.join(os.tmpdir(), `lanyard-compliance-cpu-${randomToken(6)}`),
    SESSION_SECRET: randomToken(32),
    EVIDENCE_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: 'smtp://127.0.0.1:1',
    BASE_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const platform = await createPlatform(config, { supervise: false });
  const services = createServices(platform);
  try {
    const pool = platform.database.pool;
    const { rows } = await pool.query<{ org: string; ids: string[]; names: string[] }>(
      `SELECT organisation_id AS org, array_agg(id::text ORDER BY slug) AS ids,
              array_agg(name ORDER BY slug) AS names
         FROM schools WHERE slug LIKE 'bench-compliance-%' GROUP BY organisation_id`,
    );
    const { org, ids, names } = rows[0]!;
    const fresh = () =>
      new ComplianceService({
        database: services.database,
        clock: services.clock,
        people: services.peopleDirectory,
        trainingStatusForSchools: (schoolIds) => services.training.statusForSchools(schoolIds),
        acknowledgementRequiredSince: acknowledgementRequiredSince(services),
      });
    say(`   ${ids.length} schools; ${RUNS} runs each after 2 warm-up runs`);

    const status = await runs('statusForSchools + schoolFigures (50 schools)', async () => {
      const reports = await services.training.statusForSchools(ids);
      return ids.map((id, i) => schoolFigures(names[i]!, reports.get(id)!));
    });
    const trustFresh = await runs('computeTrust, nothing kept', () => fresh().computeTrust(org));
    const kept = fresh();
    await kept.computeTrust(org);
    const counter = (kept as unknown as { stats?: { schoolsRead: number } }).stats;
    const readBefore = counter?.schoolsRead ?? 0;
    const trustKept = await runs('computeTrust, each school kept', () => kept.computeTrust(org));
    const keptRead = (counter?.schoolsRead ?? 0) - readBefore;
    const { rows: person } = await pool.query<{ id: string }>(
      `SELECT id FROM staff WHERE school_id = $1 AND given_name = 'Person1'`,
      [ids[0]],
    );
    const readBeforeChange = counter?.schoolsRead ?? 0;
    const oneChanged = await runs(
      'computeTrust, one school changed (a due-again mark)',
      () => kept.computeTrust(org),
      async () => {
        await services.training.markDueAgain(
          ids[0]!,
          { reason: 'incident', reference: randomToken(8) },
          [person[0]!.id],
          { kinds: ['staff_induction'] },
        );
      },
    );
    const changedRead = (counter?.schoolsRead ?? 0) - readBeforeChange;
    if (counter)
      say(
        `   schools worked out again: ${keptRead} over ${RUNS + 2} kept runs, ${changedRead} over ${RUNS + 2} runs with one school changed`,
      );
    const loadEnd = os.loadavg()[0]!;
    say(`   load average ${loadStart.toFixed(2)} → ${loadEnd.toFixed(2)}`);
    printFigures({
      status_cpu_ms: status.cpu,
      trust_fresh_cpu_ms: trustFresh.cpu,
      trust_fresh_ms: trustFresh.wall,
      trust_kept_cpu_ms: trustKept.cpu,
      trust_one_changed_cpu_ms: oneChanged.cpu,
      trust_one_changed_ms: oneChanged.wall,
      statements: {
        status: status.statements,
        trust_fresh: trustFresh.statements,
        trust_kept: trustKept.statements,
        trust_one_changed: oneChanged.statements,
      },
      ...(counter
        ? {
            schools_read_kept: keptRead,
            schools_read_one_changed: changedRead,
            runs_each: RUNS + 2,
          }
        : {}),
      trust_fresh_to_one_changed: round(trustFresh.cpu / Math.max(oneChanged.cpu, 0.1), 1),
      schools: ids.length,
      runs: RUNS,
      load_average: [round(loadStart), round(loadEnd)],
      cpus: os.cpus().length,
    });
  } finally {
    await platform.close();
  }
}

runBench(main);
