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
  const broken = accountRuleProblems(input, channel);
  if (broken.length > 0) {
    return makeResult(
      settings,
      'channel_limits',
      'fail',
      `${channel.label} is not set up as the school’s policy says: ${listWords(broken, 4)}. Change the account’s settings first.`,
      'channels.accountRules',
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

/**
 * How the account is set up against the profile's rules for its kind (`channels.accountRules`):
 * who may see its posts, and whether it takes comments, and moderated ones only. An account of
 * a kind the profile has no rule for passes.
 */
export function accountRuleProblems(input: ChecksInput, channel: ChannelForChecks): string[] {
  const account = channel.account;
  if (!account) return [];
  const rule = input.settings.channels.accountRules.value.find(
    (r) => r.accountKind === account.kind,
  );
  if (!rule) return [];
  const problems: string[] = [];
  if (rule.audience !== 'either' && rule.audience !== account.audience) {
    problems.push(
      rule.audience === 'approved_followers'
        ? 'its posts must be seen only by followers the school has approved, but anyone can see them'
        : 'its posts must be public, but only approved followers can see them',
    );
  }
  if (rule.comments === 'one_way' && account.comments !== 'off') {
    problems.push('it must be one-way, but it takes comments');
  } else if (rule.comments === 'moderated' && account.comments === 'on_unmoderated') {
    problems.push('its comments must be moderated, but they are not');
  }
  return problems;
}
