import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/container.ts';
import { ValidationError } from '../../src/errors.ts';
import type { FileStore } from '../../src/platform/files/file-store.ts';
import { ImageProcessor } from '../../src/platform/images/image-processor.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

/**
 * A batch upload is stored whole or not at all (issue 10 item 9), at the service level where the
 * moment of a crash can be chosen exactly: the process dies after the batch's transaction
 * committed but before its files had all moved into place; start-up (`recoverUploads`) then
 * finishes the moves and queues the photos' ingest again.
 */

class ProcessDied extends Error {}

describe('batch uploads, all or nothing', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let photos: Buffer[];
  const fields = {
    deviceId: null,
    deviceDescription: 'A borrowed camera',
    eventLabel: 'Sports day',
    swimwear: false,
  };
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await ctx.services.database.pool.query(sql, params)).rows[0].n);
  const tempFiles = () => {
    const dir = path.join(ctx.dataDir, 'files', '.tmp');
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile());
  };
  const teacher = () => ({ kind: 'staff' as const, id: fx.staff.teacher.id });

  /** The same services, but the file store "dies" after `movesBeforeDeath` moves. */
  const dyingAfter = (movesBeforeDeath: number): Services => {
    const real = ctx.platform.files;
    let moves = 0;
    const files: FileStore = Object.create(real) as FileStore;
    files.commit = async (temp, key) => {
      if (moves >= movesBeforeDeath) throw new ProcessDied('kill -9');
      moves += 1;
      return real.commit(temp, key);
    };
    return createServices({ ...ctx.platform, files });
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { slug: 'batch-a', pupils: 2 });
    const images = new ImageProcessor();
    photos = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const pixels = crypto.randomBytes(64 * 48 * 3);
        return (await images.encodeJpeg({ data: pixels, width: 64, height: 48 })).data;
      }),
    );
  }, 60_000);
  afterAll(async () => ctx?.close());

  it('one bad file among twenty: nothing is stored, no temporary file stays', async () => {
    const before = await count('SELECT count(*) AS n FROM media_items');
    const files = photos.map((data, i) => ({ data, filename: `IMG_${i}.jpg` }));
    files[13] = { data: Buffer.from('not a photo at all'), filename: 'notes.txt' };
    await expect(
      ctx.services.media.upload(fx.school.id, teacher(), fields, files, { queue: false }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await count('SELECT count(*) AS n FROM media_items')).toBe(before);
    expect(tempFiles()).toEqual([]);
  });

  it('dies after its commit with 7 of 20 files moved: start-up finishes the batch, all 20 items have their files', async () => {
    const before = await count('SELECT count(*) AS n FROM media_items');
    const files = photos.map((data, i) => ({ data, filename: `IMG_${i}.jpg` }));
    await expect(
      dyingAfter(7).media.upload(fx.school.id, teacher(), fields, files),
    ).rejects.toBeInstanceOf(ProcessDied);

    // What the crash left: all 20 rows (one transaction), the batch row, 13 files still temporary.
    expect(await count('SELECT count(*) AS n FROM media_items')).toBe(before + 20);
    const [batch] = (
      await ctx.services.database.pool.query('SELECT moves FROM media_upload_batches')
    ).rows as { moves: { mediaId: string; key: string }[] }[];
    expect(batch!.moves).toHaveLength(20);
    const present = () =>
      batch!.moves.filter((m) => fs.existsSync(path.join(ctx.dataDir, 'files', m.key))).length;
    expect(present()).toBe(7);
    expect(tempFiles()).toHaveLength(13);
    const jobsBefore = await count(
      `SELECT count(*) AS n FROM pgboss.job WHERE name = 'media.ingest'`,
    );

    // Start-up: recover (before the temporary-file sweep, which would otherwise remove them).
    const report = await ctx.services.media.recoverUploads();
    expect(report).toEqual({ batches: 1, files: 13 });
    expect(present()).toBe(20);
    expect(tempFiles()).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM media_upload_batches')).toBe(0);
    // Each photo's ingest is queued again (the first attempt may have given up on a missing file).
    expect(
      await count(`SELECT count(*) AS n FROM pgboss.job WHERE name = 'media.ingest'`),
    ).toBeGreaterThanOrEqual(jobsBefore + 20);
    // Running it again changes nothing.
    expect(await ctx.services.media.recoverUploads()).toEqual({ batches: 0, files: 0 });
    // And the items are whole: every one ingests from its file.
    const ids = batch!.moves.map((m) => m.mediaId);
    for (const id of ids.slice(0, 3)) expect(await ctx.services.media.ingest(id)).toBe('ready');
  }, 120_000);

  it('dies before its commit: no item, and the start-up sweep removes the temporary files of the dead process', async () => {
    const before = await count('SELECT count(*) AS n FROM media_items');
    // The database refuses the batch (as if the process died mid-transaction): nothing commits.
    const files = photos.map((data, i) => ({ data, filename: `IMG_${i}.jpg` }));
    const failing = createServices({
      ...ctx.platform,
      database: Object.assign(Object.create(ctx.platform.database), {
        transaction: async () => {
          throw new ProcessDied('kill -9');
        },
      }),
    });
    await expect(
      failing.media.upload(fx.school.id, teacher(), fields, files),
    ).rejects.toBeInstanceOf(ProcessDied);
    expect(await count('SELECT count(*) AS n FROM media_items')).toBe(before);
    expect(tempFiles()).toEqual([]); // discarded by the failing upload itself
  });
});
