/**
 * A settings save is substantive or minor, as a text edit is (issue 16 item 2 through the
 * issue 15 editor): the page asks "What kind of change is this?" (substantive chosen at first), the
 * JSON API takes `substantive` (true when left out). A minor save asks nobody to acknowledge the
 * policy again; a substantive one asks everyone (earlier acknowledgements kept, superseded), and so
 * does a switch of template. A school's own citation can be cleared: back to the template's.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { formEntries, postEntries } from '../support/policy-editor.ts';
import { getTemplate } from '../../src/modules/policies/index.ts';

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('substantive or minor settings saves (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  let headToken: string;

  const acks = () => ctx.services.acknowledgements;
  const superseded = async () =>
    Number(
      (
        await ctx.platform.database.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM policy_acknowledgement_supersessions WHERE school_id = $1',
          [fx.school.id],
        )
      ).rows[0]!.n,
    );
  const kindOf = async (version: number) =>
    (
      await ctx.platform.database.pool.query<{ substantive: boolean }>(
        'SELECT substantive FROM policy_version_kinds WHERE school_id = $1 AND version = $2',
        [fx.school.id, version],
      )
    ).rows[0]?.substantive;
  const version = async () => (await ctx.services.policies.current(fx.school.id)).version;
  const teacherAcknowledges = () =>
    acks().acknowledge({ kind: 'staff', id: fx.staff.teacher.id, schoolId: fx.school.id });
  const teacherIsCurrent = () => acks().hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id);

  /** The editor's form as the browser would post it, with some answers replaced. */
  const save = async (replace: Record<string, string | null>) => {
    const page = await head.get('/policy/edit');
    expect(page.statusCode).toBe(200);
    const entries = formEntries(page.body, '/policy/edit')
      .filter(([k]) => !(k in replace))
      .concat(Object.entries(replace).filter((e): e is [string, string] => e[1] !== null));
    return postEntries(app, head, '/policy/edit', entries);
  };
  const patch = (body: Record<string, unknown>) =>
    app.inject({
      method: 'PATCH',
      url: '/api/v1/policy-profile',
      headers: { authorization: `Bearer ${headToken}` },
      payload: body,
    });

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    headToken = await ctx.services.auth.createApiToken(
      fx.staff.headteacher.id,
      fx.school.id,
      'kind test',
    );
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('asks the question on the page, substantive chosen at first; a bad answer saves nothing', async () => {
    const page = decode((await head.get('/policy/edit')).body);
    expect(page).toContain('What kind of change is this?');
    expect(page).toContain('Does this change what staff, governors or parents must do?');
    expect(page).toMatch(/<input[^>]*name="kind"[^>]*value="substantive"[^>]*checked/);
    expect(page).not.toMatch(/<input[^>]*name="kind"[^>]*value="minor"[^>]*checked/);

    const before = await version();
    const bad = await save({ kind: 'major', 'consent.renewalReminderDays': '20', note: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('href="#kind"');
    expect(await version()).toBe(before);
  });

  it('a minor save does not ask staff again; a substantive one does (earlier kept, superseded)', async () => {
    await teacherAcknowledges();
    expect(await teacherIsCurrent()).toBe(true);
    const v = await version();

    const minor = await save({
      kind: 'minor',
      'consent.renewalReminderDays': '25',
      note: 'Reminders a little later',
    });
    expect(minor.statusCode).toBe(303);
    expect(await version()).toBe(v + 1);
    expect(await kindOf(v + 1)).toBe(false);
    expect(await teacherIsCurrent()).toBe(true);
    expect(await superseded()).toBe(0);
    const flash = decode((await head.get('/policy')).body);
    expect(flash).toContain('A minor change: nobody is asked to acknowledge it again.');
    // The version page says so.
    expect((await head.get(`/policy/text/versions/${v + 1}`)).body).toContain(
      'Minor: nobody is asked again',
    );

    // The page's first choice (substantive) as the browser posts it.
    const sub = await save({ 'consent.renewalReminderDays': '26', note: 'Agreed by governors' });
    expect(sub.statusCode).toBe(303);
    expect(await kindOf(v + 2)).toBe(true);
    expect(await teacherIsCurrent()).toBe(false);
    expect(await superseded()).toBe(1);
    expect(await acks().history(fx.school.id, 'staff', fx.staff.teacher.id)).toHaveLength(1);
    expect(decode((await head.get('/policy')).body)).toContain(
      'Everyone who must acknowledge the policy is asked to read it again.',
    );
  });

  it('the API takes substantive (true when left out); a wrong answer is a problem, nothing saved', async () => {
    await teacherAcknowledges();
    const v = await version();
    const minor = await patch({
      expectedVersion: v,
      note: 'A small change',
      settings: { 'consent.renewalReminderDays': 27 },
      substantive: false,
    });
    expect(minor.statusCode, minor.body).toBe(200);
    expect(minor.json()).toMatchObject({ version: v + 1, substantive: false });
    expect(await teacherIsCurrent()).toBe(true);

    const wrong = await patch({
      expectedVersion: v + 1,
      note: 'x',
      settings: { 'consent.renewalReminderDays': 28 },
      substantive: 'yes',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await version()).toBe(v + 1);

    const left = await patch({
      expectedVersion: v + 1,
      note: 'A bigger change',
      settings: { 'consent.renewalReminderDays': 28 },
    });
    expect(left.statusCode, left.body).toBe(200);
    expect(left.json()).toMatchObject({ version: v + 2, substantive: true });
    expect(await teacherIsCurrent()).toBe(false);

    const openapi = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).body;
    expect(openapi).toContain('Does this change what staff, governors or parents must do?');
  });

  it('a switch of template is substantive: everyone is asked again', async () => {
    await teacherAcknowledges();
    expect(await teacherIsCurrent()).toBe(true);
    const { version: switched } = await ctx.services.policySwitch.switchTo(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        templateKey: 'the-avenue-primary',
        expectedVersion: await version(),
        note: 'We follow The Avenue’s policy now',
      },
    );
    expect(await version()).toBe(switched);
    expect(await teacherIsCurrent()).toBe(false);
  });

  it('clears the school’s own citation: back to the template’s, or the school’s decision if changed', async () => {
    const template = getTemplate('the-avenue-primary')!.settings;
    const path = 'consent.renewalReminderDays';
    const fromTemplate = template.consent.renewalReminderDays;
    const rule = async () =>
      (await ctx.services.policies.current(fx.school.id)).settings.consent.renewalReminderDays;
    expect((await rule()).value).toBe(fromTemplate.value);

    const cited = await save({
      [`${path}._cite.section`]: '5.3',
      [`${path}._cite.quote`]: 'Parents are reminded each fortnight.',
      kind: 'minor',
      note: 'Our own policy',
    });
    expect(cited.statusCode).toBe(303);
    expect((await rule()).citation).toMatchObject({ section: '5.3', school: true });
    // The page shows it in the fields, so emptying them is how the Headteacher clears it.
    const page = await head.get('/policy/edit');
    expect(page.body).toMatch(
      /name="consent\.renewalReminderDays\._cite\.section"[^>]*value="5\.3"/,
    );

    const cleared = await save({
      [`${path}._cite.section`]: '',
      [`${path}._cite.quote`]: '',
      kind: 'minor',
      note: 'Cite the template again',
    });
    expect(cleared.statusCode).toBe(303);
    expect((await rule()).citation).toEqual(fromTemplate.citation);
    const versions = decode((await head.get('/policy/versions')).body);
    expect(versions).toContain('now from');

    // Cited, then changed: cleared, the template's clause no longer says it (the school's decision).
    await save({
      [`${path}._cite.section`]: '5.3',
      [path]: String(fromTemplate.value + 3),
      kind: 'minor',
      note: 'Later reminders',
    });
    expect((await rule()).citation).toMatchObject({ section: '5.3', school: true });
    const again = await save({
      [`${path}._cite.section`]: '',
      [`${path}._cite.quote`]: '',
      kind: 'minor',
      note: 'No section of ours',
    });
    expect(again.statusCode).toBe(303);
    const now = await rule();
    expect(now.value).toBe(fromTemplate.value + 3);
    expect(now.citation).toMatchObject({ seed: null, section: 'School decision' });
    expect(now.citation.note).toContain('School policy §5.3');
    expect(now.citation.school).toBeUndefined();

    // The API clears it the same way (an empty section).
    const v = await version();
    await patch({
      expectedVersion: v,
      note: 'Ours again',
      citations: { [path]: { section: '6.1' } },
      substantive: false,
    });
    const res = await patch({
      expectedVersion: v + 1,
      note: 'Not ours',
      citations: { [path]: { section: '' } },
      substantive: false,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await rule()).citation.school).toBeUndefined();
  });
});
