import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import {
  createSchool,
  TEST_PASSWORD,
  TEST_TOTP_SECRET,
  type SchoolFixture,
} from '../support/factories.ts';
import { buildTestApp, totpNow } from '../support/http.ts';
import {
  Browser,
  formsOf,
  linkFromEmail,
  requestLink,
  scalar,
} from '../support/http-principals.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { hashPassword } from '../../src/platform/crypto.ts';
import { PeopleRepository } from '../../src/modules/people/people.repository.ts';
import { SESSION_COOKIE } from '../../src/modules/auth/auth.routes.ts';

/** A 6-digit code that is not valid now, nor in the neighbouring 30-second steps. */
function wrongCode(secret = TEST_TOTP_SECRET): string {
  const near = new Set([-1, 0, 1].map((k) => totpNow(secret, Date.now() + k * 30_000)));
  for (let n = 0; ; n++) {
    const code = String((123456 + n * 7919) % 1_000_000).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

function sessionCookie(res: LightMyRequestResponse) {
  return res.cookies.find((c) => c.name === SESSION_COOKIE && c.value !== '');
}

function mainOf(html: string): string {
  return /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
}

describe('sign-in and sessions over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 6 });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe('staff password sign-in', () => {
    it('signs a teacher in and sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const b = new Browser(app);
      const page = await b.get('/sign-in');
      expect(page.statusCode).toBe(200);
      const res = await b.post('/sign-in', {
        email: fx.staff.teacher.email,
        password: TEST_PASSWORD,
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/');
      const cookie = sessionCookie(res);
      expect(cookie).toBeDefined();
      expect(cookie!.httpOnly).toBe(true);
      expect(cookie!.sameSite).toBe('Lax');
      expect(cookie!.path).toBe('/');
      const raw = String(res.headers['set-cookie']);
      expect(raw).toMatch(/lanyard_session=[^;]+;.*HttpOnly/i);
      expect(raw).toMatch(/lanyard_session=[^;]+;.*SameSite=Lax/i);
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('Good to see you');
      expect(home.body).toContain('Signed in as');
    });

    it('goes back to the page the person asked for, but never off-site', async () => {
      const b = new Browser(app);
      const asked = await b.get('/pupils?q=a');
      expect(asked.statusCode).toBe(303);
      expect(asked.headers.location).toBe(`/sign-in?next=${encodeURIComponent('/pupils?q=a')}`);
      await b.get(String(asked.headers.location));
      const res = await b.post('/sign-in', {
        email: fx.staff.office.email,
        password: TEST_PASSWORD,
        next: '/pupils?q=a',
      });
      expect(res.headers.location).toBe('/pupils?q=a');
      const evil = new Browser(app);
      const off = await evil.post(
        '/sign-in',
        { email: fx.staff.office.email, password: TEST_PASSWORD, next: '//evil.example/' },
        { csrfFrom: '/sign-in' },
      );
      expect(off.statusCode).toBe(303);
      expect(off.headers.location).toBe('/');
    });

    it('refuses a wrong password with a clear message, 401 and no session', async () => {
      const b = new Browser(app);
      const res = await b.post(
        '/sign-in',
        { email: fx.staff.teacher.email, password: 'not-the-password' },
        { csrfFrom: '/sign-in' },
      );
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('govuk-error-summary');
      expect(res.body).toContain('The email address or password is not right');
      expect(res.body).toContain(`value="${fx.staff.teacher.email}"`);
      expect(sessionCookie(res)).toBeUndefined();
      expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
      const home = await b.get('/');
      expect(home.statusCode).toBe(303);
      expect(home.headers.location).toMatch(/^\/sign-in\?next=/);
    });

    it('gives an unknown email the same answer as a wrong password', async () => {
      const b = new Browser(app);
      const res = await b.post(
        '/sign-in',
        { email: 'nobody@nowhere.test', password: 'whatever-it-is' },
        { csrfFrom: '/sign-in' },
      );
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('The email address or password is not right');
      expect(sessionCookie(res)).toBeUndefined();
    });

    it('asks for the missing fields (400) without signing in', async () => {
      const b = new Browser(app);
      const res = await b.post('/sign-in', { email: '', password: '' }, { csrfFrom: '/sign-in' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('govuk-error-summary');
      expect(res.body).toContain('Enter your email address');
      expect(res.body).toContain('href="#email"');
      expect(sessionCookie(res)).toBeUndefined();
    });

    it('throttles one address after LOGIN_MAX_ATTEMPTS wrong passwords, never the owner elsewhere', async () => {
      const who = fx.staff.volunteer;
      const max = ctx.config.loginMaxAttempts;
      const attacker = new Browser(app);
      await attacker.get('/sign-in');
      for (let i = 1; i <= max; i++) {
        const res = await attacker.post('/sign-in', { email: who.email, password: `wrong-${i}` });
        expect(res.statusCode).toBe(401);
        expect(res.body).not.toMatch(/locked|too many/i);
      }
      const limited = await attacker.post('/sign-in', { email: who.email, password: 'wrong' });
      expect(limited.statusCode).toBe(429);
      expect(limited.body).toContain('govuk-error-summary');
      expect(limited.body).toMatch(/Too many attempts to sign in\. Wait \d+ minutes/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Not even the right password gets in from that address while it waits…
      const right = await attacker.post('/sign-in', { email: who.email, password: TEST_PASSWORD });
      expect(right.statusCode).toBe(429);
      expect(sessionCookie(right)).toBeUndefined();
      // …but the owner, on their own machine, signs in as usual: nobody can lock them out.
      const owner = new Browser(app);
      const mine = await owner.post(
        '/sign-in',
        { email: who.email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(mine.statusCode).toBe(303);
      expect(sessionCookie(mine)).toBeDefined();
    });
  });

  describe('second factor (TOTP)', () => {
    it('sends a headteacher to /sign-in/two-factor and keeps every page shut until the code is right', async () => {
      const b = new Browser(app);
      const res = await b.post(
        '/sign-in',
        { email: fx.staff.headteacher.email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/sign-in/two-factor');
      for (const url of ['/', '/pupils', '/policy', '/audit']) {
        const shut = await b.get(url);
        expect(shut.statusCode, url).toBe(303);
        expect(shut.headers.location, url).toBe('/sign-in/two-factor');
      }
      const api = await b.get('/api/v1/me');
      expect(api.statusCode).toBe(401);
      expect(api.headers['content-type']).toContain('application/problem+json');

      const form = await b.get('/sign-in/two-factor');
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Enter your security code');

      const wrong = await b.post('/sign-in/two-factor', { code: wrongCode() });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toContain('govuk-error-summary');
      expect(wrong.body).toContain('The code is not right');
      expect((await b.get('/pupils')).headers.location).toBe('/sign-in/two-factor');

      const malformed = await b.post('/sign-in/two-factor', { code: 'abc' });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.body).toContain('The code must be 6 digits');

      const right = await b.post('/sign-in/two-factor', { code: totpNow() });
      expect(right.statusCode).toBe(303);
      expect(right.headers.location).toBe('/');
      expect((await b.get('/')).statusCode).toBe(200);
      expect((await b.get('/pupils')).statusCode).toBe(200);
      // Done: the second-factor page now just goes home.
      expect((await b.get('/sign-in/two-factor')).headers.location).toBe('/');
    });

    it('ends the half-signed-in session after too many wrong codes', async () => {
      const b = new Browser(app);
      await b.post(
        '/sign-in',
        { email: fx.staff.dpo.email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      await b.get('/sign-in/two-factor');
      for (let i = 0; i < ctx.config.loginMaxAttempts; i++) {
        const res = await b.post('/sign-in/two-factor', { code: wrongCode() });
        if (i < ctx.config.loginMaxAttempts - 1) expect(res.statusCode).toBe(401);
        else {
          expect(res.statusCode).toBe(429);
          expect(res.body).toContain('Too many wrong codes');
        }
      }
      const after = await b.get('/');
      expect(after.statusCode).toBe(303);
      expect(after.headers.location).toMatch(/^\/sign-in\?next=/);
      // That address has used up its attempts for this account for a while…
      const again = await b.post(
        '/sign-in',
        { email: fx.staff.dpo.email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(again.statusCode).toBe(429);
      expect(again.body).toContain('Too many attempts to sign in');
      // …the DPO elsewhere has not.
      const elsewhere = await new Browser(app).post(
        '/sign-in',
        { email: fx.staff.dpo.email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(elsewhere.headers.location).toBe('/sign-in/two-factor');
    });

    it('makes a second-factor role without an app set one up, with a local QR code', async () => {
      const email = `new-dsl@${fx.school.slug}.test`;
      const member = await new PeopleRepository().createStaff(
        ctx.services.database.db,
        {
          schoolId: fx.school.id,
          email,
          givenName: 'Nadia',
          familyName: 'Newlead',
          passwordHash: await hashPassword(TEST_PASSWORD),
        },
        ['dsl'],
      );
      const b = new Browser(app);
      const res = await b.post(
        '/sign-in',
        { email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account/two-factor/set-up');
      for (const url of ['/', '/pupils', '/sign-in/two-factor']) {
        const shut = await b.get(url);
        expect(shut.statusCode, url).toBe(303);
        expect(shut.headers.location, url).toBe('/account/two-factor/set-up');
      }

      const page = await b.get('/account/two-factor/set-up');
      expect(page.statusCode).toBe(200);
      const qr = /<div class="lanyard-qr"[^>]*>([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
      expect(qr).toContain('<svg');
      expect(qr).not.toMatch(/<img|<image|href=|src=/i);
      expect(page.body).not.toMatch(/(src|href)="https?:\/\//i);
      const secret = /<code class="lanyard-secret">([A-Z2-7]+)<\/code>/.exec(page.body)?.[1];
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);

      const wrong = await b.post('/account/two-factor/set-up', { code: wrongCode(secret!) });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('govuk-error-summary');
      expect(wrong.body).toContain(secret!); // the same secret: the app already scanned stays valid
      expect((await b.get('/')).headers.location).toBe('/account/two-factor/set-up');

      // The set-up code's time step: the replay below sends this exact code, and "the next code"
      // is the step after it (a test that crosses a 30-second boundary must not change either).
      const setUpAt = Date.now();
      const setUpCode = totpNow(secret!, setUpAt);
      const right = await b.post('/account/two-factor/set-up', { code: setUpCode });
      expect(right.statusCode).toBe(303);
      expect(right.headers.location).toBe('/');
      expect((await b.get('/')).statusCode).toBe(200);
      expect((await b.get('/pupils')).statusCode).toBe(200);
      const audit = await ctx.services.audit.listForSchool(
        fx.school.id,
        { action: 'auth.second-factor-enrolled' },
        1,
      );
      expect(audit.rows.map((r) => r.entityId)).toContain(member.id);

      // Next time they are asked for a code, not to set up again.
      const next = new Browser(app);
      const again = await next.post(
        '/sign-in',
        { email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(again.headers.location).toBe('/sign-in/two-factor');
      // The code used to finish set-up cannot be used again (RFC 6238 §5.2: no replay)…
      const replay = await next.post(
        '/sign-in/two-factor',
        { code: setUpCode },
        { csrfFrom: '/sign-in/two-factor' },
      );
      expect(replay.statusCode).toBe(401);
      // …but the next code from the app works.
      const code = await next.post(
        '/sign-in/two-factor',
        { code: totpNow(secret!, setUpAt + 30_000) },
        { csrfFrom: '/sign-in/two-factor' },
      );
      expect(code.headers.location).toBe('/');
    });
  });

  describe('sign-out', () => {
    it('deletes the session, so the old cookie no longer works', async () => {
      const b = new Browser(app);
      await b.signIn(fx.staff.teacher.email);
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      const oldCookie = b.cookieString();
      const before = await scalar(ctx, 'SELECT count(*) AS n FROM sessions');
      const res = await b.post('/sign-out');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/signed-out');
      const cleared = res.cookies.find((c) => c.name === SESSION_COOKIE);
      expect(cleared?.value ?? '').toBe('');
      expect(await scalar(ctx, 'SELECT count(*) AS n FROM sessions')).toBe(before - 1);
      expect((await b.get('/signed-out')).body).toContain('You have signed out');
      // Replaying the old cookie, as a stolen copy would.
      const replay = await app.inject({ method: 'GET', url: '/', headers: { cookie: oldCookie } });
      expect(replay.statusCode).toBe(303);
      expect(replay.headers.location).toMatch(/^\/sign-in\?next=/);
      const api = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: oldCookie },
      });
      expect(api.statusCode).toBe(401);
    });
  });

  describe('one-time sign-in links for parents and pupils', () => {
    it('emails a link that works once; a second use says it has already been used', async () => {
      const b = new Browser(app);
      const email = fx.parent.email!;
      const since = ctx.sink.lastId();
      const sent = await b.post('/sign-in/link', { email }, { csrfFrom: '/sign-in/link' });
      expect(sent.statusCode).toBe(303);
      expect(sent.headers.location).toBe('/sign-in/link/sent');
      expect((await b.get('/sign-in/link/sent')).body).toContain('Check your email');
      const link = await linkFromEmail(ctx, email, since);

      // Opening the link (or an email scanner opening it) does not use it up.
      const first = await b.get(link);
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('Continue');
      expect(formsOf(first.body).some((f) => f.method === 'post' && f.action === link)).toBe(true);
      expect((await new Browser(app).get(link)).statusCode).toBe(200);

      const used = await b.post(link);
      expect(used.statusCode).toBe(303);
      expect(used.headers.location).toBe('/');
      expect(sessionCookie(used)).toBeDefined();
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain(`${fx.pupils[0]!.givenName} ${fx.pupils[0]!.familyName}`);

      const other = new Browser(app);
      const again = await other.get(link);
      expect(again.statusCode).toBe(410);
      expect(again.body).toContain('already been used');
      expect(again.body).toContain('href="/sign-in/link"');
      await other.get('/sign-in/link');
      const replay = await other.post(link);
      expect(replay.statusCode).toBe(410);
      expect(replay.body).toContain('already been used');
      expect(other.cookies.has(SESSION_COOKIE)).toBe(false);
    });

    it('answers an unknown email exactly like a known one, and sends nothing', async () => {
      const known = new Browser(app);
      const unknown = new Browser(app);
      const since = ctx.sink.lastId();
      const a = await known.post(
        '/sign-in/link',
        { email: fx.parents[1]!.email! },
        { csrfFrom: '/sign-in/link' },
      );
      const b = await unknown.post(
        '/sign-in/link',
        { email: 'stranger@nowhere.test' },
        { csrfFrom: '/sign-in/link' },
      );
      expect(b.statusCode).toBe(a.statusCode);
      expect(b.headers.location).toBe(a.headers.location);
      const pageA = await known.get(String(a.headers.location));
      const pageB = await unknown.get(String(b.headers.location));
      expect(pageB.statusCode).toBe(200);
      expect(mainOf(pageB.body)).toBe(mainOf(pageA.body));
      expect(mainOf(pageB.body)).toContain('Check your email');
      await ctx.sink.waitFor(fx.parents[1]!.email!, { since });
      expect(ctx.sink.messages.filter((m) => m.id > since).flatMap((m) => m.to)).not.toContain(
        'stranger@nowhere.test',
      );
    });

    it('says a made-up link is not valid', async () => {
      const b = new Browser(app);
      const res = await b.get('/sign-in/link/this-is-not-a-real-token');
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain('not valid');
      expect(res.body).toContain('href="/sign-in/link"');
    });
  });

  describe('security headers', () => {
    it('sends a CSP whose nonce is on the inline script, and forbids framing', async () => {
      const res = await app.inject({ method: 'GET', url: '/sign-in' });
      const csp = String(res.headers['content-security-policy']);
      const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      const inline = [...res.body.matchAll(/<script\b([^>]*)>/g)].filter(
        (m) => !/\bsrc=/.test(m[1]!),
      );
      expect(inline.length).toBeGreaterThan(0);
      for (const m of inline) expect(m[1]).toContain(`nonce="${nonce}"`);
      const framing =
        /frame-ancestors 'none'/.test(csp) ||
        /^(DENY|SAMEORIGIN)$/i.test(String(res.headers['x-frame-options']));
      expect(framing).toBe(true);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBeDefined();
      const again = await app.inject({ method: 'GET', url: '/sign-in' });
      expect(String(again.headers['content-security-policy'])).not.toContain(nonce!);
    });

    it('keeps the CSRF cookie HttpOnly and SameSite=Lax too', async () => {
      const res = await app.inject({ method: 'GET', url: '/sign-in' });
      const csrf = res.cookies.find((c) => c.name === '_csrf');
      expect(csrf?.httpOnly).toBe(true);
      expect(csrf?.sameSite).toBe('Lax');
    });
  });
});

describe('sign-in rate limit', () => {
  let ctx: TestContext;
  let app: FastifyInstance;

  beforeAll(async () => {
    ctx = await createTestServices({ env: { LOGIN_RATE_LIMIT: '3' } });
    app = await buildTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('answers 429 once one address has tried LOGIN_RATE_LIMIT times in a minute', async () => {
    const b = new Browser(app);
    await b.get('/sign-in');
    for (let i = 0; i < 3; i++) {
      const res = await b.post('/sign-in', {
        email: 'someone@school.test',
        password: `guess-${i}`,
      });
      expect(res.statusCode).toBe(401);
    }
    const limited = await b.post('/sign-in', { email: 'someone@school.test', password: 'guess-4' });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Too many attempts');
    expect(limited.headers['retry-after']).toBeDefined();
    // Someone else, elsewhere, is not locked out by it.
    const other = new Browser(app);
    const res = await other.post(
      '/sign-in',
      { email: 'someone@school.test', password: 'guess' },
      { csrfFrom: '/sign-in' },
    );
    expect(res.statusCode).toBe(401);
  });
});

describe('expired sign-in links', () => {
  const clock = fixedClock('2026-03-02T08:00:00Z');
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 3 });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('says a link is expired after LINK_TTL_MINUTES, and does not sign in', async () => {
    const b = new Browser(app);
    const link = await requestLink(b, ctx, fx.parent.email!);
    clock.set(new Date(clock.now().getTime() + (ctx.config.linkTtlMinutes + 1) * 60_000));
    const page = await b.get(link);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('expired');
    expect(page.body).toContain('href="/sign-in/link"');
    await b.get('/sign-in/link');
    const post = await b.post(link);
    expect(post.statusCode).toBe(410);
    expect(post.body).toContain('expired');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
  });
});
