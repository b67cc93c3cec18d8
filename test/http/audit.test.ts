import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDate } from '../../src/platform/clock.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const SHORT_ID = /\b[0-9a-f]{8}\b/;
/** "6 December 2026 at 6:28pm", "at 9am", "at midday", "at midnight". */
const IN_WORDS = /^\d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}(:\d{2})?(am|pm)|midday|midnight)$/;

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** The audit table's rows: when, who, what happened (text), and the raw entry behind details. */
function auditRows(html: string) {
  const body = html.slice(html.indexOf('<tbody'), html.indexOf('</tbody>'));
  return [...body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!);
    const summary = /<span class="lanyard-audit__summary">([\s\S]*?)<\/span>/.exec(cells[2] ?? '');
    const raw = /<details[\s\S]*?<pre class="lanyard-data">([\s\S]*?)<\/pre>/.exec(cells[2] ?? '');
    return {
      when: decode((cells[0] ?? '').trim()),
      who: decode((cells[1] ?? '').trim()),
      summary: decode(summary?.[1]?.trim() ?? ''),
      raw: raw ? (JSON.parse(decode(raw[1]!)) as Record<string, unknown>) : null,
    };
  });
}

describe('the audit log page in words', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let S: SchoolFixture;
  let parentId: string;
  const formerStaffId = crypto.randomUUID();

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    S = await createSchool(ctx.services, { slug: 'auditwords', pupils: 3 });
    const pupil = S.pupils[0]!;
    parentId = await addParent(ctx.services, {
      schoolId: S.school.id,
      pupilId: pupil.id,
      givenName: 'Priya',
      familyName: 'Okonkwo',
    });
    const keys = consentKeysFor(await ctx.services.consent.settings(S.school.id));
    await ctx.services.consent.record(
      {
        schoolId: S.school.id,
        pupilId: pupil.id,
        decider: { kind: 'parent', parentId },
        decisions: Object.fromEntries(keys.map((k, i) => [k, i === 0 ? 'refused' : 'granted'])),
        method: 'paper_form',
        kind: 'form',
        decidedOn: ukDate(ctx.services.clock.now()),
      },
      { kind: 'staff', id: S.staff.office.id },
    );
    // An entry by someone no longer on the staff, and one of an action this page does not know.
    await ctx.services.database.transaction(async (tx) => {
      await ctx.services.audit.record(tx, {
        schoolId: S.school.id,
        actor: { kind: 'staff', id: formerStaffId },
        action: 'media.pupil-tagged',
        entityType: 'media_item',
        entityId: crypto.randomUUID(),
        data: { pupilId: pupil.id },
      });
      await ctx.services.audit.record(tx, {
        schoolId: S.school.id,
        actor: { kind: 'staff', id: S.staff.headteacher.id },
        action: 'people.staff-roles-changed',
        entityType: 'staff',
        entityId: S.staff.teacher.id,
        data: { roles: ['teacher'] },
      });
    });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('shows names, what changed in words and dates in words, the raw entry behind details', async () => {
    const head = new Browser(app);
    await head.signIn(S.staff.headteacher.email);
    const res = await head.get('/audit');
    expect(res.statusCode, String(res.headers.location)).toBe(200);
    const rows = auditRows(res.body);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const pupil = S.pupils[0]!;
    const pupilName = `${pupil.givenName} ${pupil.familyName}`;

    const consent = rows.find((r) => r.summary.startsWith('Recorded a consent form for'))!;
    expect(consent.summary).toContain(
      `Recorded a consent form for ${pupilName} from a paper form, decided by Priya Okonkwo`,
    );
    expect(consent.summary).toMatch(/\d+ permissions? given, 1 permission refused/);
    expect(consent.who).toBe('office Tester');

    const tagged = rows.find((r) => r.summary.startsWith('Tagged'))!;
    expect(tagged.summary).toBe(`Tagged ${pupilName} in a photo or video`);
    expect(tagged.who).toBe('a former member of staff');

    // An action without its own sentence still reads as words, with the person's name.
    const generic = rows.find((r) => r.raw?.action === 'people.staff-roles-changed')!;
    expect(generic.summary).toBe('Staff roles changed: teacher Tester');
    expect(generic.who).toBe('headteacher Tester');

    for (const r of rows) {
      expect(r.when).toMatch(IN_WORDS);
      for (const text of [r.who, r.summary]) {
        expect(text).not.toMatch(UUID);
        expect(text).not.toMatch(SHORT_ID);
        expect(text).not.toMatch(/[{}_]|\b[a-z]+\.[a-z-]+\b/); // no JSON, enum keys or action slugs
      }
      // The entry as stored (what the chain hashes) is still there, behind a details element.
      expect(r.raw).toMatchObject({ entry: expect.any(Number), hash: expect.any(String) });
    }
    expect(consent.raw).toMatchObject({
      action: 'consent.form-recorded',
      actorId: S.staff.office.id,
      data: { pupilId: pupil.id, deciderParentId: parentId },
    });
    expect(res.body).not.toContain('staff ' + S.staff.office.id.slice(0, 8));

    // The filters offer words too.
    expect(res.body).toContain('<option value="consent.">Consent</option>');
    expect(res.body).toMatch(/<option value="consent_record"[^>]*>Consent record<\/option>/);

    // Showing names does not touch the chain.
    expect(await ctx.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('filters by dates from GOV.UK date inputs, and explains a date that is not real', async () => {
    const head = new Browser(app);
    await head.signIn(S.staff.headteacher.email);
    const today = ukDate(ctx.services.clock.now());
    const [y, m, d] = today.split('-');
    const dates = (prefix: string, day: string, month: string, year: string) =>
      `${prefix}-day=${day}&${prefix}-month=${month}&${prefix}-year=${year}`;

    const all = auditRows((await head.get('/audit')).body).length;
    const todays = await head.get(`/audit?${dates('from', d!, m!, y!)}&${dates('to', d!, m!, y!)}`);
    expect(todays.statusCode).toBe(200);
    expect(auditRows(todays.body).length).toBe(all);
    // The fields keep what was entered, as GOV.UK date inputs (never the browser's own).
    expect(todays.body).toContain(`name="from-day" type="text" value="${Number(d)}"`);
    expect(todays.body).not.toContain('type="date"');

    const before = await head.get(`/audit?${dates('to', '1', '1', '2020')}`);
    expect(before.statusCode).toBe(200);
    expect(auditRows(before.body)).toHaveLength(0);

    const bad = await head.get(`/audit?${dates('from', '31', '2', '2026')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#from-day"');
    expect(bad.body).toContain('The date to show entries from must be a real date');
    expect(bad.body).toContain('name="from-day" type="text" value="31"');

    const backwards = await head.get(
      `/audit?${dates('from', d!, m!, y!)}&${dates('to', '1', '1', '2020')}`,
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain(
      'The date to show entries up to must be on or after the date from',
    );
  });

  it('shows the last checkpoint in words, once there is one', async () => {
    const dpo = new Browser(app);
    await dpo.signIn(S.staff.dpo.email);
    const before = await dpo.get('/audit');
    expect(before.body).toContain('No checkpoint has been taken yet');

    const c = await ctx.services.audit.checkpoint('manual');
    const entries = c!.chains.find((h) => h.chain === `school:${S.school.id}`)!.entries;
    const after = await dpo.get('/audit');
    const line = decode(
      /<p class="govuk-body" id="checkpoint">([\s\S]*?)<\/p>/.exec(after.body)![1]!,
    );
    const m = /^Last checkpoint: (.+?), ([\d,]+) entries\./.exec(line);
    expect(m).not.toBeNull();
    expect(m![1]).toMatch(IN_WORDS);
    expect(m![2]).toBe(entries.toLocaleString('en-GB'));
  });

  it('is not there for a teacher (404)', async () => {
    const teacher = new Browser(app);
    await teacher.signIn(S.staff.teacher.email);
    expect((await teacher.get('/audit')).statusCode).toBe(404);
  });
});
