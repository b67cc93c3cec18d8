/**
 * The generic settings editor (issue 15 item 1): every rule of the profile as form fields, read
 * back from a posted form, and the list buttons (add, remove, move) done without JavaScript.
 *
 * Field names are the rule's path, then the path inside its value: `consent.model`,
 * `training.sessions.staff_regular.frequency`, `incidents.playbooks.parent_defamation.2.label`.
 * An element's id is its name with dots as dashes (the error summary's links, web/forms.ts).
 * A list also posts `<name>._list` (so an emptied list or set of checkboxes reads as empty, not
 * as "not on the form") and each item `<name>.<i>._item`.
 */
import { type Citation } from './policy-settings.ts';
import { type FieldNode, ruleNode, rulePathOf } from './policy-form-schema.ts';
import { ruleLabels } from './policy-settings.ts';
import { optionWords } from './policy-display.ts';

export type Body = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

const idOf = (name: string) => name.replace(/\./g, '-');

function first(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function all(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// A choice in words and a list's items as options live with the policy in words.
export { itemsOf, optionWords } from './policy-display.ts';

// ---------------------------------------------------------------------------------------------
// Words for a field (error messages, diffs)
// ---------------------------------------------------------------------------------------------

/** The node and the words for each part of a field's name ("Steps when…", "step 3", "Description"). */
export function fieldParts(name: string): { node: FieldNode; words: string[] } | null {
  const path = rulePathOf(name);
  if (!path) return null;
  let node = ruleNode(path);
  const words: string[] = [ruleLabels[path as keyof typeof ruleLabels] ?? path];
  const rest = name.slice(path.length + 1);
  for (const part of rest ? rest.split('.') : []) {
    if (part.startsWith('_')) break;
    if (node.kind === 'list' && /^\d+$/.test(part)) {
      words.push(`${node.noun} ${Number(part) + 1}`);
      node = node.item;
    } else if (node.kind === 'object') {
      const field = node.fields.find((f) => f.name === part);
      if (!field) break;
      words.push((field.label ?? optionWords(field.name) ?? field.name).toLowerCase());
      node = field.node;
    } else break;
  }
  return { node, words };
}

/** A field in words: "Steps when a parent posts defamatory or abusive comments, step 3, description". */
export function fieldWords(name: string): string {
  return fieldParts(name)?.words.join(', ') ?? name;
}

// ---------------------------------------------------------------------------------------------
// Reading a posted form
// ---------------------------------------------------------------------------------------------

/** What a posted form holds for one rule: its value, with the words that did not parse kept raw. */
export interface DecodeContext {
  /** The citation a new list item (a step the school adds) gets. */
  newCitation: Citation;
  errors: FieldErrors;
}

function slugFrom(text: string, taken: Set<string>): string {
  const base =
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^[^a-z]+/, '')
      .replace(/_+$/, '')
      .slice(0, 30) || 'item';
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
  taken.add(key);
  return key;
}

function decodeNumber(raw: string, name: string, ctx: DecodeContext): unknown {
  const t = raw.trim().replace(/,/g, '');
  if (/^\d{1,6}$/.test(t)) return Number(t);
  ctx.errors[name] =
    t === ''
      ? `Enter a number for “${fieldWords(name)}”`
      : `Enter a whole number for “${fieldWords(name)}”, like 12`;
  return raw;
}

/** The value a posted form gives a node; absent fields keep `current`. */
export function decodeNode(
  node: FieldNode,
  name: string,
  body: Body,
  current: unknown,
  ctx: DecodeContext,
): unknown {
  const raw = first(body[name]);
  switch (node.kind) {
    case 'fixed':
      return current;
    case 'kept':
      return current === undefined ? ctx.newCitation : current;
    case 'key':
      return raw ?? current ?? '';
    case 'boolean':
      if (raw === undefined) return current;
      if (raw === 'yes' || raw === 'no') return raw === 'yes';
      ctx.errors[name] = `Select yes or no for “${fieldWords(name)}”`;
      return current;
    case 'choice':
      if (raw === undefined) return current;
      if (node.nullable && raw === '') return null;
      if (node.options.includes(raw)) return raw;
      ctx.errors[name] = `Select one of the options for “${fieldWords(name)}”`;
      return current;
    case 'number':
      if (raw === undefined) return current;
      if (node.nullable) {
        if (raw === 'never') return null;
        if (raw === 'number') return decodeNumber(first(body[`${name}.number`]) ?? '', name, ctx);
      }
      return decodeNumber(raw, name, ctx);
    case 'text':
      if (raw === undefined) return current;
      return node.nullable && raw.trim() === '' ? null : raw.trim();
    case 'lines':
      if (raw === undefined) return current;
      return raw
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
    case 'choices': {
      if (body[`${name}._list`] === undefined) return current;
      // Options from another setting are checked by the schema (keys of its items).
      const chosen = new Set(
        all(body[name]).filter((o) => (node.from ? o !== '' : node.options.includes(o))),
      );
      const kept = (Array.isArray(current) ? current : []).filter((o) => chosen.has(String(o)));
      const added = node.from
        ? [...chosen].filter((o) => !kept.includes(o))
        : node.options.filter((o) => chosen.has(o) && !kept.includes(o));
      return [...kept, ...added];
    }
    case 'object': {
      const cur = isObject(current) ? current : {};
      const out: Record<string, unknown> = {};
      for (const f of node.fields)
        out[f.name] = decodeNode(f.node, `${name}.${f.name}`, body, cur[f.name], ctx);
      return out;
    }
    case 'list': {
      const prefix = `${name}.`;
      const indices = new Set<number>();
      for (const key of Object.keys(body)) {
        if (!key.startsWith(prefix)) continue;
        const m = /^(\d+)\./.exec(key.slice(prefix.length));
        if (m) indices.add(Number(m[1]));
      }
      if (indices.size === 0 && body[`${name}._list`] === undefined) return current;
      const currentItems = Array.isArray(current) ? current : [];
      const items = [...indices]
        .sort((a, b) => a - b)
        .map((i) => {
          const key = first(body[`${name}.${i}.key`]);
          // An item keeps what the form does not show (its citation) by its key.
          const before =
            key !== undefined && key !== ''
              ? currentItems.find((c) => isObject(c) && c.key === key)
              : undefined;
          return decodeNode(node.item, `${name}.${i}`, body, before, ctx);
        });
      return withKeys(items);
    }
  }
}

/** New items get a key made from their description, unique in the list. */
function withKeys(items: unknown[]): unknown[] {
  const taken = new Set(
    items.map((i) => (isObject(i) && typeof i.key === 'string' ? i.key : '')).filter(Boolean),
  );
  return items.map((i) => {
    if (!isObject(i) || !('key' in i) || (typeof i.key === 'string' && i.key !== '')) return i;
    const named = ['label', 'text', 'name', 'title'].map((k) => i[k]);
    const any = Object.entries(i).find(([k, v]) => k !== 'key' && typeof v === 'string')?.[1];
    const text = [...named, any].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
    return text ? { ...i, key: slugFrom(text, taken) } : i;
  });
}

/** A new, empty item for a list (the "Add another" button). */
export function emptyValue(node: FieldNode, ctx: Pick<DecodeContext, 'newCitation'>): unknown {
  switch (node.kind) {
    case 'boolean':
      return false;
    case 'choice':
      return node.nullable ? null : (node.options[0] ?? '');
    case 'number':
      return node.nullable ? null : '';
    case 'text':
    case 'key':
      return '';
    case 'kept':
      return ctx.newCitation;
    case 'lines':
    case 'choices':
    case 'list':
      return [];
    case 'object':
      return Object.fromEntries(node.fields.map((f) => [f.name, emptyValue(f.node, ctx)]));
    case 'fixed':
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The list buttons
// ---------------------------------------------------------------------------------------------

export type ListAction = { verb: 'add' | 'remove' | 'up' | 'down'; name: string };

/** `_action` as posted by a list button ("add:incidents.playbooks.x", "up:….2"), or null (save). */
export function parseAction(raw: unknown): ListAction | null {
  const m = /^(add|remove|up|down):([A-Za-z0-9_.]{1,300})$/.exec(first(raw) ?? '');
  return m ? { verb: m[1] as ListAction['verb'], name: m[2]! } : null;
}

/**
 * Applies a list button to the draft values (rule path → value), in place. Returns the field to
 * show next (the new item, or the list), or null when the button names no list.
 */
export function applyAction(
  draft: Map<string, unknown>,
  action: ListAction,
  ctx: Pick<DecodeContext, 'newCitation'>,
): string | null {
  const path = rulePathOf(action.name);
  if (!path || !draft.has(path)) return null;
  const parts = action.name
    .slice(path.length + 1)
    .split('.')
    .filter(Boolean);
  const index = action.verb === 'add' ? null : Number(parts.pop());
  if (index !== null && !Number.isInteger(index)) return null;
  const listName = [path, ...parts].join('.');
  const found = fieldParts(listName);
  if (!found || found.node.kind !== 'list') return null;
  let holder: unknown = draft.get(path);
  for (const p of parts)
    holder =
      isObject(holder) || Array.isArray(holder)
        ? (holder as Record<string, unknown>)[p]
        : undefined;
  if (!Array.isArray(holder)) return null;
  const list = holder as unknown[];
  if (action.verb === 'add') {
    list.push(emptyValue(found.node.item, ctx));
    return `${listName}.${list.length - 1}`;
  }
  if (index === null || index < 0 || index >= list.length) return null;
  if (action.verb === 'remove') {
    list.splice(index, 1);
    return listName;
  }
  const to = action.verb === 'up' ? index - 1 : index + 1;
  if (to < 0 || to >= list.length) return null;
  [list[index], list[to]] = [list[to], list[index]];
  return `${listName}.${to}`;
}

export { idOf };

/**
 * The form fields a browser would post for a value (the inverse of `decodeNode`): tests post
 * every setting through the editor with it; the API's documentation names the same fields.
 */
export function encodeNode(node: FieldNode, name: string, value: unknown): [string, string][] {
  switch (node.kind) {
    case 'fixed':
    case 'kept':
      return [];
    case 'key':
      return [[name, typeof value === 'string' ? value : '']];
    case 'boolean':
      return [[name, value ? 'yes' : 'no']];
    case 'choice':
      return [[name, value === null ? '' : String(value)]];
    case 'number':
      if (!node.nullable) return [[name, String(value)]];
      return value === null
        ? [[name, 'never']]
        : [
            [name, 'number'],
            [`${name}.number`, String(value)],
          ];
    case 'text':
      return [[name, value === null ? '' : String(value)]];
    case 'lines':
      return [[name, (Array.isArray(value) ? value : []).join('\n')]];
    case 'choices':
      return [
        [`${name}._list`, '1'],
        ...(Array.isArray(value) ? value : []).map((v): [string, string] => [name, String(v)]),
      ];
    case 'object': {
      const obj = isObject(value) ? value : {};
      return node.fields.flatMap((f) => encodeNode(f.node, `${name}.${f.name}`, obj[f.name]));
    }
    case 'list':
      return [
        [`${name}._list`, '1'],
        ...(Array.isArray(value) ? value : []).flatMap((item, i) => [
          [`${name}.${i}._item`, '1'] as [string, string],
          ...encodeNode(node.item, `${name}.${i}`, item),
        ]),
      ];
  }
}
