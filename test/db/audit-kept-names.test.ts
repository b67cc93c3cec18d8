import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';

/**
 * The audit log after the retention sweep deletes a former member of staff whose name a lasting
 * record keeps (docs/subject-access.md, "Staff named with no key", (b)): the entry about that
 * record names them as the record does, read when the log is read; their other entries still say
 * "a former member of staff"; no audit row is changed and the chain verifies.
 */
describe('audit entries about records that keep a former member of staff’s name', () => {
  let ctx: TestContext;
  let A: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices({ clock: fixedClock('2026-12-07T10:00:00Z') });
    A = await createSchool(ctx.services, { pupils: 1 });
  });
  afterAll(async () => ctx?.close());

  it('names the uploader of an import from the import, and only there', async () => {
    const pool = ctx.services.database.pool;
    // Left in 2019: six years on, the sweep deletes their record.
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO staff (school_id, email, given_name, family_name, start_date, leave_date, active)
       VALUES ($1, $2, 'Una', 'Loader', '2010-09-01', '2019-08-31', false) RETURNING id`,
      [A.school.id, `una-${randomUUID()}@example.org`],
    );
    const una = { kind: 'staff' as const, id: rows[0]!.id };
    const importId = await ctx.services.staffImports.upload(
      A.school.id,
      una,
      { filename: 'staff.csv', data: Buffer.from('Given name,Family name,Email,Roles\n') },
      { queue: false },
    );
    // Another entry of theirs, about a record that keeps nothing.
    await ctx.services.database.transaction((tx) =>
      ctx.services.audit.record(tx, {
        schoolId: A.school.id,
        actor: una,
        action: 'people.staff-invited',
        entityType: 'staff',
        entityId: A.staff.teacher.id,
        data: {},
      }),
    );
    const stored = async () =>
      (
        await pool.query<{ hash: string }>(
          'SELECT hash FROM audit_events WHERE school_id = $1 ORDER BY id',
          [A.school.id],
        )
      ).rows.map((r) => r.hash);
    const before = await stored();

    await ctx.services.retention.sweep(A.school.id);
    expect((await pool.query('SELECT 1 FROM staff WHERE id = $1', [una.id])).rowCount).toBe(0);
    const kept = await pool.query<{ created_by_name: string }>(
      'SELECT created_by_name FROM staff_list_imports WHERE id = $1',
      [importId],
    );
    expect(kept.rows[0]!.created_by_name).toBe('Una Loader');

    const log = await ctx.services.audit.readLog(A.school.id, {}, 1, { showPupils: true });
    const entry = (summary: RegExp) => log.entries.find((e) => summary.test(e.summary))!;
    expect(entry(/^Uploaded a staff list/).who).toBe('Una Loader (a former member of staff)');
    expect(entry(/new invitation/).who).toBe('a former member of staff');
    // Nothing stored changed: the entries the sweep found are as they were, and the chain holds.
    expect((await stored()).slice(0, before.length)).toEqual(before);
    expect(await ctx.services.audit.verify()).toMatchObject({ ok: true });
  });
});
