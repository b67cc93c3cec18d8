import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { StaffPrincipal } from '../../src/modules/auth/principal.ts';

/**
 * The retention sweep (issue 16 item 6) deletes exactly what the school's schedule says is due
 * (the IRMS defaults: consent 6 years after leaving, incidents 6 years after closing,
 * safeguarding until the pupils are 25, declarations, permissions and training after 6 years),
 * with their files, records and audits the run, and leaves safeguarding records of younger
 * pupils, recent records and the audit log. Erasure keeps what must be kept and says why.
 */
describe('retention sweep and erasure (real PostgreSQL)', () => {
  let ctx: TestContext;
  const clock = fixedClock('2026-12-06T18:28:00Z');
  let A: SchoolFixture;
  const db = () => ctx.services.database.db;
  const rows = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    (await db().execute<T>(q)).rows;
  const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: string }>(q))[0]!.n);
  let seq = 0;
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};

  const file = async (key: string) => {
    const temp = await ctx.services.files.writeTemp(Buffer.from(`file ${key}`));
    await ctx.services.files.commit(temp.name, key);
    return key;
  };
  const incident = async (o: {
    safeguarding: boolean;
    closedAt: string | null;
    pupils: string[];
  }) => {
    const id = randomUUID();
    seq += 1;
    const ref = `INC-${String(seq).padStart(4, '0')}`;
    const at = '2017-01-10T10:00:00Z';
    await db().execute(sql`
      INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind, reporter_id,
        what_happened, reporter_concern, indecent_image)
      VALUES (${id}, ${A.school.id}, ${seq}, ${ref}, ${at}, 'staff', ${A.staff.office.id},
        'Something happened', ${o.safeguarding}, false)`);
    for (const p of o.pupils)
      await db().execute(sql`
        INSERT INTO incident_people (school_id, incident_id, person_kind, pupil_id, part, added_at)
        VALUES (${A.school.id}, ${id}, 'pupil', ${p}, 'victim', ${at})`);
    await db().execute(sql`
      INSERT INTO incident_entries (school_id, incident_id, at, kind, data)
      VALUES (${A.school.id}, ${id}, ${at}, 'report', '{}'::jsonb)`);
    await db().execute(sql`
      INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
        reporter_id, status, safeguarding, indecent_image, assigned_staff_ids, deputy_staff_ids,
        entry_count, updated_at, closed_at)
      VALUES (${id}, ${A.school.id}, ${ref}, ${at}, 'staff', ${A.staff.office.id},
        ${o.closedAt ? 'closed' : 'open'}, ${o.safeguarding}, false, '{}', '{}', 1, ${at}, ${o.closedAt})`);
    const evidenceKey = await file(`${A.school.id}/evidence/${randomUUID()}`);
    await db().execute(sql`
      INSERT INTO incident_evidence (id, school_id, incident_id, sha256, size, media_type,
        original_name, uploaded_at, uploaded_by_kind, uploaded_by_id, storage_key)
      VALUES (${randomUUID()}, ${A.school.id}, ${id}, 'x', 10, 'image/png', 'shot.png', ${at},
        'staff', ${A.staff.office.id}, ${evidenceKey})`);
    return { id, evidenceKey };
  };
  const consent = async (pupilId: string) => {
    const key = await file(`${A.school.id}/consent/${randomUUID()}.pdf`);
    await db().execute(sql`
      INSERT INTO consent_records (school_id, pupil_id, period_key, valid_from, decider_kind,
        decisions, method, kind, decided_on, recorded_at, recorded_by_kind, evidence_key)
      VALUES (${A.school.id}, ${pupilId}, 'admission', '2015-09-01', 'parent',
        '{"school_website/image":"granted"}'::jsonb, 'paper_form', 'form', '2015-09-01',
        '2015-09-02T09:00:00Z', 'system', ${key})`);
    return key;
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    A = await createSchool(ctx.services, { pupils: 6 });
    const [leaver, current, grownUp, young] = A.pupils.map((p) => p.id) as [
      string,
      string,
      string,
      string,
    ];
    Object.assign(ids, { leaver, current, grownUp, young });
    // A pupil who left in 2019 (more than six years ago); one on roll; one now 26; one young.
    await db().execute(sql`UPDATE pupils SET leaving_date = '2019-07-20' WHERE id = ${leaver}`);
    // The parent of the leaver has no other child here (the generated families come from the
    // school's random slug, and some give that parent a sibling on roll, who would keep them).
    await db().execute(sql`
      DELETE FROM pupil_parents WHERE parent_id = ${A.parent.id} AND pupil_id <> ${leaver}`);
    await db().execute(sql`UPDATE pupils SET date_of_birth = '2000-05-01' WHERE id = ${grownUp}`);
    await db().execute(sql`UPDATE pupils SET date_of_birth = '2016-05-01' WHERE id = ${young}`);
    keys.leaverScan = await consent(leaver);
    keys.currentScan = await consent(current);
    const oldPlain = await incident({
      safeguarding: false,
      closedAt: '2018-03-01T10:00:00Z',
      pupils: [current],
    });
    const recentPlain = await incident({
      safeguarding: false,
      closedAt: '2024-03-01T10:00:00Z',
      pupils: [current],
    });
    const openPlain = await incident({ safeguarding: false, closedAt: null, pupils: [current] });
    const grownSafeguarding = await incident({
      safeguarding: true,
      closedAt: '2018-03-01T10:00:00Z',
      pupils: [grownUp],
    });
    const youngSafeguarding = await incident({
      safeguarding: true,
      closedAt: '2018-03-01T10:00:00Z',
      pupils: [young],
    });
    const mixedSafeguarding = await incident({
      safeguarding: true,
      closedAt: '2018-03-01T10:00:00Z',
      pupils: [grownUp, young],
    });
    Object.assign(ids, {
      oldPlain: oldPlain.id,
      recentPlain: recentPlain.id,
      openPlain: openPlain.id,
      grownSafeguarding: grownSafeguarding.id,
      youngSafeguarding: youngSafeguarding.id,
      mixedSafeguarding: mixedSafeguarding.id,
    });
    Object.assign(keys, {
      oldPlain: oldPlain.evidenceKey,
      grownSafeguarding: grownSafeguarding.evidenceKey,
      youngSafeguarding: youngSafeguarding.evidenceKey,
      recentPlain: recentPlain.evidenceKey,
    });
    // Conduct and training: one old and one recent of each.
    for (const at of ['2018-01-01T10:00:00Z', '2025-01-01T10:00:00Z']) {
      await db().execute(sql`
        INSERT INTO conduct_declarations (school_id, staff_id, kind, details, declared_at, status)
        VALUES (${A.school.id}, ${A.staff.teacher.id}, 'online_presence', 'Checked', ${at}, 'reviewed')`);
      const [perm] = await rows<{ id: string }>(sql`
        INSERT INTO conduct_permissions (school_id, staff_id, type, reason, status, requested_at)
        VALUES (${A.school.id}, ${A.staff.teacher.id}, 'logo_use', 'Poster', 'granted', ${at}) RETURNING id`);
      await db().execute(sql`
        INSERT INTO conduct_permission_decisions (school_id, permission_id, step, staff_id, at)
        VALUES (${A.school.id}, ${perm!.id}, 'granted', ${A.staff.headteacher.id}, ${at})`);
      const [session] = await rows<{ id: string }>(sql`
        INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
        VALUES (${A.school.id}, 'parents_esafety', 'parents', 'Parents’ e-safety', ${at}, 'Hall', 'DSL')
        RETURNING id`);
      await db().execute(sql`
        INSERT INTO training_attendance (school_id, session_id, kind, person_kind, person_id, attended,
          attended_on, source, recorded_at)
        VALUES (${A.school.id}, ${session!.id}, 'parents_esafety', 'parent', ${A.parent.id}, true,
          ${at.slice(0, 10)}, 'register', ${at})`);
      await db().execute(sql`
        INSERT INTO training_bookings (school_id, session_id, parent_id, places, booked_at)
        VALUES (${A.school.id}, ${session!.id}, ${A.parent.id}, 1, ${at})`);
    }
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('deletes exactly what is due, with its files, and reports it by type', async () => {
    const [report] = await ctx.services.retention.sweep(A.school.id);
    expect(report!.counts).toMatchObject({
      consentRecords: 1,
      incidents: 1,
      safeguardingIncidents: 1,
      evidenceFiles: 2,
      declarations: 1,
      permissions: 1,
      trainingAttendance: 1,
      trainingBookings: 1,
    });
    expect(report!.filesDeleted).toBe(3);
    // The leaver's own record goes too (nothing kept names them now); their parent, whose
    // training records are kept, stays, and the run says why.
    expect(report!.counts.pupils).toBe(1);
    expect(await count(sql`SELECT count(*) AS n FROM pupils WHERE id = ${ids.leaver}`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM parents WHERE id = ${A.parent.id}`)).toBe(1);
    expect(report!.kept).toContainEqual({
      type: 'Parents',
      count: 1,
      reason: 'Their training attendance or bookings are kept until the schedule deletes them.',
    });
    // Due: gone, with their files.
    expect(
      await count(sql`SELECT count(*) AS n FROM consent_records WHERE pupil_id = ${ids.leaver}`),
    ).toBe(0);
    expect(await ctx.services.files.exists(keys.leaverScan!)).toBe(false);
    for (const id of [ids.oldPlain!, ids.grownSafeguarding!]) {
      expect(await count(sql`SELECT count(*) AS n FROM incidents WHERE id = ${id}`)).toBe(0);
      expect(
        await count(sql`SELECT count(*) AS n FROM incident_entries WHERE incident_id = ${id}`),
      ).toBe(0);
      expect(
        await count(sql`SELECT count(*) AS n FROM incident_cases WHERE incident_id = ${id}`),
      ).toBe(0);
    }
    expect(await ctx.services.files.exists(keys.oldPlain!)).toBe(false);
    expect(await ctx.services.files.exists(keys.grownSafeguarding!)).toBe(false);
    // Kept: the pupil on roll's consent, recent and open incidents, safeguarding of a young pupil
    // (alone or with an older one), recent conduct and training, and their files.
    expect(
      await count(sql`SELECT count(*) AS n FROM consent_records WHERE pupil_id = ${ids.current}`),
    ).toBe(1);
    expect(await ctx.services.files.exists(keys.currentScan!)).toBe(true);
    for (const id of [
      ids.recentPlain!,
      ids.openPlain!,
      ids.youngSafeguarding!,
      ids.mixedSafeguarding!,
    ])
      expect(await count(sql`SELECT count(*) AS n FROM incidents WHERE id = ${id}`), id).toBe(1);
    expect(await ctx.services.files.exists(keys.youngSafeguarding!)).toBe(true);
    expect(await ctx.services.files.exists(keys.recentPlain!)).toBe(true);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM conduct_declarations WHERE school_id = ${A.school.id}`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM conduct_permissions WHERE school_id = ${A.school.id}`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM training_bookings WHERE school_id = ${A.school.id}`,
      ),
    ).toBe(1);
    // Recorded and audited; the audit log is untouched.
    const [run] = await rows<{
      kind: string;
      counts: Record<string, number>;
      items: Record<string, string[]>;
    }>(sql`SELECT kind, counts, items FROM retention_runs WHERE id = ${report!.runId}`);
    expect(run!.kind).toBe('sweep');
    expect(run!.items.incidents).toEqual([ids.oldPlain]);
    expect(run!.items.safeguardingIncidents).toEqual([ids.grownSafeguarding]);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM audit_events WHERE school_id = ${A.school.id} AND action = 'retention.swept'`,
      ),
    ).toBe(1);
    // A second run finds nothing more.
    const [again] = await ctx.services.retention.sweep(A.school.id);
    expect(Object.entries(again!.counts).filter(([, n]) => n > 0)).toEqual([]);
  });

  it('still refuses an UPDATE or DELETE of append-only rows outside a sweep', async () => {
    await expect(
      db().execute(sql`DELETE FROM consent_records WHERE pupil_id = ${ids.current}`),
    ).rejects.toThrow();
    await expect(
      db().execute(sql`DELETE FROM audit_events WHERE school_id = ${A.school.id}`),
    ).rejects.toThrow();
  });

  it('erasure: the preview says what is kept and why; carrying it out erases the rest', async () => {
    const dpo: StaffPrincipal = {
      kind: 'staff',
      id: A.staff.dpo.id,
      schoolId: A.school.id,
      roles: ['dpo'],
      name: 'DPO',
    };
    const subject = { kind: 'parent' as const, id: A.parent.id };
    const preview = await ctx.services.retention.erasurePreview(dpo, subject);
    expect(preview.erase.find((e) => e.type === 'Parents’ training bookings')!.count).toBe(1);
    expect(preview.keep.map((k) => k.type)).toEqual([
      'Consent records and scans',
      'Safeguarding incidents',
      'Other incidents',
      'Their details and family links',
      'Audit log entries',
    ]);
    const done = await ctx.services.retention.erase(dpo, subject);
    expect(done.counts).toMatchObject({ trainingAttendance: 1, trainingBookings: 1 });
    expect(
      await count(
        sql`SELECT count(*) AS n FROM training_bookings WHERE parent_id = ${A.parent.id}`,
      ),
    ).toBe(0);
    // Consent records the parent made are kept as evidence.
    expect(
      await count(sql`SELECT count(*) AS n FROM consent_records WHERE pupil_id = ${ids.current}`),
    ).toBe(1);
    const teacher: StaffPrincipal = { ...dpo, id: A.staff.teacher.id, roles: ['teacher'] };
    await expect(ctx.services.retention.erasurePreview(teacher, subject)).rejects.toThrow();
  });
});
