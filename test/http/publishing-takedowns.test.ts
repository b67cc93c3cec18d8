import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { buildTestApp, HttpClient } from '../support/http.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { addChannel, addPost, addPublications, recordConsent } from '../support/publishing-seed.ts';

/**
 * The takedown pages (issue 12 item 10): what is due and done in words and dates in words, the
 * custodian marks a task done with a note (CSRF on, bad input gets the error summary and changes
 * nothing), the home page lists takedowns due, and anyone else gets a 404.
 */
describe('the takedown pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let publicationId: string;
  let taskId: string;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    const s = ctx.services;
    fx = await createSchool(s, { pupils: 4, template: 'the-avenue-primary' });
    await grantConsentForAll(s, fx);
    const socialId = await addChannel(s, fx.school.id, {
      kind: 'social',
      name: 'School Facebook page',
      platform: 'Facebook',
      handle: '@avenue',
      purposeKey: 'school_social_media',
      custodianId: fx.staff.business_manager.id,
    });
    const postId = await addPost(s, fx.school.id, fx.staff.teacher.id, 'Sports day', 'Races.');
    [publicationId] = (await addPublications(s, {
      schoolId: fx.school.id,
      postId,
      accountId: socialId,
      purposeKey: 'school_social_media',
      pupilIds: [fx.pupils[0]!.id],
      remoteUrl: 'https://facebook.example/avenue/posts/1',
    })) as [string];
    const keys = consentKeysFor(await s.consent.settings(fx.school.id)).filter((k) =>
      k.startsWith('school_social_media/'),
    );
    await recordConsent(
      s,
      fx.school.id,
      fx.pupils[0]!.id,
      Object.fromEntries(keys.map((k) => [k, 'refused' as const])),
    );
    await s.takedowns.run();
    const { rows } = await s.database.pool.query<{ id: string }>(
      `SELECT id FROM takedown_tasks WHERE publication_id = $1`,
      [publicationId],
    );
    taskId = rows[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists what is due in words, with dates in words, and shows it on the custodian’s home page', async () => {
    const bm = new HttpClient(app);
    await bm.signIn(fx.staff.business_manager.email);
    const res = await bm.get('/posts/takedowns');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Sports day');
    expect(res.body).toContain('School Facebook page (Facebook, @avenue)');
    expect(res.body).toContain('To do');
    expect(res.body).toMatch(
      /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4} at \d{1,2}(:\d{2})?(am|pm)/,
    );
    for (const key of ['social', 'open', 'school_social_media', fx.pupils[0]!.id])
      expect(res.body).not.toMatch(new RegExp(`>\\s*${key}\\s*<`));
    expect(res.body).not.toContain(fx.pupils[0]!.id);
    const home = await bm.get('/');
    expect(home.body).toContain('Take down: Sports day');
    expect(home.body).toContain(`/posts/takedowns/${taskId}`);
  });

  it('marks a task done with a note: an empty note gets the error summary and changes nothing', async () => {
    const bm = new HttpClient(app);
    await bm.signIn(fx.staff.business_manager.email);
    const page = await bm.get(`/posts/takedowns/${taskId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('How was it taken down?');
    expect(page.body).toContain('href="https://facebook.example/avenue/posts/1"');
    const bad = await bm.post(`/posts/takedowns/${taskId}/done`, { note: '  ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('Say where and how the post was taken down');
    const state = async () =>
      (
        await ctx.services.database.pool.query<{ state: string; p: string }>(
          `SELECT t.state, p.state AS p FROM takedown_tasks t JOIN publications p ON p.id = t.publication_id WHERE t.id = $1`,
          [taskId],
        )
      ).rows[0]!;
    expect(await state()).toEqual({ state: 'open', p: 'live' });
    // Without the CSRF token: refused, nothing changes.
    const forged = await bm.post(
      `/posts/takedowns/${taskId}/done`,
      { note: 'Deleted.' },
      { csrf: false },
    );
    expect(forged.statusCode).toBe(403);
    expect(await state()).toEqual({ state: 'open', p: 'live' });
    const ok = await bm.post(`/posts/takedowns/${taskId}/done`, {
      note: 'Deleted from the Facebook page.',
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/posts/takedowns');
    expect(await state()).toEqual({ state: 'done', p: 'removed' });
    const list = await bm.get('/posts/takedowns');
    expect(list.body).toContain('Taken down: Deleted from the Facebook page.');
    expect(list.body).toContain('Nothing is due.');
    const again = await bm.post(`/posts/takedowns/${taskId}/done`, { note: 'Again.' });
    expect(again.statusCode).toBe(409);
  });

  it('is a 404 for staff who keep no account; the Headteacher sees every task', async () => {
    const teacher = new HttpClient(app);
    await teacher.signIn(fx.staff.teacher.email);
    expect((await teacher.get('/posts/takedowns')).statusCode).toBe(404);
    expect((await teacher.get(`/posts/takedowns/${taskId}`)).statusCode).toBe(404);
    const head = new HttpClient(app);
    await head.signIn(fx.staff.headteacher.email);
    expect((await head.get(`/posts/takedowns/${taskId}`)).statusCode).toBe(200);
  });
});
