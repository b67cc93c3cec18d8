import { z } from 'zod';
import { readDateInput, readRequiredDateInput } from '../../../web/date-input.ts';
import type { FormRead } from '../../../web/form-route.ts';

const text = (max: number, empty: string) =>
  z
    .string({ error: empty })
    .trim()
    .min(1, empty)
    .max(max, `This must be ${max} characters or fewer`);
const optional = (max: number) =>
  z.string().trim().max(max, `This must be ${max} characters or fewer`).optional().default('');
const isoDate = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    }, message);

/** The categories a school's filtering usually blocks (DfE standards; the list is the school's). */
export const filteringCategories = [
  'Child sexual abuse material (IWF list)',
  'Terrorism and extremism (Counter-Terrorism Internet Referral Unit list)',
  'Pornography',
  'Self-harm and suicide',
  'Gambling',
  'Drugs and substance abuse',
  'Violence and weapons',
  'Discrimination and hate',
  'Malware and hacking',
  'Piracy and copyright theft',
  'Social media',
] as const;

export const provisionForm = z.object({
  filteringProvider: text(120, 'Enter who provides the web filtering'),
  monitoringProvider: text(120, 'Enter who provides the monitoring (or how it is done)'),
  blockedCategories: z
    .union([z.string(), z.array(z.string())], { error: 'Select what is blocked' })
    .transform((v) => (Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().max(120))
        .min(1, 'Select what is blocked')
        .max(40, 'Select 40 categories or fewer'),
    ),
  alertRecipients: text(300, 'Enter who receives the alerts'),
  notes: optional(2000),
});
export type ProvisionInput = z.infer<typeof provisionForm>;

export const exceptionForm = z.object({
  description: text(500, 'Describe what is allowed through the filter and for whom'),
  permissionId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  startsOn: isoDate('Enter the date it starts, for example 2026-12-07'),
  endsOn: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(isoDate('Enter the date it ends, for example 2027-03-31').optional()),
});
export type ExceptionInput = z.infer<typeof exceptionForm>;

export const checkForm = z.object({
  kind: z.enum(['check', 'review'], {
    error: 'Select whether this is a check or the annual review',
  }),
  checkedOn: isoDate('Enter the date of the check, for example 2026-12-07'),
  outcome: z.enum(['working', 'problems_found'], { error: 'Select what the check found' }),
  findings: text(4000, 'Enter what was checked and what was found'),
  actions: optional(2000),
});
export type CheckInput = z.infer<typeof checkForm>;

export const checkKindLabels = { check: 'Check', review: 'Annual review' } as const;
export const checkOutcomeLabels = {
  working: 'Working as expected',
  problems_found: 'Problems found',
} as const;

/**
 * A page's form with GOV.UK date inputs (`checkedOn-day`, `-month`, `-year`): the dates are read
 * into yyyy-mm-dd, then the schema (which the API uses with ISO dates) checks the rest. A date's
 * error sits on its first field, so the error summary links to it.
 */
export function withDateInputs<S extends z.ZodType>(
  schema: S,
  dates: { name: string; what: string; required: boolean }[],
) {
  return (body: unknown): FormRead<z.output<S>> => {
    const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const values: Record<string, unknown> = { ...raw };
    const errors: Record<string, string> = {};
    for (const d of dates) {
      const r = d.required
        ? readRequiredDateInput(raw, d.name, d.what)
        : readDateInput(raw, d.name, d.what);
      if ('error' in r) errors[`${d.name}-day`] = r.error;
      else values[d.name] = r.value ?? undefined;
    }
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '_form');
        const field = dates.some((d) => d.name === key) ? `${key}-day` : key;
        errors[field] ??= issue.message;
      }
    }
    if (Object.keys(errors).length || !parsed.success) return { ok: false, errors, values: raw };
    return { ok: true, value: parsed.data };
  };
}
