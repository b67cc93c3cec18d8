import { z } from 'zod';
import { incidentTypes, type IncidentType } from '../policies/index.ts';

/**
 * The incidents forms (zod) and Lanyard's words for their choices. The playbooks, who reports to
 * whom and the police rule come from the school's profile (`incidents.*`); these are only the
 * vocabularies of the forms.
 */

/** Platforms a report can name (the guidance pages, owned by `guidance/`, use the same keys). */
export const incidentPlatforms = [
  'facebook',
  'instagram',
  'tiktok',
  'x',
  'youtube',
  'snapchat',
  'whatsapp',
  'other_app',
  'not_online',
] as const;
export type IncidentPlatform = (typeof incidentPlatforms)[number];
export const platformLabels: Record<IncidentPlatform, string> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  tiktok: 'TikTok',
  x: 'X (Twitter)',
  youtube: 'YouTube',
  snapchat: 'Snapchat',
  whatsapp: 'WhatsApp',
  other_app: 'Another app, website or game',
  not_online: 'Not online',
};

/** The incident types of the profile's playbooks, in Lanyard's words (issue 14 item 4). */
export const incidentTypeLabels: Record<IncidentType, string> = {
  pupil_on_pupil: 'Cyberbullying of a pupil',
  staff_cyberbullying: 'Cyberbullying of a member of staff',
  parent_defamation: 'A parent’s defamatory post or complaint on social media',
  friend_request: 'A friend or follow request between staff and a pupil or parent',
  inappropriate_content: 'Inappropriate content accessed',
  filter_circumvention: 'Getting round the web filter',
  radicalisation: 'Concern about radicalisation (Prevent)',
  staff_breach: 'Breach of the staff code of conduct',
  consent_breach: 'Consent or data breach',
};

/** The 4Cs (KCSIE) against the risks of the misuse grid (the profile's `incidents.categoriesGrid`). */
export const categories = ['content', 'contact', 'conduct', 'commerce'] as const;
export type Category = (typeof categories)[number];
export const categoryLabels: Record<Category, string> = {
  content: 'Content: what they saw or were sent',
  contact: 'Contact: someone who contacted them',
  conduct: 'Conduct: what they did or took part in',
  commerce: 'Commerce: scams, gambling, pressure to buy',
};
export const risks = ['aggressive', 'sexual', 'values', 'commercial'] as const;
export type Risk = (typeof risks)[number];
export const riskLabels: Record<Risk, string> = {
  aggressive: 'Aggressive (violence, bullying, hate)',
  sexual: 'Sexual',
  values: 'Values (extremism, harmful beliefs, misinformation)',
  commercial: 'Commercial',
};

export const personParts = ['victim', 'alleged', 'witness', 'other'] as const;
export type PersonPart = (typeof personParts)[number];
export const partLabels: Record<PersonPart, string> = {
  victim: 'Was targeted or harmed',
  alleged: 'Is said to be responsible',
  witness: 'Saw it',
  other: 'Involved in another way',
};

/** People named by name rather than chosen from the roll. */
export const namedKinds = ['pupil', 'staff', 'parent', 'ex_pupil', 'external'] as const;
export type NamedKind = (typeof namedKinds)[number];
export const namedKindLabels: Record<NamedKind, string> = {
  pupil: 'A pupil at the school',
  staff: 'A member of staff',
  parent: 'A parent or carer',
  ex_pupil: 'A former pupil',
  external: 'Someone from outside the school',
};

/** Fields a correction can give a new value for (the report itself is never changed). */
export const correctableFields = [
  'whatHappened',
  'platform',
  'url',
  'occurredOn',
  'occurredTime',
  'occurredWhere',
] as const;
export type CorrectableField = (typeof correctableFields)[number];
export const correctableLabels: Record<CorrectableField, string> = {
  whatHappened: 'What happened',
  platform: 'Platform',
  url: 'Web address',
  occurredOn: 'Date it happened',
  occurredTime: 'Time it happened',
  occurredWhere: 'Where it happened',
};

export const policeDecisions = ['report', 'not_report'] as const;
export const referralTargets = ['police', 'social_care', 'police_and_social_care', 'ceop'] as const;
export type ReferralTarget = (typeof referralTargets)[number];
export const referralLabels: Record<ReferralTarget, string> = {
  police: 'The police',
  social_care: 'Children’s social care',
  police_and_social_care: 'The police and children’s social care',
  ceop: 'CEOP (the National Crime Agency’s child protection command)',
};

