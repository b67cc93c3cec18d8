import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  createTestServices,
  type TestContext,
  type TestDatabase,
} from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { createPlatform, createServices, type Platform } from '../../src/container.ts';
import { backup, BackupError, restore, SKIPPED_TABLES } from '../../src/platform/db/backup.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { pdfScanWithAuthor } from '../support/scan-fixtures.ts';

/**
 * `lanyard backup` / `lanyard restore` against PostgreSQL: every table and file comes back exactly
 * (row for row, byte for byte), the audit chain still verifies and goes on, and a restore that
 * cannot finish — into a database that is not empty, from a damaged file — changes nothing.
 */
describe('backup and restore (real PostgreSQL)', () => {
  let ctx: TestContext;
  let A: SchoolFixture;
  const clock = fixedClock('2026-10-01T09:00:00Z');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-backup-test-'));
  const file = path.join(work, 'lanyard.backup');
  const targets: { database: TestDatabase; platform: Platform; dataDir: string }[] = [];

  /** An empty Lanyard (fresh database and data folder), as `restore` expects. */
  async function emptyLanyard() {
    const database = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
    const platform = await createPlatform(
      { ...ctx.config, databaseUrl: database.url, dataDir },
      { supervise: false, mailSink: ctx.sink, clock },
    );
    targets.push({ database, platform, dataDir });
    return { platform, services: createServices(platform) };
  }

  /** Each table's rows as one digest, in a stable order. */
  async function digest(platform: Platform): Promise<Record<string, string>> {
    const pool = platform.database.pool;
    const { rows: tables } = await pool.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'
       AND NOT (tablename = ANY($1)) ORDER BY tablename`,
      [[...SKIPPED_TABLES]],
    );
    const out: Record<string, string> = {};
    for (const t of tables) {
      const { rows } = await pool.query<{ d: string | null; n: string }>(
        `SELECT md5(string_agg(j, E'\\n' ORDER BY j)) AS d, count(*) AS n
         FROM (SELECT row_to_json(digest_row)::text AS j FROM public."${t.name}" digest_row) r`,
      );
      out[t.name] = `${rows[0]!.n}:${rows[0]!.d ?? ''}`;
    }
    return out;
  }

  async function filesOf(platform: Platform): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for await (const f of platform.files.list()) {
      out[f.key] = (await platform.files.read(f.key)).toString('base64');
    }
    return out;
  }

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    A = await createSchool(ctx.services, { slug: 'backup-a', pupils: 10 });
    await createSchool(ctx.services, { slug: 'backup-b', pupils: 4 });
    await grantConsentForAll(ctx.services, A);
    const pupilId = A.pupils[1]!.id;
    const parentId = (
      await ctx.services.database.pool.query<{ parent_id: string }>(
        'SELECT parent_id FROM pupil_parents WHERE pupil_id = $1 AND parental_responsibility LIMIT 1',
        [pupilId],
      )
    ).rows[0]!.parent_id;
    clock.set('2026-10-02T09:00:00Z');
    await ctx.services.consent.record(
      {
        schoolId: A.school.id,
        pupilId,
        decider: { kind: 'parent', parentId },
        decisions: { 'school_social_media/image': 'refused' },
        method: 'letter',
        kind: 'withdrawal',
        decidedOn: '2026-10-01',
        evidence: { data: await pdfScanWithAuthor(), filename: 'letter.pdf' },
      },
      { kind: 'staff', id: A.staff.office.id },
    );
  });
  afterAll(async () => {
    for (const t of targets) {
      await t.platform.close();
      await t.database.drop();
    }
    await ctx?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes every table and file, and restores them exactly into an empty Lanyard', async () => {
    const summary = await backup(ctx.platform.database.pool, ctx.platform.files, file, {
      checkpoint: ctx.services.audit.backupCheckpoint(),
    });
    expect(summary.tables.consent_records).toBeGreaterThan(10);
    expect(summary.tables.audit_events).toBeGreaterThan(10);
    expect(summary.tables).not.toHaveProperty('sessions');
    // Throttling state holds client addresses: never in a backup.
    expect(summary.tables).not.toHaveProperty('sign_in_attempts');
    expect(summary.tables).not.toHaveProperty('rate_limit_hits');
    // The evidence scan, and the audit checkpoint the backup wrote (its day file and latest.json).
    expect(summary.files).toBe(3);
    await expect(backup(ctx.platform.database.pool, ctx.platform.files, file)).rejects.toThrow(
      /already exists/,
    );
    // The backup carries a checkpoint of the chains exactly as they are in its rows.
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
    const cp = JSON.parse(lines[1]!) as [string, { reason: string; chains: { entries: number }[] }];
    expect(cp[0]).toBe('audit-checkpoint');
    expect(cp[1].reason).toBe('backup');
    expect(cp[1].chains.reduce((a, h) => a + h.entries, 0)).toBe(summary.tables.audit_events);

    const target = await emptyLanyard();
    const restored = await restore(target.platform.database.pool, target.platform.files, file, {
      checkpoint: target.services.audit.backupCheckpoint(),
    });
    expect(restored.tables).toEqual(summary.tables);
    expect(await digest(target.platform)).toEqual(await digest(ctx.platform));
    expect(await filesOf(target.platform)).toEqual(await filesOf(ctx.platform));
    // The checkpoint came back with the files, and the restored chains reach it.
    expect(await target.services.audit.verify(() => undefined)).toMatchObject({
      ok: true,
      checkpoint: { entries: summary.tables.audit_events },
    });

    // The restored Lanyard carries on: the same check answers, new records and audit entries.
    const check = (services: typeof target.services) =>
      services.consent.mayMany(
        A.school.id,
        A.pupils.map((p) => ({
          pupilId: p.id,
          purpose: 'school_social_media',
          mediaType: 'image' as const,
        })),
      );
    expect(await check(target.services)).toEqual(await check(ctx.services));
    await target.services.consent.assessCompetence(
      {
        schoolId: A.school.id,
        pupilId: A.pupils[2]!.id,
        competent: false,
        assessedOn: '2026-10-02',
      },
      { staffId: A.staff.dpo.id },
    );
    expect(await target.services.audit.verify(() => undefined)).toMatchObject({ ok: true });

    // On the restored copy, deleting the newest entries is still caught by the restored checkpoint.
    const admin = new pg.Client({ connectionString: target.platform.database.url });
    await admin.connect();
    await admin.query('BEGIN');
    await admin.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    await admin.query(
      `DELETE FROM audit_events WHERE chain = $1 AND seq > (SELECT max(seq) - 2 FROM audit_events WHERE chain = $1)`,
      [`school:${A.school.id}`],
    );
    await admin.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    await admin.query('COMMIT');
    await admin.end();
    const truncated = await target.services.audit.verify(() => undefined);
    expect(truncated.ok).toBe(false);
    if (!truncated.ok)
      expect(truncated.broken.reason).toMatch(/entries after sequence \d+ are missing/);
  });

  it('refuses a backup whose audit rows do not match its own checkpoint', async () => {
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
    // Drop the newest audit entry of school A from the rows, keeping the counts consistent.
    const chain = `school:${A.school.id}`;
    const audit = lines
      .map((l, i) => ({ l, i }))
      .filter(
        ({ l }) =>
          l.startsWith('{') && l.includes(`"chain":"${chain}"`) && l.includes('"prev_hash"'),
      );
    const newest = audit.reduce((a, b) =>
      (JSON.parse(a.l) as { seq: number }).seq > (JSON.parse(b.l) as { seq: number }).seq ? a : b,
    );
    lines.splice(newest.i, 1);
    const endAt = lines.findIndex((l) => l.startsWith('["end"'));
    const end = JSON.parse(lines[endAt]!) as [string, { tables: Record<string, number> }];
    end[1].tables.audit_events! -= 1;
    lines[endAt] = JSON.stringify(end);
    const cut = path.join(work, 'cut-audit.backup');
    fs.writeFileSync(cut, zlib.gzipSync(lines.join('\n')));
    const target = await emptyLanyard();
    const empty = await digest(target.platform);
    await expect(
      restore(target.platform.database.pool, target.platform.files, cut, {
        checkpoint: target.services.audit.backupCheckpoint(),
      }),
    ).rejects.toThrow(
      /The backup is damaged: audit chain school:.* has \d+ entries but the backup's checkpoint recorded \d+/,
    );
    expect(await digest(target.platform)).toEqual(empty);
  });

  it('refuses a database that is not empty, and changes nothing', async () => {
    const target = targets[0]!;
    const before = await digest(target.platform);
    await expect(
      restore(target.platform.database.pool, target.platform.files, file),
    ).rejects.toBeInstanceOf(BackupError);
    expect(await digest(target.platform)).toEqual(before);
  });

  it('refuses a damaged or foreign file, leaving the empty Lanyard empty', async () => {
    const target = await emptyLanyard();
    const empty = await digest(target.platform);
    const bytes = fs.readFileSync(file);
    const cut = path.join(work, 'cut.backup');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(
      restore(target.platform.database.pool, target.platform.files, cut),
    ).rejects.toBeInstanceOf(Error);
    const csv = path.join(work, 'pupils.csv');
    fs.writeFileSync(csv, 'UPN,Forename\nA123,Ann\n');
    await expect(
      restore(target.platform.database.pool, target.platform.files, csv),
    ).rejects.toThrow(/not a Lanyard backup/);
    expect(await digest(target.platform)).toEqual(empty);
    expect(await filesOf(target.platform)).toEqual({});
    expect(await target.platform.files.sweepTemp(new Date(Date.now() + 3_600_000))).toBe(0);
  });
});
