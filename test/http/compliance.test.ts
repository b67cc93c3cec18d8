import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import {
  Browser,
  createOrganisationAdmin,
  type OrgAdminFixture,
} from '../support/http-principals.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';

/**
 * The compliance view over HTTP (issue 17 item 5): a teacher gets a 404; the Headteacher sees
 * names, by role in the school's own words, with filters; a governor sees counts only; the
 * trust sees figures per school and no name anywhere; the CSV is formula-injection safe.
 */
describe('compliance view (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let admin: OrgAdminFixture;
  const hostile = '=HYPERLINK("http://evil.test","click")';

  const as = (f: SchoolFixture, role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  /** One browser per person, signed in once (a second-factor code is accepted once). */
  const browsers = new Map<string, Browser>();
  const signedIn = async (email: string) => {
    const held = browsers.get(email);
    if (held) return held;
    const b = new Browser(app);
    await b.signIn(email);
    browsers.set(email, b);
    return b;
  };
  /** A person's row in the table by person (the page's header names who is signed in). */
  const row = (name: string) => `<tr><th scope="row">${name}</th>`;
  /** Every staff name and email of a school, as the database holds them. */
  const staffOf = async (schoolId: string) =>
    (
      await ctx.services.database.pool.query<{
        given_name: string;
        family_name: string;
        email: string;
      }>('SELECT given_name, family_name, email FROM staff WHERE school_id = $1', [schoolId])
    ).rows;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 4, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { pupils: 4 }),
    ]);
    await ctx.services.database.pool.query('UPDATE staff SET given_name = $1 WHERE id = $2', [
      hostile,
      fx.staff.teacher.id,
    ]);
    // The DSL attended this year's regular training; nobody else did.
    const head = as(fx, 'headteacher');
    const session = await ctx.services.training.schedule(head, {
      kind: 'staff_regular',
      title: 'Regular training',
      startsAt: new Date(Date.now() - 86_400_000),
      place: 'Hall',
      trainer: 'The DSL',
      className: null,
      capacity: null,
    });
    await ctx.services.training.recordAttendance(
      fx.school.id,
      { kind: 'staff', id: head.id },
      session.id,
      [fx.staff.dsl.id],
    );
    admin = await createOrganisationAdmin(ctx, [fx.school.id, other.school.id]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('a teacher, the office, the ICT Technician and a volunteer get 404; so does the trust for a school’s view', async () => {
    for (const role of ['teacher', 'office', 'ict_technician', 'volunteer'] as const) {
      const b = await signedIn(fx.staff[role].email);
      expect((await b.get('/compliance')).statusCode).toBe(404);
      expect((await b.get('/compliance.csv')).statusCode).toBe(404);
      expect((await b.get('/trust/compliance')).statusCode).toBe(404);
    }
    const trust = await signedIn(admin.email);
    expect((await trust.get('/compliance')).statusCode).toBe(404);
  });

  it('the Headteacher sees names, roles in the school’s words, states, and the filters work', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const page = await b.get('/compliance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Chair of Governors'); // The Avenue's title for governors
    expect(page.body).not.toContain('>Governor<');
    for (const s of await staffOf(fx.school.id)) {
      if (s.given_name === hostile) continue;
      expect(page.body).toContain(row(`${s.given_name} ${s.family_name}`));
    }
    expect(page.body).toContain('=HYPERLINK(&quot;http://evil.test&quot;,&quot;click&quot;)');
    expect(page.body).toContain('Regular social media training for staff');
    expect(page.body).toMatch(/Policy acknowledged \(version \d+\)/);
    expect(page.body).not.toContain('staff_regular<'); // no enum keys as text
    // Nobody from the other school.
    for (const s of await staffOf(other.school.id)) expect(page.body).not.toContain(s.email);

    // Filters: regular training done → only the DSL; overdue → not the DSL.
    const done = await b.get('/compliance?kind=staff_regular&status=done');
    expect(done.body).toContain(row('dsl Tester'));
    expect(done.body).not.toContain(row('headteacher Tester'));
    const overdue = await b.get('/compliance?kind=staff_regular&status=overdue');
    expect(overdue.body).toContain(row('headteacher Tester'));
    expect(overdue.body).not.toContain(row('dsl Tester'));
    const teachers = await b.get('/compliance?role=teacher');
    expect(teachers.body).toContain('=HYPERLINK');
    expect(teachers.body).not.toContain(row('headteacher Tester'));
    // An unknown filter value is ignored, never echoed.
    const odd = await b.get('/compliance?role=%3Cscript%3E&status=nonsense');
    expect(odd.statusCode).toBe(200);
    expect(odd.body).not.toContain('<script>');
    expect(odd.body).toContain(row('headteacher Tester'));
  });

  it('the CSV names people and is formula-injection safe', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const res = await b.get('/compliance.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="compliance-/);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.test"",""click"") Tester"`);
    for (const line of res.body.split('\r\n')) expect(line).not.toMatch(/(^|,)("?)[=+\-@\t]/);
    expect(res.body).toContain('Chair of Governors');
    expect(res.body).toContain('dsl Tester');
    const filtered = await b.get('/compliance.csv?role=teacher');
    expect(filtered.body).not.toContain('headteacher Tester');
  });

  it('a governor sees counts by role and no names (the profile gives governors the review)', async () => {
    const b = await signedIn(fx.staff.governor.email);
    const page = await b.get('/compliance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You see figures by role');
    expect(page.body).toContain('Chair of Governors');
    // No one's name (beyond the governor's own, in the page header) and no email.
    for (const s of await staffOf(fx.school.id)) {
      if (s.email !== fx.staff.governor.email)
        expect(page.body).not.toContain(`${s.given_name} ${s.family_name}`);
      expect(page.body).not.toContain(s.email);
    }
    expect(page.body).not.toContain('scope="row" class="govuk-table__header">governor Tester');
    expect(page.body).not.toContain('HYPERLINK');
    const csv = await b.get('/compliance.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')[0]).toMatch(/^Role,People,/);
    expect(csv.body).not.toContain('Tester');
  });

  it('the trust sees figures per school, never a name or an email', async () => {
    const b = await signedIn(admin.email);
    const page = await b.get('/trust/compliance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(fx.school.name);
    expect(page.body).toContain(other.school.name);
    expect(page.body).toMatch(/\d+% done/);
    const csv = await b.get('/trust/compliance.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')[0]).toMatch(/^School,Staff,People overdue,/);
    const rows = csv.body.split('\r\n').filter(Boolean);
    expect(rows).toHaveLength(3);
    // fx: 10 staff, the DSL done for regular training: 10% done.
    const fxRow = rows.find((r) => r.startsWith(fx.school.name))!;
    expect(fxRow).toContain(`${fx.school.name},10,`);
    expect(fxRow).toContain(',1,0,9,10%');
    for (const school of [fx, other])
      for (const s of await staffOf(school.school.id)) {
        for (const text of [page.body, csv.body]) {
          expect(text).not.toContain(s.family_name);
          expect(text).not.toContain(`${s.given_name} ${s.family_name}`);
          expect(text).not.toContain(s.email);
        }
      }
    // A school outside the trust is not there.
    const outsider = await createSchool(ctx.services, { pupils: 2 });
    expect((await b.get('/trust/compliance')).body).not.toContain(outsider.school.name);
  });

  it('answers the same in the JSON API: names for the Headteacher, counts for a governor, schools for the trust, 404 for others', async () => {
    type Api = {
      view: string;
      columns: { key: string; label: string }[];
      people: { name: string; email: string; cells: Record<string, { state: string }> }[];
      byRole: { role: string; title: string; counts: Record<string, { done: number }> }[];
      totals: { people: number };
    };
    const head = await signedIn(fx.staff.headteacher.email);
    const res = await head.get('/api/v1/compliance');
    expect(res.statusCode).toBe(200);
    const body = res.json() as Api;
    expect(body.view).toBe('names');
    expect(body.columns.map((c) => c.label)).toContain('Regular social media training for staff');
    expect(body.byRole.map((r) => r.title)).toContain('Chair of Governors');
    const dsl = body.people.find((p) => p.email === fx.staff.dsl.email)!;
    expect(dsl.cells.staff_regular!.state).toBe('done');
    expect(
      body.people.find((p) => p.email === fx.staff.office.email)!.cells.staff_regular!.state,
    ).toBe('overdue');
    // The page's filters; an unknown value is ignored.
    const done = (
      await head.get('/api/v1/compliance?kind=staff_regular&status=done')
    ).json() as Api;
    expect(done.people.map((p) => p.email)).toEqual([fx.staff.dsl.email]);
    const odd = await head.get('/api/v1/compliance?status=nonsense');
    expect((odd.json() as Api).totals.people).toBe(body.totals.people);
    for (const s of await staffOf(other.school.id)) expect(res.body).not.toContain(s.email);

    // A governor: by role only, no name or email.
    const governor = await signedIn(fx.staff.governor.email);
    const counts = await governor.get('/api/v1/compliance');
    expect(counts.statusCode).toBe(200);
    expect((counts.json() as Api).view).toBe('counts');
    expect((counts.json() as Api).people).toEqual([]);
    for (const s of await staffOf(fx.school.id)) {
      expect(counts.body).not.toContain(s.email);
      expect(counts.body).not.toContain(`${s.given_name} ${s.family_name}`);
    }

    // Everyone else: 404 problem JSON, as on the page.
    for (const role of ['teacher', 'office', 'ict_technician', 'volunteer'] as const) {
      const b = await signedIn(fx.staff[role].email);
      const refused = await b.get('/api/v1/compliance');
      expect(refused.statusCode, role).toBe(404);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect((await b.get('/api/v1/trust/compliance')).statusCode).toBe(404);
    }

    // The trust: per school, never a name or an email; not the school's view.
    const trust = await signedIn(admin.email);
    expect((await trust.get('/api/v1/compliance')).statusCode).toBe(404);
    const figures = await trust.get('/api/v1/trust/compliance');
    expect(figures.statusCode).toBe(200);
    const t = figures.json() as {
      schools: { name: string; staff: number; counts: Record<string, { done: number }> }[];
    };
    const fxFigures = t.schools.find((x) => x.name === fx.school.name)!;
    expect(fxFigures.staff).toBe(10);
    expect(fxFigures.counts.staff_regular!.done).toBe(1);
    for (const school of [fx, other])
      for (const s of await staffOf(school.school.id)) {
        expect(figures.body).not.toContain(s.email);
        expect(figures.body).not.toContain(s.family_name);
      }
  });

  it('the trust’s page is kept, and a change in one school shows on the next request', async () => {
    const b = await signedIn(admin.email);
    const page = async () => (await b.get('/trust/compliance')).body;
    /** A school's row: its name, then staff, staff overdue and each column's figures. */
    const rowOf = (html: string, name: string) =>
      html
        .split(`>${name}</th>`)[1]!
        .split('</tr>')[0]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    const first = await page();
    const before = rowOf(first, other.school.name);
    expect(rowOf(await page(), other.school.name)).toBe(before);
    // Training attended in the other school: its row changes, the first school's does not.
    const head = as(other, 'headteacher');
    const session = await ctx.services.training.schedule(head, {
      kind: 'staff_regular',
      title: 'Regular training',
      startsAt: new Date(Date.now() - 86_400_000),
      place: 'Hall',
      trainer: 'The DSL',
      className: null,
      capacity: null,
    });
    await ctx.services.training.recordAttendance(
      other.school.id,
      { kind: 'staff', id: head.id },
      session.id,
      [other.staff.dsl.id, other.staff.teacher.id],
    );
    const attended = await page();
    expect(rowOf(attended, other.school.name)).not.toBe(before);
    expect(rowOf(attended, other.school.name)).toContain('20% done 2 done, 0 due soon, 8 overdue');
    expect(rowOf(attended, fx.school.name)).toBe(rowOf(first, fx.school.name));
    // Someone leaves, in plain SQL (another process): 9 staff on the next request.
    expect(rowOf(attended, other.school.name)).toMatch(/^10 /);
    await ctx.services.database.pool.query('UPDATE staff SET active = false WHERE id = $1', [
      other.staff.volunteer.id,
    ]);
    expect(rowOf(await page(), other.school.name)).toMatch(/^9 /);
    // The school renamed (migration 0061: the trust's own version): the new name at once.
    await ctx.services.database.pool.query('UPDATE schools SET name = $1 WHERE id = $2', [
      'Renamed Academy',
      other.school.id,
    ]);
    const renamed = await page();
    expect(renamed).toContain('>Renamed Academy</th>');
    expect(renamed).not.toContain(`>${other.school.name}</th>`);
    // Figures still, never a name.
    for (const s of await staffOf(other.school.id))
      expect(renamed).not.toContain(`${s.given_name} ${s.family_name}`);
  });

  it('the Headteacher’s home page says how many people are overdue', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const home = await b.get('/');
    expect(home.statusCode).toBe(200);
    const n = (await ctx.services.compliance.overduePeople(fx.school.id)).toString();
    expect(Number(n)).toBeGreaterThan(0);
    expect(home.body).toContain(`${n} people overdue`);
    expect(home.body).toContain('href="/compliance?status=overdue"');
    const teacher = await signedIn(fx.staff.teacher.email);
    expect((await teacher.get('/')).body).not.toContain('people overdue');
  });
});
