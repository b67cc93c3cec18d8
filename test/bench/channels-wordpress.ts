import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalFileStore } from '../../src/platform/files/file-store.ts';
import { ImageProcessor } from '../../src/platform/images/image-processor.ts';
import type { ChannelContext, OutgoingPost } from '../../src/modules/publishing/channel-adapter.ts';
import { WordPressAdapter } from '../../src/modules/publishing/channels/wordpress-adapter.ts';
import { startWordPress } from '../channels/wordpress.ts';
import { samplePhotos } from '../support/sample-photos.ts';
import { benchPost, timePublishRounds } from './channels-rounds.ts';

export interface WordPressBenchResult {
  /**
   * Publishing a post with two photos: the slug look-up, the draft, the media list, two uploads
   * (WordPress also makes its own smaller sizes), two read-backs of the files, the publish and
   * the read-back of the post.
   */
  wp_publish_p50_ms: number;
  /** Taking it down: photos deleted, the post to the bin, and the read-backs that they are gone. */
  takedown_p50_ms: number;
  /** A bare authenticated GET on the same site (`/wp/v2/users/me` with the application password). */
  wp_get_p50_ms: number;
  wp_publish_ratio: number;
  takedown_ratio: number;
  rounds: number;
  photo_bytes: number[];
}

/**
 * WordPress's figures for `bench:channels` (issue 13), against a real WordPress started here
 * (Debian's package under PHP's built-in server with four workers, MariaDB; test/channels/
 * wordpress.ts): each round times a bare authenticated GET, a publish of a post with two photos
 * (real photographs made into 1,600-pixel renditions as the media pipeline does) and its
 * takedown, taking turns so that other load on the machine weighs on all three alike. Ratios are
 * to the GET.
 */
export async function wordpressChannelBench(
  options: { rounds?: number; warmup?: number } = {},
): Promise<WordPressBenchResult> {
  const rounds = options.rounds ?? 20;
  const warmup = options.warmup ?? 2;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-wp-bench-'));
  const wp = await startWordPress();
  try {
    const files = new LocalFileStore(dir);
    const processor = new ImageProcessor();
    const photos = (await samplePhotos()).slice(0, 2);
    if (photos.length < 2)
      throw new Error('Two sample photos are needed (test/support/sample-photos.ts).');
    const renditions: { key: string; sha256: string; bytes: number }[] = [];
    for (const [i, photo] of photos.entries()) {
      const rendition = await processor.thumbnail(fs.readFileSync(photo.path), 1600);
      const t = await files.writeTemp(rendition.data);
      const key = `renditions/bench-${i}.jpg`;
      await files.commit(t.name, key);
      renditions.push({
        key,
        sha256: crypto.createHash('sha256').update(rendition.data).digest('hex'),
        bytes: rendition.data.length,
      });
    }
    const ctx: ChannelContext = {
      account: {
        id: '00000000-0000-4000-8000-00000000be0d',
        schoolId: '00000000-0000-4000-8000-000000000002',
        kind: 'wordpress',
        name: 'Bench school website',
        platform: null,
        handle: wp.username,
        purposeKey: 'school_website',
        endpointUrl: wp.url,
        maxLength: null,
        maxImages: null,
        category: wp.category,
      },
      credential: wp.appPassword,
      files,
    };
    const adapter = new WordPressAdapter({
      deleteOnTakedown: async () => false,
      allowLoopbackHttp: true,
    });
    const health = await adapter.health(ctx);
    if (!health.ok) throw new Error(`WordPress is not ready: ${health.problem}`);
    const authorization = `Basic ${Buffer.from(`${wp.username}:${wp.appPassword}`).toString('base64')}`;
    const bareGet = async () => {
      const res = await fetch(`${wp.url}/?rest_route=/wp/v2/users/me`, {
        headers: { authorization },
      });
      if (!res.ok) throw new Error(`users/me answered ${res.status}`);
      await res.arrayBuffer();
    };
    const images: OutgoingPost['images'] = renditions.map((r, i) => ({
      fileKey: r.key,
      mime: 'image/jpeg',
      altText: i === 0 ? 'Children running a relay' : 'The finish line',
      sha256: r.sha256,
    }));
    const times = await timePublishRounds({
      warmup,
      rounds,
      bareGet,
      publish: (n) => adapter.publish(benchPost(n, images), ctx),
      remove: (remoteId) => adapter.remove(remoteId, ctx),
    });
    return {
      wp_publish_p50_ms: times.publishP50Ms,
      takedown_p50_ms: times.takedownP50Ms,
      wp_get_p50_ms: times.getP50Ms,
      wp_publish_ratio: times.publishRatio,
      takedown_ratio: times.takedownRatio,
      rounds,
      photo_bytes: renditions.map((r) => r.bytes),
    };
  } finally {
    await wp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
