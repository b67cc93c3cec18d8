/**
 * Who drafts a post is the school's rule (issue 12 item 2, `publishing.draftingRoles`): with
 * Lanyard's default a teacher writes posts; once the Headteacher's change to the profile (the
 * policy API) leaves teachers out, the teacher is refused the drafting pages and the API with a
 * 404, as if there were nothing there, saves nothing, and no longer sees "Posts" in the menu. Their
 * own earlier draft can still be read but not changed or sent. The DPO, left out too, still reads
 * every post in the list (with no way to write one). The Headteacher still drafts.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('who may draft a post (publishing.draftingRoles)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let teacher: Browser;
  let head: Browser;
  let dpo: Browser;
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
  const draft = (title: string) => ({
    kind: 'standard',
    title,
    body: 'Year 2 planted sunflowers in the school garden.',
    accountIds: newsId,
  });
  /** The links of the "Posts and photos" section's page (the menu groups the entries there). */
  const postsLinkShown = async (b: Browser) => {
    const page = await b.get('/section/posts-and-photos');
    expect(page.statusCode).toBe(200);
    return /href="\/posts"/.test(page.body);
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
    newsId = (await ctx.services.posts.newsAccount(fx.school.id)).id;
    teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    dpo = new Browser(app);
    await dpo.signIn(fx.staff.dpo.email);
    teacherToken = await ctx.services.auth.createApiToken(fx.staff.teacher.id, fx.school.id, 't');
    headToken = await ctx.services.auth.createApiToken(fx.staff.headteacher.id, fx.school.id, 'h');
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  let earlierDraft: string;

  it('lets a teacher draft under the default profile, with Posts in the menu', async () => {
    const roles = (await ctx.services.policies.current(fx.school.id)).settings.publishing
      .draftingRoles.value;
    expect(roles).toContain('teacher');
    const form = await teacher.get('/posts/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('School news page');
    const created = await teacher.post('/posts', draft('Sunflower day'));
    expect(created.statusCode).toBe(303);
    earlierDraft = /^\/posts\/([0-9a-f-]{36})$/.exec(String(created.headers.location))![1]!;
    expect((await teacher.get(`/posts/${earlierDraft}`)).body).toContain('Send for approval');
    expect((await teacher.get('/posts')).statusCode).toBe(200);
    expect(await postsLinkShown(teacher)).toBe(true);
  });

  it('refuses the teacher once the school’s profile leaves teachers out', async () => {
    const current = await ctx.services.policies.current(fx.school.id);
    const without = current.settings.publishing.draftingRoles.value.filter(
      (r) => r !== 'teacher' && r !== 'dpo',
    );
    const changed = await api('PATCH', '/api/v1/policy-profile', headToken, {
      expectedVersion: current.version,
      note: 'Teachers and the DPO no longer write posts',
      settings: { 'publishing.draftingRoles': without },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<{ changed: string[] }>().changed).toEqual(['publishing.draftingRoles']);

    const before = await count();
    // The form and the list: 404, as if there were nothing there.
    const form = await teacher.get('/posts/new');
    expect(form.statusCode).toBe(404);
    expect(form.body).not.toContain('School news page');
    expect((await teacher.get('/posts')).statusCode).toBe(404);
    // A draft sent anyway (with a good CSRF token from a page the teacher still opens) saves nothing.
    const sent = await teacher.post('/posts', draft('Sent anyway'), { csrfFrom: '/' });
    expect(sent.statusCode).toBe(404);
    // The same through the API: problem details, 404.
    const viaApi = await api('POST', '/api/v1/posts', teacherToken, {
      title: 'Sent anyway',
      body: 'x',
      media: [],
      accountIds: [newsId],
    });
    expect(viaApi.statusCode).toBe(404);
    expect(viaApi.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await api('GET', '/api/v1/posts', teacherToken)).statusCode).toBe(404);
    expect(await count()).toBe(before);
    // The menu no longer offers it.
    expect(await postsLinkShown(teacher)).toBe(false);
  });

  it('still shows the DPO (who sees every post) the list, without the way to write one', async () => {
    expect((await dpo.get('/posts/new')).statusCode).toBe(404);
    const list = await dpo.get('/posts');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Sunflower day');
    expect(list.body).not.toContain('Write a post');
    expect(list.body).toContain('does not list your role among those who write posts');
    expect(await postsLinkShown(dpo)).toBe(true);
  });

  it('lets the teacher read their earlier draft but not change or send it', async () => {
    const page = await teacher.get(`/posts/${earlierDraft}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sunflower day');
    expect(page.body).not.toContain('Send for approval');
    expect((await teacher.get(`/posts/${earlierDraft}/edit`)).statusCode).toBe(404);
    const edited = await teacher.post(`/posts/${earlierDraft}`, draft('Changed'), {
      csrfFrom: `/posts/${earlierDraft}`,
    });
    expect(edited.statusCode).toBe(404);
    const submitted = await teacher.post(
      `/posts/${earlierDraft}/submit`,
      {},
      { csrfFrom: `/posts/${earlierDraft}` },
    );
    expect(submitted.statusCode).toBe(404);
    const patched = await api('PATCH', `/api/v1/posts/${earlierDraft}`, teacherToken, {
      title: 'Changed',
    });
    expect(patched.statusCode).toBe(404);
    const post = await ctx.services.posts.postOf(fx.school.id, earlierDraft);
    expect(post).toMatchObject({ title: 'Sunflower day', status: 'draft' });
  });

  it('still lets the Headteacher draft, with Posts in the menu', async () => {
    expect((await head.get('/posts/new')).statusCode).toBe(200);
    const created = await head.post('/posts', draft('Harvest festival'));
    expect(created.statusCode).toBe(303);
    const list = await head.get('/posts');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Harvest festival');
    expect(list.body).toContain('Write a post');
    expect(await postsLinkShown(head)).toBe(true);
    const viaApi = await api('POST', '/api/v1/posts', headToken, {
      title: 'Book week',
      body: 'Costumes on Thursday.',
      media: [],
      accountIds: [newsId],
    });
    expect(viaApi.statusCode, viaApi.body).toBe(200);
  });
});
