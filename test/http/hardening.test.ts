import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/** Every log line the app writes, as text, for searching. */
class CapturedLog {
  lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join('');
  }
}

/** The GOV.UK date fields of an "assessed on" question, for today. */
function today(): Record<string, string> {
  const d = new Date();
  return {
    'assessedOn-day': String(d.getUTCDate()),
    'assessedOn-month': String(d.getUTCMonth() + 1),
    'assessedOn-year': String(d.getUTCFullYear()),
  };
}

/** A route pattern with its parameters filled in (ids as well-formed UUIDs nobody has). */
function concrete(url: string): string {
  return url
    .replace(/:(\w+)/g, (_m, name: string) =>
      /token/i.test(name)
        ? 'not-a-real-token'
        : /period/i.test(name)
          ? '2026-27'
          : crypto.randomUUID(),
    )
    .replace(/\*$/, 'x');
}

describe('hostile input, caching and logs over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  const log = new CapturedLog();

  beforeAll(async () => {
    ctx = await createTestServices({ env: { LOG_LEVEL: 'info', LOGIN_RATE_LIMIT: '10000' } });
    app = await buildApp(ctx.services, ctx.config, { logStream: log });
    await app.ready();
    fx = await createSchool(ctx.services, { pupils: 4 });
    // One signed-in headteacher for the file: a TOTP code is accepted once.
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe('hostile characters (issue 10 item 7)', () => {
    it('answers NUL in a query parameter and in a body field with a 400 on every route, never a 500', async () => {
      const routes = app.lanyardRoutes.filter((r) => r.url !== '/sign-out');
      expect(routes.length).toBeGreaterThan(40);
      const outcomes: string[] = [];
      for (const route of routes) {
        const url = `${concrete(route.url)}?q=%00&name=a%00b`;
        if (route.method === 'GET') {
          const res = await head.get(url);
          outcomes.push(`${route.method} ${route.url} → ${res.statusCode}`);
          expect(res.statusCode, `${route.method} ${route.url}`).toBeLessThan(500);
          continue;
        }
        await head.get('/');
        const form = await head.request({
          method: route.method as 'POST',
          url: concrete(route.url),
          payload: new URLSearchParams({
            _csrf: head.csrf ?? '',
            name: 'Zo\u0000e',
            note: 'x\u0000',
            email: 'a\u0000@b.test',
          }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        outcomes.push(`${route.method} ${route.url} (form) → ${form.statusCode}`);
        expect(form.statusCode, `${route.method} ${route.url} form`).toBeLessThan(500);
        const json = await head.request({
          method: route.method as 'POST',
          url: concrete(route.url),
          payload: JSON.stringify({ name: 'Zo\u0000e', pupilIds: ['\u0000'], note: 'x' }),
          headers: { 'content-type': 'application/json', 'x-csrf-token': head.csrf ?? '' },
        });
        outcomes.push(`${route.method} ${route.url} (json) → ${json.statusCode}`);
        expect(json.statusCode, `${route.method} ${route.url} json`).toBeLessThan(500);
      }
      // Every route the headteacher may use refused the character itself; the rest were 404
      // (not theirs), 303 (e.g. second-factor pages) or 415 (a body type the route does not take).
      const refused = outcomes.filter((o) => o.endsWith('→ 400')).length;
      expect(refused).toBeGreaterThan(routes.length);
      expect(log.text).not.toContain('"level":50');
    });

    it('refuses bidirectional overrides and controls in a query with the GOV.UK error page, and in JSON with problem JSON', async () => {
      for (const bad of ['\u202E', '\u202A', '\u2066', '\u2069', '\u0007', '\u001B', '\u0085']) {
        const res = await head.get(`/pupils?q=${encodeURIComponent(`Ann${bad}a`)}`);
        expect(res.statusCode, JSON.stringify(bad)).toBe(400);
        expect(res.body).toContain('control character or a hidden text-direction mark');
      }
      const api = await head.get(`/api/v1/pupils?q=${encodeURIComponent('a\u202Eb')}`);
      expect(api.statusCode).toBe(400);
      expect(api.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(api.body)).toMatchObject({
        status: 400,
        errors: { 'query.q': expect.any(String) },
      });
    });

    it("lets names in every script through: Zoë Ó'Brien, Llŷr Siân, Łucja Żółć, tabs and new lines", async () => {
      for (const name of [
        "Zoë Ó'Brien",
        'Llŷr Siân ap Dafydd',
        'Łucja Żółć-Wiśniewska',
        'Ada\tLovelace',
        'محمد',
        '李小龍',
      ]) {
        const res = await head.get(`/pupils?q=${encodeURIComponent(name)}`);
        expect(res.statusCode, name).toBe(200);
      }
      const pupil = fx.pupils[0]!;
      await head.get(`/consent/pupils/${pupil.id}/competence`);
      const note = await head.post(`/consent/pupils/${pupil.id}/competence`, {
        competent: 'yes',
        ...today(),
        note: "Assessed by Mrs Ó'Brien-Łukasiewicz.\r\nSpoke with Llŷr's mother.",
      });
      expect(note.statusCode).toBeLessThan(400);
      // And a new member of staff keeps every letter of their name.
      await head.get('/staff/new');
      const added = await head.post('/staff/new', {
        givenName: 'Llŷr Siân',
        familyName: "Żółć-Ó'Brien",
        email: `llyr.${fx.school.slug}@staff.example`,
        roles: 'teacher',
      });
      expect(added.statusCode).toBe(303);
      const { rows } = await ctx.services.database.pool.query(
        'SELECT given_name, family_name FROM staff WHERE email = $1',
        [`llyr.${fx.school.slug}@staff.example`],
      );
      expect(rows[0]).toEqual({ given_name: 'Llŷr Siân', family_name: "Żółć-Ó'Brien" });
    });

    it('refuses an RLO in a signed-out form too, after the CSRF check', async () => {
      const b = new Browser(app);
      const res = await b.post(
        '/sign-in',
        { email: 'a\u202Eb@example.test', password: 'x' },
        { csrfFrom: '/sign-in' },
      );
      expect(res.statusCode).toBe(400);
      const forged = await new Browser(app).post(
        '/sign-in',
        { email: 'a\u0000@example.test', password: 'x' },
        { csrf: false },
      );
      expect(forged.statusCode).toBe(403);
    });
  });

  describe('Cache-Control (issue 10 item 10)', () => {
    it('sends no-store on every page, redirect, error and JSON answer, and lets assets be cached', async () => {
      const pupil = fx.pupils[0]!;
      for (const url of [
        '/',
        '/pupils',
        `/pupils/${pupil.id}`,
        '/api/v1/me',
        '/api/v1/pupils',
        '/sign-in',
        `/pupils/${crypto.randomUUID()}`,
        '/no-such-page',
      ]) {
        const res = await head.get(url);
        expect(res.headers['cache-control'], url).toBe('no-store');
      }
      const signedOut = await app.inject({ method: 'GET', url: '/pupils' });
      expect(signedOut.statusCode).toBe(303);
      expect(signedOut.headers['cache-control']).toBe('no-store');
      const asset = await app.inject({ method: 'GET', url: '/assets/app.css' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).not.toBe('no-store');
    });
  });

  describe('no personal data in logs (issue 10 item 6)', () => {
    async function withTableAway<T>(table: string, fn: () => Promise<T>): Promise<T> {
      const pool = ctx.services.database.pool;
      await pool.query(`ALTER TABLE ${table} RENAME TO ${table}_away`);
      try {
        return await fn();
      } finally {
        await pool.query(`ALTER TABLE ${table}_away RENAME TO ${table}`);
      }
    }

    it('logs a failed pupil search by class and code, without the search text', async () => {
      await head.get('/pupils');
      const before = log.lines.length;
      const secret = "Zoë Ó'Brien-Probe";
      const res = await withTableAway('pupils', () =>
        head.get(`/pupils?q=${encodeURIComponent(secret)}`),
      );
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain(secret);
      const written = log.lines.slice(before).join('');
      expect(written).toContain('"code":"42P01"');
      expect(written).toContain('DrizzleQueryError');
      expect(written).not.toContain('Probe');
      expect(written).not.toContain('Brien');
      expect(written).not.toMatch(/params|Failed query/);
    });

    it('logs a failed sign-in without the email address', async () => {
      const b = new Browser(app);
      await b.get('/sign-in');
      const before = log.lines.length;
      const email = 'probe.person.7731@family.example';
      const res = await withTableAway('staff', () =>
        b.post('/sign-in', { email, password: TEST_PASSWORD }),
      );
      expect(res.statusCode).toBe(500);
      const written = log.lines.slice(before).join('');
      expect(written).toContain('42P01');
      expect(written).not.toContain('probe.person');
      expect(written).not.toContain('family.example');
    });

    it("logs a refused write (a unique violation whose detail names the row) without the row's values", async () => {
      const pool = ctx.services.database.pool;
      // A trigger that fails the way a unique index does, with the values in message and detail,
      // as PostgreSQL's own "Key (email)=(…) already exists" does.
      await pool.query(`
        CREATE FUNCTION lanyard_probe_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'duplicate key value: %', NEW.note
            USING ERRCODE = '23505', CONSTRAINT = 'probe_note_key',
                  DETAIL = 'Key (note)=(' || NEW.note || ') already exists.';
        END $$;
        CREATE TRIGGER lanyard_probe BEFORE INSERT ON pupil_competence_assessments
          FOR EACH ROW EXECUTE FUNCTION lanyard_probe_refuse();`);
      try {
        const pupil = fx.pupils[1]!;
        await head.get(`/consent/pupils/${pupil.id}/competence`);
        const before = log.lines.length;
        const res = await head.post(`/consent/pupils/${pupil.id}/competence`, {
          competent: 'no',
          ...today(),
          note: 'Told by Grace Probe-Okafor (mother) on 0161 496 0000',
        });
        expect(res.statusCode).toBe(500);
        const written = log.lines.slice(before).join('');
        expect(written).toContain('"code":"23505"');
        expect(written).toContain('"constraint":"probe_note_key"');
        expect(written).not.toContain('Okafor');
        expect(written).not.toContain('0161');
        expect(written).not.toContain(pupil.id);
      } finally {
        await pool.query(
          'DROP TRIGGER lanyard_probe ON pupil_competence_assessments; DROP FUNCTION lanyard_probe_refuse()',
        );
      }
    });

    it('turns a real unique violation on a staff email (two people adding the same colleague) into a field error, logging no email or names', async () => {
      const email = `probe.okonkwo.${fx.school.slug}@staff.example`;
      await head.get('/staff/new');
      // Someone else's insert of the same address, not yet committed: the form's own check cannot
      // see it, so the form's insert waits on the unique index and then fails with 23505.
      const other = await ctx.services.database.pool.connect();
      try {
        await other.query('BEGIN');
        await other.query(
          `INSERT INTO staff (school_id, email, given_name, family_name) VALUES ($1, $2, 'Other', 'Person')`,
          [fx.school.id, email],
        );
        const before = log.lines.length;
        const pending = head.post('/staff/new', {
          givenName: 'Chidinma',
          familyName: 'Okonkwo-Probe',
          email,
          jobTitle: 'Class teacher',
          roles: 'teacher',
        });
        await new Promise((resolve) => setTimeout(resolve, 400));
        await other.query('COMMIT');
        const res = await pending;
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('This email address is already used by a Lanyard account');
        expect(res.body).not.toContain('Key (email)');
        const written = log.lines.slice(before).join('');
        expect(written).not.toContain('probe.okonkwo');
        expect(written).not.toContain('Okonkwo');
        expect(written).not.toContain('Chidinma');
      } finally {
        other.release();
      }
    });

    it('never logs query strings, cookies or bodies on ordinary requests', async () => {
      const b = new Browser(app);
      await b.get('/sign-in');
      const before = log.lines.length;
      await b.post('/sign-in', {
        email: 'quiet.person@family.example',
        password: 'hunter2-secret',
      });
      await b.get('/sign-in?next=%2Fpupils%3Fq%3DPrivateName');
      const written = log.lines.slice(before).join('');
      expect(written.length).toBeGreaterThan(0);
      expect(written).not.toMatch(/quiet\.person|hunter2|PrivateName|lanyard_session=|_csrf=/);
    });
  });
});

describe('TRUST_PROXY (issue 10 item 3)', () => {
  async function hammer(
    app: FastifyInstance,
    peer: string,
    xff: () => string | undefined,
    times: number,
  ): Promise<number[]> {
    const b = new Browser(app, peer);
    await b.get('/sign-in');
    const statuses: number[] = [];
    for (let i = 0; i < times; i++) {
      const forwarded = xff();
      const res = await b.request({
        method: 'POST',
        url: '/sign-in',
        payload: new URLSearchParams({
          _csrf: b.csrf ?? '',
          email: `nobody-${i}@nowhere.test`,
          password: 'guess',
        }).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(forwarded ? { 'x-forwarded-for': forwarded } : {}),
        },
      });
      statuses.push(res.statusCode);
    }
    return statuses;
  }
  const randomIp = () =>
    `${1 + crypto.randomInt(220)}.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${1 + crypto.randomInt(250)}`;

  describe('off (the default)', () => {
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

    it('does not believe X-Forwarded-For: a random one each time does not get round the sign-in limit', async () => {
      expect(ctx.config.trustProxy).toBe(false);
      const statuses = await hammer(app, '198.51.100.7', randomIp, 5);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
    });
  });

  describe('on, naming the proxy', () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      ctx = await createTestServices({
        env: { LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '10.9.0.0/16, 192.0.2.10' },
      });
      app = await buildTestApp(ctx);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.close();
    });

    it('keys the limit on the client the proxy names, and ignores the header from anyone else', async () => {
      expect(ctx.config.trustProxy).toEqual(['10.9.0.0/16', '192.0.2.10']);
      // Two clients behind the proxy: each has its own allowance.
      const alice = await hammer(app, '10.9.0.1', () => '203.0.113.5', 4);
      expect(alice).toEqual([401, 401, 401, 429]);
      const bob = await hammer(app, '192.0.2.10', () => '203.0.113.6', 3);
      expect(bob).toEqual([401, 401, 401]);
      // A client that puts its own header in front of the proxy's is still the address the
      // proxy saw (the right-most untrusted one).
      const spoof = await hammer(app, '10.9.0.1', () => `${randomIp()}, 203.0.113.5`, 1);
      expect(spoof).toEqual([429]);
      // Not a trusted proxy: its header is ignored, the peer is the client.
      const direct = await hammer(app, '198.51.100.9', randomIp, 4);
      expect(direct).toEqual([401, 401, 401, 429]);
    });
  });

  describe('on, as a hop count', () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      ctx = await createTestServices({ env: { LOGIN_RATE_LIMIT: '2', TRUST_PROXY: '1' } });
      app = await buildTestApp(ctx);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.close();
    });

    it('believes the one proxy in front: the client is the last address it added', async () => {
      expect(ctx.config.trustProxy).toBe(1);
      expect(await hammer(app, '10.20.0.1', () => '198.51.100.1, 203.0.113.70', 3)).toEqual([
        401, 401, 429,
      ]);
      // Another client behind the same proxy: its own allowance.
      expect(await hammer(app, '10.20.0.1', () => '203.0.113.71', 2)).toEqual([401, 401]);
    });
  });
});
