/**
 * `node --import tsx test/bench/compliance-queries.ts` — how many SQL statements one compliance
 * page costs (issue 17's benchmark, profiled by count rather than by clock: on a shared machine
 * counts and plans say more than milliseconds). Not a test; prints figures, last line JSON.
 *
 * Runs on the database `npm run bench:compliance` leaves with BENCH_KEEP_DB=1
 * (`lanyard_bench_compliance`: 50 schools × 100 staff, five years of sessions). Builds the app in
 * this process (`buildApp`, as the HTTP tests do), signs in the first school's Business Manager
 * and the trust's admin, and counts every statement sent to PostgreSQL (pg's Client.query) while
 * each page is answered: a first request, a second (what a cache keeps), a change made through
 * the service in between, and the trust's figures worked out afresh (`computeTrust`).
 *
 * Environment: BENCH_PG_URL (the server, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { buildApp } from '../../src/app.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { HttpClient } from '../support/http.ts';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const u = new URL(ADMIN_URL);
u.pathname = '/lanyard_bench_compliance';

/** Every statement a pg client sends, counted (and its first words kept) while `on`. */
const seen: string[] = [];
let on = false;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (on) {
    const q = args[0] as string | { text?: string };
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    seen.push(text.replace(/\s+/g, ' ').slice(0, 110));
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

async function counted<T>(fn: () => Promise<T>): Promise<{ n: number; ms: number; value: T }> {
  seen.length = 0;
  on = true;
  const t0 = performance.now();
  try {
    const value = await fn();
    return { n: seen.length, ms: Math.round((performance.now() - t0) * 10) / 10, value };
  } finally {
    on = false;
  }
}

async function main() {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: u.toString(),
    DATA_DIR: path.join(os.tmpdir(), `lanyard-compliance-queries-${randomToken(6)}`),
    SESSION_SECRET: randomToken(32),
    EVIDENCE_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: 'smtp://127.0.0.1:1',
    BASE_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const platform = await createPlatform(config, { supervise: false });
  const services = createServices(platform);
  const app = await buildApp(services, config);
  await app.ready();
  const pool = platform.database.pool;
  try {
    const { rows } = await pool.query<{ email: string; school_id: string; org: string }>(
      `SELECT st.email, st.school_id, s.organisation_id AS org FROM staff st
         JOIN staff_roles r ON r.staff_id = st.id AND r.role = 'business_manager'
         JOIN schools s ON s.id = st.school_id
        WHERE s.slug = 'bench-compliance-1'`,
    );
    const bm = rows[0]!;
    const school = new HttpClient(app);
    await school.signIn(bm.email);
    const trust = new HttpClient(app);
    await trust.signIn('admin@bench-trust.test');
    const figures: Record<string, number> = {};
    const page = async (name: string, client: HttpClient, url: string, list = false) => {
      const r = await counted(() => client.get(url));
      if (r.value.statusCode !== 200) throw new Error(`${url} → ${r.value.statusCode}`);
      figures[`${name}_queries`] = r.n;
      process.stdout.write(`${name}: ${r.n} statements, ${r.ms} ms\n`);
      if (list) for (const s of seen) process.stdout.write(`   ${s}\n`);
    };
    await page('school_first', school, '/compliance', true);
    await page('school_again', school, '/compliance', true);
    await page('school_filtered', school, '/compliance?status=overdue&role=teacher');
    // A change through the service: the next page must show it (and pays for reading it).
    const { rows: one } = await pool.query<{ id: string }>(
      `SELECT st.id FROM staff st WHERE st.school_id = $1 AND st.given_name = 'Person1'`,
      [bm.school_id],
    );
    await services.training.markDueAgain(
      bm.school_id,
      { reason: 'incident', reference: randomToken(8) },
      [one[0]!.id],
      { kinds: ['staff_induction'] },
    );
    await page('school_after_change', school, '/compliance');
    await page('trust_first', trust, '/trust/compliance');
    await page('trust_again', trust, '/trust/compliance');
    const t = await counted(() => services.compliance.computeTrust(bm.org));
    figures.trust_compute_queries = t.n;
    process.stdout.write(`trust computed afresh: ${t.n} statements, ${t.ms} ms\n`);
    for (const s of seen) process.stdout.write(`   ${s}\n`);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await app.close();
    await platform.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
