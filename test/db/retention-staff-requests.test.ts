import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';

/**
 * The retention sweep's former staff, closed subject access requests and pupils the MIS stopped
 * listing with no leaving date (issue 16 item 6; the defaults: 6 years after a member of staff
 * left, 1 year after a request was closed, 6 years after a pupil left). A former member of staff
 * nobody's kept record names goes, with their roles, classes, sessions, tokens, acknowledgements
 * and training dates; one named in a kept safeguarding case, or with training attendance not yet
 * due, is kept with the reason; one with no leave date is kept and the run says so. Closed
 * requests go when due, open ones never. A "possibly left" pupil counts from the day the MIS
 * import marked them.
 */
describe('retention of former staff, subject access requests and possibly-left pupils (real PostgreSQL)', () => {
  let ctx: TestContext;
  const clock = fixedClock('2026-12-06T18:28:00Z');
  let A: SchoolFixture;
  const db = () => ctx.services.database.db;
  const rows = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    (await db().execute<T>(q)).rows;
  const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: string }>(q))[0]!.n);
  const ids: Record<string, string> = {};

  const formerStaff = async (name: string, leaveDate: string | null) => {
    const [row] = await rows<{ id: string }>(sql`
      INSERT INTO staff (school_id, email, given_name, family_name, start_date, leave_date, active)
      VALUES (${A.school.id}, ${`${name.toLowerCase()}-${randomUUID()}@example.org`}, 'Former',
        ${name}, '2010-09-01', ${leaveDate}, false)
      RETURNING id`);
    await db().execute(sql`
      INSERT INTO staff_roles (school_id, staff_id, role) VALUES (${A.school.id}, ${row!.id}, 'teacher')`);
    return row!.id;
  };
  const training = async (staffId: string, at: string) => {
    const [session] = await rows<{ id: string }>(sql`
      INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
      VALUES (${A.school.id}, 'staff_safeguarding', 'staff', 'Safeguarding', ${at}, 'Hall', 'DSL')
      RETURNING id`);
    await db().execute(sql`
      INSERT INTO training_attendance (school_id, session_id, kind, person_kind, person_id, attended,
        attended_on, source, recorded_at)
      VALUES (${A.school.id}, ${session!.id}, 'staff_safeguarding', 'staff', ${staffId}, true,
        ${at.slice(0, 10)}, 'register', ${at})`);
  };
  const request = async (o: {
    pupilId: string;
    status: 'open' | 'closed';
    closedAt: string | null;
  }) => {
    const [row] = await rows<{ id: string }>(sql`
      INSERT INTO subject_access_requests (school_id, subject_kind, pupil_id, requester_name,
        requester_relationship, received_on, identity_checked, due_on, status, logged_by, logged_at,
        times_produced, last_produced_at, last_produced_counts, closed_at, closed_by)
      VALUES (${A.school.id}, 'pupil', ${o.pupilId}, 'Mrs A Parent', 'parent', '2020-01-06', true,
        '2020-02-06', ${o.status}, ${A.staff.dpo.id}, '2020-01-06T10:00:00Z', 1,
        '2020-01-20T10:00:00Z', '{"files": 2}'::jsonb, ${o.closedAt},
        ${o.closedAt ? A.staff.dpo.id : null})
      RETURNING id`);
    return row!.id;
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    A = await createSchool(ctx.services, { pupils: 5 });
    const [current, possiblyLong, possiblyRecent, requested] = A.pupils.map((p) => p.id) as [
      string,
      string,
      string,
      string,
    ];
    Object.assign(ids, { current, possiblyLong, possiblyRecent, requested });
    for (const p of [possiblyLong, possiblyRecent, requested])
      await db().execute(sql`DELETE FROM pupil_parents WHERE pupil_id = ${p}`);
    ids.possiblyParent = await addParent(ctx.services, {
      schoolId: A.school.id,
      pupilId: possiblyLong,
      givenName: 'Pat',
      familyName: 'Possibly',
    });
    // No leaving date: a whole-roll MIS import stopped listing them (7 years ago; 1 year ago).
    await db().execute(sql`
      UPDATE pupils SET leaving_date = NULL, possibly_left_at = '2019-09-10T08:00:00Z'
      WHERE id = ${possiblyLong}`);
    await db().execute(sql`
      UPDATE pupils SET leaving_date = NULL, possibly_left_at = '2025-09-10T08:00:00Z'
      WHERE id = ${possiblyRecent}`);
    await db().execute(sql`UPDATE pupils SET leaving_date = '2019-07-20' WHERE id = ${requested}`);

    // Former staff.
    ids.free = await formerStaff('Free', '2019-08-31');
    ids.safeguarding = await formerStaff('Safeguarding', '2019-08-31');
    ids.training = await formerStaff('Training', '2019-08-31');
    ids.recent = await formerStaff('Recent', '2024-08-31');
    ids.noDate = await formerStaff('Nodate', null);
    ids.reviewer = await formerStaff('Reviewer', '2019-08-31');
    // They approved a review of the policy (no key names them; the review is kept).
    await db().execute(sql`
      INSERT INTO policy_reviews (school_id, reason, met_on, attendees, decisions, recorded_by,
        recorded_at, approved_by, approved_at, next_review_date)
      VALUES (${A.school.id}, 'scheduled', '2018-10-01', 'Governors', 'No change',
        ${A.staff.headteacher.id}, '2018-10-01T18:00:00Z', ${ids.reviewer},
        '2018-10-02T09:00:00Z', '2019-10-01')`);
    // An active member of staff with an old leave date (rejoined) is never swept.
    await db().execute(
      sql`UPDATE staff SET leave_date = '2015-08-31' WHERE id = ${A.staff.teacher.id}`,
    );
    // The free one: a class, someone they line-managed, a session, a token, an invitation link,
    // an acknowledgement and its reminder, training long past (due itself), its latest date, a
    // "due again" flag and a reminder.
    await db().execute(sql`
      INSERT INTO staff_classes (school_id, staff_id, class_name) VALUES (${A.school.id}, ${ids.free}, '3B')`);
    await db().execute(
      sql`UPDATE staff SET line_manager_id = ${ids.free} WHERE id = ${ids.recent}`,
    );
    await db().execute(sql`
      INSERT INTO sessions (id, principal_kind, principal_id, school_id, expires_at)
      VALUES (${randomUUID()}, 'staff', ${ids.free}, ${A.school.id}, '2019-09-01T00:00:00Z')`);
    await db().execute(sql`
      INSERT INTO api_tokens (school_id, staff_id, name, token_hash)
      VALUES (${A.school.id}, ${ids.free}, 'Old token', ${randomUUID()})`);
    const [version] = await rows<{ id: string; version: number }>(sql`
      SELECT v.id, v.version FROM policy_profile_versions v WHERE v.school_id = ${A.school.id}
      ORDER BY v.version DESC LIMIT 1`);
    await db().execute(sql`
      INSERT INTO policy_acknowledgements (school_id, person_kind, person_id, policy_version_id,
        policy_version, acknowledged_at)
      VALUES (${A.school.id}, 'staff', ${ids.free}, ${version!.id}, ${version!.version},
        '2018-03-01T10:00:00Z')`);
    await db().execute(sql`
      INSERT INTO policy_acknowledgement_reminders (school_id, person_kind, person_id, version, sent_at)
      VALUES (${A.school.id}, 'staff', ${ids.free}, ${version!.version}, '2018-02-01T10:00:00Z')`);
    await training(ids.free, '2018-01-10T15:30:00Z');
    await db().execute(sql`
      INSERT INTO training_latest (school_id, person_kind, person_id, kind, last_attended)
      VALUES (${A.school.id}, 'staff', ${ids.free}, 'staff_safeguarding', '2018-01-10')`);
    await db().execute(sql`
      INSERT INTO training_due_again (school_id, staff_id, kind, reason, reference, marked_on, marked_at)
      VALUES (${A.school.id}, ${ids.free}, 'staff_safeguarding', 'incident', 'INC-0009',
        '2018-05-01', '2018-05-01T10:00:00Z')`);
    await db().execute(sql`
      INSERT INTO training_reminders (school_id, staff_id, kind, due_on, recipient, sent_at)
      VALUES (${A.school.id}, ${ids.free}, 'staff_safeguarding', '2019-01-10', 'self',
        '2019-01-03T10:00:00Z')`);
    // Training attendance not yet due (a session this year, though they had left: a late record).
    await training(ids.training, '2026-01-10T15:30:00Z');
    // A closed safeguarding case naming a member of staff, about a pupil still a child: kept.
    const incident = randomUUID();
    await db().execute(sql`
      INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind, reporter_id,
        what_happened, reporter_concern, indecent_image)
      VALUES (${incident}, ${A.school.id}, 1, 'INC-0001', '2019-01-10T10:00:00Z', 'staff',
        ${A.staff.office.id}, 'A concern', true, false)`);
    await db().execute(sql`
      INSERT INTO incident_people (school_id, incident_id, person_kind, pupil_id, part, added_at)
      VALUES (${A.school.id}, ${incident}, 'pupil', ${current}, 'victim', '2019-01-10T10:00:00Z')`);
    await db().execute(sql`
      INSERT INTO incident_people (school_id, incident_id, person_kind, staff_id, part, added_at)
      VALUES (${A.school.id}, ${incident}, 'staff', ${ids.safeguarding}, 'witness', '2019-01-10T10:00:00Z')`);
    await db().execute(sql`
      INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
        reporter_id, status, safeguarding, indecent_image, assigned_staff_ids, deputy_staff_ids,
        entry_count, updated_at, closed_at)
      VALUES (${incident}, ${A.school.id}, 'INC-0001', '2019-01-10T10:00:00Z', 'staff',
        ${A.staff.office.id}, 'closed', true, false, '{}', '{}', 0, '2019-02-01T10:00:00Z',
        '2019-02-01T10:00:00Z')`);

    // Subject access requests: closed long enough ago (about the leaver, who then goes too),
    // closed too recently, and open (however old).
    ids.closedOld = await request({
      pupilId: requested,
      status: 'closed',
      closedAt: '2025-06-01T10:00:00Z',
    });
    ids.closedRecent = await request({
      pupilId: current,
      status: 'closed',
      closedAt: '2026-03-01T10:00:00Z',
    });
    ids.open = await request({ pupilId: current, status: 'open', closedAt: null });
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('deletes what is due and keeps, with why, whoever a kept record still names', async () => {
    const [report] = await ctx.services.retention.sweep(A.school.id);
    expect(report!.counts).toMatchObject({
      staff: 1,
      staffAcknowledgements: 1,
      subjectAccessRequests: 1,
      trainingAttendance: 1,
      pupils: 2,
      parents: 1,
    });

    // The former member of staff nobody names: gone with everything about them only.
    expect(await count(sql`SELECT count(*) AS n FROM staff WHERE id = ${ids.free}`)).toBe(0);
    for (const [table, column] of [
      ['staff_roles', 'staff_id'],
      ['staff_classes', 'staff_id'],
      ['api_tokens', 'staff_id'],
      ['sessions', 'principal_id'],
      ['policy_acknowledgements', 'person_id'],
      ['policy_acknowledgement_reminders', 'person_id'],
      ['training_attendance', 'person_id'],
      ['training_latest', 'person_id'],
      ['training_due_again', 'staff_id'],
      ['training_reminders', 'staff_id'],
    ] as const)
      expect(
        await count(
          sql`SELECT count(*) AS n FROM ${sql.raw(table)} WHERE ${sql.raw(column)} = ${ids.free}`,
        ),
        table,
      ).toBe(0);
    // Whom they line-managed has no line manager now, and is otherwise untouched.
    const [managed] = await rows<{ line_manager_id: string | null }>(
      sql`SELECT line_manager_id FROM staff WHERE id = ${ids.recent}`,
    );
    expect(managed).toEqual({ line_manager_id: null });
    // Kept: named in a kept safeguarding case; training not yet due; left too recently; no leave
    // date; active staff (one with an old leave date too).
    for (const id of [ids.safeguarding!, ids.training!, ids.recent!, ids.noDate!, ids.reviewer!])
      expect(await count(sql`SELECT count(*) AS n FROM staff WHERE id = ${id}`), id).toBe(1);
    expect(
      await count(sql`SELECT count(*) AS n FROM staff WHERE school_id = ${A.school.id} AND active`),
    ).toBe(Object.keys(A.staff).length);
    expect(report!.kept).toEqual(
      expect.arrayContaining([
        {
          type: 'Former staff',
          count: 1,
          reason: expect.stringMatching(/^Named in an incident that is kept/),
        },
        {
          type: 'Former staff',
          count: 1,
          reason: expect.stringMatching(/^Their training attendance is kept/),
        },
        {
          type: 'Former staff',
          count: 1,
          reason: expect.stringMatching(/^No leave date recorded/),
        },
        {
          type: 'Former staff',
          count: 1,
          reason: expect.stringMatching(/^Recorded or approved a review of the policy/),
        },
      ]),
    );
    expect(report!.kept.filter((k) => k.type === 'Former staff')).toHaveLength(4);

    // Requests: the one closed long enough ago is gone (and so its pupil, who left in 2019);
    // the recent and the open one stay.
    expect(
      await count(
        sql`SELECT count(*) AS n FROM subject_access_requests WHERE id = ${ids.closedOld}`,
      ),
    ).toBe(0);
    for (const id of [ids.closedRecent!, ids.open!])
      expect(
        await count(sql`SELECT count(*) AS n FROM subject_access_requests WHERE id = ${id}`),
        id,
      ).toBe(1);
    // Pupils: the one the MIS stopped listing 7 years ago goes with their parent; the one it
    // stopped listing last year, and the one on roll, stay.
    for (const id of [ids.possiblyLong!, ids.requested!])
      expect(await count(sql`SELECT count(*) AS n FROM pupils WHERE id = ${id}`), id).toBe(0);
    expect(
      await count(sql`SELECT count(*) AS n FROM parents WHERE id = ${ids.possiblyParent}`),
    ).toBe(0);
    for (const id of [ids.possiblyRecent!, ids.current!])
      expect(await count(sql`SELECT count(*) AS n FROM pupils WHERE id = ${id}`), id).toBe(1);

    // Recorded with the ids and audited.
    const [run] = await rows<{ items: Record<string, string[]> }>(
      sql`SELECT items FROM retention_runs WHERE id = ${report!.runId}`,
    );
    expect(run!.items.staff).toEqual([ids.free]);
    expect(run!.items.subjectAccessRequests).toEqual([ids.closedOld]);
    expect(run!.items.pupils!.sort()).toEqual([ids.possiblyLong, ids.requested].sort());
    const [audited] = await rows<{ data: { counts: Record<string, number> } }>(sql`
      SELECT data FROM audit_events WHERE school_id = ${A.school.id} AND action = 'retention.swept'`);
    expect(audited!.data.counts).toMatchObject({ staff: 1, subjectAccessRequests: 1, pupils: 2 });

    // A second run deletes nothing more and keeps the same.
    const [again] = await ctx.services.retention.sweep(A.school.id);
    expect(Object.entries(again!.counts).filter(([, n]) => n > 0)).toEqual([]);
    expect(again!.kept).toEqual(report!.kept);
  });

  it('the schedule has the new rules, with their sources', async () => {
    const schedule = await ctx.services.retention.schedule({
      kind: 'staff',
      id: A.staff.dpo.id,
      schoolId: A.school.id,
      roles: ['dpo'],
      name: 'DPO',
    });
    expect(schedule.retention.staffRecordsYearsAfterLeaving.value).toBe(6);
    expect(schedule.retention.staffRecordsYearsAfterLeaving.citation.note).toMatch(
      /IRMS toolkit: no row found.*Limitation Act 1980/,
    );
    expect(schedule.retention.subjectAccessRequestsYearsAfterClosing.value).toBe(1);
    expect(schedule.retention.subjectAccessRequestsYearsAfterClosing.citation.note).toMatch(
      /IRMS toolkit: no row found/,
    );
  });
});

