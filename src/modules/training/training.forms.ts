import { z } from 'zod';
import type { FormRead } from '../../web/form-route.ts';
import { trainingSessionKeys } from './training-status.ts';

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

/** A GOV.UK date input (`<prefix>-day`, `-month`, `-year`) as an ISO date, or an error. */
export function readDate(
  body: Record<string, unknown>,
  prefix: string,
  what: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const part = (k: string) => String(body[`${prefix}-${k}`] ?? '').trim();
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!d && !m && !y) return { ok: false, error: `Enter the ${what}` };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { ok: false, error: `The ${what} must be a real date, for example 27 3 2027` };
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso)
    return { ok: false, error: `The ${what} must be a real date, for example 27 3 2027` };
  return { ok: true, value: iso };
}

const text = (what: string, max: number) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max} characters or fewer`);

const sessionFields = z.object({
  kind: z.enum(trainingSessionKeys, { error: 'Choose the kind of training' }),
  title: text('a title', 120),
  time: z
    .string()
    .trim()
    .regex(
      /^([01]?\d|2[0-3])[:.]([0-5]\d)$/,
      'Enter the time in the 24-hour clock, for example 15:45',
    ),
  place: text('the place', 120),
  trainer: text('who runs it', 120),
  className: z.string().trim().max(40).optional(),
  capacity: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d{1,4}$/.test(v), 'Enter the number of places as a whole number'),
});

export interface ScheduleSessionInput {
  kind: (typeof trainingSessionKeys)[number];
  title: string;
  startsAt: Date;
  place: string;
  trainer: string;
  className: string | null;
  capacity: number | null;
}

/** The "schedule a session" form: fields plus a GOV.UK date input (`date-…`). */
export function readScheduleForm(body: unknown): FormRead<ScheduleSessionInput> {
  const b = (body ?? {}) as Record<string, unknown>;
  const values = { ...b };
  const errors: Record<string, string> = {};
  const fields = sessionFields.safeParse(b);
  const date = readDate(b, 'date', 'date of the session');
  if (!date.ok) errors.date = date.error;
  if (!fields.success) {
    for (const issue of fields.error.issues) {
      const key = String(issue.path[0] ?? '_form');
      errors[key] ??= issue.message;
    }
  }
  if (!fields.success || !date.ok) return { ok: false, errors, values };
  const [h, m] = fields.data.time.split(/[:.]/).map(Number) as [number, number];
  return {
    ok: true,
    value: {
      kind: fields.data.kind,
      title: fields.data.title,
      startsAt: ukLocalInstant(date.value, h, m),
      place: fields.data.place,
      trainer: fields.data.trainer,
      className: fields.data.className || null,
      capacity: fields.data.capacity ? Number(fields.data.capacity) : null,
    },
  };
}

const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** The register taken in the room: the ticked people's ids. */
export const attendanceForm = z.object({
  attended: z.preprocess(asArray, z.array(z.uuid()).max(2000)),
});

/** A teacher marks a class's termly e-safety lesson. */
export function readClassLessonForm(
  body: unknown,
): FormRead<{ className: string; taughtOn: string; topic: string }> {
  const b = (body ?? {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const className = String(b.className ?? '').trim();
  const topic = String(b.topic ?? '').trim();
  if (!className) errors.className = 'Choose the class';
  if (!topic) errors.topic = 'Say what the lesson covered';
  else if (topic.length > 200)
    errors.topic = 'What the lesson covered must be 200 characters or fewer';
  const date = readDate(b, 'taughtOn', 'date of the lesson');
  if (!date.ok) errors.taughtOn = date.error;
  if (Object.keys(errors).length > 0 || !date.ok) return { ok: false, errors, values: b };
  return { ok: true, value: { className, taughtOn: date.value, topic } };
}

/** A parent books places at a parents' session. */
export const bookingForm = z.object({
  places: z
    .string({ error: 'Choose how many places' })
    .trim()
    .regex(/^[1-4]$/, 'Choose between 1 and 4 places')
    .transform(Number),
});

export const idParams = z.object({ id: z.uuid() });

/** The API's attendance body. */
export const attendanceApiBody = z.object({
  attended: z.array(z.uuid()).max(2000).meta({ description: 'Ids of the people who attended' }),
});
