import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { oneFace } from '../support/publishing.ts';
import { raceWithdrawalAgainstPublish } from '../support/publishing-race.ts';

/**
 * A withdrawal committed before the publish transaction always wins (SPEC §3.5, ADR 0009):
 * 200 races of a withdrawal against a publish, with zero publications made by a transaction
 * that saw the withdrawal. Both outcomes must occur, so the race is real.
 */
describe('publish against withdrawal (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices({ faces: oneFace });
    fx = await createSchool(ctx.services, { pupils: 3 });
    await grantConsentForAll(ctx.services, fx);
  });
  afterAll(async () => ctx?.close());

  it('finds zero publications after a committed withdrawal in 200 races', async () => {
    const r = await raceWithdrawalAgainstPublish(ctx.services, fx, { trials: 200 });
    console.log(`publish/withdrawal race: ${JSON.stringify(r)}`);
    expect(r.trials).toBe(200);
    expect(r.violations).toBe(0);
    expect(r.withdrawalWon).toBeGreaterThan(0);
    expect(r.publishedFirst).toBeGreaterThan(0);
    expect(r.publishedFirst + r.withdrawalWon).toBe(200);
  }, 240_000);
});