describe('the demo school loses no one to the sweep (real PostgreSQL)', () => {
  let ctx: TestContext;
  afterAll(async () => ctx?.close());

  it('keeps every pupil, parent, member of staff and request of the demo', async () => {
    ctx = await createTestServices({ clock: fixedClock('2026-12-06T18:28:00Z') });
    expect(await seedDemoSchool(ctx.services)).toBe(true);
    const db = ctx.services.database.db;
    const [school] = (
      await db.execute<{ id: string }>(sql`SELECT id FROM schools WHERE slug = 'oakfield-primary'`)
    ).rows;
    const people = async () =>
      (
        await db.execute<Record<string, string>>(sql`
          SELECT (SELECT count(*) FROM pupils WHERE school_id = ${school!.id}) AS pupils,
            (SELECT count(*) FROM parents WHERE school_id = ${school!.id}) AS parents,
            (SELECT count(*) FROM staff WHERE school_id = ${school!.id}) AS staff,
            (SELECT count(*) FROM subject_access_requests WHERE school_id = ${school!.id}) AS requests`)
      ).rows[0]!;
    const before = await people();
    expect(Number(before.staff)).toBeGreaterThan(0);
    expect(Number(before.requests)).toBe(1);
    const [report] = await ctx.services.retention.sweep(school!.id);
    expect(report!.counts).toMatchObject({
      pupils: 0,
      parents: 0,
      staff: 0,
      subjectAccessRequests: 0,
    });
    expect(await people()).toEqual(before);
  }, 180_000);
});
