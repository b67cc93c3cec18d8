/**
 * Swimwear and quarantined media in a post.
 */
import type { RulePath } from '../../policies/index.ts';
import type { CheckResult, ChecksInput } from './types.ts';
import { listWords, makeResult } from './check-results.ts';

// ---------------------------------------------------------------------------------------------
// Swimwear and quarantine
// ---------------------------------------------------------------------------------------------

export function swimwearCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'media.swimwearBan';
  const items = post.media.filter((m) => m.swimwear);
  if (items.length === 0) {
    return makeResult(
      settings,
      'swimwear',
      'pass',
      'No photo or video is marked as swimwear or swimming.',
      rule,
    );
  }
  const banned = settings.media.swimwearBan.value;
  const labels = listWords(items.map((m) => m.label));
  return makeResult(
    settings,
    'swimwear',
    banned ? 'fail' : 'warning',
    banned
      ? `${labels} ${items.length === 1 ? 'is' : 'are'} marked as swimwear or swimming, which the school’s policy never allows to be posted.`
      : `${labels} ${items.length === 1 ? 'is' : 'are'} marked as swimwear or swimming; check ${items.length === 1 ? 'it is' : 'they are'} suitable before posting.`,
    rule,
    { mediaIds: items.map((m) => m.id) },
  );
}

export function quarantineCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'media.schoolDevicesOnly';
  const items = post.media.filter((m) => m.quarantined);
  if (items.length === 0) {
    return makeResult(
      settings,
      'quarantine',
      'pass',
      'No photo or video is held in quarantine.',
      rule,
    );
  }
  return makeResult(
    settings,
    'quarantine',
    'fail',
    `${listWords(items.map((m) => m.label))} ${items.length === 1 ? 'is' : 'are'} held in quarantine (taken on a device the school has not approved) until released, so ${items.length === 1 ? 'it' : 'they'} cannot be posted.`,
    rule,
    { mediaIds: items.map((m) => m.id) },
  );
}
