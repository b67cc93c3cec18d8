/**
 * Staff personal conduct and whom the policy covers on the acknowledgement page (issue 15 item 4):
 * the statements of the school's profile (`people.conductStatements`) are listed in its words and
 * confirmed with the policy, and the acknowledgement's audit record carries them; whom the policy
 * applies to and who must acknowledge it (`people.appliesTo`, `people.mustAcknowledge`) are the
 * profile's, in words. A statement the Headteacher adds on the settings page is asked for next.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues } from '../support/http-principals.ts';
import { formEntries, postEntries } from '../support/policy-editor.ts';

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('personal conduct statements on the acknowledgement page', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  let teacher: Browser;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 1, template: 'sacred-heart-rochdale' });
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists the school’s statements and whom the policy covers, in words; the record keeps them', async () => {
    const { settings } = await ctx.services.policies.current(fx.school.id);
    const statements = settings.people.conductStatements.value.map((c) => c.text);
    expect(statements.length).toBeGreaterThan(0);
    const page = await teacher.get('/acknowledge-policy');
    expect(page.statusCode).toBe(200);
    const body = decode(page.body);
    const listed = /data-testid="conduct-statements">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '';
    expect([...listed.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.trim())).toEqual(
      statements,
    );
    expect(body).toContain('and I will keep to the personal conduct statements above');
    // Whom it covers and who acknowledges it: the profile's groups in words, never keys.
    expect(body).toMatch(/Who it applies to<\/dt>\s*<dd[^>]*>All staff, /);
    expect(body).toContain(
      'asks these people to read it and confirm they have understood it: all staff',
    );
    expect(body).not.toMatch(/\b(supply_staff|official_channels|no_parent_groups)\b/);

    const res = await teacher.post('/acknowledge-policy', {
      ...formValues(page.body, '/acknowledge-policy'),
      confirm: 'yes',
    });
    expect(res.statusCode).toBe(303);
    const audit = await ctx.services.database.pool.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM audit_events WHERE school_id = $1 AND action = 'acknowledgements.policy-acknowledged'
         AND actor_id = $2 ORDER BY seq DESC LIMIT 1`,
      [fx.school.id, fx.staff.teacher.id],
    );
    expect(audit.rows[0]?.data.conductStatements).toEqual(statements);
  });

  it('asks for a statement the Headteacher adds on the settings page', async () => {
    const path = 'people.conductStatements';
    const { settings } = await ctx.services.policies.current(fx.school.id);
    const n = settings.people.conductStatements.value.length;
    let entries = formEntries((await head.get('/policy/edit')).body, '/policy/edit');
    let res = await postEntries(app, head, '/policy/edit', [
      ...entries,
      ['_action', `add:${path}`],
    ]);
    expect(res.statusCode).toBe(200);
    entries = formEntries(res.body, '/policy/edit').map(([k, v]): [string, string] =>
      k === `${path}.${n}.text`
        ? [k, 'I do not share photos of pupils in staff messaging groups.']
        : k === 'note'
          ? [k, 'A statement on messaging groups']
          : [k, v],
    );
    res = await postEntries(app, head, '/policy/edit', entries);
    expect(res.statusCode).toBe(303);
    const page = decode((await teacher.get('/acknowledge-policy')).body);
    expect(page).toContain('<li>I do not share photos of pupils in staff messaging groups.</li>');
  });
});
