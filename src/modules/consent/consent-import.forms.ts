import { z } from 'zod';

/**
 * The consent spreadsheet upload (multipart, attachFieldsToBody: 'keyValues'): the file arrives
 * as a Buffer, with the original name as a `filename` property when the browser sent one.
 */
export const consentImportUploadSchema = z.object({
  file: z
    .custom<Buffer & { filename?: unknown }>((v) => Buffer.isBuffer(v))
    .optional()
    .catch(undefined),
});

export const consentImportParamsSchema = z.object({ id: z.uuid() });
