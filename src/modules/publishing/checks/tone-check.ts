/**
 * Tone: a warning at most.
 */
import type { RulePath } from '../../policies/index.ts';
import { fieldsOf } from './text.ts';
import { findListedWords, toneList, toneScore } from './tone.ts';
import type { CheckFinding, CheckResult, ChecksInput } from './types.ts';
import { listWords, makeResult, quoted } from './check-results.ts';
import { finding } from './name-checks.ts';

// ---------------------------------------------------------------------------------------------
// Tone (a warning at most)
// ---------------------------------------------------------------------------------------------

export function toneCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.positiveToneCheck';
  if (!settings.publishing.positiveToneCheck.value) {
    return makeResult(
      settings,
      'tone',
      'pass',
      'The school’s policy does not ask for a tone check.',
      rule,
    );
  }
  const list = toneList(settings.publishing.toneFlaggedWords.value);
  const limit = settings.publishing.toneNegativeScoreLimit.value;
  const findings: CheckFinding[] = [];
  let score = 0;
  for (const field of fieldsOf(post)) {
    for (const h of findListedWords(field.text, list))
      findings.push(finding(field, h.start, h.end));
    score += toneScore(field.text).score;
  }
  if (findings.length > 0) {
    return makeResult(
      settings,
      'tone',
      'warning',
      `The post uses ${findings.length === 1 ? 'a word' : 'words'} on the school’s list of negative or derogatory words (${listWords(findings.map(quoted))}); check it is positive and fair to everyone.`,
      'publishing.toneFlaggedWords',
      { findings },
    );
  }
  if (score <= -limit) {
    return makeResult(
      settings,
      'tone',
      'warning',
      'The post reads as negative overall; check it is positive and fair to everyone.',
      'publishing.toneNegativeScoreLimit',
    );
  }
  return makeResult(settings, 'tone', 'pass', 'The post reads as positive or neutral.', rule);
}
