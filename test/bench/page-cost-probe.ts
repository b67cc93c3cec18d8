/**
 * What one signed-in page costs in CPU (issue 11's and 17's page ratios): run in process on the
 * database `BENCH_KEEP_DB=1 npm run bench:compliance` leaves (`lanyard_bench_compliance`). Signs
 * in as the first school's Business Manager and the trust's admin, then for each page sends
 * BENCH_REQUESTS (default 2,000) requests one after another through `app.inject` and prints the
 * CPU time (user + system) per request and the bytes of the page. Not a test; run with
 * `node --cpu-prof --import tsx test/bench/page-cost-probe.ts` for a profile.
 */
import { HttpClient } from '../support/http.ts';
import { openInProcess, round, say } from './support.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 2000);

async function main() {
  const { app, pool, close } = await openInProcess('lanyard_bench_compliance');
  try {
    const { rows } = await pool.query<{ email: string }>(
      `SELECT s.email FROM staff s JOIN staff_roles r ON r.staff_id = s.id
       JOIN schools sc ON sc.id = s.school_id
       WHERE sc.slug = 'bench-compliance-1' AND r.role = 'business_manager' LIMIT 1`,
    );
    if (!rows[0])
      throw new Error('no bench database: run BENCH_KEEP_DB=1 npm run bench:compliance');
    const bm = new HttpClient(app);
    await bm.signIn(rows[0].email);
    const only = process.env.BENCH_PAGES?.split(',');
    const pages: [string, HttpClient | null, string][] = [
      ['healthz', null, '/healthz'],
      ['sign-in page', null, '/sign-in'],
      ['dashboard', bm, '/'],
      ['compliance', bm, '/compliance'],
    ];
    const figures: Record<string, unknown> = {};
    for (const [name, client, url] of pages) {
      if (only && !only.includes(name)) continue;
      const get = () => (client ? client.get(url) : app.inject({ method: 'GET', url }));
      let bytes = 0;
      for (let i = 0; i < 200; i++) {
        const res = await get();
        if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode}`);
        bytes = res.rawPayload.length;
      }
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await get();
      const cpu = process.cpuUsage(c0);
      const perReq = (cpu.user + cpu.system) / 1000 / N;
      const wall = (performance.now() - t0) / N;
      say(
        `${name}: ${perReq.toFixed(3)} ms CPU, ${wall.toFixed(3)} ms wall a request, ${bytes} bytes`,
      );
      figures[`${name.replace(/\W+/g, '_')}_cpu_ms`] = round(perReq, 3);
      figures[`${name.replace(/\W+/g, '_')}_bytes`] = bytes;
    }
    say(JSON.stringify(figures));
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
