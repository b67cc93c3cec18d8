/**
 * Parents' and visitors' own photography at events (issue 15, channels.eventPhotography): the
 * rules per kind of event in words, and a printable notice for one event, for every member of
 * staff; a kind the profile does not have is a 404; a parent gets a 404.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';

describe('event photography notices', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let JC: SchoolFixture;
  let teacher: Browser;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, JC] = await Promise.all([
      createSchool(ctx.services, { slug: 'notice-a', pupils: 2 }),
      createSchool(ctx.services, {
        slug: 'notice-jc',
        pupils: 2,
        template: 'john-clifford-primary',
      }),
    ]);
    teacher = new Browser(app);
    await teacher.signIn(A.staff.teacher.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists each kind of event with its rules in words', async () => {
    const res = await teacher.get('/policy/event-notices');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Plays, concerts and assemblies');
    expect(res.body).toContain('Please take photos only at the photo opportunity.');
    expect(res.body).toContain('Please do not film.');
    expect(res.body).toContain('do not post pictures of other children');
    expect(res.body).not.toMatch(/photo_opportunity_only|not_allowed/);
  });

  it('prints a notice for one event, named and dated, in the school’s own words', async () => {
    const res = await teacher.get('/policy/event-notices/1?event=Year+2+nativity&date=2026-12-10');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Photos and filming at Year 2 nativity');
    expect(res.body).toContain('10 December 2026');
    expect(res.body).toContain('At the photo opportunity after the performance.');
    expect((await teacher.get('/policy/event-notices/9')).statusCode).toBe(404);
    // Another school's template gives its own rule: filming allowed, in full view.
    const jc = new Browser(app);
    await jc.signIn(JC.staff.office.email);
    const other = await jc.get('/policy/event-notices/1');
    expect(other.body).toContain('You may film.');
    expect(other.body).toContain('Always in full view of all attending.');
  });

  it('is for staff only', async () => {
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, A.parent.email!);
    expect((await parent.get('/policy/event-notices')).statusCode).toBe(404);
    expect((await parent.get('/policy/event-notices/1')).statusCode).toBe(404);
  });
});
