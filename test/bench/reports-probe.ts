/**
 * What one request of the governors' report page does (issue 16's `report_page_p99_ms`): run in
 * process against the database `npm run bench:reports` leaves with BENCH_KEEP_DB=1
 * (`lanyard_bench_reports`: 2,000 pupils, 10,000 incidents). Prints, for
 * `GET /reports/governors?period=2025-26` (the governor signed in): the SQL statements of one
 * request when nothing is kept (after a change in the school), when the kept report is current,
 * EXPLAIN (ANALYZE, BUFFERS) timings of each distinct statement, and the time of a warm request.
 *
 * `node --import tsx test/bench/reports-probe.ts` (BENCH_PG_URL as for the benchmark).
 */
import pg from 'pg';
import { HttpClient } from '../support/http.ts';
import { openInProcess, say } from './support.ts';

interface Seen {
  text: string;
  values: unknown[];
}

async function main() {
  const { services, app, pool, close } = await openInProcess('lanyard_bench_reports');
  const school = (
    await pool.query<{ id: string }>(`SELECT id FROM schools WHERE slug = 'bench-reports'`)
  ).rows[0];
  if (!school) throw new Error('no bench database: run BENCH_KEEP_DB=1 npm run bench:reports');
  const governor = (
    await pool.query<{ id: string; email: string }>(
      `SELECT s.id, s.email FROM staff s JOIN staff_roles r ON r.staff_id = s.id
       WHERE s.school_id = $1 AND r.role = 'governor' LIMIT 1`,
      [school.id],
    )
  ).rows[0]!;

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
  await client.signIn(governor.email);

  const probe = async (label: string, run: () => Promise<{ statusCode: number; body: string }>) => {
    recording = [];
    const t0 = performance.now();
    const res = await run();
    const ms = performance.now() - t0;
    const seen = recording as Seen[];
    recording = null;
    say(`   ${label}: ${res.statusCode}, ${seen.length} statements, ${ms.toFixed(1)} ms`);
    for (const s of seen) say(`      ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    return seen;
  };
  const period = process.env.PROBE_PERIOD ?? '2025-26';
  const page = () => client.get(`/reports/governors?period=${period}`);

  say(`GET /reports/governors?period=${period}`);
  await page();
  await bump();
  const cold = await probe('after a change in the school', page);
  await probe('again (kept report current)', page);

  say('EXPLAIN (ANALYZE, BUFFERS) of each statement of a request after a change');
  const seenTexts = new Set<string>();
  for (const s of cold) {
    if (seenTexts.has(s.text) || !/^\s*(select|with)/i.test(s.text)) continue;
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

  const time = async (run: () => Promise<unknown>, n = 100) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run();
    return (performance.now() - t0) / n;
  };
  const cpu0 = process.cpuUsage();
  const wall = await time(page);
  const cpu = process.cpuUsage(cpu0);
  say(
    `Warm: page ${wall.toFixed(2)} ms a request (in process, sequential), ${((cpu.user + cpu.system) / 1000 / 100).toFixed(2)} ms of this process's CPU a request`,
  );
  // The same for a plain signed-in page (the privacy notice: the layout, navigation and
  // session with no data of its own), so the report's own share can be told apart.
  const plain = () => client.get('/privacy');
  const pc0 = process.cpuUsage();
  const plainWall = await time(plain);
  const pc = process.cpuUsage(pc0);
  say(
    `Warm: /privacy ${plainWall.toFixed(2)} ms a request, ${((pc.user + pc.system) / 1000 / 100).toFixed(2)} ms of this process's CPU a request`,
  );
  const coldTimes: number[] = [];
  let coldCpu = 0;
  for (let i = 0; i < 10; i++) {
    await bump();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await page();
    coldTimes.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    coldCpu += (c.user + c.system) / 1000;
  }
  coldTimes.sort((a, b) => a - b);
  say(
    `After a change: median ${coldTimes[5]!.toFixed(1)} ms a request (10 runs), ${(coldCpu / 10).toFixed(2)} ms of this process's CPU a request`,
  );
  const stats = (services.reports as unknown as { stats?: { built: number; kept: number } }).stats;
  if (stats) say(`Reports built ${stats.built}, answered from memory ${stats.kept}`);
  await close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
