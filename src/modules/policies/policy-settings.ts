/**
 * The policy profile: every rule of a school's social media policy as data (SPEC §2).
 *
 * Each leaf is a rule `{ value, citation }`: the setting the checks read, and the clause it comes
 * from. The five seed policies ship as templates in `./templates/`; `lanyardDefaults` below holds
 * the values Lanyard uses where a seed is silent. `ruleList()` flattens a profile into dotted paths
 * (`consent.model`, `incidents.playbooks.parent_defamation`) with a plain-English label for each.
 */
import { z } from 'zod';
import { MONTH_NAMES } from '../../platform/clock.ts';
import { staffRoles } from '../auth/principal.ts';

// ---------------------------------------------------------------------------------------------
// Citations
// ---------------------------------------------------------------------------------------------

export const seedIds = ['000', '001', '002', '003', '004'] as const;
export type SeedId = (typeof seedIds)[number];

/** The seed policy files in /work/shared/seeds, by id. */
export const seedFiles: Readonly<Record<SeedId, string>> = {
  '000': '000_2b37c4910724014e.txt',
  '001': '001_92cf54e43eaf4903.txt',
  '002': '002_df96ec7bf1b09361.txt',
  '003': '003_01e8199a7682c829.txt',
  '004': '004_900ebe4bba8b35d7.txt',
};

/** Section names used when a rule has no seed clause behind it. */
export const LANYARD_DEFAULT = 'Lanyard default';
export const SCHOOL_DECISION = 'School decision';

export const citationSchema = z
  .object({
    /** Seed policy the clause is in; null when the school or Lanyard set the value. */
    seed: z.enum(seedIds).nullable(),
    /** '4.15' (numbered clause), a heading ('Cyberbullying', 'D'), or 'Lanyard default'. */
    section: z.string().trim().min(1).max(80),
    /** A short verbatim excerpt from the seed; empty when there is no seed. */
    quote: z.string().max(200),
    /** Why this value was chosen where the quote alone does not say (defaults, inferences). */
    note: z.string().max(300).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.seed === null && c.section !== LANYARD_DEFAULT && c.section !== SCHOOL_DECISION) {
      ctx.addIssue({
        code: 'custom',
        path: ['section'],
        message: `Without a seed the section must be '${LANYARD_DEFAULT}' or '${SCHOOL_DECISION}'`,
      });
    }
    if (c.seed !== null && c.quote.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['quote'], message: 'A seed citation needs a quote' });
    }
  });
export type Citation = z.infer<typeof citationSchema>;

/** A leaf of the profile: the value the checks read and the clause it comes from. */
export type RuleValue<T> = { value: T; citation: Citation };

/** Schema of one rule with the given value schema. */
export function ruleSchema<T extends z.ZodType>(value: T) {
  return z.object({ value, citation: citationSchema });
}

export function seedCitation(
  seed: SeedId,
  section: string,
  quote: string,
  note?: string,
): Citation {
  return note === undefined ? { seed, section, quote } : { seed, section, quote, note };
}

export function lanyardDefaultCitation(note: string): Citation {
  return { seed: null, section: LANYARD_DEFAULT, quote: '', note };
}

export function schoolDecisionCitation(note: string): Citation {
  return { seed: null, section: SCHOOL_DECISION, quote: '', note };
}

/** A numbered clause as seed and section sign, a heading after the seed, or 'Lanyard default'. */
export function formatCitation(c: Citation): string {
  if (c.seed === null) return c.section;
  return /^\d/.test(c.section) ? `${c.seed} §${c.section}` : `${c.seed} ${c.section}`;
}

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/** Staff roles, shared with sign-in (auth/principal.ts). */
export const policyRoleSchema = z.enum(staffRoles);
export type PolicyRole = z.infer<typeof policyRoleSchema>;

const slug = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_]*$/, 'Use lower-case letters, digits and underscores');

const label = z.string().trim().min(1).max(160);

