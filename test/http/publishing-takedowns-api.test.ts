import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { buildTestApp, HttpClient } from '../support/http.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { addChannel, addPost, addPublications, recordConsent } from '../support/publishing-seed.ts';

/**
 * Takedown tasks in the JSON API (issue 12 item 11): the custodian lists them in words, reads
 * one, and marks one done by hand with a note (audited; a missing note is problem JSON and changes
 * nothing); automatic takedowns stay Lanyard's; anyone else gets a 404; the routes are in the
 * OpenAPI document; the channels page links to the takedowns page for those who handle them.
 */
describe('takedown tasks in the JSON API', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let bmToken: string;
  let headToken: string;
  let teacherToken: string;
  let socialTaskId: string;
  let newsTaskId: string;

  const api = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

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
    const newsId = (await s.posts.newsAccount(fx.school.id)).id;
    const postId = await addPost(s, fx.school.id, fx.staff.teacher.id, 'Sports day', 'Races.');
    const [socialPub] = (await addPublications(s, {
      schoolId: fx.school.id,
      postId,
      accountId: socialId,
      purposeKey: 'school_social_media',
      pupilIds: [fx.pupils[0]!.id],
      remoteUrl: 'https://facebook.example/avenue/posts/1',
    })) as [string];
    const [newsPub] = (await addPublications(s, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [fx.pupils[0]!.id],
    })) as [string];
    const keys = consentKeysFor(await s.consent.settings(fx.school.id)).filter(
      (k) => k.startsWith('school_social_media/') || k.startsWith('school_website/'),
    );
    await recordConsent(
      s,
      fx.school.id,
      fx.pupils[0]!.id,
      Object.fromEntries(keys.map((k) => [k, 'refused' as const])),
    );
    await s.takedowns.processEvents();
    const taskOf = async (publicationId: string) =>
      (
        await s.database.pool.query<{ id: string }>(
          `SELECT id FROM takedown_tasks WHERE publication_id = $1`,
          [publicationId],
        )
      ).rows[0]!.id;
    socialTaskId = await taskOf(socialPub);
    newsTaskId = await taskOf(newsPub);
    bmToken = await s.auth.createApiToken(fx.staff.business_manager.id, fx.school.id, 'bm');
    headToken = await s.auth.createApiToken(fx.staff.headteacher.id, fx.school.id, 'h');
    teacherToken = await s.auth.createApiToken(fx.staff.teacher.id, fx.school.id, 't');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists the tasks due in words, never an enum key or a pupil’s id', async () => {
    const res = await api('GET', '/api/v1/takedowns', headToken);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ due: Record<string, unknown>[]; done: unknown[] }>();
    expect(body.done).toEqual([]);
    const social = body.due.find((t) => t.id === socialTaskId);
    expect(social).toMatchObject({
      postTitle: 'Sports day',
      where: 'School Facebook page (Facebook, @avenue)',
      remoteUrl: 'https://facebook.example/avenue/posts/1',
      automatic: false,
      state: 'open',
      status: 'To do',
      overdue: false,
      doneAt: null,
    });
    expect(new Date(String(social!.dueAt)).getTime()).toBeGreaterThan(Date.now());
    expect(body.due.find((t) => t.id === newsTaskId)).toMatchObject({
      automatic: true,
      status: 'Being taken down',
    });
    expect(res.body).not.toContain(fx.pupils[0]!.id);
    expect(res.body).not.toContain('school_social_media');
    // The custodian sees their own account's task.
    const bm = (await api('GET', '/api/v1/takedowns', bmToken)).json<{ due: { id: string }[] }>();
    expect(bm.due.map((t) => t.id)).toContain(socialTaskId);
    const one = await api('GET', `/api/v1/takedowns/${socialTaskId}`, bmToken);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: socialTaskId, postTitle: 'Sports day' });
  });

  it('is a 404 for staff who keep no account, as on the pages', async () => {
    expect((await api('GET', '/api/v1/takedowns', teacherToken)).statusCode).toBe(404);
    expect((await api('GET', `/api/v1/takedowns/${socialTaskId}`, teacherToken)).statusCode).toBe(
      404,
    );
    const mark = await api('POST', `/api/v1/takedowns/${socialTaskId}/done`, teacherToken, {
      note: 'Deleted.',
    });
    expect(mark.statusCode).toBe(404);
    expect(mark.headers['content-type']).toContain('application/problem+json');
    expect(
      (await api('GET', '/api/v1/takedowns/00000000-0000-4000-8000-000000000000', headToken))
        .statusCode,
    ).toBe(404);
  });

  it('marks a task done by hand with a note, audited; a missing note is problem JSON and changes nothing', async () => {
    const state = async () =>
      (
        await ctx.services.database.pool.query<{ state: string; p: string }>(
          `SELECT t.state, p.state AS p FROM takedown_tasks t JOIN publications p ON p.id = t.publication_id WHERE t.id = $1`,
          [socialTaskId],
        )
      ).rows[0]!;
    const bad = await api('POST', `/api/v1/takedowns/${socialTaskId}/done`, bmToken, {
      note: '  ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.note).toBe('Say where and how the post was taken down');
    expect(await state()).toEqual({ state: 'open', p: 'live' });

    const ok = await api('POST', `/api/v1/takedowns/${socialTaskId}/done`, bmToken, {
      note: 'Deleted from the Facebook page.',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      id: socialTaskId,
      state: 'done',
      status: 'Taken down',
      outcome: 'Taken down',
      doneNote: 'Deleted from the Facebook page.',
      doneByName: expect.any(String),
    });
    expect(await state()).toEqual({ state: 'done', p: 'removed' });
    const { rows } = await ctx.services.database.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_events WHERE school_id = $1 AND action = 'publishing.takedown-done'`,
      [fx.school.id],
    );
    expect(Number(rows[0]!.n)).toBe(1);
    const list = (await api('GET', '/api/v1/takedowns', bmToken)).json<{
      due: { id: string }[];
      done: { id: string }[];
    }>();
    expect(list.done.map((t) => t.id)).toContain(socialTaskId);
    expect(list.due.map((t) => t.id)).not.toContain(socialTaskId);

    const again = await api('POST', `/api/v1/takedowns/${socialTaskId}/done`, bmToken, {
      note: 'Again.',
    });
    expect(again.statusCode).toBe(409);
    // The news page's takedown is Lanyard's own: nobody marks it done by hand.
    const automatic = await api('POST', `/api/v1/takedowns/${newsTaskId}/done`, headToken, {
      note: 'Removed.',
    });
    expect(automatic.statusCode).toBe(409);
  });

  it('the channels page links to the takedowns page for those who handle takedowns only', async () => {
    const bm = new HttpClient(app);
    await bm.signIn(fx.staff.business_manager.email);
    expect((await bm.get('/channels')).body).toContain('href="/posts/takedowns"');
    const teacher = new HttpClient(app);
    await teacher.signIn(fx.staff.teacher.email);
    const page = await teacher.get('/channels');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('href="/posts/takedowns"');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await api('GET', '/api/v1/openapi.json', headToken)).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(Object.keys(doc.paths['/takedowns'] ?? {})).toContain('get');
    expect(Object.keys(doc.paths['/takedowns/{id}'] ?? {})).toContain('get');
    expect(Object.keys(doc.paths['/takedowns/{id}/done'] ?? {})).toContain('post');
  });
});
