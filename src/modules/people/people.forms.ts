import { z } from 'zod';
import type { FieldErrors } from '../../errors.ts';
import { staffRoles, type StaffRole } from '../auth/index.ts';
import { YEAR_GROUPS, type YearGroup } from './mis-import/mis-parse.ts';
import { dateInputValues, isRealDate, readDateInput } from '../../web/date-input.ts';

/**
 * Forms and API bodies for managing people: adding and editing pupils, recording a leaving date,
 * clearing "possibly left" flags, adding staff and changing their roles. The pages send GOV.UK
 * date inputs (day, month, year); the API sends ISO dates. Both end in the same typed values,
 * which PeopleService checks again against the school's data.
 */

export interface PupilInput {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  yearGroup: YearGroup;
  className: string | null;
  admissionDate: string | null;
  /** The pupil's UPN or admission number in the MIS; null: Lanyard makes one up. */
  misId: string | null;
}

export interface StaffInput {
  givenName: string;
  familyName: string;
  email: string;
  jobTitle: string | null;
  roles: StaffRole[];
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export { readDateInput, dateInputValues };

const text = (max: number, empty: string, tooLong: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ error: empty }).min(1, empty).max(max, tooLong),
  );

const optionalText = (max: number, tooLong: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || null : (v ?? null)),
    z.string().max(max, tooLong).nullable(),
  );

const yearGroup = z.enum(YEAR_GROUPS, { error: 'Select the year group' });

const pupilNames = {
  givenName: text(
    100,
    'Enter the pupil’s first name',
    'First name must be 100 characters or fewer',
  ),
  familyName: text(100, 'Enter the pupil’s last name', 'Last name must be 100 characters or fewer'),
  yearGroup,
  className: optionalText(60, 'Class must be 60 characters or fewer'),
  misId: optionalText(40, 'MIS id must be 40 characters or fewer').refine(
    (v) => v === null || /^[A-Za-z0-9][A-Za-z0-9 ./_-]*$/.test(v),
    'MIS id must contain only letters, numbers, spaces, full stops, slashes, hyphens and underscores',
  ),
};

const isoDate = (what: string) =>
  z
    .string({ error: `Enter ${what} as a date like 2019-09-04` })
    .refine(isRealDate, `${capitalise(what)} must be a real date, like 2019-09-04`);

/** `POST /api/v1/pupils` and `PATCH /api/v1/pupils/{id}` (every field; PATCH: all optional). */
export const pupilApiBody = z
  .object({
    ...pupilNames,
    dateOfBirth: isoDate('the date of birth'),
    admissionDate: isoDate('the admission date').nullable().optional().default(null),
  })
  .strict();

export const pupilApiPatch = z
  .object({
    givenName: pupilNames.givenName.optional(),
    familyName: pupilNames.familyName.optional(),
    yearGroup: yearGroup.optional(),
    className: pupilNames.className.optional(),
    misId: pupilNames.misId.optional(),
    dateOfBirth: isoDate('the date of birth').optional(),
    admissionDate: isoDate('the admission date').nullable().optional(),
    leavingDate: isoDate('the leaving date').nullable().optional(),
  })
  .strict();

export type PupilPatch = z.output<typeof pupilApiPatch>;

const pupilFormFields = z.object(pupilNames);

/** The add / edit pupil page's fields, top to bottom. */
const PUPIL_FIELD_ORDER = [
  'givenName',
  'familyName',
  'dateOfBirth',
  'yearGroup',
  'className',
  'admissionDate',
  'misId',
] as const;

/** The add/edit pupil page: names, year group and class, two GOV.UK date inputs. */
export function readPupilForm(
  body: unknown,
): { ok: true; value: PupilInput } | { ok: false; errors: FieldErrors } {
  const raw = (body ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const parsed = pupilFormFields.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
  }
  const dob = readDateInput(raw, 'dateOfBirth', 'date of birth');
  if ('error' in dob) errors.dateOfBirth = dob.error;
  else if (dob.value === null) errors.dateOfBirth = 'Enter the date of birth';
  const admission = readDateInput(raw, 'admissionDate', 'admission date');
  if ('error' in admission) errors.admissionDate = admission.error;
  if (!parsed.success || Object.keys(errors).length) {
    // The error summary lists problems in the order of the fields on the page.
    const order = PUPIL_FIELD_ORDER.filter((f) => errors[f]);
    return { ok: false, errors: Object.fromEntries(order.map((f) => [f, errors[f]!])) };
  }
  return {
    ok: true,
    value: {
      ...parsed.data,
      dateOfBirth: (dob as { value: string }).value,
      admissionDate: (admission as { value: string | null }).value,
    },
  };
}

/** The leaving date page (one pupil). */
export function readLeavingForm(
  body: unknown,
): { ok: true; value: string } | { ok: false; errors: FieldErrors } {
  const d = readDateInput((body ?? {}) as Record<string, unknown>, 'leavingDate', 'leaving date');
  if ('error' in d) return { ok: false, errors: { leavingDate: d.error } };
  if (d.value === null) return { ok: false, errors: { leavingDate: 'Enter the leaving date' } };
  return { ok: true, value: d.value };
}

