import { z } from 'zod';
import { letterTemplateKeys, placeholderNames, unknownPlaceholders } from './letters.defaults.ts';

const knownPlaceholders = (field: string) => (text: string, ctx: z.RefinementCtx) => {
  const unknown = unknownPlaceholders(text);
  if (unknown.length) {
    ctx.addIssue({
      code: 'custom',
      message: `${field} uses ((${unknown[0]})), which Lanyard cannot fill in. Use only: ${placeholderNames.map((n) => `((${n}))`).join(', ')}`,
    });
  }
};

/** Making a letter: which one, to whom, and what the school asks (if not the usual words). */
export const letterRequestForm = z.object({
  template: z.enum(letterTemplateKeys, { error: 'Select which letter to make' }),
  recipientName: z
    .string({ error: 'Enter who the letter is to' })
    .trim()
    .min(1, 'Enter who the letter is to')
    .max(120, 'The name must be 120 characters or fewer'),
  recipientEmail: z
    .string()
    .trim()
    .max(254, 'The email address must be 254 characters or fewer')
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .email({ error: 'Enter an email address in the correct format, like name@example.com' })
        .optional(),
    ),
  ask: z
    .string()
    .trim()
    .max(1000, 'What the school asks must be 1,000 characters or fewer')
    .optional()
    .transform((v) => (v ? v : undefined)),
});
/** What a letter is made with, besides its template (the email and the ask may be left out). */
export interface LetterRequest {
  recipientName: string;
  recipientEmail?: string | undefined;
  ask?: string | undefined;
}

/** The preview's "make and send" button carries the same answers, and a confirmation. */
export const letterConfirmForm = letterRequestForm.extend({
  confirm: z.literal('yes', { error: 'Confirm that the letter is ready to keep and send' }),
});

/** Editing a template: its name, subject, words, the usual ask, and why. */
export const letterTemplateForm = z.object({
  title: z
    .string({ error: 'Enter a name for the letter' })
    .trim()
    .min(1, 'Enter a name for the letter')
    .max(120, 'The name must be 120 characters or fewer'),
  subject: z
    .string({ error: 'Enter the subject line' })
    .trim()
    .min(1, 'Enter the subject line')
    .max(200, 'The subject line must be 200 characters or fewer')
    .superRefine(knownPlaceholders('The subject line')),
  body: z
    .string({ error: 'Enter the letter' })
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .min(1, 'Enter the letter')
        .max(8000, 'The letter must be 8,000 characters or fewer')
        .superRefine(knownPlaceholders('The letter')),
    ),
  defaultAsk: z
    .string({ error: 'Enter what the school usually asks' })
    .trim()
    .min(1, 'Enter what the school usually asks')
    .max(1000, 'What the school asks must be 1,000 characters or fewer')
    .superRefine(knownPlaceholders('What the school asks')),
  note: z
    .string({ error: 'Say what you changed and why' })
    .trim()
    .min(1, 'Say what you changed and why')
    .max(300, 'The note must be 300 characters or fewer'),
});
export type LetterTemplateInput = z.output<typeof letterTemplateForm>;

/** Putting Lanyard's wording back needs a reason too. */
export const restoreLetterTemplateForm = z.object({
  note: z
    .string({ error: 'Say why' })
    .trim()
    .min(1, 'Say why')
    .max(300, 'The note must be 300 characters or fewer'),
});
