/**
 * The real channels (issue 13), timed against the servers on this machine. Not a test: it prints
 * figures, and its last line is one JSON object.
 *
 *   npm run bench:channels            (both channels)
 *   npm run bench:channels bluesky    (one of them)
 *
 * Each channel is its own exported function, so the figures can be taken one at a time:
 * - {@link blueskyChannelBench} (test/bench/channels-bluesky.ts): `bsky_publish_p50_ms` for a
 *   post with two photos and `takedown_p50_ms`, each with its ratio to a bare authenticated GET
 *   on the same PDS in the same run.
 * - {@link wordpressChannelBench} (test/bench/channels-wordpress.ts): `wp_publish_p50_ms` for a
 *   post with two photos and `takedown_p50_ms`, each with its ratio to a bare authenticated GET
 *   on the same WordPress in the same run.
 */
import { pathToFileURL } from 'node:url';
import { blueskyChannelBench } from './channels-bluesky.ts';
import { wordpressChannelBench } from './channels-wordpress.ts';

export { blueskyChannelBench, wordpressChannelBench };

/** The channels this benchmark knows, by name: each returns its own figures. */
export const channelBenches: Record<string, () => Promise<object>> = {
  bluesky: async () => ({ bluesky: await blueskyChannelBench() }),
  wordpress: async () => ({ wordpress: await wordpressChannelBench() }),
};

async function main() {
  const wanted = process.argv.slice(2);
  const names = wanted.length > 0 ? wanted : Object.keys(channelBenches);
  const figures: Record<string, unknown> = {};
  for (const name of names) {
    const bench = channelBenches[name];
    if (!bench)
      throw new Error(`No channel called ${name} (${Object.keys(channelBenches).join(', ')})`);
    Object.assign(figures, await bench());
    console.log(`${name}: done`);
  }
  console.log(JSON.stringify(figures));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
