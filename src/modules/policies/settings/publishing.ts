/**
 * Policy settings, section `publishing`: posting on school channels.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `publishing` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `publishing.…`):
 * personalAccountsMayPostPupilImages, designatedPublicityPersonOnly, approvalRequired,
 * namesWithImages, personalDetailsForbidden, reminderPostsNeedPermission, positiveToneCheck,
 * groupImagesWithGeneralLabels, blurFaces, overridableChecks, commentsNotMonitoredNotice,
 * toneFlaggedWords, toneNegativeScoreLimit, pendingExpiryDays, deleteOnTakedown, takedownDueDays,
 * republishBlurredOnWithdrawal, draftingRoles.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';
import { policyRoleSchema, uniqueArray, type PolicyRole } from './common.ts';

/** Pre-publication checks (SPEC §3.5). */
export const publicationCheckKeys = [
  'consent',
  'full_name',
  'personal_details',
  'faces_outnumber_tags',
  'swimwear',
  'reminder_permission',
  'tone',
] as const;
export const publicationCheckKeySchema = z.enum(publicationCheckKeys);
export type PublicationCheckKey = z.infer<typeof publicationCheckKeySchema>;

export const namesWithImagesOptions = [
  'no_names',
  'never_full_names',
  'no_names_external',
  // Issue 15: a pupil's first name alone, without written permission; never a full name.
  'first_name_only',
] as const;
export const blurFacesOptions = ['non_consented', 'all'] as const;

const r = ruleSchema;

const DEFAULT_COMMENTS_NOTICE =
  'Comments and messages on this page are not monitored. To raise a concern, please contact the school office.';

/**
 * Lanyard's starting list of negative or derogatory words for the tone check. Data, not a rule
 * in code: it is the default value of `publishing.toneFlaggedWords`, which the school edits.
 */
const DEFAULT_TONE_WORDS = [
  'stupid',
  'idiot',
  'idiots',
  'idiotic',
  'dumb',
  'moron',
  'lazy',
  'useless',
  'hopeless',
  'pathetic',
  'disgrace',
  'disgraceful',
  'shameful',
  'rubbish',
  'shambles',
  'loser',
  'losers',
  'failure',
  'failures',
  'incompetent',
  'ridiculous',
  'appalling',
  'disgusting',
  'ugly',
  'naughty',
  'badly behaved',
  'bad behaviour',
  'not good enough',
  'hate',
  'hated',
  'nasty',
  'dreadful',
  'worst',
  'embarrassing',
];

const toneFlaggedWordsDefault = (): RuleValue<string[]> =>
  dflt(
    [...DEFAULT_TONE_WORDS],
    'A starting list of negative or derogatory words; any of them in a post makes the tone check warn. The school edits the list.',
  );
const deleteOnTakedownDefault = (): RuleValue<boolean> =>
  dflt(
    false,
    'A post taken down from the school’s website goes to the site’s bin, where its editors can see what was removed (WordPress empties the bin after 30 days); its photos are always deleted at once.',
  );
const toneNegativeScoreLimitDefault = (): RuleValue<number> =>
  dflt(
    5,
    'The tone check also warns when the post’s words (rated from −5 to +5 in the AFINN-165 list) add up to this much below zero.',
  );

const takedownDueDaysDefault = (): RuleValue<number> =>
  dflt(
    2,
    'After a withdrawal, a post on an account Lanyard cannot reach itself is taken down by the person who keeps that account within this many days (the news page and webhooks are taken down at once).',
  );
const republishBlurredOnWithdrawalDefault = (): RuleValue<boolean> =>
  dflt(
    false,
    'A post on the news page or a webhook showing a pupil whose consent is withdrawn is taken down, not published again with that pupil blurred.',
  );
const draftingRolesDefault = (): RuleValue<PolicyRole[]> =>
  dflt(
    [
      'headteacher',
      'dsl',
      'dpo',
      'business_manager',
      'office',
      'ict_technician',
      'teacher',
      'support_staff',
    ],
    'Any member of the school’s staff may write a post; volunteers and governors do not post for the school. Every post is still checked, and approved where the policy says so.',
  );
const pendingExpiryDaysDefault = (): RuleValue<number> =>
  dflt(
    14,
    'A post waiting for approval expires at its scheduled time or after this many days, whichever is first, so nothing old goes out unnoticed.',
  );

