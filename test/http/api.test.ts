import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createServices } from '../../src/container.ts';
import { Database } from '../../src/platform/db/database.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';

type Json = Record<string, unknown>;

/**
 * A small JSON Schema check (type, properties, required, items, anyOf/oneOf, enum, nullable
 * unions): enough to show a real response matches the schema the OpenAPI document publishes.
 */
function schemaErrors(schema: unknown, value: unknown, at = '$'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Json;
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alternatives) {
    return alternatives.some((alt) => schemaErrors(alt, value, at).length === 0)
      ? []
      : [`${at}: matches no alternative`];
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} not in enum`];
  if ('const' in s && s.const !== value) return [`${at}: expected ${JSON.stringify(s.const)}`];
  const types =
    s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  const typeOf = (v: unknown) =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (types.length > 0) {
    const t = typeOf(value);
    const ok = types.some((want) => want === t || (want === 'number' && t === 'integer'));
    if (!ok) return [`${at}: expected ${types.join('|')}, got ${t}`];
  }
  const errors: string[] = [];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Json;
    for (const key of (s.required as string[] | undefined) ?? []) {
      if (!(key in obj)) errors.push(`${at}.${key}: required`);
    }
    for (const [key, sub] of Object.entries((s.properties as Json | undefined) ?? {})) {
      if (key in obj) errors.push(...schemaErrors(sub, obj[key], `${at}.${key}`));
    }
  }
  if (Array.isArray(value) && s.items)
    value.forEach((v, i) => errors.push(...schemaErrors(s.items, v, `${at}[${i}]`)));
  return errors;
}

function expectProblem(res: LightMyRequestResponse, status: number): Json {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<Json>();
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(res.body).not.toMatch(/\bat .+\.ts:\d+/); // no stack traces
  return body;
}

describe('JSON API and health checks', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let officeToken: string;
  let governorToken: string;
  let openapi: Json;

  const api = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'api-a', pupils: 60 }),
      createSchool(ctx.services, { slug: 'api-b', pupils: 5 }),
    ]);
    officeToken = await ctx.services.auth.createApiToken(
      A.staff.office.id,
      A.school.id,
      'test office',
    );
    governorToken = await ctx.services.auth.createApiToken(
      A.staff.governor.id,
      A.school.id,
      'test governor',
    );
    openapi = (await api('/api/v1/openapi.json')).json<Json>();
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe('OpenAPI description', () => {
    it('is an OpenAPI 3.1 document that anyone can read', async () => {
      const res = await api('/api/v1/openapi.json');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(openapi.openapi).toMatch(/^3\.1\.\d+$/);
      expect(openapi.info).toMatchObject({
        title: expect.any(String),
        version: expect.any(String),
      });
      const servers = openapi.servers as { url: string }[];
      expect(servers[0]!.url).toBe('http://lanyard.test/api/v1');
      const schemes = (openapi.components as Json).securitySchemes as Json;
      expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });

    it('describes every /api/v1 route, with its path parameters and JSON schemas for responses', () => {
      const paths = openapi.paths as Record<string, Record<string, Json>>;
      const routes = app.lanyardRoutes.filter(
        (r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json',
      );
      expect(routes.length).toBeGreaterThanOrEqual(4);
      const missing: string[] = [];
      for (const r of routes) {
        const path = r.url.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}');
        const op = paths[path]?.[r.method.toLowerCase()];
        if (!op) {
          missing.push(`${r.method} ${path}`);
          continue;
        }
        expect(op.summary, path).toEqual(expect.any(String));
        const params = (op.parameters ?? []) as { name: string; in: string; required: boolean }[];
        for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)) {
          expect(
            params.find((p) => p.name === name && p.in === 'path')?.required,
            `${path} {${name}}`,
          ).toBe(true);
        }
        const responses = op.responses as Record<
          string,
          { content?: Record<string, { schema?: Json }> }
        >;
        const ok = responses['200']?.content?.['application/json']?.schema;
        expect(ok, `${path}: 200 schema`).toBeDefined();
        expect(ok!.type ?? ok!.$ref ?? ok!.anyOf, `${path}: 200 schema is a schema`).toBeDefined();
        for (const status of ['400', '401', '404']) {
          expect(
            responses[status]?.content?.['application/problem+json']?.schema,
            `${path}: ${status}`,
          ).toBeDefined();
        }
      }
      expect(missing, 'routes missing from openapi.json').toEqual([]);
      // And nothing documented that is not served.
      const served = new Set(
        routes.map(
          (r) =>
            `${r.method.toLowerCase()} ${r.url.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}')}`,
        ),
      );
      for (const [path, ops] of Object.entries(paths)) {
        for (const method of Object.keys(ops))
          expect(served.has(`${method} ${path}`), `${method} ${path}`).toBe(true);
      }
    });

    it('publishes response schemas that real responses match', async () => {
      const paths = openapi.paths as Record<string, Record<string, Json>>;
      const schemaOf = (path: string) =>
        (
          (paths[path]!.get!.responses as Json)['200'] as {
            content: Record<string, { schema: Json }>;
          }
        ).content['application/json']!.schema;
      const checks: [string, string][] = [
        ['/me', '/api/v1/me'],
        ['/pupils', '/api/v1/pupils'],
        ['/pupils/{id}', `/api/v1/pupils/${A.pupils[0]!.id}`],
        ['/policy-profile', '/api/v1/policy-profile'],
      ];
      for (const [path, url] of checks) {
        const res = await api(url, officeToken);
        expect(res.statusCode, url).toBe(200);
        expect(schemaErrors(schemaOf(path), res.json()), url).toEqual([]);
      }
      // The checker does catch a wrong shape.
      expect(schemaErrors(schemaOf('/pupils'), { page: 'one', pupils: [{}] })).not.toEqual([]);
    });
  });

  describe('Bearer tokens', () => {
    it('lets a staff member’s token read their own school', async () => {
      const me = await api('/api/v1/me', officeToken);
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({
        kind: 'staff',
        id: A.staff.office.id,
        name: expect.any(String),
        schoolId: A.school.id,
        roles: ['office'],
      });
      const list = await api('/api/v1/pupils', officeToken);
      const body = list.json<{
        total: number;
        page: number;
        pages: number;
        pupils: { id: string }[];
      }>();
      expect(body.total).toBe(60);
      expect(body.page).toBe(1);
      expect(body.pages).toBe(2);
      expect(body.pupils).toHaveLength(50);
      const ids = new Set(A.pupils.map((p) => p.id));
      expect(body.pupils.every((p) => ids.has(p.id))).toBe(true);
      const page2 = (await api('/api/v1/pupils?page=2', officeToken)).json<typeof body>();
      expect(page2.pupils).toHaveLength(10);
      expect(page2.pupils.some((p) => body.pupils.some((q) => q.id === p.id))).toBe(false);
      const one = await api(`/api/v1/pupils/${A.pupils[0]!.id}`, officeToken);
      expect(one.json()).toMatchObject({
        id: A.pupils[0]!.id,
        givenName: A.pupils[0]!.givenName,
        parents: expect.any(Array),
      });
      const policy = await api('/api/v1/policy-profile', officeToken);
      expect(policy.json()).toMatchObject({
        version: 1,
        templateKey: expect.any(String),
        rules: expect.any(Array),
      });
    });

    it('answers a wrong or empty token with 401 problem JSON', async () => {
      const wrong = expectProblem(
        await api('/api/v1/me', `lny_${crypto.randomBytes(32).toString('base64url')}`),
        401,
      );
      expect(wrong.title).toBe('Invalid API token');
      expectProblem(await api('/api/v1/pupils', 'not-a-token'), 401);
      expectProblem(
        await app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization: 'Bearer ' },
        }),
        401,
      );
      const none = expectProblem(await api('/api/v1/pupils'), 401);
      expect(none.title).toBe('Sign in required');
    });

    it('gives a role that may not list pupils a 404, not a 403', async () => {
      expectProblem(await api('/api/v1/pupils', governorToken), 404);
      expect((await api('/api/v1/policy-profile', governorToken)).statusCode).toBe(200);
    });
  });

  describe('input and scoping', () => {
    it('rejects a bad query with 400 problem JSON naming the field', async () => {
      for (const query of [
        'page=0',
        'page=abc',
        'page=-3',
        'page=1.5',
        'includeLeavers=maybe',
        `q=${'x'.repeat(101)}`,
      ]) {
        const body = expectProblem(await api(`/api/v1/pupils?${query}`, officeToken), 400);
        const field = query.split('=')[0]!;
        expect(body.errors, query).toEqual(
          expect.objectContaining({ [field]: expect.any(String) }),
        );
      }
    });

    it('answers another school’s pupil, a missing one and a malformed id alike: 404 problem JSON', async () => {
      const bodies = [];
      for (const id of [B.pupils[0]!.id, crypto.randomUUID(), 'not-a-uuid', '1']) {
        bodies.push(expectProblem(await api(`/api/v1/pupils/${id}`, officeToken), 404));
      }
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      // B's own staff do see it.
      const bToken = await ctx.services.auth.createApiToken(
        B.staff.office.id,
        B.school.id,
        'b office',
      );
      expect((await api(`/api/v1/pupils/${B.pupils[0]!.id}`, bToken)).statusCode).toBe(200);
      expectProblem(await api(`/api/v1/pupils/${A.pupils[0]!.id}`, bToken), 404);
      const list = (
        await api(`/api/v1/pupils?q=${encodeURIComponent(A.pupils[0]!.misId)}`, bToken)
      ).json<{ total: number }>();
      expect(list.total).toBe(0);
    });

    it('answers an unknown API path with 404 problem JSON', async () => {
      expectProblem(await api('/api/v1/no-such-thing', officeToken), 404);
    });
  });

  describe('health checks', () => {
    it('/healthz and /readyz say ok while the database answers', async () => {
      const health = await api('/healthz');
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok' });
      const ready = await api('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready' });
    });

    it('/readyz answers 503 once the database cannot be reached', async () => {
      const database = new Database(ctx.database.url, { max: 2 });
      const services = createServices({ ...ctx.platform, database });
      const other = await buildApp(services, ctx.config);
      await other.ready();
      try {
        expect((await other.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
        await database.close();
        const down = await other.inject({ method: 'GET', url: '/readyz' });
        expect(down.statusCode).toBe(503);
        expect(down.json()).toEqual({ status: 'database unreachable' });
        // The process itself is still alive.
        expect((await other.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });
  });
});
