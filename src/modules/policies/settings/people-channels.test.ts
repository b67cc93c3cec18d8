import { describe, expect, it } from 'vitest';
import { lanyardDefaults, policySettingsSchema, type PolicySettings } from '../policy-settings.ts';
import { policyTemplates, getTemplate } from '../templates/index.ts';

const clone = (): PolicySettings => structuredClone(lanyardDefaults);

describe('people and channels sections (issue 15)', () => {
  it('Lanyard’s defaults and every template parse, each carrying both sections', () => {
    expect(policySettingsSchema.safeParse(lanyardDefaults).success).toBe(true);
    for (const t of policyTemplates) {
      const parsed = policySettingsSchema.parse(t.settings);
      expect(parsed.people.appliesTo.value.length).toBeGreaterThan(0);
      expect(parsed.people.publicationRestrictionSetters.value).toContain('dsl');
      expect(parsed.channels.personalInformation.value.kinds.length).toBeGreaterThan(0);
    }
  });

  it('a profile stored before the sections existed reads Lanyard’s defaults', () => {
    const stored = clone() as Partial<PolicySettings>;
    delete stored.people;
    delete stored.channels;
    const parsed = policySettingsSchema.parse(stored);
    expect(parsed.people).toEqual(lanyardDefaults.people);
    expect(parsed.channels).toEqual(lanyardDefaults.channels);
  });

  it('templates carry each seed’s own words where the seed says something', () => {
    const avenue = getTemplate('the-avenue-primary')!.settings;
    expect(avenue.people.roleTitles.value.governor).toBe('Chair of Governors');
    expect(avenue.people.roleTitles.citation.seed).toBe('001');
    const jump = getTemplate('jump-primary')!.settings;
    expect(jump.people.responsibilities.value.map((r) => r.label)).toContain(
      'E-Safety Co-ordinator',
    );
    expect(jump.channels.eventPhotography.value.every((e) => !e.mayShareOtherChildren)).toBe(true);
    const jc = getTemplate('john-clifford-primary')!.settings;
    expect(jc.channels.accountRules.value.every((a) => a.comments === 'one_way')).toBe(true);
    expect(jc.channels.accountRules.citation).toMatchObject({ seed: '004', section: 'C' });
    const cc = getTemplate('christ-church-hampstead')!.settings;
    expect(cc.people.appliesTo.value).toEqual(['staff', 'governors', 'volunteers', 'contractors']);
    expect(cc.people.conductStatements.value.map((s) => s.key)).toContain('no_personal_email');
  });

  it('refuses a policy that covers nobody, repeated keys and nobody to restrict publishing', () => {
    const s = clone();
    s.people.appliesTo.value = [];
    expect(policySettingsSchema.safeParse(s).success).toBe(false);
    const t = clone();
    t.people.responsibilities.value = [
      { key: 'x', label: 'One' },
      { key: 'x', label: 'Two' },
    ];
    expect(policySettingsSchema.safeParse(t).success).toBe(false);
    const u = clone();
    u.people.publicationRestrictionSetters.value = [];
    expect(policySettingsSchema.safeParse(u).success).toBe(false);
    const v = clone();
    v.channels.accountRules.value = [
      lanyardDefaults.channels.accountRules.value[0]!,
      lanyardDefaults.channels.accountRules.value[0]!,
    ];
    expect(policySettingsSchema.safeParse(v).success).toBe(false);
  });
});
