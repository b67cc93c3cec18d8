import { z } from 'zod';
import type { FieldErrors } from '../../../errors.ts';
import { readDateInput } from '../../../web/date-input.ts';

export const postKinds = ['standard', 'reminder_to_parents'] as const;
export type PostKind = (typeof postKinds)[number];

export const postKindLabels: Record<PostKind, string> = {
  standard: 'News or a celebration',
  reminder_to_parents: 'A reminder to parents',
};

/** What a draft holds, as the service takes it (from the page form or the API). */
export interface DraftInput {
  title: string;
  body: string;
  eventLabel: string | null;
  kind: PostKind;
  media: { mediaId: string; altText: string }[];
  accountIds: string[];
  scheduledAt: Date | null;
}

const title = z
  .string({ error: 'Enter a title' })
  .trim()
  .min(1, 'Enter a title')
  .max(150, 'The title must be 150 characters or fewer');
const body = z
  .string({ error: 'Enter the text of the post' })
  .trim()
  .min(1, 'Enter the text of the post')
  .max(10_000, 'The text must be 10,000 characters or fewer');
const eventLabel = z
  .string()
  .trim()
  .max(80, 'The event must be 80 characters or fewer')
  .optional()
  .transform((v) => (v ? v : null));
const altText = z.string().trim().max(500, 'Alt text must be 500 characters or fewer');

const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** The API's draft body (JSON). */
export const draftApiBody = z.object({
  title,
  body,
  eventLabel: eventLabel.meta({ description: 'A general event label; never a pupil’s name' }),
  kind: z.enum(postKinds).default('standard'),
  media: z
    .array(z.object({ mediaId: z.uuid(), altText: altText.default('') }))
    .max(20, 'A post can have at most 20 photos')
    .default([]),
  accountIds: z.array(z.uuid()).min(1, 'Choose at least one channel').max(20),
  scheduledAt: z.iso
    .datetime({ offset: true, error: 'Give the time as an ISO 8601 date and time' })
    .nullable()
    .optional()
    .transform((v) => (v ? new Date(v) : null)),
});

const pageFields = z.object({
  title,
  body,
  eventLabel,
  kind: z.enum(postKinds, { error: 'Choose what kind of post this is' }),
  mediaIds: z.preprocess(asArray, z.array(z.uuid()).max(20, 'A post can have at most 20 photos')),
  accountIds: z.preprocess(
    asArray,
    z
      .array(z.uuid(), { error: 'Choose at least one channel' })
      .min(1, 'Choose at least one channel'),
  ),
  scheduledTime: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.test(v), {
      message: 'Enter the time in the 24-hour clock, for example 09:30 or 14:00',
    }),
});

/** The instant of a UK local date and time (Europe/London, summer time included). */
export function ukLocalInstant(isoDate: string, hour: number, minute: number): Date {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, hour, minute);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(guess));
  const h = Number(parts.find((p) => p.type === 'hour')!.value);
  const min = Number(parts.find((p) => p.type === 'minute')!.value);
  const offsetMinutes = (h * 60 + min - (hour * 60 + minute) + 1440) % 1440;
  const offset = offsetMinutes > 720 ? offsetMinutes - 1440 : offsetMinutes;
  return new Date(guess - offset * 60_000);
}

/** The draft form on the page (GOV.UK date input `scheduled` plus a time). */
export function parseDraftForm(
  body: Record<string, unknown>,
): { ok: true; value: DraftInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parsed = pageFields.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      errors[String(issue.path[0] ?? '_form')] ??= issue.message;
  }
  const date = readDateInput(body, 'scheduled', 'the date to publish it');
  if ('error' in date) errors['scheduled'] = date.error;
  const media: DraftInput['media'] = [];
  if (parsed.success) {
    for (const mediaId of [...new Set(parsed.data.mediaIds)]) {
      const alt = altText.safeParse(body[`alt-${mediaId}`] ?? '');
      if (!alt.success) errors[`alt-${mediaId}`] = alt.error.issues[0]!.message;
      else media.push({ mediaId, altText: alt.data });
    }
  }
  let scheduledAt: Date | null = null;
  if (parsed.success && 'value' in date && date.value) {
    const time = parsed.data.scheduledTime || '09:00';
    const [hh, mm] = time.split(/[:.]/).map(Number) as [number, number];
    scheduledAt = ukLocalInstant(date.value, hh, mm);
  } else if (parsed.success && parsed.data.scheduledTime && 'value' in date && !date.value) {
    errors['scheduled'] = 'Enter the date to publish it, or leave the time blank';
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return {
    ok: true,
    value: {
      title: parsed.data.title,
      body: parsed.data.body,
      eventLabel: parsed.data.eventLabel,
      kind: parsed.data.kind,
      media,
      accountIds: [...new Set(parsed.data.accountIds)],
      scheduledAt,
    },
  };
}

/** Returning a post: the approver's comments are required. */
export const returnForm = z.object({
  comment: z
    .string({ error: 'Say what needs to change' })
    .trim()
    .min(1, 'Say what needs to change')
    .max(2000, 'Comments must be 2,000 characters or fewer'),
});

/** Approving: an optional note to the author. */
export const approveForm = z.object({
  comment: z
    .string()
    .trim()
    .max(2000, 'Comments must be 2,000 characters or fewer')
    .optional()
    .transform((v) => (v ? v : null)),
});

/** Overriding a check: a written reason is required (it is audited). */
export const overrideForm = z.object({
  checkId: z.uuid({ error: 'Choose the check to override' }),
  reason: z
    .string({ error: 'Give the reason for overriding this check' })
    .trim()
    .min(10, 'Give the reason for overriding this check in at least 10 characters')
    .max(1000, 'The reason must be 1,000 characters or fewer'),
});
