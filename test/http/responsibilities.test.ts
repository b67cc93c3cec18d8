/**
 * Named responsibilities given to people (issue 15): the Headteacher gives and takes them away
 * on one page; anyone else gets a 404 and changes nothing; bad answers re-render with the error
 * summary; each change is audited and `heldBy` (read by the posting rules) follows.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('responsibilities page', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let head: Browser;
  let teacher: Browser;
  const rows = async () =>
    (
      await ctx.services.database.pool.query(
        'SELECT id, staff_id, responsibility_key, removed_at FROM responsibility_holders WHERE school_id = $1 ORDER BY given_at',
        [A.school.id],
      )
    ).rows;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'resp-a', pupils: 2, template: 'jump-primary' }),
      createSchool(ctx.services, { slug: 'resp-b', pupils: 2 }),
    ]);
    head = new Browser(app);
    await head.signIn(A.staff.headteacher.email);
    teacher = new Browser(app);
    await teacher.signIn(A.staff.teacher.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists the school’s own responsibilities by their names', async () => {
    const res = await head.get('/policy/responsibilities');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('E-Safety Co-ordinator');
    expect(res.body).toContain('Publicity poster');
    expect(res.body).not.toContain('esafety_coordinator<');
  });

  it('gives, refuses bad answers and other people, and takes away', async () => {
    const bad = await head.post(
      '/policy/responsibilities',
      { responsibilityKey: 'esafety_coordinator', staffId: B.staff.teacher.id },
      { csrfFrom: '/policy/responsibilities' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(await rows()).toHaveLength(0);

    const refused = await teacher.post(
      '/policy/responsibilities',
      { responsibilityKey: 'esafety_coordinator', staffId: A.staff.teacher.id },
      { csrfFrom: '/' },
    );
    expect(refused.statusCode).toBe(404);
    expect((await teacher.get('/policy/responsibilities')).statusCode).toBe(404);
    expect(await rows()).toHaveLength(0);

    const ok = await head.post(
      '/policy/responsibilities',
      { responsibilityKey: 'esafety_coordinator', staffId: A.staff.teacher.id },
      { csrfFrom: '/policy/responsibilities' },
    );
    expect(ok.statusCode).toBe(303);
    const again = await head.post(
      '/policy/responsibilities',
      { responsibilityKey: 'esafety_coordinator', staffId: A.staff.teacher.id },
      { csrfFrom: '/policy/responsibilities' },
    );
    expect(again.statusCode).toBe(400);
    expect(await ctx.services.responsibilities.heldBy(A.school.id, A.staff.teacher.id)).toEqual([
      'esafety_coordinator',
    ]);
    const page = await head.get('/policy/responsibilities');
    expect(page.body).toContain('teacher Tester');

    const [row] = await rows();
    // School B's Headteacher cannot take school A's away.
    const bHead = new Browser(app);
    await bHead.signIn(B.staff.headteacher.email);
    const cross = await bHead.post(
      `/policy/responsibilities/${row.id}/remove`,
      {},
      { csrfFrom: '/policy/responsibilities' },
    );
    expect(cross.statusCode).toBe(404);
    const removed = await head.post(
      `/policy/responsibilities/${row.id}/remove`,
      {},
      { csrfFrom: '/policy/responsibilities' },
    );
    expect(removed.statusCode).toBe(303);
    expect(await ctx.services.responsibilities.heldBy(A.school.id, A.staff.teacher.id)).toEqual([]);
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0].removed_at).not.toBeNull();
    const audit = await ctx.services.database.pool.query(
      "SELECT action FROM audit_events WHERE school_id = $1 AND action LIKE 'policy.responsibility-%' ORDER BY occurred_at",
      [A.school.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'policy.responsibility-given',
      'policy.responsibility-removed',
    ]);
  });
});
