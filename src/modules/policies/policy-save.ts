/**
 * Saving an edited profile (issue 15 item 1): the new values by rule path (from the settings
 * editor or the JSON API), checked by the same zod schema, with citations kept or set, and the
 * changes in words. Pure: the service stores the result as a new, audited version.
 */
import type { z } from 'zod';
import { ValidationError, type FieldErrors } from '../../errors.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { ruleNode, rulePathOf } from './policy-form-schema.ts';
import { fieldParts, fieldWords } from './policy-form.ts';
import { describeChanges } from './policy-diff.ts';
import { valueInWords } from './policy-display.ts';
import {
  formatCitation,
  getRule,
  policySettingsSchema,
  ruleLabels,
  schoolDecisionCitation,
  setRule,
  type Citation,
  type PolicySettings,
  type RulePath,
} from './policy-settings.ts';
import { isSchoolPolicyCitation, schoolPolicyCitation } from './settings/rules.ts';

export interface SettingsChanges {
  /** New values by rule path ('consent.model': 'admission'); paths left out keep their value. */
  values: Record<string, unknown>;
  /** The school's own policy section (and words) a rule comes from, by rule path. */
  citations?: Record<string, { section: string; quote?: string | undefined }>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const isRulePath = (p: string): p is RulePath => Object.hasOwn(ruleLabels, p);

/** A zod issue in plain English after the field's words. */
function issueWords(issue: z.core.$ZodIssue, name: string): string {
  const words = fieldWords(name);
  const node = fieldParts(name)?.node;
  const i = issue as z.core.$ZodIssue & { origin?: string; minimum?: unknown; maximum?: unknown };
  switch (issue.code) {
    case 'too_small':
      if (i.origin === 'string')
        return Number(i.minimum) <= 1
          ? `${words} cannot be blank`
          : `${words} must be at least ${String(i.minimum)} characters`;
      if (i.origin === 'array')
        return `${words} needs at least ${String(i.minimum)} ${node?.kind === 'list' ? node.noun : 'choice'}${Number(i.minimum) === 1 ? '' : 's'}`;
      return `${words} must be ${String(i.minimum)} or more`;
    case 'too_big':
      if (i.origin === 'string') return `${words} must be ${String(i.maximum)} characters or fewer`;
      if (i.origin === 'array') return `${words} can have at most ${String(i.maximum)}`;
      return `${words} must be ${String(i.maximum)} or fewer`;
    case 'custom':
      return `${words}: ${issue.message}`;
    case 'invalid_format':
      return `${words} is not in the right form`;
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_type':
    case 'invalid_union':
    case 'invalid_value':
    case 'not_multiple_of':
    case 'unrecognized_keys':
      return `${words} is not valid`;
  }
}

/** The field an issue of the whole profile is about: the rule's path, then the path in its value. */
export function issueField(path: readonly PropertyKey[]): string {
  const joined = path.map(String);
  for (let n = joined.length; n > 0; n--) {
    const prefix = joined.slice(0, n).join('.');
    if (isRulePath(prefix)) {
      const rest = joined.slice(n);
      if (rest[0] === 'value') rest.shift();
      return [prefix, ...rest].join('.');
    }
  }
  return joined.join('.') || '_form';
}

/** Every issue of a parsed profile as errors by field, each naming the field in words. */
export function settingsErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const name = issueField(issue.path);
    errors[name] ??= rulePathOf(name) ? issueWords(issue, name) : issue.message;
  }
  return errors;
}

/**
 * The next settings from the current ones and the changes, or a ValidationError naming each
 * field that is not valid. A changed rule keeps the school's own citation; one the school cites
 * anew gets that; any other says the school decided it, and what it was before.
 */
