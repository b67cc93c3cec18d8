/**
 * Building a check result (citing the profile rule it applies) and the wording helpers the
 * check families share.
 */
import {
  getRule,
  type PolicySettings,
  type PublicationCheckKey,
  type RulePath,
  type RuleValue,
} from '../../policies/index.ts';
import type { CheckFinding, CheckKey, CheckOutcome, CheckResult } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Building results
// ---------------------------------------------------------------------------------------------

export interface ResultExtras {
  channelId?: string | null;
  findings?: CheckFinding[];
  pupilIds?: string[];
  mediaIds?: string[];
  couldNotRun?: boolean;
}

/** A result citing the profile rule at `rule` (null: a limit the channel itself sets). */
export function makeResult(
  settings: PolicySettings,
  key: CheckKey,
  outcome: CheckOutcome,
  sentence: string,
  rule: RulePath | null,
  extras: ResultExtras = {},
): CheckResult {
  const couldNotRun = extras.couldNotRun === true;
  const listed = settings.publishing.overridableChecks.value as readonly string[];
  return {
    key,
    channelId: extras.channelId ?? null,
    outcome: couldNotRun ? 'fail' : outcome,
    sentence,
    rule,
    citation: rule === null ? null : (getRule(settings, rule) as RuleValue<unknown>).citation,
    overridable: !couldNotRun && listed.includes(key satisfies string as PublicationCheckKey),
    couldNotRun,
    findings: extras.findings ?? [],
    pupilIds: extras.pupilIds ?? [],
    mediaIds: extras.mediaIds ?? [],
  };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function listWords(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  const all = rest > 0 ? [...shown, `${rest} more`] : shown;
  if (all.length <= 1) return all.join('');
  return `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}

export function quoted(f: CheckFinding): string {
  return `“${f.excerpt}”`;
}

export function purposeLabel(settings: PolicySettings, purpose: string): string | null {
  const p = settings.consent.purposes.value.find((x) => x.key === purpose);
  return p === undefined ? null : `“${p.label}”`;
}

export function mediaWord(kind: 'image' | 'video', n = 2): string {
  return kind === 'image' ? (n === 1 ? 'photo' : 'photos') : n === 1 ? 'video' : 'videos';
}
