import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/platform/files/file-store.ts';
import { ImageProcessor } from '../../src/platform/images/image-processor.ts';
import {
  ChannelError,
  type ChannelContext,
  type OutgoingPost,
} from '../../src/modules/publishing/channel-adapter.ts';
import {
  WordPressAdapter,
  wordpressSlug,
} from '../../src/modules/publishing/channels/wordpress-adapter.ts';
import { startWordPress, type WordPressSite } from '../channels/wordpress.ts';

/**
 * The WordPress adapter against a real WordPress (Debian's package under PHP's built-in server,
 * a fresh MariaDB database; test/channels/wordpress.ts). A tiny real proxy in front of it answers
 * 429, 503 or nothing when a test asks. If WordPress cannot be started, every test here fails
 * with the reason (see the beforeAll).
 */

let wp: WordPressSite;
let files: LocalFileStore;
let dir: string;
let proxy: http.Server;
let proxyUrl: string;
/** What the proxy does with the next matching request; null: pass it on. */
let trap: {
  match: (req: http.IncomingMessage) => boolean;
  answer: (res: http.ServerResponse) => void;
} | null = null;
let deleteOnTakedown = false;
let adapter: WordPressAdapter;
const photos: { key: string; bytes: Buffer; sha256: string }[] = [];
let startError: unknown = null;
const images = new ImageProcessor();

const sha = (b: Buffer | Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

const ctx = (over: { url?: string; password?: string; category?: string | null } = {}) =>
  ({
    account: {
      id: '00000000-0000-4000-8000-000000000001',
      schoolId: '00000000-0000-4000-8000-000000000002',
      kind: 'wordpress',
      name: 'School website',
      platform: null,
      handle: wp.username,
      purposeKey: 'school_website',
      endpointUrl: over.url ?? wp.url,
      maxLength: null,
      maxImages: null,
      category: over.category === undefined ? wp.category : over.category,
    },
    credential: over.password ?? wp.appPassword,
    files,
  }) satisfies ChannelContext;

const post = (key: string, over: Partial<OutgoingPost> = {}): OutgoingPost => ({
  publicationId: crypto.randomUUID(),
  idempotencyKey: key,
  title: 'Sports day & the relay',
  text: 'Year 3 ran the relay in the sun.\n\nThank you to everyone who came to cheer.',
  images: photos.map((p, i) => ({
    fileKey: p.key,
    mime: 'image/jpeg',
    altText: i === 0 ? 'Children running a relay race' : 'Parents cheering by the track',
    sha256: p.sha256,
  })),
  newsUrl: null,
  publishedAt: new Date(),
  ...over,
});

/** The site as an administrator of it would see it (with the Author's own password). */
async function rest<T>(
  route: string,
  query: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const url = new URL(wp.url);
  url.searchParams.set('rest_route', route);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, {
    headers: {
      authorization: `Basic ${Buffer.from(`${wp.username}:${wp.appPassword}`).toString('base64')}`,
    },
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChannelError) return e;
    throw e;
  }
  throw new Error('expected a ChannelError');
}

function requireWordPress() {
  if (startError)
    throw new Error(
      `The WordPress channel tests need a real WordPress and it could not be started: ${(startError as Error).message}`,
    );
}