export function applyChanges(
  settings: PolicySettings,
  changes: SettingsChanges,
  today: string,
  /** The starting template's settings: a cleared school citation goes back to its citation. */
  template?: PolicySettings,
): { next: PolicySettings; changed: string[]; described: string[] } {
  const next = structuredClone(settings);
  const errors: FieldErrors = {};
  const changed = new Set<string>();
  const cleared = new Set<RulePath>();
  for (const [path, value] of Object.entries(changes.values)) {
    if (!isRulePath(path)) {
      errors[path] = `There is no setting called ${path}`;
      continue;
    }
    const rule = getRule(next, path) as { value: unknown; citation: Citation };
    if (same(rule.value, value)) continue;
    if (ruleNode(path).kind === 'fixed') {
      errors[path] = `${ruleLabels[path]}: the law sets this, so it cannot be changed`;
      continue;
    }
    setRule(next, path, { value, citation: rule.citation } as never);
    changed.add(path);
  }
  for (const [path, c] of Object.entries(changes.citations ?? {})) {
    if (!isRulePath(path)) {
      errors[`${path}._cite.section`] = `There is no setting called ${path}`;
      continue;
    }
    const section = c.section.trim();
    const quote = (c.quote ?? '').trim();
    const rule = getRule(next, path) as { value: unknown; citation: Citation };
    if (!section) {
      if (quote)
        errors[`${path}._cite.section`] =
          `Enter the section of your school’s policy that ${ruleLabels[path].charAt(0).toLowerCase()}${ruleLabels[path].slice(1)} comes from`;
      // The school's own citation emptied: cleared (below, once every value is applied).
      else if (isSchoolPolicyCitation(rule.citation)) cleared.add(path);
      continue;
    }
    if (section.length > 80) {
      errors[`${path}._cite.section`] =
        `${ruleLabels[path]}: the section must be 80 characters or fewer`;
      continue;
    }
    if (quote.length > 200) {
      errors[`${path}._cite.quote`] =
        `${ruleLabels[path]}: the policy’s words must be 200 characters or fewer`;
      continue;
    }
    const cited = schoolPolicyCitation(section, quote);
    if (same(rule.citation, cited)) continue;
    setRule(next, path, { value: rule.value, citation: cited } as never);
    changed.add(path);
  }
  // A cleared citation: the template's again where the rule still has the template's value (its
  // clause says so); otherwise the school's decision, saying what it had cited.
  for (const path of cleared) {
    const rule = getRule(next, path) as { value: unknown; citation: Citation };
    const fromTemplate = template
      ? (getRule(template, path) as { value: unknown; citation: Citation } | undefined)
      : undefined;
    const citation =
      fromTemplate && same(fromTemplate.value, rule.value)
        ? structuredClone(fromTemplate.citation)
        : schoolDecisionCitation(
            `The school’s own citation (${formatCitation(rule.citation)}) was removed on ${formatDateInWords(today)}.`.slice(
              0,
              300,
            ),
          );
    setRule(next, path, { value: rule.value, citation } as never);
    changed.add(path);
  }
  for (const path of changed) {
    if (cleared.has(path as RulePath)) continue;
    const before = getRule(settings, path as RulePath) as { value: unknown; citation: Citation };
    const after = getRule(next, path as RulePath) as { value: unknown; citation: Citation };
    // Cited by the school (now or before): kept. Otherwise: the school's decision, and what was before.
    if (isSchoolPolicyCitation(after.citation) || same(before.value, after.value)) continue;
    setRule(
      next,
      path as RulePath,
      {
        value: after.value,
        citation: schoolDecisionCitation(
          `Changed on ${formatDateInWords(today)}; previously “${valueInWords(path, before.value, settings).slice(0, 150)}” (${formatCitation(before.citation)})`.slice(
            0,
            300,
          ),
        ),
      } as never,
    );
  }
  // Every problem at once: the paths that are not settings, and what the schema finds.
  const parsed = policySettingsSchema.safeParse(next);
  if (!parsed.success) Object.assign(errors, { ...settingsErrors(parsed.error.issues), ...errors });
  if (!parsed.success || Object.keys(errors).length > 0) throw new ValidationError(errors);
  return {
    next: parsed.data,
    changed: [...changed],
    described: describeChanges(settings, parsed.data),
  };
}
