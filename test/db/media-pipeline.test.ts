import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { matchFaces, samplePhotos, type SamplePhoto } from '../support/sample-photos.ts';
import type { Principal } from '../../src/modules/auth/principal.ts';
import type { RawRgbImage } from '../../src/platform/images/image-processor.ts';

/**
 * The media pipeline end to end with the real pieces: sharp (ImageProcessor), BlazeFace over
 * onnxruntime, the local file store and PostgreSQL. Photos come from registry packages at test
 * time (test/support/sample-photos.ts); the metadata is added here, by hand, byte by byte.
 */

// ---------------------------------------------------------------------------------------------
// A JPEG with every kind of metadata Lanyard must remove

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** EXIF (big-endian TIFF): Orientation 6 (rotate 90° clockwise) and a GPS latitude. */
function exifSegment(): Buffer {
  const t = Buffer.alloc(92);
  t.write('MM', 0, 'latin1');
  t.writeUInt16BE(42, 2);
  t.writeUInt32BE(8, 4);
  // IFD0 at 8: Orientation, GPSInfo pointer.
  t.writeUInt16BE(2, 8);
  t.writeUInt16BE(0x0112, 10);
  t.writeUInt16BE(3, 12);
  t.writeUInt32BE(1, 14);
  t.writeUInt16BE(6, 18);
  t.writeUInt16BE(0x8825, 22);
  t.writeUInt16BE(4, 24);
  t.writeUInt32BE(1, 26);
  t.writeUInt32BE(38, 30);
  t.writeUInt32BE(0, 34);
  // GPS IFD at 38: GPSLatitudeRef 'N', GPSLatitude 53° 36' 12.34".
  t.writeUInt16BE(2, 38);
  t.writeUInt16BE(0x0001, 40);
  t.writeUInt16BE(2, 42);
  t.writeUInt32BE(2, 44);
  t.write('N\0', 48, 'latin1');
  t.writeUInt16BE(0x0002, 52);
  t.writeUInt16BE(5, 54);
  t.writeUInt32BE(3, 56);
  t.writeUInt32BE(68, 60);
  t.writeUInt32BE(0, 64);
  for (const [i, [n, d]] of [
    [53, 1],
    [36, 1],
    [1234, 100],
  ].entries()) {
    t.writeUInt32BE(n!, 68 + i * 8);
    t.writeUInt32BE(d!, 72 + i * 8);
  }
  return segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), t]));
}

