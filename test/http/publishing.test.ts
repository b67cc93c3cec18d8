/**
 * Posts over HTTP with CSRF on (issue 12 items 2, 4, 5, 11): the draft form's error summary,
 * the post's page (preview per channel, checks with the school's clause, the approver's forms),
 * a teacher's post approved and published by the Headteacher, and the JSON API with its data.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { oneFace } from '../support/publishing.ts';

describe('posts over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let teacher: Browser;
  let head: Browser;
  let newsId: string;
  let teacherToken: string;
  let headToken: string;

  const count = async () =>
    Number(
      (
        await ctx.services.database.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM posts WHERE school_id = $1',
          [fx.school.id],
        )
      ).rows[0]!.n,
    );
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const postIdFrom = (location: unknown) =>
    /^\/posts\/([0-9a-f-]{36})$/.exec(String(location))![1]!;

  beforeAll(async () => {
    ctx = await createTestServices({ faces: oneFace });
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 3 });
    await grantConsentForAll(ctx.services, fx);
    newsId = (await ctx.services.posts.newsAccount(fx.school.id)).id;
    teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    teacherToken = await ctx.services.auth.createApiToken(fx.staff.teacher.id, fx.school.id, 't');
    headToken = await ctx.services.auth.createApiToken(fx.staff.headteacher.id, fx.school.id, 'h');
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('re-renders a bad draft with the error summary and the answers kept, adding nothing', async () => {
    const before = await count();
    const res = await teacher.post(
      '/posts',
      { kind: 'standard', title: '', body: 'Sunflowers', scheduledTime: '25:00' },
      { csrfFrom: '/posts/new' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('Enter a title');
    expect(res.body).toContain('Choose at least one channel');
    expect(res.body).toContain('Enter the time in the 24-hour clock');
    expect(res.body).toContain('Sunflowers');
    expect(await count()).toBe(before);
    // Without the CSRF token nothing is saved.
    const forged = await teacher.post(
      '/posts',
      { kind: 'standard', title: 'Forged', body: 'x', accountIds: newsId },
      { csrf: false },
    );
    expect(forged.statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('drafts, sends, approves and publishes a post through the pages', async () => {
    const form = await teacher.get('/posts/new');
    expect(form.body).toContain('School news page');
    const created = await teacher.post('/posts', {
      kind: 'standard',
      title: 'Sunflower day',
      body: 'Year 2 planted sunflowers in the school garden.',
      accountIds: newsId,
      'scheduled-day': '',
      'scheduled-month': '',
      'scheduled-year': '',
    });
    expect(created.statusCode).toBe(303);
    const id = postIdFrom(created.headers.location);
    const page = await teacher.get(`/posts/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sunflower day');
    expect(page.body).toContain('What will go out');
    expect(page.body).toContain('Year 2 planted sunflowers in the school garden.');
    expect(page.body).toContain('Send for approval');

    const sent = await teacher.post(`/posts/${id}/submit`, {}, { csrfFrom: `/posts/${id}` });
    expect(sent.statusCode).toBe(303);
    const waiting = await teacher.get(`/posts/${id}`);
    expect(waiting.body).toContain('Waiting for approval');
    expect(waiting.body).toMatch(/The school’s policy, [^<]*\d/);
    expect(waiting.body).not.toContain('>pending<');
    // The author cannot decide (404, as if there were nothing there).
    const self = await teacher.post(`/posts/${id}/approve`, {}, { csrfFrom: `/posts/${id}` });
    expect(self.statusCode).toBe(404);

    const list = await head.get('/posts');
    expect(list.body).toContain('Waiting for approval (1)');
    expect(list.body).toContain('Sunflower day');
    const decide = await head.get(`/posts/${id}`);
    expect(decide.body).toContain('Your decision');
    // Returning needs a comment: the error summary, and the post is still waiting.
    const bad = await head.post(
      `/posts/${id}/return`,
      { comment: '' },
      { csrfFrom: `/posts/${id}` },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Say what needs to change');
    expect((await ctx.services.posts.postOf(fx.school.id, id))!.status).toBe('pending');

    const approved = await head.post(
      `/posts/${id}/approve`,
      { comment: '' },
      { csrfFrom: `/posts/${id}` },
    );
    expect(approved.statusCode).toBe(303);
    const ready = await head.get(`/posts/${id}`);
    expect(ready.body).toContain('Publish now');
    const published = await head.post(`/posts/${id}/publish`, {}, { csrfFrom: `/posts/${id}` });
    expect(published.statusCode).toBe(303);
    await ctx.services.publishing.deliverDue();
    const done = await teacher.get(`/posts/${id}`);
    expect(done.body).toContain('Where it went');
    expect(done.body).toMatch(/Published[\s\S]*\d{1,2} [A-Z][a-z]+ \d{4} at \d/);
  });

  it('lists on a pupil’s page where they appear, for staff who may see the pupil', async () => {
    const pupil = fx.pupils[0]!;
    await ctx.services.database.pool.query(
      `INSERT INTO publication_pupils (publication_id, pupil_id, school_id)
       SELECT id, $1, school_id FROM publications WHERE school_id = $2 LIMIT 1`,
      [pupil.id, fx.school.id],
    );
    const page = await head.get(`/pupils/${pupil.id}`);
    expect(page.body).toContain(`/pupils/${pupil.id}/publications`);
    const list = await head.get(`/pupils/${pupil.id}/publications`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`Where ${pupil.givenName} ${pupil.familyName} appears`);
    expect(list.body).toContain('Sunflower day');
    expect(list.body).toContain('School news page');
    expect(list.body).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4} at \d/);
    const parent = new Browser(app);
    expect((await parent.get(`/pupils/${pupil.id}/publications`)).statusCode).not.toBe(200);
  });

  it('refuses to let the Headteacher approve their own post, saying why', async () => {
    const created = await head.post(
      '/posts',
      { kind: 'standard', title: 'Head’s news', body: 'Welcome back.', accountIds: newsId },
      { csrfFrom: '/posts/new' },
    );
    const id = postIdFrom(created.headers.location);
    await head.post(`/posts/${id}/submit`, {}, { csrfFrom: `/posts/${id}` });
    const res = await head.post(`/posts/${id}/approve`, {}, { csrfFrom: `/posts/${id}` });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('You cannot approve or return your own post');
    expect((await ctx.services.posts.postOf(fx.school.id, id))!.status).toBe('pending');
  });

  it('drafts, sends and approves through the JSON API, returning the data', async () => {
    const bad = await api('POST', '/api/v1/posts', teacherToken, { title: '', accountIds: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.title).toBe('Enter a title');

    const created = await api('POST', '/api/v1/posts', teacherToken, {
      title: 'Harvest festival',
      body: 'Thank you for the food donations.',
      accountIds: [newsId],
    });
    expect(created.statusCode).toBe(200);
    const post = created.json();
    expect(post).toMatchObject({
      title: 'Harvest festival',
      status: 'draft',
      kind: 'standard',
      channels: [{ accountId: newsId, name: 'School news page' }],
      checks: [],
      publications: [],
    });
    const patched = await api('PATCH', `/api/v1/posts/${post.id}`, teacherToken, {
      title: 'Harvest festival 2026',
    });
    expect(patched.json()).toMatchObject({ title: 'Harvest festival 2026', body: post.body });
    // The Headteacher may read it but not change it.
    expect(
      (await api('PATCH', `/api/v1/posts/${post.id}`, headToken, { title: 'x' })).statusCode,
    ).toBe(404);

    const submitted = (await api('POST', `/api/v1/posts/${post.id}/submit`, teacherToken)).json();
    expect(submitted.status).toBe('pending');
    expect(submitted.checks.length).toBeGreaterThan(3);
    expect(submitted.checks[0]).toEqual(
      expect.objectContaining({
        sentence: expect.any(String),
        outcome: expect.stringMatching(/pass|warning|fail/),
      }),
    );
    expect(submitted.checks.some((c: { clause: string | null }) => c.clause)).toBe(true);
    expect(
      (await api('POST', `/api/v1/posts/${post.id}/approve`, teacherToken, {})).statusCode,
    ).toBe(404);
    const approved = await api('POST', `/api/v1/posts/${post.id}/approve`, headToken, {});
    expect(approved.json()).toMatchObject({ status: 'approved', decisionComment: null });
    const published = await api('POST', `/api/v1/posts/${post.id}/publish`, teacherToken, {});
    expect(published.json()).toMatchObject({
      published: true,
      status: 'published',
      publications: [expect.objectContaining({ accountId: newsId, state: 'queued' })],
    });
    const list = (await api('GET', '/api/v1/posts?status=published', teacherToken)).json();
    expect(list.posts.map((p: { id: string }) => p.id)).toContain(post.id);
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/posts',
        '/posts/{id}',
        '/posts/{id}/submit',
        '/posts/{id}/approve',
        '/posts/{id}/return',
        '/posts/{id}/checks/{checkId}/override',
        '/posts/{id}/publish',
      ]),
    );
  });
});
