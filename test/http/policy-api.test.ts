/**
 * PATCH /api/v1/policy-profile (issue 15 item 1): the Headteacher changes the profile through the
 * API with the settings page's validation; problem details name each invalid path; a new,
 * audited version with its changes in words; CSRF for a browser session; everyone else a 404.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffRoles, type StaffRole } from '../../src/modules/auth/principal.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

type Json = Record<string, unknown>;
const URL = '/api/v1/policy-profile';

function expectProblem(res: LightMyRequestResponse, status: number): Json {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json<Json>();
}

describe('PATCH /api/v1/policy-profile', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const tokens = {} as Record<StaffRole, string>;
  let bHead: string;

  const patch = (body: unknown, token = tokens.headteacher) =>
    app.inject({
      method: 'PATCH',
      url: URL,
      headers: { authorization: `Bearer ${token}` },
      payload: body as Json,
    });
  const version = async (s: SchoolFixture) =>
    (await ctx.services.policies.current(s.school.id)).version;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'policy-api-a', pupils: 2 }),
      createSchool(ctx.services, { slug: 'policy-api-b', pupils: 2 }),
    ]);
    for (const role of staffRoles)
      tokens[role] = await ctx.services.auth.createApiToken(A.staff[role].id, A.school.id, role);
    bHead = await ctx.services.auth.createApiToken(B.staff.headteacher.id, B.school.id, 'b');
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('saves a list setting and a scalar as one audited version, with the changes in words', async () => {
    const before = await ctx.services.policies.current(A.school.id);
    const steps = before.settings.incidents.playbooks.parent_defamation.value;
    const res = await patch({
      expectedVersion: before.version,
      note: 'Agreed by governors',
      settings: {
        'consent.renewalReminderDays': 21,
        'incidents.playbooks.parent_defamation': [
          ...steps,
          {
            key: 'governors_letter',
            label: 'The chair of governors writes to the parent',
            citation: { seed: null, section: 'School decision', quote: '' },
          },
        ],
      },
      citations: { 'consent.renewalReminderDays': { section: '6.1', quote: 'Every three weeks.' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ version: number; changed: string[]; changes: string[] }>();
    expect(body.version).toBe(before.version + 1);
    expect(body.changed.sort()).toEqual([
      'consent.renewalReminderDays',
      'incidents.playbooks.parent_defamation',
    ]);
    expect(body.changes).toContain(
      `Steps when a parent posts defamatory or abusive comments: step ${steps.length + 1} “The chair of governors writes to the parent” added`,
    );
    const now = await ctx.services.policies.current(A.school.id);
    expect(now.settings.consent.renewalReminderDays).toMatchObject({
      value: 21,
      citation: { section: '6.1', quote: 'Every three weeks.', school: true },
    });
    expect(now.settings.incidents.playbooks.parent_defamation.value).toHaveLength(steps.length + 1);
    const audit = await ctx.services.audit.listForSchool(
      A.school.id,
      { action: 'policy.profile-updated' },
      1,
    );
    expect(audit.rows[0]!.data).toMatchObject({ version: body.version, changes: body.changes });
    // GET returns it; school B's profile is untouched.
    const got = await app.inject({
      method: 'GET',
      url: URL,
      headers: { authorization: `Bearer ${tokens.teacher}` },
    });
    const rules = got.json<{ rules: { path: string; value: unknown }[] }>().rules;
    expect(rules.find((r) => r.path === 'consent.renewalReminderDays')!.value).toBe(21);
    expect(await version(B)).toBe(1);
  });

  it('names each invalid path in problem details and changes nothing', async () => {
    const v = await version(A);
    const auditBefore = (await ctx.services.audit.listForSchool(A.school.id, {}, 1)).total;
    const res = await patch({
      expectedVersion: v,
      note: 'Bad values',
      settings: {
        'consent.renewalReminderDays': 500,
        'incidents.playbooks.staff_breach': [
          { key: 'x', label: '', citation: { seed: null, section: 'School decision', quote: '' } },
        ],
        'consent.withdrawalRetroactive': true,
        'no.such.setting': 1,
      },
    });
    const problem = expectProblem(res, 400);
    const errors = problem.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual([
      'consent.renewalReminderDays',
      'consent.withdrawalRetroactive',
      'incidents.playbooks.staff_breach.0.label',
      'no.such.setting',
    ]);
    expect(errors['consent.renewalReminderDays']).toBe(
      'Days between reminders to parents who have not returned a form must be 90 or fewer',
    );
    expect(errors['incidents.playbooks.staff_breach.0.label']).toMatch(
      /^Steps when a member of staff breaks the policy, step 1, description cannot be blank$/,
    );
    expect(await version(A)).toBe(v);
    expect((await ctx.services.audit.listForSchool(A.school.id, {}, 1)).total).toBe(auditBefore);

    // A body that is not the right shape: problem details too.
    const bad = expectProblem(await patch({ note: 1 }), 400);
    expect(Object.keys(bad.errors as Json)).toContain('expectedVersion');
    // A stale version: 409.
    expectProblem(
      await patch({
        expectedVersion: v - 1,
        note: 'Stale',
        settings: { 'consent.renewalReminderDays': 8 },
      }),
      409,
    );
    expect(await version(A)).toBe(v);
  });

  it('lets only the Headteacher change the profile; everyone else gets a 404', async () => {
    for (const role of staffRoles) {
      const v = await version(A);
      const res = await patch(
        {
          expectedVersion: v,
          note: `Try as ${role}`,
          settings: { 'review.reminderDaysBefore': 40 + v },
        },
        tokens[role],
      );
      if (role === 'headteacher') expect(res.statusCode, res.body).toBe(200);
      else {
        expectProblem(res, 404);
        expect(await version(A)).toBe(v);
      }
    }
    // School B's Headteacher changes B's profile only.
    const a = await version(A);
    const res = await patch(
      { expectedVersion: 1, note: 'B', settings: { 'review.reminderDaysBefore': 41 } },
      bHead,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(await version(B)).toBe(2);
    expect(await version(A)).toBe(a);
  });

  it('works from a signed-in session with the CSRF token, and refuses it without', async () => {
    const browser = new Browser(app);
    await browser.signIn(A.staff.headteacher.email);
    await browser.get('/policy');
    const v = await version(A);
    const body = {
      expectedVersion: v,
      note: 'Session',
      settings: { 'consent.renewalReminderDays': 9 },
    };
    const noCsrf = await browser.request({ method: 'PATCH', url: URL, payload: body });
    expect(noCsrf.statusCode).toBe(403);
    const forged = await browser.request({
      method: 'PATCH',
      url: URL,
      headers: { 'x-csrf-token': 'forged' },
      payload: body,
    });
    expect(forged.statusCode).toBe(403);
    expect(await version(A)).toBe(v);
    const ok = await browser.request({
      method: 'PATCH',
      url: URL,
      headers: { 'x-csrf-token': browser.csrf! },
      payload: body,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await version(A)).toBe(v + 1);
  });

  it('is documented in the OpenAPI description', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = res.json<{ paths: Record<string, Record<string, Json>> }>();
    const op = doc.paths['/policy-profile']!.patch!;
    expect(op.summary).toMatch(/Change the policy profile/);
    expect(JSON.stringify(op.requestBody)).toContain('expectedVersion');
  });
});
