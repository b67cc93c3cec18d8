import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, nextIp } from '../support/http-principals.ts';

const METRICS_TOKEN = 'metrics-token-for-the-operations-test-0123';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function expectProblem(res: LightMyRequestResponse, status: number): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<Record<string, unknown>>();
  expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
  return body;
}

describe('operations: /api rate limit, /metrics, request ids in jobs', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let token: string;

  beforeAll(async () => {
    ctx = await createTestServices({ env: { API_RATE_LIMIT: '5', METRICS_TOKEN } });
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { slug: 'operations', pupils: 6 });
    token = await ctx.services.auth.createApiToken(fx.staff.office.id, fx.school.id, 'ops');
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('answers the sixth /api request a minute from one address with 429 problem JSON and Retry-After, counting bad tokens too', async () => {
    const ip = nextIp();
    const api = (bearer: string) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/me',
        remoteAddress: ip,
        headers: { authorization: `Bearer ${bearer}` },
      });
    // Guessed tokens count: they are limited before any token is looked up.
    for (let i = 0; i < 3; i++) expectProblem(await api(`lny_guess${i}`), 401);
    expect((await api(token)).statusCode).toBe(200);
    expect((await api(token)).statusCode).toBe(200);
    const refused = await api(token);
    const body = expectProblem(refused, 429);
    expect(body.title).toBe('Too many requests');
    expect(String(body.detail)).toMatch(/more than 5 requests in a minute/);
    const retry = Number(refused.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // Another client is not held back by this one; pages are not limited by the API's limit.
    const other = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      remoteAddress: nextIp(),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.statusCode).toBe(200);
    const page = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress: ip });
    expect(page.statusCode).toBe(200);
  });

  it('the OpenAPI description lists the 429 answer with Retry-After', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/openapi.json',
      remoteAddress: nextIp(),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ paths: Record<string, Record<string, { responses: object }>> }>();
    expect(doc.paths['/consent/check']!.post!.responses).toMatchObject({
      '429': { headers: { 'Retry-After': { schema: { type: 'integer' } } } },
    });
  });

  it('the counters live in PostgreSQL: a second app on the same database refuses the same address', async () => {
    const ip = nextIp();
    const second = await buildApp(ctx.services, ctx.config);
    await second.ready();
    try {
      const me = (a: FastifyInstance) =>
        a.inject({
          method: 'GET',
          url: '/api/v1/me',
          remoteAddress: ip,
          headers: { authorization: `Bearer ${token}` },
        });
      for (let i = 0; i < 5; i++) expect((await me(i % 2 ? app : second)).statusCode).toBe(200);
      expectProblem(await me(second), 429);
      expectProblem(await me(app), 429);
    } finally {
      await second.close();
    }
  });

  it('GET /metrics is 404 without the token, with a wrong one, and when METRICS_TOKEN is unset', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const wrong = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` },
    });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).not.toMatch(/lanyard_/);
    const noBearer = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: METRICS_TOKEN },
    });
    expect(noBearer.statusCode).toBe(404);

    const off = await buildApp(ctx.services, { ...ctx.config, metricsToken: undefined });
    await off.ready();
    try {
      const res = await off.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(res.statusCode).toBe(404);
      expect(off.lanyardRoutes.some((r) => r.url === '/metrics')).toBe(false);
    } finally {
      await off.close();
    }
  });

  it('GET /metrics gives latency histograms by route pattern (no ids, no queries), job counts and the consent cache hit rate', async () => {
    const office = { authorization: `Bearer ${token}` };
    const pupil = fx.pupils[0]!;
    // A route with an id and a query string, from its own address (the API limit is 5 a minute).
    const got = await app.inject({
      method: 'GET',
      url: `/api/v1/pupils/${pupil.id}?fields=everything&name=${encodeURIComponent(pupil.givenName)}`,
      remoteAddress: nextIp(),
      headers: office,
    });
    expect(got.statusCode).toBe(200);
    // The consent check: the first reads the facts (a miss), the second answers from memory.
    const check = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/consent/check',
        remoteAddress: nextIp(),
        headers: office,
        payload: { purpose: 'school_social_media', mediaType: 'image', pupilIds: [pupil.id] },
      });
    expect((await check()).statusCode).toBe(200);
    expect((await check()).statusCode).toBe(200);
    // A page for a URL no route matches.
    await app.inject({ method: 'GET', url: `/no-such-page/${pupil.id}?q=secret` });

    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toMatch(
      /^lanyard_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/pupils\/:id",status_code="200"\} \d+$/m,
    );
    expect(text).toMatch(
      /^lanyard_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/consent\/check",status_code="200"\} 2$/m,
    );
    expect(text).toMatch(
      /^lanyard_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+$/m,
    );
    expect(text).toMatch(
      /^lanyard_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status_code="429"\} \d+$/m,
    );
    // Labels carry patterns only: no ids, no query strings, no names.
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(/\?|fields=|secret/);
    expect(text).not.toContain(pupil.givenName);
    // The consent register cache (ADR 0009): one miss, then one hit.
    expect(text).toMatch(/^lanyard_cache_hits_total\{cache="consent-register"\} 1$/m);
    expect(text).toMatch(/^lanyard_cache_misses_total\{cache="consent-register"\} 1$/m);
    // The process itself: memory, so bounded caches can be watched from outside.
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
    // Job counters are declared (their samples appear once a job has run in this process).
    expect(text).toMatch(/^# TYPE lanyard_jobs_total counter$/m);
  });

  it('a job enqueued by a request carries the request id, and the jobs it runs are counted', async () => {
    const browser = new Browser(app);
    const page = await browser.get('/sign-in/link');
    expect(page.statusCode).toBe(200);
    const res = await browser.post('/sign-in/link', { email: fx.parent.email! });
    expect(res.statusCode).toBe(303);
    const jobs = await ctx.services.database.pool.query<{ request_id: string | null }>(
      `SELECT data->'_meta'->>'requestId' AS request_id FROM pgboss.job
        WHERE name = 'auth.sign-in-link' ORDER BY created_on DESC LIMIT 1`,
    );
    expect(jobs.rows[0]?.request_id).toMatch(/^req-/);
    // The request runs the job at once in this process (JobQueue.runNow): counted by name.
    await ctx.sink.waitFor(fx.parent.email!);
    const counted =
      /^lanyard_jobs_total\{name="auth\.sign-in-link",outcome="completed"\} [1-9]\d*$/m;
    let body = '';
    for (let i = 0; i < 50 && !counted.test(body); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const metrics = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      body = metrics.body;
    }
    expect(body).toMatch(counted);
    expect(body).toMatch(
      /^lanyard_jobs_in_queue\{name="auth\.sign-in-link",state="completed"\} [1-9]\d*$/m,
    );
  });
});
