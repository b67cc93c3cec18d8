import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDate } from '../../src/platform/clock.ts';
import { hashPassword } from '../../src/platform/crypto.ts';
import { PeopleRepository } from '../../src/modules/people/people.repository.ts';
import { addDays } from '../../src/modules/policies/policies.service.ts';
import { formatDateInWords } from '../../src/web/dates.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import {
  createSchool,
  grantConsentForAll,
  TEST_PASSWORD,
  type SchoolFixture,
} from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { formEntries, postEntries } from '../support/policy-editor.ts';
import {
  Browser,
  createOrganisationAdmin,
  formValues,
  inputValue,
  setPupilEmail,
  signInWithLink,
  type OrgAdminFixture,
} from '../support/http-principals.ts';

/** The pupils linked from a page (id and link text), in page order. */
function pupilLinks(html: string): { id: string; text: string }[] {
  return [
    ...html.matchAll(/<a class="govuk-link" href="\/pupils\/([0-9a-f-]{36})">([^<]+)<\/a>/g),
  ].map((m) => ({
    id: m[1]!,
    text: m[2]!,
  }));
}

function decode(s: string): string {
  return s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

const fullName = (p: { givenName: string; familyName: string }) => `${p.givenName} ${p.familyName}`;

describe('pages for each role', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  /** A big school: lists, search, pagination and policy edits. */
  let S: SchoolFixture;
  /** A small school whose review date comes near. */
  let R: SchoolFixture;
  let admin: OrgAdminFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [S, R] = await Promise.all([
      createSchool(ctx.services, { slug: 'bigsch', pupils: 120 }),
      createSchool(ctx.services, { slug: 'review', pupils: 8 }),
    ]);
    admin = await createOrganisationAdmin(ctx, [S.school.id, R.school.id]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe('dashboards', () => {
    it('shows the headteacher what needs attention, from real records', async () => {
      const head = new Browser(app);
      await head.signIn(R.staff.headteacher.email);
      // Nobody has returned a consent form yet: no form means no consent.
      const before = await head.get('/');
      expect(before.body).toContain('8 pupils have no consent form');
      await grantConsentForAll(ctx.services, R);
      const calm = await head.get('/');
      expect(calm.statusCode).toBe(200);
      expect(calm.body).toContain('Needs your attention');
      // Consent is off the list. (A new school's Headteacher still has its other first tasks
      // there, from real records too: the first filtering check, acknowledging the policy,
      // the staff's training.)
      expect(calm.body).not.toContain('have no consent form');
      expect(calm.body).not.toContain('The policy review is due soon');
      expect(calm.body).not.toContain('has not set up two-step sign-in');

      // The review date comes near, and a DSL joins without two-step sign-in.
      const today = ukDate(ctx.services.clock.now());
      const due = addDays(today, 5);
      await ctx.services.policies.updateSettings(
        R.school.id,
        { kind: 'staff', id: R.staff.headteacher.id },
        {
          answers: {},
          note: 'Review brought forward',
          expectedVersion: 1,
          nextReviewDate: due,
        },
      );
      await new PeopleRepository().createStaff(
        ctx.services.database.db,
        {
          schoolId: R.school.id,
          email: `second-dsl@${R.school.slug}.test`,
          givenName: 'Sam',
          familyName: 'Second',
          passwordHash: await hashPassword(TEST_PASSWORD),
        },
        ['dsl'],
      );
      const busy = await head.get('/');
      expect(busy.body).toContain('The policy review is due soon');
      expect(busy.body).toContain(`Due on ${formatDateInWords(due)}.`);
      expect(busy.body).toContain('1 safeguarding or data role has not set up two-step sign-in');
      expect(busy.body).toContain('href="/policy"');

      // A change committed through this process is seen at once (the dashboard's policy read is
      // a shared read dropped on every commit, ADR 0008).
      await ctx.services.database.transaction((tx) =>
        tx.client.query('UPDATE policy_profiles SET next_review_date = $1 WHERE school_id = $2', [
          addDays(today, -2),
          R.school.id,
        ]),
      );
      const overdue = await head.get('/');
      expect(overdue.body).toContain('The policy review is overdue');
      expect(overdue.body).not.toContain('The policy review is due soon');
    });

    it('shows office staff the pupils on roll', async () => {
      const office = new Browser(app);
      await office.signIn(S.staff.office.email);
      const home = await office.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('Pupils on roll');
      expect(home.body).toMatch(/<a class="govuk-link" href="\/pupils">120<\/a>/);
      // In the navigation: "Pupils and families", whose page lists Pupils.
      expect(home.body).toMatch(
        /href="\/section\/pupils-and-families"[^>]*>\s*Pupils and families/,
      );
      const section = await office.get('/section/pupils-and-families');
      expect(section.body).toMatch(/<a class="govuk-link" href="\/pupils">Pupils<\/a>/);
      const list = await office.get('/pupils');
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain('Pupils (120)');
      expect(pupilLinks(list.body)).toHaveLength(50);
    });

    it('keeps a governor out of the pupil list (404) and off the menu', async () => {
      const governor = new Browser(app);
      await governor.signIn(S.staff.governor.email);
      const home = await governor.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).not.toContain('Pupils on roll');
      expect(home.body).not.toContain('href="/pupils"');
      expect(home.body).not.toContain('href="/section/pupils-and-families"');
      expect((await governor.get('/section/pupils-and-families')).statusCode).toBe(404);
      const pupils = await governor.get('/pupils');
      expect(pupils.statusCode).toBe(404);
      expect(pupils.body).toContain('Page not found');
      expect(pupilLinks(pupils.body)).toHaveLength(0);
      expect((await governor.get(`/pupils/${S.pupils[3]!.id}`)).statusCode).toBe(404);
      expect((await governor.get('/policy')).statusCode).toBe(200);
    });

    it('shows a parent their own children and nobody else’s', async () => {
      const parent = new Browser(app);
      await signInWithLink(parent, ctx, S.parent.email!);
      const children = await ctx.services.people.childrenOf({
        kind: 'parent',
        id: S.parent.id,
        schoolId: S.school.id,
        name: '',
      });
      expect(children.length).toBeGreaterThan(0);
      const home = await parent.get('/');
      expect(home.statusCode).toBe(200);
      const shown = pupilLinks(home.body);
      expect(shown.map((l) => l.id).sort()).toEqual(children.map((c) => c.id).sort());
      for (const c of children) expect(decode(home.body)).toContain(fullName(c));
      const childIds = new Set(children.map((c) => c.id));
      const others = S.pupils.filter((p) => !childIds.has(p.id));
      const page = decode(home.body);
      const ownNames = new Set([...children.map(fullName), fullName(S.parent)]);
      for (const p of others)
        if (!ownNames.has(fullName(p))) expect(page).not.toContain(fullName(p));
      const own = await parent.get(`/pupils/${children[0]!.id}`);
      expect(own.statusCode).toBe(200);
      expect(decode(own.body)).toContain(fullName(children[0]!));
      expect(own.body).not.toContain('Parents and carers'); // staff-only section
      expect((await parent.get(`/pupils/${others[0]!.id}`)).statusCode).toBe(404);
      expect((await parent.get('/pupils')).statusCode).toBe(404);
      expect((await parent.get(`/pupils/${R.pupils[0]!.id}`)).statusCode).toBe(404);
    });

    it('gives a pupil a link to their own record, and only that', async () => {
      const pupil = S.pupils[7]!;
      const email = `pupil.${crypto.randomBytes(3).toString('hex')}@${S.school.slug}.test`;
      await setPupilEmail(ctx, pupil.id, email);
      const b = new Browser(app);
      await signInWithLink(b, ctx, email);
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain(`href="/pupils/${pupil.id}"`);
      const record = await b.get(`/pupils/${pupil.id}`);
      expect(record.statusCode).toBe(200);
      expect(decode(record.body)).toContain(fullName(pupil));
      // The school's MIS workings (its id for the pupil) are for staff, not families.
      expect(record.body).not.toContain(pupil.misId);
      expect((await b.get(`/pupils/${S.pupils[8]!.id}`)).statusCode).toBe(404);
      expect((await b.get('/pupils')).statusCode).toBe(404);
    });

    it('shows an organisation admin the schools table and never a pupil’s name', async () => {
      const b = new Browser(app);
      await b.signIn(admin.email);
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('govuk-table');
      expect(home.body).toContain('Pupils on roll');
      const rows = [...home.body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map(
        (m) =>
          m[1]!
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
      );
      expect(rows.some((r) => r.startsWith(S.school.name) && r.includes('120'))).toBe(true);
      expect(
        rows.some((r) => r.startsWith(R.school.name) && r.includes(String(R.pupils.length))),
      ).toBe(true);
      const page = decode(home.body);
      for (const p of [...S.pupils, ...R.pupils]) {
        expect(page).not.toContain(fullName(p));
        expect(page).not.toContain(p.id);
      }
      for (const url of ['/pupils', `/pupils/${S.pupils[0]!.id}`, '/parents', '/policy']) {
        expect((await b.get(url)).statusCode, url).toBe(404);
      }
    });
  });

  describe('pupil list', () => {
    let office: Browser;
    beforeAll(async () => {
      office = new Browser(app);
      await office.signIn(S.staff.office.email);
    });

    it('pages through the pupils, 50 at a time, without repeats', async () => {
      const pages = [];
      for (const n of [1, 2, 3]) {
        const res = await office.get(`/pupils?page=${n}`);
        expect(res.statusCode).toBe(200);
        pages.push(pupilLinks(res.body).map((l) => l.id));
      }
      expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
      const all = pages.flat();
      expect(new Set(all).size).toBe(120);
      expect(new Set(all)).toEqual(new Set(S.pupils.map((p) => p.id)));
      const first = await office.get('/pupils');
      expect(first.body).toContain('href="/pupils?page=2"');
    });

    it('survives a nonsense page number', async () => {
      const first = pupilLinks((await office.get('/pupils')).body);
      for (const page of ['abc', '0', '-1', '1e9']) {
        const res = await office.get(`/pupils?page=${page}`);
        expect(res.statusCode, page).toBe(200);
      }
      // A NUL is refused at the edge (400), never passed on to PostgreSQL.
      expect((await office.get('/pupils?page=%00')).statusCode).toBe(400);
      expect(pupilLinks((await office.get('/pupils?page=abc')).body)).toEqual(first);
      const beyond = await office.get('/pupils?page=99');
      expect(beyond.statusCode).toBe(200);
      expect(beyond.body).toContain('No pupils match');
    });

    it('finds pupils by name and by MIS id', async () => {
      const target = S.pupils[42]!;
      const byName = await office.get(`/pupils?q=${encodeURIComponent(target.familyName)}`);
      expect(byName.statusCode).toBe(200);
      const found = pupilLinks(byName.body);
      expect(found.map((l) => l.id)).toContain(target.id);
      expect(found.length).toBeLessThan(50);
      const expectedIds = S.pupils
        .filter((p) =>
          `${p.givenName} ${p.familyName} ${p.misId}`
            .toLowerCase()
            .includes(target.familyName.toLowerCase()),
        )
        .map((p) => p.id)
        .sort();
      expect(found.map((l) => l.id).sort()).toEqual(expectedIds);
      expect(inputValue(byName.body, 'q')).toBe(target.familyName); // the search box keeps the words

      const byMis = pupilLinks(
        (await office.get(`/pupils?q=${encodeURIComponent(target.misId)}`)).body,
      );
      expect(byMis.map((l) => l.id)).toEqual([target.id]);

      const none = await office.get(`/pupils?q=${encodeURIComponent('zz%_\\ nobody')}`);
      expect(none.statusCode).toBe(200);
      expect(none.body).toContain('No pupils match');
      // Another school's pupil is never found.
      const other = await office.get(`/pupils?q=${encodeURIComponent(R.pupils[0]!.misId)}`);
      expect(pupilLinks(other.body)).toHaveLength(0);
    });

    it('shows a teacher only the pupils of the classes assigned to them', async () => {
      const teacher = new Browser(app);
      await teacher.signIn(S.staff.teacher.email);
      // No classes assigned yet: nobody.
      expect(pupilLinks((await teacher.get('/pupils')).body)).toHaveLength(0);
      const mine = S.pupils[0]!.className!;
      await ctx.services.staffClasses.assign(
        S.school.id,
        { kind: 'staff', id: S.staff.headteacher.id },
        S.staff.teacher.id,
        [mine],
      );
      const listed = pupilLinks((await teacher.get('/pupils')).body).map((l) => l.id);
      const expected = S.pupils.filter((p) => p.className === mine).map((p) => p.id);
      expect(listed.sort()).toEqual(expected.slice(0, 50).sort());
      // A search never reaches past the class, and another class's pupil page is a 404.
      const other = S.pupils.find((p) => p.className !== mine)!;
      const search = await teacher.get(`/pupils?q=${encodeURIComponent(other.misId)}`);
      expect(pupilLinks(search.body)).toHaveLength(0);
      expect((await teacher.get(`/pupils/${other.id}`)).statusCode).toBe(404);
      expect((await teacher.get(`/pupils/${S.pupils[0]!.id}`)).statusCode).toBe(200);
      const api = await teacher.get(
        `/api/v1/pupils?className=${encodeURIComponent(other.className!)}`,
      );
      expect(JSON.parse(api.body).total).toBe(0);
    });

    it('answers 404 for a pupil that does not exist or a malformed id', async () => {
      for (const id of [
        crypto.randomUUID(),
        'not-a-uuid',
        '123',
        `${S.pupils[0]!.id}x`,
        R.pupils[0]!.id,
      ]) {
        const res = await office.get(`/pupils/${encodeURIComponent(id)}`);
        expect(res.statusCode, id).toBe(404);
        expect(res.body).toContain('Page not found');
      }
      const real = await office.get(`/pupils/${S.pupils[0]!.id}`);
      expect(real.statusCode).toBe(200);
      expect(real.body).toContain('Parents and carers');
    });
  });

  describe('policy settings', () => {
    let head: Browser;
    beforeAll(async () => {
      head = new Browser(app);
      await head.signIn(S.staff.headteacher.email);
    });

    it('re-renders a bad number with the error summary and the answers kept, changing nothing', async () => {
      const edit = await head.get('/policy/edit');
      expect(edit.statusCode).toBe(200);
      const values = formValues(edit.body, '/policy/edit');
      expect(values['review.reminderDaysBefore']).toMatch(/^\d+$/);
      const auditBefore = (await ctx.services.audit.listForSchool(S.school.id, {}, 1)).total;
      const res = await head.post('/policy/edit', {
        ...values,
        'review.reminderDaysBefore': 'soon',
        note: 'Trying a bad value',
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('govuk-error-summary');
      expect(res.body).toContain('Enter a whole number');
      expect(res.body).toContain('href="#review-reminderDaysBefore"');
      expect(res.body).toContain('<title>Error: ');
      expect(inputValue(res.body, 'review.reminderDaysBefore')).toBe('soon');
      expect(res.body).toMatch(/<textarea[^>]*name="note"[^>]*>\s*Trying a bad value<\/textarea>/);
      expect((await ctx.services.policies.current(S.school.id)).version).toBe(1);
      expect((await ctx.services.audit.listForSchool(S.school.id, {}, 1)).total).toBe(auditBefore);
      const versions = await head.get('/policy/versions');
      expect(versions.body).not.toContain('href="/policy/versions/2"');
      expect((await head.get('/policy/versions/2')).statusCode).toBe(404);

      // An unchanged form with no reason is refused too, asking for one.
      const noNote = await head.post('/policy/edit', {
        ...formValues((await head.get('/policy/edit')).body, '/policy/edit'),
        note: '',
      });
      expect(noNote.statusCode).toBe(400);
      expect(noNote.body).toContain('govuk-error-summary');
      expect((await ctx.services.policies.current(S.school.id)).version).toBe(1);
    });

    it('saves a good edit as version 2 and redirects (303); a stale form then conflicts', async () => {
      const edit = await head.get('/policy/edit');
      const values = formValues(edit.body, '/policy/edit');
      const current = Number(values['review.reminderDaysBefore']);
      const next = String(current === 21 ? 22 : 21);
      // Every field as a browser sends it (checkboxes repeat their name: formValues keeps one).
      const res = await postEntries(app, head, '/policy/edit', [
        ...formEntries(edit.body, '/policy/edit').filter(
          ([k]) => k !== 'review.reminderDaysBefore' && k !== 'note',
        ),
        ['review.reminderDaysBefore', next],
        ['note', 'Agreed at the governors’ meeting'],
      ]);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/policy');
      const policy = await head.get('/policy');
      expect(policy.statusCode).toBe(200);
      expect(policy.body).toContain('Saved as version 2 (1 setting changed).');
      const now = await ctx.services.policies.current(S.school.id);
      expect(now.version).toBe(2);
      expect(now.settings.review.reminderDaysBefore.value).toBe(Number(next));
      const audit = await ctx.services.audit.listForSchool(
        S.school.id,
        { action: 'policy.profile-updated' },
        1,
      );
      expect(audit.total).toBe(1);
      expect(audit.rows[0]!.data).toMatchObject({
        version: 2,
        changed: ['review.reminderDaysBefore'],
      });
      const v2 = await head.get('/policy/versions/2');
      expect(v2.statusCode).toBe(200);
      expect(decode(v2.body)).toContain('Agreed at the governors’ meeting');
      expect((await head.get('/policy/versions/1')).statusCode).toBe(200);

      // The same old form again (expectedVersion 1): a lost update is refused.
      const stale = await head.post('/policy/edit', {
        ...values,
        'review.reminderDaysBefore': '9',
        note: 'Stale tab',
        _csrf: head.csrf!,
      });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('Someone else changed the policy');
      expect((await ctx.services.policies.current(S.school.id)).version).toBe(2);
    });
  });
});
