import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/index.ts';

/**
 * A pupil's "never publish" restriction (issue 15) against PostgreSQL: set by the roles the
 * policy names, honoured by every form of the consent check (cached, direct, in a publishing
 * transaction, the positions pages show), kept as history (append-only), audited without its
 * reason, and seen with its reason only by those who may set it.
 */
describe('never-publish restriction (real PostgreSQL)', () => {
  let ctx: TestContext;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const clock = fixedClock('2026-10-01T09:00:00Z');
  const PURPOSE = 'school_social_media';
  const REASON = 'Court order: adopted child, placement must not be traced';
  const as = (fx: SchoolFixture, role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: fx.staff[role].id,
    schoolId: fx.school.id,
    roles: [role],
    name: role,
  });
  const ask = (pupilId: string) => ({ pupilId, purpose: PURPOSE, mediaType: 'image' as const });

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'restrict-a', pupils: 6 }),
      createSchool(ctx.services, { slug: 'restrict-b', pupils: 2 }),
    ]);
    await grantConsentForAll(ctx.services, A);
  });
  afterAll(async () => ctx?.close());

  it('refuses the pupil in every consent check once the DSL restricts them, whatever the consent', async () => {
    const pupil = A.pupils[0]!.id;
    const other = A.pupils[1]!.id;
    // Warm the cache: allowed before.
    const [before] = await ctx.services.consent.mayMany(A.school.id, [ask(pupil)]);
    expect(before!.allowed).toBe(true);

    await ctx.services.consentRestrictions.set(as(A, 'dsl'), pupil, {
      restricted: true,
      reason: REASON,
    });

    const [cached, untouched] = await ctx.services.consent.mayMany(A.school.id, [
      ask(pupil),
      ask(other),
    ]);
    expect(cached).toMatchObject({ allowed: false, outcome: 'restricted', neverPublish: true });
    expect(cached!.reason).not.toContain('Court');
    expect(untouched!.allowed).toBe(true);
    // A named photo, a video, a past moment read straight from the database: all refused.
    const named = await ctx.services.consent.may({
      schoolId: A.school.id,
      ...ask(pupil),
      mediaType: 'video',
      named: true,
    });
    expect(named.allowed).toBe(false);
    const inTx = await ctx.services.database.transaction((tx) =>
      ctx.services.consent.mayManyInTransaction(tx.db, A.school.id, [ask(pupil)]),
    );
    expect(inTx.answers[0]).toMatchObject({ allowed: false, neverPublish: true });
    const positions = await ctx.services.consent.positions(A.school.id, [pupil]);
    const answers = [...positions.get(pupil)!.values()];
    expect(answers.length).toBeGreaterThan(1);
    expect(answers.every((a) => a.outcome === 'restricted' && !a.allowed)).toBe(true);
  });

  it('shows the reason only to those who may set it; others see only that it is restricted', async () => {
    const pupil = A.pupils[0]!.id;
    const dsl = await ctx.services.consentRestrictions.view(as(A, 'dsl'), pupil);
    expect(dsl).toMatchObject({ restricted: true, mayManage: true });
    expect(dsl.history![0]).toMatchObject({ restricted: true, reason: REASON });
    const teacher = await ctx.services.consentRestrictions.view(as(A, 'teacher'), pupil);
    expect(teacher).toMatchObject({ restricted: true, mayManage: false, history: null });
    expect(JSON.stringify(teacher)).not.toContain('Court');
    await expect(ctx.services.consentRestrictions.list(as(A, 'teacher'))).rejects.toThrow(
      NotFoundError,
    );
    const list = await ctx.services.consentRestrictions.list(as(A, 'headteacher'));
    expect(list.map((x) => [x.pupilId, x.reason])).toEqual([[pupil, REASON]]);
  });

  it('only the roles the policy names may set it; another school’s pupil is not there', async () => {
    const pupil = A.pupils[2]!.id;
    for (const role of ['teacher', 'office', 'dpo', 'business_manager'] as const) {
      await expect(
        ctx.services.consentRestrictions.set(as(A, role), pupil, { restricted: true, reason: 'x' }),
      ).rejects.toThrow(NotFoundError);
    }
    await expect(
      ctx.services.consentRestrictions.set(as(A, 'dsl'), B.pupils[0]!.id, {
        restricted: true,
        reason: 'x',
      }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      ctx.services.consentRestrictions.view(as(A, 'dsl'), B.pupils[0]!.id),
    ).rejects.toThrow(NotFoundError);
    await expect(
      ctx.services.consentRestrictions.set(as(A, 'dsl'), pupil, { restricted: true, reason: ' ' }),
    ).rejects.toThrow(ValidationError);
    const rows = await ctx.services.database.pool.query(
      'SELECT count(*)::int AS n FROM pupil_publication_restrictions WHERE pupil_id = $1',
      [pupil],
    );
    expect(rows.rows[0].n).toBe(0);
  });

  it('keeps its history (append-only), audits without the reason, and asks for takedowns', async () => {
    const pupil = A.pupils[0]!.id;
    const pool = ctx.services.database.pool;
    await expect(
      pool.query('UPDATE pupil_publication_restrictions SET restricted = false'),
    ).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM pupil_publication_restrictions')).rejects.toThrow(
      /append-only/,
    );
    const audit = await pool.query(
      "SELECT action, data FROM audit_events WHERE school_id = $1 AND action LIKE 'consent.publication-%'",
      [A.school.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['consent.publication-restricted']);
    expect(JSON.stringify(audit.rows)).not.toContain('Court');
    const events = await pool.query(
      "SELECT payload FROM domain_events WHERE school_id = $1 AND type = 'consent.changed' AND payload->>'periodKey' = 'restriction'",
      [A.school.id],
    );
    expect(events.rows).toHaveLength(1);
    const changes = events.rows[0].payload.changes as { before: boolean; after: boolean }[];
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.before && !c.after)).toBe(true);

    // The Headteacher lifts it: consent decides again; both records stay.
    await expect(
      ctx.services.consentRestrictions.set(as(A, 'headteacher'), pupil, {
        restricted: true,
        reason: 'again',
      }),
    ).rejects.toThrow(ValidationError);
    clock.set('2026-10-01T10:00:00Z');
    await ctx.services.consentRestrictions.set(as(A, 'headteacher'), pupil, {
      restricted: false,
      reason: 'Court order discharged',
    });
    const [after] = await ctx.services.consent.mayMany(A.school.id, [ask(pupil)]);
    expect(after!.allowed).toBe(true);
    const view = await ctx.services.consentRestrictions.view(as(A, 'headteacher'), pupil);
    expect(view.restricted).toBe(false);
    expect(view.history!.map((h) => h.restricted)).toEqual([false, true]);
    // Asked about a moment while it was in force, the check still refuses.
    const [past] = await ctx.services.consent.mayMany(A.school.id, [
      { ...ask(pupil), at: new Date('2026-10-01T09:30:00Z') },
    ]);
    expect(past).toMatchObject({ allowed: false, neverPublish: true });
  });

  it('a responsibility the policy names may set it too (a deputy DSL), with the reasons', async () => {
    const pupil = A.pupils[3]!.id;
    const head = { kind: 'staff' as const, id: A.staff.headteacher.id };
    const deputy = as(A, 'teacher');
    await ctx.services.responsibilities.give(A.school.id, head, {
      staffId: deputy.id,
      responsibilityKey: 'deputy_dsl',
    });
    // Holding it is not enough while the policy does not name it.
    await expect(
      ctx.services.consentRestrictions.set(deputy, pupil, { restricted: true, reason: 'x' }),
    ).rejects.toThrow(NotFoundError);
    const current = await ctx.services.policies.current(A.school.id);
    await ctx.services.policies.saveSettings(A.school.id, head, {
      values: { 'people.publicationRestrictionSetterResponsibilities': ['deputy_dsl'] },
      note: 'The deputy DSL may stop a pupil being published',
      expectedVersion: current.version,
    });
    await ctx.services.consentRestrictions.set(deputy, pupil, { restricted: true, reason: REASON });
    const view = await ctx.services.consentRestrictions.view(deputy, pupil);
    expect(view).toMatchObject({ restricted: true, mayManage: true });
    expect(view.history?.[0]?.reason).toBe(REASON);
    // Another teacher without it still sees only that the pupil is restricted.
    const other = { ...as(A, 'teacher'), id: A.staff.support_staff.id };
    expect(await ctx.services.consentRestrictions.view(other, pupil)).toMatchObject({
      restricted: true,
      mayManage: false,
      history: null,
    });
    // Naming a responsibility the school does not have is refused.
    const now = await ctx.services.policies.current(A.school.id);
    await expect(
      ctx.services.policies.saveSettings(A.school.id, head, {
        values: { 'people.publicationRestrictionSetterResponsibilities': ['no_such_thing'] },
        note: 'x',
        expectedVersion: now.version,
      }),
    ).rejects.toThrow(ValidationError);
    await ctx.services.consentRestrictions.set(as(A, 'dsl'), pupil, {
      restricted: false,
      reason: 'The order has ended',
    });
  });
});
