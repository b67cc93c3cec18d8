/**
 * Start and switch (issue 15 item 3) over HTTP: a school starts from Lanyard's defaults or a
 * template; later the Headteacher switches to another starting point after reading what would
 * change in words; the switch is a new, audited version. Anyone else gets a 404 and changes
 * nothing; a stale preview is refused (409); bad answers re-render with the error summary.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { getTemplate } from '../../src/modules/policies/templates/index.ts';
import { policySettingsSchema } from '../../src/modules/policies/policy-settings.ts';

describe('starting points and switching the policy', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let head: Browser;
  let teacher: Browser;

  const profile = async (schoolId: string) =>
    (
      await ctx.services.database.pool.query<{ current_version: number; template_key: string }>(
        'SELECT current_version, template_key FROM policy_profiles WHERE school_id = $1',
        [schoolId],
      )
    ).rows[0];

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    A = await createSchool(ctx.services, { slug: 'switch-a', pupils: 2 });
    head = new Browser(app);
    await head.signIn(A.staff.headteacher.email);
    teacher = new Browser(app);
    await teacher.signIn(A.staff.teacher.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('offers Lanyard’s defaults and the five templates, and the current one is marked', async () => {
    const res = await head.get('/policy/switch');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Lanyard’s defaults');
    expect(res.body.match(/name="templateKey"/g)).toHaveLength(6);
    expect(res.body).toContain('(the current starting point)');
    const policy = await head.get('/policy');
    expect(policy.body).toContain('href="/policy/switch"');
  });

  it('previews the changes in words before anything is switched', async () => {
    const before = await profile(A.school.id);
    const res = await head.get('/policy/switch/preview?templateKey=john-clifford-primary');
    expect(res.statusCode).toBe(200);
    const list = /data-testid="switch-changes">([\s\S]*?)<\/ul>/.exec(res.body)?.[1] ?? '';
    const items = list.match(/<li>/g) ?? [];
    expect(items.length).toBeGreaterThan(3);
    // Words, never paths or keys.
    expect(list).not.toMatch(/namesWithImages|consent\.model|john-clifford|school_social_media/);
    expect(await profile(A.school.id)).toEqual(before);
    const bad = await head.get('/policy/switch/preview?templateKey=nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
  });

  it('refuses everyone but the Headteacher with a 404, changing nothing', async () => {
    const before = await profile(A.school.id);
    expect((await teacher.get('/policy/switch')).statusCode).toBe(404);
    expect(
      (await teacher.get('/policy/switch/preview?templateKey=john-clifford-primary')).statusCode,
    ).toBe(404);
    const res = await teacher.post(
      '/policy/switch',
      { templateKey: 'john-clifford-primary', expectedVersion: '1', note: 'x' },
      { csrfFrom: '/' },
    );
    expect(res.statusCode).toBe(404);
    expect(await profile(A.school.id)).toEqual(before);
  });

  it('needs a reason, refuses a stale preview, then switches as a new audited version', async () => {
    const before = (await profile(A.school.id))!;
    const url = '/policy/switch/preview?templateKey=john-clifford-primary';
    const noNote = await head.post(
      '/policy/switch',
      { templateKey: 'john-clifford-primary', expectedVersion: String(before.current_version) },
      { csrfFrom: url },
    );
    expect(noNote.statusCode).toBe(400);
    expect(noNote.body).toContain('Say why the school is switching');
    const stale = await head.post(
      '/policy/switch',
      {
        templateKey: 'john-clifford-primary',
        expectedVersion: String(before.current_version - 1 || 99),
        note: 'Governors adopted the county model policy',
      },
      { csrfFrom: url },
    );
    expect(stale.statusCode).toBe(409);
    expect(await profile(A.school.id)).toEqual(before);

    const ok = await head.post(
      '/policy/switch',
      {
        templateKey: 'john-clifford-primary',
        expectedVersion: String(before.current_version),
        note: 'Governors adopted the county model policy',
      },
      { csrfFrom: url },
    );
    expect(ok.statusCode).toBe(303);
    const after = (await profile(A.school.id))!;
    expect(after).toEqual({
      current_version: before.current_version + 1,
      template_key: 'john-clifford-primary',
    });
    const { settings } = await ctx.services.policies.current(A.school.id);
    expect(settings).toEqual(
      policySettingsSchema.parse(getTemplate('john-clifford-primary')!.settings),
    );
    const audit = await ctx.services.database.pool.query(
      "SELECT data FROM audit_events WHERE school_id = $1 AND action = 'policy.template-switched'",
      [A.school.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].data).toMatchObject({
      from: 'sacred-heart-rochdale',
      to: 'john-clifford-primary',
    });
    const versions = await head.get('/policy/versions');
    expect(versions.body).toContain('Governors adopted the county model policy');
    const page = await head.get('/policy');
    expect(page.body).toContain('John Clifford');
  });

  it('names roles by the school’s own titles (people.roleTitles) on its pages', async () => {
    const avenue = await createSchool(ctx.services, {
      slug: 'switch-avenue',
      template: 'the-avenue-primary',
    });
    const governor = new Browser(app);
    await governor.signIn(avenue.staff.governor.email);
    const page = await governor.get('/policy');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('(Chair of Governors)');
    const headB = new Browser(app);
    await headB.signIn(avenue.staff.headteacher.email);
    const staff = await headB.get('/staff');
    expect(staff.statusCode).toBe(200);
    expect(staff.body).toContain('Chair of Governors');
    // Another school keeps Lanyard's names.
    const plain = await head.get('/staff');
    expect(plain.body).not.toContain('Chair of Governors');
  });

  it('a new school can start from Lanyard’s defaults', async () => {
    const [school] = (
      await ctx.services.database.pool.query<{ id: string }>(
        "INSERT INTO schools (name, slug) VALUES ('Fresh Start School', 'fresh-start') RETURNING id",
      )
    ).rows;
    await ctx.services.policies.adopt(school!.id, 'lanyard-defaults', { kind: 'system', id: null });
    expect((await profile(school!.id))!.template_key).toBe('lanyard-defaults');
    const { settings } = await ctx.services.policies.current(school!.id);
    expect(settings.roles.approverRole.citation.section).toBe('Lanyard default');
  });
});
