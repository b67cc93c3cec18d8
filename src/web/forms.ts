import { z } from 'zod';
import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { FileStore } from '../platform/files/file-store.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from './uploads.ts';
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
 * Multipart limits for a one-file upload form: one file, one byte more than the limit and no
 * exception, so a bigger file arrives cut short and is refused on the form rather than on an
 * error page.
 */
export function uploadLimits(maxBytes: number): FastifyContextConfig['multipartOptions'] {
  return uploadRouteLimits(maxBytes, 1, 10);
}

/**
 * The `file` field of an upload form (multipart, attachFieldsToBody: 'keyValues'): streamed to a
 * temporary file (web/uploads.ts), with the original name when the browser sent one.
 */
export const uploadedFileSchema = z.object({
  file: z
    .custom<UploadedFile>((v) => v instanceof UploadedFile)
    .optional()
    .catch(undefined),
});

/**
 * The uploaded CSV file and its name, or the message for the form's file field. The file is read
 * from its temporary file (CSV is parsed in memory; the route's limit bounds it) and the
 * temporary file is removed.
 */
export async function uploadedCsv(
  request: FastifyRequest,
  maxBytes: number,
  files: Pick<FileStore, 'readTemp' | 'discard'>,
): Promise<{ ok: true; data: Buffer; filename: string } | { ok: false; error: string }> {
  const { file } = uploadedFileSchema.parse(request.body ?? {});
  if (file) claimUploads(request, [file]);
  try {
    const filename = file?.filename ?? '';
    if (!file || (file.size === 0 && filename === ''))
      return { ok: false, error: 'Select a CSV file' };
    if (file.size === 0) return { ok: false, error: 'The selected file is empty' };
    if (file.size > maxBytes) {
      return {
        ok: false,
        error: `The selected file must be smaller than ${Math.round(maxBytes / 1024 / 1024)} MB`,
      };
    }
    return { ok: true, data: await files.readTemp(file.tempName), filename };
  } finally {
    if (file) await files.discard(file.tempName);
  }
}

/**
 * An upload form's one CSV file as a form reader for `formRoute` (web/form-route.ts): its bytes
 * and name, or the message for the form's file field (nothing of the upload is kept on the page).
 */
export function csvUploadForm(maxBytes: number, files: Pick<FileStore, 'readTemp' | 'discard'>) {
  return async (
    _body: unknown,
    request: FastifyRequest,
  ): Promise<
    | { ok: true; value: { data: Buffer; filename: string } }
    | { ok: false; errors: FieldErrors; values: Record<string, unknown> }
  > => {
    const upload = await uploadedCsv(request, maxBytes, files);
    return upload.ok
      ? { ok: true, value: { data: upload.data, filename: upload.filename } }
      : { ok: false, errors: { file: upload.error }, values: {} };
  };
}
