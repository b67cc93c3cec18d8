/**
 * Pages for people, not for developers (issue 9 items 6 and 8): the policy page in words with a
 * contents list and a GOV.UK date input; a withdrawal says which media it stops; naming beside a
 * refused photo is not applicable; "Chase" only leads to a chaser list once a campaign exists;
 * the second-factor page does not claim anyone is signed in; the trust admin sees the trust's
 * name, pupils on roll without those possibly left, and consent coverage as figures only.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDate } from '../../src/platform/clock.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { formatDateInWords } from '../../src/web/dates.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, totpNow } from '../support/http.ts';
import {
  Browser,
  createOrganisationAdmin,
  formValues,
  type OrgAdminFixture,
} from '../support/http-principals.ts';

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ');
}

const fullName = (p: { givenName: string; familyName: string }) => `${p.givenName} ${p.familyName}`;

describe('readable pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  /** Sacred Heart template: yearly consent, one use (school social media). */
  let S: SchoolFixture;
  /** John Clifford template: consent at admission, five uses, naming for external ones. */
  let J: SchoolFixture;
  let admin: OrgAdminFixture;

  const record = async (
    fx: SchoolFixture,
    pupilIndex: number,
    decisions: Record<string, string>,
    kind: 'form' | 'withdrawal',
  ) => {
    const pupil = fx.pupils[pupilIndex]!;
    const register = await ctx.services.consent.pupilRegister(fx.school.id, pupil.id);
    const parent = register.parents.find((p) => p.parentalResponsibility)!;
    await ctx.services.consent.record(
      {
        schoolId: fx.school.id,
        pupilId: pupil.id,
        decider: { kind: 'parent', parentId: parent.id },
        decisions,
        method: kind === 'withdrawal' ? 'letter' : 'paper_form',
        kind,
        decidedOn: ukDate(ctx.services.clock.now()),
      },
      { kind: 'staff', id: fx.staff.office.id },
    );
    return pupil;
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [S, J] = await Promise.all([
      createSchool(ctx.services, { slug: 'readable-sh', pupils: 10 }),
      createSchool(ctx.services, {
        slug: 'readable-jc',
        pupils: 8,
        template: 'john-clifford-primary',
      }),
    ]);
    admin = await createOrganisationAdmin(ctx, [S.school.id, J.school.id], {
      name: 'Tara Trustadmin',
    });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe('the policy page', () => {
    it('shows every setting in words, grouped, with a contents list and the review date in words', async () => {
      const head = new Browser(app);
      await head.signIn(J.staff.headteacher.email);
      const res = await head.get('/policy');
      expect(res.statusCode).toBe(200);
      const page = text(res.body);
      const current = await ctx.services.policies.current(J.school.id);

      // Words, not keys or raw objects.
      expect(page).toContain('1 September');
      expect(page).toContain('Photos and videos');
      expect(page).toContain('Once, at admission');
      expect(page).toContain('Business Manager');
      expect(page).toContain('John Clifford Primary School');
      for (const raw of [
        'month:',
        'day: 1',
        'image; video',
        'image, video',
        'business_manager',
        'business manager',
        'john-clifford-primary',
        'classroom_display',
        'record_evidence',
        current.nextReviewDate,
        '[object Object]',
      ]) {
        expect(page, raw).not.toContain(raw);
      }
      expect(page).toContain(formatDateInWords(current.nextReviewDate));
      // A role key never appears as a setting on its own.
      expect(res.body).not.toMatch(/>\s*(headteacher|dsl|dpo|ict_technician|office)\s*</);

      // A contents list links to each group (eleven with people, channels and retention), and each group is a summary list.
      const contents = /<nav class="lanyard-contents"[\s\S]*?<\/nav>/.exec(res.body)![0];
      const targets = [...contents.matchAll(/href="#([\w-]+)"/g)].map((m) => m[1]!);
      expect(targets.length).toBe(11);
      for (const id of targets) expect(res.body).toContain(`id="${id}"`);
      expect(res.body.match(/class="govuk-summary-list lanyard-settings"/g)?.length).toBe(11);
      expect(res.body).not.toContain('lanyard-rules');
      // The school's clause and the policy's own words sit behind a details element.
      const model = current.settings.consent.model.citation;
      expect(page).toContain(`From 004 ${model.section}`);
      expect(page).toContain(model.quote.slice(0, 40));

      // A version page reads the same way.
      const v1 = text((await head.get('/policy/versions/1')).body);
      expect(v1).toContain('1 September');
      expect(v1).not.toContain('month:');
    });

    it('edits the review date with a GOV.UK date input, in words everywhere, and refuses a bad one', async () => {
      const head = new Browser(app);
      await head.signIn(S.staff.headteacher.email);
      const edit = await head.get('/policy/edit');
      expect(edit.statusCode).toBe(200);
      const current = await ctx.services.policies.current(S.school.id);
      const values = formValues(edit.body, '/policy/edit');
      const [y, m, d] = current.nextReviewDate.split('-');
      expect(values['nextReviewDate-day']).toBe(String(Number(d)));
      expect(values['nextReviewDate-month']).toBe(String(Number(m)));
      expect(values['nextReviewDate-year']).toBe(y);
      expect(values.nextReviewDate).toBeUndefined();
      // Choices are words: the approver is chosen from role titles, not keys.
      expect(edit.body).toMatch(/<option value="headteacher"[^>]*>Headteacher<\/option>/);
      // Frequencies are radios in the settings editor: the choice's value is a key, its label words.
      expect(edit.body).toMatch(/value="annual"/);
      expect(edit.body).toContain('Every year');

      // A date that does not exist: the error summary links to the day field; nothing changes.
      const bad = await head.post('/policy/edit', {
        ...values,
        'nextReviewDate-day': '31',
        'nextReviewDate-month': '2',
        'nextReviewDate-year': '2031',
        note: 'New review date',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('href="#nextReviewDate-day"');
      expect(bad.body).toContain('The next review date must be a real date');
      expect(bad.body).toMatch(/name="nextReviewDate-day"[^>]*value="31"/);
      const partial = await head.post('/policy/edit', {
        ...values,
        'nextReviewDate-month': '',
        note: 'New review date',
      });
      expect(partial.statusCode).toBe(400);
      expect(partial.body).toContain('The next review date must include a month');
      expect((await ctx.services.policies.current(S.school.id)).version).toBe(current.version);

      const ok = await head.post('/policy/edit', {
        ...values,
        'nextReviewDate-day': '30',
        'nextReviewDate-month': '11',
        'nextReviewDate-year': '2031',
        note: 'Review moved to the November governors’ meeting',
      });
      expect(ok.statusCode).toBe(303);
      const after = await ctx.services.policies.current(S.school.id);
      expect(after.nextReviewDate).toBe('2031-11-30');
      const policy = text((await head.get('/policy')).body);
      expect(policy).toContain('30 November 2031');
      expect(policy).not.toContain('2031-11-30');
      expect(text((await head.get('/')).body)).toContain('30 November 2031');
    });
  });

  describe('the consent keepers’ dashboard', () => {
    it('says which media a withdrawal stops, and leads to the right place to chase forms', async () => {
      const settings = await ctx.services.consent.settings(J.school.id);
      const keys = consentKeysFor(settings);
      // Every pupil but the last has a form; the first then withdraws photos for the website
      // only: videos stay allowed.
      const all = Object.fromEntries(keys.map((k) => [k, 'granted']));
      for (let i = 0; i < J.pupils.length - 1; i++) await record(J, i, all, 'form');
      const pupil = await record(J, 0, { 'school_website/image': 'refused' }, 'withdrawal');
      expect(keys).toContain('school_website/video');

      const dpo = new Browser(app);
      await dpo.signIn(J.staff.dpo.email);
      const home = await dpo.get('/');
      const page = text(home.body);
      expect(page).toContain(`Consent withdrawn for ${fullName(pupil)}`);
      expect(page).toContain('No longer allowed: photos for School website.');
      expect(page).not.toContain('photos and videos for School website');

      // No campaign yet: the item says so and leads to the campaigns page, not a chaser list.
      expect(page).toContain('1 pupil has no consent form');
      expect(page).toContain('No consent campaign has started for this period yet');
      expect(home.body).toMatch(/href="\/consent\/campaigns"[^>]*>1 pupil has no consent form/);
      expect(home.body).not.toMatch(/href="\/consent\/campaigns\/[0-9a-f-]{36}"/);

      // Once a campaign is running, "Chase" opens its list of forms not returned.
      const started = await ctx.services.consentCampaigns.startNow(
        J.school.id,
        { kind: 'staff', id: J.staff.dpo.id },
        'admission',
      );
      const after = await dpo.get('/');
      expect(after.body).toMatch(
        new RegExp(
          `href="/consent/campaigns/${started.campaignId}"[^>]*>1 pupil has no consent form`,
        ),
      );
      expect(text(after.body)).toContain('Chase');
      const chaser = text((await dpo.get(`/consent/campaigns/${started.campaignId}`)).body);
      expect(chaser).toContain(fullName(J.pupils[J.pupils.length - 1]!));
    });

    it('shows naming beside a refused photo as not applicable, in the class grid and on the pupil', async () => {
      const settings = await ctx.services.consent.settings(J.school.id);
      const decisions = Object.fromEntries(consentKeysFor(settings).map((k) => [k, 'granted']));
      decisions['local_newspapers/image'] = 'refused';
      const pupil = await record(J, 2, decisions, 'form');

      const office = new Browser(app);
      await office.signIn(J.staff.office.email);
      const pupilPage = text((await office.get(`/consent/pupils/${pupil.id}`)).body);
      const newspapers = pupilPage.slice(pupilPage.indexOf('Local newspapers'));
      expect(newspapers).toMatch(/Photos ✗ No/);
      expect(newspapers).toMatch(/Name with a photo – Not applicable No photo may be used/);

      const grid = await office.get(`/consent/classes/${encodeURIComponent(pupil.className!)}`);
      expect(grid.statusCode).toBe(200);
      expect(grid.body).toContain(
        `${fullName(pupil)}, Local newspapers, name with a photo: Not applicable.`,
      );
      // Someone allowed photos keeps their naming answer.
      expect(grid.body).toContain(`${fullName(pupil)}, School website, name with a photo: Yes.`);
      // The grid is a table for wide screens and one card per pupil for phones.
      expect(grid.body).toContain('class="lanyard-matrix-cards"');
      expect(grid.body).toContain('class="lanyard-matrix-table"');
      expect(grid.body).toMatch(/govuk-summary-card[\s\S]*?href="\/consent\/pupils\//);
    });
  });

  describe('the second factor', () => {
    it('does not say who is signed in until the code is given', async () => {
      const head = new Browser(app);
      const res = await head.post(
        '/sign-in',
        { email: S.staff.headteacher.email, password: TEST_PASSWORD },
        { csrfFrom: '/sign-in' },
      );
      expect(res.headers.location).toBe('/sign-in/two-factor');
      const page = await head.get('/sign-in/two-factor');
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Signed in as');
      expect(page.body).not.toContain('headteacher Tester');
      expect(text(page.body)).toContain('You are not signed in until you enter the code');
      expect(page.body).toContain('Cancel sign-in');
      // The page without a second factor still goes nowhere else.
      expect((await head.get('/')).headers.location).toBe('/sign-in/two-factor');

      const done = await head.post(
        '/sign-in/two-factor',
        { code: totpNow() },
        { csrfFrom: '/sign-in/two-factor' },
      );
      const retry =
        done.statusCode === 303
          ? done
          : await head.post(
              '/sign-in/two-factor',
              { code: totpNow(undefined, Date.now() + 30_000) },
              { csrfFrom: '/sign-in/two-factor' },
            );
      expect(retry.statusCode).toBe(303);
      expect((await head.get('/')).body).toContain('Signed in as');
    });
  });

  describe('the trust admin', () => {
    it('sees the trust’s name, pupils on roll without those possibly left, and consent coverage as figures', async () => {
      // Two of S's pupils were missing from the last MIS import.
      await ctx.services.database.pool.query(
        'UPDATE pupils SET possibly_left_at = now() WHERE id = ANY($1::uuid[])',
        [[S.pupils[8]!.id, S.pupils[9]!.id]],
      );
      // S: six of the eight remaining pupils have a form.
      for (const i of [0, 1, 2, 3, 4, 5]) {
        const settings = await ctx.services.consent.settings(S.school.id);
        await record(
          S,
          i,
          Object.fromEntries(consentKeysFor(settings).map((k) => [k, 'granted'])),
          'form',
        );
      }
      const { rows } = await ctx.services.database.pool.query<{ name: string }>(
        'SELECT name FROM organisations WHERE id = $1',
        [admin.organisationId],
      );
      const trustName = rows[0]!.name;

      const b = new Browser(app);
      await b.signIn(admin.email);
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toMatch(new RegExp(`<span class="lanyard-school">${trustName}</span>`));
      const cells = [...home.body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map(
        (m) => text(m[1]!).trim(),
      );
      const sRow = cells.find((r) => r.startsWith(S.school.name))!;
      // 10 pupils, 2 possibly left: 8 on roll, 6 of them with a form (75%); the school's count
      // without a form is 4, as its own dashboard says, 2 of them possibly left.
      expect(sRow).toContain('Sacred Heart');
      expect(sRow).toMatch(/ 8 6 \(75%\) 4 \(2 possibly left\) 2 /);
      const schoolHead = new Browser(app);
      await schoolHead.signIn(S.staff.office.email);
      expect(text((await schoolHead.get('/')).body)).toContain('4 pupils have no consent form');
      const jRow = cells.find((r) => r.startsWith(J.school.name))!;
      expect(jRow).toContain('John Clifford');
      const page = text(home.body);
      for (const p of [...S.pupils, ...J.pupils]) {
        expect(page).not.toContain(fullName(p));
        expect(home.body).not.toContain(p.id);
      }
    });
  });
});
