/**
 * The policy profile as people read it (issue 9 item 6): every setting in words — role titles,
 * "1 September", "Photos and videos", numbered steps — never slugs, role keys or raw objects.
 * Role titles are the school's own where it has one (its name for the safeguarding lead).
 * Pure functions: the policy pages and the version pages use them through the routes.
 */
import { roleLabels, staffRoles, type StaffRole } from '../auth/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { groupTitles } from './policy-groups.ts';
import { ruleNode, type FieldNode } from './policy-form-schema.ts';
import { optionLabels } from './settings/editor-meta.ts';
import {
  channelsOptionLabels,
  peopleOptionLabels,
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

/** A rule's value in words on one line (a citation's "previously …" note). */
export function valueInWords(path: string, value: unknown, settings?: PolicySettings): string {
  const v = displayValue(path, value, settings);
  return 'text' in v ? v.text : v.items.join('; ');
}

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

/** A choice in words: a role by the school's title for it, anything else by editor-meta. */
export function optionWords(option: string, settings?: PolicySettings): string | undefined {
  if ((staffRoles as readonly string[]).includes(option) || option === 'parent')
    return roleTitle(option, settings);
  return peopleOptionLabels[option] ?? channelsOptionLabels[option] ?? optionLabels[option];
}

/** The items of a list setting as options: each item's key and its description. */
export function itemsOf(settings: PolicySettings, path: string): { key: string; label: string }[] {
  let node: unknown = settings;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const list = (node as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(list)) return [];
  return list.flatMap((i: unknown) => {
    const item = i as Record<string, unknown>;
    return typeof item.key === 'string'
      ? [{ key: item.key, label: String(item.label ?? item.text ?? item.key) }]
      : [];
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of an object node a person reads (not an item's key or its own citation). */
const readableFields = (node: Extract<FieldNode, { kind: 'object' }>) =>
  node.fields.filter((f) => f.node.kind !== 'key' && f.node.kind !== 'kept');

/** A field's name in words, without the editor's "(information only: …)" note. */
const fieldWords = (label: string | undefined, name: string, settings?: PolicySettings) =>
  (label ?? optionWords(name, settings) ?? name).replace(/ \(information only: .*\)$/, '');

/**
 * A value in words from its schema node (issue 15): choices by their labels, a responsibility
 * by the school's name for it, sub-settings as "label: value", never keys or field names.
 */
function nodeWords(node: FieldNode, value: unknown, settings?: PolicySettings): string {
  switch (node.kind) {
    case 'boolean':
      return value ? 'Yes' : 'No';
    case 'choice':
      return value === null ? 'None' : (optionWords(String(value), settings) ?? String(value));
    case 'number':
      return value === null ? 'Never' : String(value);
    case 'text':
      return typeof value === 'string' && value.trim() !== '' ? value : 'None';
    case 'choices': {
      const list = Array.isArray(value) ? value.map(String) : [];
      if (list.length === 0) return 'None';
      const from = node.from && settings ? itemsOf(settings, node.from) : [];
      const words = list.map((v) =>
        node.from
          ? (from.find((i) => i.key === v)?.label ?? 'a responsibility the school no longer has')
          : (optionWords(v, settings) ?? v),
      );
      return capitalise(listInWords(words));
    }
    case 'lines': {
      const list = Array.isArray(value) ? value.map(String) : [];
      return list.length === 0 ? 'None' : list.join(', ');
    }
    case 'object': {
      if (!isRecord(value)) return 'None';
      return readableFields(node)
        .map(
          (f) =>
            `${fieldWords(f.label, f.name, settings)}: ${nodeWords(f.node, value[f.name], settings)}`,
        )
        .join('; ');
    }
    case 'list': {
      const list = Array.isArray(value) ? value : [];
      if (list.length === 0) return 'None';
      return list.map((item) => itemWords(node.item, item, settings)).join(' · ');
    }
    case 'fixed':
    case 'key':
    case 'kept':
      return formatRuleValue(value);
  }
}

/** One item of a list in words: its description first, then its other parts. */
function itemWords(node: FieldNode, item: unknown, settings?: PolicySettings): string {
  if (node.kind !== 'object' || !isRecord(item)) return nodeWords(node, item, settings);
  const fields = readableFields(node);
  // Named by its description (label, text) or else by its first choice (a kind of account).
  const name =
    fields.find((f) => ['label', 'text', 'name', 'title'].includes(f.name)) ??
    fields.find((f) => f.node.kind === 'choice');
  const head = name ? nodeWords(name.node, item[name.name], settings) : '';
  const rest = fields
    .filter((f) => f !== name)
    .map(
      (f) =>
        `${fieldWords(f.label, f.name, settings)}: ${nodeWords(f.node, item[f.name], settings)}`,
    );
  if (!head) return rest.join('; ');
  return rest.length ? `${head} (${rest.join('; ')})` : head;
}

/**
 * A setting no special case below covers, in words from its schema: a list as one line per item,
 * sub-settings as "label: value", choices by their labels (issue 15's lists and structured rules).
 */
function schemaDisplay(
  path: string,
  value: unknown,
  settings?: PolicySettings,
): DisplayValue | null {
  const node = ruleNode(path);
  if (node.kind === 'list') {
    const list = Array.isArray(value) ? value : [];
    if (list.length === 0) return { text: 'None' };
    return { items: list.map((item) => itemWords(node.item, item, settings)), ordered: false };
  }
  if (node.kind === 'choices') return { text: nodeWords(node, value, settings) };
  if (node.kind === 'choice' && typeof value === 'string') {
    const general = formatRuleValue(value);
    return { text: general !== value ? general : nodeWords(node, value, settings) };
  }
  if (node.kind === 'object' && isRecord(value)) {
    // The shapes formatRuleValue already words (a date, a notice, a training, a permission).
    const worded =
      ('month' in value && 'day' in value) ||
      ('show' in value && 'text' in value) ||
      ('required' in value && 'frequency' in value) ||
      ('enabled' in value && 'grantedBy' in value);
    if (worded) return null;
    return {
      items: readableFields(node).map(
        (f) =>
          `${fieldWords(f.label, f.name, settings)}: ${nodeWords(f.node, value[f.name], settings)}`,
      ),
      ordered: false,
    };
  }
  return null;
}

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
  return schemaDisplay(path, value, settings) ?? { text: formatRuleValue(value) };
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
