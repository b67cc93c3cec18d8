import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser, scalar, signInWithLink } from '../support/http-principals.ts';

/**
 * News page appearance (issue 12 item 7, "in the school's styling"), over HTTP with CSRF on: the
 * Business Manager (the profile's credential custodian) sets a colour and a logo; the public news
 * page shows them (a stylesheet of the school's own, the logo with its alt text), the logo is
 * served as a metadata-free PNG at most 120 px high with an ETag; the change is audited. A colour
 * too light for white writing and a "logo" that is not an image are refused with the error
 * summary, and nothing changes. A teacher and a parent get a 404.
 */
describe('news page appearance', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let bm: Browser;
  let teacher: Browser;
  let parent: Browser;
  const url = '/channels/news-appearance';

  const segment = (marker: number, payload: Buffer): Buffer => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([head, payload]);
  };

  /** A 600 × 300 JPEG "logo" carrying a comment and XMP that must not survive. */
  const logoJpeg = async (): Promise<Buffer> => {
    const w = 600;
    const h = 300;
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      px[i * 3] = 29;
      px[i * 3 + 1] = 92 + (i % 50);
      px[i * 3 + 2] = 58;
    }
    const jpeg = (await ctx.platform.images.encodeJpeg({ data: px, width: w, height: h })).data;
    const xmp = Buffer.from(
      'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/">LOGO-XMP-MARKER GPS 53,36.2N</x:xmpmeta>',
      'latin1',
    );
    return Buffer.concat([
      jpeg.subarray(0, 2),
      segment(0xe1, xmp),
      segment(0xfe, Buffer.from('LOGO-COMMENT-MARKER made by J. Bloggs', 'latin1')),
      jpeg.subarray(2),
    ]);
  };

  const send = async (
    b: Browser,
    fields: Record<string, string>,
    file?: { filename: string; type: string; content: Buffer },
  ): Promise<LightMyRequestResponse> => {
    await b.get(url);
    const body = multipartBody(
      { _csrf: b.csrf ?? '', ...fields },
      file ? { ...file, field: 'logo' } : undefined,
    );
    return b.request({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };

  const row = async () =>
    (
      await ctx.services.database.pool.query<{
        news_colour: string | null;
        news_logo_key: string | null;
        news_logo_sha256: string | null;
      }>('SELECT news_colour, news_logo_key, news_logo_sha256 FROM schools WHERE id = $1', [
        fx.school.id,
      ])
    ).rows[0]!;
  const audits = () =>
    scalar(
      ctx,
      "SELECT count(*) AS n FROM audit_events WHERE school_id = $1 AND action = 'publishing.news-appearance-changed'",
      [fx.school.id],
    );
  const errorSummary = (html: string) =>
    /govuk-error-summary__list">([\s\S]*?)<\/ul>/
      .exec(html)?.[1]
      ?.replace(/<[^>]+>|\s+/g, ' ')
      .trim() ?? '';

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 1 }),
      createSchool(ctx.services, { pupils: 1 }),
    ]);
    bm = new Browser(app);
    teacher = new Browser(app);
    parent = new Browser(app);
    await Promise.all([
      bm.signIn(fx.staff.business_manager.email),
      teacher.signIn(fx.staff.teacher.email),
      signInWithLink(parent, ctx, fx.parent.email!),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('looks as it always did when nothing is set', async () => {
    const page = await app.inject({ method: 'GET', url: `/news/${fx.school.slug}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('brand.css');
    expect(page.body).not.toContain('lanyard-news-logo');
    expect(
      (await app.inject({ method: 'GET', url: `/news/${fx.school.slug}/logo.png` })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: `/news/${fx.school.slug}/brand.css` })).statusCode,
    ).toBe(404);
  });

  it('is a 404 for a teacher and a parent, and reached from the channels page by the custodian', async () => {
    for (const b of [teacher, parent]) {
      expect((await b.get(url)).statusCode).toBe(404);
    }
    // A teacher's post (with a valid form of their own) changes nothing either.
    await teacher.get('/channels');
    const body = multipartBody({ _csrf: teacher.csrf ?? '', colour: '#1d5c3a' });
    const refused = await teacher.request({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
    expect(refused.statusCode).toBe(404);
    expect((await row()).news_colour).toBeNull();
    expect((await teacher.get('/channels')).body).not.toContain(url);
    const list = await bm.get('/channels');
    expect(list.body).toContain(`href="${url}"`);
    const page = await bm.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('News page appearance');
  });

  it('saves a colour and a logo: shown on the news page, the logo served stripped with an ETag, audited', async () => {
    const before = await audits();
    const res = await send(
      bm,
      { colour: '#1D5C3A' },
      { filename: 'crest.jpg', type: 'image/jpeg', content: await logoJpeg() },
    );
    expect(res.statusCode, errorSummary(res.body)).toBe(303);
    expect(res.headers.location).toBe(url);
    const saved = await row();
    expect(saved.news_colour).toBe('#1d5c3a');
    expect(saved.news_logo_key).toMatch(
      new RegExp(`^${fx.school.id}/news/logo-[0-9a-f]{32}\\.png$`),
    );
    const stored = await ctx.platform.files.read(saved.news_logo_key!);
    expect(crypto.createHash('sha256').update(stored).digest('hex')).toBe(saved.news_logo_sha256);
    expect(await audits()).toBe(before + 1);
    const { rows } = await ctx.services.database.pool.query<{ data: unknown; actor_id: string }>(
      "SELECT data, actor_id FROM audit_events WHERE school_id = $1 AND action = 'publishing.news-appearance-changed'",
      [fx.school.id],
    );
    expect(rows[0]!.actor_id).toBe(fx.staff.business_manager.id);
    expect(rows[0]!.data).toMatchObject({ changed: ['colour', 'logo'], colour: '#1d5c3a' });

    // The settings page shows what is set now.
    const settings = await bm.get(url);
    expect(settings.body).toContain('#1d5c3a');
    expect(settings.body).toContain(`alt="${fx.school.name} logo"`);

    // The public news page: its own stylesheet and the logo with its alt text.
    const page = await app.inject({ method: 'GET', url: `/news/${fx.school.slug}` });
    expect(page.statusCode).toBe(200);
    const cssHref = /<link rel="stylesheet" href="([^"]*brand\.css[^"]*)">/.exec(page.body)?.[1];
    expect(cssHref).toBeDefined();
    const img = /<img class="lanyard-news-logo" src="([^"]+)" alt="([^"]+)"/.exec(page.body);
    expect(img?.[2]).toBe(`${fx.school.name} logo`);
    // No inline style anywhere: the CSP stays style-src 'self'.
    expect(page.body).not.toMatch(/<style|style="/);
    expect(String(page.headers['content-security-policy'])).toContain("style-src 'self'");
    expect(String(page.headers['content-security-policy'])).not.toContain('unsafe-inline');

    const css = await app.inject({ method: 'GET', url: cssHref!.replace(/&amp;/g, '&') });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain('background:#1d5c3a');
    expect(css.headers.etag).toBeTruthy();

    const logo = await app.inject({ method: 'GET', url: img![1]!.replace(/&amp;/g, '&') });
    expect(logo.statusCode).toBe(200);
    expect(logo.headers['content-type']).toBe('image/png');
    expect(logo.headers.etag).toBe(`"${saved.news_logo_sha256}"`);
    expect(logo.headers['cache-control']).toBe('public, no-cache');
    const again = await app.inject({
      method: 'GET',
      url: `/news/${fx.school.slug}/logo.png`,
      headers: { 'if-none-match': String(logo.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const bytes = logo.rawPayload;
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // 600 × 300 scaled to 120 high; nothing of the file's metadata is left.
    expect(bytes.readUInt32BE(16)).toBe(240);
    expect(bytes.readUInt32BE(20)).toBe(120);
    expect(await ctx.platform.images.hasMetadata(bytes)).toBe(false);
    expect(bytes.includes(Buffer.from('MARKER'))).toBe(false);
    expect(bytes.includes(Buffer.from('Bloggs'))).toBe(false);

    // The feeds name the logo; the page's ETag moved with the change.
    const atom = await app.inject({ method: 'GET', url: `/news/${fx.school.slug}/feed.atom` });
    expect(atom.body).toContain(`/news/${fx.school.slug}/logo.png?v=`);

    // Another school's page is untouched.
    const theirs = await app.inject({ method: 'GET', url: `/news/${other.school.slug}` });
    expect(theirs.body).not.toContain('brand.css');
    expect(theirs.body).not.toContain('lanyard-news-logo');
  });

  it('refuses a colour too light for white writing, with the error summary, changing nothing', async () => {
    const before = await row();
    const audited = await audits();
    const res = await send(bm, { colour: '#ffdd00' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    const summary = errorSummary(res.body);
    expect(summary).toContain('The colour #ffdd00 is too light for the white writing on it');
    expect(summary).toContain('at least 4.5 to 1');
    expect(res.body).toContain('href="#colour"');
    // The answer is kept in the field.
    expect(res.body).toContain('value="#ffdd00"');
    expect(await row()).toEqual(before);
    expect(await audits()).toBe(audited);

    const bad = await send(bm, { colour: 'green' });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toContain('Enter the colour as a # followed by 6');
    expect(await row()).toEqual(before);
  });

  it('refuses a "logo" that is not an image, with the error summary, changing nothing', async () => {
    const before = await row();
    const audited = await audits();
    const files = async () => {
      let n = 0;
      for await (const f of ctx.platform.files.list(`${fx.school.id}/news`)) if (f) n += 1;
      return n;
    };
    const filesBefore = await files();
    const res = await send(
      bm,
      { colour: '#0b3d91' },
      {
        filename: 'logo.png',
        type: 'image/png',
        content: Buffer.from('<html><script>alert(1)</script></html>'),
      },
    );
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toContain('The logo must be a PNG or JPEG image');
    expect(res.body).toContain('href="#logo"');
    const svg = await send(
      bm,
      { colour: '#0b3d91' },
      {
        filename: 'logo.svg',
        type: 'image/svg+xml',
        content: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
      },
    );
    expect(svg.statusCode).toBe(400);
    expect(errorSummary(svg.body)).toContain('SVG');
    expect(await row()).toEqual(before);
    expect(await audits()).toBe(audited);
    expect(await files()).toBe(filesBefore);
  });

  it('takes the logo away and clears the colour, back to the usual page', async () => {
    const key = (await row()).news_logo_key!;
    const res = await send(bm, { colour: '', removeLogo: 'yes' });
    expect(res.statusCode, errorSummary(res.body)).toBe(303);
    expect(await row()).toEqual({ news_colour: null, news_logo_key: null, news_logo_sha256: null });
    expect(await ctx.platform.files.exists(key)).toBe(false);
    const page = await app.inject({ method: 'GET', url: `/news/${fx.school.slug}` });
    expect(page.body).not.toContain('brand.css');
    expect(page.body).not.toContain('lanyard-news-logo');
  });
});
