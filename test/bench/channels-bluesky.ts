import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalFileStore } from '../../src/platform/files/file-store.ts';
import { ImageProcessor } from '../../src/platform/images/image-processor.ts';
import type { ChannelContext, OutgoingPost } from '../../src/modules/publishing/channel-adapter.ts';
import { BlueskyAdapter } from '../../src/modules/publishing/channels/bluesky-adapter.ts';
import { startBluesky } from '../channels/bluesky.ts';
import { samplePhotos } from '../support/sample-photos.ts';
import { benchPost, timePublishRounds } from './channels-rounds.ts';

export interface BlueskyBenchResult {
  /** Publishing a post with two photos (two blob uploads, the record, the read-back). */
  bsky_publish_p50_ms: number;
  /** Taking it down (the delete and the read-back that it is gone). */
  takedown_p50_ms: number;
  /** A bare authenticated GET on the same PDS (com.atproto.server.getSession). */
  bsky_get_p50_ms: number;
  bsky_publish_ratio: number;
  takedown_ratio: number;
  rounds: number;
  photo_bytes: number[];
}

/**
 * Bluesky's figures for `bench:channels` (issue 13), against a real PDS with its PLC directory
 * started here (test/channels/bluesky.ts): each round times a bare authenticated GET, a publish
 * of a post with two photos (real photographs made into 1,600-pixel renditions as the media
 * pipeline does) through the adapter with a signed-in session, and its takedown; the three take
 * turns so that other load on the machine weighs on all of them alike. Ratios are to the GET.
 */
export async function blueskyChannelBench(
  options: { rounds?: number; warmup?: number; adminDbUrl?: string } = {},
): Promise<BlueskyBenchResult> {
  const rounds = options.rounds ?? 30;
  const warmup = options.warmup ?? 3;
  const adminDbUrl =
    options.adminDbUrl ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-bsky-bench-'));
  const servers = await startBluesky(adminDbUrl);
  try {
    const files = new LocalFileStore(dir);
    const processor = new ImageProcessor();
    const photos = (await samplePhotos()).slice(0, 2);
    if (photos.length < 2)
      throw new Error('Two sample photos are needed (test/support/sample-photos.ts).');
    const photoBytes: number[] = [];
    for (const [i, photo] of photos.entries()) {
      const rendition = await processor.thumbnail(fs.readFileSync(photo.path), 1600);
      photoBytes.push(rendition.data.length);
      const t = await files.writeTemp(rendition.data);
      await files.commit(t.name, `renditions/bench-${i}.jpg`);
    }
    const account = await servers.createAccount('benchschool');
    const { password } = await account.newAppPassword('Lanyard');
    const ctx: ChannelContext = {
      account: {
        id: '00000000-0000-4000-8000-00000000be0c',
        schoolId: '00000000-0000-4000-8000-000000000002',
        kind: 'bluesky',
        name: 'Bench school on Bluesky',
        platform: null,
        handle: account.handle,
        purposeKey: 'social_media',
        endpointUrl: servers.pdsUrl,
        maxLength: 300,
        maxImages: 4,
      },
      credential: password,
      files,
    };
    const adapter = new BlueskyAdapter();
    // The bare GET uses a session of the same account (signed in with the app password).
    await adapter.health(ctx);
    const session = await fetch(`${servers.pdsUrl}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: account.handle, password }),
    }).then((r) => r.json() as Promise<{ accessJwt: string }>);
    const bareGet = async () => {
      const res = await fetch(`${servers.pdsUrl}/xrpc/com.atproto.server.getSession`, {
        headers: { authorization: `Bearer ${session.accessJwt}` },
      });
      if (!res.ok) throw new Error(`getSession answered ${res.status}`);
      await res.arrayBuffer();
    };
    const images: OutgoingPost['images'] = photos.map((_, i) => ({
      fileKey: `renditions/bench-${i}.jpg`,
      mime: 'image/jpeg',
      altText: i === 0 ? 'Children running a relay' : 'The finish line',
      sha256: String(i),
    }));
    const times = await timePublishRounds({
      warmup,
      rounds,
      bareGet,
      publish: (n) => adapter.publish(benchPost(n, images), ctx),
      remove: (remoteId) => adapter.remove(remoteId, ctx),
    });
    return {
      bsky_publish_p50_ms: times.publishP50Ms,
      takedown_p50_ms: times.takedownP50Ms,
      bsky_get_p50_ms: times.getP50Ms,
      bsky_publish_ratio: times.publishRatio,
      takedown_ratio: times.takedownRatio,
      rounds,
      photo_bytes: photoBytes,
    };
  } finally {
    await servers.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
