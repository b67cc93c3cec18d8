import type { z } from 'zod';
import type { FieldErrors } from '../errors.ts';

export type FormResult<T> =
  { ok: true; value: T } | { ok: false; errors: FieldErrors; values: Record<string, unknown> };

/** Parses a form or API body; field errors keep the first message per field (GOV.UK pattern). */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || '_form';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors, values: (body ?? {}) as Record<string, unknown> };
}

/** The GOV.UK error summary list: each message links to its field. */
export function errorList(errors: FieldErrors | undefined): { text: string; href: string }[] {
  return Object.entries(errors ?? {}).map(([field, text]) => ({
    text,
    href: `#${field.replace(/\./g, '-')}`,
  }));
}
