import { beforeAll, describe, expect, it } from 'vitest';
import { sacredHeartTemplate } from '../../policies/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import { makePost } from '../../../../test/support/publishing-checks.ts';
import { toneCheck } from './checks.ts';
import { findListedWords, toneList } from './tone.ts';
import { loadCheckLibraries } from './libraries.ts';

// The checks' libraries load on first use (ADR 0010); the check runner awaits them the same way.
beforeAll(() => loadCheckLibraries());

function check(text: string, change: (s: PolicySettings) => void = () => {}) {
  const settings = structuredClone(sacredHeartTemplate.settings) as PolicySettings;
  change(settings);
  return toneCheck({
    settings,
    roll: { schoolId: 's', version: '1', pupils: [] },
    post: makePost({ title: 'News', text }),
  });
}

describe('the tone check warns, never fails', () => {
  const mustWarn = [
    'Some pupils were lazy and useless on the trip.',
    'What a disgrace the behaviour was.',
    'The STUPID mistakes cost us the match.',
    'Parents who are late are idiots.',
    'The rubbish results were a shambles.',
    'This was a terrible, awful, horrible day and we hated it. Disappointing, sad and miserable.',
  ];
  for (const text of mustWarn) {
    it(`warns: “${text}”`, () => {
      const r = check(text);
      expect(r.outcome).toBe('warning');
      expect(r.overridable).toBe(
        sacredHeartTemplate.settings.publishing.overridableChecks.value.includes('tone'),
      );
    });
  }

  const mustPass = [
    'What a wonderful sports day! Everyone tried their best and we are proud of you all.',
    'Year 4 enjoyed their trip to the museum and learned about the Romans.',
    'Reminder: the trip letter is due back on Friday.',
    'Our football team lost a close match but played with great spirit.',
    'The choir sang beautifully at the carol service.',
  ];
  for (const text of mustPass) {
    it(`passes: “${text}”`, () => {
      const r = check(text);
      expect(r.outcome, r.sentence).toBe('pass');
    });
  }

  it('quotes the listed words it found and cites the school’s word list', () => {
    const r = check('A lazy effort.');
    expect(r.findings.map((f) => f.excerpt)).toEqual(['lazy']);
    expect(r.sentence).toContain('“lazy”');
    expect(r.rule).toBe('publishing.toneFlaggedWords');
  });

  it('reads the word list from the profile', () => {
    expect(
      check('A splendid day.', (s) => (s.publishing.toneFlaggedWords.value = ['splendid'])).outcome,
    ).toBe('warning');
    expect(check('A lazy day.', (s) => (s.publishing.toneFlaggedWords.value = [])).outcome).toBe(
      'pass',
    );
  });

  it('reads how negative a post may be from the profile', () => {
    const sad = 'A sad and disappointing end to the season.';
    expect(check(sad, (s) => (s.publishing.toneNegativeScoreLimit.value = 1)).outcome).toBe(
      'warning',
    );
    expect(check(sad, (s) => (s.publishing.toneNegativeScoreLimit.value = 20)).outcome).toBe(
      'pass',
    );
  });

  it('does not run where the profile does not ask for it', () => {
    const r = check('Useless.', (s) => (s.publishing.positiveToneCheck.value = false));
    expect(r.outcome).toBe('pass');
    expect(r.rule).toBe('publishing.positiveToneCheck');
  });
});

describe('listed words and phrases', () => {
  it('match whole words, in any case, and phrases of several words', () => {
    const list = toneList(['lazy', 'not good enough']);
    const text = 'Not Good Enough, said the lazy-bones; laziness is fine.';
    expect(findListedWords(text, list).map((h) => text.slice(h.start, h.end))).toEqual([
      'Not Good Enough',
      'lazy',
    ]);
  });
});
