/**
 * Policy settings, section `conduct`: staff conduct and the permissions staff ask for.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `conduct` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `conduct.…`):
 * staffMayFriendPupils, exPupilsTreatedAsPupils, staffMayFriendParents,
 * friendRequestsMustBeDeclared, socialContactMustBeDeclared, newStarterOnlinePresenceCheck,
 * regularOnlinePresenceCheck, parentsMayPostOtherPupilsImages, staffSocialMediaDuringLessons,
 * pupilPhones, permissionTypes.logo_use, permissionTypes.school_device_social_media,
 * permissionTypes.school_network_social_media, permissionTypes.phone_accessible,
 * permissionTypes.reminder_post, permissionTypes.named_newspaper_photo, declarationReviewerRole,
 * filteringCheckEveryDays, filteringReviewEveryDays, selfRequestDeciders.
 */
import { z } from 'zod';
import { staffRoles } from '../../auth/index.ts';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';
import { policyRoleSchema, uniqueArray, type PolicyRole } from './common.ts';

export const exPupilRuleOptions = ['all', 'under_18', 'under_16', 'none'] as const;
export const parentFriendingOptions = ['never', 'discouraged', 'allowed'] as const;
export const pupilPhoneOptions = [
  'allowed',
  'not_in_classroom',
  'handed_in_at_office',
  'not_allowed',
] as const;

/** Permissions staff ask for (SPEC §3.7). */
export const permissionTypeKeys = [
  'logo_use',
  'school_device_social_media',
  'school_network_social_media',
  'phone_accessible',
  'reminder_post',
  'named_newspaper_photo',
] as const;
export type PermissionTypeKey = (typeof permissionTypeKeys)[number];

export const permissionTypeSchema = z.object({
  /** Staff may ask for it; when false the action is simply not allowed. */
  enabled: z.boolean(),
  /** Who decides: a staff role, or the pupil's parent (named photos). */
  grantedBy: z.enum([...staffRoles, 'parent']),
  /** The ICT Technician signs it off (the network, device or account controls) before it is decided. */
  ictSignOff: z.boolean(),
  /** Days a granted permission lasts; null = until withdrawn. */
  expiresAfterDays: z.number().int().min(1).max(3650).nullable(),
});
export type PermissionType = z.infer<typeof permissionTypeSchema>;

const r = ruleSchema;

// Rules added after profiles were first stored: a stored profile without them reads the default.
const declarationReviewerRoleDefault = (): RuleValue<PolicyRole> =>
  dflt(
    'headteacher',
    'Friend requests, social contact with families and online-presence checks are reported to the Headteacher.',
  );
const filteringCheckEveryDaysDefault = (): RuleValue<number> =>
  dflt(
    91,
    'The DfE filtering and monitoring standards (which KCSIE points schools to) ask for regular checks that filtering and monitoring work; Lanyard asks for one each term.',
  );
const filteringReviewEveryDaysDefault = (): RuleValue<number> =>
  dflt(
    365,
    'The DfE filtering and monitoring standards ask schools to review their filtering and monitoring provision at least once every academic year.',
  );
const selfRequestDecidersDefault = (): RuleValue<PolicyRole[]> =>
  dflt(
    ['headteacher', 'governor'],
    'Nobody decides their own permission request or reads their own declaration: when the person who would decide or read it asks or declares, the Headteacher does; when the Headteacher does, the governors do.',
  );

/** The `conduct` section of the profile. */
export const conductSettingsSchema = z.object({
  staffMayFriendPupils: r(z.boolean()),
  exPupilsTreatedAsPupils: r(z.enum(exPupilRuleOptions)),
  staffMayFriendParents: r(z.enum(parentFriendingOptions)),
  friendRequestsMustBeDeclared: r(z.boolean()),
  socialContactMustBeDeclared: r(z.boolean()),
  newStarterOnlinePresenceCheck: r(z.boolean()),
  regularOnlinePresenceCheck: r(z.boolean()),
  parentsMayPostOtherPupilsImages: r(z.boolean()),
  staffSocialMediaDuringLessons: r(z.boolean()),
  pupilPhones: r(z.enum(pupilPhoneOptions)),
  permissionTypes: z.object({
    logo_use: r(permissionTypeSchema),
    school_device_social_media: r(permissionTypeSchema),
    school_network_social_media: r(permissionTypeSchema),
    phone_accessible: r(permissionTypeSchema),
    reminder_post: r(permissionTypeSchema),
    named_newspaper_photo: r(permissionTypeSchema),
  }),
  /** Who reads staff declarations and records a response (SPEC §3.7). */
  declarationReviewerRole: r(policyRoleSchema).default(declarationReviewerRoleDefault),
  /** Days between the ICT Technician's checks that filtering and monitoring work. */
  filteringCheckEveryDays: r(z.number().int().min(7).max(366)).default(
    filteringCheckEveryDaysDefault,
  ),
  /** Days between reviews of the whole filtering and monitoring provision. */
  filteringReviewEveryDays: r(z.number().int().min(30).max(731)).default(
    filteringReviewEveryDaysDefault,
  ),
  /**
   * Who decides a permission asked for, or reads a declaration made, by someone who holds the role
   * that would decide or read it: the first of these roles that person does not hold (never the
   * person asking or declaring).
   */
  selfRequestDeciders: r(uniqueArray(policyRoleSchema)).default(selfRequestDecidersDefault),
});
export type ConductSettings = z.infer<typeof conductSettingsSchema>;

