/**
 * The settings editor through the pages (issue 15 items 1 and 5): every setting of every one of
 * the five templates is changed through POST /policy/edit at least once, with a changed valid
 * value made from the setting's schema (test/support/policy-editor.ts), so settings added later
 * are covered without new test code. Also the list buttons (add, move, remove) without
 * JavaScript, the error summary in words, the school's own citation, and the versions page's
 * changes in words.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import {
  changedValidValue,
  comparable,
  formEntries,
  postEntries,
} from '../support/policy-editor.ts';
import { allRuleNodes } from '../../src/modules/policies/policy-form-schema.ts';
import { encodeNode } from '../../src/modules/policies/policy-form.ts';
import { getRule, type RulePath } from '../../src/modules/policies/policy-settings.ts';
import { policyTemplates } from '../../src/modules/policies/templates/index.ts';

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The form's fields with those of one rule replaced by a new value's. */
function withValue(entries: [string, string][], path: string, next: [string, string][]) {
  const mine = (name: string) =>
    name === 'note' ||
    ((name === path || name.startsWith(`${path}.`)) && !name.startsWith(`${path}._cite`));
  return [...entries.filter(([n]) => !mine(n)), ...next];
}

describe('the settings editor', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  const schools = new Map<string, { school: SchoolFixture; head: Browser }>();

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    for (const t of policyTemplates) {
      const school = await createSchool(ctx.services, { pupils: 2, template: t.key });
      const head = new Browser(app);
      await head.signIn(school.staff.headteacher.email);
      schools.set(t.key, { school, head });
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it.each(policyTemplates.map((t) => [t.key]))(
    'changes every setting of the %s template through the policy page',
    async (key) => {
      const { school, head } = schools.get(key)!;
      const untouched: string[] = [];
      // The page once; then the form as the browser would hold it after each save (the page is
      // big: reading it again for each of ~100 settings would only repeat the same fields).
      const page = await head.get('/policy/edit');
      expect(page.statusCode).toBe(200);
      let form = formEntries(page.body, '/policy/edit');
      for (const { path, node } of allRuleNodes()) {
        if (node.kind === 'fixed') continue;
        const current = await ctx.services.policies.current(school.school.id);
        const rule = getRule(current.settings, path as RulePath) as { value: unknown };
        const found = changedValidValue(current.settings, path, node, rule.value);
        if (found === null) {
          untouched.push(path);
          continue;
        }
        const next = found.value;
        const entries = withValue(form, path, [
          ...encodeNode(node, path, next),
          ['note', 'Changing one setting'],
        ]).map(([k, v]): [string, string] =>
          k === 'expectedVersion' ? [k, String(current.version)] : [k, v],
        );
        const res = await postEntries(app, head, '/policy/edit', entries);
        if (res.statusCode !== 303) {
          const summary = /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(res.body)?.[1];
          throw new Error(`${path}: ${res.statusCode} ${summary ?? res.body.slice(0, 300)}`);
        }
        const after = await ctx.services.policies.current(school.school.id);
        expect(after.version, path).toBe(current.version + 1);
        const saved = (getRule(after.settings, path as RulePath) as { value: unknown }).value;
        expect(comparable(saved), path).toEqual(comparable(next));
        form = withValue(form, path, [...encodeNode(node, path, saved), ['note', '']]);
      }
      // Only the rules the law fixes are left out; every other has a changed valid value.
      expect(untouched).toEqual([]);
    },
    300_000,
  );

  it('adds, moves and removes a playbook step with the buttons, keeping unsaved answers', async () => {
    const { school, head } = schools.get('sacred-heart-rochdale')!;
    const path = 'incidents.playbooks.parent_defamation';
    const before = await ctx.services.policies.current(school.school.id);
    const steps = before.settings.incidents.playbooks.parent_defamation.value;
    let page = await head.get('/policy/edit');
    let entries = formEntries(page.body, '/policy/edit');
    // An unsaved answer elsewhere, then "Add another step".
    entries = entries.map(([n, v]) => (n === 'note' ? [n, 'New step agreed'] : [n, v]));
    let res = await postEntries(app, head, '/policy/edit', [
      ...entries,
      ['_action', `add:${path}`],
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<textarea[^>]*name="note"[^>]*>\s*New step agreed<\/textarea>/);
    const n = steps.length;
    expect(res.body).toContain(`name="${path}.${n}.label"`);
    expect(res.body).toContain('Add another step');
    // Fill it in, move it up, and remove the first step.
    entries = formEntries(res.body, '/policy/edit').map(([k, v]) =>
      k === `${path}.${n}.label`
        ? [k, 'Invite the parent to a meeting with the governors']
        : [k, v],
    );
    res = await postEntries(app, head, '/policy/edit', [
      ...entries,
      ['_action', `up:${path}.${n}`],
    ]);
    expect(res.statusCode).toBe(200);
    page = res;
    expect(page.body).toMatch(
      new RegExp(
        `name="${path.replace(/\./g, '\\.')}\\.${n - 1}\\.label"[^>]*value="Invite the parent to a meeting with the governors"`,
      ),
    );
    entries = formEntries(page.body, '/policy/edit');
    res = await postEntries(app, head, '/policy/edit', [
      ...entries,
      ['_action', `remove:${path}.0`],
    ]);
    expect(res.statusCode).toBe(200);
    entries = formEntries(res.body, '/policy/edit');
    res = await postEntries(app, head, '/policy/edit', entries);
    expect(res.statusCode).toBe(303);
    const after = await ctx.services.policies.current(school.school.id);
    expect(after.version).toBe(before.version + 1);
    const saved = after.settings.incidents.playbooks.parent_defamation.value;
    expect(saved.map((s) => s.label)).toEqual([
      ...steps.slice(1, -1).map((s) => s.label),
      'Invite the parent to a meeting with the governors',
      steps[steps.length - 1]!.label,
    ]);
    // Kept steps keep their clause; the new one is the school's.
    expect(saved[0]!.citation).toEqual(steps[1]!.citation);
    const added = saved.find((s) =>
      s.label.startsWith('Invite the parent to a meeting with the g'),
    )!;
    expect(added.key).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(added.citation.section).toBe('School decision');
    // The versions page says what changed, in words.
    const versions = decode((await head.get('/policy/versions')).body);
    expect(versions).toContain(
      'Steps when a parent posts defamatory or abusive comments: step 1 “',
    );
    expect(versions).toContain('removed');
    expect(versions).toContain('“Invite the parent to a meeting with the governors” added');
    expect(versions).not.toMatch(/incidents\.playbooks/);
    // And the version's own page.
    const one = decode((await head.get(`/policy/versions/${after.version}`)).body);
    expect(one).toContain('What changed in this version');
    expect(one).toContain('“Invite the parent to a meeting with the governors” added');
  });

  it('names each bad field in words in the error summary and saves nothing', async () => {
    const { school, head } = schools.get('john-clifford-primary')!;
    const before = await ctx.services.policies.current(school.school.id);
    const page = await head.get('/policy/edit');
    const entries = formEntries(page.body, '/policy/edit').map(([k, v]): [string, string] => {
      if (k === 'consent.purposes.0.label') return [k, ''];
      if (k === 'media.retention.deleteAfterYears') return [k, 'number'];
      if (k === 'media.retention.deleteAfterYears.number') return [k, 'ten'];
      if (k === 'note') return [k, 'Trying bad values'];
      return [k, v];
    });
    const res = await postEntries(app, head, '/policy/edit', entries);
    expect(res.statusCode).toBe(400);
    const body = decode(res.body);
    expect(body).toContain('govuk-error-summary');
    expect(body).toContain('href="#media-retention-deleteAfterYears"');
    expect(body).toContain(
      'Enter a whole number for “Years after archiving before photos are deleted”',
    );
    expect((await ctx.services.policies.current(school.school.id)).version).toBe(before.version);

    // Only the blank purpose now: the schema's message, naming the purpose in words.
    const fixed = entries.map(([k, v]): [string, string] =>
      k === 'media.retention.deleteAfterYears.number' ? [k, '3'] : [k, v],
    );
    const res2 = await postEntries(app, head, '/policy/edit', fixed);
    expect(res2.statusCode).toBe(400);
    expect(decode(res2.body)).toContain('href="#consent-purposes-0-label"');
    expect(decode(res2.body)).toMatch(/purpose 1, description cannot be blank/);
    expect((await ctx.services.policies.current(school.school.id)).version).toBe(before.version);
  });

  it('keeps the school’s own citation when the rule is edited again', async () => {
    const { school, head } = schools.get('the-avenue-primary')!;
    let entries = formEntries((await head.get('/policy/edit')).body, '/policy/edit');
    entries = [
      ...entries.filter(
        ([k]) => !k.startsWith('consent.renewalReminderDays._cite') && k !== 'note',
      ),
      ['consent.renewalReminderDays._cite.section', '5.3'],
      ['consent.renewalReminderDays._cite.quote', 'Parents are reminded each fortnight.'],
      ['note', 'Our own policy'],
    ];
    expect((await postEntries(app, head, '/policy/edit', entries)).statusCode).toBe(303);
    let now = await ctx.services.policies.current(school.school.id);
    expect(now.settings.consent.renewalReminderDays.citation).toMatchObject({
      seed: null,
      section: '5.3',
      quote: 'Parents are reminded each fortnight.',
      school: true,
    });
    entries = formEntries((await head.get('/policy/edit')).body, '/policy/edit').map(
      ([k, v]): [string, string] =>
        k === 'consent.renewalReminderDays'
          ? [k, '14']
          : k === 'note'
            ? [k, 'Fortnightly']
            : [k, v],
    );
    expect((await postEntries(app, head, '/policy/edit', entries)).statusCode).toBe(303);
    now = await ctx.services.policies.current(school.school.id);
    expect(now.settings.consent.renewalReminderDays.value).toBe(14);
    expect(now.settings.consent.renewalReminderDays.citation.section).toBe('5.3');
    const policy = decode((await head.get('/policy')).body);
    expect(policy).toContain('School policy §5.3');
  });
});
