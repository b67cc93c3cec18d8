import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/platform/db/database.ts';
import { UploadSlotsRepository } from '../../src/modules/media/upload-slots.repository.ts';
import { UploadSlotsService } from '../../src/modules/media/upload-slots.service.ts';
import { createTestServices, type TestContext } from '../support/db.ts';

/**
 * "At most 3 uploads at once per person" counted in PostgreSQL (issue 10 item 1, ARCHITECTURE
 * rule 14): two processes (two pools on one database) share the count; a lease a dead process
 * left expires; a released slot is free again at once.
 */
describe('upload slots across processes', () => {
  let ctx: TestContext;
  let other: Database;
  let a: UploadSlotsService;
  let b: UploadSlotsService;

  beforeAll(async () => {
    ctx = await createTestServices();
    other = new Database(ctx.database.url, { max: 4 });
    a = ctx.services.uploadSlots;
    b = new UploadSlotsService({ database: other, repository: new UploadSlotsRepository() });
  });
  afterAll(async () => {
    await other?.close();
    await ctx?.close();
  });

  it('counts one person’s uploads in every process, and nobody else’s', async () => {
    const held = await Promise.all([
      a.acquire('staff:1', 3, 60_000),
      b.acquire('staff:1', 3, 60_000),
      a.acquire('staff:1', 3, 60_000),
    ]);
    expect(held.every((id) => typeof id === 'string')).toBe(true);
    // The fourth, in either process, is refused; racing acquisitions never exceed the limit.
    const racing = await Promise.all([
      a.acquire('staff:1', 3, 60_000),
      b.acquire('staff:1', 3, 60_000),
    ]);
    expect(racing).toEqual([null, null]);
    expect(await b.acquire('staff:2', 3, 60_000)).not.toBeNull(); // someone else
    await a.release(held[1]!);
    const again = await b.acquire('staff:1', 3, 60_000);
    expect(again).not.toBeNull();
    expect(await a.acquire('staff:1', 3, 60_000)).toBeNull();
  });

  it('a lease left by a process that died expires on its own', async () => {
    for (let i = 0; i < 3; i++) expect(await a.acquire('staff:9', 3, 50)).not.toBeNull();
    expect(await b.acquire('staff:9', 3, 60_000)).toBeNull();
    await new Promise((r) => setTimeout(r, 120));
    const id = await b.acquire('staff:9', 3, 60_000);
    expect(id).not.toBeNull();
    // Renewing keeps a live upload's lease.
    await b.renew(id!, 60_000);
    const { rows } = await ctx.services.database.pool.query(
      `SELECT count(*)::int AS n FROM upload_slots WHERE person_key = 'staff:9'`,
    );
    expect(rows[0].n).toBe(1);
  });
});