beforeAll(async () => {
  try {
    wp = await startWordPress();
  } catch (e) {
    startError = e;
    return;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-wp-files-'));
  files = new LocalFileStore(dir);
  for (const [i, colour] of [
    [0, { r: 200, g: 40, b: 40 }],
    [1, { r: 40, g: 120, b: 200 }],
  ] as const) {
    // A publishable rendition: a JPEG with no metadata at all, as the media pipeline makes them.
    const [w, h] = [640, 480];
    const pixels = Buffer.alloc(w * h * 3);
    for (let p = 0; p < w * h; p++) pixels.set([colour.r, colour.g, (colour.b + p) % 256], p * 3);
    const { data: bytes } = await images.encodeJpeg({ data: pixels, width: w, height: h });
    const temp = await files.writeTemp(bytes);
    const key = `renditions/photo-${i}.jpg`;
    await files.commit(temp.name, key);
    photos.push({ key, bytes, sha256: sha(bytes) });
  }
  proxy = http.createServer((req, res) => {
    if (trap?.match(req)) {
      const t = trap;
      trap = null;
      req.resume();
      t.answer(res);
      return;
    }
    const target = new URL(req.url ?? '/', wp.url);
    const upstream = http.request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  adapter = new WordPressAdapter({
    deleteOnTakedown: async () => deleteOnTakedown,
    allowLoopbackHttp: true,
    timeoutMs: 5_000,
  });
}, 120_000);

afterAll(async () => {
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
  await wp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('WordPress channel (a real WordPress)', () => {
  it('starts (or the tests fail here with the reason)', () => {
    requireWordPress();
    expect(wp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('health: a good application password is fine; a revoked one is named plainly', async () => {
    requireWordPress();
    expect(await adapter.health(ctx())).toEqual({ ok: true });
    const spare = await wp.newAppPassword();
    expect(await adapter.health(ctx({ password: spare.password }))).toEqual({ ok: true });
    await wp.revoke(spare.uuid);
    const revoked = await adapter.health(ctx({ password: spare.password }));
    expect(revoked.ok).toBe(false);
    expect(revoked.problem).toContain(
      'refused the application password for the WordPress user “lanyard”',
    );
    expect(revoked.problem).toContain('revoked');
    const e = await failure(adapter.publish(post('revoked'), ctx({ password: spare.password })));
    expect(e.kind).toBe('rejected_credentials');
    expect(e.retryable).toBe(false);
    const missing = await adapter.health(ctx({ category: 'Lost property' }));
    expect(missing.problem).toContain('There is no category called “Lost property”');
  });

  it('publishes a post with two photos in the category; reads back title, text, photos with alt text, category', async () => {
    requireWordPress();
    const item = post('post-1:account-1');
    const ref = await adapter.publish(item, ctx());
    expect(ref.remoteId).toMatch(/^\d+$/);
    expect(ref.remoteUrl).toContain(wp.url);

    const { body: p } = await rest<{
      status: string;
      slug: string;
      title: { raw: string };
      content: { raw: string; rendered: string };
      categories: number[];
    }>(`/wp/v2/posts/${ref.remoteId}`, { context: 'edit' });
    expect(p.status).toBe('publish');
    expect(p.slug).toBe(wordpressSlug('post-1:account-1'));
    expect(p.title.raw.replace(/&amp;/g, '&')).toBe('Sports day & the relay');
    expect(p.content.rendered).toContain('Year 3 ran the relay in the sun.');
    expect(p.content.rendered).toContain('Thank you to everyone who came to cheer.');
    expect(p.categories).toEqual([wp.categoryId]);
    expect(p.content.raw).toContain('alt="Children running a relay race"');
    expect(p.content.raw).toContain('alt="Parents cheering by the track"');

    const { body: media } = await rest<
      {
        id: number;
        alt_text: string;
        source_url: string;
        media_details: { image_meta?: Record<string, unknown> };
      }[]
    >('/wp/v2/media', { parent: ref.remoteId, context: 'edit' });
    expect(media).toHaveLength(2);
    expect(media.map((m) => m.alt_text).sort()).toEqual([
      'Children running a relay race',
      'Parents cheering by the track',
    ]);
    // The files on the site are byte for byte the stripped renditions: no metadata.
    const stored = await Promise.all(
      media.map(async (m) => Buffer.from(await (await fetch(m.source_url)).arrayBuffer())),
    );
    expect(stored.map(sha).sort()).toEqual(photos.map((x) => x.sha256).sort());
    for (const b of stored) {
      expect(await images.hasMetadata(b)).toBe(false);
    }
    for (const m of media) {
      const im = m.media_details.image_meta ?? {};
      expect(im.camera ?? '').toBe('');
      expect(im.credit ?? '').toBe('');
    }
  });

  it('re-publishing updates the same post (one photo fewer, a new title); it is never posted twice', async () => {
    requireWordPress();
    const first = await adapter.publish(post('post-2:account-1'), ctx());
    const again = await adapter.publish(
      post('post-2:account-1', { title: 'Sports day (updated)', images: [post('x').images[0]!] }),
      ctx(),
    );
    expect(again.remoteId).toBe(first.remoteId);
    const { body: same } = await rest<{ id: number; title: { raw: string } }[]>('/wp/v2/posts', {
      slug: wordpressSlug('post-2:account-1'),
      status: 'any',
      context: 'edit',
    });
    expect(same).toHaveLength(1);
    expect(same[0]!.title.raw).toBe('Sports day (updated)');
    const { body: media } = await rest<unknown[]>('/wp/v2/media', { parent: first.remoteId });
    expect(media).toHaveLength(1);
  });

  it('reconciles: a post that went out but was not recorded is found by find and not posted again', async () => {
    requireWordPress();
    const key = 'post-3:account-1';
    expect(await adapter.find(key, ctx())).toBeNull();
    const sent = await adapter.publish(post(key), ctx());
    // The worker crashed here: nothing recorded. The next try reads back first.
    const found = await adapter.find(key, ctx());
    expect(found).toEqual(sent);
    // And a publish with the key (were find skipped) still makes no second post.
    expect((await adapter.publish(post(key), ctx())).remoteId).toBe(sent.remoteId);
    const { body: all } = await rest<unknown[]>('/wp/v2/posts', {
      slug: wordpressSlug(key),
      status: 'any',
    });
    expect(all).toHaveLength(1);
    const { body: media } = await rest<unknown[]>('/wp/v2/media', { parent: sent.remoteId });
    expect(media).toHaveLength(2);
  });

  it('a try cut off before the post went live leaves a draft find ignores; the next try finishes it with no duplicate photos', async () => {
    requireWordPress();
    const key = 'post-4:account-1';
    // The final "publish" call fails with a 502 after the draft and both photos are on the site.
    trap = {
      match: (req) =>
        req.method === 'POST' && /rest_route=%2Fwp%2Fv2%2Fposts%2F\d+/.test(req.url ?? ''),
      answer: (res) => res.writeHead(502).end('Bad gateway'),
    };
    const e = await failure(adapter.publish(post(key), ctx({ url: proxyUrl })));
    expect(e.kind).toBe('server');
    expect(e.retryable).toBe(true);
    expect(await adapter.find(key, ctx())).toBeNull();
    const ref = await adapter.publish(post(key), ctx({ url: proxyUrl }));
    expect(await adapter.find(key, ctx())).toEqual(ref);
    const { body: media } = await rest<unknown[]>('/wp/v2/media', { parent: ref.remoteId });
    expect(media).toHaveLength(2);
  });

  it('takedown: photos deleted and the post in the bin; or deleted for good when the profile says so', async () => {
    requireWordPress();
    const a = await adapter.publish(post('post-5:account-1'), ctx());
    const { body: before } = await rest<{ source_url: string }[]>('/wp/v2/media', {
      parent: a.remoteId,
    });
    expect(before).toHaveLength(2);
    deleteOnTakedown = false;
    await adapter.remove(a.remoteId, ctx());
    const binned = await rest<{ status: string }>(`/wp/v2/posts/${a.remoteId}`, {
      context: 'edit',
    });
    expect(binned.body.status).toBe('trash');
    for (const m of before) expect((await fetch(m.source_url)).status).toBe(404);
    // Taking down again is done (already in the bin).
    await adapter.remove(a.remoteId, ctx());

    const b = await adapter.publish(post('post-6:account-1'), ctx());
    deleteOnTakedown = true;
    await adapter.remove(b.remoteId, ctx());
    expect((await rest(`/wp/v2/posts/${b.remoteId}`, { context: 'edit' })).status).toBe(404);
    await adapter.remove(b.remoteId, ctx());
    // The one in the bin is deleted for good when the profile now says so.
    await adapter.remove(a.remoteId, ctx());
    expect((await rest(`/wp/v2/posts/${a.remoteId}`, { context: 'edit' })).status).toBe(404);
    deleteOnTakedown = false;
    // A publication that never reached the site has nothing to take down.
    await adapter.remove(crypto.randomUUID(), ctx());
  });

  it('429 with Retry-After, 503 with Retry-After and 500 become ChannelErrors to retry, after the wait asked for', async () => {
    requireWordPress();
    trap = { match: () => true, answer: (res) => res.writeHead(429, { 'retry-after': '7' }).end() };
    let e = await failure(adapter.publish(post('post-7:account-1'), ctx({ url: proxyUrl })));
    expect(e).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 7 });
    expect(e.plainMessage).toBe(
      `${new URL(proxyUrl).host} asked Lanyard to wait 7 seconds before sending more. Lanyard will try again then.`,
    );
    const later = new Date(Date.now() + 120_000).toUTCString();
    trap = {
      match: () => true,
      answer: (res) => res.writeHead(503, { 'retry-after': later }).end(),
    };
    e = await failure(adapter.remove('12345', ctx({ url: proxyUrl })));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBeGreaterThan(100);
    trap = { match: () => true, answer: (res) => res.writeHead(500).end('<html>oops</html>') };
    e = await failure(adapter.publish(post('post-7:account-1'), ctx({ url: proxyUrl })));
    expect(e.kind).toBe('server');
    expect(e.plainMessage).toContain('had a problem of its own (status 500)');
    // Nothing was posted by the refused tries; the next one goes through once.
    const ref = await adapter.publish(post('post-7:account-1'), ctx({ url: proxyUrl }));
    const { body: all } = await rest<unknown[]>('/wp/v2/posts', {
      slug: wordpressSlug('post-7:account-1'),
      status: 'any',
    });
    expect(all).toHaveLength(1);
    expect(ref.remoteId).toMatch(/^\d+$/);
  });

  it('a site that does not answer in time is unreachable, to retry', async () => {
    requireWordPress();
    const quick = new WordPressAdapter({
      deleteOnTakedown: async () => false,
      allowLoopbackHttp: true,
      timeoutMs: 300,
    });
    trap = {
      match: () => true,
      answer: (res) => setTimeout(() => res.writeHead(200).end('[]'), 1500),
    };
    const e = await failure(quick.publish(post('post-8:account-1'), ctx({ url: proxyUrl })));
    expect(e.kind).toBe('unreachable');
    expect(e.plainMessage).toContain('did not answer within 1 second');
  });

  it('server down: health says the site cannot be reached; publish and takedown fail to retry', async () => {
    requireWordPress();
    await wp.stopServer();
    try {
      const h = await adapter.health(ctx());
      expect(h.ok).toBe(false);
      expect(h.problem).toBe(
        `${new URL(wp.url).host} could not be reached. Check that the site is up and its address is right; Lanyard will try again.`,
      );
      const e = await failure(adapter.publish(post('post-9:account-1'), ctx()));
      expect(e.kind).toBe('unreachable');
      expect(e.retryable).toBe(true);
      expect((await failure(adapter.remove('1', ctx()))).kind).toBe('unreachable');
    } finally {
      await wp.startServer();
    }
    expect(await adapter.health(ctx())).toEqual({ ok: true });
  });
});
