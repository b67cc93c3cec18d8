import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { UPLOADS_AT_ONCE_PER_PERSON } from '../../src/web/uploads.ts';
import { createServices, type Services } from '../../src/container.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import {
  Browser,
  createOrganisationAdmin,
  scalar,
  signInWithLink,
} from '../support/http-principals.ts';

/**
 * The media pages and API over HTTP (CSRF and sessions on): who may reach what (other schools'
 * items are 404), the upload form with good and bad files, tagging, renditions, quarantine. A
 * fake face detector (two boxes) keeps it fast; media-pipeline.test.ts uses the real one.
 */
const fakeFaces: FaceDetector = {
  detect: async ({ width, height }) => [
    { x: Math.round(width * 0.1), y: Math.round(height * 0.1), width: 40, height: 40, score: 0.9 },
    { x: Math.round(width * 0.5), y: Math.round(height * 0.4), width: 40, height: 40, score: 0.8 },
  ],
};

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
}

function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----lanyard${crypto.randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename !== undefined ? `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n` : ''}\r\n`,
      ),
      Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

describe('media pages and API', () => {
  let ctx: TestContext;
  let services: Services;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let photo: Buffer;
  let deviceA: string;
  let itemA: string;
  const browsers = new Map<string, Browser>();

  const browser = async (key: string, email: string): Promise<Browser> => {
    const existing = browsers.get(key);
    if (existing) return existing;
    const b = new Browser(app);
    await b.signIn(email);
    browsers.set(key, b);
    return b;
  };

  const uploadAs = async (b: Browser, parts: Part[], headers: Record<string, string> = {}) => {
    await b.get('/media/upload');
    const { payload, contentType } = multipart([{ name: '_csrf', value: b.csrf ?? '' }, ...parts]);
    return b.request({
      method: 'POST',
      url: '/media/upload',
      payload,
      headers: { 'content-type': contentType, ...headers },
    });
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    services = createServices({ ...ctx.platform, faces: fakeFaces });
    app = await buildApp(services, ctx.config);
    await app.ready();
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'media-a', pupils: 6, template: 'john-clifford-primary' }),
      createSchool(ctx.services, { slug: 'media-b', pupils: 3, template: 'john-clifford-primary' }),
    ]);
    const d = await services.devices.register(
      A.school.id,
      { kind: 'staff', id: A.staff.ict_technician.id },
      { name: 'Hall camera', deviceType: 'camera', assetTag: 'H-1' },
    );
    await services.devices.approve(
      {
        kind: 'staff',
        id: A.staff.headteacher.id,
        schoolId: A.school.id,
        roles: ['headteacher'],
        name: 'H',
      },
      d.id,
    );
    deviceA = d.id;
    // The teacher teaches every class of school A (pupils are scoped to a teacher's classes).
    const classesA = [...new Set(A.pupils.map((p) => p.className!))];
    await services.staffClasses.assign(
      A.school.id,
      { kind: 'staff', id: A.staff.headteacher.id },
      A.staff.teacher.id,
      classesA,
    );
    const px = Buffer.alloc(400 * 300 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 31) % 251;
    photo = (await ctx.platform.images.encodeJpeg({ data: px, width: 400, height: 300 })).data;
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('uploads through the form (no JavaScript) and shows the tagging page with numbered boxes', async () => {
    const teacher = await browser('A teacher', A.staff.teacher.email);
    const res = await uploadAs(teacher, [
      { name: 'files', value: photo, filename: 'IMG_0001.JPG', type: 'image/jpeg' },
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: 'sports day' },
    ]);
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/media\/[0-9a-f-]{36}$/);
    itemA = location.split('/')[2]!;
    const processing = await teacher.get(location);
    expect(processing.statusCode).toBe(200);
    expect(processing.body).toContain('Refresh the page');
    await services.media.ingest(itemA);
    const page = await teacher.get(location);
    expect(page.statusCode).toBe(200);
    // The overlay: an inline SVG with the preview and one numbered box per face, and the list.
    expect(page.body).toMatch(/<svg[^>]*data-face-overlay/);
    expect(page.body.match(/<rect [^>]*data-face="\d+"/g)).toHaveLength(2);
    expect(page.body).toContain(`href="/media/${itemA}/preview"`);
    expect(page.body).toMatch(/Face 1[^<]*: not linked to a pupil/);
    expect(page.body).toContain('govuk-warning-text');
    expect(page.body).toMatch(/This photo has 2 faces and no pupils tagged yet\./);
    const preview = await teacher.get(`/media/${itemA}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
    expect(preview.headers['cache-control']).toContain('no-store');

    // Link face 1 to a pupil, tag another to the whole photo, add a box, remove one.
    const faces = (await services.media.view(A.school.id, itemA)).faces;
    const post = (url: string, form: Record<string, string>) => teacher.post(url, form);
    expect(
      (await post(`/media/${itemA}/faces/link`, { faceId: faces[0]!.id, pupilId: A.pupils[0]!.id }))
        .statusCode,
    ).toBe(303);
    expect(
      (await post(`/media/${itemA}/pupils/add`, { pupilId: A.pupils[1]!.id })).statusCode,
    ).toBe(303);
    expect(
      (await post(`/media/${itemA}/faces/add`, { x: '10', y: '200', width: '50', height: '50' }))
        .statusCode,
    ).toBe(303);
    expect((await post(`/media/${itemA}/faces/remove`, { faceId: faces[1]!.id })).statusCode).toBe(
      303,
    );
    const bad = await post(`/media/${itemA}/faces/add`, {
      x: '390',
      y: '10',
      width: '50',
      height: '50',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('past the right edge');
    const after = await teacher.get(`/media/${itemA}`);
    expect(after.body).toContain(`${A.pupils[0]!.givenName} ${A.pupils[0]!.familyName}`);
    expect(after.body).not.toMatch(/faces but only/);
    // A search (a GET form) adds a class's pupils after the likely ones; the linked pupil stays
    // selected.
    const other = A.pupils.find((p) => p.className !== A.pupils[0]!.className)!;
    const narrowed = await teacher.get(
      `/media/${itemA}?class=${encodeURIComponent(other.className!)}`,
    );
    expect(narrowed.statusCode).toBe(200);
    const optgroups = [...narrowed.body.matchAll(/<optgroup label="([^"]+)"/g)].map((m) => m[1]);
    expect(optgroups).toContain(`Pupils in ${other.className}`);
    expect(narrowed.body).toMatch(/selected>[^<]+\(linked now\)/);

    // A pupil tagged to the whole photo without consent blocks the copy (their face cannot be
    // found to blur it) until they are linked to a box or the tag is removed.
    const blocked = await post(`/media/${itemA}/renditions`, { purpose: 'school_website' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body).toContain('cannot tell which face to blur');
    expect(
      (await post(`/media/${itemA}/pupils/remove`, { pupilId: A.pupils[1]!.id })).statusCode,
    ).toBe(303);
    // A publishable copy for the website: both boxes blurred (no consent recorded).
    const made = await post(`/media/${itemA}/renditions`, { purpose: 'school_website' });
    expect(made.statusCode).toBe(303);
    expect(made.headers.location).toBe(`/media/${itemA}/renditions/school_website`);
    const rendition = await teacher.get(`/media/${itemA}/renditions/school_website`);
    expect(rendition.statusCode).toBe(200);
    expect(rendition.body).toMatch(/2 of 2 faces blurred/);
    const file = await teacher.get(`/media/${itemA}/renditions/school_website/file?download=1`);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['content-disposition']).toContain('attachment');
    expect(file.rawPayload.subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('refuses each bad file with a clear message on the form and creates nothing', async () => {
    const teacher = await browser('A teacher', A.staff.teacher.email);
    const rows = await scalar(ctx, 'SELECT count(*) AS n FROM media_items');
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(90_000, 0);
    ihdr.writeUInt32BE(90_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const bomb = Buffer.concat([
      Buffer.from('89504e470d0a1a0a', 'hex'),
      chunk('IHDR', ihdr),
      chunk('IDAT', zlib.deflateSync(Buffer.alloc(1 << 20))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const cases: [string, Buffer, RegExp][] = [
      [
        'logo.svg',
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        /SVG drawing/,
      ],
      ['report.jpg', Buffer.from('%PDF-1.7 not a photo'), /not a photo or video Lanyard can use/],
      ['half.jpg', photo.subarray(0, photo.length >> 1), /incomplete or damaged/],
      ['bomb.png', bomb, /too large: it has more pixels/],
      [
        'old.gif',
        Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
        /Save or export it as JPEG/,
      ],
    ];
    for (const [name, data, message] of cases) {
      const res = await uploadAs(teacher, [
        { name: 'files', value: data, filename: name },
        { name: 'deviceId', value: deviceA },
        { name: 'eventLabel', value: 'sports day' },
      ]);
      expect(res.statusCode, name).toBe(400);
      expect(res.body, name).toContain('govuk-error-summary');
      expect(res.body, name).toMatch(message);
      expect(res.body, name).toContain(name);
      // The answers are kept.
      expect(res.body, name).toContain('value="sports day"');
    }
    // Missing pieces of the form.
    const none = await uploadAs(teacher, [
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: '' },
    ]);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select at least one photo or video');
    expect(none.body).toContain('Enter an event label');
    const named = await uploadAs(teacher, [
      { name: 'files', value: photo, filename: 'a.jpg' },
      { name: 'deviceId', value: deviceA },
      {
        name: 'eventLabel',
        value: `${A.pupils[3]!.givenName} ${A.pupils[3]!.familyName} on sports day`,
      },
    ]);
    expect(named.statusCode).toBe(400);
    expect(named.body).toContain('contains the name of a pupil');
    // The upload script (Accept: JSON) gets a refusal by the service as JSON errors; a form that
    // does not pass its fields is the page again, as without the script.
    const json = { accept: 'application/json' };
    const namedJson = await uploadAs(
      teacher,
      [
        { name: 'files', value: photo, filename: 'a.jpg' },
        { name: 'deviceId', value: deviceA },
        { name: 'eventLabel', value: `${A.pupils[3]!.givenName} ${A.pupils[3]!.familyName}` },
      ],
      json,
    );
    expect(namedJson.statusCode).toBe(400);
    expect(namedJson.json().errors.eventLabel).toContain('contains the name of a pupil');
    const noneJson = await uploadAs(teacher, [{ name: 'deviceId', value: deviceA }], json);
    expect(noneJson.statusCode).toBe(400);
    expect(noneJson.body).toContain('Select at least one photo or video');
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_items')).toBe(rows);
  });

  it('sends media from another device to quarantine, which only the Headteacher reviews', async () => {
    const teacher = await browser('A teacher', A.staff.teacher.email);
    const res = await uploadAs(teacher, [
      { name: 'files', value: photo, filename: 'phone.jpg' },
      { name: 'deviceId', value: 'other' },
      { name: 'deviceDescription', value: 'my own phone' },
      { name: 'eventLabel', value: 'school trip' },
    ]);
    expect(res.statusCode).toBe(303);
    const id = String(res.headers.location).split('/')[2]!;
    const flashPage = await teacher.get(`/media/${id}`);
    expect(flashPage.body).toContain('in quarantine');
    expect((await teacher.get('/media/quarantine')).statusCode).toBe(404);
    expect((await teacher.post(`/media/${id}/release`, {})).statusCode).toBe(404);
    const made = await teacher.post(`/media/${id}/renditions`, { purpose: 'school_website' });
    expect(made.statusCode).toBe(409);
    expect(made.body).toContain('in quarantine');
    const head = await browser('A headteacher', A.staff.headteacher.email);
    const q = await head.get('/media/quarantine');
    expect(q.statusCode).toBe(200);
    expect(q.body).toContain(`/media/${id}`);
    const noConfirm = await head.post(`/media/${id}/delete`, {});
    expect(noConfirm.statusCode).toBe(400);
    expect((await head.post(`/media/${id}/release`, {})).statusCode).toBe(303);
    expect((await services.media.view(A.school.id, id)).item.quarantineReason).toBeNull();
  });

  it('shows nothing to other schools, parents, pupils, governors or trust admins (404)', async () => {
    const urls = [
      `/media/${itemA}`,
      `/media/${itemA}/preview`,
      `/media/${itemA}/original`,
      `/media/${itemA}/renditions/school_website`,
      `/media/${itemA}/renditions/school_website/file`,
    ];
    const bTeacher = await browser('B teacher', B.staff.teacher.email);
    const bHead = await browser('B headteacher', B.staff.headteacher.email);
    for (const b of [bTeacher, bHead]) {
      for (const url of urls) {
        const res = await b.get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toMatch(/text\/html/);
      }
      expect(
        (await b.post(`/media/${itemA}/pupils/add`, { pupilId: A.pupils[0]!.id })).statusCode,
      ).toBe(404);
      expect((await b.get(`/api/v1/media/${itemA}`)).statusCode).toBe(404);
    }
    expect((await bHead.post(`/media/${itemA}/delete`, { confirm: 'yes' })).statusCode).toBe(404);
    expect((await bHead.post(`/devices/${deviceA}/withdraw`, { confirm: 'yes' })).statusCode).toBe(
      404,
    );
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, A.parent.email!);
    const governor = await browser('A governor', A.staff.governor.email);
    const volunteer = await browser('A volunteer', A.staff.volunteer.email);
    const admin = await createOrganisationAdmin(ctx, [A.school.id]);
    const trust = new Browser(app);
    await trust.signIn(admin.email);
    for (const who of [parent, governor, volunteer, trust]) {
      for (const url of ['/media', '/media/upload', '/devices', ...urls]) {
        expect((await who.get(url)).statusCode, url).toBe(404);
      }
    }
    // The ICT Technician keeps the device register but sees no photos.
    const ict = await browser('A ict', A.staff.ict_technician.email);
    expect((await ict.get('/devices')).statusCode).toBe(200);
    expect((await ict.get('/devices/new')).statusCode).toBe(200);
    expect((await ict.get(`/media/${itemA}`)).statusCode).toBe(404);
    const teacher = await browser('A teacher', A.staff.teacher.email);
    expect((await teacher.get('/devices/new')).statusCode).toBe(404);
    expect(
      (await teacher.post(`/devices/${deviceA}/withdraw`, { confirm: 'yes' })).statusCode,
    ).toBe(404);
  });

  it('registers and approves a device through the pages', async () => {
    const ict = await browser('A ict', A.staff.ict_technician.email);
    const empty = await ict.post('/devices', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter a name for the device');
    const ok = await ict.post('/devices', {
      name: 'Year 6 iPad',
      deviceType: 'tablet',
      assetTag: 'ip-6',
    });
    expect(ok.statusCode).toBe(303);
    const dup = await ict.post('/devices', {
      name: 'Other',
      deviceType: 'tablet',
      assetTag: 'IP-6',
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('already registered');
    const device = (await services.devices.list(A.school.id)).find((d) => d.assetTag === 'IP-6')!;
    const head = await browser('A headteacher', A.staff.headteacher.email);
    const list = await head.get('/devices');
    expect(list.body).toContain(`/devices/${device.id}/approve`);
    expect((await head.post(`/devices/${device.id}/approve`, {})).statusCode).toBe(303);
    expect((await head.post(`/devices/${device.id}/withdraw`, {})).statusCode).toBe(400);
    expect((await head.post(`/devices/${device.id}/withdraw`, { confirm: 'yes' })).statusCode).toBe(
      303,
    );
    expect((await services.devices.get(A.school.id, device.id)).status).toBe('withdrawn');
  });

  it('accepts uploads on the API with a token, with problem JSON for bad ones', async () => {
    const token = await ctx.services.auth.createApiToken(
      A.staff.office.id,
      A.school.id,
      'media test',
    );
    const send = (parts: Part[]): Promise<LightMyRequestResponse> => {
      const { payload, contentType } = multipart(parts);
      return app.inject({
        method: 'POST',
        url: '/api/v1/media',
        payload,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      });
    };
    const ok = await send([
      { name: 'file', value: photo, filename: 'a.jpg', type: 'image/jpeg' },
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: 'harvest festival' },
    ]);
    expect(ok.statusCode).toBe(200);
    const body = ok.json<{ id: string; kind: string; quarantined: boolean }>();
    expect(body).toMatchObject({ kind: 'image', quarantined: false });
    const got = await app.inject({
      method: 'GET',
      url: `/api/v1/media/${body.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(got.json()).toMatchObject({
      id: body.id,
      status: 'processing',
      eventLabel: 'harvest festival',
    });
    const bad = await send([
      { name: 'file', value: Buffer.from('<svg/>'), filename: 'x.svg' },
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: 'harvest festival' },
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.json<{ errors: Record<string, string> }>().errors.files).toMatch(/SVG/);
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    }>();
    expect(Object.keys(doc.paths['/media']!.post!.requestBody!.content)).toEqual([
      'multipart/form-data',
    ]);
  });
  // -------------------------------------------------------------------------------------------
  // Uploads: authorised before any byte of the body is read (issue 10 item 1)

  /** Temporary files in the store (each process writes in a folder of its own). */
  const tempFiles = () => {
    const dir = path.join(ctx.dataDir, 'files', '.tmp');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  };

  /**
   * A multipart body as a stream that counts what the server reads: the head (fields), then
   * `fileMb` MB of one file in 1 MB chunks, produced only as they are read. `hold`: stop after
   * the head until `release()` is called.
   */
  const countingUpload = (fields: Record<string, string>, fileMb: number, hold = false) => {
    const boundary = `----lanyard${crypto.randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      Object.entries(fields)
        .map(
          ([k, v]) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
        )
        .join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    let sent = 0;
    let step = 0;
    let held = hold;
    let waiting = false;
    const produce = (s: Readable) => {
      if (step === 0) {
        step = 1;
        s.push(head);
      } else if (sent < fileMb) {
        sent += 1;
        s.push(chunk);
      } else if (step === 1) {
        step = 2;
        s.push(Buffer.from(`\r\n--${boundary}--\r\n`));
        s.push(null);
      }
    };
    const stream = new Readable({
      read() {
        if (held && step === 1) {
          waiting = true; // the head is sent; the file waits for release()
          return;
        }
        produce(this);
      },
    });
    return {
      stream,
      contentType: `multipart/form-data; boundary=${boundary}`,
      readMb: () => sent,
      release: () => {
        held = false;
        if (waiting) {
          waiting = false;
          produce(stream);
        }
      },
    };
  };

  /** Temporary files are removed just after the answer: wait a moment for them to go. */
  const noTempFilesSoon = async () => {
    for (let i = 0; i < 50 && tempFiles().length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(tempFiles()).toEqual([]);
  };

  it('refuses an upload from someone not signed in, or not allowed, before reading its body', async () => {
    const before = tempFiles().length;
    const items = await scalar(ctx, 'SELECT count(*) AS n FROM media_items');
    const heap = process.memoryUsage().heapUsed;
    // Not signed in: the redirect comes while 200 MB are still on offer, almost none of it read.
    const anon = countingUpload({ eventLabel: 'sports day', deviceId: 'other' }, 200);
    const res = await app.inject({
      method: 'POST',
      url: '/media/upload',
      payload: anon.stream,
      headers: { 'content-type': anon.contentType },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2Fmedia%2Fupload');
    const api = countingUpload({ eventLabel: 'sports day', deviceId: 'other' }, 200);
    const apiRes = await app.inject({
      method: 'POST',
      url: '/api/v1/media',
      payload: api.stream,
      headers: { 'content-type': api.contentType },
    });
    expect(apiRes.statusCode).toBe(401);
    // Signed in but not allowed (a governor): 404, the body unread as well.
    const governor = await browser('A governor', A.staff.governor.email);
    const asParent = countingUpload({ eventLabel: 'sports day', deviceId: 'other' }, 200);
    const parentRes = await governor.request({
      method: 'POST',
      url: '/media/upload',
      payload: asParent.stream,
      headers: { 'content-type': asParent.contentType },
    });
    expect(parentRes.statusCode).toBe(404);
    for (const u of [anon, api, asParent]) expect(u.readMb()).toBeLessThan(20);
    expect((process.memoryUsage().heapUsed - heap) / 1024 / 1024).toBeLessThan(50);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_items')).toBe(items);
    expect(tempFiles().length).toBe(before);
  });

  it('refuses a forged upload (no valid CSRF token) before a byte of its file is stored', async () => {
    const teacher = await browser('A teacher', A.staff.teacher.email);
    await teacher.get('/media/upload');
    const items = await scalar(ctx, 'SELECT count(*) AS n FROM media_items');
    // Count what is written to temporary files (the real store, watched).
    const store = services.files;
    const writeTemp = store.writeTemp.bind(store);
    let written = 0;
    store.writeTemp = async (data) => {
      written += 1;
      return writeTemp(data);
    };
    try {
      for (const fields of <Record<string, string>[]>[
        { deviceId: deviceA, eventLabel: 'sports day' },
        { _csrf: 'forged-token', deviceId: deviceA, eventLabel: 'sports day' },
      ]) {
        const forged = countingUpload(fields, 200);
        const res = await teacher.request({
          method: 'POST',
          url: '/media/upload',
          payload: forged.stream,
          headers: { 'content-type': forged.contentType },
        });
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('This form has expired');
        expect(written).toBe(0);
        expect(tempFiles()).toEqual([]);
      }
    } finally {
      store.writeTemp = writeTemp;
    }
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_items')).toBe(items);
  });

  it('takes no file on a route that is not an upload, and at most 20 files on the upload form', async () => {
    const teacher = await browser('A teacher', A.staff.teacher.email);
    await teacher.get(`/media/${itemA}`);
    const withFile = multipart([
      { name: '_csrf', value: teacher.csrf ?? '' },
      { name: 'eventLabel', value: 'sports day' },
      { name: 'files', value: photo, filename: 'IMG.jpg', type: 'image/jpeg' },
    ]);
    const res = await teacher.request({
      method: 'POST',
      url: `/media/${itemA}/details`,
      payload: withFile.payload,
      headers: { 'content-type': withFile.contentType },
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('This form does not take files');
    const items = await scalar(ctx, 'SELECT count(*) AS n FROM media_items');
    const tooMany = await uploadAs(teacher, [
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: 'sports day' },
      ...Array.from({ length: 21 }, (_, i) => ({
        name: 'files',
        value: photo,
        filename: `IMG_${i}.jpg`,
        type: 'image/jpeg',
      })),
    ]);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.body).toContain('Upload at most 20 files at once');
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM media_items')).toBe(items);
    await noTempFilesSoon();
  });

  it(`lets one person run at most ${UPLOADS_AT_ONCE_PER_PERSON} uploads at once (429 before the body is read)`, async () => {
    const teacher = await browser('A teacher', A.staff.teacher.email);
    await teacher.get('/media/upload');
    const fields = { _csrf: teacher.csrf ?? '', deviceId: deviceA, eventLabel: 'sports day' };
    const held = Array.from({ length: UPLOADS_AT_ONCE_PER_PERSON }, () =>
      countingUpload(fields, 1, true),
    );
    const running = held.map((u) =>
      teacher.request({
        method: 'POST',
        url: '/media/upload',
        payload: u.stream,
        headers: { 'content-type': u.contentType },
      }),
    );
    await new Promise((r) => setTimeout(r, 300)); // all three are now receiving their files
    const extra = countingUpload(fields, 30);
    const refused = await teacher.request({
      method: 'POST',
      url: '/media/upload',
      payload: extra.stream,
      headers: { 'content-type': extra.contentType },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Too many uploads at once');
    expect(extra.readMb()).toBeLessThan(20);
    // Another member of staff is not held up by this person's uploads.
    const head = await browser('A head', A.staff.headteacher.email);
    const other = await uploadAs(head, [
      { name: 'files', value: photo, filename: 'IMG_H.jpg', type: 'image/jpeg' },
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: 'sports day' },
    ]);
    expect(other.statusCode).toBe(303);
    // The three finish (their 1 MB "photo" is refused as not an image), and the slots are free.
    for (const u of held) u.release();
    for (const r of await Promise.all(running)) expect(r.statusCode).toBe(400);
    // Each slot is given back just after its answer has gone.
    for (let i = 0; i < 50; i++) {
      if ((await scalar(ctx, 'SELECT count(*) AS n FROM upload_slots')) === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM upload_slots')).toBe(0);
    const after = await uploadAs(teacher, [
      { name: 'files', value: photo, filename: 'IMG_2.jpg', type: 'image/jpeg' },
      { name: 'deviceId', value: deviceA },
      { name: 'eventLabel', value: 'sports day' },
    ]);
    expect(after.statusCode).toBe(303);
    await noTempFilesSoon();
  });
});
