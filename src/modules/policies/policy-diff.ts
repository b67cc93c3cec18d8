/**
 * What changed between two versions of a profile, in words (issue 15 item 1): "Steps when a
 * parent posts defamatory or abusive comments: step 3 “Invite the parent…” added". Driven by the
 * schemas (policy-form-schema.ts), so a new setting's changes read as words without new code.
 */
import { ruleNode, type FieldNode } from './policy-form-schema.ts';
import { itemsOf, optionWords } from './policy-form.ts';
import {
  formatCitation,
  getRule,
  ruleLabels,
  rulePaths,
  type Citation,
  type PolicySettings,
  type RulePath,
} from './policy-settings.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57).trimEnd()}…` : text;
}

/** A single value in words ("Yes", "Every year", "Never", "12"). */
export function valueWords(node: FieldNode, value: unknown, settings?: PolicySettings): string {
  if (value === null || value === undefined) return node.kind === 'number' ? 'never' : 'none';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string')
    return node.kind === 'choice' ? (optionWords(value, settings) ?? value) : short(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value
      .map((v) => (node.kind === 'choices' ? (optionWords(String(v), settings) ?? v) : v))
      .join(', ');
  }
  return '…';
}

/** How an item is named in a change: its description ("Invite the parent…"), else its number. */
function itemName(item: unknown): string | null {
  if (!isObject(item)) return typeof item === 'string' ? short(item) : null;
  for (const k of ['label', 'text', 'name', 'title']) {
    if (typeof item[k] === 'string' && item[k]) return short(item[k]);
  }
  return null;
}

function diffNode(
  node: FieldNode,
  before: unknown,
  after: unknown,
  where: string,
  out: string[],
  settings: PolicySettings,
): void {
  if (same(before, after)) return;
  switch (node.kind) {
    case 'object': {
      const b = isObject(before) ? before : {};
      const a = isObject(after) ? after : {};
      for (const f of node.fields) {
        const label = (f.label ?? optionWords(f.name, settings) ?? f.name).toLowerCase();
        diffNode(f.node, b[f.name], a[f.name], `${where}, ${label}`, out, settings);
      }
      return;
    }
    case 'choices':
    case 'lines': {
      const b = (Array.isArray(before) ? before : []).map(String);
      const a = (Array.isArray(after) ? after : []).map(String);
      const from = node.kind === 'choices' && node.from ? itemsOf(settings, node.from) : [];
      const words = (v: string) =>
        node.kind === 'choices'
          ? (from.find((i) => i.key === v)?.label ?? optionWords(v, settings) ?? v)
          : short(v);
      const added = a.filter((v) => !b.includes(v)).map((v) => `“${words(v)}”`);
      const removed = b.filter((v) => !a.includes(v)).map((v) => `“${words(v)}”`);
      const parts = [];
      if (added.length) parts.push(`${added.join(', ')} added`);
      if (removed.length) parts.push(`${removed.join(', ')} removed`);
      if (!parts.length) parts.push('order changed');
      out.push(`${where}: ${parts.join('; ')}`);
      return;
    }
    case 'list': {
      const b = Array.isArray(before) ? before : [];
      const a = Array.isArray(after) ? after : [];
      const keyOf = (item: unknown, i: number, side: string) =>
        isObject(item) && typeof item.key === 'string' && item.key ? item.key : `${side}${i}`;
      const bKeys = b.map((x, i) => keyOf(x, i, '#'));
      const aKeys = a.map((x, i) => keyOf(x, i, '#'));
      const label = (item: unknown, i: number) => {
        const n = itemName(item);
        return n ? `${node.noun} ${i + 1} “${n}”` : `${node.noun} ${i + 1}`;
      };
      bKeys.forEach((k, i) => {
        if (!aKeys.includes(k)) out.push(`${where}: ${label(b[i], i)} removed`);
      });
      aKeys.forEach((k, i) => {
        const j = bKeys.indexOf(k);
        if (j === -1) {
          out.push(`${where}: ${label(a[i], i)} added`);
          return;
        }
        const common = (keys: string[], other: string[]) => keys.filter((x) => other.includes(x));
        const movedRelative = common(bKeys, aKeys).indexOf(k) !== common(aKeys, bKeys).indexOf(k);
        if (movedRelative) {
          const n = itemName(a[i]);
          out.push(
            `${where}: ${node.noun}${n ? ` “${n}”` : ''} moved from ${node.noun} ${j + 1} to ${node.noun} ${i + 1}`,
          );
        }
        if (node.item.kind === 'object' && isObject(b[j]) && isObject(a[i])) {
          for (const f of node.item.fields) {
            if (f.node.kind === 'kept' || f.node.kind === 'key') continue;
            const fl = (f.label ?? f.name).toLowerCase();
            diffNode(
              f.node,
              b[j]![f.name],
              a[i]![f.name],
              `${where}, ${node.noun} ${i + 1}, ${fl}`,
              out,
              settings,
            );
          }
        } else if (!same(b[j], a[i])) {
          diffNode(node.item, b[j], a[i], `${where}, ${node.noun} ${i + 1}`, out, settings);
        }
      });
      return;
    }
    case 'kept':
    case 'key':
      return;
    case 'boolean':
    case 'choice':
    case 'fixed':
    case 'number':
    case 'text':
      out.push(
        `${where}: changed from “${valueWords(node, before, settings)}” to “${valueWords(node, after, settings)}”`,
      );
  }
}

/** Every change from one version's settings to the next, in words, in the settings' order. */
export function describeChanges(before: PolicySettings, after: PolicySettings): string[] {
  const out: string[] = [];
  for (const path of rulePaths) {
    let b: { value: unknown; citation: Citation } | undefined;
    let a: { value: unknown; citation: Citation } | undefined;
    try {
      b = getRule(before, path as RulePath) as typeof b;
      a = getRule(after, path as RulePath) as typeof a;
    } catch {
      continue;
    }
    if (!a || !b) continue;
    const label = ruleLabels[path as RulePath];
    diffNode(ruleNode(path), b.value, a.value, label, out, after);
    if (!same(b.citation, a.citation) && (a.citation.school || same(b.value, a.value))) {
      out.push(`${label}: now from ${formatCitation(a.citation)}`);
    }
  }
  return out;
}
