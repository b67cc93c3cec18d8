// scratch: production server on a prepared data folder, quick load numbers
import fs from 'node:fs';
import autocannon from 'autocannon';
import { lockDataFolder, startEmbeddedPostgres } from '../../../src/platform/db/embedded.ts';
import { SmtpSink } from '../../../src/platform/mail/smtp-sink.ts';
import { startLanyard, stopLanyard, withTimeout } from '../lanyard-process.ts';

const dir = '/tmp/lanyard-exp2';
const port = 38211,
  pgPort = 38212;
const base = `http://127.0.0.1:${port}`;
if (!fs.existsSync(`${dir}/ready`)) throw new Error('prepare first');
const unlock = lockDataFolder(dir);
const pgs = await startEmbeddedPostgres({ dataDir: dir, port: pgPort });
const sink = new SmtpSink();
await sink.start(0);
const proc = startLanyard({
  dataDir: dir,
  port,
  pgPort,
  nodeArgs: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PROF] : [],
  env: {
    NODE_ENV: process.env.ENV ?? 'production',
    DATABASE_URL: pgs.url,
    SESSION_SECRET: 'x'.repeat(40),
    SMTP_URL: sink.url,
    BASE_URL: base,
    DEMO_SEED: 'false',
  },
});
try {
  await withTimeout(proc.ready, 60000, 'start');
  const page = await fetch(`${base}/sign-in`);
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const jar = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
    body: new URLSearchParams({
      _csrf: csrf,
      email: 'office@bench-academy.example',
      password: 'bench-password-not-secret-2026',
      next: '/',
    }).toString(),
  });
  const cookie =
    jar +
    '; ' +
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  if (process.env.ONLY) {
    const path = process.env.ONLY;
    const t0 = performance.now();
    const N = Number(process.env.N ?? 1000);
    for (let i = 0; i < N; i++)
      await (await fetch(base + path, { headers: { cookie } })).arrayBuffer();
    console.log(path, ((performance.now() - t0) / N).toFixed(2), 'ms/req sequential');
  } else
    for (const [name, path, c] of [
      ['healthz', '/healthz', undefined],
      ['dashboard', '/', cookie],
      ['pupils', '/pupils', cookie],
    ] as const) {
      // sequential latency
      const t0 = performance.now();
      for (let i = 0; i < 100; i++)
        await (await fetch(base + path, { headers: c ? { cookie: c } : {} })).arrayBuffer();
      const seq = (performance.now() - t0) / 100;
      await autocannon({
        url: base + path,
        connections: 32,
        duration: 2,
        headers: c ? { cookie: c } : {},
      });
      const r = await autocannon({
        url: base + path,
        connections: 32,
        duration: Number(process.env.D ?? 5),
        headers: c ? { cookie: c } : {},
      });
      console.log(
        `${name.padEnd(10)} seq ${seq.toFixed(2)} ms   c32 ${Math.round(r.requests.average)} rps p50 ${r.latency.p50} p99 ${r.latency.p99} non2xx ${r.non2xx}`,
      );
    }
} finally {
  console.log(await stopLanyard(proc));
  await pgs.stop();
  unlock();
  await sink.stop();
}
