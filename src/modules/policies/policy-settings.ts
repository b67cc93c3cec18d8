/**
 * The policy profile: every rule of a school's social media policy as data (SPEC §2).
 *
 * Each leaf is a rule `{ value, citation }`: the setting the checks read, and the clause it comes
 * from. The five seed policies ship as templates in `./templates/`; `lanyardDefaults` below holds
 * the values Lanyard uses where a seed is silent. `ruleList()` flattens a profile into dotted paths
 * (`consent.model`, `incidents.playbooks.parent_defamation`) with a plain-English label for each.
 *
 * This file is the one entry point: it assembles the profile from its sections and re-exports
 * them. Each section lives in `./settings/`, named by the first part of a rule's path: the rule at
 * `consent.model` (its options, schema, label and Lanyard's default) is in settings/consent.ts.
 * - settings/roles.ts, consent.ts, publishing.ts, media.ts, incidents.ts, conduct.ts,
 *   training.ts, review.ts: one section each
 * - settings/rules.ts: citations, the `{ value, citation }` shape and the helpers for writing rules
 * - settings/common.ts: the staff-role vocabulary and list helpers the sections share
 * - settings/format.ts: a rule's value in plain English
 * Rules that tie two sections together are checked here, in `policySettingsSchema`.
 */
import { z } from 'zod';
import type { Citation, RulePathOf, RuleValue } from './settings/rules.ts';
import { rolesDefaults, rolesLabels, rolesSettingsSchema } from './settings/roles.ts';
import { consentDefaults, consentLabels, consentSettingsSchema } from './settings/consent.ts';
import {
  publishingDefaults,
  publishingLabels,
  publishingSettingsSchema,
} from './settings/publishing.ts';
import { mediaDefaults, mediaLabels, mediaSettingsSchema } from './settings/media.ts';
import {
  incidentsDefaults,
  incidentsLabels,
  incidentsSettingsSchema,
} from './settings/incidents.ts';
import { conductDefaults, conductLabels, conductSettingsSchema } from './settings/conduct.ts';
import { trainingDefaults, trainingLabels, trainingSettingsSchema } from './settings/training.ts';
import { reviewDefaults, reviewLabels, reviewSettingsSchema } from './settings/review.ts';
import { peopleDefaults, peopleLabels, peopleSettingsSchema } from './settings/people.ts';
import { channelsDefaults, channelsLabels, channelsSettingsSchema } from './settings/channels.ts';
import {
  retentionDefaults,
  retentionLabels,
  retentionSettingsSchema,
} from './settings/retention.ts';

export {
  seedIds,
  seedFiles,
  LANYARD_DEFAULT,
  SCHOOL_DECISION,
  citationSchema,
  ruleSchema,
  seedCitation,
  lanyardDefaultCitation,
  schoolDecisionCitation,
  schoolPolicyCitation,
  isSchoolPolicyCitation,
  formatCitation,
  lanyardDefault,
  lanyardDefaultStep,
  seedRules,
  type SeedId,
  type Citation,
  type RuleValue,
} from './settings/rules.ts';
export { policyRoleSchema, type PolicyRole } from './settings/common.ts';
export {
  consentModels,
  mediaTypes,
  mediaTypeSchema,
  consentPurposeSchema,
  monthDaySchema,
  standardConsentPurposes,
  type MediaType,
  type ConsentPurpose,
} from './settings/consent.ts';
export {
  publicationCheckKeys,
  publicationCheckKeySchema,
  namesWithImagesOptions,
  blurFacesOptions,
  type PublicationCheckKey,
} from './settings/publishing.ts';
export { visitorPhotographyOptions } from './settings/media.ts';
export {
  incidentTypes,
  playbookStepSchema,
  type IncidentType,
  type PlaybookStep,
} from './settings/incidents.ts';
export {
  exPupilRuleOptions,
  parentFriendingOptions,
  pupilPhoneOptions,
  permissionTypeKeys,
  permissionTypeSchema,
  type PermissionTypeKey,
  type PermissionType,
} from './settings/conduct.ts';
export {
  trainingSessionKeys,
  trainingFrequencies,
  trainingRequirementSchema,
  type TrainingSessionKey,
  type TrainingRequirement,
} from './settings/training.ts';
export { formatRuleValue } from './settings/format.ts';
export {
  policyAudiences,
  policyAudienceLabels,
  peopleOptionLabels,
  type PolicyAudience,
  type Responsibility,
  type ConductStatement,
  type RoleTitles,
} from './settings/people.ts';
export {
  accountKinds,
  personalInformationKinds,
  eventPhotographyRules,
  channelsOptionLabels,
  type AccountRule,
  type EventPhotographyRule,
  type PersonalInformationKind,
} from './settings/channels.ts';