function unique<T>(items: readonly T[]): boolean {
  return new Set(items).size === items.length;
}

function uniqueArray<T extends z.ZodType>(item: T) {
  return z.array(item).refine((a) => unique(a), 'Each item may appear only once');
}

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
] as const;
export const blurFacesOptions = ['non_consented', 'all'] as const;
export const visitorPhotographyOptions = ['never', 'parents_at_events', 'allowed'] as const;

/** Incident types that have a playbook (SPEC §3.6). */
export const incidentTypes = [
  'parent_defamation',
  'staff_cyberbullying',
  'pupil_on_pupil',
  'staff_breach',
  'inappropriate_content',
  'filter_circumvention',
  'radicalisation',
  'friend_request',
  'consent_breach',
] as const;
export type IncidentType = (typeof incidentTypes)[number];

export const playbookStepSchema = z.object({ key: slug, label, citation: citationSchema });
export type PlaybookStep = z.infer<typeof playbookStepSchema>;

const playbookSchema = z
  .array(playbookStepSchema)
  .min(1)
  .refine((steps) => unique(steps.map((s) => s.key)), 'Step keys must be unique');

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
  /** The ICT Technician must confirm network controls before it takes effect. */
  ictSignOff: z.boolean(),
  /** Days a granted permission lasts; null = until withdrawn. */
  expiresAfterDays: z.number().int().min(1).max(3650).nullable(),
});
export type PermissionType = z.infer<typeof permissionTypeSchema>;

export const trainingSessionKeys = [
  'staff_induction',
  'staff_regular',
  'at_risk_identification',
  'pupils_esafety',
  'parents_esafety',
] as const;
export type TrainingSessionKey = (typeof trainingSessionKeys)[number];
export const trainingFrequencies = ['on_joining', 'termly', 'annual', 'biennial'] as const;

export const trainingRequirementSchema = z.object({
  required: z.boolean(),
  frequency: z.enum(trainingFrequencies),
});
export type TrainingRequirement = z.infer<typeof trainingRequirementSchema>;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export const monthDaySchema = z
  .object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) })
  .refine((d) => d.day <= (DAYS_IN_MONTH[d.month - 1] ?? 31), 'Not a day of that month');

// ---------------------------------------------------------------------------------------------
// The profile
// ---------------------------------------------------------------------------------------------

const r = ruleSchema;

