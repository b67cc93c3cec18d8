/**
 * The never-publish pages over HTTP (issue 15): only the roles the profile names reach them (a
 * 404 for everyone else, who changes nothing); bad answers re-render with the error summary and
 * change nothing; once set, the consent pages and the consent API say only "Do not publish",
 * and the reason stays on the restriction pages.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('never-publish restriction pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let dsl: Browser;
  let head: Browser;
  let teacher: Browser;
  let office: Browser;
  let bDsl: Browser;
  const REASON = 'Looked-after child: placement address must not be traced';

  const count = async () =>
    Number(
      (
        await ctx.services.database.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM pupil_publication_restrictions WHERE school_id = $1',
          [A.school.id],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'restrict-http-a', pupils: 4 }),
      createSchool(ctx.services, { slug: 'restrict-http-b', pupils: 2 }),
    ]);
    await grantConsentForAll(ctx.services, A);
    const signIn = async (email: string) => {
      const b = new Browser(app);
      await b.signIn(email);
      return b;
    };
    [dsl, head, teacher, office, bDsl] = await Promise.all([
      signIn(A.staff.dsl.email),
      signIn(A.staff.headteacher.email),
      signIn(A.staff.teacher.email),
      signIn(A.staff.office.email),
      signIn(B.staff.dsl.email),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists no one at first and offers the pupils on roll, by name', async () => {
    const res = await dsl.get('/consent/restrictions');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('No pupil is restricted.');
    const p = A.pupils[0]!;
    expect(res.body).toContain(`${p.familyName}, ${p.givenName}`);
    const chosen = await dsl.get(`/consent/restrictions/choose?pupilId=${p.id}`);
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers.location).toBe(`/consent/restrictions/pupils/${p.id}`);
  });

  it('refuses everyone else with a 404, and their posts change nothing', async () => {
    const url = `/consent/restrictions/pupils/${A.pupils[0]!.id}`;
    // School B's DSL has a list of their own, without school A's pupils.
    const bList = await bDsl.get('/consent/restrictions');
    expect(bList.statusCode).toBe(200);
    expect(bList.body).not.toContain(A.pupils[0]!.id);
    for (const b of [teacher, office, bDsl]) {
      if (b !== bDsl) expect((await b.get('/consent/restrictions')).statusCode).toBe(404);
      expect((await b.get(url)).statusCode).toBe(404);
      const res = await b.post(url, { restricted: 'yes', reason: 'x' }, { csrfFrom: '/' });
      expect(res.statusCode).toBe(404);
    }
    expect(await count()).toBe(0);
  });

  it('re-renders a restriction without a reason with the error summary, adding nothing', async () => {
    const url = `/consent/restrictions/pupils/${A.pupils[0]!.id}`;
    const res = await dsl.post(url, { restricted: 'yes', reason: '' }, { csrfFrom: url });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('Say why this pupil must never be published');
    expect(await count()).toBe(0);
  });

  it('sets it; the consent page and API then say only "Do not publish"', async () => {
    const pupil = A.pupils[0]!;
    const url = `/consent/restrictions/pupils/${pupil.id}`;
    const res = await dsl.post(url, { restricted: 'yes', reason: REASON }, { csrfFrom: url });
    expect(res.statusCode).toBe(303);
    expect(await count()).toBe(1);
    const page = await head.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Do not publish');
    expect(page.body).toContain(REASON);
    expect(page.body).toContain('dsl Tester');
    const list = await head.get('/consent/restrictions');
    expect(list.body).toContain(REASON);

    // The office's consent page for the pupil: "Do not publish", never the reason.
    const consentPage = await office.get(`/consent/pupils/${pupil.id}`);
    expect(consentPage.statusCode).toBe(200);
    expect(consentPage.body).toContain('Do not publish');
    expect(consentPage.body).not.toContain('Looked-after');

    const token = await ctx.services.auth.createApiToken(A.staff.office.id, A.school.id, 'check');
    const api = await app.inject({
      method: 'POST',
      url: '/api/v1/consent/check',
      headers: { authorization: `Bearer ${token}` },
      payload: { purpose: 'school_social_media', mediaType: 'image', pupilIds: [pupil.id] },
    });
    expect(api.statusCode, api.body).toBe(200);
    const [result] = api.json<{
      results: { allowed: boolean; outcome: string; reason: string }[];
    }>().results;
    expect(result).toMatchObject({ allowed: false, outcome: 'restricted' });
    expect(result!.reason).not.toContain('Looked-after');
  });

  it('the Headteacher lifts it; both records stay in the history', async () => {
    const pupil = A.pupils[0]!;
    const url = `/consent/restrictions/pupils/${pupil.id}`;
    const res = await head.post(
      url,
      { restricted: 'no', reason: 'Placement ended; parents now decide' },
      { csrfFrom: url },
    );
    expect(res.statusCode).toBe(303);
    const page = await head.get(url);
    expect(page.body).toContain('This pupil is not restricted');
    expect(page.body).toContain('Lifted');
    expect(page.body).toContain('Restricted');
    expect(await count()).toBe(2);
    const [answer] = await ctx.services.consent.mayMany(A.school.id, [
      { pupilId: pupil.id, purpose: 'school_social_media', mediaType: 'image' },
    ]);
    expect(answer!.allowed).toBe(true);
  });

  it('the menu entry follows the profile: a teacher given a responsibility the policy names sees it', async () => {
    // Where a member of staff finds the entry: the home page's menu, or its section's page.
    const menu = async (b: Browser) =>
      (await b.get('/')).body + (await b.get('/section/consent')).body;
    expect(await menu(dsl)).toContain('href="/consent/restrictions"');
    expect(await menu(teacher)).not.toContain('href="/consent/restrictions"');
    const headActor = { kind: 'staff' as const, id: A.staff.headteacher.id };
    await ctx.services.responsibilities.give(A.school.id, headActor, {
      staffId: A.staff.teacher.id,
      responsibilityKey: 'deputy_dsl',
    });
    // Holding it is not enough while the policy does not name it.
    expect(await menu(teacher)).not.toContain('href="/consent/restrictions"');
    const current = await ctx.services.policies.current(A.school.id);
    await ctx.services.policies.saveSettings(A.school.id, headActor, {
      values: { 'people.publicationRestrictionSetterResponsibilities': ['deputy_dsl'] },
      note: 'The deputy DSL may stop a pupil being published',
      expectedVersion: current.version,
    });
    expect(await menu(teacher)).toContain('href="/consent/restrictions"');
    expect((await teacher.get('/consent/restrictions')).statusCode).toBe(200);
    // The office, with no such responsibility, still does not.
    expect(await menu(office)).not.toContain('href="/consent/restrictions"');
  });
});
