import type { ConsentAnswer, ConsentKind } from '../register/consent-rules.ts';

/** How an answer is shown: a symbol AND a word, never colour alone. */
export const outcomeDisplay: Record<ConsentAnswer['outcome'], { symbol: string; text: string }> = {
  granted: { symbol: '✓', text: 'Yes' },
  refused: { symbol: '✗', text: 'No' },
  not_returned: { symbol: '?', text: 'Not returned' },
  none: { symbol: '–', text: 'None' },
  expired: { symbol: '–', text: 'Expired' },
  not_asked: { symbol: '–', text: 'Not asked' },
  restricted: { symbol: '✗', text: 'Do not publish' },
};

/**
 * How a "named with a photo" answer is shown when no photo of the pupil may be used for that
 * purpose: the permission cannot apply, so it is shown as not applicable rather than "✓ Yes".
 */
export const namingNotApplicable = {
  symbol: '–',
  text: 'Not applicable',
  reason: 'No photo may be used for this, so the pupil cannot be named with one.',
} as const;

/** Whether a naming answer applies: only where a photo for the same purpose is allowed. */
export function namingApplies(
  kind: ConsentKind,
  purpose: string,
  answers: ReadonlyMap<string, ConsentAnswer> | undefined,
): boolean {
  return kind !== 'name' || answers?.get(`${purpose}/image`)?.allowed === true;
}
