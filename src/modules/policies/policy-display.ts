/**
 * The policy profile as people read it (issue 9 item 6): every setting in words — role titles,
 * "1 September", "Photos and videos", numbered steps — never slugs, role keys or raw objects.
 * Role titles are the school's own where it has one (its name for the safeguarding lead).
 * Pure functions: the policy pages and the version pages use them through the routes.
 */
import { roleLabels, type StaffRole } from '../auth/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { groupTitles } from './policy-groups.ts';
import {
  formatCitation,
  formatRuleValue,
  getRule,
  LANYARD_DEFAULT,
  lanyardDefaults,
  type Citation,
  type ConsentPurpose,
  type PermissionType,
  type PlaybookStep,
  type PolicySettings,
  type RuleListItem,
  type TrainingRequirement,
} from './policy-settings.ts';
import { LANYARD_DEFAULTS_KEY, policyTemplates } from './templates/index.ts';

/** A setting in words: one line, or a list (numbered for steps in order). */
export type DisplayValue = { text: string } | { items: string[]; ordered: boolean };

/** Where a rule comes from, in words. */
export interface DisplaySource {
  /** The clause (seed and section), 'Lanyard default' or 'School decision'. */
  label: string;
  /** The policy's own words, where the rule cites a clause. */
  quote: string;
  /** Why Lanyard chose a default, or what the school changed. */
  note: string;
}

export interface DisplayRule {
  path: string;
  label: string;
  value: DisplayValue;
  source: DisplaySource;
}

export interface DisplayGroup {
  key: string;
  title: string;
  /** The id of the group's heading, for the contents list. */
  id: string;
  rules: DisplayRule[];
}

const mediaWords: Record<string, string> = { image: 'photos', video: 'videos' };

const checkWords: Record<string, string> = {
  consent: 'consent',
  full_name: 'a pupil’s full name in the text',
  personal_details: 'personal details in the text',
  faces_outnumber_tags: 'more faces than tagged pupils',
  swimwear: 'swimwear',
  reminder_permission: 'permission for a reminder post',
  tone: 'the tone of the text',
};

const frequencyWords: Record<string, string> = {
  on_joining: 'when they join',
  termly: 'every term',
  annual: 'every year',
  biennial: 'every two years',
};

/** "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A role's title in this school's words (`people.roleTitles`; its name for the safeguarding lead). */
export function roleTitle(role: string, settings?: PolicySettings): string {
  if (role === 'dsl' && settings) return settings.roles.safeguardingLeadTitle.value;
  if (role === 'parent') return 'The pupil’s parent or carer';
  const own = settings?.people.roleTitles.value[role as StaffRole];
  if (own && own !== roleLabels[role as StaffRole]) return own;
  if (role === 'governor') return 'Governors';
  return roleLabels[role as StaffRole] ?? capitalise(role.replace(/_/g, ' '));
}

const isRoleList = (path: string) => path === 'incidents.reportTo' || path === 'review.reviewers';

