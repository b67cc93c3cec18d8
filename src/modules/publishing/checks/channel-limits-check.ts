/**
 * The channel's own limits: one result per channel.
 */
import { graphemeCount } from './text.ts';
import type { ChannelForChecks, CheckResult, ChecksInput } from './types.ts';
import { listWords, makeResult, mediaWord, plural } from './check-results.ts';

// ---------------------------------------------------------------------------------------------
// The channel's own limits (one result per channel)
// ---------------------------------------------------------------------------------------------

export function channelLimitsCheck(input: ChecksInput, channel: ChannelForChecks): CheckResult {
  const { settings, post } = input;
  const at = { channelId: channel.id };
  const l = channel.limits;
  const problems: string[] = [];
  const text =
    l.titleCountsTowardsText && post.title !== '' ? `${post.title}\n\n${post.text}` : post.text;
  if (l.maxGraphemes !== null) {
    const n = graphemeCount(text);
    if (n > l.maxGraphemes) {
      problems.push(
        `the text is ${plural(n, 'character')} long, ${n - l.maxGraphemes} over its limit of ${l.maxGraphemes}`,
      );
    }
  }
  for (const kind of ['image', 'video'] as const) {
    const max = kind === 'image' ? l.maxImages : l.maxVideos;
    const n = post.media.filter((m) => m.kind === kind).length;
    if (max !== null && n > max) {
      problems.push(
        max === 0
          ? `it does not take ${mediaWord(kind)}`
          : `it takes at most ${plural(max, mediaWord(kind, 1), mediaWord(kind))} and the post has ${n}`,
      );
    }
  }
  if (l.maxAltTextGraphemes !== null) {
    const long = post.media.filter((m) => graphemeCount(m.altText) > (l.maxAltTextGraphemes ?? 0));
    if (long.length > 0) {
      problems.push(
        `the alt text of ${listWords(long.map((m) => m.label))} is over its limit of ${l.maxAltTextGraphemes} characters`,
      );
    }
  }
  if (problems.length > 0) {
    return makeResult(
      settings,
      'channel_limits',
      'fail',
      `${channel.label} would refuse the post: ${listWords(problems, 4)}.`,
      null,
      at,
    );
  }
  return makeResult(
    settings,
    'channel_limits',
    'pass',
    `The post fits ${channel.label}’s limits.`,
    null,
    at,
  );
}
