import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { AcknowledgementsService } from '../../src/modules/acknowledgements/acknowledgements.service.ts';
import { AcknowledgementsRepository } from '../../src/modules/acknowledgements/acknowledgements.repository.ts';
import { VersionKindsRepository } from '../../src/modules/acknowledgements/version-kinds.repository.ts';
import type { AuditService } from '../../src/modules/audit/index.ts';
import type { StaffRole } from '../../src/modules/auth/principal.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<'pending' | 'settled'> {
  return Promise.race([p.then(() => 'settled' as const), sleep(ms).then(() => 'pending' as const)]);
}

/** Issue 16 item 2 on real PostgreSQL: supersession, and the version recorded under a race. */
describe('policy text versions and acknowledgements (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let edits = 0;

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 2 });
  });
  afterAll(async () => ctx?.close());

  const head = () => ({ kind: 'staff' as const, id: fx.staff.headteacher.id });
  /** Publishes the text with one more sentence in clause 9.1, substantive or minor. */
  const publishText = async (substantive: boolean) => {
    const { text } = await ctx.services.policyText.textOf(fx.school.id);
    const clause = text.sections.flatMap((s) => s.clauses).find((c) => c.id === '9.1')!;
    clause.text = `${clause.text} Edit ${++edits}.`;
    const current = await ctx.services.policies.current(fx.school.id);
    return ctx.services.policyText.publish(fx.school.id, head(), {
      text,
      note: `Edit ${edits}`,
      substantive,
      expectedVersion: current.version,
    });
  };
  const ack = (role: StaffRole) =>
    ctx.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: fx.staff[role].id,
      schoolId: fx.school.id,
    });
  const live = async (role: StaffRole) =>
    (
      await ctx.platform.database.pool.query<{ version: number; superseded: boolean }>(
        `SELECT a.policy_version AS version, s.acknowledgement_id IS NOT NULL AS superseded
           FROM policy_acknowledgements a
           LEFT JOIN policy_acknowledgement_supersessions s ON s.acknowledgement_id = a.id
          WHERE a.school_id = $1 AND a.person_id = $2 ORDER BY a.policy_version`,
        [fx.school.id, fx.staff[role].id],
      )
    ).rows;

  it('keeps the text per version, supersedes on a substantive version and not on a minor one', async () => {
    await ack('teacher');
    await ack('governor');
    const v2 = await publishText(true);
    expect(v2.version).toBe(2);
    expect(v2.diff.wordsAdded).toBe(2);
    expect(await live('teacher')).toEqual([{ version: 1, superseded: true }]);
    expect(
      await ctx.services.acknowledgements.hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id),
    ).toBe(false);
    // Version 1's text is still version 1's.
    const v1 = await ctx.services.policyText.textOf(fx.school.id, 1);
    expect(JSON.stringify(v1.text)).not.toContain('Edit 1.');
    expect(JSON.stringify((await ctx.services.policyText.textOf(fx.school.id)).text)).toContain(
      'Edit 1.',
    );
    await ack('teacher');
    const v3 = await publishText(false);
    expect(v3.version).toBe(3);
    // Minor: the acknowledgement of version 2 still counts, not superseded; the governor's
    // acknowledgement of version 1 stays superseded (kept).
    expect(await live('teacher')).toEqual([
      { version: 1, superseded: true },
      { version: 2, superseded: false },
    ]);
    expect(await ctx.services.acknowledgements.requiredVersion(fx.school.id)).toBe(2);
    expect(
      await ctx.services.acknowledgements.hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id),
    ).toBe(true);
    expect(await live('governor')).toEqual([{ version: 1, superseded: true }]);
    // Append-only: nothing in policy_acknowledgements was changed or removed.
    const all = await ctx.platform.database.pool.query(
      'SELECT count(*)::int AS n FROM policy_acknowledgements WHERE school_id = $1',
      [fx.school.id],
    );
    expect(all.rows[0].n).toBe(3);
    // The audit log says what happened.
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'policy.text-published' },
      10,
    );
    expect(audit.total).toBe(2);
  });

  for (const substantive of [true, false]) {
    it(`records the version current at commit when a ${substantive ? 'substantive' : 'minor'} version is published at the same moment`, async () => {
      let release!: () => void;
      let paused!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const reached = new Promise<void>((r) => (paused = r));
      const audit = {
        record: async (...args: Parameters<AuditService['record']>) => {
          paused();
          await gate;
          return ctx.services.audit.record(...args);
        },
      } as unknown as AuditService;
      const slow = new AcknowledgementsService({
        database: ctx.platform.database,
        repository: new AcknowledgementsRepository(),
        audit,
        clock: ctx.platform.clock,
        policies: ctx.services.policies,
        kinds: new VersionKindsRepository(),
      });
      const role: StaffRole = substantive ? 'dpo' : 'office';
      const before = (await ctx.services.policies.current(fx.school.id)).version;
      const a = slow.acknowledge({ kind: 'staff', id: fx.staff[role].id, schoolId: fx.school.id });
      await reached;
      const publication = publishText(substantive);
      // The publication waits for the acknowledgement's shared lock on the profile row.
      expect(await settledWithin(publication, 300)).toBe('pending');
      release();
      const [acked, published] = await Promise.all([a, publication]);
      expect(acked.version).toBe(before);
      expect(published.version).toBe(before + 1);
      // Substantive: the acknowledgement of the version before is kept, marked superseded, and
      // the person is asked again. Minor: it still counts.
      expect(await live(role)).toEqual([{ version: before, superseded: substantive }]);
      expect(
        await ctx.services.acknowledgements.hasAcknowledgedCurrent(fx.school.id, fx.staff[role].id),
      ).toBe(!substantive);
    });
  }

  it('ten acknowledgements racing a substantive version: none of the old version is left counting', async () => {
    const roles: StaffRole[] = [
      'headteacher',
      'dsl',
      'business_manager',
      'ict_technician',
      'support_staff',
      'volunteer',
      'governor',
      'teacher',
      'office',
      'dpo',
    ];
    const before = (await ctx.services.policies.current(fx.school.id)).version;
    const results = await Promise.all([
      ...roles.map((r) => ack(r).then((x) => ({ role: r, ...x }))),
      publishText(true).then(() => null),
    ]);
    for (const r of results) {
      if (!r) continue;
      const rows = await live(r.role);
      const newest = rows[rows.length - 1]!;
      expect([before, before + 1]).toContain(newest.version);
      // Either it was of the new version (counts), or of the old one (superseded), never an old
      // one still counting.
      expect(newest.superseded).toBe(newest.version === before);
      expect(
        await ctx.services.acknowledgements.hasAcknowledgedCurrent(
          fx.school.id,
          fx.staff[r.role].id,
        ),
      ).toBe(newest.version === before + 1);
    }
  });
});