/** Plain-English label for each `conduct` rule, in display order. */
export const conductLabels = {
  'conduct.staffMayFriendPupils': 'Staff may be ‘friends’ with pupils online',
  'conduct.exPupilsTreatedAsPupils':
    'Which former pupils staff must treat like current pupils online',
  'conduct.staffMayFriendParents': 'Staff being ‘friends’ with parents online',
  'conduct.friendRequestsMustBeDeclared': 'Friend requests from pupils or parents must be reported',
  'conduct.socialContactMustBeDeclared': 'Staff must declare social contact with a pupil’s family',
  'conduct.newStarterOnlinePresenceCheck': 'New staff check their own social media when they join',
  'conduct.regularOnlinePresenceCheck': 'Staff regularly check their online presence',
  'conduct.parentsMayPostOtherPupilsImages': 'Parents may post photos of other people’s children',
  'conduct.staffSocialMediaDuringLessons': 'Staff may use social media during lessons',
  'conduct.pupilPhones': 'Pupils’ mobile phones in school',
  'conduct.permissionTypes.logo_use': 'Permission to use the school’s name or logo',
  'conduct.permissionTypes.school_device_social_media':
    'Permission to use social media on a school device',
  'conduct.permissionTypes.school_network_social_media':
    'Permission to use social media on the school network',
  'conduct.permissionTypes.phone_accessible': 'Permission to keep a phone accessible in school',
  'conduct.permissionTypes.reminder_post': 'Permission to post a reminder for parents',
  'conduct.permissionTypes.named_newspaper_photo':
    'Permission to name a pupil with a photo (e.g. newspaper)',
  'conduct.declarationReviewerRole':
    'Who reads staff declarations (friend requests, social contact, online checks)',
  'conduct.filteringCheckEveryDays': 'Days between checks that web filtering and monitoring work',
  'conduct.filteringReviewEveryDays':
    'Days between reviews of the school’s filtering and monitoring provision',
  'conduct.selfRequestDeciders':
    'Who decides a permission or reads a declaration from the person who would normally do so (the first role they do not hold)',
} as const satisfies Record<RulePathOf<ConductSettings, 'conduct.'>, string>;

/** Lanyard's own `conduct` values, each citing 'Lanyard default' with the reason. */
export const conductDefaults: ConductSettings = {
  staffMayFriendPupils: dflt(false, 'Every seed forbids it.'),
  exPupilsTreatedAsPupils: dflt('under_18', 'Former pupils who are still children.'),
  staffMayFriendParents: dflt('discouraged', 'Strongly advised against.'),
  friendRequestsMustBeDeclared: dflt(true, 'Report friend requests.'),
  socialContactMustBeDeclared: dflt(true, 'Declare social contact with families.'),
  newStarterOnlinePresenceCheck: dflt(true, 'New staff review their online presence.'),
  regularOnlinePresenceCheck: dflt(false, 'Few school policies ask for a regular check.'),
  parentsMayPostOtherPupilsImages: dflt(false, 'Other families’ children are not theirs to share.'),
  staffSocialMediaDuringLessons: dflt(false, 'Not during lessons.'),
  pupilPhones: dflt('handed_in_at_office', 'Phones are kept at the office for the day.'),
  permissionTypes: {
    logo_use: dflt(
      { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
      'Written permission from the Headteacher.',
    ),
    school_device_social_media: dflt(
      { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
      'Headteacher’s permission.',
    ),
    school_network_social_media: dflt(
      { enabled: true, grantedBy: 'headteacher', ictSignOff: true, expiresAfterDays: 365 },
      'Headteacher’s permission once ICT controls are in place.',
    ),
    phone_accessible: dflt(
      { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 7 },
      'Exceptional circumstances agreed with the leadership; short-lived.',
    ),
    reminder_post: dflt(
      { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 30 },
      'Headteacher’s permission for a reminder.',
    ),
    named_newspaper_photo: dflt(
      { enabled: true, grantedBy: 'parent', ictSignOff: false, expiresAfterDays: 90 },
      'Express written permission from parents.',
    ),
  },
  declarationReviewerRole: declarationReviewerRoleDefault(),
  filteringCheckEveryDays: filteringCheckEveryDaysDefault(),
  filteringReviewEveryDays: filteringReviewEveryDaysDefault(),
  selfRequestDeciders: selfRequestDecidersDefault(),
};
