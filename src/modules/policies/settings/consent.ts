/**
 * Policy settings, section `consent`: consent for photos and videos.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `consent` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `consent.…`):
 * model, academicYearStart, purposes, mediaTypes, separateConsentPerMediaType,
 * competentPupilMayConsent, withdrawalMustBeInWriting, withdrawalRetroactive,
 * takedownWherePracticable, namedPhotoNeedsWrittenPermission, renewalReminderDays,
 * refusalWinsWhenParentsDisagree.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf } from './rules.ts';
import { label, slug, unique, uniqueArray } from './common.ts';

export const consentModels = ['annual', 'admission'] as const;
export const mediaTypes = ['image', 'video'] as const;
export const mediaTypeSchema = z.enum(mediaTypes);
export type MediaType = z.infer<typeof mediaTypeSchema>;

export const consentPurposeSchema = z.object({
  key: slug,
  label,
  /** Seen outside the school (public, press, families of other pupils). */
  external: z.boolean(),
});
export type ConsentPurpose = z.infer<typeof consentPurposeSchema>;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export const monthDaySchema = z
  .object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) })
  .refine((d) => d.day <= (DAYS_IN_MONTH[d.month - 1] ?? 31), 'Not a day of that month');

const r = ruleSchema;

/** The six consent purposes named across the seed policies. */
export const standardConsentPurposes: readonly ConsentPurpose[] = [
  { key: 'classroom_display', label: 'Classroom and school displays', external: false },
  { key: 'class_photograph', label: 'Yearly class photograph', external: false },
  { key: 'school_publications', label: 'Prospectus and school publications', external: true },
  { key: 'local_newspapers', label: 'Local newspapers and other media', external: true },
  { key: 'school_website', label: 'School website', external: true },
  { key: 'school_social_media', label: 'School social media accounts', external: true },
];

/** The `consent` section of the profile. */
export const consentSettingsSchema = z.object({
  model: r(z.enum(consentModels)),
  academicYearStart: r(monthDaySchema),
  purposes: r(
    z
      .array(consentPurposeSchema)
      .min(1)
      .refine((p) => unique(p.map((x) => x.key)), 'Purpose keys must be unique'),
  ),
  mediaTypes: r(uniqueArray(mediaTypeSchema).min(1)),
  separateConsentPerMediaType: r(z.boolean()),
  competentPupilMayConsent: r(z.boolean()),
  withdrawalMustBeInWriting: r(z.boolean()),
  /** Never: withdrawal does not undo lawful processing before it (UK GDPR 7(3)). */
  withdrawalRetroactive: r(z.literal(false)),
  takedownWherePracticable: r(z.boolean()),
  namedPhotoNeedsWrittenPermission: r(z.boolean()),
  renewalReminderDays: r(z.number().int().min(1).max(90)),
  refusalWinsWhenParentsDisagree: r(z.boolean()),
});
export type ConsentSettings = z.infer<typeof consentSettingsSchema>;

/** Plain-English label for each `consent` rule, in display order. */
export const consentLabels = {
  'consent.model': 'How often parents give consent for photos and videos',
  'consent.academicYearStart': 'When the academic year (and a yearly consent) starts',
  'consent.purposes': 'What photos and videos may be used for (each needs its own consent)',
  'consent.mediaTypes': 'Kinds of media consent is asked for',
  'consent.separateConsentPerMediaType':
    'Parents can agree to photos but not videos (or the reverse)',
  'consent.competentPupilMayConsent':
    'A pupil judged able to understand may give their own consent',
  'consent.withdrawalMustBeInWriting': 'Withdrawing or changing consent must be in writing',
  'consent.withdrawalRetroactive': 'Withdrawing consent undoes past use of photos',
  'consent.takedownWherePracticable':
    'When consent is withdrawn, remove earlier posts where practicable',
  'consent.namedPhotoNeedsWrittenPermission':
    'Naming a pupil with a photo needs separate written permission',
  'consent.renewalReminderDays': 'Days between reminders to parents who have not returned a form',
  'consent.refusalWinsWhenParentsDisagree': 'If parents disagree, the refusal is followed',
} as const satisfies Record<RulePathOf<ConsentSettings, 'consent.'>, string>;

/** Lanyard's own `consent` values, each citing 'Lanyard default' with the reason. */
export const consentDefaults: ConsentSettings = {
  model: dflt('annual', 'Consent is renewed every academic year, so it stays current.'),
  academicYearStart: dflt(
    { month: 9, day: 1 },
    'The school year in England starts on 1 September.',
  ),
  purposes: dflt(
    [...standardConsentPurposes],
    'The purposes school consent forms usually name; the list is editable.',
  ),
  mediaTypes: dflt(['image', 'video'], 'Photos and videos are consented to separately.'),
  separateConsentPerMediaType: dflt(true, 'Parents may agree to photos but not videos.'),
  competentPupilMayConsent: dflt(
    false,
    'In a primary school consent comes from whoever holds parental responsibility.',
  ),
  withdrawalMustBeInWriting: dflt(true, 'A written record of every change.'),
  withdrawalRetroactive: dflt(
    false,
    'Withdrawal does not affect earlier lawful use (UK GDPR art. 7(3)).',
  ),
  takedownWherePracticable: dflt(true, 'Earlier posts are removed where reasonably practicable.'),
  namedPhotoNeedsWrittenPermission: dflt(
    true,
    'A name beside a photo identifies a child; ask in writing first.',
  ),
  renewalReminderDays: dflt(7, 'A weekly reminder until the form is returned.'),
  refusalWinsWhenParentsDisagree: dflt(
    true,
    'Where people with parental responsibility disagree, the safer answer (no) is followed.',
  ),
};
