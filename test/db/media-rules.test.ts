import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { scalar } from '../support/http-principals.ts';
import { createServices, type Services } from '../../src/container.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';
import type { FileStore } from '../../src/platform/files/file-store.ts';
import type { Principal } from '../../src/modules/auth/principal.ts';
import { MediaNotPublishableError } from '../../src/modules/media/media.service.ts';

/**
 * The media library's rules with the real image processor, file store and PostgreSQL, and a
 * small fake face detector (two fixed boxes) so each test runs in milliseconds. The real
 * detector is exercised in media-pipeline.test.ts.
 */
const fakeFaces: FaceDetector = {
  detect: async ({ width, height }) => [
    { x: Math.round(width * 0.1), y: Math.round(height * 0.1), width: 20, height: 20, score: 0.9 },
    { x: Math.round(width * 0.6), y: Math.round(height * 0.5), width: 20, height: 20, score: 0.8 },
  ],
};

describe('media library rules (real PostgreSQL)', () => {
  let ctx: TestContext;
  let services: Services;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let approved: string;
  let pending: string;
  let photo: Buffer;
  const clock = fixedClock('2026-03-02T10:00:00Z');

  const staff = (role: 'teacher' | 'headteacher' | 'dpo', f = () => fx) =>
    ({
      kind: 'staff',
      id: f().staff[role].id,
      schoolId: f().school.id,
      roles: [role],
      name: role,
    }) satisfies Principal;
  const teacher = () => ({ kind: 'staff' as const, id: fx.staff.teacher.id });
  const fields = (over: Partial<Parameters<Services['media']['upload']>[2]> = {}) => ({
    deviceId: approved,
    deviceDescription: null,
    eventLabel: 'sports day',
    swimwear: false,
    ...over,
  });
  const upload = async (over: Parameters<typeof fields>[0] = {}, data = photo) => {
    const [r] = await services.media.upload(fx.school.id, teacher(), fields(over), [
      { data, filename: 'IMG_1.JPG' },
    ]);
    return r!;
  };
  const uploadAndIngest = async (over: Parameters<typeof fields>[0] = {}) => {
    const r = await upload(over);
    await services.media.ingest(r.id);
    return r.id;
  };
  const storedFiles = async (prefix?: string) => {
    const keys: string[] = [];
    for await (const f of ctx.platform.files.list(prefix)) keys.push(f.key);
    return keys;
  };
  /** Temporary files (each process writes in a folder of its own under .tmp). */
  const tempFiles = () => {
    const dir = path.join(ctx.dataDir, 'files', '.tmp');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    services = createServices({ ...ctx.platform, faces: fakeFaces });
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 8, template: 'john-clifford-primary' }),
      createSchool(ctx.services, { pupils: 3, template: 'john-clifford-primary' }),
    ]);
    const ict = { kind: 'staff' as const, id: fx.staff.ict_technician.id };
    const a = await services.devices.register(fx.school.id, ict, {
      name: 'Camera',
      deviceType: 'camera',
      assetTag: 'A-1',
    });
    await services.devices.approve(staff('headteacher'), a.id);
    approved = a.id;
    pending = (
      await services.devices.register(fx.school.id, ict, {
        name: 'New iPad',
        deviceType: 'tablet',
        assetTag: 'A-2',
      })
    ).id;
    // A real 320×240 JPEG with some texture, made by the image processor itself.
    const w = 320;
    const h = 240;
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const x = i % w;
      const y = Math.floor(i / w);
      px[i * 3] = (x * 7 + y * 3) % 256;
      px[i * 3 + 1] = (x * y) % 256;
      px[i * 3 + 2] = (y * 11) % 256;
    }
    photo = (await ctx.platform.images.encodeJpeg({ data: px, width: w, height: h })).data;
  });
  afterAll(async () => ctx?.close());

  it('accepts a photo from an approved device, ingests it with boxes, and lets staff tag it', async () => {
    const id = await uploadAndIngest();
    const view = await services.media.view(fx.school.id, id);
    expect(view.item).toMatchObject({ status: 'ready', quarantineReason: null, detectedFaces: 2 });
    expect(view.faces.map((f) => f.seq)).toEqual([1, 2]);
    expect(view.facesOutnumberTags).toBe(true);
    await services.media.linkFace(fx.school.id, teacher(), id, view.faces[0]!.id, fx.pupils[0]!.id);
    await services.media.removeFace(fx.school.id, teacher(), id, view.faces[1]!.id);
    await services.media.addFace(fx.school.id, teacher(), id, {
      x: 200,
      y: 100,
      width: 40,
      height: 40,
    });
    await services.media.tagPupil(fx.school.id, teacher(), id, fx.pupils[1]!.id);
    const after = await services.media.view(fx.school.id, id);
    expect(after.faces.map((f) => [f.seq, f.source, f.pupilId])).toEqual([
      [1, 'detector', fx.pupils[0]!.id],
      [3, 'staff', null],
    ]);
    expect(after.taggedPupils).toBe(2);
    expect(after.facesOutnumberTags).toBe(false);
    // A box must lie inside the photo; a pupil of another school cannot be tagged.
    await expect(
      services.media.addFace(fx.school.id, teacher(), id, { x: 300, y: 10, width: 40, height: 40 }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      services.media.tagPupil(fx.school.id, teacher(), id, other.pupils[0]!.id),
    ).rejects.toBeInstanceOf(ValidationError);
    // Another school sees nothing of it.
    await expect(services.media.view(other.school.id, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(services.media.file(other.school.id, id, 'original')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const actions = (await ctx.services.audit.listForSchool(fx.school.id, {}, 1, 200)).rows
      .filter((r) => r.entityId === id)
      .map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'media.uploaded',
        'media.ingested',
        'media.face-linked',
        'media.face-removed',
        'media.face-added',
        'media.pupil-tagged',
      ]),
    );
  });

  it('quarantines media from an unregistered or unapproved device until the approver releases it', async () => {
    const fromOther = await upload({ deviceId: null, deviceDescription: 'my own phone' });
    const fromPending = await upload({ deviceId: pending });
    expect([fromOther.quarantined, fromPending.quarantined]).toEqual([true, true]);
    await services.media.ingest(fromOther.id);
    await services.media.ingest(fromPending.id);
    const v = await services.media.view(fx.school.id, fromPending.id);
    expect(v.item.quarantineReason).toBe('device_not_approved');
    expect((await services.media.view(fx.school.id, fromOther.id)).item.quarantineReason).toBe(
      'unregistered_device',
    );
    // Never publishable while quarantined.
    await expect(
      services.media.publishableRendition(fx.school.id, fromOther.id, 'school_website', teacher()),
    ).rejects.toMatchObject({ reason: 'quarantined' });
    const q = await services.media.listQuarantine(staff('headteacher'), 1);
    expect(q.rows.map((r) => r.id)).toEqual(expect.arrayContaining([fromOther.id, fromPending.id]));
    // Only the device approver reviews; for anyone else the quarantine does not exist.
    await expect(services.media.listQuarantine(staff('teacher'), 1)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(services.media.release(staff('teacher'), fromOther.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      services.media.release(
        staff('headteacher', () => other),
        fromOther.id,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    await services.media.release(staff('headteacher'), fromOther.id);
    await expect(services.media.release(staff('headteacher'), fromOther.id)).rejects.toBeInstanceOf(
      ConflictError,
    );
    const r = await services.media.publishableRendition(
      fx.school.id,
      fromOther.id,
      'school_website',
      teacher(),
    );
    expect(r.facesBlurred).toBe(2);
    // Deleting removes the row and every file, renditions included.
    const before = await storedFiles(`${fx.school.id}/media/${fromOther.id}`);
    expect(before.length).toBe(3);
    await services.media.delete(staff('headteacher'), fromOther.id);
    expect(await storedFiles(`${fx.school.id}/media/${fromOther.id}`)).toEqual([]);
    await expect(services.media.view(fx.school.id, fromOther.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('never makes swimwear publishable, and the flag cannot be cleared', async () => {
    const id = await uploadAndIngest({ swimwear: true });
    await expect(
      services.media.publishableRendition(fx.school.id, id, 'classroom_display', teacher()),
    ).rejects.toMatchObject({ reason: 'swimwear' });
    await services.media.updateDetails(fx.school.id, teacher(), id, {
      eventLabel: 'sports day',
      swimwear: false,
      evidence: false,
    });
    expect((await services.media.view(fx.school.id, id)).item.swimwear).toBe(true);

    // Marking a photo later withdraws the copies already made.
    const clean = await uploadAndIngest();
    const r = await services.media.publishableRendition(
      fx.school.id,
      clean,
      'school_website',
      teacher(),
    );
    expect(await ctx.platform.files.exists(r.fileKey)).toBe(true);
    await services.media.updateDetails(fx.school.id, teacher(), clean, {
      eventLabel: 'swimming gala',
      swimwear: true,
      evidence: false,
    });
    expect(await ctx.platform.files.exists(r.fileKey)).toBe(false);
    expect((await services.media.view(fx.school.id, clean)).renditions).toEqual([]);
    const e = await services.media
      .publishableRendition(fx.school.id, clean, 'school_website', teacher())
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MediaNotPublishableError);
    expect((e as Error).message).toMatch(/swimming or swimwear/);
  });

  it('refuses an event label with a pupil’s name, storing nothing', async () => {
    const p = fx.pupils[2]!;
    const rows = await scalar(ctx, 'SELECT count(*) AS n FROM media_items');
    const files = (await storedFiles()).length;
    for (const label of [
      `${p.givenName}'s sports day`,
      `sports day ${p.givenName} ${p.familyName}`,
    ]) {
      const e = await upload({ eventLabel: label }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fieldErrors.eventLabel).toContain(p.givenName);
    }
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_items')).toBe(rows);
    expect((await storedFiles()).length).toBe(files);
    expect(tempFiles()).toEqual([]);
    // A tagged pupil who has not consented to the use: not publishable until linked to a box.
    const id = await uploadAndIngest();
    await services.media.tagPupil(fx.school.id, teacher(), id, p.id);
    await expect(
      services.media.publishableRendition(fx.school.id, id, 'school_website', teacher()),
    ).rejects.toMatchObject({ reason: 'tagged_without_consent' });
  });

  it('refuses bad files with a clear message and stores nothing', async () => {
    const rows = await scalar(ctx, 'SELECT count(*) AS n FROM media_items');
    const files = (await storedFiles()).length;
    // A PNG header claiming 100 000 × 100 000 pixels (10 gigapixels) with almost no data.
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(100_000, 0);
    ihdr.writeUInt32BE(100_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([
      Buffer.from('89504e470d0a1a0a', 'hex'),
      chunk('IHDR', ihdr),
      chunk('IDAT', zlib.deflateSync(Buffer.alloc(1 << 20))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const bad: [string, Buffer, RegExp][] = [
      [
        'drawing.svg',
        Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        /SVG/,
      ],
      ['notes.jpg', Buffer.from('just some text, not a photo'), /not a photo or video/],
      ['cut.jpg', photo.subarray(0, Math.floor(photo.length / 2)), /incomplete or damaged/],
      ['bomb.png', bomb, /too large|pixels/],
      ['empty.jpg', Buffer.alloc(0), /empty/],
    ];
    for (const [name, data, message] of bad) {
      const started = Date.now();
      const e = await services.media
        .upload(fx.school.id, teacher(), fields(), [{ data, filename: name }])
        .catch((x: unknown) => x);
      expect(e, name).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fieldErrors.files, name).toMatch(message);
      expect((e as ValidationError).fieldErrors.files, name).toContain(name);
      expect(Date.now() - started, `${name} refused quickly`).toBeLessThan(2000);
    }
    // One bad file in a batch: nothing of the batch is stored.
    await expect(
      services.media.upload(fx.school.id, teacher(), fields(), [
        { data: photo, filename: 'good.jpg' },
        { data: Buffer.from('<svg/>'), filename: 'bad.svg' },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_items')).toBe(rows);
    expect((await storedFiles()).length).toBe(files);
    expect(tempFiles()).toEqual([]);
  });

  it('stores videos as they are, tagged, and never publishable', async () => {
    const mp4 = Buffer.concat([
      Buffer.from('0000001c667479706d703432000000006d7034326973366d', 'hex'),
      Buffer.alloc(64, 1),
    ]);
    const r = await upload({}, mp4);
    expect(r.kind).toBe('video');
    const v = await services.media.view(fx.school.id, r.id);
    expect(v.item).toMatchObject({ status: 'ready', format: 'mp4', contentType: 'video/mp4' });
    await services.media.tagPupil(fx.school.id, teacher(), r.id, fx.pupils[0]!.id);
    await expect(
      services.media.publishableRendition(fx.school.id, r.id, 'school_website', teacher()),
    ).rejects.toMatchObject({ reason: 'video' });
    const f = await services.media.file(fx.school.id, r.id, 'original');
    expect(f.contentType).toBe('video/mp4');
    f.stream.destroy();
  });

  it('leaves no row without its file and no file without its row after a crash, once swept', async () => {
    // A crash between the batch's commit and moving its file into place: the process dies, so
    // nothing is cleaned up on the way out. The batch row committed with the item says where the
    // file is; the sweep (and start-up) finishes the move rather than losing the photo.
    class Crash extends Error {}
    const crashing: FileStore = Object.create(ctx.platform.files) as FileStore;
    crashing.commit = async () => {
      throw new Crash('process died');
    };
    crashing.discard = async () => undefined;
    const crashed = createServices({ ...ctx.platform, files: crashing, faces: fakeFaces });
    const e = await crashed.media
      .upload(fx.school.id, teacher(), fields(), [{ data: photo, filename: 'x.jpg' }])
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Crash);
    const { rows } = await ctx.services.database.pool.query<{ id: string; upload_key: string }>(
      "SELECT id, upload_key FROM media_items WHERE status = 'processing' ORDER BY uploaded_at DESC LIMIT 1",
    );
    const lost = rows[0]!;
    expect(await ctx.platform.files.exists(lost.upload_key)).toBe(false);
    expect(tempFiles().length).toBe(1);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_upload_batches')).toBe(1);
    // The ingest job waits (it is retried) while the upload might still arrive.
    await expect(services.media.ingest(lost.id)).rejects.toThrow();

    // A crash in the other direction: files whose row is gone (or never was).
    const ghost = '00000000-0000-4000-8000-000000000001';
    const t = await ctx.platform.files.writeTemp(photo);
    await ctx.platform.files.commit(t.name, `${fx.school.id}/media/${ghost}/original.jpg`);
    const kept = await uploadAndIngest();
    const keptFiles = await storedFiles(`${fx.school.id}/media/${kept}`);
    const t2 = await ctx.platform.files.writeTemp(photo);
    await ctx.platform.files.commit(t2.name, `${fx.school.id}/media/${kept}/upload`);

    // Within the grace period the sweeper touches nothing.
    const early = await services.media.sweepOrphans();
    expect(early).toEqual({
      tempFilesRemoved: 0,
      orphanFilesRemoved: 0,
      incompleteUploadsRemoved: 0,
      stalledIngestsFailed: 0,
    });
    // ... except finish the interrupted batch: the photo is whole again and ingests.
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_upload_batches')).toBe(0);
    expect(await ctx.platform.files.exists(lost.upload_key)).toBe(true);
    expect(await services.media.ingest(lost.id)).toBe('ready');
    clock.set(new Date(Date.now() + 2 * 60 * 60 * 1000));
    try {
      const swept = await services.media.sweepOrphans();
      expect(swept).toMatchObject({
        tempFilesRemoved: 0,
        orphanFilesRemoved: 2,
        incompleteUploadsRemoved: 0,
      });
    } finally {
      clock.set('2026-03-02T10:00:00Z');
    }
    expect(tempFiles()).toEqual([]);
    // The interrupted upload is whole: its row and its files.
    expect(
      await scalar(
        ctx,
        "SELECT count(*) AS n FROM media_items WHERE id = $1 AND status = 'ready'",
        [lost.id],
      ),
    ).toBe(1);
    expect(await storedFiles(`${fx.school.id}/media/${ghost}`)).toEqual([]);
    expect((await storedFiles(`${fx.school.id}/media/${kept}`)).sort()).toEqual(keptFiles.sort());
    // Every remaining row has its files; every remaining media file has its row.
    const { rows: items } = await ctx.services.database.pool.query<{
      id: string;
      original_key: string | null;
      upload_key: string | null;
      thumbnail_key: string | null;
    }>('SELECT id, original_key, upload_key, thumbnail_key FROM media_items');
    for (const i of items)
      for (const k of [i.original_key, i.upload_key, i.thumbnail_key].filter(Boolean))
        expect(await ctx.platform.files.exists(k!), k!).toBe(true);
    const ids = new Set(items.map((i) => i.id));
    for (const key of await storedFiles())
      if (key.split('/')[1] === 'media') expect(ids.has(key.split('/')[2]!), key).toBe(true);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'media.incomplete-upload-removed' },
      1,
    );
    expect(audit.total).toBe(0); // nothing was lost: the batch was finished, not removed
  });

  it('archives at the end of the academic year and deletes the year after, keeping evidence (004 D)', async () => {
    const school = await createSchool(ctx.services, {
      pupils: 2,
      template: 'john-clifford-primary',
    });
    const head = {
      kind: 'staff' as const,
      id: school.staff.headteacher.id,
      schoolId: school.school.id,
      roles: ['headteacher' as const],
      name: 'Head',
    };
    const d = await services.devices.register(
      school.school.id,
      { kind: 'staff', id: school.staff.ict_technician.id },
      { name: 'Camera', deviceType: 'camera', assetTag: 'R-1' },
    );
    await services.devices.approve(head, d.id);
    const actor = { kind: 'staff' as const, id: school.staff.teacher.id };
    const put = async (at: string, label: string) => {
      clock.set(at);
      const [r] = await services.media.upload(
        school.school.id,
        actor,
        { deviceId: d.id, deviceDescription: null, eventLabel: label, swimwear: false },
        [{ data: photo, filename: 'a.jpg' }],
      );
      await services.media.ingest(r!.id);
      return r!.id;
    };
    try {
      const old = await put('2024-10-01T10:00:00Z', 'harvest festival');
      const oldEvidence = await put('2025-06-01T10:00:00Z', 'science fair winners');
      const last = await put('2025-10-01T10:00:00Z', 'autumn trip');
      const current = await put('2026-09-03T10:00:00Z', 'first day');
      await services.media.updateDetails(school.school.id, actor, oldEvidence, {
        eventLabel: 'science fair winners',
        swimwear: false,
        evidence: true,
      });
      await services.media.publishableRendition(school.school.id, old, 'school_website', actor);
      const oldFiles = await storedFiles(`${school.school.id}/media/${old}`);
      expect(oldFiles.length).toBe(3);

      clock.set('2026-09-05T02:30:00Z');
      const [report] = await services.media.runRetention(school.school.id);
      // 2024-25 ended on 1 September 2025, so it is deleted a year later; 2025-26 is archived.
      expect(report).toMatchObject({ archived: 2, deleted: 1, keptAsEvidence: 1 });
      expect(await storedFiles(`${school.school.id}/media/${old}`)).toEqual([]);
      await expect(services.media.view(school.school.id, old)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      const archived = await services.media.list(school.school.id, 'archive', 1);
      expect(archived.rows.map((r) => r.id).sort()).toEqual([oldEvidence, last].sort());
      const working = await services.media.list(school.school.id, 'working', 1);
      expect(working.rows.map((r) => r.id)).toEqual([current]);
      // Archived items are read-only.
      await expect(
        services.media.tagPupil(school.school.id, actor, last, school.pupils[0]!.id),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        services.media.publishableRendition(school.school.id, last, 'school_website', actor),
      ).rejects.toMatchObject({ reason: 'archived' });

      const runs = await services.media.retentionRuns(school.school.id);
      expect(runs[0]).toMatchObject({ archived: 2, deleted: 1, keptAsEvidence: 1 });
      expect(runs[0]!.deletedItems).toEqual([
        expect.objectContaining({ id: old, eventLabel: 'harvest festival', files: 3 }),
      ]);
      const audit = await ctx.services.audit.listForSchool(
        school.school.id,
        { action: 'media.retention-run' },
        1,
      );
      expect(audit.rows[0]!.data).toMatchObject({ deleted: [old], archived: 2 });

      // Safe to run twice: the second run changes nothing.
      const [again] = await services.media.runRetention(school.school.id);
      expect(again).toMatchObject({ archived: 0, deleted: 0, keptAsEvidence: 1 });
      expect((await services.media.list(school.school.id, 'archive', 1)).total).toBe(2);
    } finally {
      clock.set('2026-03-02T10:00:00Z');
    }
  });
});
