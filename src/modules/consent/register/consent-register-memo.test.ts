/**
 * The register cache's per-pupil answers stay bounded (issue 11 item 8): the consent check's API
 * accepts any purpose text, and answers about purposes the school's policy does not have are
 * given but never kept.
 */
import { describe, expect, it } from 'vitest';
import { policySettingsSchema, type PolicySettings } from '../../policies/index.ts';
import { getTemplate } from '../../policies/index.ts';
import { CachedPupil } from './consent-register-cache.ts';
import type { CacheFacts } from './consent.repository.ts';

const settings: PolicySettings = policySettingsSchema.parse(
  structuredClone(getTemplate('sacred-heart-rochdale')!.settings),
);

const facts: CacheFacts = {
  pupilId: 'pupil-1',
  parentalResponsibility: new Map([['mum', 'Maria Test']]),
  competence: [],
  records: [],
};

describe('CachedPupil answers', () => {
  const at = new Date('2026-12-06T12:00:00Z');
  const ask = (purpose: string, mediaType: 'image' | 'video' = 'image', named = false) => ({
    purpose,
    mediaType,
    named,
    at,
  });

  it('keeps answers for the policy’s purposes only: 10,000 made-up purposes keep nothing', () => {
    const pupil = new CachedPupil(facts, '2026-12-06');
    for (let i = 0; i < 10_000; i++) {
      const answer = pupil.answer(settings, ask(`made-up-${i}`));
      expect(answer.outcome).toBe('not_asked');
    }
    expect(pupil.kept).toBe(0);
    // Asked twice, an unknown purpose is worked out twice (a new answer), never kept.
    expect(pupil.answer(settings, ask('made-up-0'))).not.toBe(
      pupil.answer(settings, ask('made-up-0')),
    );
  });

  it('keeps at most one answer per purpose × media type × named, and reuses it', () => {
    const pupil = new CachedPupil(facts, '2026-12-06');
    const purposes = settings.consent.purposes.value.map((p) => p.key);
    for (let round = 0; round < 3; round++)
      for (const purpose of purposes)
        for (const media of ['image', 'video'] as const)
          for (const named of [false, true]) pupil.answer(settings, ask(purpose, media, named));
    expect(pupil.kept).toBe(purposes.length * 2 * 2);
    const first = purposes[0]!;
    expect(pupil.answer(settings, ask(first))).toBe(pupil.answer(settings, ask(first)));
  });
});
