import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffRoles, type StaffRole } from '../../src/modules/auth/principal.ts';
import { canCheckConsent } from '../../src/modules/consent/consent.policy.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';

type Json = Record<string, unknown>;
interface CheckResult {
  pupilId: string;
  allowed: boolean;
  outcome: string;
  reason: string;
  recordIds: string[];
  citation: string;
}

const URL_CHECK = '/api/v1/consent/check';

function expectProblem(res: LightMyRequestResponse, status: number): Json {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<Json>();
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(res.body).not.toMatch(/\bat .+\.ts:\d+/);
  return body;
}

describe('POST /api/v1/consent/check', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const tokens = {} as Record<StaffRole, string>;
  let bOffice: string;
  let grantedId: string;
  let refusedId: string;
  let grantedRecord: string;
  let recordedAt: Date;

  const post = (body: unknown, token = tokens.office, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: URL_CHECK,
      headers: { authorization: `Bearer ${token}`, ...headers },
      payload: body as Json,
    });

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'consent-api-a', pupils: 40 }),
      createSchool(ctx.services, { slug: 'consent-api-b', pupils: 5 }),
    ]);
    for (const role of staffRoles) {
      tokens[role] = await ctx.services.auth.createApiToken(
        A.staff[role].id,
        A.school.id,
        `consent api ${role}`,
      );
    }
    bOffice = await ctx.services.auth.createApiToken(B.staff.office.id, B.school.id, 'b office');
    // The teacher and the teaching assistant teach every class (pupils are scoped to a
    // teacher's classes: see pupil-scope.test.ts for the scope itself).
    const everyClass = [...new Set(A.pupils.map((p) => p.className!))];
    for (const role of ['teacher', 'support_staff'] as const) {
      await ctx.services.staffClasses.assign(
        A.school.id,
        { kind: 'staff', id: A.staff.headteacher.id },
        A.staff[role].id,
        everyClass,
      );
    }

    // pupils[0]: photos yes, videos no (from the parent with parental responsibility).
    // pupils[1]: photos refused. Everyone else: nothing recorded.
    grantedId = A.pupils[0]!.id;
    const register = await ctx.services.consent.pupilRegister(A.school.id, A.pupils[1]!.id);
    const prParent = register.parents.find((p) => p.parentalResponsibility)!;
    refusedId = A.pupils[1]!.id;
    const today = ukDate(new Date());
    const office = { kind: 'staff' as const, id: A.staff.office.id };
    grantedRecord = (
      await ctx.services.consent.record(
        {
          schoolId: A.school.id,
          pupilId: grantedId,
          decider: { kind: 'parent', parentId: A.parent.id },
          decisions: {
            'school_social_media/image': 'granted',
            'school_social_media/video': 'refused',
          },
          method: 'paper_form',
          kind: 'form',
          decidedOn: today,
        },
        office,
      )
    ).recordId;
    await ctx.services.consent.record(
      {
        schoolId: A.school.id,
        pupilId: refusedId,
        decider: { kind: 'parent', parentId: prParent.id },
        decisions: { 'school_social_media/image': 'refused' },
        method: 'paper_form',
        kind: 'form',
        decidedOn: today,
      },
      office,
    );
    recordedAt = new Date();
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('answers each pupil with allowed, outcome, reason, records and clause (Bearer token)', async () => {
    const none = A.pupils[2]!.id;
    const res = await post({
      purpose: 'school_social_media',
      mediaType: 'image',
      pupilIds: [grantedId, refusedId, none],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { results } = res.json<{ results: CheckResult[] }>();
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({
      pupilId: grantedId,
      allowed: true,
      outcome: 'granted',
      reason: expect.stringMatching(/agreed to photos for school social media accounts/),
      recordIds: [grantedRecord],
      citation: '003 §4.1',
    });
    expect(results[1]).toMatchObject({ pupilId: refusedId, allowed: false, outcome: 'refused' });
    expect(results[2]).toMatchObject({
      pupilId: none,
      allowed: false,
      outcome: 'none',
      recordIds: [],
    });
    // No names of children in the answer: ids, decisions and clauses only.
    for (const p of A.pupils.slice(0, 3))
      expect(res.body).not.toContain(`${p.givenName} ${p.familyName}`);
  });

  it('honours the media type, naming, and the moment asked about', async () => {
    const video = (
      await post({ purpose: 'school_social_media', mediaType: 'video', pupilIds: [grantedId] })
    ).json<{ results: CheckResult[] }>().results[0]!;
    expect(video).toMatchObject({ allowed: false, outcome: 'refused' });
    const named = (
      await post({
        purpose: 'school_social_media',
        mediaType: 'image',
        named: true,
        pupilIds: [grantedId],
      })
    ).json<{ results: CheckResult[] }>().results[0]!;
    expect(named).toMatchObject({ allowed: false, citation: expect.any(String) });
    expect(named.reason).toMatch(/naming the pupil needs its own written permission/);
    // Before the form was recorded there was no consent (not retroactive).
    const before = (
      await post({
        purpose: 'school_social_media',
        mediaType: 'image',
        at: new Date(recordedAt.getTime() - 86_400_000).toISOString(),
        pupilIds: [grantedId],
      })
    ).json<{ results: CheckResult[] }>().results[0]!;
    expect(before).toMatchObject({ allowed: false });
    const unknownPurpose = (
      await post({ purpose: 'local_newspapers', mediaType: 'image', pupilIds: [grantedId] })
    ).json<{ results: CheckResult[] }>().results[0]!;
    expect(unknownPurpose).toMatchObject({ allowed: false, outcome: 'not_asked' });
  });

  it('answers up to 200 pupils at once, duplicates included, in order', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => A.pupils[i % A.pupils.length]!.id);
    const res = await post({ purpose: 'school_social_media', mediaType: 'image', pupilIds: ids });
    expect(res.statusCode).toBe(200);
    const { results } = res.json<{ results: CheckResult[] }>();
    expect(results.map((r) => r.pupilId)).toEqual(ids);
    expect(results.filter((r) => r.allowed)).toHaveLength(
      ids.filter((id) => id === grantedId).length,
    );
  });

  it('works from a signed-in session with the CSRF token, and refuses it without', async () => {
    const browser = new Browser(app);
    await browser.signIn(A.staff.teacher.email);
    const page = await browser.get('/');
    expect(page.statusCode).toBe(200);
    const csrf = browser.csrf!;
    expect(csrf).toBeTruthy();
    const body = { purpose: 'school_social_media', mediaType: 'image', pupilIds: [grantedId] };
    const ok = await browser.request({
      method: 'POST',
      url: URL_CHECK,
      headers: { 'x-csrf-token': csrf },
      payload: body,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ results: CheckResult[] }>().results[0]!.allowed).toBe(true);
    const noCsrf = await browser.request({ method: 'POST', url: URL_CHECK, payload: body });
    expect(noCsrf.statusCode).toBe(403);
    const forged = await browser.request({
      method: 'POST',
      url: URL_CHECK,
      headers: { 'x-csrf-token': 'forged' },
      payload: body,
    });
    expect(forged.statusCode).toBe(403);
  });

  it('lets exactly the roles that check consent ask; others get 404 problem JSON', async () => {
    const body = { purpose: 'school_social_media', mediaType: 'image', pupilIds: [grantedId] };
    const allowed: string[] = [];
    for (const role of staffRoles) {
      const res = await post(body, tokens[role]);
      const may = canCheckConsent({
        kind: 'staff',
        id: A.staff[role].id,
        schoolId: A.school.id,
        roles: [role],
        name: role,
      });
      if (may) {
        expect(res.statusCode, role).toBe(200);
        allowed.push(role);
      } else {
        expectProblem(res, 404);
      }
    }
    expect(allowed.sort()).toEqual(
      ['business_manager', 'dpo', 'headteacher', 'office', 'support_staff', 'teacher'].sort(),
    );
    // Parents and pupils never ask the register this way.
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, A.parent.email!);
    await parent.get('/');
    const res = await parent.request({
      method: 'POST',
      url: URL_CHECK,
      headers: { 'x-csrf-token': parent.csrf ?? '' },
      payload: body,
    });
    expectProblem(res, 404);
    // Not signed in at all.
    const anonymous = await app.inject({ method: 'POST', url: URL_CHECK, payload: body });
    expectProblem(anonymous, 401);
  });

  it('answers another school’s pupil exactly like a missing one: 404, nothing leaked', async () => {
    const ask = (ids: string[], token = tokens.office) =>
      post({ purpose: 'school_social_media', mediaType: 'image', pupilIds: ids }, token);
    const other = await ask([grantedId, B.pupils[0]!.id]);
    const missing = await ask([grantedId, crypto.randomUUID()]);
    expectProblem(other, 404);
    expectProblem(missing, 404);
    expect(other.body).toBe(missing.body);
    expect(other.body).not.toContain(B.pupils[0]!.id);
    // And the other way round.
    expectProblem(await ask([grantedId], bOffice), 404);
    expect((await ask([B.pupils[0]!.id], bOffice)).statusCode).toBe(200);
  });

  it('rejects a bad body with 400 problem JSON naming the field, and changes nothing', async () => {
    const good = { purpose: 'school_social_media', mediaType: 'image', pupilIds: [grantedId] };
    const cases: [unknown, string][] = [
      [{ ...good, purpose: undefined }, 'purpose'],
      [{ ...good, purpose: '' }, 'purpose'],
      [{ ...good, mediaType: 'audio' }, 'mediaType'],
      [{ ...good, pupilIds: [] }, 'pupilIds'],
      [{ ...good, pupilIds: 'all' }, 'pupilIds'],
      [{ ...good, pupilIds: ['not-a-uuid'] }, 'pupilIds.0'],
      [{ ...good, pupilIds: Array.from({ length: 201 }, () => grantedId) }, 'pupilIds'],
      [{ ...good, at: 'yesterday' }, 'at'],
      [{ ...good, at: '2026-11-22' }, 'at'],
      [{ ...good, named: 'yes' }, 'named'],
    ];
    const records = async () =>
      Number(
        (
          await ctx.services.database.pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM consent_records',
          )
        ).rows[0]!.n,
      );
    const before = await records();
    for (const [body, field] of cases) {
      const problem = expectProblem(await post(body), 400);
      expect(problem.errors, JSON.stringify(body).slice(0, 80)).toEqual(
        expect.objectContaining({ [field]: expect.any(String) }),
      );
    }
    // Not JSON at all, and no body.
    expectProblem(
      await post('purpose=x', tokens.office, {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      400,
    );
    expectProblem(
      await app.inject({
        method: 'POST',
        url: URL_CHECK,
        headers: { authorization: `Bearer ${tokens.office}` },
      }),
      400,
    );
    const broken = await app.inject({
      method: 'POST',
      url: URL_CHECK,
      headers: { authorization: `Bearer ${tokens.office}`, 'content-type': 'application/json' },
      payload: '{"purpose": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await records()).toBe(before);
  });

  it('is described in /api/v1/openapi.json with its request and response schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<Json>();
    const op = (doc.paths as Record<string, Record<string, Json>>)['/consent/check']?.post;
    expect(op).toBeDefined();
    expect(op!.summary).toEqual(expect.any(String));
    const request = ((op!.requestBody as Json).content as Record<string, { schema: Json }>)[
      'application/json'
    ]!.schema;
    expect(request.required).toEqual(expect.arrayContaining(['purpose', 'mediaType', 'pupilIds']));
    expect(Object.keys(request.properties as Json).sort()).toEqual(
      ['at', 'mediaType', 'named', 'pupilIds', 'purpose'].sort(),
    );
    expect((request.properties as Record<string, Json>).pupilIds).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 200,
    });
    const responses = op!.responses as Record<
      string,
      { content: Record<string, { schema: Json }> }
    >;
    const ok = responses['200']!.content['application/json']!.schema;
    const item = ((ok.properties as Record<string, Json>).results!.items as Json)
      .properties as Json;
    expect(Object.keys(item).sort()).toEqual(
      ['allowed', 'citation', 'outcome', 'pupilId', 'reason', 'recordIds'].sort(),
    );
    for (const status of ['400', '401', '404'])
      expect(responses[status]!.content['application/problem+json']).toBeDefined();
  });
});
