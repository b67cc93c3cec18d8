/**
 * Helpers for the settings editor's tests (issue 15 item 5): every field a page's form would post
 * (repeated names kept, unlike formValues), a post with repeated names, and a changed valid
 * value for any setting, made from its schema node so new settings are covered without new code.
 */
import type { FastifyInstance } from 'fastify';
import type { FieldNode } from '../../src/modules/policies/policy-form-schema.ts';
import { emptyValue } from '../../src/modules/policies/policy-form.ts';
import { applyChanges } from '../../src/modules/policies/policy-save.ts';
import {
  getRule,
  schoolDecisionCitation,
  type PolicySettings,
  type RulePath,
} from '../../src/modules/policies/policy-settings.ts';
import { formsOf } from './http-principals.ts';
import type { HttpClient } from './http.ts';

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:-]+)(?:="([^"]*)")?/g)) out[m[1]!] = decode(m[2] ?? '');
  return out;
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** What a browser posts for the form to `action`, in order, repeated names kept (no buttons). */
export function formEntries(html: string, action: string): [string, string][] {
  const form = formsOf(html).find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  const out: [string, string][] = [];
  const re =
    /<input\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>|<textarea\b[^>]*>[\s\S]*?<\/textarea>/gi;
  for (const m of form.html.matchAll(re)) {
    const tag = m[0];
    if (/^<input/i.test(tag)) {
      const a = attrs(tag.slice(6));
      const type = (a.type ?? 'text').toLowerCase();
      if (!a.name || type === 'submit' || type === 'button') continue;
      if ((type === 'radio' || type === 'checkbox') && a.checked === undefined) continue;
      out.push([a.name, a.value ?? '']);
    } else if (/^<select/i.test(tag)) {
      const a = attrs(/<select\b([^>]*)>/i.exec(tag)![1]!);
      const options = [...tag.matchAll(/<option\b([^>]*)>/gi)].map((o) => attrs(o[1]!));
      const chosen = options.find((o) => o.selected !== undefined) ?? options[0];
      if (a.name && chosen) out.push([a.name, chosen.value ?? '']);
    } else {
      const a = attrs(/<textarea\b([^>]*)>/i.exec(tag)![1]!);
      const text = /<textarea\b[^>]*>([\s\S]*?)<\/textarea>/i.exec(tag)![1]!;
      if (a.name) out.push([a.name, decode(text.replace(/^\n/, ''))]);
    }
  }
  return out;
}

/** Posts form fields (names may repeat) with the client's cookies and CSRF token. */
export async function postEntries(
  app: FastifyInstance,
  client: HttpClient,
  url: string,
  entries: [string, string][],
) {
  const body = new URLSearchParams(entries);
  if (!body.has('_csrf')) body.set('_csrf', client.csrf ?? '');
  const cookie = [...client.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await app.inject({
    method: 'POST',
    url,
    payload: body.toString(),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });
  // Remember cookies as the client does (the flash message after a redirect is one).
  for (const c of res.cookies) {
    if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()))
      client.cookies.delete(c.name);
    else client.cookies.set(c.name, c.value);
  }
  const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
  if (m) client.csrf = m[1];
  return res;
}

const NEW = schoolDecisionCitation('Added by the school.');

/** A filled-in new item for a list: text in every text field, the first option of every choice. */
function filled(node: FieldNode, n: number): unknown {
  const v = emptyValue(node, { newCitation: NEW });
  if (node.kind === 'text') return `Added by the school ${n}`;
  if (node.kind === 'number') return node.min ?? 1;
  if (node.kind === 'object') {
    const o = v as Record<string, unknown>;
    for (const f of node.fields) {
      if (f.node.kind === 'text' || f.node.kind === 'number' || f.node.kind === 'object')
        o[f.name] = filled(f.node, n);
    }
    return o;
  }
  return v;
}

/** Candidate changes of a value, most ordinary first. */
function candidates(node: FieldNode, v: unknown): unknown[] {
  switch (node.kind) {
    case 'boolean':
      return [!v];
    case 'choice':
      return [
        ...node.options.filter((o) => o !== v),
        ...(node.nullable && v !== null ? [null] : []),
      ];
    case 'number': {
      const out: unknown[] = [];
      if (node.nullable && v !== null) out.push(null);
      const n = typeof v === 'number' ? v : (node.min ?? 1);
      for (const x of [n + 1, n - 1, node.min ?? 1, node.max ?? 2])
        if (x !== v && x >= (node.min ?? 0) && x <= (node.max ?? 999_999)) out.push(x);
      return out;
    }
    case 'text':
      return [
        ...(typeof v === 'string' && v.length < 60 ? [`${v} (changed)`] : []),
        'Changed by the school',
        ...(node.nullable && v !== null ? [null] : []),
      ];
    case 'lines':
      return [
        [...(Array.isArray(v) ? v : []), 'changed by the school'],
        (Array.isArray(v) ? v : []).slice(1),
      ];
    case 'choices': {
      const cur = (Array.isArray(v) ? v : []).map(String);
      return node.options.map((o) => (cur.includes(o) ? cur.filter((x) => x !== o) : [...cur, o]));
    }
    case 'object': {
      const o = (typeof v === 'object' && v ? v : {}) as Record<string, unknown>;
      return node.fields.flatMap((f) =>
        candidates(f.node, o[f.name]).map((c) => ({ ...o, [f.name]: c })),
      );
    }
    case 'list': {
      const items = Array.isArray(v) ? v : [];
      const out: unknown[] = [[...items, filled(node.item, items.length + 1)]];
      if (items.length > 1) out.push([items[1], items[0], ...items.slice(2)], items.slice(0, -1));
      return out;
    }
    case 'fixed':
    case 'kept':
    case 'key':
      return [];
  }
}

/** A changed value the profile accepts for the rule at `path` (`{ value }`), or null (none). */
export function changedValidValue(
  settings: PolicySettings,
  path: string,
  node: FieldNode,
  current: unknown,
): { value: unknown } | null {
  // A set of choices drawn from another setting's items (zod meta optionsFrom, e.g. the school's
  // responsibilities): the options are that setting's keys in this profile.
  const from =
    node.kind === 'choices' && node.from
      ? (getRule(settings, node.from as RulePath) as { value: { key: string }[] }).value.map(
          (x) => x.key,
        )
      : null;
  const choices = from && node.kind === 'choices' ? { ...node, options: from } : node;
  for (const c of candidates(choices, current)) {
    // The editor makes a new item's key from its description: here any key will do.
    let n = 0;
    const keyed = JSON.parse(
      JSON.stringify(c ?? null, (k, x: unknown) => (k === 'key' && x === '' ? `added_${++n}` : x)),
    ) as unknown;
    try {
      applyChanges(settings, { values: { [path]: keyed } }, '2026-12-07');
      return { value: c };
    } catch {
      // Not valid with the rest of the profile (e.g. a cross-section rule): try the next.
    }
  }
  return null;
}

/** A value as saved, without what the editor makes itself (new items' keys and citations). */
export function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (k, x: unknown) => (k === 'key' || k === 'citation' ? undefined : x)),
  );
}
