/**
 * Refresh rules over HTTP (issue 17 item 4, 003 §9.7): a significant incident reported through
 * the real form marks the staff's regular training due again, so a member of staff who had done it
 * sees it due again on their training page (in words, never the incident's id) and the
 * Headteacher's compliance view shows them due soon; a report that is not significant marks
 * nobody; with the profile's refresh rule off, a significant incident marks nobody either.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('training due again after a significant incident (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture; // Sacred Heart (003 §9.7): refresh after an incident on
  let off: SchoolFixture; // the same template with the refresh rule turned off
  const browsers = new Map<string, Browser>();
  const signedIn = async (email: string) => {
    const held = browsers.get(email);
    if (held) return held;
    const b = new Browser(app);
    await b.signIn(email);
    browsers.set(email, b);
    return b;
  };
  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;
  /** Due-again marks made for an incident (a new policy version makes its own). */
  const marks = async (schoolId: string) =>
    Number(
      (
        await q(
          "SELECT count(*)::int AS n FROM training_due_again WHERE school_id = $1 AND reason = 'incident'",
          [schoolId],
        )
      )[0]!.n,
    );
  /** Posts the concern form as a browser does (multipart), by this member of staff. */
  const report = async (b: Browser, fields: Record<string, string>) => {
    await b.get('/report/concern');
    const body = multipartBody({ _csrf: b.csrf ?? '', reporterConcern: 'no', ...fields });
    return b.request({
      method: 'POST',
      url: '/report/concern',
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };
  const incidentId = (location: string | undefined) =>
    /\/report\/([0-9a-f-]{36})\/receipt/.exec(location ?? '')![1]!;
  /** The summary row of one kind on /training: its label and what follows, to the row's end. */
  const kindRow = (body: string, label: string) => {
    const at = body.indexOf(`>${label}</dt>`);
    expect(at, label).toBeGreaterThan(-1);
    return body.slice(at, body.indexOf('</dd>', at));
  };
  const personRow = (body: string, name: string) => {
    const at = body.indexOf(`<th scope="row">${name}</th>`);
    expect(at, name).toBeGreaterThan(-1);
    return body.slice(at, body.indexOf('</tr>', at));
  };

  /** Everyone on the staff attended regular training yesterday. */
  const everyoneTrained = async (f: SchoolFixture) => {
    const head = {
      kind: 'staff' as const,
      id: f.staff.headteacher.id,
      schoolId: f.school.id,
      roles: ['headteacher' as const],
      name: 'headteacher',
    };
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
      f.school.id,
      { kind: 'staff', id: head.id },
      session.id,
      Object.values(f.staff).map((s) => s.id),
    );
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, off] = await Promise.all([
      createSchool(ctx.services, { pupils: 3 }),
      createSchool(ctx.services, { pupils: 3 }),
    ]);
    const settings = (await ctx.services.policies.current(off.school.id)).settings;
    expect(settings.training.refreshAfterIncidentOrChange.value).toBe(true);
    await ctx.services.policies.updateSettings(
      off.school.id,
      { kind: 'staff', id: off.staff.headteacher.id },
      {
        answers: { 'training.refreshAfterIncidentOrChange': 'no' },
        note: 'No refresh after incidents',
        expectedVersion: (await ctx.services.policies.current(off.school.id)).version,
      },
    );
    expect(
      (await ctx.services.policies.current(off.school.id)).settings.training
        .refreshAfterIncidentOrChange.value,
    ).toBe(false);
    await Promise.all([everyoneTrained(fx), everyoneTrained(off)]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('a report that is not significant marks nobody', async () => {
    const office = await signedIn(fx.staff.office.email);
    const res = await report(office, { whatHappened: 'A rude comment under a class post' });
    expect(res.statusCode).toBe(303);
    expect(await marks(fx.school.id)).toBe(0);
    const teacher = await signedIn(fx.staff.teacher.email);
    const row = kindRow(
      (await teacher.get('/training')).body,
      'Regular social media training for staff',
    );
    expect(row).toContain('Done');
    expect(row).not.toContain('Due again');
  });

  it('after a significant incident the staff who had done their training are due again', async () => {
    const head = await signedIn(fx.staff.headteacher.email);
    const before = await head.get('/compliance?kind=staff_regular&status=due_soon');
    expect(before.statusCode).toBe(200);
    expect(before.body).not.toContain('<th scope="row">teacher Tester</th>');

    // A member of staff reports a concern for a child's safety: significant from its report.
    const office = await signedIn(fx.staff.office.email);
    const res = await report(office, {
      whatHappened: 'A pupil was asked for photos by an adult online',
      reporterConcern: 'yes',
      pupils: fx.pupils[0]!.id,
      pupilPart: 'victim',
    });
    expect(res.statusCode).toBe(303);
    const id = incidentId(res.headers.location);
    const staffCount = Object.keys(fx.staff).length;
    expect(await marks(fx.school.id)).toBe(staffCount);

    // The teacher sees it on their own training page, in words, without the incident.
    const teacher = await signedIn(fx.staff.teacher.email);
    const page = await teacher.get('/training');
    expect(page.statusCode).toBe(200);
    const row = kindRow(page.body, 'Regular social media training for staff');
    expect(row).toContain('Due again after a significant incident');
    expect(row).not.toContain('>Done<');
    expect(page.body).not.toContain(id);
    expect(page.body).not.toContain('A pupil was asked for photos');

    // The Headteacher's compliance view shows them due soon (the kept view is fresh).
    const after = await head.get('/compliance?kind=staff_regular&status=due_soon');
    expect(after.statusCode).toBe(200);
    const teacherRow = personRow(after.body, 'teacher Tester');
    expect(teacherRow).toContain('Due soon');
    expect(after.body).not.toContain(id);
    // Attending again clears it.
    const again = await ctx.services.training.schedule(
      {
        kind: 'staff',
        id: fx.staff.headteacher.id,
        schoolId: fx.school.id,
        roles: ['headteacher'],
        name: 'headteacher',
      },
      {
        kind: 'staff_regular',
        title: 'Refresher after the incident',
        startsAt: new Date(),
        place: 'Hall',
        trainer: 'The DSL',
        className: null,
        capacity: null,
      },
    );
    await ctx.services.training.recordAttendance(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      again.id,
      [fx.staff.teacher.id],
    );
    const cleared = kindRow(
      (await teacher.get('/training')).body,
      'Regular social media training for staff',
    );
    expect(cleared).toContain('Done');
    expect(cleared).not.toContain('Due again');
  });

  it('with the profile’s refresh rule off, a significant incident marks nobody', async () => {
    const office = await signedIn(off.staff.office.email);
    const res = await report(office, {
      whatHappened: 'A pupil was asked for photos by an adult online',
      reporterConcern: 'yes',
      pupils: off.pupils[0]!.id,
      pupilPart: 'victim',
    });
    expect(res.statusCode).toBe(303);
    expect(
      (
        await q(
          "SELECT count(*)::int AS n FROM incident_entries WHERE incident_id = $1 AND kind = 'significant'",
          [incidentId(res.headers.location)],
        )
      )[0]!.n,
    ).toBe(1);
    expect(await marks(off.school.id)).toBe(0);
    const teacher = await signedIn(off.staff.teacher.email);
    const row = kindRow(
      (await teacher.get('/training')).body,
      'Regular social media training for staff',
    );
    expect(row).not.toContain('after a significant incident');
  });
});
