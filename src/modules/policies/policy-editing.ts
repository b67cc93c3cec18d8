import { z } from 'zod';
import { policySettingsSchema } from './policy-settings.ts';

export type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

export interface EditableRule {
  kind: 'boolean' | 'number' | 'choice' | 'text';
  options: string[];
  parse(answer: string): ParseResult;
}

/** The zod schema of a rule's value, found by walking the settings schema along its path. */
function valueSchemaAt(path: string): z.ZodType | null {
  let node: z.ZodType = policySettingsSchema;
  for (const part of path.split('.')) {
    const unwrapped = unwrap(node);
    if (!(unwrapped instanceof z.ZodObject)) return null;
    const next = (unwrapped.shape as Record<string, z.ZodType>)[part];
    if (!next) return null;
    node = next;
  }
  const rule = unwrap(node);
  if (!(rule instanceof z.ZodObject)) return null;
  const value = (rule.shape as Record<string, z.ZodType>).value;
  return value ? unwrap(value) : null;
}

function unwrap(node: z.ZodType): z.ZodType {
  let n: z.ZodType = node;
  for (let i = 0; i < 5; i++) {
    if (n instanceof z.ZodDefault || n instanceof z.ZodOptional || n instanceof z.ZodReadonly) {
      n = (n as unknown as { unwrap(): z.ZodType }).unwrap();
    } else if (n instanceof z.ZodPipe) {
      n = (n as unknown as { in: z.ZodType }).in;
    } else break;
  }
  return n;
}

/** How the settings page edits a rule, or null where its value is a list or table. */
export function editableRule(path: string, current: unknown): EditableRule | null {
  const schema = valueSchemaAt(path);
  // Rules the law fixes (e.g. withdrawal is never retroactive) are shown but not editable.
  if (schema instanceof z.ZodLiteral) return null;
  if (typeof current === 'boolean') {
    return {
      kind: 'boolean',
      options: ['yes', 'no'],
      parse: (a) =>
        a === 'yes' || a === 'no'
          ? { ok: true, value: a === 'yes' }
          : { ok: false, message: 'Select yes or no' },
    };
  }
  if (typeof current === 'number') {
    return {
      kind: 'number',
      options: [],
      parse: (a) => {
        const trimmed = a.trim();
        if (!/^\d{1,4}$/.test(trimmed))
          return { ok: false, message: 'Enter a whole number, like 12' };
        const value = Number(trimmed);
        const check = schema?.safeParse(value);
        if (check && !check.success)
          return { ok: false, message: check.error.issues[0]?.message ?? 'Enter a valid number' };
        return { ok: true, value };
      },
    };
  }
  if (typeof current === 'string') {
    if (schema instanceof z.ZodEnum) {
      const options = (schema.options as string[]).map(String);
      return {
        kind: 'choice',
        options,
        parse: (a) =>
          options.includes(a)
            ? { ok: true, value: a }
            : { ok: false, message: 'Select one of the options' },
      };
    }
    return {
      kind: 'text',
      options: [],
      parse: (a) => {
        const value = a.trim();
        if (!value) return { ok: false, message: 'This cannot be blank' };
        if (value.length > 200) return { ok: false, message: 'Use 200 characters or fewer' };
        return { ok: true, value };
      },
    };
  }
  return null;
}
