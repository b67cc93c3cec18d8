import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError } from '../../src/errors.ts';
import { importStaffCommand } from '../../src/cli/import-staff.ts';

/**
 * The staff import applied through the pipeline (real PostgreSQL): new staff added with their
 * roles and invitation jobs, existing staff matched by email and updated, line managers set (one
 * defined on a later row of the same file), a loop refused with nothing written, audited.
 */
describe('staff import through the pipeline (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  const actor = () => ({ kind: 'staff' as const, id: fx.staff.headteacher.id });
  const header = 'Given name,Family name,Email,Roles,Start date,Line manager,Leave date';

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 2, slug: 'staff-import-a' }),
      createSchool(ctx.services, { pupils: 2, slug: 'staff-import-b' }),
    ]);
  });
  afterAll(async () => ctx?.close());

  const upload = async (lines: string[]) => {
    const id = await ctx.services.staffImports.upload(
      fx.school.id,
      actor(),
      { filename: 'staff.csv', data: Buffer.from(lines.join('\n')) },
      { queue: false },
    );
    return (await ctx.services.staffImports.preview(id))!;
  };
  const staffByEmail = async (email: string) =>
    (
      await ctx.platform.database.pool.query<{
        id: string;
        given_name: string;
        family_name: string;
        active: boolean;
        start_date: string | null;
        leave_date: string | null;
        line_manager_id: string | null;
        roles: string[];
      }>(
        `SELECT s.id, s.given_name, s.family_name, s.active,
                to_char(s.start_date, 'YYYY-MM-DD') AS start_date,
                to_char(s.leave_date, 'YYYY-MM-DD') AS leave_date, s.line_manager_id,
                coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
           FROM staff s LEFT JOIN staff_roles r ON r.staff_id = s.id
          WHERE s.school_id = $1 AND lower(s.email) = $2 GROUP BY s.id`,
        [fx.school.id, email],
      )
    ).rows[0];
  const staffCount = async () =>
    (
      await ctx.platform.database.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM staff WHERE school_id = $1',
        [fx.school.id],
      )
    ).rows[0]!.n;

  it('refuses a line manager loop: rejected with the rows named, nothing written', async () => {
    const before = await staffCount();
    const view = await upload([
      header,
      'Amy,Ay,amy@a.test,Teacher,1/9/2025,ben@a.test,',
      'Ben,Bee,ben@a.test,Teacher,1/9/2025,amy@a.test,',
    ]);
    expect(view.status).toBe('rejected');
    expect(view.preview!.canCommit).toBe(false);
    expect(view.preview!.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(view.preview!.errors[0]!.message).toMatch(/this makes a loop/);
    await expect(
      ctx.services.staffImports.confirm(fx.school.id, actor(), view.id),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await staffCount()).toBe(before);
  });

  it('adds and updates staff, with a line manager from a later row, invitations and audit', async () => {
    const before = await staffCount();
    const view = await upload([
      header,
      // Nia's line manager, Zed, is on a later row of the same file.
      'Nia,New,nia@a.test,Teacher; Designated Safeguarding Lead,1/9/2026,zed@a.test,',
      // An existing member of staff, matched by email (any case): renamed, a manager, a leave date.
      `teacher,Renamed,${fx.staff.teacher.email.toUpperCase()},,,zed@a.test,31/8/2030`,
      'Zed,Zulu,zed@a.test,Teacher,1/9/2024,,',
      // Someone who has left already: recorded, deactivated, not invited.
      'Old,Timer,old@a.test,Volunteer,1/9/2010,,31/7/2020',
    ]);
    expect(view.status).toBe('previewed');
    expect(view.preview!.errors).toEqual([]);
    expect(view.preview!.added.map((a) => a.email)).toEqual([
      'nia@a.test',
      'zed@a.test',
      'old@a.test',
    ]);
    expect(view.preview!.changed[0]!.changes).toEqual([
      'Name: teacher Tester → teacher Renamed',
      'Leave date: none → 31 August 2030 (they can sign in until then)',
      'Line manager: none → Zed Zulu',
    ]);

    const done = await ctx.services.staffImports.confirm(fx.school.id, actor(), view.id);
    expect(done.status).toBe('committed');
    expect(done.summary).toMatchObject({ added: 3, changed: 1, deactivated: 0, invited: 2 });
    expect(await staffCount()).toBe(before + 3);

    const zed = (await staffByEmail('zed@a.test'))!;
    const nia = (await staffByEmail('nia@a.test'))!;
    expect(nia).toMatchObject({
      active: true,
      start_date: '2026-09-01',
      roles: ['dsl', 'teacher'],
      line_manager_id: zed.id,
    });
    expect(await staffByEmail(fx.staff.teacher.email)).toMatchObject({
      family_name: 'Renamed',
      active: true,
      leave_date: '2030-08-31',
      line_manager_id: zed.id,
      roles: ['teacher'],
    });
    expect(await staffByEmail('old@a.test')).toMatchObject({
      active: false,
      leave_date: '2020-07-31',
      roles: ['volunteer'],
    });

    // The same invitation job as the staff page queues, for the new active staff only.
    const invitations = await ctx.platform.database.pool.query<{ staff_id: string }>(
      `SELECT data->>'staffId' AS staff_id FROM pgboss.job WHERE name = 'auth.staff-invitation'`,
    );
    const invited = invitations.rows.map((r) => r.staff_id);
    expect(invited).toEqual(expect.arrayContaining([nia.id, zed.id]));
    expect(invited).not.toContain((await staffByEmail('old@a.test'))!.id);

    const events = await ctx.platform.database.pool.query<{ action: string; entity_id: string }>(
      `SELECT action, entity_id FROM audit_events WHERE school_id = $1
         AND action IN ('people.staff-added', 'people.staff-changed', 'people.staff-imported')
       ORDER BY seq`,
      [fx.school.id],
    );
    expect(events.rows.map((e) => e.action)).toEqual([
      'people.staff-added',
      'people.staff-added',
      'people.staff-added',
      'people.staff-changed',
      'people.staff-imported',
    ]);

    // Importing the same file again changes nothing: nothing to confirm.
    const again = await upload([
      header,
      'Nia,New,nia@a.test,Teacher; Designated Safeguarding Lead,1/9/2026,zed@a.test,',
      `teacher,Renamed,${fx.staff.teacher.email},,,zed@a.test,31/8/2030`,
    ]);
    expect(again.preview).toMatchObject({ canCommit: false, unchanged: 2, errors: [] });
  });

  it('refuses another school’s account and keeps the other school untouched', async () => {
    const view = await upload([header, `Someone,Else,${other.staff.teacher.email},Teacher,,,`]);
    expect(view.preview!.errors).toEqual([
      { line: 2, message: 'This email address is already used by another Lanyard account' },
    ]);
  });

  it('plans again when applying: a change since the check rejects the import, nothing written', async () => {
    const view = await upload([
      header,
      'Late,Comer,late@a.test,Teacher,,amy2@a.test,',
      'Amy,Two,amy2@a.test,Teacher,,,',
    ]);
    expect(view.status).toBe('previewed');
    await ctx.services.staffImports.requestCommit(fx.school.id, actor(), view.id, false);
    // Amy is added (and deactivated) by someone else before the job runs.
    await ctx.platform.database.pool.query(
      `INSERT INTO staff (school_id, email, given_name, family_name, active)
       VALUES ($1, 'amy2@a.test', 'Amy', 'Two', false)`,
      [fx.school.id],
    );
    const done = (await ctx.services.staffImports.commit(view.id, actor().id))!;
    expect(done.status).toBe('rejected');
    expect(done.fileError).toMatch(/Something changed since the file was checked/);
    expect(await staffByEmail('late@a.test')).toBeUndefined();
  });

  it('runs from the command line through the same service: problems by row, then --yes applies', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY: false },
    };
    const run = (file: string, yes: boolean, school = fx.school.slug) =>
      importStaffCommand(ctx.services, { file, school, yes }, io);
    const bad = path.join(ctx.dataDir, 'cli-staff-bad.csv');
    fs.writeFileSync(
      bad,
      [header, 'Cli,One,cli1@a.test,Caretaker,,,', 'Cli,Two,,Teacher,,,'].join('\n'),
    );
    expect(await run(bad, true)).toBe(1);
    expect(err.join('')).toContain('The file has 2 problems (2 of 2 rows). Nothing was changed.');
    expect(err.join('')).toContain('row 2: “Caretaker” is not a role in Lanyard');
    expect(err.join('')).toContain('row 3: Email is blank');
    expect(await staffByEmail('cli1@a.test')).toBeUndefined();

    const good = path.join(ctx.dataDir, 'cli-staff.csv');
    // The command line acts as the system: it may give the DSL role.
    fs.writeFileSync(
      good,
      [header, 'Cli,One,cli1@a.test,Designated Safeguarding Lead,,,'].join('\n'),
    );
    expect(await run(good, false)).toBe(0);
    expect(out.join('')).toMatch(/Staff to add: +1\n/);
    expect(out.join('')).toContain('Run again with --yes to apply.');
    expect(await staffByEmail('cli1@a.test')).toBeUndefined();
    expect(await run(good, true)).toBe(0);
    expect(out.join('')).toMatch(/Imported cli-staff\.csv:\n +Staff added: +1\n/);
    expect(await staffByEmail('cli1@a.test')).toMatchObject({ active: true, roles: ['dsl'] });
    const audit = await ctx.platform.database.pool.query<{ action: string; actor_kind: string }>(
      `SELECT action, actor_kind FROM audit_events
        WHERE school_id = $1 AND action IN ('people.staff-import-uploaded', 'people.staff-imported')
        ORDER BY id DESC LIMIT 2`,
      [fx.school.id],
    );
    expect(audit.rows).toEqual([
      { action: 'people.staff-imported', actor_kind: 'cli' },
      { action: 'people.staff-import-uploaded', actor_kind: 'cli' },
    ]);
    expect(await run(good, true, 'no-such-school')).toBe(2);
  });
});
