import { z } from 'zod';
import type { FastifyContextConfig } from 'fastify';
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

/**
 * Multipart limits for a one-file upload form: one byte more than the limit and no exception, so
 * a bigger file arrives cut short and is refused on the form rather than on an error page.
 */
export function uploadLimits(maxBytes: number): FastifyContextConfig['multipartOptions'] {
  return {
    limits: { fileSize: maxBytes + 1 },
    throwFileSizeLimit: false,
  } as FastifyContextConfig['multipartOptions'];
}

/**
 * The `file` field of an upload form (multipart, attachFieldsToBody: 'keyValues'): a Buffer, with
 * the original name as a `filename` property when the browser sent one.
 */
export const uploadedFileSchema = z.object({
  file: z
    .custom<Buffer & { filename?: unknown }>((v) => Buffer.isBuffer(v))
    .optional()
    .catch(undefined),
});

/** The uploaded CSV file and its name, or the message for the form's file field. */
export function uploadedCsv(
  body: unknown,
  maxBytes: number,
): { ok: true; data: Buffer; filename: string } | { ok: false; error: string } {
  const { file } = uploadedFileSchema.parse(body ?? {});
  const filename = typeof file?.filename === 'string' ? file.filename : '';
  if (!file || (file.length === 0 && filename === ''))
    return { ok: false, error: 'Select a CSV file' };
  if (file.length === 0) return { ok: false, error: 'The selected file is empty' };
  if (file.length > maxBytes) {
    return {
      ok: false,
      error: `The selected file must be smaller than ${Math.round(maxBytes / 1024 / 1024)} MB`,
    };
  }
  return { ok: true, data: file, filename };
}