export const policySettingsSchema = z
  .object({
    roles: z.object({
      safeguardingLeadTitle: r(z.string().trim().min(1).max(80)),
      headteacherIsSafeguardingLead: r(z.boolean()),
      approverRole: r(policyRoleSchema),
      credentialCustodianRole: r(policyRoleSchema),
      consentRecordKeeperRole: r(policyRoleSchema),
      deviceApproverRole: r(policyRoleSchema),
      ictSignOffRole: r(policyRoleSchema),
    }),
    consent: z.object({
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
    }),
    publishing: z.object({
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
      commentsNotMonitoredNotice: r(
        z.object({ show: z.boolean(), text: z.string().trim().max(300) }),
      ),
    }),
    media: z.object({
      schoolDevicesOnly: r(z.boolean()),
      swimwearBan: r(z.boolean()),
      retention: z.object({
        archiveAtYearEnd: r(z.boolean()),
        /** Years after the end-of-year archive; null = keep until deleted by hand. */
        deleteAfterYears: r(z.number().int().min(0).max(50).nullable()),
        keepEvidenceOfAchievement: r(z.boolean()),
      }),
      visitorsMayPhotograph: r(z.enum(visitorPhotographyOptions)),
      storeOnSchoolNetworkOnly: r(z.boolean()),
      recordingInFullView: r(z.boolean()),
    }),
    incidents: z.object({
      reportTo: r(uniqueArray(policyRoleSchema).min(1)),
      categoriesGrid: r(z.boolean()),
      /** Never configurable: suspected indecent images go to the police only (the law). */
      indecentImagesPoliceOnly: r(z.literal(true)),
      victimDecidesPolice: r(z.boolean()),
      keepEvidence: r(z.boolean()),
      playbooks: z.object({
        parent_defamation: r(playbookSchema),
        staff_cyberbullying: r(playbookSchema),
        pupil_on_pupil: r(playbookSchema),
        staff_breach: r(playbookSchema),
        inappropriate_content: r(playbookSchema),
        filter_circumvention: r(playbookSchema),
        radicalisation: r(playbookSchema),
        friend_request: r(playbookSchema),
        consent_breach: r(playbookSchema),
      }),
    }),
    conduct: z.object({
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
    }),
    training: z.object({
      sessions: z.object({
        staff_induction: r(trainingRequirementSchema),
        staff_regular: r(trainingRequirementSchema),
        at_risk_identification: r(trainingRequirementSchema),
        pupils_esafety: r(trainingRequirementSchema),
        parents_esafety: r(trainingRequirementSchema),
      }),
      refreshAfterIncidentOrChange: r(z.boolean()),
      inductionNeedsAcknowledgement: r(z.boolean()),
      parentsAcknowledgeGuidance: r(z.boolean()),
    }),
    review: z.object({
      cycleMonths: r(z.number().int().min(1).max(60)),
      reviewers: r(uniqueArray(policyRoleSchema).min(1)),
      reminderDaysBefore: r(z.number().int().min(0).max(365)),
      reviewAfterIncidents: r(z.boolean()),
      governorsMonitoringReport: r(z.boolean()),
    }),
  })
  .superRefine((s, ctx) => {
    if (s.media.swimwearBan.value && s.publishing.overridableChecks.value.includes('swimwear')) {
      ctx.addIssue({
        code: 'custom',
        path: ['publishing', 'overridableChecks', 'value'],
        message: 'The swimwear check cannot be overridden while swimwear images are banned',
      });
    }
    if (
      s.publishing.reminderPostsNeedPermission.value &&
      !s.conduct.permissionTypes.reminder_post.value.enabled
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['conduct', 'permissionTypes', 'reminder_post', 'value', 'enabled'],
        message: 'Reminder posts need permission, so staff must be able to ask for it',
      });
    }
    if (
      s.consent.namedPhotoNeedsWrittenPermission.value &&
      !s.conduct.permissionTypes.named_newspaper_photo.value.enabled
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['conduct', 'permissionTypes', 'named_newspaper_photo', 'value', 'enabled'],
        message: 'Named photos need written permission, so staff must be able to ask for it',
      });
    }
  });

export type PolicySettings = z.infer<typeof policySettingsSchema>;

/** A built-in starting point: one seed school's policy as a profile. */
export type PolicyTemplate = {
  key: string;
  name: string;
  school: string;
  seedFile: string;
  summary: string;
  settings: PolicySettings;
};

// ---------------------------------------------------------------------------------------------
// Paths, labels and the flattened list
// ---------------------------------------------------------------------------------------------

type IsRule<T> = T extends { value: unknown; citation: Citation } ? true : false;

/** Every leaf of the profile as a dotted path, e.g. 'consent.model'. */
export type RulePath<T = PolicySettings, P extends string = ''> = {
  [K in keyof T & string]: IsRule<T[K]> extends true ? `${P}${K}` : RulePath<T[K], `${P}${K}.`>;
}[keyof T & string];

type At<T, P extends string> = P extends `${infer H}.${infer Rest}`
  ? H extends keyof T
    ? At<T[H], Rest>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** The rule (`{ value, citation }`) at a path. */
export type RuleAt<P extends RulePath> = At<PolicySettings, P>;

/** Headings for the groups of rules, in display order. */
export const ruleGroups = {
  roles: 'Roles and responsibilities',
  consent: 'Consent to photographs and videos',
  publishing: 'Posting on the school’s website and social media',
  media: 'Taking and keeping photographs',
  incidents: 'Incidents and concerns',
  conduct: 'Staff conduct and permissions',
  training: 'Training and acknowledgements',
  review: 'Policy review',
} as const satisfies Record<keyof PolicySettings, string>;