const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const text = (required: string, max: number, tooLong: string) =>
  z.string({ error: required }).trim().min(1, required).max(max, tooLong);
const optionalText = (max: number, tooLong: string) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, tooLong).optional());

/** A day, month and year from a GOV.UK date input (`<prefix>-day` …), or nothing if all blank. */
export function dateFromParts(
  body: Record<string, unknown>,
  prefix: string,
): { ok: true; value: string | undefined } | { ok: false; error: string } {
  const part = (k: string) => String(body[`${prefix}-${k}`] ?? '').trim();
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!d && !m && !y) return { ok: true, value: undefined };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { ok: false, error: 'Enter a real date, for example 27 3 2026' };
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T12:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso)
    return { ok: false, error: 'Enter a real date, for example 27 3 2026' };
  return { ok: true, value: iso };
}

const part = z.preprocess(blankToUndefined, z.enum(personParts).optional());

/** First question: does it involve a nude or semi-nude image of a child? */
export const reportStartForm = z.object({
  indecentImage: z.enum(['yes', 'no'], {
    error: 'Select yes if it involves a nude or semi-nude image of a child',
  }),
});

/** A report of a concern (not an indecent image): the reporter's own account. */
export const reportForm = z
  .object({
    whatHappened: text(
      'Enter what happened',
      5000,
      'What happened must be 5,000 characters or fewer',
    ),
    platform: z.preprocess(blankToUndefined, z.enum(incidentPlatforms).optional()),
    url: z.preprocess(
      blankToUndefined,
      z
        .url({ protocol: /^https?$/, error: 'Enter a web address starting with http or https' })
        .max(2000, 'The web address must be 2,000 characters or fewer')
        .optional(),
    ),
    occurredOn: z.string().optional(),
    occurredTime: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'Enter the time like 09:30 or 18:45')
        .optional(),
    ),
    occurredWhere: optionalText(300, 'Where it happened must be 300 characters or fewer'),
    reporterConcern: z.enum(['yes', 'no'], {
      error: 'Select yes if you think a child may be at risk of harm',
    }),
    pupils: z.preprocess(asArray, z.array(z.uuid()).max(10, 'Choose at most 10 pupils')),
    pupilPart: part,
    staff: z.preprocess(asArray, z.array(z.uuid()).max(10, 'Choose at most 10 members of staff')),
    staffPart: part,
    named: z
      .array(
        z.object({
          kind: z.preprocess(blankToUndefined, z.enum(namedKinds).optional()),
          name: optionalText(120, 'A name must be 120 characters or fewer'),
          part,
        }),
      )
      .max(3),
  })
  .superRefine((v, ctx) => {
    v.named.forEach((n, i) => {
      if (n.name && !n.kind)
        ctx.addIssue({
          code: 'custom',
          path: [`named${i}Kind`],
          message: `Select who ${n.name} is`,
        });
    });
  });
export type ReportInput = z.output<typeof reportForm>;

/** Turns a flat form body (`named0Name`, `occurred-day` …) into the report form's shape. */
export function reportBody(body: Record<string, unknown>): {
  input: Record<string, unknown>;
  dateError?: string;
} {
  const date = dateFromParts(body, 'occurredOn');
  const named = [0, 1, 2].map((i) => ({
    kind: body[`named${i}Kind`],
    name: body[`named${i}Name`],
    part: body[`named${i}Part`],
  }));
  return {
    input: { ...body, occurredOn: date.ok ? date.value : undefined, named },
    ...(date.ok ? {} : { dateError: date.error }),
  };
}

/** The indecent-image report: nothing about the image, only whether an adult is involved. */
export const imageReportForm = z.object({
  adultInvolved: z.enum(['yes', 'no', 'not_sure'], {
    error: 'Select whether an adult is involved',
  }),
  understood: z.literal('yes', {
    error: 'Confirm that you will not view, copy, share or keep the image',
  }),
});
export type ImageReportInput = z.output<typeof imageReportForm>;

export const classifyForm = z.object({
  incidentType: z.enum(incidentTypes, { error: 'Select the type of incident' }),
  category: z.preprocess(blankToUndefined, z.enum(categories).optional()),
  risk: z.preprocess(blankToUndefined, z.enum(risks).optional()),
  safeguarding: z.enum(['yes', 'no'], { error: 'Select yes if this is a safeguarding concern' }),
  reviewBy: z.string().optional(),
});
export type ClassifyInput = z.output<typeof classifyForm>;

