/**
 * The settings editor's view of the zod schemas (issue 15 item 1): each rule's value schema as a
 * tree of editable nodes — yes/no, a choice, a number (or "never"), text, a set of choices, lines
 * of words, a list of items, a group of sub-settings. Nothing here knows a particular setting:
 * a setting added to a schema in ./settings/ is editable without new editor code (it needs words:
 * ./settings/editor-meta.ts).
 */
import type { z } from 'zod';
import { policySettingsSchema, rulePaths } from './policy-settings.ts';
import { fieldLabels, informationOnlyFields, itemNouns } from './settings/editor-meta.ts';

export type FieldNode =
  | { kind: 'boolean' }
  | { kind: 'choice'; options: string[]; nullable: boolean }
  | { kind: 'number'; nullable: boolean; min?: number; max?: number }
  | { kind: 'text'; nullable: boolean; long: boolean }
  /** A value the law fixes (a literal): shown, never edited. */
  | { kind: 'fixed' }
  /**
   * A set of choices (an array of enum values without repeats): checkboxes. `from`: the options
   * are the items of another list setting (its keys, shown by their descriptions), named by the
   * array's zod meta `optionsFrom` (e.g. a channel's responsibilities from `people.responsibilities`).
   */
  | { kind: 'choices'; options: string[]; from?: string }
  /** A list of words or phrases: a textarea, one per line. */
  | { kind: 'lines' }
  /** A list of items (steps, purposes): fieldsets with add, remove and move buttons. */
  | { kind: 'list'; item: FieldNode; noun: string }
  | { kind: 'object'; fields: ObjectField[] }
  /** An item's identifier (`key`): hidden, made from its description when the item is new. */
  | { kind: 'key' }
  /** An item's own citation: kept as it was (a new item cites the school's decision). */
  | { kind: 'kept' };

export interface ObjectField {
  name: string;
  /** The field in words (its zod description, or editor-meta's fieldLabels). */
  label: string | undefined;
  node: FieldNode;
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under defaults, optionals, read-only and pipes, with the first description found. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; description: string | undefined } {
  let s = schema;
  let description = s.description;
  for (let i = 0; i < 8; i++) {
    const def = defOf(s);
    if (['default', 'optional', 'readonly', 'prefault', 'catch', 'nonoptional'].includes(def.type))
      s = def.innerType as z.ZodType;
    else if (def.type === 'pipe') s = def.in as z.ZodType;
    else break;
    description ??= s.description;
  }
  return { schema: s, description };
}

/** The `optionsFrom` meta of a schema or of what it wraps (a rule path), if any. */
function optionsFrom(schema: z.ZodType): string | undefined {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    const meta = (s as unknown as { meta(): Record<string, unknown> | undefined }).meta();
    if (typeof meta?.optionsFrom === 'string') return meta.optionsFrom;
    const def = defOf(s);
    if ('innerType' in def) s = def.innerType as z.ZodType;
    else if (def.type === 'pipe') s = def.in as z.ZodType;
    else return undefined;
  }
  return undefined;
}

