import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalFileStore } from '../../src/platform/files/file-store.ts';
import { ImageProcessor } from '../../src/platform/images/image-processor.ts';
import {
  ChannelError,
  type ChannelContext,
  type OutgoingPost,
} from '../../src/modules/publishing/channel-adapter.ts';
import {
  BlueskyAdapter,
  blueskyRecordKey,
} from '../../src/modules/publishing/channels/bluesky-adapter.ts';
import { startBluesky, type BlueskyAccount, type BlueskyServers } from '../channels/bluesky.ts';

/**
 * The Bluesky adapter against a real PDS (`@atproto/pds` with a local PLC directory, started by
 * test/channels/bluesky.ts on Node.js 22): publish with photos and alt text, read back, take down,
 * health with a good and a revoked app password, the server away, and a crash between the remote
 * write and the local record reconciled by `find` without posting twice. If the servers cannot be
 * started the tests fail with the reason (they never skip).
 */

let servers: BlueskyServers;
let account: BlueskyAccount;
let appPassword: string;
let files: LocalFileStore;
let dir: string;
const adapter = new BlueskyAdapter({ timeoutMs: 5_000 });

const ctx = (over: { service?: string; credential?: string | null } = {}): ChannelContext => ({
  account: {
    id: '00000000-0000-4000-8000-00000000b5c1',
    schoolId: '00000000-0000-4000-8000-000000000002',
    kind: 'bluesky',
    name: 'Oakfield on Bluesky',
    platform: null,
    handle: account.handle,
    purposeKey: 'social_media',
    endpointUrl: over.service ?? servers.pdsUrl,
    maxLength: 300,
    maxImages: 4,
  },
  credential: over.credential === undefined ? appPassword : over.credential,
  files,
});

let n = 0;
const post = (over: Partial<OutgoingPost> = {}): OutgoingPost => ({
  publicationId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  idempotencyKey: `post-${n}:bluesky-${Date.now()}`,
  title: 'Sports day',
  text: 'Year 3 ran the relay in the sun. More on our news page: https://oakfield.example/news/sports-day',
  images: [
    {
      fileKey: 'renditions/a.jpg',
      mime: 'image/jpeg',
      altText: 'Children running a relay',
      sha256: 'a',
    },
    {
      fileKey: 'renditions/b.jpg',
      mime: 'image/jpeg',
      altText: 'The finish line in the sun',
      sha256: 'b',
    },
  ],
  newsUrl: 'https://oakfield.example/news/sports-day',
  publishedAt: new Date('2026-12-06T10:00:00Z'),
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChannelError) return e;
    throw e;
  }
  throw new Error('expected a ChannelError');
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-bsky-files-'));
  files = new LocalFileStore(dir);
  const put = async (key: string, bytes: Buffer) => {
    const t = await files.writeTemp(bytes);
    await files.commit(t.name, key);
  };
  const images = new ImageProcessor();
  const noise = async (width: number, height: number) =>
    (
      await images.encodeJpeg({
        data: Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 251)),
        width,
        height,
      })
    ).data;
  await put('renditions/a.jpg', await noise(64, 48));
  await put('renditions/b.jpg', await noise(40, 40));
  servers = await startBluesky(inject('dbAdminUrl'));
  account = await servers.createAccount('oakfield');
  appPassword = (await account.newAppPassword('Lanyard')).password;
}, 90_000);

