import { describe, expect, it } from 'vitest';
import { displayGroups, displayValue, listInWords, templateName } from './policy-display.ts';
import {
  getRule,
  lanyardDefaults,
  ruleList,
  type PolicySettings,
  type RulePath,
} from './policy-settings.ts';
import { applyChanges } from './policy-save.ts';
import { johnCliffordTemplate, policyTemplates, sacredHeartTemplate } from './templates/index.ts';

const settings = structuredClone(sacredHeartTemplate.settings) as PolicySettings;

describe('the policy in words', () => {
  it('shows role titles, dates, media and lists in words, never keys', () => {
    expect(displayValue('roles.credentialCustodianRole', 'business_manager', settings)).toEqual({
      text: 'Business Manager',
    });
    expect(displayValue('consent.academicYearStart', { month: 9, day: 1 })).toEqual({
      text: '1 September',
    });
    expect(displayValue('consent.mediaTypes', ['image', 'video'])).toEqual({
      text: 'Photos and videos',
    });
    expect(displayValue('consent.mediaTypes', ['image'])).toEqual({ text: 'Photos' });
    expect(displayValue('review.reviewers', ['headteacher', 'governor'], settings)).toEqual({
      text: 'Headteacher and Governors',
    });
    const steps = displayValue(
      'incidents.playbooks.staff_cyberbullying',
      lanyardDefaults.incidents.playbooks.staff_cyberbullying.value,
    );
    expect(steps).toMatchObject({ ordered: true });
    expect('items' in steps && steps.items[0]).toBe('Do not respond or retaliate');
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
  });

  it('uses the school’s own title for its safeguarding lead', () => {
    const own = structuredClone(settings);
    own.roles.safeguardingLeadTitle.value = 'E-Safety Co-ordinator';
    expect(displayValue('incidents.reportTo', ['dsl', 'headteacher'], own)).toEqual({
      text: 'E-Safety Co-ordinator and Headteacher',
    });
  });

  it('names the template in words', () => {
    expect(templateName(johnCliffordTemplate.key)).toContain('John Clifford Primary School');
    expect(templateName(null)).toBe('The school’s own policy');
  });

  it('explains a Lanyard default with today’s reason, not an old one naming another school', () => {
    const old = structuredClone(johnCliffordTemplate.settings) as PolicySettings;
    old.roles.approverRole.citation.note =
      'The Headteacher checks posts before they go out (as 003 §5.3).';
    const shown = displayGroups(ruleList(old), old)
      .flatMap((g) => g.rules)
      .find((r) => r.path === 'roles.approverRole')!;
    expect(shown.source.label).toBe('Lanyard default');
    expect(shown.source.note).toBe(lanyardDefaults.roles.approverRole.citation.note);
    expect(shown.source.note).not.toContain('003');
    // A value the school changed keeps its own note.
    old.roles.approverRole.value = 'dpo';
    const changed = displayGroups(ruleList(old), old)
      .flatMap((g) => g.rules)
      .find((r) => r.path === 'roles.approverRole')!;
    expect(changed.source.note).toContain('003');
  });

  it('words every setting of every template and of Lanyard’s defaults, never a key or field name', () => {
    const profiles = [lanyardDefaults, ...policyTemplates.map((t) => t.settings as PolicySettings)];
    for (const profile of profiles) {
      for (const rule of displayGroups(ruleList(profile), profile).flatMap((g) => g.rules)) {
        const v = rule.value;
        const words = 'text' in v ? v.text : v.items.join(' | ');
        // snake_case keys (publicity_poster, photo_opportunity_only), field names
        // (posterResponsibilities), and "key:" or braces of a raw object.
        expect(words, rule.path).not.toMatch(/\b[a-z]+(_[a-z0-9]+)+\b/);
        expect(words, rule.path).not.toMatch(/\b[a-z]+[A-Z][a-zA-Z]*\b/);
        expect(words, rule.path).not.toMatch(/\bkey:|[{}]|\b(true|false|null|undefined)\b/);
      }
    }
  });

  it('shows the rules issue 15 added in words: accounts, naming, events, responsibilities, statements', () => {
    const s = structuredClone(lanyardDefaults);
    const words = (path: string) => {
      const v = displayValue(path, (getRule(s, path as RulePath) as { value: unknown }).value, s);
      return 'text' in v ? v.text : v.items.join(' | ');
    };
    expect(words('channels.accountRules')).toContain(
      'Social media page (Facebook, Instagram, X) (Who may see its posts: Either; Comments and replies: Comments allowed, moderated;',
    );
    expect(words('channels.accountRules')).toContain(
      'Responsibilities whose holders may post on it (besides the people named on the account): Publicity poster',
    );
    expect(words('channels.eventPhotography')).toContain(
      'Plays, concerts and assemblies (Parents and visitors taking photos: Only at a photo opportunity; Parents and visitors filming: Not allowed;',
    );
    expect(words('channels.personalInformation')).toContain(
      'Details the text check looks for: Phone numbers, Email addresses, Postcodes, Street addresses and Dates of birth',
    );
    expect(words('channels.noTagging')).toContain('Pupils are never tagged on platforms: Yes');
    expect(words('people.responsibilities')).toContain('Publicity poster');
    expect(words('people.conductStatements')).not.toContain('official_channels');
    // A responsibility named by a rule shows by the school's name for it, renamed or not.
    s.people.responsibilities.value[0]!.label = 'Social media lead';
    s.incidents.reportToResponsibilities.value = [s.people.responsibilities.value[0]!.key];
    expect(words('incidents.reportToResponsibilities')).toBe('Social media lead');
  });

  it('notes a changed structured rule’s value before in words, not keys', () => {
    const before = structuredClone(lanyardDefaults);
    const rules = structuredClone(before.channels.accountRules.value);
    rules[0]!.mayFollow = 'nobody';
    const { next } = applyChanges(
      before,
      { values: { 'channels.accountRules': rules } },
      '2026-12-07',
    );
    const note = next.channels.accountRules.citation.note ?? '';
    expect(note).toMatch(/^Changed on 7 December 2026; previously “Social media page/);
    expect(note).not.toMatch(/accountKind|\bkey: |official_accounts/);
  });
});