/** A rule's value in words, for the policy pages. */
export function displayValue(
  path: string,
  value: unknown,
  settings?: PolicySettings,
): DisplayValue {
  if (path.startsWith('roles.') && path.endsWith('Role') && typeof value === 'string') {
    return { text: roleTitle(value, settings) };
  }
  if (path === 'people.roleTitles' && typeof value === 'object' && value) {
    // Each role's standard name, then what this school calls it: words, never role keys.
    return {
      items: Object.entries(value as Record<string, string>).map(([role, title]) => {
        const standard = roleLabels[role as StaffRole] ?? capitalise(role.replace(/_/g, ' '));
        return title && title !== standard ? `${standard}: ${title}` : standard;
      }),
      ordered: false,
    };
  }
  if (isRoleList(path) && Array.isArray(value)) {
    return { text: listInWords(value.map((r) => roleTitle(String(r), settings))) };
  }
  if (path === 'consent.mediaTypes' && Array.isArray(value)) {
    return { text: capitalise(listInWords(value.map((m) => mediaWords[String(m)] ?? String(m)))) };
  }
  if (path === 'consent.purposes' && Array.isArray(value)) {
    return {
      items: (value as ConsentPurpose[]).map(
        (p) => `${p.label}${p.external ? ' (seen outside school)' : ' (in school only)'}`,
      ),
      ordered: false,
    };
  }
  if (path.startsWith('incidents.playbooks.') && Array.isArray(value)) {
    return { items: (value as PlaybookStep[]).map((s) => s.label), ordered: true };
  }
  if (path === 'publishing.overridableChecks' && Array.isArray(value)) {
    return value.length === 0
      ? { text: 'None: every check must pass' }
      : { text: capitalise(listInWords(value.map((c) => checkWords[String(c)] ?? String(c)))) };
  }
  if (path.startsWith('conduct.permissionTypes.') && typeof value === 'object' && value) {
    const p = value as PermissionType;
    if (!p.enabled) return { text: 'Staff cannot ask for this' };
    const parts = [`Given by ${roleTitle(p.grantedBy, settings).replace(/^The p/, 'the p')}`];
    if (p.ictSignOff) parts.push(`after the ${roleTitle('ict_technician')} confirms the controls`);
    parts.push(
      p.expiresAfterDays === null
        ? 'until withdrawn'
        : `for ${p.expiresAfterDays} ${p.expiresAfterDays === 1 ? 'day' : 'days'}`,
    );
    return { text: parts.join(', ') };
  }
  if (path.startsWith('training.sessions.') && typeof value === 'object' && value) {
    const t = value as TrainingRequirement;
    return {
      text: t.required ? `Required, ${frequencyWords[t.frequency] ?? t.frequency}` : 'Not required',
    };
  }
  if (path === 'media.retention.deleteAfterYears') {
    if (value === null)
      return { text: 'Not deleted automatically: kept until someone deletes them' };
    if (value === 0) return { text: 'Deleted when archived' };
    return { text: `${String(value)} ${value === 1 ? 'year' : 'years'}` };
  }
  if (path === 'review.cycleMonths' && typeof value === 'number') {
    return { text: value === 12 ? 'Every year (12 months)' : `Every ${value} months` };
  }
  if (
    (path === 'review.reminderDaysBefore' || path === 'consent.renewalReminderDays') &&
    typeof value === 'number'
  ) {
    return { text: `${value} ${value === 1 ? 'day' : 'days'}` };
  }
  return { text: formatRuleValue(value) };
}

/** Where a rule comes from: the clause and its words, or why Lanyard or the school chose it. */
export function displaySource(citation: Citation): DisplaySource {
  return {
    label: formatCitation(citation),
    quote: citation.quote,
    note: citation.note ?? '',
  };
}

/**
 * A Lanyard default explains itself with Lanyard's current reason for that value. Profiles adopted
 * before a reason was reworded keep the old words in their stored citation (older reasons named
 * other schools' clauses); while the value is still the default, the current reason is shown.
 */
function currentDefaultNote(r: RuleListItem): Citation {
  if (r.citation.seed !== null || r.citation.section !== LANYARD_DEFAULT) return r.citation;
  const fallback = getRule(lanyardDefaults, r.path) as { value: unknown; citation: Citation };
  const valueOnly = (v: unknown) =>
    JSON.stringify(v, (key: string, x: unknown) => (key === 'citation' ? undefined : x));
  if (valueOnly(fallback.value) !== valueOnly(r.value)) return r.citation;
  return { ...r.citation, note: fallback.citation.note ?? r.citation.note ?? '' };
}

/** Every rule of a profile in words, grouped under the policy page's headings, in order. */
export function displayGroups(
  rules: readonly RuleListItem[],
  settings: PolicySettings,
): DisplayGroup[] {
  const groups = new Map<string, DisplayRule[]>();
  for (const r of rules) {
    const key = r.path.split('.')[0] ?? '';
    const list = groups.get(key) ?? [];
    list.push({
      path: r.path,
      label: r.label,
      value: displayValue(r.path, r.value, settings),
      source: displaySource(currentDefaultNote(r)),
    });
    groups.set(key, list);
  }
  return [...groups.entries()].map(([key, list]) => ({
    key,
    title: groupTitles[key] ?? capitalise(key),
    id: `group-${key}`,
    rules: list,
  }));
}

/** The template a profile started from, in words ("Sacred Heart RC Primary School, Rochdale"). */
export function templateName(templateKey: string | null): string {
  if (!templateKey) return 'The school’s own policy';
  if (templateKey === LANYARD_DEFAULTS_KEY) return 'Lanyard’s defaults';
  const t = policyTemplates.find((x) => x.key === templateKey);
  return t ? `${t.school} (${t.name.split(' — ')[1] ?? t.name})` : 'The school’s own policy';
}

/** "6 December 2027". */
export function reviewDateInWords(iso: string): string {
  return formatDateInWords(iso);
}

/** Whether a rule is one of Lanyard's defaults (the seed policy says nothing about it). */
export function isLanyardDefault(source: DisplaySource): boolean {
  return source.label === LANYARD_DEFAULT;
}