afterAll(async () => {
  await servers?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Bluesky adapter on a real PDS', () => {
  it('publishes the text with two photos and their alt text, reads back, and takes it down', async () => {
    const item = post();
    const ref = await adapter.publish(item, ctx());
    expect(ref.remoteId).toBe(
      `at://${account.did}/app.bsky.feed.post/${blueskyRecordKey(item.idempotencyKey)}`,
    );
    expect(ref.remoteUrl).toContain(account.did);

    const rkey = ref.remoteId.split('/').pop()!;
    const got = await account.agent.com.atproto.repo.getRecord({
      repo: account.did,
      collection: 'app.bsky.feed.post',
      rkey,
    });
    const value = got.data.value as {
      text: string;
      createdAt: string;
      facets?: { features: { $type: string; uri?: string }[] }[];
      embed: {
        $type: string;
        images: { alt: string; image: { ref: unknown; mimeType: string } }[];
      };
    };
    expect(value.text).toBe(item.text);
    expect(value.createdAt).toBe('2026-12-06T10:00:00.000Z');
    expect(value.facets?.[0]?.features[0]).toMatchObject({
      $type: 'app.bsky.richtext.facet#link',
      uri: 'https://oakfield.example/news/sports-day',
    });
    expect(value.embed.$type).toBe('app.bsky.embed.images');
    expect(value.embed.images.map((i) => i.alt)).toEqual([
      'Children running a relay',
      'The finish line in the sun',
    ]);
    expect(value.embed.images.map((i) => i.image.mimeType)).toEqual(['image/jpeg', 'image/jpeg']);
    // The blobs are the renditions' bytes, stored on the PDS.
    const blobs = await account.agent.com.atproto.sync.listBlobs({ did: account.did });
    expect(blobs.data.cids.length).toBeGreaterThanOrEqual(2);

    await adapter.remove(ref.remoteId, ctx());
    expect((await account.posts()).map((p) => p.uri)).not.toContain(ref.remoteId);
    // Removing again (a retried takedown) succeeds.
    await adapter.remove(ref.remoteId, ctx());
  });

  it('refuses text over 300 graphemes and more than four photos without posting', async () => {
    const before = (await account.posts()).length;
    const long = await failure(adapter.publish(post({ text: 'a'.repeat(301), images: [] }), ctx()));
    expect(long.kind).toBe('invalid');
    expect(long.plainMessage).toMatch(/301 characters long; Bluesky takes at most 300/);
    // 300 emoji are 300 graphemes (1,200 bytes): allowed. 300 emoji families are 300 graphemes
    // too, but 7,500 bytes, over the lexicon's 3,000: refused before anything is sent.
    const ok = await adapter.publish(post({ text: '🙂'.repeat(300), images: [] }), ctx());
    const families = await failure(
      adapter.publish(post({ text: '👨‍👩‍👧‍👦'.repeat(300), images: [] }), ctx()),
    );
    expect(families.plainMessage).toMatch(/too many emoji/);
    await adapter.remove(ok.remoteId, ctx());
    const five = post();
    five.images = [...five.images, ...five.images, five.images[0]!];
    expect((await failure(adapter.publish(five, ctx()))).plainMessage).toMatch(/5 photos/);
    expect((await account.posts()).length).toBe(before);
  });

  it('reports health: good with the app password, plain English when it is revoked', async () => {
    expect(await adapter.health(ctx())).toEqual({ ok: true });
    const spare = await account.newAppPassword('Lanyard spare');
    const spareCtx = ctx({ credential: spare.password });
    expect(await adapter.health(spareCtx)).toEqual({ ok: true });
    // A delivery signs in and keeps the session; then the owner revokes the app password.
    const ref = await adapter.publish(post({ images: [] }), spareCtx);
    await account.revokeAppPassword(spare.name);
    const health = await adapter.health(spareCtx);
    expect(health.ok).toBe(false);
    expect(health.problem).toMatch(
      /refused the app password for oakfield-.*\.test\. It may have been revoked/,
    );
    expect(health.problem).not.toContain(spare.password);
    const e = await failure(adapter.publish(post({ images: [] }), spareCtx));
    expect(e.kind).toBe('rejected_credentials');
    expect(e.retryable).toBe(false);
    await adapter.remove(ref.remoteId, ctx());
    expect(await adapter.health(ctx({ credential: null }))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no app password/),
    });
  });

  it('says plainly when the server cannot be reached (retryable), and never posts twice after a crash', async () => {
    // Nothing listens on a port just closed.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const away = new BlueskyAdapter({ timeoutMs: 2_000 });
    const down = ctx({ service: `http://127.0.0.1:${port}` });
    expect(await away.health(down)).toEqual({
      ok: false,
      problem: `127.0.0.1:${port} could not be reached.`,
    });
    const e = await failure(away.publish(post(), down));
    expect(e.kind).toBe('unreachable');
    expect(e.retryable).toBe(true);

    // The crash: the post reached Bluesky but the worker died before recording it. The next
    // worker (a new adapter, no memory) finds it by the idempotency key and a re-run of the
    // delivery returns the same post instead of making a second.
    const item = post();
    const first = await adapter.publish(item, ctx());
    const worker2 = new BlueskyAdapter();
    expect(await worker2.find(item.idempotencyKey, ctx())).toEqual(first);
    expect(await worker2.publish(item, ctx())).toEqual(first);
    expect(await worker2.find('never-published', ctx())).toBeNull();
    const same = (await account.posts()).filter((p) => p.uri === first.remoteId);
    expect(same).toHaveLength(1);
    expect((await account.posts()).length).toBe(1);
    await worker2.remove(first.remoteId, ctx());
    expect(await worker2.find(item.idempotencyKey, ctx())).toBeNull();
  });

  it('the PDS stopped: unreachable, retryable', async () => {
    // Last: stops the servers.
    await servers.stop();
    const e = await failure(new BlueskyAdapter({ timeoutMs: 2_000 }).publish(post(), ctx()));
    expect(e.kind).toBe('unreachable');
    expect(e.plainMessage).toMatch(/could not be reached|did not answer/);
    const h = await new BlueskyAdapter({ timeoutMs: 2_000 }).health(ctx());
    expect(h.ok).toBe(false);
  });
});
