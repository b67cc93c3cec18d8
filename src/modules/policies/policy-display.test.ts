import { describe, expect, it } from 'vitest';
import { displayGroups, displayValue, listInWords, templateName } from './policy-display.ts';
import { lanyardDefaults, ruleList, type PolicySettings } from './policy-settings.ts';
import { johnCliffordTemplate, sacredHeartTemplate } from './templates/index.ts';

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
});