function xmpSegment(): Buffer {
  const xml =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"' +
    ' exif:GPSLatitude="53,36.2N" exif:GPSLongitude="2,9.5W" dc:creator="LANYARD-XMP-MARKER"/>' +
    '</rdf:RDF></x:xmpmeta>';
  return segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${xml}`, 'latin1'));
}

function iptcSegment(): Buffer {
  const caption = Buffer.from('LANYARD-IPTC-MARKER Oakfield Primary', 'latin1');
  const record = Buffer.concat([Buffer.from([0x1c, 0x02, 0x78, 0, caption.length]), caption]);
  const resource = Buffer.concat([
    Buffer.from('8BIM', 'latin1'),
    Buffer.from([0x04, 0x04, 0, 0]),
    Buffer.from([0, 0, 0, record.length]),
    record,
    record.length % 2 ? Buffer.from([0]) : Buffer.alloc(0),
  ]);
  return segment(0xed, Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]));
}

function withMetadata(jpeg: Buffer): Buffer {
  return Buffer.concat([
    jpeg.subarray(0, 2),
    exifSegment(),
    xmpSegment(),
    iptcSegment(),
    segment(0xfe, Buffer.from('LANYARD-COMMENT-MARKER', 'latin1')),
    jpeg.subarray(2),
  ]);
}

/** The markers of a JPEG's header segments (up to the start of scan). */
function headerMarkers(jpeg: Buffer): number[] {
  expect(jpeg.readUInt16BE(0)).toBe(0xffd8);
  const out: number[] = [];
  let i = 2;
  while (i < jpeg.length) {
    const marker = jpeg.readUInt16BE(i);
    out.push(marker);
    if (marker === 0xffda) break;
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  return out;
}

function expectNoMetadata(jpeg: Buffer, what: string): void {
  const markers = headerMarkers(jpeg);
  // Only JFIF (APP0), tables, frame and scan: no APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC), COM.
  const allowed = new Set([0xffe0, 0xffdb, 0xffc0, 0xffc2, 0xffc4, 0xffdd, 0xffda]);
  expect(
    markers.filter((m) => !allowed.has(m)).map((m) => m.toString(16)),
    `${what}: metadata segments`,
  ).toEqual([]);
  const text = jpeg.toString('latin1');
  for (const needle of ['Exif', 'GPS', 'xmpmeta', 'Photoshop', '8BIM', 'LANYARD-', 'Oakfield'])
    expect(text.includes(needle), `${what} contains ${needle}`).toBe(false);
}

// ---------------------------------------------------------------------------------------------
// Measuring a blur

function grey(img: RawRgbImage): Float64Array {
  const g = new Float64Array(img.width * img.height);
  for (let i = 0; i < g.length; i++)
    g[i] = 0.299 * img.data[i * 3]! + 0.587 * img.data[i * 3 + 1]! + 0.114 * img.data[i * 3 + 2]!;
  return g;
}

type Box = { x: number; y: number; width: number; height: number };

/** Mean squared Laplacian inside the box: the region's high-frequency energy (detail). */
function detailEnergy(g: Float64Array, w: number, b: Box): number {
  let sum = 0;
  let n = 0;
  for (let y = b.y + 1; y < b.y + b.height - 1; y++)
    for (let x = b.x + 1; x < b.x + b.width - 1; x++) {
      const i = y * w + x;
      const lap = 4 * g[i]! - g[i - 1]! - g[i + 1]! - g[i - w]! - g[i + w]!;
      sum += lap * lap;
      n += 1;
    }
  return sum / n;
}

/** The Laplacian (high-pass) of a grey image: the fine detail that identifies a face. */
function highPass(g: Float64Array, w: number, h: number): Float64Array {
  const out = new Float64Array(g.length);
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      out[i] = 4 * g[i]! - g[i - 1]! - g[i + 1]! - g[i - w]! - g[i + w]!;
    }
  return out;
}

/** Pearson correlation of two maps inside the box (1 = the same, 0 = unrelated). */
function correlation(a: Float64Array, b: Float64Array, w: number, box: Box): number {
  let sa = 0;
  let sb = 0;
  let n = 0;
  for (let y = box.y; y < box.y + box.height; y++)
    for (let x = box.x; x < box.x + box.width; x++) {
      sa += a[y * w + x]!;
      sb += b[y * w + x]!;
      n += 1;
    }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let y = box.y; y < box.y + box.height; y++)
    for (let x = box.x; x < box.x + box.width; x++) {
      const da = a[y * w + x]! - ma;
      const db = b[y * w + x]! - mb;
      cov += da * db;
      va += da * da;
      vb += db * db;
    }
  return cov / Math.sqrt(va * vb || 1);
}

// ---------------------------------------------------------------------------------------------

describe('media pipeline with sharp, BlazeFace and the file store (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let deviceId: string;
  let photos: SamplePhoto[];
  let head: Principal;
  const teacher = () => ({ kind: 'staff' as const, id: fx.staff.teacher.id });

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 6, template: 'john-clifford-primary' });
    photos = await samplePhotos();
    head = {
      kind: 'staff',
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher'],
      name: 'Head',
    };
    const d = await ctx.services.devices.register(
      fx.school.id,
      { kind: 'staff', id: fx.staff.ict_technician.id },
      { name: 'Class camera', deviceType: 'camera', assetTag: 'CAM-9' },
    );
    await ctx.services.devices.approve(head, d.id);
    deviceId = d.id;
  }, 120_000);
  afterAll(async () => ctx?.close());

  const upload = async (data: Buffer, eventLabel = 'science week') => {
    const [r] = await ctx.services.media.upload(
      fx.school.id,
      teacher(),
      { deviceId, deviceDescription: null, eventLabel, swimwear: false },
      [{ data, filename: 'IMG_0001.JPG' }],
      { queue: false },
    );
    return r!;
  };

  it('turns the photo upright and removes GPS, EXIF, XMP, IPTC and comments from every file it writes', async () => {
    const hopper = photos.find((p) => p.name === 'grace_hopper.jpg') ?? photos[0]!;
    const raw = await fs.readFile(hopper.path);
    const dirty = withMetadata(raw);
    // The fixture really carries what we then check is gone.
    expect(dirty.toString('latin1')).toContain('LANYARD-XMP-MARKER');
    expect(headerMarkers(dirty)).toEqual(expect.arrayContaining([0xffe1, 0xffed, 0xfffe]));

    const { id } = await upload(dirty);
    const before = await ctx.services.media.view(fx.school.id, id);
    expect(before.item.status).toBe('processing');
    // The upload itself is kept only until the ingest job has run.
    expect(await ctx.platform.files.exists(before.item.uploadKey!)).toBe(true);

    expect(await ctx.services.media.ingest(id)).toBe('ready');
    expect(await ctx.services.media.ingest(id)).toBe('skipped'); // safe to run twice
    const { item, faces } = await ctx.services.media.view(fx.school.id, id);
    expect(item.status).toBe('ready');
    expect(item.uploadKey).toBeNull();
    // EXIF orientation 6: a 512×600 portrait becomes 600×512 when turned upright.
    expect([item.width, item.height]).toEqual([hopper.height, hopper.width]);
    expect(item.detectedFaces).toBe(faces.length);
    expect(faces.length).toBeGreaterThanOrEqual(1);

    await ctx.services.media.linkFace(fx.school.id, teacher(), id, faces[0]!.id, fx.pupils[1]!.id);
    const rendition = await ctx.services.media.publishableRendition(
      fx.school.id,
      id,
      'school_website',
      teacher(),
    );
    const files = {
      original: await ctx.platform.files.read(item.originalKey!),
      preview: await ctx.platform.files.read(item.thumbnailKey!),
      rendition: await ctx.platform.files.read(rendition.fileKey),
    };
    for (const [what, data] of Object.entries(files)) expectNoMetadata(data, what);
    // Nothing else is left under the item's folder (the upload with its metadata is gone).
    const keys: string[] = [];
    for await (const f of ctx.platform.files.list(`${fx.school.id}/media/${id}`)) keys.push(f.key);
    expect(keys.sort()).toEqual([item.originalKey!, item.thumbnailKey!, rendition.fileKey].sort());
  }, 60_000);

  it('blurs every face without consent irreversibly and leaves a consented face as it was', async () => {
    const photo = photos.find((p) => p.name === 'sample1.jpg')!;
    const { id } = await upload(await fs.readFile(photo.path), 'sports day');
    await ctx.services.media.ingest(id);
    const { faces } = await ctx.services.media.view(fx.school.id, id);
    // The detector finds the labelled faces (hand-checked boxes in test/fixtures/faces).
    const match = matchFaces(photo.faces, faces);
    expect(match.found).toBe(photo.faces.length);
    expect(faces.length).toBeGreaterThanOrEqual(photo.faces.length);

    // The face at the first labelled box is a pupil whose parent consented to the school
    // website; every other box is unknown.
    const pupil = fx.pupils[0]!;
    const consented = faces.find((f) => matchFaces([photo.faces[0]!], [f]).found === 1)!;
    await ctx.services.media.linkFace(fx.school.id, teacher(), id, consented.id, pupil.id);
    await ctx.services.consent.record(
      {
        schoolId: fx.school.id,
        pupilId: pupil.id,
        decider: { kind: 'parent', parentId: fx.parent.id },
        decisions: { 'school_website/image': 'granted', 'local_newspapers/image': 'refused' },
        method: 'paper_form',
        kind: 'form',
        decidedOn: new Date().toISOString().slice(0, 10),
      },
      { kind: 'staff', id: fx.staff.dpo.id },
    );

    const images = ctx.platform.images;
    const { item } = await ctx.services.media.view(fx.school.id, id);
    const original = await images.rawRgb(await ctx.platform.files.read(item.originalKey!));
    const g0 = grey(original);
    const h0 = highPass(g0, original.width, original.height);
    const measure = async (purpose: string) => {
      const r = await ctx.services.media.publishableRendition(fx.school.id, id, purpose, teacher());
      const out = await images.rawRgb(await ctx.platform.files.read(r.fileKey));
      expect([out.width, out.height]).toEqual([original.width, original.height]);
      const g1 = grey(out);
      const h1 = highPass(g1, out.width, out.height);
      return {
        r,
        faces: faces.map((f) => ({
          seq: f.seq,
          detail: detailEnergy(g1, out.width, f) / detailEnergy(g0, out.width, f),
          similarity: correlation(h0, h1, out.width, f),
        })),
      };
    };

    const website = await measure('school_website');
    expect(website.r.facesBlurred).toBe(faces.length - 1);
    expect((website.r.basis as { seq: number; blurred: boolean }[]).map((b) => b.blurred)).toEqual(
      faces.map((f) => f.id !== consented.id),
    );
    // Stated thresholds: a blurred face keeps < 5 % of its high-frequency energy, and what
    // detail is left (JPEG ringing, the random noise) correlates < 0.2 with the original's
    // detail; a face left alone keeps its detail (> 0.8 correlated: only JPEG re-encoding).
    // Measured on the detections that are real (labelled) faces: a detection on a smooth
    // background has little detail to lose, so its ratio says nothing about the blur.
    const real = new Set(
      faces
        .filter((f) => photo.faces.some((l) => matchFaces([l], [f]).found === 1))
        .map((f) => f.seq),
    );
    expect(real.size).toBe(photo.faces.length);
    for (const f of website.faces.filter((x) => real.has(x.seq))) {
      if (f.seq === consented.seq) {
        expect(f.similarity, `face ${f.seq} kept`).toBeGreaterThan(0.8);
      } else {
        expect(f.detail, `face ${f.seq} detail`).toBeLessThan(0.05);
        expect(f.similarity, `face ${f.seq} similarity`).toBeLessThan(0.2);
      }
    }

    // Refused for newspapers: every face is blurred.
    const press = await measure('local_newspapers');
    expect(press.r.facesBlurred).toBe(faces.length);
    for (const f of press.faces.filter((x) => real.has(x.seq))) {
      expect(f.detail).toBeLessThan(0.05);
      expect(f.similarity).toBeLessThan(0.2);
    }

    // A "never publish" restriction (issue 15) outweighs the parent's consent: the consented
    // face is blurred too, and the rendition's basis does not say why.
    const reason = 'Court order: placement must not be traced';
    await ctx.services.consentRestrictions.set(
      { kind: 'staff', id: fx.staff.dsl.id, schoolId: fx.school.id, roles: ['dsl'], name: 'DSL' },
      pupil.id,
      { restricted: true, reason },
    );
    const restricted = await measure('school_website');
    expect(restricted.r.facesBlurred).toBe(faces.length);
    const basis = restricted.r.basis as { seq: number; blurred: boolean; reason: string }[];
    expect(basis.find((b) => b.seq === consented.seq)).toMatchObject({ blurred: true });
    expect(JSON.stringify(basis)).not.toContain('Court order');
    for (const f of restricted.faces.filter((x) => real.has(x.seq))) {
      expect(f.similarity, `face ${f.seq} similarity`).toBeLessThan(0.2);
    }
    await ctx.services.consentRestrictions.set(
      {
        kind: 'staff',
        id: fx.staff.headteacher.id,
        schoolId: fx.school.id,
        roles: ['headteacher'],
        name: 'Head',
      },
      pupil.id,
      { restricted: false, reason: 'The order has ended' },
    );
    expect((await measure('school_website')).r.facesBlurred).toBe(faces.length - 1);

    // The profile option blurs every face whatever the consent.
    const current = await ctx.services.policies.current(fx.school.id);
    await ctx.services.policies.updateSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        answers: { 'publishing.blurFaces': 'all' },
        note: 'Blur every face',
        expectedVersion: current.version,
      },
    );
    const all = await measure('school_website');
    expect(all.r.facesBlurred).toBe(faces.length);
    expect(all.faces.filter((f) => real.has(f.seq)).every((f) => f.similarity < 0.2)).toBe(true);
  }, 90_000);
});
