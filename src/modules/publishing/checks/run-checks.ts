/**
 * Runs every pre-publication check over one post. Pure: the caller supplies the roll, the media,
 * the consent answers at publish time, the author and the profile. A check that throws, or that
 * lacks what it needs, fails closed: it fails, says so, and cannot be overridden.
 */
import { formatCitation, type Citation, type RulePath } from '../../policies/index.ts';
import {
  channelLimitsCheck,
  consentCheck,
  designatedPosterCheck,
  facesCheck,
  makeResult,
  namesCheck,
  personalDetailsCheck,
  quarantineCheck,
  reminderPermissionCheck,
  swimwearCheck,
  toneCheck,
} from './checks.ts';
import { forgetTokens } from './text.ts';
import {
  checkKeys,
  type ChannelForChecks,
  type CheckKey,
  type CheckOutcome,
  type CheckResult,
  type ChecksInput,
} from './types.ts';

type PostCheck = (input: ChecksInput) => CheckResult;
type ChannelCheck = (input: ChecksInput, channel: ChannelForChecks) => CheckResult;

const postChecks: Partial<Record<CheckKey, PostCheck>> = {
  full_name: namesCheck,
  personal_details: personalDetailsCheck,
  swimwear: swimwearCheck,
  quarantine: quarantineCheck,
  reminder_permission: reminderPermissionCheck,
  designated_poster: designatedPosterCheck,
  tone: toneCheck,
};

const channelChecks: Partial<Record<CheckKey, ChannelCheck>> = {
  consent: consentCheck,
  faces_outnumber_tags: facesCheck,
  channel_limits: channelLimitsCheck,
};

/** The rule each check cites when it could not run at all. */
const fallbackRules: Readonly<Record<CheckKey, RulePath | null>> = {
  consent: 'consent.purposes',
  faces_outnumber_tags: 'publishing.blurFaces',
  full_name: 'publishing.namesWithImages',
  personal_details: 'publishing.personalDetailsForbidden',
  swimwear: 'media.swimwearBan',
  quarantine: 'media.schoolDevicesOnly',
  reminder_permission: 'publishing.reminderPostsNeedPermission',
  designated_poster: 'publishing.designatedPublicityPersonOnly',
  tone: 'publishing.positiveToneCheck',
  channel_limits: null,
};

function couldNotRun(
  input: ChecksInput,
  key: CheckKey,
  channel: ChannelForChecks | null,
): CheckResult {
  return makeResult(
    input.settings,
    key,
    'fail',
    channel === null
      ? 'This check could not run, so the post cannot go out until it does.'
      : `This check could not run for ${channel.label}, so the post cannot go there until it does.`,
    fallbackRules[key],
    { couldNotRun: true, channelId: channel?.id ?? null },
  );
}

function safely(
  input: ChecksInput,
  key: CheckKey,
  channel: ChannelForChecks | null,
  run: () => CheckResult,
): CheckResult {
  try {
    const r = run();
    if (r.key !== key) return couldNotRun(input, key, channel);
    return r;
  } catch (e) {
    // Fails closed, and says why on stderr: the error's class, message and where it was thrown
    // (never the post's text), so a check that cannot run can be diagnosed.
    const error = e instanceof Error ? e : new Error(String(e));
    const where = error.stack?.split('\n')[1]?.trim() ?? '';
    process.emitWarning(`${error.name}: ${error.message} ${where}`, {
      type: 'PublishingCheckWarning',
      code: `CHECK_${key.toUpperCase()}_COULD_NOT_RUN`,
    });
    return couldNotRun(input, key, channel);
  }
}

/**
 * Every check for a post, in the order of `checkKeys`: per-channel checks (consent, faces,
 * limits) once for each channel, the others once for the whole post. A post with no channel gets
 * a failing channel-limits result (there is nowhere to send it).
 */
export function runChecks(input: ChecksInput): CheckResult[] {
  forgetTokens();
  try {
    return runAll(input);
  } finally {
    forgetTokens();
  }
}

function runAll(input: ChecksInput): CheckResult[] {
  const out: CheckResult[] = [];
  for (const key of checkKeys) {
    const perChannel = channelChecks[key];
    if (perChannel !== undefined) {
      if (input.post.channels.length === 0 && key === 'channel_limits') {
        out.push(
          makeResult(input.settings, key, 'fail', 'The post has no channel to go to.', null, {
            couldNotRun: true,
          }),
        );
      }
      for (const channel of input.post.channels) {
        out.push(safely(input, key, channel, () => perChannel(input, channel)));
      }
      continue;
    }
    const whole = postChecks[key];
    if (whole === undefined) out.push(couldNotRun(input, key, null));
    else out.push(safely(input, key, null, () => whole(input)));
  }
  return out;
}

export interface ChecksSummary {
  /** 'fail' if any check fails, else 'warning' if any warns, else 'pass'. */
  outcome: CheckOutcome;
  failing: number;
  warnings: number;
  /** Failing checks the approver may not override: the post cannot go out while any remain. */
  blocking: CheckResult[];
  /** Failing checks the approver may override with a written reason. */
  overridable: CheckResult[];
}

/** The dashboard's summary of a post's checks. */
export function summariseChecks(results: readonly CheckResult[]): ChecksSummary {
  const fails = results.filter((r) => r.outcome === 'fail');
  const warnings = results.filter((r) => r.outcome === 'warning').length;
  return {
    outcome: fails.length > 0 ? 'fail' : warnings > 0 ? 'warning' : 'pass',
    failing: fails.length,
    warnings,
    blocking: fails.filter((r) => !r.overridable),
    overridable: fails.filter((r) => r.overridable),
  };
}

/**
 * May the post go out, given the results and the ones the approver has overridden (by key and
 * channel)? Only an overridable failing check can be overridden.
 */
export function mayPublish(
  results: readonly CheckResult[],
  overridden: (r: CheckResult) => boolean = () => false,
): boolean {
  return results.every((r) => r.outcome !== 'fail' || (r.overridable && overridden(r)));
}

/** The citation as the post_checks table keeps it: { path, clause, source }. */
export function storedCitation(
  r: CheckResult,
): { path: RulePath; clause: string; source: string } | null {
  if (r.rule === null || r.citation === null) return null;
  const c: Citation = r.citation;
  return {
    path: r.rule,
    clause: formatCitation(c),
    source: c.quote !== '' ? c.quote : (c.note ?? ''),
  };
}
