import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { AcknowledgementsService } from '../../src/modules/acknowledgements/acknowledgements.service.ts';
import { AcknowledgementsRepository } from '../../src/modules/acknowledgements/acknowledgements.repository.ts';
import type { AuditService } from '../../src/modules/audit/index.ts';
import { VersionKindsRepository } from '../../src/modules/acknowledgements/version-kinds.repository.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves to 'pending' if the promise has not settled within `ms`. */
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<'pending' | 'settled'> {
  return Promise.race([p.then(() => 'settled' as const), sleep(ms).then(() => 'pending' as const)]);
}

describe('policy acknowledgements (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let version = 1;

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 2 }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
  });
  afterAll(async () => ctx?.close());

  const publish = async (days: string) => {
    const result = await ctx.services.policies.updateSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        answers: { 'review.reminderDaysBefore': days },
        note: `Reminder ${days} days`,
        expectedVersion: version,
      },
    );
    version = result.version;
    return result;
  };

  const versionRows = async () =>
    (
      await ctx.platform.database.pool.query<{ id: string; version: number }>(
        'SELECT id, version FROM policy_profile_versions WHERE school_id = $1',
        [fx.school.id],
      )
    ).rows;

  it('records the current version once, audited, and answers hasAcknowledgedCurrent', async () => {
    const acks = ctx.services.acknowledgements;
    const teacher = fx.staff.teacher.id;
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, teacher)).toBe(false);
    const first = await acks.acknowledge({ kind: 'staff', id: teacher, schoolId: fx.school.id });
    expect(first).toEqual({ version: 1, already: false });
    const again = await acks.acknowledge({ kind: 'staff', id: teacher, schoolId: fx.school.id });
    expect(again).toEqual({ version: 1, already: true });
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, teacher)).toBe(true);
    // Scoped by school: the same person id is unknown in another school.
    expect(await acks.hasAcknowledgedCurrent(other.school.id, teacher)).toBe(false);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'acknowledgements.policy-acknowledged' },
      10,
    );
    expect(audit.total).toBe(1);
    const rows = await versionRows();
    const history = await acks.history(fx.school.id, 'staff', teacher);
    expect(history).toHaveLength(1);
    expect(history[0]!.policyVersionId).toBe(rows.find((r) => r.version === 1)!.id);

    // A new version: the earlier acknowledgement is kept but no longer current.
    await publish('40');
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, teacher)).toBe(false);
    expect(await acks.history(fx.school.id, 'staff', teacher)).toHaveLength(1);
  });

  it('is append-only: the table has no update path and the row keeps its version', async () => {
    const pool = ctx.platform.database.pool;
    const before = await pool.query('SELECT * FROM policy_acknowledgements WHERE school_id = $1', [
      fx.school.id,
    ]);
    const acks = ctx.services.acknowledgements;
    await acks.acknowledge({ kind: 'staff', id: fx.staff.teacher.id, schoolId: fx.school.id });
    const after = await pool.query(
      'SELECT * FROM policy_acknowledgements WHERE school_id = $1 ORDER BY acknowledged_at',
      [fx.school.id],
    );
    expect(after.rows).toHaveLength(before.rows.length + 1);
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  it('a version published while an acknowledgement waits is the one recorded', async () => {
    // A publication in progress holds the profile row FOR UPDATE (as updateSettings does) and
    // has written the next version; the acknowledgement must wait and then record that version.
    const client = new pg.Client({ connectionString: ctx.database.url });
    await client.connect();
    const dsl = fx.staff.dsl.id;
    try {
      await client.query('BEGIN');
      const profile = await client.query<{ id: string; current_version: number }>(
        'SELECT id, current_version FROM policy_profiles WHERE school_id = $1 FOR UPDATE',
        [fx.school.id],
      );
      const next = profile.rows[0]!.current_version + 1;
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO policy_profile_versions (school_id, profile_id, version, settings, change_note)
         SELECT school_id, profile_id, $2, settings, 'race' FROM policy_profile_versions
         WHERE school_id = $1 AND version = $3 RETURNING id`,
        [fx.school.id, next, next - 1],
      );
      await client.query('UPDATE policy_profiles SET current_version = $2 WHERE id = $1', [
        profile.rows[0]!.id,
        next,
      ]);
      const ack = ctx.services.acknowledgements.acknowledge({
        kind: 'staff',
        id: dsl,
        schoolId: fx.school.id,
      });
      expect(await settledWithin(ack, 300)).toBe('pending');
      await client.query('COMMIT');
      const result = await ack;
      expect(result.version).toBe(next);
      const [row] = await ctx.services.acknowledgements.history(fx.school.id, 'staff', dsl);
      expect(row!.policyVersion).toBe(next);
      expect(row!.policyVersionId).toBe(inserted.rows[0]!.id);
      version = next;
    } finally {
      await client.end();
    }
  });

  it('a publication waits for an acknowledgement under way, which keeps the version before it', async () => {
    // An acknowledgement paused inside its transaction (after its insert, in the audit write):
    // the Headteacher's new version must wait for it, so the acknowledgement recorded is of the
    // version that was current when it committed.
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
    const before = version;
    const ack = slow.acknowledge({ kind: 'staff', id: fx.staff.dpo.id, schoolId: fx.school.id });
    await reached;
    const publication = publish('33');
    expect(await settledWithin(publication, 300)).toBe('pending');
    release();
    const [a, p] = await Promise.all([ack, publication]);
    expect(a.version).toBe(before);
    expect(p.version).toBe(before + 1);
    const [row] = await ctx.services.acknowledgements.history(
      fx.school.id,
      'staff',
      fx.staff.dpo.id,
    );
    const rows = await versionRows();
    expect(row!.policyVersionId).toBe(rows.find((r) => r.version === before)!.id);
    expect(
      await ctx.services.acknowledgements.hasAcknowledgedCurrent(fx.school.id, fx.staff.dpo.id),
    ).toBe(false);
  });

  it('many acknowledgements racing a publication each record a real version, id and number agreeing', async () => {
    const staffIds = Object.values(fx.staff).map((s) => s.id);
    const start = version;
    const results = await Promise.all([
      ...staffIds.map((id) =>
        ctx.services.acknowledgements.acknowledge({ kind: 'staff', id, schoolId: fx.school.id }),
      ),
      publish('21'),
    ]);
    expect(results).toHaveLength(staffIds.length + 1);
    const pool = ctx.platform.database.pool;
    const mismatched = await pool.query(
      `SELECT a.id FROM policy_acknowledgements a JOIN policy_profile_versions v ON v.id = a.policy_version_id
       WHERE a.school_id = $1 AND (v.version <> a.policy_version OR v.school_id <> a.school_id)`,
      [fx.school.id],
    );
    expect(mismatched.rows).toHaveLength(0);
    const recent = await pool.query<{ policy_version: number }>(
      `SELECT policy_version FROM policy_acknowledgements WHERE school_id = $1 AND policy_version >= $2`,
      [fx.school.id, start],
    );
    for (const r of recent.rows) expect([start, start + 1]).toContain(r.policy_version);
  });
});
