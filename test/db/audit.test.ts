import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool } from '../support/factories.ts';
import { jobHandlers, jobSchedules } from '../../src/container.ts';
import { CHECKPOINT_LOCK } from '../../src/modules/audit/audit-checkpoints.ts';

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

describe('audit checkpoints: deleting the newest entries is detected (real PostgreSQL)', () => {
  let ctx: TestContext;
  let schoolId: string;
  let chain: string;

  /** As a superuser who switches the append-only trigger off for the statement. */
  async function asSuperuser(sql: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: ctx.database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      const r = await client.query(sql, params);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
      await client.query('COMMIT');
      return r;
    } finally {
      await client.end();
    }
  }

  async function write(n: number) {
    for (let i = 0; i < n; i++) {
      await ctx.services.database.transaction((tx) =>
        ctx.services.audit.record(tx, {
          schoolId,
          actor: { kind: 'system', id: null },
          action: 'test.thing-happened',
          entityType: 'thing',
          data: { i },
        }),
      );
    }
  }

  const headSeq = async () =>
    Number(
      (
        await ctx.services.database.pool.query<{ s: string }>(
          'SELECT max(seq) AS s FROM audit_events WHERE chain = $1',
          [chain],
        )
      ).rows[0]!.s,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    const fx = await createSchool(ctx.services, { pupils: 3 });
    schoolId = fx.school.id;
    chain = `school:${schoolId}`;
    await write(10);
  });
  afterAll(async () => ctx?.close());

  it('writes a signed checkpoint of every chain to the file store, and verify uses it', async () => {
    const before = await ctx.services.audit.verify();
    expect(before).toMatchObject({ ok: true, checkpoint: null });
    expect(before.notes.join()).toMatch(/no checkpoint yet/);

    const c = await ctx.services.audit.checkpoint('manual');
    expect(c).not.toBeNull();
    const head = c!.chains.find((h) => h.chain === chain)!;
    expect(head.seq).toBe(await headSeq());
    expect(head.entries).toBe(head.seq);
    const keys: string[] = [];
    for await (const f of ctx.platform.files.list('audit/checkpoints')) keys.push(f.key);
    expect(keys.sort()).toEqual([
      expect.stringMatching(/^audit\/checkpoints\/\d{4}-\d{2}\/\d{2}\.jsonl$/),
      'audit/checkpoints/latest.json',
    ]);

    await write(2); // entries after a checkpoint are fine
    const after = await ctx.services.audit.verify();
    expect(after).toMatchObject({ ok: true, checkpoint: { number: 1 } });
    expect(await ctx.services.audit.lastCheckpointFor(schoolId)).toEqual({
      at: new Date(c!.at),
      entries: head.entries,
    });
  });

  it('is written by the hourly job, which gives way while a backup holds the lock', async () => {
    expect(jobSchedules).toContainEqual({ name: 'audit.checkpoint', cron: '0 * * * *' });
    const before = await ctx.services.audit.verify();
    await jobHandlers(ctx.services)['audit.checkpoint']({}, 'job-1');
    const after = await ctx.services.audit.verify();
    expect(after.checkpoint!.number).toBe(before.checkpoint!.number + 1);

    // A backup takes this lock for its whole run and writes its own checkpoint.
    const holder = new pg.Client({ connectionString: ctx.database.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [CHECKPOINT_LOCK]);
      expect(await ctx.services.audit.checkpoint()).toBeNull();
    } finally {
      await holder.end();
    }
    expect((await ctx.services.audit.verify()).checkpoint!.number).toBe(after.checkpoint!.number);
  });

  it('names the missing range when the newest entries are deleted', async () => {
    const c = await ctx.services.audit.checkpoint();
    const head = c!.chains.find((h) => h.chain === chain)!;
    await asSuperuser('DELETE FROM audit_events WHERE chain = $1 AND seq > $2', [
      chain,
      head.seq - 3,
    ]);
    // The chain left behind is whole: without the checkpoint it would verify.
    const result = await ctx.services.audit.verify();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.broken).toMatchObject({
      id: null,
      chain,
      seq: head.seq - 2,
      missing: { from: head.seq - 2, to: head.seq },
    });
    expect(result.broken.reason).toContain(`entries after sequence ${head.seq - 3} are missing`);
    expect(result.broken.reason).toContain(`sequences ${head.seq - 2} to ${head.seq} are gone`);
  });

  it('notices a chain rebuilt to the same length, and a checkpoint file edited', async () => {
    // Put back three entries with a correctly computed hash chain: the content differs from what
    // the checkpoint recorded, so the head hash does not match.
    await write(3);
    const rewritten = await ctx.services.audit.verify();
    expect(rewritten.ok).toBe(false);
    if (!rewritten.ok) expect(rewritten.broken.reason).toMatch(/the chain was rewritten/);

    // Someone who can write files but lacks SESSION_SECRET edits the newest checkpoint's count.
    const keys: string[] = [];
    for await (const f of ctx.platform.files.list('audit/checkpoints')) keys.push(f.key);
    const day = keys.find((k) => k.endsWith('.jsonl'))!;
    const text = (await ctx.platform.files.read(day)).toString('utf8');
    const lines = text.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as { chains: { seq: number }[] };
    for (const h of last.chains) h.seq -= 3;
    lines[lines.length - 1] = JSON.stringify(last);
    const temp = await ctx.platform.files.writeTemp(Buffer.from(`${lines.join('\n')}\n`));
    await ctx.platform.files.commit(temp.name, day);
    const edited = await ctx.services.audit.verify();
    expect(edited.ok).toBe(false);
    if (!edited.ok) {
      expect(edited.broken.chain).toBe('checkpoints');
      expect(edited.broken.reason).toMatch(/checkpoint \d+ .* was altered/);
    }
  });
});