/**
 * Plain-English label for every rule, in display order. Typed as a complete record, so adding a
 * setting to the schema without a label here is a type error.
 */
export const ruleLabels = {
  'roles.safeguardingLeadTitle': 'What the school calls its safeguarding lead',
  'roles.headteacherIsSafeguardingLead': 'The Headteacher is also the safeguarding lead',
  'roles.approverRole': 'Who checks and approves posts before they go out',
  'roles.credentialCustodianRole': 'Who keeps the passwords for the school’s social media accounts',
  'roles.consentRecordKeeperRole': 'Who keeps the consent record up to date',
  'roles.deviceApproverRole': 'Who approves the school cameras and tablets used for photos',
  'roles.ictSignOffRole': 'Who confirms network security before social media is allowed',

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

  'media.schoolDevicesOnly': 'Photos may only be taken on school-owned devices',
  'media.swimwearBan': 'No photos of pupils in swimwear or swimming',
  'media.retention.archiveAtYearEnd': 'Photos are archived at the end of each academic year',
  'media.retention.deleteAfterYears': 'Years after archiving before photos are deleted',
  'media.retention.keepEvidenceOfAchievement': 'Keep photos needed as evidence of achievement',
  'media.visitorsMayPhotograph': 'Whether visitors may take photos of pupils',
  'media.storeOnSchoolNetworkOnly': 'Photos are stored on the school’s systems only',
  'media.recordingInFullView': 'Staff record events only in full view of those attending',

  'incidents.reportTo': 'Who incidents are reported to',
  'incidents.categoriesGrid': 'Classify incidents by contact, conduct and content',
  'incidents.indecentImagesPoliceOnly':
    'Suspected indecent images of children go straight to the police',
  'incidents.victimDecidesPolice': 'The person bullied decides whether to go to the police',
  'incidents.keepEvidence': 'Keep copies of messages and screenshots as evidence',
  'incidents.playbooks.parent_defamation':
    'Steps when a parent posts defamatory or abusive comments',
  'incidents.playbooks.staff_cyberbullying': 'Steps when a member of staff is cyberbullied',
  'incidents.playbooks.pupil_on_pupil': 'Steps when a pupil is bullied online by another pupil',
  'incidents.playbooks.staff_breach': 'Steps when a member of staff breaks the policy',
  'incidents.playbooks.inappropriate_content':
    'Steps when inappropriate content is found or accessed',
  'incidents.playbooks.filter_circumvention': 'Steps when someone gets round the web filter',
  'incidents.playbooks.radicalisation': 'Steps for a concern about radicalisation (Prevent)',
  'incidents.playbooks.friend_request': 'Steps when a pupil or parent sends a friend request',
  'incidents.playbooks.consent_breach': 'Steps when a photo is used without consent',

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

  'training.sessions.staff_induction': 'Social media policy training for new staff',
  'training.sessions.staff_regular': 'Regular social media training for staff',
  'training.sessions.at_risk_identification': 'Training to spot pupils at risk online',
  'training.sessions.pupils_esafety': 'E-safety lessons for pupils',
  'training.sessions.parents_esafety': 'E-safety meeting for parents',
  'training.refreshAfterIncidentOrChange': 'Refresh training after a serious incident or change',
  'training.inductionNeedsAcknowledgement': 'New staff must acknowledge the policy to be inducted',
  'training.parentsAcknowledgeGuidance': 'Parents acknowledge the parents’ guidance or agreement',

  'review.cycleMonths': 'Months between policy reviews',
  'review.reviewers': 'Who reviews the policy',
  'review.reminderDaysBefore': 'Days before a review is due to send a reminder',
  'review.reviewAfterIncidents': 'Review the policy early after significant incidents',
  'review.governorsMonitoringReport': 'Governors receive a monitoring report for the review',
} as const satisfies Record<RulePath, string>;

