import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml2js } from 'xml-js';
import { createTestServices, type TestContext } from '../support/db.ts';
import { buildTestApp, HttpClient } from '../support/http.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import {
  addChannel,
  addItem,
  addPost,
  addPublications,
  oneFace,
} from '../support/publishing-seed.ts';

/**
 * The school's public news page (issue 12 item 7): no sign-in, only live items on the built-in
 * news channel, the school's name and the profile's notice about comments, Atom / RSS 2.0 /
 * JSON feeds that parse, ETag and Last-Modified with 304, and images only as the recorded
 * publishable rendition. A crawl of every public news address of a school whose photo tags
 * pupils finds no original, no metadata and no pupil's full name anywhere.
 */

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** A camera's JPEG: XMP with GPS and the photographer's caption naming the child, and a comment. */
function withMetadata(jpeg: Buffer, caption: string): Buffer {
  const xmp =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" exif:GPSLatitude="53,36.2N" dc:description="${caption}" dc:creator="NEWS-XMP-MARKER"/>` +
    '</rdf:RDF></x:xmpmeta>';
  return Buffer.concat([
    jpeg.subarray(0, 2),
    segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${xmp}`, 'latin1')),
    segment(0xfe, Buffer.from(`NEWS-COMMENT-MARKER ${caption}`, 'latin1')),
    jpeg.subarray(2),
  ]);
}

/** The markers of a JPEG's header segments up to the start of scan. */
function headerMarkers(jpeg: Buffer): number[] {
  const out: number[] = [];
  let i = 2;
  while (i + 4 <= jpeg.length) {
    const marker = jpeg.readUInt16BE(i);
    out.push(marker);
    if (marker === 0xffda) break;
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  return out;
}

describe('the school news page', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let home: string;
  let pubA: string;
  let pubB: string;
  let removed: string;
  let onSocial: string;
  let otherSchools: string;
  let original: Buffer;
  let uploaded: Buffer;
  let mediaId: string;
  let imageSha: string;
  let imageKey: string;
  let notice: string;

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    ctx = await createTestServices({ faces: oneFace });
    app = await buildTestApp(ctx);
    const s = ctx.services;
    fx = await createSchool(s, { pupils: 6, template: 'john-clifford-primary' });
    other = await createSchool(s, { pupils: 2, template: 'john-clifford-primary' });
    await grantConsentForAll(s, fx);
    notice = (await s.policies.current(fx.school.id)).settings.publishing.commentsNotMonitoredNotice
      .value.text;
    home = `/news/${fx.school.slug}`;
    const teacher = { kind: 'staff' as const, id: fx.staff.teacher.id };
    const tagged = fx.pupils[0]!;

    // A photo from a camera, its metadata naming the tagged child, through the real pipeline.
    const px = crypto.randomBytes(320 * 240 * 3);
    const jpeg = await ctx.platform.images.encodeJpeg({ data: px, width: 320, height: 240 });
    uploaded = withMetadata(jpeg.data, `${tagged.givenName} ${tagged.familyName} at sports day`);
    const [item] = await s.media.upload(
      fx.school.id,
      teacher,
      {
        deviceId: null,
        deviceDescription: 'class camera',
        eventLabel: 'sports day',
        swimwear: false,
      },
      [{ data: uploaded, filename: 'IMG_0001.JPG' }],
      { queue: false },
    );
    mediaId = item!.id;
    await s.media.ingest(mediaId);
    await s.media
      .release(
        {
          kind: 'staff',
          id: fx.staff.headteacher.id,
          schoolId: fx.school.id,
          roles: ['headteacher'],
          name: 'Head',
        },
        mediaId,
      )
      .catch(() => undefined);
    const view = await s.media.view(fx.school.id, mediaId);
    await s.media.linkFace(fx.school.id, teacher, mediaId, view.faces[0]!.id, tagged.id);
    original = await ctx.platform.files.read(view.item.originalKey!);
    const rendition = await s.media.publishableRendition(
      fx.school.id,
      mediaId,
      'school_website',
      teacher,
    );
    const bytes = await ctx.platform.files.read(rendition.fileKey);

    const newsId = await addChannel(s, fx.school.id, {
      kind: 'news',
      name: 'School news page',
      purposeKey: 'school_website',
    });
    const socialId = await addChannel(s, fx.school.id, {
      kind: 'social',
      name: 'School Facebook page',
      platform: 'Facebook',
      purposeKey: 'school_website',
    });
    const postId = await addPost(s, fx.school.id, fx.staff.teacher.id, 'Sports day', 'x');
    const at = new Date(Date.now() - 60_000);
    pubA = (
      await addPublications(s, {
        schoolId: fx.school.id,
        postId,
        accountId: newsId,
        purposeKey: 'school_website',
        pupilIds: [tagged.id],
        title: 'Sports day',
        text: 'Year 3 ran, jumped and cheered.\n\nWell done, everyone!',
        publishedAt: at,
      })
    )[0]!;
    ({ sha256: imageSha, fileKey: imageKey } = await addItem(s, ctx.platform, {
      schoolId: fx.school.id,
      publicationId: pubA!,
      mediaId,
      renditionId: rendition.id,
      bytes,
      altText: 'Children racing on the field',
    }));
    pubB = (
      await addPublications(s, {
        schoolId: fx.school.id,
        postId,
        accountId: newsId,
        purposeKey: 'school_website',
        pupilIds: [],
        title: 'Harvest festival',
        text: 'Thank you for the food bank donations.',
        publishedAt: new Date(at.getTime() - 86_400_000),
      })
    )[0]!;
    removed = (
      await addPublications(s, {
        schoolId: fx.school.id,
        postId,
        accountId: newsId,
        purposeKey: 'school_website',
        pupilIds: [tagged.id],
        title: 'Taken down story',
        state: 'removed',
      })
    )[0]!;
    onSocial = (
      await addPublications(s, {
        schoolId: fx.school.id,
        postId,
        accountId: socialId,
        purposeKey: 'school_website',
        pupilIds: [],
        title: 'Facebook only story',
      })
    )[0]!;
    const otherNews = await addChannel(s, other.school.id, {
      kind: 'news',
      name: 'School news page',
      purposeKey: 'school_website',
    });
    otherSchools = (
      await addPublications(s, {
        schoolId: other.school.id,
        postId: await addPost(s, other.school.id, other.staff.teacher.id, 'Other', 'x'),
        accountId: otherNews,
        purposeKey: 'school_website',
        pupilIds: [],
        title: 'Another school story',
      })
    )[0]!;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists the live news items, in the school’s name, with the comments notice, to anyone', async () => {
    const res = await get(home);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain(fx.school.name);
    expect(res.body).toContain('Sports day');
    expect(res.body).toContain('Harvest festival');
    expect(res.body.indexOf('Sports day')).toBeLessThan(res.body.indexOf('Harvest festival'));
    const escaped = notice
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
    expect(notice.length).toBeGreaterThan(10);
    expect(res.body).toContain(escaped);
    for (const hidden of ['Taken down story', 'Facebook only story', 'Another school story'])
      expect(res.body).not.toContain(hidden);
    expect(res.body).toContain(`href="${home}/feed.atom"`);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(new Date(String(res.headers['last-modified'])).getTime()).toBeGreaterThan(0);
    expect(res.headers['cache-control']).toBe('public, no-cache');
    // The same page for everyone: nothing about a session, no cookie set.
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).not.toContain('Signed in as');
    const signedIn = new HttpClient(app);
    await signedIn.signIn(fx.staff.teacher.email);
    const again = await signedIn.get(home);
    expect(again.statusCode).toBe(200);
    expect(again.headers.etag).toBe(res.headers.etag);
    expect(again.body).not.toContain('Signed in as');
  });

  it('answers 304 to a current copy (ETag or Last-Modified), and a change gives a new ETag', async () => {
    const first = await get(home);
    const etag = String(first.headers.etag);
    const byTag = await get(home, { 'if-none-match': etag });
    expect(byTag.statusCode).toBe(304);
    expect(byTag.body).toBe('');
    expect(byTag.headers.etag).toBe(etag);
    const byDate = await get(home, { 'if-modified-since': String(first.headers['last-modified']) });
    expect(byDate.statusCode).toBe(304);
    expect((await get(home, { 'if-none-match': '"stale"' })).statusCode).toBe(200);
    for (const feed of ['feed.atom', 'feed.rss', 'feed.json']) {
      const f = await get(`${home}/${feed}`);
      expect(
        (await get(`${home}/${feed}`, { 'if-none-match': String(f.headers.etag) })).statusCode,
      ).toBe(304);
    }
    const post = await get(`${home}/${pubA}`);
    expect(
      (await get(`${home}/${pubA}`, { 'if-none-match': String(post.headers.etag) })).statusCode,
    ).toBe(304);
    const image = await get(`${home}/${pubA}/images/0.jpg`);
    expect(
      (await get(`${home}/${pubA}/images/0.jpg`, { 'if-none-match': String(image.headers.etag) }))
        .statusCode,
    ).toBe(304);

    // Taking an item down changes the page (and its validators) at once.
    await ctx.services.database.pool.query(
      `UPDATE publications SET state = 'removed', removed_at = now() WHERE id = $1`,
      [pubB],
    );
    const after = await get(home, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.body).not.toContain('Harvest festival');
    expect((await get(`${home}/${pubB}`)).statusCode).toBe(404);
    await ctx.services.database.pool.query(
      `UPDATE publications SET state = 'live', removed_at = NULL WHERE id = $1`,
      [pubB],
    );
  });

  it('shows a page per live item; anything else is a 404', async () => {
    const res = await get(`${home}/${pubA}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Year 3 ran, jumped and cheered.');
    expect(res.body).toContain('<p class="govuk-body">Well done, everyone!</p>');
    expect(res.body).toContain(`src="${home}/${pubA}/images/0.jpg"`);
    expect(res.body).toContain('alt="Children racing on the field"');
    expect(res.body).toContain(fx.school.name);
    for (const url of [
      `${home}/${removed}`,
      `${home}/${onSocial}`,
      `${home}/${otherSchools}`,
      `/news/${other.school.slug}/${pubA}`,
      `/news/${other.school.slug}/${pubA}/images/0.jpg`,
      `${home}/${pubA}/images/1.jpg`,
      `${home}/not-an-id`,
      '/news/no-such-school',
      '/news/No_Such',
      `${home}?page=9`,
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(String(r.headers['cache-control']), url).toBe('no-store');
    }
  });

  it('publishes Atom, RSS 2.0 and JSON Feed that parse, with the live items only', async () => {
    const atom = await get(`${home}/feed.atom`);
    expect(atom.statusCode).toBe(200);
    expect(atom.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const a = xml2js(atom.body, { compact: true }) as {
      feed: {
        _attributes: { xmlns: string };
        title: { _text: string };
        entry: { title: { _cdata?: string; _text?: string } }[];
      };
    };
    expect(a.feed._attributes.xmlns).toBe('http://www.w3.org/2005/Atom');
    const titleOf = (t: { _cdata?: string; _text?: string }) => t._cdata ?? t._text;
    expect(a.feed.entry.map((e) => titleOf(e.title))).toEqual(['Sports day', 'Harvest festival']);

    const rss = await get(`${home}/feed.rss`);
    expect(rss.headers['content-type']).toMatch(/^application\/rss\+xml/);
    const r = xml2js(rss.body, { compact: true }) as {
      rss: {
        _attributes: { version: string };
        channel: {
          item: { title: { _cdata?: string; _text?: string }; link: { _text: string } }[];
        };
      };
    };
    expect(r.rss._attributes.version).toBe('2.0');
    expect(r.rss.channel.item.map((i) => titleOf(i.title))).toEqual([
      'Sports day',
      'Harvest festival',
    ]);
    expect(r.rss.channel.item[0]!.link._text).toBe(`http://lanyard.test${home}/${pubA}`);

    const json = await get(`${home}/feed.json`);
    expect(json.headers['content-type']).toMatch(/^application\/feed\+json/);
    const j = JSON.parse(json.body) as {
      version: string;
      title: string;
      items: { title: string; url: string; image?: string; content_html: string }[];
    };
    expect(j.version).toMatch(/^https:\/\/jsonfeed\.org\/version\/1/);
    expect(j.items.map((i) => i.title)).toEqual(['Sports day', 'Harvest festival']);
    expect(j.items[0]!.image).toBe(`http://lanyard.test${home}/${pubA}/images/0.jpg`);
    expect(j.items[0]!.content_html).toContain('alt="Children racing on the field"');
  });

  it('serves an image only as the recorded rendition, its SHA-256 checked on every read', async () => {
    const res = await get(`${home}/${pubA}/images/0.jpg`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const body = res.rawPayload;
    expect(crypto.createHash('sha256').update(body).digest('hex')).toBe(imageSha);
    expect(res.headers.etag).toBe(`"${imageSha}"`);
    expect(body.equals(original)).toBe(false);
    expect(body.equals(uploaded)).toBe(false);
    // A file that no longer matches its record is never served.
    const good = await ctx.platform.files.read(imageKey);
    const temp = await ctx.platform.files.writeTemp(Buffer.concat([good, Buffer.from([0])]));
    await ctx.platform.files.commit(temp.name, imageKey);
    try {
      expect((await get(`${home}/${pubA}/images/0.jpg`)).statusCode).toBe(404);
    } finally {
      const back = await ctx.platform.files.writeTemp(good);
      await ctx.platform.files.commit(back.name, imageKey);
    }
    expect((await get(`${home}/${pubA}/images/0.jpg`)).statusCode).toBe(200);
  });

  it('a crawl of every public news address finds no original, no metadata and no pupil’s full name', async () => {
    const pupils = [...fx.pupils, ...other.pupils];
    const names = pupils.flatMap((p) => [
      `${p.givenName} ${p.familyName}`,
      `${p.familyName}, ${p.givenName}`,
    ]);
    const ids = [...pupils.map((p) => p.id), mediaId];
    const seen = new Set<string>();
    const queue = [home, `${home}/feed.atom`, `${home}/feed.rss`, `${home}/feed.json`];
    const responses: { url: string; res: LightMyRequestResponse }[] = [];
    while (queue.length > 0) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      responses.push({ url, res });
      if (/^image\//.test(String(res.headers['content-type']))) continue;
      const text = res.body.replace(/&amp;/g, '&');
      for (const m of text.matchAll(
        /(?:href|src)="([^"]+)"|https?:\/\/lanyard\.test(\/[^"'<\s\\]+)/g,
      )) {
        const link = (m[1] ?? m[2] ?? '').replace('http://lanyard.test', '');
        if (link.startsWith('/news/')) queue.push(link);
      }
    }
    const urls = responses.map((r) => r.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        `${home}/${pubA}`,
        `${home}/${pubB}`,
        `${home}/${pubA}/images/0.jpg`,
      ]),
    );
    for (const { url, res } of responses) {
      const body = res.rawPayload;
      const text = body.toString('latin1').toLowerCase();
      for (const name of names)
        expect(text, `${url} names a pupil`).not.toContain(name.toLowerCase());
      for (const id of ids) expect(text, `${url} holds an id`).not.toContain(id);
      expect(text).not.toContain('news-xmp-marker');
      expect(text).not.toContain('news-comment-marker');
      expect(text).not.toContain('gpslatitude');
      expect(body.equals(original), `${url} is the original`).toBe(false);
      expect(body.includes(original.subarray(200, 1200)), `${url} holds the original`).toBe(false);
      if (res.headers['content-type'] === 'image/jpeg') {
        const allowed = new Set([0xffe0, 0xffdb, 0xffc0, 0xffc2, 0xffc4, 0xffdd, 0xffda]);
        expect(
          headerMarkers(body).filter((m) => !allowed.has(m)),
          url,
        ).toEqual([]);
      }
    }
  });
});
