import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';

/**
 * The retention sweep and the columns that hold a member of staff's id with no foreign key
 * (docs/subject-access.md, "Former staff"). For each, a former member of staff who left long
 * enough ago (2019; the default is 6 years) is named by that column alone:
 * - a record the schedule deletes in its turn (an incident, training attendance, a person's
 *   acknowledgement) keeps them, and the run says why in words;
 * - a record the school keeps for good (a training session, a lesson, materials, an import, a
 *   consent campaign, a policy version, its text and kind, a class's acknowledgement) lets them
 *   go and keeps their name in words.
 * One named by nothing goes.
 */
describe('retention of former staff named with no foreign key (real PostgreSQL)', () => {
  let ctx: TestContext;
  const clock = fixedClock('2026-12-07T10:00:00Z');
  let A: SchoolFixture;
  const db = () => ctx.services.database.db;
  const rows = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    (await db().execute<T>(q)).rows;
  const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: string }>(q))[0]!.n);

  const formerStaff = async (name: string) => {
    const [row] = await rows<{ id: string }>(sql`
      INSERT INTO staff (school_id, email, given_name, family_name, start_date, leave_date, active)
      VALUES (${A.school.id}, ${`${name.toLowerCase()}-${randomUUID()}@example.org`}, 'Former',
        ${name}, '2010-09-01', '2019-08-31', false)
      RETURNING id`);
    return row!.id;
  };
  const session = async (at: string, createdBy: string | null = null) => {
    const [row] = await rows<{ id: string }>(sql`
      INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer,
        created_by)
      VALUES (${A.school.id}, 'staff_regular', 'staff', 'Safeguarding', ${at}, 'Hall', 'DSL',
        ${createdBy})
      RETURNING id`);
    return row!.id;
  };
  const incident = async (reporterId: string, seq: number) => {
    const id = randomUUID();
    const reference = `INC-${String(seq).padStart(4, '0')}`;
    // Open, so the schedule keeps it (a closed one goes after its years).
    await db().execute(sql`
      INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind, reporter_id,
        what_happened, reporter_concern, indecent_image)
      VALUES (${id}, ${A.school.id}, ${seq}, ${reference}, '2019-01-10T10:00:00Z', 'staff',
        ${reporterId}, 'A comment on the school page', false, false)`);
    return { id, reference };
  };
  const caseRow = async (
    inc: { id: string; reference: string },
    assigned: string[],
    deputies: string[],
  ) =>
    db().execute(sql`
      INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
        reporter_id, status, safeguarding, indecent_image, assigned_staff_ids, deputy_staff_ids,
        entry_count, updated_at)
      VALUES (${inc.id}, ${A.school.id}, ${inc.reference}, '2019-01-10T10:00:00Z', 'staff',
        ${A.staff.office.id}, 'open', false, false,
        ${`{${assigned.join(',')}}`}::uuid[], ${`{${deputies.join(',')}}`}::uuid[], 0,
        '2019-01-10T10:00:00Z')`);

  /** Kept: the column, and the start of the reason the run gives. */
  const keptBy: Record<string, { id?: string; reason: RegExp }> = {
    'incidents.reporter_id': { reason: /^Reported an incident that is kept/ },
    'incident_cases.assigned_staff_ids': { reason: /^Was assigned to an incident that is kept/ },
    'incident_cases.deputy_staff_ids': { reason: /^Was assigned to an incident that is kept/ },
    'incident_entries.data (an earlier assignment)': {
      reason: /^Was assigned to an incident that is kept/,
    },
    'incident_evidence.uploaded_by_id': { reason: /^Uploaded evidence to an incident/ },
    'training_attendance.recorded_by': { reason: /^Recorded training attendance that is kept/ },
    'policy_acknowledgements.recorded_by (a person’s)': {
      reason: /^Recorded someone else’s acknowledgement of the policy/,
    },
    'consent_records.recorded_by_id': { reason: /^Recorded consent decisions that are kept/ },
    'policy_reviews.recorded_by': { reason: /^Recorded or approved a review of the policy/ },
  };
  /** Named for good: the table, the id column and the name column. */
  const namedBy: { table: string; id: string; name: string; staffId?: string }[] = [
    { table: 'training_sessions', id: 'created_by', name: 'created_by_name' },
    { table: 'training_class_lessons', id: 'taught_by', name: 'taught_by_name' },
    { table: 'training_materials', id: 'uploaded_by', name: 'uploaded_by_name' },
    { table: 'training_attendance_imports', id: 'created_by', name: 'created_by_name' },
    { table: 'training_attendance_imports', id: 'confirmed_by', name: 'confirmed_by_name' },
    { table: 'consent_campaigns', id: 'started_by', name: 'started_by_name' },
    { table: 'consent_imports', id: 'created_by', name: 'created_by_name' },
    { table: 'consent_imports', id: 'confirmed_by', name: 'confirmed_by_name' },
    { table: 'pupil_imports', id: 'created_by', name: 'created_by_name' },
    { table: 'pupil_imports', id: 'confirmed_by', name: 'confirmed_by_name' },
    { table: 'staff_list_imports', id: 'created_by', name: 'created_by_name' },
    { table: 'staff_list_imports', id: 'confirmed_by', name: 'confirmed_by_name' },
    { table: 'policy_profile_versions', id: 'created_by', name: 'created_by_name' },
    { table: 'policy_texts', id: 'created_by', name: 'created_by_name' },
    { table: 'policy_version_kinds', id: 'decided_by', name: 'decided_by_name' },
    { table: 'policy_acknowledgements', id: 'recorded_by', name: 'recorded_by_name' },
  ];
  let nobody: string;

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    A = await createSchool(ctx.services, { pupils: 2 });
    const k = (column: string) => keptBy[column]!;
    let n = 0;
    for (const column of Object.keys(keptBy)) k(column).id = await formerStaff(`Kept${++n}`);
    nobody = await formerStaff('Nobody');

    // Incidents (open, so kept): the reporter; the case's assigned staff and deputies; someone
    // assigned earlier (only the chronology names them now); who uploaded evidence.
    const reported = await incident(k('incidents.reporter_id').id!, 1);
    await caseRow(reported, [], []);
    const assigned = await incident(A.staff.office.id, 2);
    await caseRow(
      assigned,
      [k('incident_cases.assigned_staff_ids').id!],
      [k('incident_cases.deputy_staff_ids').id!],
    );
    await db().execute(sql`
      INSERT INTO incident_entries (school_id, incident_id, at, actor_staff_id, kind, data)
      VALUES (${A.school.id}, ${assigned.id}, '2019-01-11T10:00:00Z', ${A.staff.dsl.id},
        'assignment', ${JSON.stringify({ staffIds: [k('incident_entries.data (an earlier assignment)').id] })}::jsonb)`);
    await db().execute(sql`
      INSERT INTO incident_evidence (id, school_id, incident_id, sha256, size, media_type,
        original_name, uploaded_at, uploaded_by_kind, uploaded_by_id, storage_key)
      VALUES (${randomUUID()}, ${A.school.id}, ${assigned.id}, ${'0'.repeat(64)}, 10, 'image/png',
        'screenshot.png', '2019-01-11T11:00:00Z', 'staff', ${k('incident_evidence.uploaded_by_id').id},
        ${`${A.school.id}/evidence/${randomUUID()}`})`);

    // Training attendance not yet due (this year's session), of a current member of staff,
    // recorded by the former one.
    const recent = await session('2026-01-10T15:30:00Z');
    await db().execute(sql`
      INSERT INTO training_attendance (school_id, session_id, kind, person_kind, person_id, attended,
        attended_on, source, recorded_by, recorded_at)
      VALUES (${A.school.id}, ${recent}, 'staff_regular', 'staff', ${A.staff.teacher.id}, true,
        '2026-01-10', 'room', ${k('training_attendance.recorded_by').id}, '2026-01-10T16:00:00Z')`);

    // A current member of staff's acknowledgement, recorded by the former one.
    const [version] = await rows<{ id: string; version: number }>(sql`
      SELECT id, version FROM policy_profile_versions WHERE school_id = ${A.school.id}
      ORDER BY version DESC LIMIT 1`);
    await db().execute(sql`
      INSERT INTO policy_acknowledgements (school_id, person_kind, person_id, policy_version_id,
        policy_version, acknowledged_at, recorded_by)
      VALUES (${A.school.id}, 'staff', ${A.staff.teacher.id}, ${version!.id}, ${version!.version},
        '2019-03-01T10:00:00Z', ${k('policy_acknowledgements.recorded_by (a person’s)').id})`);

    // A consent record of a pupil still on roll, taken down by the former one.
    const pupil = A.pupils[0]!;
    await db().execute(sql`
      INSERT INTO consent_records (school_id, pupil_id, period_key, valid_from, decider_kind,
        decisions, method, kind, decided_on, recorded_at, recorded_by_kind, recorded_by_id)
      VALUES (${A.school.id}, ${pupil.id}, 'admission', '2019-09-01', 'parent',
        '{"school_website/image":"granted"}'::jsonb, 'paper_form', 'form', '2019-09-01',
        '2019-09-02T09:00:00Z', 'staff', ${k('consent_records.recorded_by_id').id})`);

    // A review of the policy the former one recorded.
    await db().execute(sql`
      INSERT INTO policy_reviews (school_id, reason, met_on, attendees, decisions, recorded_by,
        recorded_at, approved_by, approved_at, next_review_date)
      VALUES (${A.school.id}, 'scheduled', '2018-10-01', 'Governors', 'No change',
        ${k('policy_reviews.recorded_by').id}, '2018-10-01T18:00:00Z', ${A.staff.headteacher.id},
        '2018-10-02T09:00:00Z', '2019-10-01')`);

    // Records kept for good, each naming one former member of staff.
    for (const c of namedBy) c.staffId = await formerStaff(`Named${++n}`);
    const by = (table: string, id: string) =>
      namedBy.find((c) => c.table === table && c.id === id)!.staffId!;
    const old = await session('2018-01-10T15:30:00Z', by('training_sessions', 'created_by'));
    await db().execute(sql`
      INSERT INTO training_class_lessons (school_id, class_name, term_key, taught_on, topic,
        taught_by, recorded_at)
      VALUES (${A.school.id}, '3B', '2018-autumn', '2018-10-01', 'Passwords',
        ${by('training_class_lessons', 'taught_by')}, '2018-10-01T15:00:00Z')`);
    await db().execute(sql`
      INSERT INTO training_materials (school_id, session_id, file_key, filename, content_type,
        size_bytes, uploaded_by, uploaded_at)
      VALUES (${A.school.id}, ${old}, ${`${A.school.id}/training/${randomUUID()}`}, 'slides.pdf',
        'application/pdf', 100, ${by('training_materials', 'uploaded_by')}, '2018-01-09T10:00:00Z')`);
    for (const table of [
      'training_attendance_imports',
      'consent_imports',
      'pupil_imports',
      'staff_list_imports',
    ])
      await db().execute(sql`
        INSERT INTO ${sql.identifier(table)} (school_id, filename, sha256, size_bytes, status,
          created_by, confirmed_by)
        VALUES (${A.school.id}, 'list.csv', ${'1'.repeat(64)}, 100, 'committed',
          ${by(table, 'created_by')}, ${by(table, 'confirmed_by')})`);
    await db().execute(sql`
      INSERT INTO consent_campaigns (school_id, period_key, valid_from, started_at, started_by,
        reminder_days)
      VALUES (${A.school.id}, '2018-2019', '2018-09-01', '2018-09-01T08:00:00Z',
        ${by('consent_campaigns', 'started_by')}, 7)`);
    await db().execute(sql`
      UPDATE policy_profile_versions SET created_by = ${by('policy_profile_versions', 'created_by')}
      WHERE id = ${version!.id}`);
    await db().execute(sql`
      INSERT INTO policy_texts (school_id, policy_version_id, version, text, created_by, created_at)
      VALUES (${A.school.id}, ${version!.id}, ${version!.version}, '{"title": "Policy", "sections": []}'::jsonb,
        ${by('policy_texts', 'created_by')}, '2018-01-01T10:00:00Z')
      ON CONFLICT (policy_version_id) DO UPDATE SET created_by = excluded.created_by`);
    await db().execute(sql`
      INSERT INTO policy_version_kinds (policy_version_id, school_id, version, substantive,
        decided_by, decided_at)
      VALUES (${version!.id}, ${A.school.id}, ${version!.version}, true,
        ${by('policy_version_kinds', 'decided_by')}, '2018-01-01T10:00:00Z')
      ON CONFLICT (policy_version_id) DO UPDATE SET decided_by = excluded.decided_by`);
    await db().execute(sql`
      INSERT INTO policy_acknowledgements (school_id, person_kind, class_name, policy_version_id,
        policy_version, acknowledged_at, recorded_by)
      VALUES (${A.school.id}, 'pupil_class', '3B', ${version!.id}, ${version!.version},
        '2018-10-02T10:00:00Z', ${by('policy_acknowledgements', 'recorded_by')})`);
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('keeps whoever a record due in its turn names, with why; lasting records keep the name', async () => {
    const [report] = await ctx.services.retention.sweep(A.school.id);
    const staffKept = report!.kept.filter((k) => k.type === 'Former staff');

    for (const [column, { id, reason }] of Object.entries(keptBy)) {
      expect(await count(sql`SELECT count(*) AS n FROM staff WHERE id = ${id}`), column).toBe(1);
      expect(
        staffKept.some((k) => reason.test(k.reason)),
        column,
      ).toBe(true);
    }
    // Each reason counts the people it keeps (the three incident assignments share one).
    expect(staffKept.find((k) => /^Was assigned/.test(k.reason))!.count).toBe(3);
    expect(staffKept.reduce((n, k) => n + k.count, 0)).toBe(Object.keys(keptBy).length);

    // Named for good: the person goes; the record keeps the id and the name in words.
    for (const c of namedBy) {
      expect(
        await count(sql`SELECT count(*) AS n FROM staff WHERE id = ${c.staffId}`),
        c.table,
      ).toBe(0);
      const [row] = await rows<{ name: string | null }>(sql`
        SELECT ${sql.identifier(c.name)} AS name FROM ${sql.identifier(c.table)}
        WHERE ${sql.identifier(c.id)} = ${c.staffId}`);
      expect(row?.name, `${c.table}.${c.id}`).toMatch(/^Former Named\d+$/);
    }
    expect(report!.kept).toContainEqual({
      type: 'Names of former staff on the school’s lasting records',
      count: namedBy.length,
      reason: expect.stringMatching(/keeps, in words, the name of the former member of staff/),
    });

    // Named by nothing: gone.
    expect(await count(sql`SELECT count(*) AS n FROM staff WHERE id = ${nobody}`)).toBe(0);
    expect(report!.counts.staff).toBe(namedBy.length + 1);

    // A second run changes nothing more.
    const [again] = await ctx.services.retention.sweep(A.school.id);
    expect(again!.counts.staff).toBe(0);
    expect(again!.kept.some((k) => k.type.startsWith('Names of former staff'))).toBe(false);
  });
});