/** The editor's node for a value schema. `name` is the field's name inside its parent object. */
export function describeSchema(schema: z.ZodType, name = '', rulePath = ''): FieldNode {
  const { schema: s } = unwrap(schema);
  const def = defOf(s);
  switch (def.type) {
    case 'nullable': {
      const inner = describeSchema(def.innerType as z.ZodType, name, rulePath);
      if (inner.kind === 'number' || inner.kind === 'text' || inner.kind === 'choice')
        return { ...inner, nullable: true };
      return { kind: 'fixed' };
    }
    case 'literal':
      return { kind: 'fixed' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'choice', options: (s as z.ZodEnum).options.map(String), nullable: false };
    case 'number': {
      const n = s as z.ZodNumber;
      const node: FieldNode = { kind: 'number', nullable: false };
      if (Number.isFinite(n.minValue)) node.min = n.minValue as number;
      if (Number.isFinite(n.maxValue)) node.max = n.maxValue as number;
      return node;
    }
    case 'string':
      if (name === 'key') return { kind: 'key' };
      return { kind: 'text', nullable: false, long: ((s as z.ZodString).maxLength ?? 0) > 160 };
    case 'array': {
      const element = unwrap(def.element as z.ZodType).schema;
      const elementType = defOf(element).type;
      const from = optionsFrom(schema);
      if (from && elementType === 'string') return { kind: 'choices', options: [], from };
      if (elementType === 'enum')
        return { kind: 'choices', options: (element as z.ZodEnum).options.map(String) };
      if (elementType === 'string') return { kind: 'lines' };
      const last = rulePath.split('.');
      const noun =
        itemNouns[last[last.length - 1] ?? ''] ?? itemNouns[last[last.length - 2] ?? ''] ?? 'item';
      return { kind: 'list', item: describeSchema(element, '', rulePath), noun };
    }
    case 'object': {
      if (name === 'citation') return { kind: 'kept' };
      const shape = (s as z.ZodObject).shape as Record<string, z.ZodType>;
      return {
        kind: 'object',
        fields: Object.entries(shape).map(([field, child]) => {
          const words = unwrap(child).description ?? fieldLabels[field];
          // A part of the setting no module enforces says so (settings/editor-meta.ts).
          const infoOnly = informationOnlyFields[`${rulePath}.${field}`];
          return {
            name: field,
            label: infoOnly && words ? `${words} (information only: ${infoOnly})` : words,
            node: describeSchema(child, field, rulePath),
          };
        }),
      };
    }
    case 'record': {
      // A setting per option of a vocabulary (e.g. per kind of event): one sub-setting each.
      const keys = unwrap(def.keyType as z.ZodType).schema;
      if (defOf(keys).type !== 'enum') return { kind: 'fixed' };
      const value = def.valueType as z.ZodType;
      return {
        kind: 'object',
        fields: (keys as z.ZodEnum).options.map((k) => ({
          name: String(k),
          label: undefined,
          node: describeSchema(value, String(k), rulePath),
        })),
      };
    }
    default:
      return { kind: 'fixed' };
  }
}

/** The zod schema of a rule's value, found by walking the settings schema along its path. */
export function valueSchemaAt(path: string): z.ZodType | null {
  let node: z.ZodType = policySettingsSchema;
  for (const part of path.split('.')) {
    const unwrapped = unwrap(node).schema;
    if (defOf(unwrapped).type !== 'object') return null;
    const next = ((unwrapped as z.ZodObject).shape as Record<string, z.ZodType>)[part];
    if (!next) return null;
    node = next;
  }
  const rule = unwrap(node).schema;
  if (defOf(rule).type !== 'object') return null;
  const value = ((rule as z.ZodObject).shape as Record<string, z.ZodType>).value;
  return value ?? null;
}

const nodes = new Map<string, FieldNode>();

/** The editor's node for the rule at a path (cached: schemas do not change while running). */
export function ruleNode(path: string): FieldNode {
  let node = nodes.get(path);
  if (!node) {
    const schema = valueSchemaAt(path);
    node = schema ? describeSchema(schema, '', path) : { kind: 'fixed' };
    nodes.set(path, node);
  }
  return node;
}

/** Every rule path with its node, in display order. */
export function allRuleNodes(): { path: string; node: FieldNode }[] {
  return rulePaths.map((path) => ({ path, node: ruleNode(path) }));
}

/** The rule path a field's name starts with (the longest), or null. */
export function rulePathOf(fieldName: string): string | null {
  let best: string | null = null;
  for (const path of rulePaths) {
    if (
      (fieldName === path || fieldName.startsWith(`${path}.`)) &&
      path.length > (best?.length ?? 0)
    )
      best = path;
  }
  return best;
}
