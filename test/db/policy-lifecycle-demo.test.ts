import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';

/** The demo's policy lifecycle at Oakfield (src/demo/policy-lifecycle-seed.ts). */
describe('demo: Oakfield’s reviewed policy with acknowledgements in progress', () => {
  let ctx: TestContext;
  let schoolId: string;
  beforeAll(async () => {
    ctx = await createTestServices();
    await seedDemoSchool(ctx.services);
    schoolId = (await ctx.services.peopleDirectory.getSchoolBySlug(
      ctx.services.database.db,
      'oakfield-primary',
    ))!.id;
  });
  afterAll(async () => ctx?.close());

  it('has an approved review naming the substantive version it published, and people still to acknowledge', async () => {
    const current = await ctx.services.policies.current(schoolId);
    const reviews = await ctx.services.policyReviews.list(schoolId);
    expect(reviews).toHaveLength(1);
    const review = reviews[0]!;
    expect(review.versions).toEqual([current.version]);
    expect(review.approvedAt).not.toBeNull();
    expect(current.nextReviewDate).toBe(review.nextReviewDate);
    expect(await ctx.services.acknowledgements.requiredVersion(schoolId)).toBe(current.version);
    const missing = await ctx.services.acknowledgementRounds.whoIsMissing(schoolId);
    expect(missing.staffAsked - missing.staff.length).toBe(3);
    expect(missing.staff.length).toBeGreaterThan(3);
    // Earlier acknowledgements are kept, marked superseded.
    const superseded = await ctx.platform.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM policy_acknowledgement_supersessions WHERE school_id = $1',
      [schoolId],
    );
    expect(superseded.rows[0]!.n).toBeGreaterThan(5);
    const diff = await ctx.services.policyText.diffAt(schoolId, current.version);
    expect(diff!.clauses.map((c) => c.kind)).toEqual(['added']);
  });
});
