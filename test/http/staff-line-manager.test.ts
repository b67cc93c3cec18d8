import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/**
 * A member of staff's line manager (issue 17 item 4): set on their account page by whoever may
 * change staff, shown by name, refused with the GOV.UK error summary when it is not a current
 * member of staff of the school (or themself, or someone who reports to them), CSRF on, another
 * school's Headteacher gets 404; the JSON API shows and changes it.
 */
describe('line managers on the staff page and the API', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let head: Browser;
  let bm: Browser;
  let bHead: Browser;

  const managerOf = async (id: string) =>
    (
      await ctx.services.database.pool.query<{ line_manager_id: string | null }>(
        'SELECT line_manager_id FROM staff WHERE id = $1',
        [id],
      )
    ).rows[0]!.line_manager_id;

  const form = (managerId: string) => ({
    givenName: 'teacher',
    familyName: 'Tester',
    roles: 'teacher',
    lineManagerId: managerId,
  });

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'line-a', pupils: 2 }),
      createSchool(ctx.services, { slug: 'line-b', pupils: 2 }),
    ]);
    head = new Browser(app);
    bm = new Browser(app);
    bHead = new Browser(app);
    await Promise.all([
      head.signIn(A.staff.headteacher.email),
      bm.signIn(A.staff.business_manager.email),
      bHead.signIn(B.staff.headteacher.email),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('is chosen by name on the account page and saved, audited', async () => {
    const teacher = A.staff.teacher.id;
    const page = await bm.get(`/staff/${teacher}/edit`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Line manager');
    expect(page.body).toContain('No line manager');
    // Names, never ids, in the choices; the person themself is not offered.
    expect(page.body).toMatch(/<option value="[0-9a-f-]{36}">dsl Tester<\/option>/);
    expect(page.body).not.toMatch(new RegExp(`<option value="${teacher}"`));

    const saved = await bm.post(`/staff/${teacher}/edit`, form(A.staff.dsl.id), {
      csrfFrom: `/staff/${teacher}/edit`,
    });
    expect(saved.statusCode).toBe(303);
    expect(await managerOf(teacher)).toBe(A.staff.dsl.id);
    const again = await bm.get(`/staff/${teacher}/edit`);
    expect(again.body).toMatch(
      new RegExp(`<option value="${A.staff.dsl.id}" selected>dsl Tester</option>`),
    );
    const events = await ctx.services.database.pool.query<{ data: { changed: string[] } }>(
      `SELECT data FROM audit_events WHERE school_id = $1 AND action = 'people.staff-changed'
         AND entity_id = $2 ORDER BY seq`,
      [A.school.id, teacher],
    );
    expect(events.rows.at(-1)!.data.changed).toEqual(['lineManagerId']);
  });

  it('needs the CSRF token', async () => {
    const teacher = A.staff.support_staff.id;
    await bm.get(`/staff/${teacher}/edit`);
    const res = await bm.post(
      `/staff/${teacher}/edit`,
      { ...form(A.staff.dsl.id), roles: 'support_staff' },
      { csrf: false },
    );
    expect(res.statusCode).toBe(403);
    expect(await managerOf(teacher)).toBeNull();
  });

  it('refuses bad choices with the error summary, changing nothing', async () => {
    const teacher = A.staff.teacher.id;
    const cases: [string, string][] = [
      [teacher, 'A member of staff cannot be their own line manager'],
      ['not-an-id', 'Select their line manager from the list'],
      [B.staff.dsl.id, 'Select their line manager from the list of current staff'],
    ];
    for (const [choice, message] of cases) {
      const res = await bm.post(`/staff/${teacher}/edit`, form(choice), {
        csrfFrom: `/staff/${teacher}/edit`,
      });
      expect(res.statusCode, choice).toBe(400);
      expect(res.body).toContain('govuk-error-summary');
      expect(res.body).toContain(message);
      expect(res.body).toContain('href="#lineManagerId"');
      expect(await managerOf(teacher)).toBe(A.staff.dsl.id);
    }
    // The DSL cannot report to the teacher who reports to them.
    const loop = await head.post(
      `/staff/${A.staff.dsl.id}/edit`,
      { givenName: 'dsl', familyName: 'Tester', roles: 'dsl', lineManagerId: teacher },
      { csrfFrom: `/staff/${A.staff.dsl.id}/edit` },
    );
    expect(loop.statusCode).toBe(400);
    expect(loop.body).toContain('Their line manager cannot be someone who reports to them');
    expect(await managerOf(A.staff.dsl.id)).toBeNull();
    // Another school's row cannot be written even around the service.
    await expect(
      ctx.services.database.pool.query('UPDATE staff SET line_manager_id = $1 WHERE id = $2', [
        B.staff.dsl.id,
        teacher,
      ]),
    ).rejects.toThrow(/line manager of another school/);
  });

  it('is a 404 to another school’s Headteacher, who changes nothing', async () => {
    const teacher = A.staff.teacher.id;
    expect((await bHead.get(`/staff/${teacher}/edit`)).statusCode).toBe(404);
    const res = await bHead.post(`/staff/${teacher}/edit`, form(A.staff.office.id), {
      csrfFrom: '/staff',
    });
    expect(res.statusCode).toBe(404);
    expect(await managerOf(teacher)).toBe(A.staff.dsl.id);
  });

  it('is in the JSON API: shown by name, changed or cleared, problem JSON for bad input', async () => {
    const token = await ctx.services.auth.createApiToken(
      A.staff.headteacher.id,
      A.school.id,
      'line',
    );
    const call = (method: 'GET' | 'PATCH', id: string, payload?: unknown) =>
      app.inject({
        method,
        url: `/api/v1/staff/${id}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      });
    const got = await call('GET', A.staff.teacher.id);
    expect(got.json().lineManager).toEqual({ id: A.staff.dsl.id, name: 'dsl Tester' });
    const changed = await call('PATCH', A.staff.teacher.id, {
      lineManagerId: A.staff.headteacher.id,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().lineManager).toEqual({
      id: A.staff.headteacher.id,
      name: 'headteacher Tester',
    });
    const bad = await call('PATCH', A.staff.teacher.id, { lineManagerId: B.staff.dsl.id });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await managerOf(A.staff.teacher.id)).toBe(A.staff.headteacher.id);
    const cleared = await call('PATCH', A.staff.teacher.id, { lineManagerId: null });
    expect(cleared.json().lineManager).toBeNull();
    expect(await managerOf(A.staff.teacher.id)).toBeNull();
    const openapi = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(openapi.body).toContain('lineManagerId');
    expect(openapi.body).toContain('lineManager');
  });
});
