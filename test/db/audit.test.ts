import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool } from '../support/factories.ts';

describe('audit log (real PostgreSQL)', () => {
  let ctx: TestContext;
  let schoolId: string;

  beforeAll(async () => {
    ctx = await createTestServices();
    const fx = await createSchool(ctx.services, { pupils: 5 });
    schoolId = fx.school.id;
    for (let i = 0; i < 5; i++) {
      await ctx.services.database.transaction((tx) =>
        ctx.services.audit.record(tx, {
          schoolId,
          actor: { kind: 'system', id: null },
          action: 'test.thing-happened',
          entityType: 'thing',
          entityId: String(i),
          data: { i },
        }),
      );
    }
  });
  afterAll(async () => ctx?.close());

  it('verifies an untouched chain', async () => {
    const result = await ctx.services.audit.verify();
    expect(result).toMatchObject({ ok: true });
    expect(result.entries).toBeGreaterThanOrEqual(6);
  });

  it('rolls back with the change it records', async () => {
    const before = await ctx.services.audit.listForSchool(schoolId, {}, 1);
    await expect(
      ctx.services.database.transaction(async (tx) => {
        await ctx.services.audit.record(tx, {
          schoolId,
          actor: { kind: 'system', id: null },
          action: 'test.rolled-back',
          entityType: 'thing',
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await ctx.services.audit.listForSchool(schoolId, {}, 1);
    expect(after.total).toBe(before.total);
  });

  it('keeps sequence numbers gap-free under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ctx.services.database.transaction((tx) =>
          ctx.services.audit.record(tx, {
            schoolId,
            actor: { kind: 'system', id: null },
            action: 'test.concurrent',
            entityType: 'thing',
            data: { i },
          }),
        ),
      ),
    );
    expect((await ctx.services.audit.verify()).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const client = new pg.Client({ connectionString: ctx.database.url });
    await client.connect();
    try {
      await expect(
        client.query(`UPDATE audit_events SET action = 'x' WHERE school_id = $1`, [schoolId]),
      ).rejects.toThrow(/append-only/);
      await expect(
        client.query(`DELETE FROM audit_events WHERE school_id = $1`, [schoolId]),
      ).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });

  it('names the first broken entry when a stored row is edited directly', async () => {
    const client = new pg.Client({ connectionString: ctx.database.url });
    await client.connect();
    let tamperedId: number;
    try {
      // A superuser can switch the trigger off; verification must still notice.
      const { rows } = await client.query(
        `SELECT id FROM audit_events WHERE school_id = $1 AND action = 'test.thing-happened' ORDER BY seq LIMIT 1 OFFSET 2`,
        [schoolId],
      );
      tamperedId = Number(rows[0].id);
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await client.query(`UPDATE audit_events SET data = '{"i": 99}' WHERE id = $1`, [tamperedId]);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const result = await ctx.services.audit.verify();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.broken.id).toBe(tamperedId);
      expect(result.broken.reason).toMatch(/changed/);
    }
  });
});