const idList = z
  .union([z.uuid(), z.array(z.uuid()).max(5000)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** The review of pupils flagged as possibly left: ticked pupils, still here or left on a date. */
export function readPossiblyLeftForm(body: unknown):
  | {
      ok: true;
      value: { pupilIds: string[]; outcome: 'still-here' | 'left'; leavingDate: string | null };
    }
  | { ok: false; errors: FieldErrors; pupilIds: string[] } {
  const raw = (body ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const ids = idList.safeParse(raw.pupils);
  const pupilIds = ids.success ? ids.data : [];
  if (!ids.success || pupilIds.length === 0) errors.pupils = 'Select the pupils you have checked';
  const outcome = raw.outcome === 'still-here' || raw.outcome === 'left' ? raw.outcome : null;
  if (!outcome) errors.outcome = 'Select whether the pupils are still here or have left';
  let leavingDate: string | null = null;
  if (outcome === 'left') {
    const d = readDateInput(raw, 'leavingDate', 'leaving date');
    if ('error' in d) errors.leavingDate = d.error;
    else if (d.value === null) errors.leavingDate = 'Enter the leaving date';
    else leavingDate = d.value;
  }
  if (Object.keys(errors).length || !outcome) return { ok: false, errors, pupilIds };
  return { ok: true, value: { pupilIds, outcome, leavingDate } };
}

const roleList = z
  .union([z.enum(staffRoles), z.array(z.enum(staffRoles)).max(staffRoles.length)], {
    error: 'Select roles from the list',
  })
  .optional()
  .transform((v) => [...new Set(v === undefined ? [] : Array.isArray(v) ? v : [v])]);

const staffFields = {
  givenName: text(100, 'Enter their first name', 'First name must be 100 characters or fewer'),
  familyName: text(100, 'Enter their last name', 'Last name must be 100 characters or fewer'),
  email: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z
      .string({ error: 'Enter their email address' })
      .min(1, 'Enter their email address')
      .max(254, 'Email address must be 254 characters or fewer')
      .pipe(z.email('Enter an email address in the correct format, like name@example.com')),
  ),
  jobTitle: optionalText(100, 'Job title must be 100 characters or fewer'),
  roles: roleList.refine((r) => r.length > 0, 'Select at least one role'),
};

/** The add staff page and `POST /api/v1/staff`. */
export const staffForm = z.object(staffFields);
export const staffApiBody = z.object(staffFields).strict();

/** A line manager chosen from the list ('' = none). */
const lineManagerChoice = z
  .string({ error: 'Select their line manager from the list' })
  .refine(
    (v) => v === '' || z.uuid().safeParse(v).success,
    'Select their line manager from the list',
  )
  .optional()
  .transform((v) => (v ? v : null));

/** The change staff page (email is the sign-in name and stays). */
export const staffChangeForm = z.object({
  givenName: staffFields.givenName,
  familyName: staffFields.familyName,
  jobTitle: staffFields.jobTitle,
  roles: staffFields.roles,
  lineManagerId: lineManagerChoice,
});

/** The change staff page's fields, top to bottom (the error summary's order). */
const STAFF_CHANGE_ORDER = ['givenName', 'familyName', 'jobTitle', 'roles', 'lineManagerId'];

/**
 * The change staff page: the fields above and the leave date (a GOV.UK date input; all three
 * blank clears a leave date in the future, see StaffManagement.updateStaff).
 */
export function readStaffChangeForm(
  body: unknown,
):
  | { ok: true; value: z.output<typeof staffChangeForm> & { leaveDate: string | null } }
  | { ok: false; errors: FieldErrors } {
  const raw = (body ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const parsed = staffChangeForm.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
  }
  const leave = readDateInput(raw, 'leaveDate', 'the leave date');
  if ('error' in leave) errors.leaveDate = leave.error;
  if (!parsed.success || 'error' in leave) {
    const order = [...STAFF_CHANGE_ORDER, 'leaveDate'].filter((f) => errors[f]);
    return { ok: false, errors: Object.fromEntries(order.map((f) => [f, errors[f]!])) };
  }
  return { ok: true, value: { ...parsed.data, leaveDate: leave.value } };
}

/** `PATCH /api/v1/staff/{id}`: details, roles, active, line manager, leave date. */
export const staffApiPatch = z
  .object({
    givenName: staffFields.givenName.optional(),
    familyName: staffFields.familyName.optional(),
    jobTitle: staffFields.jobTitle.optional(),
    roles: z
      .array(z.enum(staffRoles, { error: 'Use role keys from the list' }))
      .min(1, 'Give at least one role')
      .max(staffRoles.length)
      .optional(),
    active: z.boolean().optional(),
    /** Another member of staff of the school, or null for none. */
    lineManagerId: z.uuid({ error: 'Give a member of staff’s id, or null' }).nullable().optional(),
    /**
     * The day they leave (ISO), or null to clear a leave date in the future. Today or earlier
     * deactivates the account; a later date keeps it active until then.
     */
    leaveDate: isoDate('the leave date').nullable().optional(),
  })
  .strict();

export type StaffPatch = z.output<typeof staffApiPatch>;
