/**
 * Nobody decides their own permission request (issue 17, SPEC §3.7): the Headteacher asks for a
 * kind of permission the Headteacher decides; they see the request, the page says plainly that
 * someone else must decide and who (the profile's `conduct.selfRequestDeciders`: the governors
 * under the school's own title), a posted decision is refused and changes nothing, and the
 * governor is emailed, has it on their home page and decides it. Another school's Headteacher
 * gets 404.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionTypeKeys } from '../../src/modules/policies/index.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('a decider’s own permission request', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let head: Browser;
  let governor: Browser;
  let otherHead: Browser;

  const status = async (id: string) =>
    (
      await ctx.services.database.pool.query<{ status: string }>(
        'SELECT status FROM conduct_permissions WHERE id = $1',
        [id],
      )
    ).rows[0]!.status;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 2 }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
    [head, governor, otherHead] = [new Browser(app), new Browser(app), new Browser(app)];
    await Promise.all([
      head.signIn(fx.staff.headteacher.email),
      governor.signIn(fx.staff.governor.email),
      otherHead.signIn(other.staff.headteacher.email),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lets the Headteacher see their own request but not decide it; the governors decide', async () => {
    const { settings } = await ctx.services.policies.current(fx.school.id);
    // A kind the Headteacher decides with no ICT sign-off, from the school's profile.
    const type = permissionTypeKeys.find((k) => {
      const t = settings.conduct.permissionTypes[k].value;
      return t.enabled && t.grantedBy === 'headteacher' && !t.ictSignOff;
    })!;
    expect(type).toBeDefined();
    expect(settings.conduct.selfRequestDeciders.value[0]).toBe('headteacher');
    const governors = settings.people.roleTitles.value.governor;

    const since = ctx.sink.lastId();
    const asked = await head.post(
      '/conduct/permissions',
      { type, reason: 'The school logo on the summer fair poster' },
      { csrfFrom: '/conduct/permissions/new' },
    );
    expect(asked.statusCode).toBe(303);
    const id = String(asked.headers.location).split('/').pop()!;

    // They see it, with the plain words, and no decision form.
    const page = await head.get(`/conduct/permissions/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      `You asked for this, so you cannot decide it. Someone else must decide: the ${governors}.`,
    );
    expect(page.body).toContain(`The ${governors}`);
    expect(page.body).not.toContain('Do you grant this permission?');
    // A posted decision is refused (the CSRF token is the page's) and changes nothing.
    const self = await head.post(`/conduct/permissions/${id}/decide`, { decision: 'granted' });
    expect(self.statusCode).toBe(403);
    expect(self.body).toContain('someone else must');
    expect(await status(id)).toBe('awaiting_decision');
    // It is not on their home page as something to decide.
    expect((await head.get('/')).body).not.toContain('Permission requests to decide');

    // The governor was emailed (the Headteacher was not) and has it to decide.
    await ctx.sink.waitFor(fx.staff.governor.email, { since });
    const mail = ctx.sink.messages.filter((m) => m.id > since);
    expect(
      mail.some(
        (m) =>
          m.to.includes(fx.staff.governor.email) && /waiting for your decision/.test(m.subject),
      ),
    ).toBe(true);
    expect(mail.some((m) => m.to.includes(fx.staff.headteacher.email))).toBe(false);
    expect((await governor.get('/')).body).toContain('Permission requests to decide');
    const theirs = await governor.get(`/conduct/permissions/${id}`);
    expect(theirs.body).toContain('Do you grant this permission?');
    expect(theirs.body).not.toContain('You asked for this');
    const granted = await governor.post(`/conduct/permissions/${id}/decide`, {
      decision: 'granted',
    });
    expect(granted.statusCode).toBe(303);
    expect(await status(id)).toBe('granted');

    // Another school's Headteacher: not found, page and decision.
    expect((await otherHead.get(`/conduct/permissions/${id}`)).statusCode).toBe(404);
    const outside = await otherHead.post(
      `/conduct/permissions/${id}/withdraw`,
      { confirm: 'yes' },
      { csrfFrom: '/conduct/permissions' },
    );
    expect(outside.statusCode).toBe(404);
    expect(await status(id)).toBe('granted');
  });

  it('still lets the Headteacher decide a teacher’s request', async () => {
    const teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    const { settings } = await ctx.services.policies.current(fx.school.id);
    const type = permissionTypeKeys.find((k) => {
      const t = settings.conduct.permissionTypes[k].value;
      return t.enabled && t.grantedBy === 'headteacher' && !t.ictSignOff;
    })!;
    const asked = await teacher.post(
      '/conduct/permissions',
      { type, reason: 'A poster for the class assembly' },
      { csrfFrom: '/conduct/permissions/new' },
    );
    const id = String(asked.headers.location).split('/').pop()!;
    const page = await head.get(`/conduct/permissions/${id}`);
    expect(page.body).toContain('Do you grant this permission?');
    expect(
      (await head.post(`/conduct/permissions/${id}/decide`, { decision: 'granted' })).statusCode,
    ).toBe(303);
    expect(await status(id)).toBe('granted');
  });
});
