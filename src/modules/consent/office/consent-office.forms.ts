import { readRequiredDateInput } from '../../../web/date-input.ts';
import { z } from 'zod';
import { mediaTypes } from '../../policies/index.ts';
import { UploadedFile } from '../../../web/uploads.ts';

/**
 * Forms on the office and DPO pages. The questions on a paper form come from the school's policy
 * (purpose × media type, and naming), so that schema is built per school.
 */

/** The form field for one question `purpose/kind`. */
export function questionField(key: string): string {
  return `q-${key.replace('/', '-')}`;
}

/** A checkbox group arrives as one string or several. */
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const text = (max: number, message: string) =>
  z
    .string()
    .max(max, message)
    .optional()
    .transform((v) => v?.trim() || undefined);

/** A required GOV.UK date input (`prefix-day`, `-month`, `-year`) → yyyy-mm-dd. */
export const readDate = readRequiredDateInput;

const decider = z
  .string({ error: 'Choose who made the decision' })
  .min(1, 'Choose who made the decision');

const periodKey = z.string().max(20).optional();

/** The paper form: decider, period, method, note, and one Yes / No / Not returned per question. */
export function paperFormSchema(keys: readonly string[]) {
  const questions: Record<string, z.ZodType<'granted' | 'refused' | 'not_returned'>> = {};
  for (const key of keys) {
    questions[questionField(key)] = z.enum(['granted', 'refused', 'not_returned'], {
      error: 'Choose Yes, No or Not returned',
    });
  }
  return z.object({
    decider,
    periodKey,
    method: z.enum(['paper_form', 'letter', 'email'], { error: 'Choose how the form came in' }),
    note: text(1000, 'Note must be 1000 characters or fewer'),
    ...questions,
  });
}

/** A written withdrawal: who, how, and which questions are withdrawn. */
export const withdrawalForm = z.object({
  decider,
  periodKey,
  method: z.enum(['letter', 'email', 'paper_form'], { error: 'Choose how the withdrawal came in' }),
  withdraw: many.pipe(z.array(z.string().max(100)).min(1, 'Choose what consent is withdrawn')),
  note: text(1000, 'Note must be 1000 characters or fewer'),
});

export const competenceForm = z.object({
  competent: z.enum(['yes', 'no'], { error: 'Choose whether the pupil is competent to decide' }),
  note: text(1000, 'Note must be 1000 characters or fewer'),
});

/** The batch check (a GET form: it changes nothing). */
export const checkQuery = z.object({
  class: z.string().max(60).optional(),
  pupil: many.pipe(z.array(z.uuid({ error: 'Choose pupils from the list' })).max(200)),
  purpose: z.string().max(40).optional(),
  mediaType: z.enum(mediaTypes).optional(),
  named: z.enum(['yes', 'no']).optional(),
});

/** The evidence upload (multipart): streamed to a temporary file (web/uploads.ts). */
export const evidenceField = z
  .custom<UploadedFile>((v) => v instanceof UploadedFile)
  .optional()
  .catch(undefined);

export const changesQuery = z.object({
  since: z.string().max(10).optional(),
});