/** The `publishing` section of the profile. */
export const publishingSettingsSchema = z.object({
  personalAccountsMayPostPupilImages: r(z.boolean()),
  designatedPublicityPersonOnly: r(z.boolean()),
  approvalRequired: r(z.boolean()),
  namesWithImages: r(z.enum(namesWithImagesOptions)),
  personalDetailsForbidden: r(z.boolean()),
  reminderPostsNeedPermission: r(z.boolean()),
  positiveToneCheck: r(z.boolean()),
  groupImagesWithGeneralLabels: r(z.boolean()),
  blurFaces: r(z.enum(blurFacesOptions)),
  overridableChecks: r(
    uniqueArray(publicationCheckKeySchema).refine(
      (keys) => !keys.includes('consent'),
      'The consent check can never be overridden',
    ),
  ),
  commentsNotMonitoredNotice: r(z.object({ show: z.boolean(), text: z.string().trim().max(300) })),
  // Added after profiles were first stored: a stored profile without them reads the default.
  toneFlaggedWords: r(uniqueArray(z.string().trim().min(1).max(60)).max(500)).default(
    toneFlaggedWordsDefault,
  ),
  toneNegativeScoreLimit: r(z.number().int().min(1).max(100)).default(
    toneNegativeScoreLimitDefault,
  ),
  pendingExpiryDays: r(z.number().int().min(1).max(90)).default(pendingExpiryDaysDefault),
  deleteOnTakedown: r(z.boolean()).default(deleteOnTakedownDefault),
  takedownDueDays: r(z.number().int().min(1).max(30)).default(takedownDueDaysDefault),
  republishBlurredOnWithdrawal: r(z.boolean()).default(republishBlurredOnWithdrawalDefault),
  /** Staff roles that may write (draft) posts; anyone else is refused the drafting pages. */
  draftingRoles: r(
    uniqueArray(policyRoleSchema).min(1, 'Someone must be able to write posts'),
  ).default(draftingRolesDefault),
});
export type PublishingSettings = z.infer<typeof publishingSettingsSchema>;

/** Plain-English label for each `publishing` rule, in display order. */
export const publishingLabels = {
  'publishing.personalAccountsMayPostPupilImages':
    'Staff may post pupils’ photos on personal accounts',
  'publishing.designatedPublicityPersonOnly':
    'Only a designated person may post photos for publicity',
  'publishing.approvalRequired': 'Every post must be approved before it is published',
  'publishing.namesWithImages': 'Using pupils’ names with photos',
  'publishing.personalDetailsForbidden': 'Posts must not contain pupils’ personal details',
  'publishing.reminderPostsNeedPermission':
    'Reminder posts for parents need the Headteacher’s permission',
  'publishing.positiveToneCheck': 'Check that posts are positive and not negative or derogatory',
  'publishing.groupImagesWithGeneralLabels':
    'Prefer group photos with general labels (e.g. ‘sports day’)',
  'publishing.blurFaces': 'Whose faces are blurred in published photos',
  'publishing.overridableChecks': 'Checks the approver may override, giving a reason',
  'publishing.commentsNotMonitoredNotice': 'Notice that comments on school pages are not monitored',
  'publishing.toneFlaggedWords': 'Negative or derogatory words the tone check warns about',
  'publishing.toneNegativeScoreLimit':
    'How far below zero a post’s word score may go before the tone check warns',
  'publishing.pendingExpiryDays': 'Days a post may wait for approval before it expires',
  'publishing.deleteOnTakedown':
    'A post taken down from the school’s website is deleted at once, not put in the site’s bin',
  'publishing.takedownDueDays':
    'Days the person who keeps an account has to take a post down after consent is withdrawn',
  'publishing.republishBlurredOnWithdrawal':
    'After a withdrawal, a post Lanyard takes down itself goes out again with that pupil blurred',
  'publishing.draftingRoles': 'Who may write posts for the school’s website and social media',
} as const satisfies Record<RulePathOf<PublishingSettings, 'publishing.'>, string>;

/** Lanyard's own `publishing` values, each citing 'Lanyard default' with the reason. */
export const publishingDefaults: PublishingSettings = {
  personalAccountsMayPostPupilImages: dflt(false, 'Consent covers school accounts only.'),
  designatedPublicityPersonOnly: dflt(
    false,
    'Any member of staff may draft a post; approval is still required.',
  ),
  approvalRequired: dflt(true, 'Every post is checked before it goes out.'),
  namesWithImages: dflt(
    'never_full_names',
    'Full names are never shown with images; Lanyard checks posts for full names.',
  ),
  personalDetailsForbidden: dflt(
    true,
    'No phone numbers, addresses, emails or birthdays in posts.',
  ),
  reminderPostsNeedPermission: dflt(
    false,
    'Reminders go through the normal approval, with no separate permission.',
  ),
  positiveToneCheck: dflt(true, 'Every seed forbids derogatory or damaging content.'),
  groupImagesWithGeneralLabels: dflt(true, 'Group photos labelled by event rather than names.'),
  blurFaces: dflt('non_consented', 'Faces of pupils without consent are blurred.'),
  overridableChecks: dflt(
    ['faces_outnumber_tags', 'tone'],
    'Only the checks that are judgements may be overridden, with a written reason; consent never.',
  ),
  commentsNotMonitoredNotice: dflt(
    { show: true, text: DEFAULT_COMMENTS_NOTICE },
    'Tell readers that comments are not monitored.',
  ),
  toneFlaggedWords: toneFlaggedWordsDefault(),
  toneNegativeScoreLimit: toneNegativeScoreLimitDefault(),
  pendingExpiryDays: pendingExpiryDaysDefault(),
  deleteOnTakedown: deleteOnTakedownDefault(),
  takedownDueDays: takedownDueDaysDefault(),
  republishBlurredOnWithdrawal: republishBlurredOnWithdrawalDefault(),
  draftingRoles: draftingRolesDefault(),
};
