import { z } from 'zod';
import type { FormRead } from '../../web/form-route.ts';
import { readRequiredDateInput } from '../../web/date-input.ts';

export const requesterRelationships = ['self', 'parent', 'representative'] as const;
export type RequesterRelationship = (typeof requesterRelationships)[number];
export const requesterRelationshipLabels: Record<RequesterRelationship, string> = {
  self: 'The person themself',
  parent: 'A parent of the pupil',
  representative: 'Someone acting for them (for example a solicitor), with their authority',
};

export const subjectKinds = ['pupil', 'parent'] as const;
export type SubjectKind = (typeof subjectKinds)[number];

/** Logging a request: who it is about, who asked, when, and the identity check. */
export const logRequestSchema = z
  .object({
    subject: z
      .string({ error: 'Select who the request is about' })
      .regex(/^(pupil|parent):[0-9a-f-]{36}$/i, 'Select who the request is about'),
    requesterName: z
      .string({ error: 'Enter the name of the person who asked' })
      .trim()
      .min(1, 'Enter the name of the person who asked')
      .max(120, 'The name must be 120 characters or fewer'),
    requesterRelationship: z.enum(requesterRelationships, {
      error: 'Select who the person who asked is',
    }),
    receivedOn: z.iso.date({ error: 'Enter the date the request was received' }),
    identityChecked: z.enum(['yes', 'no'], {
      error: 'Select whether you have checked their identity',
    }),
    identityMethod: z.string().trim().max(300).optional().default(''),
  })
  .superRefine((v, ctx) => {
    if (v.identityChecked === 'yes' && !v.identityMethod)
      ctx.addIssue({
        code: 'custom',
        path: ['identityMethod'],
        message: 'Say how you checked their identity',
      });
  });
export type LogRequestInput = z.output<typeof logRequestSchema>;

/** The page's form: the GOV.UK date input (`receivedOn-day` …) read first, then the schema. */
export function readLogRequestForm(body: unknown): FormRead<LogRequestInput> {
  const raw = (body ?? {}) as Record<string, unknown>;
  const date = readRequiredDateInput(raw, 'receivedOn', 'the date the request was received');
  const parsed = logRequestSchema.safeParse({
    ...raw,
    receivedOn: 'value' in date ? date.value : undefined,
  });
  const errors: Record<string, string> = {};
  if ('error' in date) errors.receivedOn = date.error;
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '_form');
      if (key === 'receivedOn' && 'error' in date) continue;
      errors[key] ??= issue.message;
    }
  }
  if (Object.keys(errors).length || !parsed.success) return { ok: false, errors, values: raw };
  return { ok: true, value: parsed.data };
}

/** Extending the due date (Art. 12(3): by up to two further months for a complex request). */
export const extendForm = z.object({
  months: z.enum(['1', '2'], { error: 'Select how many months to extend by' }),
  reason: z
    .string({ error: 'Say why the request is complex or numerous' })
    .trim()
    .min(1, 'Say why the request is complex or numerous')
    .max(1000, 'The reason must be 1,000 characters or fewer'),
});

/** Closing a request: what was sent and how. */
export const closeForm = z.object({
  note: z
    .string({ error: 'Say what was sent and how' })
    .trim()
    .min(1, 'Say what was sent and how')
    .max(1000, 'The note must be 1,000 characters or fewer'),
});

/** Carrying out an erasure after its preview. */
export const eraseForm = z.object({
  subject: z.string(),
  confirm: z.literal('yes', { error: 'Confirm that you have read what will be erased' }),
});
