import { z } from 'zod';
import { mediaTypes } from '../policies/policy-settings.ts';
import { UploadedFile } from '../../web/uploads.ts';

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

/** A GOV.UK date input's three fields → yyyy-mm-dd, with the GOV.UK error messages. */
export function readDate(
  body: Record<string, unknown>,
  prefix: string,
  what: string,
): { value: string } | { error: string } {
  const part = (n: string) => {
    const v = body[`${prefix}-${n}`];
    return typeof v === 'string' ? v.trim() : '';
  };
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!d && !m && !y) return { error: `Enter ${what}` };
  const missing = [!d && 'day', !m && 'month', !y && 'year'].filter(Boolean);
  if (missing.length)
    return { error: `${capitalise(what)} must include a ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) {
    return { error: `${capitalise(what)} must be a real date` };
  }
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${iso}T12:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso) {
    return { error: `${capitalise(what)} must be a real date` };
  }
  return { value: iso };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

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