// ---------------------------------------------------------------------------------------------
// The profile
// ---------------------------------------------------------------------------------------------

export const policySettingsSchema = z
  .object({
    roles: rolesSettingsSchema,
    consent: consentSettingsSchema,
    publishing: publishingSettingsSchema,
    media: mediaSettingsSchema,
    incidents: incidentsSettingsSchema,
    conduct: conductSettingsSchema,
    training: trainingSettingsSchema,
    review: reviewSettingsSchema,
    // Added after profiles were first stored: a stored profile without them reads the defaults.
    people: peopleSettingsSchema.default(() => structuredClone(peopleDefaults)),
    channels: channelsSettingsSchema.default(() => structuredClone(channelsDefaults)),
    retention: retentionSettingsSchema.default(() => structuredClone(retentionDefaults)),
  })
  // Rules across sections: a setting in one section that another depends on.
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
    // Rules that name a responsibility name one of the school's (people.responsibilities).
    const responsibilities = new Set(s.people.responsibilities.value.map((x) => x.key));
    for (const [section, key, keys] of [
      ['roles', 'approverResponsibilities', s.roles.approverResponsibilities.value],
      ['incidents', 'reportToResponsibilities', s.incidents.reportToResponsibilities.value],
      [
        'roles',
        'consentRecordKeeperResponsibilities',
        s.roles.consentRecordKeeperResponsibilities.value,
      ],
      ['roles', 'deviceApproverResponsibilities', s.roles.deviceApproverResponsibilities.value],
      ['review', 'reviewerResponsibilities', s.review.reviewerResponsibilities.value],
      [
        'people',
        'publicationRestrictionSetterResponsibilities',
        s.people.publicationRestrictionSetterResponsibilities.value,
      ],
    ] as const) {
      if (keys.some((k) => !responsibilities.has(k)))
        ctx.addIssue({
          code: 'custom',
          path: [section, key, 'value'],
          message: 'Choose from the school’s named responsibilities',
        });
    }
  });

export type PolicySettings = z.infer<typeof policySettingsSchema>;

/**
 * A seed file's template (templates/seed-*.ts): every section but `people` and `channels`, which
 * templates/index.ts adds from templates/school-words.ts (issue 15).
 */
export type PolicyTemplate = {
  key: string;
  name: string;
  school: string;
  seedFile: string;
  summary: string;
  settings: Omit<PolicySettings, 'people' | 'channels' | 'retention'>;
};

/** A built-in starting point: one seed school's policy as a whole profile. */
export type CompletePolicyTemplate = Omit<PolicyTemplate, 'settings'> & {
  settings: PolicySettings;
};

// ---------------------------------------------------------------------------------------------
// Paths, labels and the flattened list
// ---------------------------------------------------------------------------------------------

/** Every leaf of the profile as a dotted path, e.g. 'consent.model'. */
export type RulePath<T = PolicySettings, P extends string = ''> = RulePathOf<T, P>;

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
  people: 'Who the policy covers, role titles and responsibilities',
  channels: 'School accounts, naming and photography at events',
  retention: 'How long records are kept',
} as const satisfies Record<keyof PolicySettings, string>;

/**
 * Plain-English label for every rule, in display order. Typed as a complete record, so adding a
 * setting to the schema without a label in its section is a type error.
 */
export const ruleLabels = {
  ...rolesLabels,
  ...consentLabels,
  ...publishingLabels,
  ...mediaLabels,
  ...incidentsLabels,
  ...conductLabels,
  ...trainingLabels,
  ...reviewLabels,
  ...peopleLabels,
  ...channelsLabels,
  ...retentionLabels,
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
// Lanyard defaults: used where a seed policy is silent (and for a school starting from scratch)
// ---------------------------------------------------------------------------------------------

/**
 * Lanyard's own values, each citing 'Lanyard default' with the reason. Templates reuse single
 * rules from here (`lanyardDefaults.consent.renewalReminderDays`) where their seed is silent.
 * Each section's values are in its file in ./settings/.
 */
export const lanyardDefaults: PolicySettings = {
  roles: rolesDefaults,
  consent: consentDefaults,
  publishing: publishingDefaults,
  media: mediaDefaults,
  incidents: incidentsDefaults,
  conduct: conductDefaults,
  training: trainingDefaults,
  review: reviewDefaults,
  people: peopleDefaults,
  channels: channelsDefaults,
  retention: retentionDefaults,
};
