/**
 * What one request of the DSL's case list does (issue 14's `dsl_list_p99_ms`): run in process
 * against the database `npm run bench:incidents` leaves with BENCH_KEEP_DB=1
 * (`lanyard_bench_incidents`: 2,000 schools, 100,000 incidents, 2,000 in the DSL's school).
 * Prints, for `GET /api/v1/incidents` (the DSL's API token) and the page `GET /incidents` (the
 * DSL signed in): the SQL statements of one request when nothing is kept, when the kept reads
 * are current, and after a change in the school; EXPLAIN (ANALYZE, BUFFERS) of each distinct
 * statement of the list; and the time to build and render the page's view (nunjucks).
 *
 * `node --import tsx test/bench/incidents-probe.ts` (BENCH_PG_URL as for the benchmark).
 */
import pg from 'pg';
import { HttpClient } from '../support/http.ts';
import { openInProcess, say } from './support.ts';
import { TEST_TOTP_SECRET } from '../support/factories.ts';

interface Seen {
  text: string;
  values: unknown[];
}

async function main() {
  const { services, app, pool, close } = await openInProcess('lanyard_bench_incidents');
  const school = (
    await pool.query<{ id: string }>(`SELECT id FROM schools WHERE slug = 'bench-incidents-dsl'`)
  ).rows[0];
  if (!school) throw new Error('no bench database: run BENCH_KEEP_DB=1 npm run bench:incidents');
  const dsl = (
    await pool.query<{ id: string; email: string }>(
      `SELECT s.id, s.email FROM staff s JOIN staff_roles r ON r.staff_id = s.id
       WHERE s.school_id = $1 AND r.role = 'dsl' LIMIT 1`,
      [school.id],
    )
  ).rows[0]!;
  const token = await services.auth.createApiToken(dsl.id, school.id, 'probe');
  // This process's key seals the second factor (the benchmark's process had its own).
  await pool.query('UPDATE staff SET totp_secret = $1 WHERE id = $2', [
    services.auth.sealTotpSecret(TEST_TOTP_SECRET),
    dsl.id,
  ]);

  // Every statement any client of this process sends while `recording`.
  let recording: Seen[] | null = null;
  const original = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (
    this: unknown,
    ...args: unknown[]
  ) {
    const [q, v] = args as [string | { text: string; values?: unknown[] }, unknown[]?];
    if (recording)
      recording.push(
        typeof q === 'string'
          ? { text: q, values: v ?? [] }
          : { text: q.text, values: q.values ?? v ?? [] },
      );
    return original.apply(this, args);
  };
  const bump = () =>
    pool.query('UPDATE cache_versions SET version = version + 1 WHERE scope = $1', [school.id]);

  const client = new HttpClient(app);
  await client.signIn(dsl.email);

  const probe = async (label: string, run: () => Promise<{ statusCode: number; body: string }>) => {
    recording = [];
    const t0 = performance.now();
    const res = await run();
    const ms = performance.now() - t0;
    const seen = recording as Seen[];
    recording = null;
    say(
      `   ${label}: ${res.statusCode}, ${seen.length} statements, ${ms.toFixed(1)} ms, ${res.body.length} bytes`,
    );
    for (const s of seen) say(`      ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    return seen;
  };
  const api = () =>
    app.inject({ url: '/api/v1/incidents', headers: { authorization: `Bearer ${token}` } });
  const page = () => client.get('/incidents');

  say("GET /api/v1/incidents (the benchmark's request)");
  await bump();
  const apiCold = await probe('after a change in the school', api);
  await probe('again (kept reads current)', api);
  say('GET /incidents (the page)');
  await bump();
  const pageCold = await probe('after a change in the school', page);
  await page(); // the session cache keeps its entry from the second request on
  await probe('again (kept reads current)', page);

  say('EXPLAIN (ANALYZE, BUFFERS) of each statement of a request after a change');
  const seenTexts = new Set<string>();
  for (const s of [...apiCold, ...pageCold]) {
    if (seenTexts.has(s.text) || !/^\s*select/i.test(s.text)) continue;
    seenTexts.add(s.text);
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${s.text}`,
      s.values,
    );
    const plan = rows.map((r) => r['QUERY PLAN']);
    const exec = plan.find((l) => l.startsWith('Execution Time')) ?? '';
    const planning = plan.find((l) => l.startsWith('Planning Time')) ?? '';
    say(`   ${s.text.replace(/\s+/g, ' ').slice(0, 120)}`);
    say(`      ${planning}; ${exec}`);
    if (process.env.PROBE_PLANS) for (const l of plan) say(`         ${l}`);
  }

  // The list's statement for each view of the page and for a worker's API list, after a change
  // (nothing kept): its plan in short (the scans and sorts), buffers and execution time.
  const worker = (
    await pool.query<{ id: string }>(
      `SELECT s.id FROM staff s JOIN staff_roles r ON r.staff_id = s.id
       WHERE s.school_id = $1 AND r.role = 'support_staff' LIMIT 1`,
      [school.id],
    )
  ).rows[0]!;
  const workerToken = await services.auth.createApiToken(worker.id, school.id, 'probe');
  say('The list statement of each view, after a change (EXPLAIN ANALYZE, BUFFERS)');
  for (const [label, run] of [
    ['page, all', () => client.get('/incidents')],
    ['page, new reports', () => client.get('/incidents?view=new')],
    ['page, referrals to make', () => client.get('/incidents?view=referrals')],
    ['page, steps overdue', () => client.get('/incidents?view=overdue')],
    ['page, given to me', () => client.get('/incidents?view=mine')],
    ['page, closed', () => client.get('/incidents?view=closed')],
    ['page, safeguarding only', () => client.get('/incidents?safeguarding=yes')],
    [
      "API, a worker's list",
      () =>
        app.inject({
          url: '/api/v1/incidents',
          headers: { authorization: `Bearer ${workerToken}` },
        }),
    ],
  ] as const) {
    await bump();
    recording = [];
    const res = await run();
    const seen = recording as Seen[];
    recording = null;
    const list = seen.find((x) => /from "incident_cases"/.test(x.text));
    if (!list || res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode}, no list`);
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${list.text}`,
      list.values,
    );
    const plan = rows.map((r) => r['QUERY PLAN']);
    const nodes = plan
      .filter((l) => /Scan|Sort\b|Sort Method/.test(l))
      .map((l) => l.replace(/\s*\(cost.*$/, '').replace(/^\s*(->\s*)?/, ''));
    const buffers = (plan.find((l) => /Buffers:/.test(l)) ?? '').trim();
    const exec = plan.find((l) => l.startsWith('Execution Time')) ?? '';
    say(`   ${label} (${seen.length} statements): ${nodes.join(' / ')}; ${buffers}; ${exec}`);
  }

  // Rendering: the page's request timed many times (kept reads current), against the API's.
  const time = async (run: () => Promise<unknown>, n = Number(process.env.PROBE_N ?? 200)) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run();
    return (performance.now() - t0) / n;
  };
  say(
    `Warm: page ${(await time(page)).toFixed(2)} ms a request, API ${(await time(api)).toFixed(2)} ms a request (in process, sequential)`,
  );
  await close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
