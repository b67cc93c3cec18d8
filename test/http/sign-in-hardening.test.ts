import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createPlatform, createServices, type Platform } from '../../src/container.ts';
import { SESSION_COOKIE } from '../../src/modules/auth/auth.routes.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, totpNow } from '../support/http.ts';
import { Browser, linkFromEmail, scalar } from '../support/http-principals.ts';

function mainOf(html: string): string {
  return /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** A browser that has typed the right password and now faces the code page. */
async function atCodePage(app: FastifyInstance, email: string): Promise<Browser> {
  const b = new Browser(app);
  const res = await b.post(
    '/sign-in',
    { email, password: TEST_PASSWORD },
    { csrfFrom: '/sign-in' },
  );
  expect(res.headers.location).toBe('/sign-in/two-factor');
  await b.get('/sign-in/two-factor');
  return b;
}

describe('second factor: one code, one session (issue 10 item 4)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices({ env: { LOGIN_RATE_LIMIT: '10000' } });
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('accepts the same code posted to four sessions at the same moment exactly once, trial after trial', async () => {
    // A code is valid for its step and the next; two trials use the two steps.
    for (const offset of [0, 30_000]) {
      const sessions = await Promise.all(
        [0, 1, 2, 3].map(() => atCodePage(app, fx.staff.dsl.email)),
      );
      const code = totpNow(undefined, Date.now() + offset);
      const answers = await Promise.all(
        sessions.map((b) => b.post('/sign-in/two-factor', { code })),
      );
      const statuses = answers.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([303, 401, 401, 401]);
      const winners = sessions.filter((_b, i) => answers[i]!.statusCode === 303);
      expect((await winners[0]!.get('/pupils')).statusCode).toBe(200);
      for (const loser of sessions.filter((_b, i) => answers[i]!.statusCode !== 303))
        expect((await loser.get('/pupils')).headers.location).toBe('/sign-in/two-factor');
    }
  });

  it('uses a step once even when 20 checks race in the database', async () => {
    // Sign-in uses the step through the people module's directory (the staff row is people's).
    const repo = ctx.services.peopleDirectory;
    const db = ctx.services.database.db;
    const step = Math.floor(Date.now() / 30_000) + 5;
    const won = await Promise.all(
      Array.from({ length: 20 }, () => repo.useTotpStep(db, fx.staff.headteacher.id, step)),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await repo.useTotpStep(db, fx.staff.headteacher.id, step)).toBe(false);
    expect(await repo.useTotpStep(db, fx.staff.headteacher.id, step - 1)).toBe(false);
  });

  it('gives a new session id when the second factor is done; the half-signed-in one is gone', async () => {
    const b = await atCodePage(app, fx.staff.dpo.email);
    const before = b.cookies.get(SESSION_COOKIE)!;
    const halfway = b.cookieString();
    const sessionsBefore = await scalar(ctx, 'SELECT count(*) AS n FROM sessions');
    const done = await b.post('/sign-in/two-factor', { code: totpNow() });
    expect(done.statusCode).toBe(303);
    const after = done.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(after?.value).toBeTruthy();
    expect(after!.value).not.toBe(before);
    expect(after!.httpOnly).toBe(true);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM sessions')).toBe(sessionsBefore);
    expect((await b.get('/pupils')).statusCode).toBe(200);
    // Whoever saw the cookie before the code was entered has nothing.
    const old = await app.inject({ method: 'GET', url: '/pupils', headers: { cookie: halfway } });
    expect(old.statusCode).toBe(303);
    expect(old.headers.location).toMatch(/^\/sign-in\?next=/);
  });
});

