import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/platform/db/database.ts';
import { runInRequest } from '../../src/platform/request-context.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

/**
 * ADR 0018: what a process keeps in memory is checked against a version the database keeps per
 * school, so a change made anywhere else (another process, a job, plain SQL) shows on this
 * process's next request. "Another process" here is a separate connection that never goes
 * through this process's `transaction` (so this process's own commit counter never moves).
 */
describe('shared reads checked against the school version', () => {
  let ctx: TestContext;
  let a: SchoolFixture;
  let b: SchoolFixture;
  let other: pg.Client;
  const version = async (scope: string) =>
    Number(
      (
        await other.query<{ version: string }>(
          'SELECT version FROM cache_versions WHERE scope = $1',
          [scope],
        )
      ).rows[0]?.version ?? 0,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    a = await createSchool(ctx.services, { slug: 'versions-a', pupils: 12 });
    b = await createSchool(ctx.services, { slug: 'versions-b', pupils: 4 });
    other = new pg.Client({ connectionString: ctx.database.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await ctx?.close();
  });

  it('bumps once per school per transaction, at commit, and not on rollback', async () => {
    const before = [await version(a.school.id), await version(b.school.id)];
    await other.query('BEGIN');
    await other.query(`UPDATE pupils SET given_name = given_name || 'x' WHERE school_id = $1`, [
      a.school.id,
    ]);
    await other.query(`UPDATE pupils SET family_name = family_name || 'y' WHERE school_id = $1`, [
      a.school.id,
    ]);
    // Not yet: the deferred trigger bumps at commit.
    expect(await version(a.school.id)).toBe(before[0]);
    await other.query('COMMIT');
    expect(await version(a.school.id)).toBe(before[0]! + 1);
    expect(await version(b.school.id)).toBe(before[1]);

    await other.query('BEGIN');
    await other.query(`UPDATE pupils SET given_name = 'Rolled' WHERE school_id = $1`, [
      a.school.id,
    ]);
    await other.query('ROLLBACK');
    expect(await version(a.school.id)).toBe(before[0]! + 1);
  });

  it('a session’s last-seen touch and a sign-in do not bump; signing out does', async () => {
    const start = await version(a.school.id);
    const staffId = a.staff.office.id;
    await other.query(
      `INSERT INTO sessions (id, principal_kind, principal_id, school_id, expires_at)
       VALUES ('versions-test-session', 'staff', $1, $2, now() + interval '1 hour')`,
      [staffId, a.school.id],
    );
    await other.query(
      `UPDATE sessions SET last_seen_at = now(), expires_at = now() + interval '2 hours' WHERE id = 'versions-test-session'`,
    );
    expect(await version(a.school.id)).toBe(start);
    await other.query(`DELETE FROM sessions WHERE id = 'versions-test-session'`);
    expect(await version(a.school.id)).toBe(start + 1);
  });

  it('shows a change made by another process on the next read, with no commit in this one', async () => {
    const people = ctx.services.people;
    const first = await people.listPupils(a.school.id, {}, 1);
    const pupil = first.rows[0]!;
    const classes = await people.classes(a.school.id);
    // Kept: the same result object again while nothing changed.
    expect(await people.listPupils(a.school.id, {}, 1)).toMatchObject({ rows: first.rows });

    await other.query(
      `UPDATE pupils SET family_name = 'Renamedelsewhere', class_name = 'Moved' WHERE id = $1`,
      [pupil.id],
    );
    const after = await people.listPupils(a.school.id, {}, 1);
    expect(after.rows.map((r) => r.familyName)).toContain('Renamedelsewhere');
    const classesAfter = await people.classes(a.school.id);
    expect(classesAfter).not.toEqual(classes);
    expect(classesAfter.some((c) => c.className === 'Moved')).toBe(true);
  });

  it('keeps another school’s shared read when only this school changed', async () => {
    const database = ctx.services.database;
    let loads = 0;
    const load = async () => ++loads;
    expect(await database.cachedRead(`t:b:${b.school.id}`, 60_000, load, b.school.id)).toBe(1);
    await other.query(`UPDATE pupils SET given_name = 'Only A' WHERE school_id = $1`, [
      a.school.id,
    ]);
    expect(await database.cachedRead(`t:b:${b.school.id}`, 60_000, load, b.school.id)).toBe(1);
    await other.query(`UPDATE pupils SET given_name = 'Now B' WHERE school_id = $1`, [b.school.id]);
    expect(await database.cachedRead(`t:b:${b.school.id}`, 60_000, load, b.school.id)).toBe(2);
  });

  it('the dashboard shows a policy change made through another process at once', async () => {
    const head = {
      kind: 'staff' as const,
      id: a.staff.headteacher.id,
      schoolId: a.school.id,
      roles: ['headteacher' as const],
      name: 'headteacher Tester',
    };
    const before = await ctx.services.dashboard.forPrincipal(head);
    const versionStat = before.stats.find((s) => s.label === 'Policy version');
    expect(versionStat).toBeDefined();

    // A second "process": its own pool and services would do the same; plain SQL is the
    // strictest case (no application code at all).
    const second = new Database(ctx.database.url, { max: 2 });
    try {
      await second.pool.query(
        `UPDATE policy_profiles SET current_version = current_version WHERE school_id = $1`,
        [a.school.id],
      );
      await second.pool.query(
        `UPDATE policy_profiles SET next_review_date = DATE '2020-01-01' WHERE school_id = $1`,
        [a.school.id],
      );
    } finally {
      await second.close();
    }
    const after = await ctx.services.dashboard.forPrincipal(head);
    expect(after.items.map((i) => i.title)).toContain('The policy review is overdue');
  });

  it('reads a school’s version once per request, however many shared reads follow', async () => {
    const database = ctx.services.database;
    const reader = database.versions;
    const load = async () => 'x';
    const reads = reader.stats.reads;
    await runInRequest('req-1', async () => {
      await database.cachedRead(`t:once1:${a.school.id}`, 60_000, load, a.school.id);
      await database.cachedRead(`t:once2:${a.school.id}`, 60_000, load, a.school.id);
      await database.cachedRead(`t:once3:${b.school.id}`, 60_000, load, b.school.id);
    });
    expect(reader.stats.reads - reads).toBe(2); // school a once, school b once
    // Outside a request (jobs, the CLI) every shared read reads the version.
    await database.cachedRead(`t:once1:${a.school.id}`, 60_000, load, a.school.id);
    await database.cachedRead(`t:once2:${a.school.id}`, 60_000, load, a.school.id);
    expect(reader.stats.reads - reads).toBe(4);
    // A change made before a request arrived is seen by every shared read in it.
    let n = 0;
    const counted = async () => ++n;
    await database.cachedRead(`t:count:${a.school.id}`, 60_000, counted, a.school.id);
    await other.query(`UPDATE pupils SET given_name = 'Request' WHERE school_id = $1`, [
      a.school.id,
    ]);
    await runInRequest('req-2', async () => {
      expect(
        await database.cachedRead(`t:count:${a.school.id}`, 60_000, counted, a.school.id),
      ).toBe(2);
    });
  });

  it('reads the versions of every school waiting in one statement', async () => {
    const reader = ctx.services.database.versions;
    const reads = reader.stats.reads;
    const got = await Promise.all([
      reader.version(a.school.id),
      reader.version(b.school.id),
      reader.version(a.school.id),
      reader.version('00000000-0000-4000-8000-000000000000'),
    ]);
    expect(reader.stats.reads - reads).toBe(1);
    expect(got[0]).toBe(got[2]);
    expect(got[0]).toBe(await version(a.school.id));
    expect(got[1]).toBe(await version(b.school.id));
    expect(got[3]).toBe(0);
    await expect(reader.version('not-a-uuid')).rejects.toThrow(TypeError);
  });
});