/** Every rule path, in display order. */
export const rulePaths = Object.keys(ruleLabels) as RulePath[];

function isRulePath(path: string): path is RulePath {
  return Object.hasOwn(ruleLabels, path);
}

/** Plain-English label for a rule path; an unknown path gets a readable fallback. */
export function labelFor(path: string): string {
  if (isRulePath(path)) return ruleLabels[path];
  const last = path.split('.').pop() ?? path;
  const words = last
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The rule (`{ value, citation }`) at a path. */
export function getRule<P extends RulePath>(settings: PolicySettings, path: P): RuleAt<P> {
  let node: unknown = settings;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) {
      throw new Error(`Policy settings have no rule at ${path}`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node as RuleAt<P>;
}

/**
 * Replace the rule at a path, in place (use on a `structuredClone` of stored settings). Paths may
 * be two or three levels deep ('media.retention.deleteAfterYears'). Parse the result with
 * `policySettingsSchema` before storing it.
 */
export function setRule<P extends RulePath>(
  settings: PolicySettings,
  path: P,
  rule: RuleAt<P>,
): void {
  const parts = path.split('.');
  const last = parts.pop();
  let node: unknown = settings;
  for (const part of parts) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) {
      throw new Error(`Policy settings have no rule at ${path}`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  if (
    last === undefined ||
    typeof node !== 'object' ||
    node === null ||
    !Object.hasOwn(node, last)
  ) {
    throw new Error(`Policy settings have no rule at ${path}`);
  }
  (node as Record<string, unknown>)[last] = rule;
}

export type RuleListItem = { path: RulePath; label: string; value: unknown; citation: Citation };

/** Every rule of a profile, flattened, in display order (settings page, docs). */
export function ruleList(settings: PolicySettings): RuleListItem[] {
  return rulePaths.map((path) => {
    const rule = getRule(settings, path) as RuleValue<unknown>;
    return { path, label: ruleLabels[path], value: rule.value, citation: rule.citation };
  });
}

// ---------------------------------------------------------------------------------------------
// Showing values to people
// ---------------------------------------------------------------------------------------------

const roleNames: Record<string, string> = {
  headteacher: 'Headteacher',
  dsl: 'Safeguarding lead',
  dpo: 'Data Protection Officer',
  business_manager: 'Business Manager',
  office: 'Office staff',
  ict_technician: 'ICT Technician',
  teacher: 'Teacher',
  support_staff: 'Support staff',
  volunteer: 'Volunteer',
  governor: 'Governors',
  parent: 'Parent or carer',
};

const tokenNames: Record<string, string> = {
  ...roleNames,
  annual: 'Every year',
  admission: 'Once, at admission',
  image: 'Photos',
  video: 'Videos',
  never_full_names: 'Never full names',
  no_names: 'No names',
  no_names_external: 'No names outside school; a name needs written permission',
  non_consented: 'Pupils without consent',
  all: 'All',
  never: 'Never',
  parents_at_events: 'Only parents and carers, at organised school events',
  allowed: 'Allowed',
  under_18: 'Those under 18',
  under_16: 'Those under 16',
  none: 'None',
  discouraged: 'Strongly discouraged',
  not_in_classroom: 'Not in the classroom',
  handed_in_at_office: 'Handed in at the school office for the day',
  not_allowed: 'Not allowed',
  on_joining: 'When joining',
  termly: 'Every term',
  biennial: 'Every two years',
  consent: 'consent',
  full_name: 'full name',
  personal_details: 'personal details',
  faces_outnumber_tags: 'more faces than tagged pupils',
  swimwear: 'swimwear',
  reminder_permission: 'reminder permission',
  tone: 'tone',
};

const MONTHS = MONTH_NAMES;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A rule's value in plain English, on one line (settings summary, docs). */
export function formatRuleValue(value: unknown): string {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  if (value === null) return 'Never';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return tokenNames[value] ?? value;
  if (Array.isArray(value)) {
    if (value.length === 0) return 'None';
    if (value.every((v) => isObject(v) && 'citation' in v && 'label' in v)) {
      return value.map((v, i) => `${i + 1}. ${String((v as PlaybookStep).label)}`).join(' → ');
    }
    if (value.every((v) => isObject(v) && 'external' in v && 'label' in v)) {
      return value
        .map((v) => {
          const p = v as ConsentPurpose;
          return `${p.label}${p.external ? ' (outside school)' : ''}`;
        })
        .join('; ');
    }
    return value.map((v) => formatRuleValue(v)).join(', ');
  }
  if (isObject(value)) {
    if (typeof value.month === 'number' && typeof value.day === 'number') {
      return `${value.day} ${MONTHS[value.month - 1] ?? value.month}`;
    }
    if ('show' in value && 'text' in value) {
      return value.show ? `Shown: “${String(value.text)}”` : 'Not shown';
    }
    if ('required' in value && 'frequency' in value) {
      return value.required
        ? `Required, ${formatRuleValue(value.frequency).toLowerCase()}`
        : 'Not required';
    }
    if ('enabled' in value && 'grantedBy' in value) {
      const p = value as PermissionType;
      if (!p.enabled) return 'Not available';
      const parts = [`Granted by ${formatRuleValue(p.grantedBy)}`];
      if (p.ictSignOff) parts.push('after ICT sign-off');
      parts.push(p.expiresAfterDays === null ? 'no expiry' : `lasts ${p.expiresAfterDays} days`);
      return parts.join(', ');
    }
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${formatRuleValue(v)}`)
      .join(', ');
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Lanyard defaults: used where a seed policy is silent (and for a school starting from scratch)
// ---------------------------------------------------------------------------------------------

/** A rule whose value Lanyard chose because the seed is silent; `note` says why. */
export function lanyardDefault<T>(value: T, note: string): RuleValue<T> {
  return { value, citation: lanyardDefaultCitation(note) };
}

/** A playbook step Lanyard adds where the seed is silent; `note` says why. */
export function lanyardDefaultStep(key: string, stepLabel: string, note: string): PlaybookStep {
  return { key, label: stepLabel, citation: lanyardDefaultCitation(note) };
}

/**
 * Helpers for writing a template: `rule(value, '4.1', 'quote')` and
 * `step('key', 'Label', '8.3', 'quote')`, both citing the given seed.
 */
export function seedRules(seed: SeedId) {
  return {
    rule<T>(value: T, section: string, quote: string, note?: string): RuleValue<T> {
      return { value, citation: seedCitation(seed, section, quote, note) };
    },
    step(
      key: string,
      stepLabel: string,
      section: string,
      quote: string,
      note?: string,
    ): PlaybookStep {
      return { key, label: stepLabel, citation: seedCitation(seed, section, quote, note) };
    },
  };
}

const dflt = lanyardDefault;
const defaultStep = lanyardDefaultStep;

/** The six consent purposes named across the seed policies. */
export const standardConsentPurposes: readonly ConsentPurpose[] = [
  { key: 'classroom_display', label: 'Classroom and school displays', external: false },
  { key: 'class_photograph', label: 'Yearly class photograph', external: false },
  { key: 'school_publications', label: 'Prospectus and school publications', external: true },
  { key: 'local_newspapers', label: 'Local newspapers and other media', external: true },
  { key: 'school_website', label: 'School website', external: true },
  { key: 'school_social_media', label: 'School social media accounts', external: true },
];

const DEFAULT_COMMENTS_NOTICE =
  'Comments and messages on this page are not monitored. To raise a concern, please contact the school office.';

/**
 * Lanyard's own values, each citing 'Lanyard default' with the reason. Templates reuse single
 * rules from here (`lanyardDefaults.consent.renewalReminderDays`) where their seed is silent.
 */
export const lanyardDefaults: PolicySettings = {
  roles: {
    safeguardingLeadTitle: dflt(
      'Designated Safeguarding Lead',
      'The statutory title in Keeping Children Safe in Education.',
    ),
    headteacherIsSafeguardingLead: dflt(false, 'Most schools name a separate DSL.'),
    approverRole: dflt('headteacher', 'The Headteacher checks posts before they go out.'),
    credentialCustodianRole: dflt(
      'business_manager',
      'The Business Manager keeps account passwords.',
    ),
    consentRecordKeeperRole: dflt('dpo', 'The DPO keeps the consent record up to date.'),
    deviceApproverRole: dflt('headteacher', 'The Headteacher approves school capture devices.'),
    ictSignOffRole: dflt('ict_technician', 'The ICT Technician applies network security controls.'),
  },
  consent: {
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
  },
  publishing: {
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
  },
  media: {
    schoolDevicesOnly: dflt(true, 'Only school-owned devices are used.'),
    swimwearBan: dflt(true, 'No images of pupils in swimwear.'),
    retention: {
      archiveAtYearEnd: dflt(true, 'Archive at the end of the academic year.'),
      deleteAfterYears: dflt(1, 'Delete the year after archiving.'),
      keepEvidenceOfAchievement: dflt(
        true,
        'Photos kept as evidence of achievement are not deleted.',
      ),
    },
    visitorsMayPhotograph: dflt(
      'parents_at_events',
      'Visitors do not photograph pupils; parents may at organised events.',
    ),
    storeOnSchoolNetworkOnly: dflt(true, 'Photos stay on school systems.'),
    recordingInFullView: dflt(true, 'Events are recorded openly.'),
  },
  incidents: {
    reportTo: dflt(['dsl', 'headteacher'], 'The safeguarding lead and the Headteacher.'),
    categoriesGrid: dflt(true, 'The contact / conduct / content grid feeds the governors’ report.'),
    indecentImagesPoliceOnly: dflt(true, 'The law: police only, never investigate or copy.'),
    victimDecidesPolice: dflt(
      false,
      'The school decides whether to involve the police, recording the victim’s wishes.',
    ),
    keepEvidence: dflt(true, 'Keep screenshots and messages, with time and date.'),
    playbooks: {
      parent_defamation: dflt(
        [
          defaultStep(
            'record_evidence',
            'Keep screenshots of the posts, with time, date and place',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'request_removal',
            'Ask the parent to remove the comments',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'headteacher_meeting',
            'Invite the parent to a meeting with the Headteacher',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'report_to_platform',
            'Report the content to the platform',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'written_warning',
            'Send a warning letter asking for removal',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'legal_advice_or_police',
            'Take legal advice; contact the police if a crime may have been committed',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      staff_cyberbullying: dflt(
        [
          defaultStep(
            'do_not_retaliate',
            'Do not respond or retaliate',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'keep_evidence',
            'Keep screenshots and messages, with time and date',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'report_to_headteacher',
            'Report to the Headteacher and get support',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'slt_meeting_with_victim',
            'A senior leader meets the member of staff',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'request_removal',
            'Ask the person responsible to remove the content',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'report_to_provider',
            'Report the content to the platform or provider',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'consider_police',
            'Consider the police if it is threatening, sexual or a hate crime',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      pupil_on_pupil: dflt(
        [
          defaultStep(
            'keep_evidence',
            'Keep screenshots and messages, with time and date',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'anti_bullying_policy',
            'Deal with it under the anti-bullying policy',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'inform_parents',
            'Tell the parents of the pupils involved',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      staff_breach: dflt(
        [
          defaultStep(
            'investigate',
            'Investigate the breach',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'disciplinary_procedure',
            'Consider the disciplinary or allegations procedure',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      inappropriate_content: dflt(
        [
          defaultStep(
            'report_to_dsl',
            'Report to the safeguarding lead',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'do_not_investigate',
            'Do not copy or examine the material; seek advice',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'block_site',
            'Ask the ICT Technician to block the site',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      filter_circumvention: dflt(
        [
          defaultStep(
            'record',
            'Record what was done and on which device',
            'So the filter can be fixed.',
          ),
          defaultStep(
            'fix_filter',
            'Ask the ICT Technician to close the gap',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'supervised_use_only',
            'Allow school equipment only with close supervision',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      radicalisation: dflt(
        [
          defaultStep(
            'report_to_dsl',
            'Report to the safeguarding lead the same day',
            'The Prevent duty.',
          ),
          defaultStep(
            'block_site',
            'Block the material through the web filter',
            'The Prevent duty.',
          ),
          defaultStep(
            'consider_prevent_referral',
            'Consider a referral to Prevent (Channel)',
            'Prevent duty guidance.',
          ),
        ],
        'The Prevent duty.',
      ),
      friend_request: dflt(
        [
          defaultStep(
            'decline',
            'Do not accept the request',
            'Every seed forbids friending pupils.',
          ),
          defaultStep(
            'report_to_headteacher',
            'Report the request to the Headteacher',
            'A usual step in school social media policies.',
          ),
        ],
        'The usual steps in school social media policies.',
      ),
      consent_breach: dflt(
        [
          defaultStep(
            'take_down',
            'Remove the post or image',
            'A usual step in school social media policies.',
          ),
          defaultStep(
            'inform_dpo',
            'Tell the Data Protection Officer',
            'The DPO keeps the consent record.',
          ),
          defaultStep(
            'inform_parents',
            'Tell the pupil’s parents what happened',
            'Openness with families.',
          ),
          defaultStep(
            'assess_ico_report',
            'Decide within 72 hours whether to report to the ICO',
            'UK GDPR art. 33.',
          ),
        ],
        'UK GDPR personal data breach process.',
      ),
    },
  },
  conduct: {
    staffMayFriendPupils: dflt(false, 'Every seed forbids it.'),
    exPupilsTreatedAsPupils: dflt('under_18', 'Former pupils who are still children.'),
    staffMayFriendParents: dflt('discouraged', 'Strongly advised against.'),
    friendRequestsMustBeDeclared: dflt(true, 'Report friend requests.'),
    socialContactMustBeDeclared: dflt(true, 'Declare social contact with families.'),
    newStarterOnlinePresenceCheck: dflt(true, 'New staff review their online presence.'),
    regularOnlinePresenceCheck: dflt(false, 'Few school policies ask for a regular check.'),
    parentsMayPostOtherPupilsImages: dflt(
      false,
      'Other families’ children are not theirs to share.',
    ),
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
  },
  training: {
    sessions: {
      staff_induction: dflt(
        { required: true, frequency: 'on_joining' },
        'Policy training at induction.',
      ),
      staff_regular: dflt(
        { required: true, frequency: 'annual' },
        'Regular staff training, yearly.',
      ),
      at_risk_identification: dflt(
        { required: true, frequency: 'annual' },
        'Spotting pupils at risk, yearly.',
      ),
      pupils_esafety: dflt({ required: true, frequency: 'termly' }, 'Termly e-safety.'),
      parents_esafety: dflt(
        { required: true, frequency: 'annual' },
        'A yearly parents’ e-safety meeting.',
      ),
    },
    refreshAfterIncidentOrChange: dflt(true, 'A usual step in school social media policies.'),
    inductionNeedsAcknowledgement: dflt(
      true,
      'New staff cannot be marked inducted without acknowledging the policy.',
    ),
    parentsAcknowledgeGuidance: dflt(
      false,
      'Few school policies ask parents to sign an agreement.',
    ),
  },
  review: {
    cycleMonths: dflt(12, 'All five seeds review annually.'),
    reviewers: dflt(['headteacher', 'governor'], 'The Headteacher with the governors.'),
    reminderDaysBefore: dflt(30, 'A month’s notice before the review is due.'),
    reviewAfterIncidents: dflt(true, 'Review early in the light of incidents.'),
    governorsMonitoringReport: dflt(true, 'Governors see incident logs at the review.'),
  },
};
