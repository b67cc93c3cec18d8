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
import type { StaffPrincipal } from '../../src/modules/auth/principal.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { formatDateInWords } from '../../src/web/dates.ts';
import { termOf } from '../../src/modules/training/index.ts';
import { previousTerm } from '../../src/modules/compliance/pupils-parents-view.ts';

/**
 * The compliance view's section on pupils and parents over HTTP: per class, this term's
 * e-safety lesson done, due this term or overdue (a class marked after the page was first shown
 * shows done at once: the kept view follows the school's cache version); the parents' meeting
 * this school year with its bookings counted; the CSV carries both and is formula-safe; a
 * governor (counts view) and the trust see no pupil's or parent's name; the trust sees counts.
 */
describe('compliance view: pupils and parents (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let admin: OrgAdminFixture;
  let classes: string[];
  let today: string;
  let meetingDay: string;
  let heldDay: string;
  const hostileClass = '=HYPERLINK("http://evil.test","class")';

  const head = (f: SchoolFixture): StaffPrincipal => ({
    kind: 'staff',
    id: f.staff.headteacher.id,
    schoolId: f.school.id,
    roles: ['headteacher'],
    name: 'headteacher',
  });
  const browsers = new Map<string, Browser>();
  const signedIn = async (email: string) => {
    const held = browsers.get(email);
    if (held) return held;
    const b = new Browser(app);
    await b.signIn(email);
    browsers.set(email, b);
    return b;
  };
  const namesOf = async (schoolId: string) => {
    const db = ctx.services.database.pool;
    const pupils = await db.query<{ given_name: string; family_name: string }>(
      'SELECT given_name, family_name FROM pupils WHERE school_id = $1',
      [schoolId],
    );
    const parents = await db.query<{ given_name: string; family_name: string; email: string }>(
      'SELECT given_name, family_name, email FROM parents WHERE school_id = $1',
      [schoolId],
    );
    return [
      ...pupils.rows.map((r) => `${r.given_name} ${r.family_name}`),
      ...parents.rows.flatMap((r) => [`${r.given_name} ${r.family_name}`, r.email]),
    ];
  };
  /** The row of a class in the table by class. */
  const classRow = (body: string, name: string) => {
    const start = body.indexOf(`<th scope="row" class="govuk-table__header">${name}</th>`);
    expect(start).toBeGreaterThan(-1);
    return body.slice(start, body.indexOf('</tr>', start));
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 9, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { pupils: 4 }),
    ]);
    today = ukDate(ctx.services.clock.now());
    // Three classes, one with a name a spreadsheet would run as a formula.
    const db = ctx.services.database.pool;
    const ids = fx.pupils.map((p) => p.id);
    await db.query(`UPDATE pupils SET class_name = 'Class A' WHERE id = ANY($1)`, [
      ids.slice(0, 3),
    ]);
    await db.query(`UPDATE pupils SET class_name = 'Class B' WHERE id = ANY($1)`, [
      ids.slice(3, 6),
    ]);
    await db.query(`UPDATE pupils SET class_name = $2 WHERE id = ANY($1)`, [
      ids.slice(6),
      hostileClass,
    ]);
    classes = ['Class A', 'Class B', hostileClass];
    // Class B had last term's lesson (taught on the last day of the term before).
    const before = previousTerm(today);
    const lastDayBefore = { autumn: '12-31', spring: '03-31', summer: '08-31' }[
      before.key.split('-')[1] as 'autumn' | 'spring' | 'summer'
    ];
    await ctx.services.training.markClassLesson(head(fx), {
      className: 'Class B',
      taughtOn: `${before.key.split('-')[0]}-${lastDayBefore}`,
      topic: 'Passwords',
    });
    // The parents' meeting is planned in a fortnight; a parent booked two places.
    const in2Weeks = new Date(ctx.services.clock.now().getTime() + 14 * 86_400_000);
    meetingDay = ukDate(in2Weeks);
    const meeting = await ctx.services.training.schedule(head(fx), {
      kind: 'parents_esafety',
      title: 'E-safety evening',
      startsAt: in2Weeks,
      place: 'Hall',
      trainer: 'The DSL',
      className: null,
      capacity: 40,
    });
    await ctx.services.trainingBookings.book(
      { id: fx.parent.id, schoolId: fx.school.id },
      meeting.id,
      2,
    );
    // The other school held its meeting an hour ago.
    const anHourAgo = new Date(ctx.services.clock.now().getTime() - 3_600_000);
    heldDay = ukDate(anHourAgo);
    await ctx.services.training.schedule(head(other), {
      kind: 'parents_esafety',
      title: 'E-safety evening',
      startsAt: anHourAgo,
      place: 'Hall',
      trainer: 'The DSL',
      className: null,
      capacity: null,
    });
    admin = await createOrganisationAdmin(ctx, [fx.school.id, other.school.id]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('shows each class’s lesson this term, and a lesson marked since shows done at once', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const first = await b.get('/compliance');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Pupils and parents');
    expect(first.body).toContain(`E-safety lessons for pupils: ${termOf(today).label}`);
    expect(classRow(first.body, 'Class A')).toContain('Overdue');
    expect(classRow(first.body, 'Class B')).toContain('Due this term');
    expect(classRow(first.body, 'Class B')).toMatch(/Taught \d{1,2} [A-Z][a-z]+ \d{4}/);
    expect(first.body).toContain('0 done, 1 due this term, 2 overdue');

    // The teacher's mark reaches the kept view (training_class_lessons moves the cache version).
    await ctx.services.training.markClassLesson(head(fx), {
      className: 'Class A',
      taughtOn: today,
      topic: 'Sharing photos',
    });
    const after = await b.get('/compliance');
    const a = classRow(after.body, 'Class A');
    expect(a).toContain('Done');
    expect(a).toContain(`taught ${formatDateInWords(today)}`);
    expect(after.body).toContain('1 done, 1 due this term, 1 overdue');
  });

  it('gives the parents’ meeting: planned, with bookings counted and no parent named', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const page = await b.get('/compliance');
    expect(page.body).toContain('E-safety meeting for parents');
    expect(page.body).toContain(
      `not held yet; planned for ${formatDateInWords(meetingDay)}, with 1 booking for 2 places so far.`,
    );
    for (const name of await namesOf(fx.school.id)) expect(page.body).not.toContain(name);
    expect(page.body).not.toContain('pupils_esafety');
    expect(page.body).not.toContain('parents_esafety');
  });

  it('the CSV has a row per class and the meeting line, formula-safe', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const res = await b.get('/compliance.csv');
    expect(res.statusCode).toBe(200);
    const lines = res.body.split('\r\n');
    expect(lines).toContain(`E-safety lessons for pupils: ${termOf(today).label}`);
    expect(lines.find((l) => l.startsWith('Class A,3,Done,'))).toBe(
      `Class A,3,Done,${today},No lesson recorded`,
    );
    expect(lines.some((l) => l.startsWith('Class B,3,Due this term,,'))).toBe(true);
    expect(res.body).toContain(
      `"'=HYPERLINK(""http://evil.test"",""class"")",3,Overdue,,No lesson recorded`,
    );
    expect(lines).toContain(`No,,${meetingDay},1,2,0`);
    for (const line of lines) expect(line).not.toMatch(/(^|,)("?)[=+\-@\t]/);
    for (const name of await namesOf(fx.school.id)) expect(res.body).not.toContain(name);
    expect(classes).toHaveLength(3);
  });

  it('a governor (figures by role) sees the classes and the meeting but no pupil or parent', async () => {
    const b = await signedIn(fx.staff.governor.email);
    const page = await b.get('/compliance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You see figures by role');
    expect(page.body).toContain('Pupils and parents');
    expect(classRow(page.body, 'Class B')).toContain('Due this term');
    const csv = await b.get('/compliance.csv');
    expect(csv.body).toContain(`No,,${meetingDay},1,2,0`);
    for (const name of await namesOf(fx.school.id)) {
      expect(page.body).not.toContain(name);
      expect(csv.body).not.toContain(name);
    }
  });

  it('the trust sees counts per school: no class, pupil or parent named', async () => {
    const b = await signedIn(admin.email);
    const page = await b.get('/trust/compliance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Pupils and parents by school');
    expect(page.body).toContain('1 done, 1 due this term, 1 overdue');
    expect(page.body).toContain(`Not held yet: planned for ${formatDateInWords(meetingDay)}`);
    expect(page.body).toContain(`Held ${formatDateInWords(heldDay)}`);
    const csv = await b.get('/trust/compliance.csv');
    const rows = csv.body.split('\r\n').filter(Boolean);
    expect(rows[0]).toContain("Pupils' e-safety this term: classes done");
    expect(rows.find((r) => r.startsWith(fx.school.name))).toMatch(/,1,1,1,No,[\d-]+,1,0$/);
    expect(rows.find((r) => r.startsWith(other.school.name))).toMatch(/,Yes,[\d-]+,0,0$/);
    for (const text of [page.body, csv.body]) {
      for (const c of classes) expect(text).not.toContain(c);
      expect(text).not.toContain('HYPERLINK');
      for (const f of [fx, other])
        for (const name of await namesOf(f.school.id)) expect(text).not.toContain(name);
    }
  });
});
