import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

/** Shared reads (Database.cachedRead) and the pupil list and dashboard that use them. */
describe('shared reads are never older than a change made through this process', () => {
  let ctx: TestContext;
  let a: SchoolFixture;
  let b: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    a = await createSchool(ctx.services, { slug: 'cache-a', pupils: 55 });
    b = await createSchool(ctx.services, { slug: 'cache-b', pupils: 3 });
  });
  afterAll(async () => ctx?.close());

  it('reuses a result, shares one query between concurrent callers, and drops it on commit', async () => {
    const database = ctx.services.database;
    let loads = 0;
    const load = async () => ++loads;
    const [x, y] = await Promise.all([
      database.cachedRead('t:1', 60_000, load),
      database.cachedRead('t:1', 60_000, load),
    ]);
    expect([x, y, loads]).toEqual([1, 1, 1]);
    expect(await database.cachedRead('t:1', 60_000, load)).toBe(1);
    await database.transaction(async () => undefined);
    expect(await database.cachedRead('t:1', 60_000, load)).toBe(2);
    expect(await database.cachedRead('t:1', 0, load)).toBe(3); // expired
  });

  it('does not keep a read that was in flight when a change committed', async () => {
    const database = ctx.services.database;
    let release!: () => void;
    const slow = database.cachedRead(
      't:2',
      60_000,
      () => new Promise<string>((resolve) => (release = () => resolve('before'))),
    );
    await database.transaction(async () => undefined);
    release();
    expect(await slow).toBe('before');
    expect(await database.cachedRead('t:2', 60_000, async () => 'after')).toBe('after');
  });

  it('forgets a failed read', async () => {
    const database = ctx.services.database;
    await expect(
      database.cachedRead('t:3', 60_000, () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    expect(await database.cachedRead('t:3', 60_000, async () => 'up')).toBe('up');
  });

  it('shows a pupil added in a transaction on the very next list, per school', async () => {
    const people = ctx.services.people;
    const before = await people.listPupils(a.school.id, {}, 2);
    expect(before.total).toBe(55);
    expect(before.rows).toHaveLength(5);
    expect((await people.listPupils(b.school.id, {}, 1)).total).toBe(3);

    await createSchool(ctx.services, { slug: 'cache-c', pupils: 1 }); // any commit
    await ctx.services.database.transaction(async (tx) => {
      await tx.client.query(
        `INSERT INTO pupils (school_id, mis_id, given_name, family_name, date_of_birth, year_group, search_text)
         VALUES ($1, 'NEW1', 'Zed', 'Zzz', '2018-01-01', '2', 'zed zzz new1')`,
        [a.school.id],
      );
    });
    const after = await people.listPupils(a.school.id, {}, 2);
    expect(after.total).toBe(56);
    expect(after.rows.map((r) => r.familyName)).toContain('Zzz');
    expect((await people.listPupils(b.school.id, {}, 1)).total).toBe(3);
  });

  it('answers past the last page with an empty page and the real total', async () => {
    const page = await ctx.services.people.listPupils(a.school.id, {}, 9);
    expect(page.rows).toEqual([]);
    expect(page.total).toBe(56);
    const none = await ctx.services.people.listPupils(a.school.id, { q: 'no such pupil' }, 1);
    expect(none).toMatchObject({ rows: [], total: 0, pages: 1 });
  });
});
