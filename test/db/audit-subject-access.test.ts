/**
 * A subject access request's audit entries on real PostgreSQL (issue 16 item 5): found through
 * `audit_events_people_idx` (migration 0059), they are exactly the entries the older
 * `entity_id = id or actor_id = id or strpos(data::text, id) > 0` found — the person as subject,
 * as actor, or named anywhere in the data however deep, inside a longer string, as a key, or
 * glued to other hex — and the hash chain still verifies (the index adds nothing to the rows).
 */
import crypto from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { auditAboutPerson } from '../../src/modules/audit/index.ts';
import type { AuditEntry } from '../../src/modules/audit/audit.service.ts';

describe('audit entries about a person (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  const person = crypto.randomUUID();
  const someone = crypto.randomUUID();
  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;
  /** The older statement, verbatim: what the index must agree with. */
  const byStrpos = async (schoolId: string, id: string) =>
    (
      await q(
        `SELECT seq FROM audit_events WHERE school_id = $1
         AND (entity_id = $2 OR actor_id = $2 OR strpos(data::text, $2) > 0) ORDER BY seq`,
        [schoolId, id],
      )
    ).map((r) => Number(r.seq));
  const record = (entry: AuditEntry) =>
    ctx.services.database.transaction((tx) => ctx.services.audit.record(tx, entry));
  const system = { kind: 'system' as const, id: null };

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 1 }),
      createSchool(ctx.services, { pupils: 1 }),
    ]);
    const s = fx.school.id;
    const e = (action: string, over: Partial<AuditEntry>): AuditEntry => ({
      schoolId: s,
      actor: system,
      action: `test.${action}`,
      entityType: 'thing',
      ...over,
    });
    // Found: each names the person one way.
    await record(e('subject', { entityType: 'pupil', entityId: person }));
    await record(e('actor', { actor: { kind: 'parent', id: person } }));
    await record(e('top', { data: { pupilId: person } }));
    await record(
      e('deep', { data: { changes: { from: { people: [{ id: someone }, { id: person }] } } } }),
    );
    await record(e('in-array', { data: { pupilIds: [someone, person, crypto.randomUUID()] } }));
    await record(e('in-text', { data: { key: `media/${s}/${person}.jpg`, chain: `x:${person}` } }));
    await record(e('as-key', { data: { consents: { [person]: 'given' } } }));
    // The person's id starting inside another UUID-shaped run (its last group's last 8 hex).
    await record(e('glued', { data: { token: `aaaaaaaa-bbbb-cccc-dddd-eeee${person}` } }));
    await record(
      e('twice', { entityId: person, actor: { kind: 'staff', id: person }, data: { p: person } }),
    );
    // Not found: someone else, an uppercase copy (strpos never found it), the id cut short.
    await record(e('else', { entityId: someone, data: { pupilId: someone } }));
    await record(e('upper', { data: { pupilId: person.toUpperCase() } }));
    await record(e('short', { data: { pupilId: person.slice(0, 35) } }));
    await record(e('nothing', { data: {} }));
    // Other chains naming the person: another school's, and the global one.
    await record({
      ...e('other-school', { data: { pupilId: person } }),
      schoolId: other.school.id,
    });
    await record({ ...e('global', { data: { pupilId: person } }), schoolId: null });
  });
  afterAll(async () => ctx?.close());

  it('finds exactly the entries the older statement found, however deep the id is', async () => {
    const found = await auditAboutPerson(ctx.services.database.db, fx.school.id, person);
    expect(found.map((r) => r.action)).toEqual([
      'test.subject',
      'test.actor',
      'test.top',
      'test.deep',
      'test.in-array',
      'test.in-text',
      'test.as-key',
      'test.glued',
      'test.twice',
    ]);
    expect(found.map((r) => r.seq)).toEqual(await byStrpos(fx.school.id, person));
    for (const [school, id] of [
      [fx.school.id, someone],
      [other.school.id, person],
      [fx.school.id, crypto.randomUUID()],
      [fx.school.id, fx.staff.dsl.id],
    ] as const)
      expect(
        (await auditAboutPerson(ctx.services.database.db, school, id)).map((r) => r.seq),
      ).toEqual(await byStrpos(school, id));
  });

  it('agrees with the older statement for every id in the school’s log', async () => {
    const ids = (
      await q(
        `SELECT DISTINCT m[1] AS id FROM audit_events,
           regexp_matches(data::text || ' ' || coalesce(entity_id, '') || ' ' || coalesce(actor_id, ''),
             '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', 'g') AS m
         WHERE school_id = $1`,
        [fx.school.id],
      )
    ).map((r) => r.id as string);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (const id of ids)
      expect(
        (await auditAboutPerson(ctx.services.database.db, fx.school.id, id)).map((r) => r.seq),
        id,
      ).toEqual(await byStrpos(fx.school.id, id));
  });

  it('reads the people index, not the school’s log (EXPLAIN), and the chain still verifies', async () => {
    expect(await ctx.services.audit.verify()).toMatchObject({ ok: true });
    const client = await ctx.services.database.pool.connect();
    try {
      await client.query('BEGIN');
      // A school's log of 20,000 entries (rolled back: their hashes are not real), analysed.
      await client.query(
        `INSERT INTO audit_events (chain, seq, school_id, occurred_at, actor_kind, actor_id, action,
           entity_type, entity_id, data, prev_hash, hash)
         SELECT 'bulk', g, $1, now(), 'staff', gen_random_uuid()::text, 'test.bulk', 'pupil',
           gen_random_uuid()::text, jsonb_build_object('pupilIds', jsonb_build_array(gen_random_uuid())), '', ''
         FROM generate_series(1, 20000) g`,
        [fx.school.id],
      );
      await client.query('ANALYZE audit_events');
      const sent: { text: string; values: unknown[] }[] = [];
      const query = client.query.bind(client);
      // The repository's own statement, as Drizzle sends it on this client.
      client.query = ((config: unknown, values?: unknown) => {
        if (config && typeof config === 'object' && 'text' in config)
          sent.push({ text: String(config.text), values: (values as unknown[]) ?? [] });
        return (query as (...a: unknown[]) => unknown)(config, values);
      }) as typeof client.query;
      const found = await auditAboutPerson(drizzle(client), fx.school.id, person);
      client.query = query;
      expect(found).toHaveLength(9);
      const plan = (
        await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sent[0]!.text}`, sent[0]!.values)
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/Bitmap Index Scan on audit_events_people_idx/);
      expect(plan).not.toMatch(/Seq Scan/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
