import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDate } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';
import { jpegScanWithGps, pdfScanWithAuthor, secretsIn } from '../support/scan-fixtures.ts';

const IMAGE = 'school_social_media/image';
const VIDEO = 'school_social_media/video';
const NAME = 'school_social_media/name';

const multipart = (
  fields: Record<string, string | string[]>,
  file?: { name: string; filename: string; type: string; data: Buffer },
) =>
  multipartBody(
    fields,
    file && { field: file.name, filename: file.filename, type: file.type, content: file.data },
  );

/** pdfkit writes the standard fonts in WinAnsi: latin1 apart from a few punctuation marks. */
const winAnsi = {
  decode: (b: Buffer) =>
    b
      .toString('latin1')
      .replace(/\x96/g, '–')
      .replace(/\x97/g, '—')
      .replace(/\x91|\x92/g, '’')
      .replace(/\x93|\x94/g, '"'),
};

/** The text a PDF shows: inflate each content stream and decode pdfkit's hex-encoded strings. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  let text = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = zlib.inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      content = m[1]!;
    }
    for (const tj of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      for (const hex of tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g))
        text += winAnsi.decode(Buffer.from(hex[1]!, 'hex'));
      text += '\n';
    }
  }
  return text;
}

function decode(s: string): string {
  return s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('consent register pages for the office, DPO and teachers', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const CLASS = 'Test Wrens';
  const kids: { id: string; name: string; mum: string }[] = [];
  let otherPupil: { id: string; className: string };
  const browsers: Record<string, Browser> = {};

  const pool = () => ctx.services.database.pool;
  const as = (who: string) => browsers[who]!;
  const today = () => ukDate(new Date());
  const dateFields = (prefix: string, iso = today()) => {
    const [y, m, d] = iso.split('-');
    return {
      [`${prefix}-day`]: String(Number(d)),
      [`${prefix}-month`]: String(Number(m)),
      [`${prefix}-year`]: y!,
    };
  };
  const postMultipart = async (
    b: Browser,
    url: string,
    fields: Record<string, string | string[]>,
    file?: Parameters<typeof multipart>[1],
  ): Promise<LightMyRequestResponse> => {
    const body = multipart({ _csrf: b.csrf ?? '', ...fields }, file);
    return b.request({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'cstaff-a', pupils: 16 }),
      createSchool(ctx.services, { slug: 'cstaff-b', pupils: 4 }),
    ]);
    for (const [i, given] of ['Ada', 'Ben', 'Cat'].entries()) {
      const pupil = A.pupils[i]!;
      await pool().query(
        `UPDATE pupils SET class_name = $2, given_name = $3, family_name = 'Wren' WHERE id = $1`,
        [pupil.id, CLASS, given],
      );
      const mum = await addParent(ctx.services, {
        schoolId: A.school.id,
        pupilId: pupil.id,
        givenName: `Mum${given}`,
        familyName: 'Wren',
        email: `mum.${given.toLowerCase()}@cstaff-a.test`,
        relationship: 'Mother',
      });
      kids.push({ id: pupil.id, name: `${given} Wren`, mum });
    }
    const other = A.pupils.find((p, i) => i >= 3 && p.className && p.className !== CLASS)!;
    otherPupil = { id: other.id, className: other.className! };
    // Everyone in the class agreed to everything at the start of the year.
    for (const k of kids) {
      await ctx.services.consent.record(
        {
          schoolId: A.school.id,
          pupilId: k.id,
          decider: { kind: 'parent', parentId: k.mum },
          decisions: { [IMAGE]: 'granted', [VIDEO]: 'granted', [NAME]: 'granted' },
          method: 'paper_form',
          kind: 'form',
          decidedOn: today(),
        },
        { kind: 'staff', id: A.staff.office.id },
      );
    }
    await ctx.services.staffClasses.assign(
      A.school.id,
      { kind: 'staff', id: A.staff.headteacher.id },
      A.staff.teacher.id,
      [CLASS],
    );
    const signIns: Promise<void>[] = [];
    for (const role of [
      'dpo',
      'office',
      'teacher',
      'support_staff',
      'headteacher',
      'dsl',
    ] as const) {
      browsers[role] = new Browser(app);
      signIns.push(browsers[role].signIn(A.staff[role].email));
    }
    browsers.bdpo = new Browser(app);
    signIns.push(browsers.bdpo.signIn(B.staff.dpo.email));
    browsers.parent = new Browser(app);
    signIns.push(signInWithLink(browsers.parent, ctx, A.parent.email!));
    await Promise.all(signIns);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('gives each role the consent pages its policy allows, and 404 for the rest', async () => {
    const cls = `/consent/classes/${encodeURIComponent(CLASS)}`;
    const otherCls = `/consent/classes/${encodeURIComponent(otherPupil.className)}`;
    const cases: [string, string, number][] = [
      ['dpo', '/consent', 200],
      ['office', '/consent', 200],
      ['teacher', '/consent', 200],
      ['support_staff', '/consent', 200],
      ['dsl', '/consent', 404],
      ['parent', '/consent', 404],
      ['dpo', cls, 200],
      ['teacher', cls, 200],
      ['teacher', `${cls}/card`, 200],
      ['teacher', `${cls}/card.pdf`, 200],
      ['teacher', otherCls, 404],
      ['teacher', `${otherCls}/card`, 404],
      ['teacher', `${otherCls}/card.pdf`, 404],
      ['support_staff', cls, 404],
      ['dpo', '/consent/classes/No%20Such%20Class', 404],
      ['bdpo', cls, 404],
      ['teacher', `/consent/pupils/${kids[0]!.id}`, 200],
      ['teacher', `/consent/pupils/${otherPupil.id}`, 404],
      ['teacher', `/consent/pupils/${kids[0]!.id}/paper-form`, 404],
      ['teacher', `/consent/pupils/${kids[0]!.id}/withdrawal`, 404],
      ['teacher', '/consent/changes', 404],
      ['teacher', '/consent/export.csv', 404],
      ['office', '/consent/changes', 200],
      ['office', '/consent/export.csv', 404],
      ['dpo', '/consent/export.csv', 200],
      ['office', `/consent/pupils/${otherPupil.id}`, 200],
      ['office', `/consent/pupils/${kids[0]!.id}/paper-form`, 200],
      ['office', `/consent/pupils/${kids[0]!.id}/competence`, 404],
      ['dpo', `/consent/pupils/${kids[0]!.id}/competence`, 200],
      ['bdpo', `/consent/pupils/${kids[0]!.id}`, 404],
      ['bdpo', `/consent/pupils/${kids[0]!.id}/paper-form`, 404],
      ['dpo', `/consent/pupils/${crypto.randomUUID()}`, 404],
      ['dpo', '/consent/pupils/not-a-uuid', 404],
      ['teacher', '/consent/check', 200],
      ['dsl', '/consent/check', 404],
      ['headteacher', '/staff/classes', 200],
      ['office', `/staff/${A.staff.teacher.id}/classes`, 200],
      ['dpo', `/staff/${A.staff.teacher.id}/classes`, 404],
      ['teacher', `/staff/${A.staff.teacher.id}/classes`, 404],
      ['headteacher', `/staff/${A.staff.dpo.id}/classes`, 404],
    ];
    const wrong: string[] = [];
    for (const [who, url, status] of cases) {
      const res = await as(who).get(url);
      if (res.statusCode !== status)
        wrong.push(`${who} ${url}: ${res.statusCode} (wanted ${status})`);
    }
    expect(wrong).toEqual([]);
    // A teacher's overview lists only their class; the office sees every class and the counts.
    const teacher = (await as('teacher').get('/consent')).body;
    expect(teacher).toContain(
      `/consent/classes/${encodeURIComponent(CLASS).replace(/%20/g, '%20')}`,
    );
    expect(teacher).not.toContain(`/consent/classes/${encodeURIComponent(otherPupil.className)}"`);
    expect(teacher).not.toContain('Pupils with a returned form');
    const office = (await as('office').get('/consent')).body;
    expect(office).toContain('Pupils with a returned form');
    expect(office).toContain(`/consent/classes/${encodeURIComponent(otherPupil.className)}"`);
  });

  it('shows the class matrix with a symbol and a word in every cell, and totals', async () => {
    const res = await as('teacher').get(`/consent/classes/${encodeURIComponent(CLASS)}`);
    expect(res.statusCode).toBe(200);
    // Symbol and word are joined by a no-break space, so they never wrap apart.
    const cells = [...res.body.matchAll(/<span aria-hidden="true">([^<]+)<\/span>/g)].map((m) =>
      m[1]!.replace(/&nbsp;/g, ' '),
    );
    expect(cells).toHaveLength(9);
    expect(new Set(cells)).toEqual(new Set(['✓ Yes']));
    expect(decode(res.body)).toContain('Ada Wren, School social media accounts, photos: Yes.');
    expect(res.body).toContain(`href="/consent/pupils/${kids[0]!.id}"`);
    expect(res.body).toContain('Totals');
  });

  it('refuses a paper form without a valid CSRF token', async () => {
    const b = as('office');
    await b.get(`/consent/pupils/${kids[1]!.id}/paper-form`);
    const body = multipart({ _csrf: 'forged', decider: kids[1]!.mum });
    const res = await b.request({
      method: 'POST',
      url: `/consent/pupils/${kids[1]!.id}/paper-form`,
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
    expect(res.statusCode).toBe(403);
    const url = await b.post(
      `/consent/pupils/${kids[1]!.id}/withdrawal`,
      { decider: kids[1]!.mum },
      { csrf: false },
    );
    expect(url.statusCode).toBe(403);
  });

  it('re-renders a bad paper form with the error summary, keeping the answers and saving nothing', async () => {
    const b = as('office');
    await b.get(`/consent/pupils/${kids[1]!.id}/paper-form`);
    const before = (await ctx.services.consent.pupilRegister(A.school.id, kids[1]!.id)).history
      .length;
    const res = await postMultipart(b, `/consent/pupils/${kids[1]!.id}/paper-form`, {
      decider: kids[1]!.mum,
      method: 'paper_form',
      'decidedOn-day': '31',
      'decidedOn-month': '2',
      'decidedOn-year': '2026',
      'q-school_social_media-image': 'refused',
      note: 'Kept note text',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain('The date on the form must be a real date');
    expect(res.body).toContain('href="#q-school_social_media-video"');
    expect(res.body).toContain('Kept note text');
    expect(res.body).toMatch(/value="refused" checked/);
    // A parent of another family is not a decider for this pupil.
    const wrongParent = await postMultipart(b, `/consent/pupils/${kids[1]!.id}/paper-form`, {
      decider: kids[0]!.mum,
      method: 'paper_form',
      ...dateFields('decidedOn'),
      'q-school_social_media-image': 'refused',
      'q-school_social_media-video': 'refused',
      'q-school_social_media-name': 'refused',
    });
    expect(wrongParent.statusCode).toBe(400);
    expect(wrongParent.body).toContain('Choose a parent or carer with parental responsibility');
    const after = (await ctx.services.consent.pupilRegister(A.school.id, kids[1]!.id)).history
      .length;
    expect(after).toBe(before);
  });

  it('records a paper form with a scan that staff can download (never publicly cached), without its document information', async () => {
    // A phone's "scan to PDF": Author, Creator, Producer, Title, XMP, an embedded camera JPEG
    // with EXIF GPS, and an older revision's /Info (issue 10 item 11).
    const PDF = await pdfScanWithAuthor();
    expect(secretsIn(PDF).length).toBeGreaterThan(0);
    const b = as('office');
    await b.get(`/consent/pupils/${kids[1]!.id}/paper-form`);
    const res = await postMultipart(
      b,
      `/consent/pupils/${kids[1]!.id}/paper-form`,
      {
        decider: kids[1]!.mum,
        method: 'paper_form',
        ...dateFields('decidedOn'),
        'q-school_social_media-image': 'granted',
        'q-school_social_media-video': 'refused',
        'q-school_social_media-name': 'not_returned',
      },
      { name: 'evidence', filename: 'ben form.pdf', type: 'application/pdf', data: PDF },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/consent/pupils/${kids[1]!.id}`);
    const page = await b.get(`/consent/pupils/${kids[1]!.id}`);
    expect(page.body).toContain('(ben form.pdf)');
    const link = /href="(\/consent\/records\/[0-9a-f-]{36}\/evidence)"/.exec(page.body)?.[1];
    expect(link).toBeDefined();
    for (const who of ['office', 'dpo', 'teacher']) {
      const file = await as(who).get(link!);
      expect(file.statusCode, who).toBe(200);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(String(file.headers['content-disposition'])).toMatch(
        /^attachment; filename="ben form.pdf"/,
      );
      expect(String(file.headers['cache-control'])).toContain('no-store');
      // The served bytes: a PDF with the page, and none of the metadata.
      expect(file.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      expect(secretsIn(file.rawPayload)).toEqual([]);
    }
    // What is stored is what is served: the record's hash is of the stripped file.
    const { rows } = await pool().query(
      `SELECT evidence_sha256 FROM consent_records WHERE pupil_id = $1 AND evidence_key IS NOT NULL`,
      [kids[1]!.id],
    );
    const served = (await as('office').get(link!)).rawPayload;
    expect(rows[0].evidence_sha256).toBe(crypto.createHash('sha256').update(served).digest('hex'));
    expect((await as('bdpo').get(link!)).statusCode).toBe(404);
    expect((await as('dsl').get(link!)).statusCode).toBe(404);
  });

  it('refuses an unreadable PDF scan with a message on the form and records nothing', async () => {
    const b = as('office');
    await b.get(`/consent/pupils/${kids[0]!.id}/paper-form`);
    const before = await pool().query(`SELECT count(*)::int AS n FROM consent_records`);
    const res = await postMultipart(
      b,
      `/consent/pupils/${kids[0]!.id}/paper-form`,
      {
        decider: kids[0]!.mum,
        method: 'paper_form',
        ...dateFields('decidedOn'),
        'q-school_social_media-image': 'granted',
        'q-school_social_media-video': 'granted',
        'q-school_social_media-name': 'refused',
      },
      {
        name: 'evidence',
        filename: 'broken.pdf',
        type: 'application/pdf',
        data: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n'),
      },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The scan cannot be read');
    const after = await pool().query(`SELECT count(*)::int AS n FROM consent_records`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('records a written withdrawal; the card (page and PDF) then lists the pupil', async () => {
    const b = as('dpo');
    const form = await b.get(`/consent/pupils/${kids[2]!.id}/withdrawal`);
    expect(form.body).toContain('not retroactive');
    expect(form.body).toContain('003 §4.6');
    const empty = await postMultipart(b, `/consent/pupils/${kids[2]!.id}/withdrawal`, {
      decider: kids[2]!.mum,
      method: 'letter',
      ...dateFields('decidedOn'),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Choose what consent is withdrawn');
    const res = await postMultipart(b, `/consent/pupils/${kids[2]!.id}/withdrawal`, {
      decider: kids[2]!.mum,
      method: 'letter',
      ...dateFields('decidedOn'),
      withdraw: [IMAGE, VIDEO, NAME],
      note: 'Letter received',
    });
    expect(res.statusCode).toBe(303);
    const reg = await ctx.services.consent.pupilRegister(A.school.id, kids[2]!.id);
    expect(reg.history.map((h) => h.record.kind)).toEqual(['withdrawal', 'form']);

    const card = await as('teacher').get(`/consent/classes/${encodeURIComponent(CLASS)}/card`);
    expect(card.statusCode).toBe(200);
    const doNot = /id="do-not-photograph">[\s\S]*?<\/ul>/.exec(card.body)?.[0] ?? '';
    expect(doNot).toContain('Cat Wren');
    expect(doNot).toContain('Consent refused or withdrawn');
    expect(doNot).not.toContain('Ada Wren');
    expect(card.body).toContain('Photos OK, no videos'); // Ben
    expect(card.body).toContain('out of date as soon as consent changes');

    const pdf = await as('teacher').get(`/consent/classes/${encodeURIComponent(CLASS)}/card.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(String(pdf.headers['content-disposition'])).toMatch(
      /^attachment; filename="consent-card-Test Wrens-/,
    );
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.length).toBeGreaterThan(1500);
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('Consent card: Test Wrens');
    expect(text).toContain('Cat Wren – Consent refused or withdrawn');
    expect(text).toContain('Ben Wren – Photos OK, no videos');
    expect(text).not.toContain('Ada Wren –');
    // When it was printed, in UK local time in words ("6 December 2026 at 6:28pm"), as on the page.
    expect(text).toMatch(/Printed \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm)\./);
  });

  it('runs the batch check and reports bad input with the error summary', async () => {
    const b = as('teacher');
    const q = new URLSearchParams({
      class: CLASS,
      purpose: 'school_social_media',
      mediaType: 'video',
      named: 'no',
      check: '1',
      ...dateFields('at'),
    });
    const res = await b.get(`/consent/check?${q}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('1 of 3 may appear');
    expect(res.body).toContain('Ada Wren');
    const bad = await b.get(
      `/consent/check?check=1&class=${encodeURIComponent(otherPupil.className)}`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('Choose a class');
    expect(bad.body).toContain('Choose what the photo or video is for');
    expect(bad.body).not.toContain(otherPupil.id);
  });

  it('lists changes since a date and exports the register as CSV', async () => {
    const res = await as('office').get(`/consent/changes?since=${today()}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('5 records since');
    expect(res.body).toContain('Withdrawal');
    expect((await as('office').get('/consent/changes?since=2026-02-31')).statusCode).toBe(400);
    const future = await as('office').get('/consent/changes?since=2999-01-01');
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('must be today or in the past');

    const csv = await as('dpo').get('/consent/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(csv.headers['content-disposition'])).toMatch(
      /^attachment; filename="consent-register-/,
    );
    expect(String(csv.headers['cache-control'])).toContain('no-store');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'MIS id,Given name,Family name,Year group,Class,Purpose,Media,Decision,Allowed now,Decided by,Date on form,Method,Period',
    );
    expect(lines).toHaveLength(1 + 16 * 3);
    expect(lines.filter((l) => l.includes(',Cat,Wren,'))[0]).toContain(
      ',Photos,No,No,MumCat Wren,',
    );
  });

  it('lets the Headteacher assign classes, which changes what the teacher sees', async () => {
    const head = as('headteacher');
    const page = await head.get(`/staff/${A.staff.support_staff.id}/classes`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CLASS);
    const bad = await head.post(`/staff/${A.staff.support_staff.id}/classes`, { classes: 'Nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    const ok = await head.post(`/staff/${A.staff.support_staff.id}/classes`, { classes: CLASS });
    expect(ok.statusCode).toBe(303);
    expect(
      (await as('support_staff').get(`/consent/classes/${encodeURIComponent(CLASS)}`)).statusCode,
    ).toBe(200);
    const list = await head.get('/staff/classes');
    expect(list.body).toContain('Classes saved.');
    // Another school's staff member looks missing.
    expect((await head.get(`/staff/${B.staff.teacher.id}/classes`)).statusCode).toBe(404);
    expect(
      (await head.post(`/staff/${B.staff.teacher.id}/classes`, { classes: CLASS })).statusCode,
    ).toBe(404);
  });
  it('serves a JPEG scan without its EXIF GPS position or Artist', async () => {
    const JPEG = await jpegScanWithGps();
    expect(JPEG.toString('latin1')).toContain('LANYARD-SECRET-ARTIST');
    const b = as('office');
    await b.get(`/consent/pupils/${kids[0]!.id}/paper-form`);
    const res = await postMultipart(
      b,
      `/consent/pupils/${kids[0]!.id}/paper-form`,
      {
        decider: kids[0]!.mum,
        method: 'paper_form',
        ...dateFields('decidedOn'),
        'q-school_social_media-image': 'granted',
        'q-school_social_media-video': 'granted',
        'q-school_social_media-name': 'refused',
      },
      { name: 'evidence', filename: 'form photo.jpg', type: 'image/jpeg', data: JPEG },
    );
    expect(res.statusCode).toBe(303);
    const page = await b.get(`/consent/pupils/${kids[0]!.id}`);
    const link = /href="(\/consent\/records\/[0-9a-f-]{36}\/evidence)"/.exec(page.body)?.[1];
    const file = await b.get(link!);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(secretsIn(file.rawPayload)).toEqual([]);
    // No EXIF block at all (GPS is a tag inside it, not text).
    expect(file.rawPayload.includes(Buffer.from('Exif\0', 'latin1'))).toBe(false);
  });
  it('serves a scan stored before scans were stripped without its metadata as well', async () => {
    // Scans stored by an earlier Lanyard kept EXIF and PDF document information; the records are
    // append-only, so the stored file stays, and the download is stripped on the way out.
    const b = as('office');
    const page = await b.get(`/consent/pupils/${kids[0]!.id}`);
    const link = /href="(\/consent\/records\/([0-9a-f-]{36})\/evidence)"/.exec(page.body)!;
    const { rows } = await pool().query(`SELECT evidence_key FROM consent_records WHERE id = $1`, [
      link[2],
    ]);
    const legacy = await jpegScanWithGps();
    const temp = await ctx.platform.files.writeTemp(legacy);
    await ctx.platform.files.commit(temp.name, rows[0].evidence_key);
    expect(secretsIn(await ctx.platform.files.read(rows[0].evidence_key)).length).toBeGreaterThan(
      0,
    );
    const file = await b.get(link[1]!);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(secretsIn(file.rawPayload)).toEqual([]);
  });
});
