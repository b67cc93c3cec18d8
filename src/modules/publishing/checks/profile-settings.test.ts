import { describe, expect, it } from 'vitest';
import { policySettingsSchema } from '../../policies/index.ts';
import { policyTemplates } from '../../policies/index.ts';

describe('the settings the checks read', () => {
  it('a profile stored before the tone settings existed reads Lanyard’s defaults', () => {
    for (const t of policyTemplates) {
      const stored = structuredClone(t.settings) as unknown as {
        publishing: Record<string, unknown>;
      };
      delete stored.publishing.toneFlaggedWords;
      delete stored.publishing.toneNegativeScoreLimit;
      const parsed = policySettingsSchema.parse(stored);
      expect(parsed.publishing.toneFlaggedWords.value.length).toBeGreaterThan(10);
      expect(parsed.publishing.toneFlaggedWords.citation.section).toBe('Lanyard default');
      expect(parsed.publishing.toneNegativeScoreLimit.value).toBe(5);
    }
  });

  it('every template has the tone settings, with a citation', () => {
    for (const t of policyTemplates) {
      expect(t.settings.publishing.toneFlaggedWords.value).toContain('lazy');
      expect(t.settings.publishing.toneNegativeScoreLimit.citation.section).not.toBe('');
    }
  });
});