describe('no account enumeration, no lock-out of others (issue 10 item 5)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices({ env: { LOGIN_RATE_LIMIT: '10000', LOGIN_MAX_ATTEMPTS: '2' } });
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 3 });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  async function attempt(email: string, password = 'not-the-password', b = new Browser(app)) {
    if (!b.csrf) await b.get('/sign-in');
    return b.post('/sign-in', { email, password });
  }

  it('answers a known, an unknown and a disabled account identically, in the same time', async () => {
    const disabled = fx.staff.support_staff;
    await ctx.services.database.pool.query('UPDATE staff SET active = false WHERE id = $1', [
      disabled.id,
    ]);
    const bodies = new Map<string, string>();
    const times: Record<string, number[]> = { known: [], unknown: [], disabled: [] };
    const emails = {
      known: fx.staff.teacher.email,
      unknown: `nobody.${fx.school.slug}@nowhere.test`,
      disabled: disabled.email,
    };
    await attempt(emails.known); // warm up
    const kinds = ['known', 'unknown', 'disabled'] as const;
    for (let round = 0; round < 9; round++) {
      // Each kind goes first in turn, so none is always measured right after the same neighbour.
      for (const kind of [...kinds.slice(round % 3), ...kinds.slice(0, round % 3)]) {
        const { ms, value } = await timed(() => attempt(emails[kind]));
        expect(value.statusCode, kind).toBe(401);
        times[kind]!.push(ms);
        bodies.set(
          kind,
          mainOf(value.body)
            .replaceAll(emails[kind], 'EMAIL')
            .replace(/name="_csrf" value="[^"]*"/, ''),
        );
      }
    }
    expect(bodies.get('unknown')).toBe(bodies.get('known'));
    expect(bodies.get('disabled')).toBe(bodies.get('known'));
    const medians = Object.values(times).map(median);
    const ratio = Math.max(...medians) / Math.min(...medians);
    console.log(
      `sign-in medians (ms): known ${median(times.known!).toFixed(1)}, unknown ${median(times.unknown!).toFixed(1)}, disabled ${median(times.disabled!).toFixed(1)}; ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeLessThan(2);
  });

  it('throttles a known and an unknown account the same way, with the same words', async () => {
    const results: Record<string, LightMyRequestResponse[]> = { known: [], unknown: [] };
    const emails = {
      known: fx.staff.office.email,
      unknown: `ghost.${fx.school.slug}@nowhere.test`,
    };
    for (const kind of ['known', 'unknown'] as const) {
      const b = new Browser(app);
      for (let i = 0; i < 4; i++) results[kind]!.push(await attempt(emails[kind], `wrong-${i}`, b));
    }
    expect(results.known!.map((r) => r.statusCode)).toEqual([401, 401, 429, 429]);
    expect(results.unknown!.map((r) => r.statusCode)).toEqual([401, 401, 429, 429]);
    const text = (kind: 'known' | 'unknown') =>
      mainOf(results[kind]![3]!.body)
        .replaceAll(emails[kind], 'EMAIL')
        .replace(/name="_csrf" value="[^"]*"/, '')
        .replace(/Wait \d+ minutes/, 'Wait N minutes');
    expect(text('unknown')).toBe(text('known'));
  });

  it('slows strangers once an account is attacked from many addresses, but never its usual address', async () => {
    const who = fx.staff.ict_technician;
    const home = new Browser(app);
    expect((await attempt(who.email, TEST_PASSWORD, home)).statusCode).toBe(303);
    // 10 addresses × 2 wrong passwords = 20 failures, the account-wide 10 × 2: every one is
    // answered; after them, an address the owner has never used must wait.
    for (let i = 0; i < 10; i++) {
      const b = new Browser(app);
      expect((await attempt(who.email, 'wrong-a', b)).statusCode).toBe(401);
      expect((await attempt(who.email, 'wrong-b', b)).statusCode).toBe(401);
    }
    const stranger = await attempt(who.email, TEST_PASSWORD);
    expect(stranger.statusCode).toBe(429);
    const usual = new Browser(app, home.ip);
    const back = await attempt(who.email, TEST_PASSWORD, usual);
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe('/');
  });

  it('stops one address spraying many accounts, except for accounts it signs in to', async () => {
    const sprayer = new Browser(app);
    expect((await attempt(fx.staff.governor.email, TEST_PASSWORD, sprayer)).statusCode).toBe(303);
    const out = new Browser(app, sprayer.ip);
    for (let i = 0; i < 40; i++)
      expect((await attempt(`spray-${i}@nowhere.test`, 'Password1', out)).statusCode).toBe(401);
    expect((await attempt('spray-new@nowhere.test', 'Password1', out)).statusCode).toBe(429);
    expect((await attempt(fx.staff.business_manager.email, TEST_PASSWORD, out)).statusCode).toBe(
      429,
    );
    const again = new Browser(app, sprayer.ip);
    expect((await attempt(fx.staff.governor.email, TEST_PASSWORD, again)).statusCode).toBe(303);
  });

  it('sends a sign-in link in the same time and with the same answer for a known and an unknown address', async () => {
    const known = fx.parents[0]!.email!;
    const unknown = `stranger.${fx.school.slug}@nowhere.test`;
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    let pageKnown = '';
    let pageUnknown = '';
    for (let round = 0; round < 12; round++) {
      const order = round % 2 ? (['unknown', 'known'] as const) : (['known', 'unknown'] as const);
      for (const kind of order) {
        const b = new Browser(app);
        await b.get('/sign-in/link');
        const since = ctx.sink.lastId();
        // As an attacker would: one request at a time, after the last one's email has gone.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const { ms, value } = await timed(() =>
          b.post('/sign-in/link', { email: kind === 'known' ? known : unknown }),
        );
        expect(value.statusCode).toBe(303);
        expect(value.headers.location).toBe('/sign-in/link/sent');
        times[kind].push(ms);
        const page = mainOf((await b.get('/sign-in/link/sent')).body);
        if (kind === 'known') {
          pageKnown = page;
          // The email still comes (from the job), with a link that works.
          expect(await linkFromEmail(ctx, known, since)).toMatch(/^\/sign-in\/link\//);
        } else pageUnknown = page;
      }
    }
    expect(pageUnknown).toBe(pageKnown);
    const ratio =
      Math.max(median(times.known), median(times.unknown)) /
      Math.min(median(times.known), median(times.unknown));
    console.log(
      `link request medians (ms): known ${median(times.known).toFixed(1)}, unknown ${median(times.unknown).toFixed(1)}; ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeLessThan(2);
    expect(ctx.sink.messages.flatMap((m) => m.to)).not.toContain(unknown);
    // The job carries ids, never the address typed.
    const payloads = await ctx.services.database.pool.query(
      "SELECT data::text AS d FROM pgboss.job WHERE name = 'auth.sign-in-link'",
    );
    expect(payloads.rows.length).toBeGreaterThan(0);
    for (const row of payloads.rows as { d: string }[]) expect(row.d).not.toContain('@');
  });
});