export const assignForm = z.object({
  staffIds: z.preprocess(asArray, z.array(z.uuid()).max(20, 'Choose at most 20 people')),
});
export const restrictForm = z.object({
  deputyIds: z.preprocess(asArray, z.array(z.uuid()).max(10, 'Choose at most 10 deputies')),
});

export const stepForm = z.object({
  outcome: text(
    'Enter what was done and the outcome',
    2000,
    'The outcome must be 2,000 characters or fewer',
  ),
  nextStepDue: z.string().optional(),
});
export const personForm = z.object({
  pupilId: z.preprocess(
    blankToUndefined,
    z.uuid({ error: 'Choose a pupil from the list' }).optional(),
  ),
  staffId: z.preprocess(
    blankToUndefined,
    z.uuid({ error: 'Choose a member of staff from the list' }).optional(),
  ),
  part: z.enum(personParts, { error: 'Select the part they played' }),
});
export const noteForm = z.object({
  text: text('Enter the note', 5000, 'The note must be 5,000 characters or fewer'),
});
export const correctionForm = z.object({
  field: z.enum(correctableFields, { error: 'Select what the correction is to' }),
  value: text('Enter the corrected value', 5000, 'The value must be 5,000 characters or fewer'),
  reason: text('Enter why it is corrected', 1000, 'The reason must be 1,000 characters or fewer'),
});
export const wishesForm = z.object({
  text: text(
    'Enter what the person affected wants to happen',
    3000,
    'The wishes must be 3,000 characters or fewer',
  ),
});
export const policeForm = z.object({
  decision: z.enum(policeDecisions, { error: 'Select the decision about the police' }),
  note: optionalText(2000, 'The note must be 2,000 characters or fewer'),
});
export const closeForm = z.object({
  outcome: text('Enter the outcome', 2000, 'The outcome must be 2,000 characters or fewer'),
});
export const reopenForm = z.object({
  reason: text(
    'Enter why the case is reopened',
    1000,
    'The reason must be 1,000 characters or fewer',
  ),
});
export const referralForm = z.object({
  to: z.enum(referralTargets, { error: 'Select who it was referred to' }),
  reference: optionalText(100, 'The reference must be 100 characters or fewer'),
});

/** API body of a report (POST /api/v1/incidents): the same rules as the form. */
export const apiReportBody = z.object({
  indecentImage: z.boolean(),
  whatHappened: z.string().optional(),
  platform: z.enum(incidentPlatforms).optional(),
  url: z.string().optional(),
  occurredOn: z.iso.date().optional(),
  occurredTime: z.string().optional(),
  occurredWhere: z.string().optional(),
  reporterConcern: z.boolean().optional(),
  adultInvolved: z.enum(['yes', 'no', 'not_sure']).optional(),
  pupilIds: z.array(z.uuid()).max(10).optional(),
  staffIds: z.array(z.uuid()).max(10).optional(),
});

/**
 * The case lists' keyset cursor in a URL (`after`, the page's and `/api/v1/incidents`'s): the
 * last case's time exactly as PostgreSQL keeps it (UTC, up to six decimals: microseconds), `_`,
 * its id. A cursor cut to milliseconds (a JavaScript Date) skipped or repeated cases whose times
 * differ below one; older links with three decimals still read.
 */
const CASE_CURSOR =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?Z_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The cursor of a `after` value, or undefined when it is not one (or names no real time). */
export function parseCaseCursor(
  value: string,
): { reportedAt: string; incidentId: string } | undefined {
  const m = CASE_CURSOR.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Only a real time (no 30 February, no hour 25): PostgreSQL would refuse it with a 500.
  if (
    y < 1000 ||
    t.getUTCFullYear() !== y ||
    t.getUTCMonth() !== mo - 1 ||
    t.getUTCDate() !== d ||
    t.getUTCHours() !== h ||
    t.getUTCMinutes() !== mi ||
    t.getUTCSeconds() !== s
  )
    return undefined;
  return { reportedAt: value.slice(0, value.indexOf('_')), incidentId: m[7]! };
}

/** The `after` value of a cursor (`parseCaseCursor` reads it back exactly). */
export const caseCursorParam = (c: { reportedAt: string; incidentId: string }) =>
  `${c.reportedAt}_${c.incidentId}`;

/** `after` as a query parameter: the shape and a real time (see `parseCaseCursor`). */
export const caseCursorQuery = z
  .string()
  .refine((v) => parseCaseCursor(v) !== undefined, 'Not a cursor from the last page');
