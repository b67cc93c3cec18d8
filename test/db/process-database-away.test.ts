import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/platform/db/embedded.ts';
import {
  freePort,
  HttpSession,
  killPostgresFor,
  makeDataDir,
  runCli,
  startLanyard,
  stopLanyard,
  waitUntil,
  withTimeout,
  type LanyardOptions,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * PostgreSQL stopped under a running Lanyard (DATABASE_URL: a server Lanyard does not manage,
 * here a real PostgreSQL 18 this test starts and stops). A signed-in person's pages and API calls
 * answer 503 "service unavailable" (a GOV.UK page, RFC 9457 problem JSON), never 500; /healthz
 * stays 200 (liveness) and /readyz says 503; when the database is back, so is everything, with
 * the same session.
 */
describe('the database going away', () => {
  const folders: string[] = [];
  let pgDir: string;
  let pgPort: number;
  let pg: EmbeddedServer | undefined;
  let options: LanyardOptions;
  let server: LanyardProcess;
  let base: string;
  let token: string;
  const session = () => sessionHolder.current!;
  const sessionHolder: { current?: HttpSession } = {};
  const password = 'a-long-test-password-2026';

  beforeAll(async () => {
    pgDir = makeDataDir('lanyard-away-pg-');
    folders.push(pgDir);
    pgPort = await freePort();
    pg = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, supervise: false });
    const dataDir = makeDataDir('lanyard-away-');
    folders.push(dataDir);
    options = {
      dataDir,
      port: await freePort(),
      pgPort: await freePort(),
      env: { DATABASE_URL: pg.url, DEMO_SEED: 'false', LOG_LEVEL: 'info' },
    };
    base = `http://127.0.0.1:${options.port}`;
    server = startLanyard(options);
    await withTimeout(server.ready, 90_000, 'the server start');
    const cli = (...args: string[]) => runCli(options, args, { LANYARD_PASSWORD: password });
    const school = await cli(
      'create-school',
      '--name',
      'Hawthorn Primary School',
      '--slug',
      'hawthorn',
      '--template',
      'jump-primary',
    );
    expect(school.code).toBe(0);
    const user = await cli(
      'create-user',
      '--school',
      'hawthorn',
      '--email',
      'office@hawthorn.example',
      '--name',
      'Omar Hale',
      '--role',
      'office',
    );
    expect(user.code).toBe(0);
    const created = await cli('token', 'create', '--email', 'office@hawthorn.example');
    expect(created.code).toBe(0);
    token = created.stdout.trim();
    sessionHolder.current = new HttpSession(base);
    await session().signIn('office@hawthorn.example', password);
  }, 180_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await pg?.stop().catch(() => undefined);
    for (const dir of folders) {
      await killPostgresFor(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers 503 "service unavailable" to pages and the API while PostgreSQL is stopped, and recovers', async () => {
    expect((await session().get('/pupils')).status).toBe(200);
    await pg!.stop();
    pg = undefined;

    // Liveness: the process is alive, with or without a session cookie.
    const healthz = await session().get('/healthz');
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Readiness: do not send traffic here.
    expect((await session().get('/readyz')).status).toBe(503);

    // A page whose data this process still holds in memory (the session, the pupil list: a few
    // seconds, ADR 0008) may still be shown; every page that needs the database says 503.
    for (const path of ['/pupils?q=Someone', '/', '/consent', '/pupils']) {
      const page = await session().get(path);
      if (path !== '/pupils?q=Someone' && page.status === 200) continue;
      expect(page.status, path).toBe(503);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('retry-after')).toBe('30');
      const html = await page.text();
      expect(html).toContain('<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>');
      expect(html).toContain('Nothing you had saved has been lost');
    }

    const api = await session().get('/api/v1/pupils?q=Someone');
    expect(api.status).toBe(503);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect(await api.json()).toMatchObject({ status: 503, title: 'Service unavailable' });
    const bearer = await fetch(`${base}/api/v1/pupils?q=Another`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(503);
    expect(((await bearer.json()) as { title: string }).title).toBe('Service unavailable');

    // A page that needs no database still works for someone without a session.
    const signIn = await fetch(`${base}/sign-in`);
    expect(signIn.status).toBe(200); // the page itself needs no database

    // PostgreSQL back: the same session works again within seconds, no restart of Lanyard.
    pg = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, supervise: false });
    const ms = await waitUntil(
      async () => (await session().get('/pupils')).status === 200,
      15_000,
      'pages after PostgreSQL came back',
    );
    expect(ms).toBeLessThan(15_000);
    expect((await session().get('/readyz')).status).toBe(200);
    const me = await session().get('/api/v1/me');
    expect(me.status).toBe(200);

    // No request failed with a 500 on the way.
    expect(server.output()).not.toMatch(/ 500 \d+ ms$/m);
    expect(server.output()).toMatch(/WARN database unavailable/);
    const { code } = await stopLanyard(server, 30_000);
    expect(code).toBe(0);
  }, 120_000);
});
