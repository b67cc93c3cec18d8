/**
 * Who may post: reminder permission and designated posters.
 */
import type { RulePath } from '../../policies/index.ts';
import type { CheckResult, ChecksInput } from './types.ts';
import { makeResult } from './check-results.ts';

// ---------------------------------------------------------------------------------------------
// Who may post
// ---------------------------------------------------------------------------------------------

export function reminderPermissionCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.reminderPostsNeedPermission';
  if (post.kind !== 'reminder_to_parents') {
    return makeResult(
      settings,
      'reminder_permission',
      'pass',
      'This is not a reminder to parents.',
      rule,
    );
  }
  if (!settings.publishing.reminderPostsNeedPermission.value) {
    return makeResult(
      settings,
      'reminder_permission',
      'pass',
      'The school’s policy does not ask for a separate permission for reminders to parents.',
      rule,
    );
  }
  if (post.author.reminderPermissionHeld) {
    return makeResult(
      settings,
      'reminder_permission',
      'pass',
      'The author holds a current permission to post reminders to parents.',
      rule,
    );
  }
  return makeResult(
    settings,
    'reminder_permission',
    'fail',
    'This is a reminder to parents, and the author does not hold a current permission to post reminders.',
    rule,
  );
}

export function designatedPosterCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.designatedPublicityPersonOnly';
  if (!settings.publishing.designatedPublicityPersonOnly.value) {
    return makeResult(
      settings,
      'designated_poster',
      'pass',
      'The school’s policy lets any member of staff who may post use photos.',
      rule,
    );
  }
  if (post.media.length === 0) {
    return makeResult(
      settings,
      'designated_poster',
      'pass',
      'The post has no photos or videos.',
      rule,
    );
  }
  if (post.author.designatedForPublicity) {
    return makeResult(
      settings,
      'designated_poster',
      'pass',
      'The author is a designated person for posting photos.',
      rule,
    );
  }
  return makeResult(
    settings,
    'designated_poster',
    'fail',
    'Only a designated person may post photos or videos, and the author is not one.',
    rule,
  );
}
