/**
 * Evidence of incidents over HTTP (issue 14 item 3): a report's screenshot is stored encrypted
 * with its SHA-256, downloaded verified and audited; files added later by the DSL and by the
 * reporter, with the stated time and place; hostile files refused from their bytes, nothing
 * added; a file changed on disk is refused at download with a clear page and an audit event;
 * no one else gets anything (404); and no file reaches a report of a nude or semi-nude image of
 * a child by any route — the add page, its form, the reporter and the API.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const CHAT = Buffer.from(
  '[05/12/2026, 21:04:11] Sam: nobody likes you, leave the group\n'.repeat(50),
  'utf8',
);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('incident evidence over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let dsl: Browser;
  let head: Browser;
  let teacher: Browser;
  let parent: Browser;
  let otherDsl: Browser;
  let caseId: string;
  let firstEvidence: string;

  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;

  /** A multipart POST with this browser's CSRF token (taken from `csrfFrom`). */
  const upload = async (
    b: Browser,
    url: string,
    csrfFrom: string,
    fields: Record<string, string>,
    file: { filename: string; type: string; content: Buffer; field?: string },
  ) => {
    await b.get(csrfFrom);
    const body = multipartBody({ _csrf: b.csrf ?? '', ...fields }, { field: 'evidence', ...file });
    return b.request({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };
  const evidenceOf = (incidentId: string) =>
    q('SELECT * FROM incident_evidence WHERE incident_id = $1 ORDER BY uploaded_at, id', [
      incidentId,
    ]);
  const fileOnDisk = (key: string) => path.join(ctx.dataDir, 'files', ...key.split('/'));

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 3, template: 'jump-primary' }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
    dsl = new Browser(app);
    head = new Browser(app);
    teacher = new Browser(app);
    parent = new Browser(app);
    otherDsl = new Browser(app);
    await dsl.signIn(fx.staff.dsl.email);
    await head.signIn(fx.staff.headteacher.email);
    await teacher.signIn(fx.staff.teacher.email);
    await otherDsl.signIn(other.staff.dsl.email);
    await signInWithLink(parent, ctx, fx.parent.email!);

    // A parent reports a defamatory post with a screenshot.
    const res = await upload(
      parent,
      '/report/concern',
      '/report/concern',
      {
        reporterConcern: 'no',
        whatHappened: 'A post on the school page calls the teacher a liar',
        platform: 'facebook',
        occurredWhere: 'The school’s Facebook page',
      },
      { filename: 'screenshot.png', type: 'image/png', content: PNG },
    );
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    caseId = /\/report\/([0-9a-f-]{36})\/receipt/.exec(res.headers.location ?? '')![1]!;
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('keeps the report’s screenshot encrypted at rest, with its hash, size, type and stated place', async () => {
    const [row, ...rest] = await evidenceOf(caseId);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      school_id: fx.school.id,
      sha256: sha(PNG),
      size: String(PNG.length),
      media_type: 'image/png',
      original_name: 'screenshot.png',
      uploaded_by_kind: 'parent',
      uploaded_by_id: fx.parent.id,
      stated_place: 'The school’s Facebook page',
    });
    firstEvidence = row.id;
    expect(row.storage_key).toBe(`${fx.school.id}/evidence/${row.id}`);
    const stored = fs.readFileSync(fileOnDisk(row.storage_key));
    expect(stored.subarray(0, 6).toString('latin1')).toBe('LYEVID');
    expect(stored.includes(PNG.subarray(0, 16))).toBe(false); // the PNG signature and header
    expect(stored.includes(Buffer.from('IHDR'))).toBe(false);
    // The upload's plaintext temporary file is gone.
    const tmp = path.join(ctx.dataDir, 'files', '.tmp');
    const left = fs.existsSync(tmp)
      ? fs.readdirSync(tmp).flatMap((d) => fs.readdirSync(path.join(tmp, d)))
      : [];
    expect(left).toEqual([]);
    // The chronology says evidence was added.
    const kinds = (
      await q('SELECT kind FROM incident_entries WHERE incident_id = $1', [caseId])
    ).map((r) => r.kind);
    expect(kinds).toContain('evidence_added');
  });

  it('lets the DSL download it, byte for byte, as an attachment, and audits the download', async () => {
    const res = await dsl.get(`/incidents/${caseId}/evidence/${firstEvidence}`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(PNG)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="INC-\d+-evidence-[0-9a-f]{8}\.png"$/,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['x-evidence-sha256']).toBe(sha(PNG));
    const audit = await q(
      `SELECT actor_id, data FROM audit_events WHERE action = 'incidents.evidence-downloaded' AND entity_id = $1`,
      [firstEvidence],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(fx.staff.dsl.id);
    expect(audit[0].data).toMatchObject({ incidentId: caseId, sha256: sha(PNG) });
  });

  it('adds a chat export later for the DSL, with the stated time and place', async () => {
    const res = await upload(
      dsl,
      `/incidents/${caseId}/evidence`,
      `/incidents/${caseId}/evidence/add`,
      { statedAt: 'Saturday 5 December about 9pm', statedPlace: 'Year 6 WhatsApp group' },
      { filename: 'WhatsApp Chat with Year 6.txt', type: 'text/plain', content: CHAT },
    );
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    expect(res.headers.location).toBe(`/incidents/${caseId}`);
    const rows = await evidenceOf(caseId);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      media_type: 'text/plain; charset=utf-8',
      sha256: sha(CHAT),
      stated_at: 'Saturday 5 December about 9pm',
      stated_place: 'Year 6 WhatsApp group',
      uploaded_by_kind: 'staff',
      uploaded_by_id: fx.staff.dsl.id,
    });
    const down = await head.get(`/incidents/${caseId}/evidence/${rows[1].id}`);
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(CHAT)).toBe(true);
  });

  it('refuses hostile files from their bytes, whatever their name, adding nothing', async () => {
    const before = (await evidenceOf(caseId)).length;
    const cases: [string, Buffer, RegExp][] = [
      ['holiday.png', Buffer.from('MZ\x90\x00\x03\x00\x00\x00program', 'latin1'), /is a program/],
      ['chat.txt', Buffer.from('#!/bin/sh\necho hi\n'), /is a script/],
      [
        'picture.png',
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        /SVG drawing/,
      ],
      ['page.html', Buffer.from('<html><body><script>alert(1)</script></body></html>'), /scripts/],
      ['notes.txt', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe]), /cannot tell what kind/],
    ];
    for (const [filename, content, message] of cases) {
      const res = await upload(
        dsl,
        `/incidents/${caseId}/evidence`,
        `/incidents/${caseId}/evidence/add`,
        {},
        { filename, type: 'image/png', content },
      );
      expect(res.statusCode, filename).toBe(400);
      expect(res.body).toContain('govuk-error-summary');
      expect(res.body).toMatch(message);
      expect(res.body).toContain('Nothing was added');
    }
    expect((await evidenceOf(caseId)).length).toBe(before);
  });

  it('lets the reporter add a file to their own report, and nothing more', async () => {
    const add = await parent.get(`/incidents/${caseId}/evidence/add`);
    expect(add.statusCode).toBe(200);
    expect(add.body).toContain('Add evidence');
    const res = await upload(
      parent,
      `/incidents/${caseId}/evidence`,
      `/incidents/${caseId}/evidence/add`,
      { statedAt: 'Sunday morning' },
      { filename: 'second.png', type: 'image/png', content: PNG },
    );
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    expect(res.headers.location).toBe(`/report/${caseId}/receipt`);
    // The reporter sees the status, never the case or its files.
    const rows = await evidenceOf(caseId);
    for (const r of rows) {
      const down = await parent.get(`/incidents/${caseId}/evidence/${r.id}`);
      expect(down.statusCode).toBe(404);
      expect(down.rawPayload.includes(PNG.subarray(0, 16))).toBe(false);
    }
  });

  it('is a 404 with nothing in it for staff who may not open the case and for other schools', async () => {
    const [row] = await evidenceOf(caseId);
    for (const b of [teacher, otherDsl]) {
      for (const url of [
        `/incidents/${caseId}/evidence/${row.id}`,
        `/incidents/${caseId}/evidence/add`,
      ]) {
        const res = await b.get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.rawPayload.includes(PNG.subarray(0, 16))).toBe(false);
      }
      const before = (await evidenceOf(caseId)).length;
      const post = await upload(
        b,
        `/incidents/${caseId}/evidence`,
        '/',
        {},
        {
          filename: 'x.png',
          type: 'image/png',
          content: PNG,
        },
      );
      expect(post.statusCode).toBe(404);
      expect((await evidenceOf(caseId)).length).toBe(before);
    }
    // An evidence id of another case is not found under this one.
    const other = await dsl.get(
      `/incidents/${caseId}/evidence/00000000-0000-4000-8000-000000000000`,
    );
    expect(other.statusCode).toBe(404);
  });

  it('refuses to send a file changed on disk: a clear page, an audit event, none of its bytes', async () => {
    const [row] = await evidenceOf(caseId);
    const file = fileOnDisk(row.storage_key);
    const original = fs.readFileSync(file);
    const changed = Buffer.from(original);
    changed[60]! ^= 0x01; // one bit of the first chunk's ciphertext
    fs.writeFileSync(file, changed);
    try {
      const res = await dsl.get(`/incidents/${caseId}/evidence/${row.id}`);
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('This evidence file cannot be opened');
      expect(res.body).toContain('does not match the fingerprint');
      expect(res.rawPayload.includes(PNG.subarray(8, 24))).toBe(false);
      const events = await q(
        `SELECT data FROM audit_events WHERE action = 'incidents.evidence-check-failed' AND entity_id = $1`,
        [row.id],
      );
      expect(events).toHaveLength(1);
      expect(events[0].data).toMatchObject({ reason: 'tampered', incidentId: caseId });
      // The whole file put back: it opens again.
      fs.writeFileSync(file, original);
      expect((await dsl.get(`/incidents/${caseId}/evidence/${row.id}`)).statusCode).toBe(200);
      // Another case's encrypted file copied over this one: refused too (bound to its key).
      const [, second] = await evidenceOf(caseId);
      fs.copyFileSync(fileOnDisk(second.storage_key), file);
      const swapped = await dsl.get(`/incidents/${caseId}/evidence/${row.id}`);
      expect(swapped.statusCode).toBe(500);
      expect(swapped.rawPayload.includes(CHAT.subarray(0, 20))).toBe(false);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('keeps evidence rows as written (append-only trigger)', async () => {
    await expect(
      q(`UPDATE incident_evidence SET sha256 = 'x' WHERE id = $1`, [firstEvidence]),
    ).rejects.toThrow(/append-only/);
    await expect(q(`DELETE FROM incident_evidence WHERE id = $1`, [firstEvidence])).rejects.toThrow(
      /append-only/,
    );
  });

  it('takes a file on the API for staff who may open the case, with problem JSON for bad ones', async () => {
    const token = await ctx.services.auth.createApiToken(fx.staff.dsl.id, fx.school.id, 'evidence');
    const send = (
      t: string,
      content: Buffer,
      filename: string,
      fields: Record<string, string> = {},
    ) => {
      const body = multipartBody(fields, { field: 'file', filename, type: 'image/png', content });
      return app.inject({
        method: 'POST',
        url: `/api/v1/incidents/${caseId}/evidence`,
        payload: body.payload,
        headers: { authorization: `Bearer ${t}`, 'content-type': body.contentType },
      });
    };
    const ok = await send(token, PNG, 'api.png', { statedAt: 'Monday', statedPlace: 'Facebook' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ sha256: sha(PNG), size: PNG.length, mediaType: 'image/png' });
    const [row] = await q('SELECT * FROM incident_evidence WHERE id = $1', [ok.json().id]);
    expect(row).toMatchObject({
      stated_at: 'Monday',
      stated_place: 'Facebook',
      incident_id: caseId,
    });
    const bad = await send(token, Buffer.from('MZ\x90\x00', 'latin1'), 'api.png');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json().errors.evidence).toMatch(/is a program/);
    const teacherToken = await ctx.services.auth.createApiToken(
      fx.staff.teacher.id,
      fx.school.id,
      'evidence',
    );
    expect((await send(teacherToken, PNG, 'api.png')).statusCode).toBe(404);
    const spec = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const op = spec.json().paths['/incidents/{id}/evidence'].post;
    expect(op.requestBody.content['multipart/form-data']).toBeDefined();
  });

  describe('a report of a nude or semi-nude image of a child', () => {
    let imageId: string;

    beforeAll(async () => {
      const res = await parent.post(
        '/report/image',
        { adultInvolved: 'no', understood: 'yes' },
        { csrfFrom: '/report/image' },
      );
      expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
      imageId = /\/report\/([0-9a-f-]{36})\/receipt/.exec(res.headers.location ?? '')![1]!;
    });

    it('takes no file by any route: the add page, its form (DSL, Headteacher, reporter), the API, the service', async () => {
      for (const b of [dsl, head, parent]) {
        const page = await b.get(`/incidents/${imageId}/evidence/add`);
        expect(page.statusCode).toBe(409);
        expect(page.body).toContain('No file can be added to this report');
        expect(page.body).toContain('Do not view, copy, print, share, save or delete the image');
        expect(page.body).not.toContain('type="file"');
        const res = await upload(
          b,
          `/incidents/${imageId}/evidence`,
          '/',
          { statedAt: 'now' },
          {
            filename: 'x.png',
            type: 'image/png',
            content: PNG,
          },
        );
        expect(res.statusCode).toBe(409);
        expect(res.body).toContain('No file can be added to this report');
      }
      // A teacher who may not see it learns nothing (404).
      expect((await teacher.get(`/incidents/${imageId}/evidence/add`)).statusCode).toBe(404);
      for (const staffId of [fx.staff.dsl.id, fx.staff.headteacher.id]) {
        const token = await ctx.services.auth.createApiToken(staffId, fx.school.id, 'image');
        const body = multipartBody(
          {},
          { field: 'file', filename: 'x.png', type: 'image/png', content: PNG },
        );
        const api = await app.inject({
          method: 'POST',
          url: `/api/v1/incidents/${imageId}/evidence`,
          payload: body.payload,
          headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType },
        });
        expect(api.statusCode).toBe(409);
        expect(api.json().detail).toMatch(/No file can be kept/);
      }
      // The service itself, called as the report form would (inside its transaction).
      const temp = await ctx.services.files.writeTemp(PNG);
      await expect(
        ctx.services.incidentEvidence.attach(undefined, {
          schoolId: fx.school.id,
          incidentId: imageId,
          uploader: { kind: 'parent', id: fx.parent.id },
          files: [{ tempName: temp.name, size: temp.size, sha256: temp.sha256, filename: 'x.png' }],
          statedAt: null,
          statedPlace: null,
        }),
      ).rejects.toThrow(/No file can be kept/);
      await expect(ctx.services.files.readTemp(temp.name)).rejects.toThrow(); // discarded
      expect(await evidenceOf(imageId)).toEqual([]);
      const stored = fs.existsSync(path.join(ctx.dataDir, 'files', fx.school.id, 'evidence'))
        ? fs.readdirSync(path.join(ctx.dataDir, 'files', fx.school.id, 'evidence'))
        : [];
      const recorded = (
        await q('SELECT id FROM incident_evidence WHERE school_id = $1', [fx.school.id])
      ).map((r) => r.id);
      expect(stored.sort()).toEqual(recorded.sort()); // no file was written for it either
    });
  });
});