describe('sign-in attempts are kept 30 days', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestServices();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('the hourly sweep removes attempts older than the usual-address period, and ended rate-limit windows', async () => {
    const pool = ctx.services.database.pool;
    await pool.query(
      `INSERT INTO sign_in_attempts (account_key, address, kind, succeeded, at) VALUES
         ('k', '192.0.2.1', 'password', false, now() - interval '31 days'),
         ('k', '192.0.2.1', 'password', true, now() - interval '29 days')`,
    );
    await pool.query(
      `INSERT INTO rate_limit_hits (key, window_start, hits) VALUES
         ('POST /sign-in|192.0.2.1', now() - interval '2 hours', 3),
         ('POST /sign-in|192.0.2.2', now(), 1)`,
    );
    await ctx.services.auth.sweepExpiredSessions();
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM sign_in_attempts')).toBe(1);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM rate_limit_hits')).toBe(1);
  });
});

describe('sign-in throttling counts across processes', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let platform2: Platform;
  let app2: FastifyInstance;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices({ env: { LOGIN_RATE_LIMIT: '10000', LOGIN_MAX_ATTEMPTS: '4' } });
    app = await buildTestApp(ctx);
    // A second Lanyard process on the same database: its own pool, services and rate limiter.
    platform2 = await createPlatform(ctx.config, { supervise: false, mailSink: ctx.sink });
    app2 = await buildApp(createServices(platform2), ctx.config);
    await app2.ready();
    fx = await createSchool(ctx.services, { pupils: 1 });
  });
  afterAll(async () => {
    await app2?.close();
    await platform2?.close();
    await app?.close();
    await ctx?.close();
  });

  it('refuses the fifth wrong password from one address whichever process the four went to', async () => {
    const ip = '192.0.2.44';
    const one = new Browser(app, ip);
    const two = new Browser(app2, ip);
    await one.get('/sign-in');
    await two.get('/sign-in');
    const who = fx.staff.teacher.email;
    const statuses = [
      (await one.post('/sign-in', { email: who, password: 'a' })).statusCode,
      (await two.post('/sign-in', { email: who, password: 'b' })).statusCode,
      (await one.post('/sign-in', { email: who, password: 'c' })).statusCode,
      (await two.post('/sign-in', { email: who, password: 'd' })).statusCode,
      (await one.post('/sign-in', { email: who, password: 'e' })).statusCode,
      (await two.post('/sign-in', { email: who, password: TEST_PASSWORD })).statusCode,
    ];
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe('LOGIN_RATE_LIMIT counts across processes', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let platform2: Platform;
  let app2: FastifyInstance;

  beforeAll(async () => {
    ctx = await createTestServices({ env: { LOGIN_RATE_LIMIT: '3' } });
    app = await buildTestApp(ctx);
    platform2 = await createPlatform(ctx.config, { supervise: false, mailSink: ctx.sink });
    app2 = await buildApp(createServices(platform2), ctx.config);
    await app2.ready();
  });
  afterAll(async () => {
    await app2?.close();
    await platform2?.close();
    await app?.close();
    await ctx?.close();
  });

  it('answers 429 to the fourth request in a minute from one address, whichever process gets it', async () => {
    const ip = '192.0.2.81';
    const one = new Browser(app, ip);
    const two = new Browser(app2, ip);
    await one.get('/sign-in/link');
    await two.get('/sign-in/link');
    const statuses = [
      (await one.post('/sign-in/link', { email: 'a@nowhere.test' })).statusCode,
      (await two.post('/sign-in/link', { email: 'b@nowhere.test' })).statusCode,
      (await one.post('/sign-in/link', { email: 'c@nowhere.test' })).statusCode,
      (await two.post('/sign-in/link', { email: 'd@nowhere.test' })).statusCode,
      (await one.post('/sign-in/link', { email: 'e@nowhere.test' })).statusCode,
    ];
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    // Another address, and the same address on another route, have their own counts.
    const other = new Browser(app2, '192.0.2.82');
    expect(
      (
        await other.post(
          '/sign-in/link',
          { email: 'f@nowhere.test' },
          { csrfFrom: '/sign-in/link' },
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await one.post(
          '/sign-in',
          { email: 'g@nowhere.test', password: 'x' },
          { csrfFrom: '/sign-in' },
        )
      ).statusCode,
    ).toBe(401);
  });
});
