import { describe, expect, it, vi } from 'vitest';
import { avenueTemplate, type PolicySettings } from '../../policies/index.ts';
import { makePost, makeRoll } from '../../../../test/support/publishing-checks.ts';

describe('the checks’ libraries, loaded on first use (ADR 0010)', () => {
  it('are not loaded by importing the checks, and a check run before they load fails closed', async () => {
    vi.resetModules(); // a fresh copy of the checks, as at start-up
    const { runChecks } = await import('./run-checks.ts');
    const { loadCheckLibraries } = await import('./libraries.ts');
    const settings = structuredClone(avenueTemplate.settings) as PolicySettings;
    settings.publishing.positiveToneCheck.value = true;
    const input = {
      settings,
      roll: makeRoll(20, 'school-lazy'),
      post: makePost({ text: 'Call 07700 900123 about the disco.' }),
    };

    const before = runChecks(input);
    for (const key of ['personal_details', 'tone'] as const) {
      const r = before.find((c) => c.key === key);
      expect(r?.outcome).toBe('fail');
      expect(r?.couldNotRun).toBe(true);
      expect(r?.overridable).toBe(false);
    }

    const libraries = await loadCheckLibraries();
    expect(await loadCheckLibraries()).toBe(libraries); // loaded once
    const after = runChecks(input);
    const details = after.find((c) => c.key === 'personal_details');
    expect(details?.outcome).toBe('fail');
    expect(details?.couldNotRun).toBeFalsy();
    expect(details?.sentence).toContain('phone number');
    expect(after.find((c) => c.key === 'tone')?.couldNotRun).toBeFalsy();
  });
});
