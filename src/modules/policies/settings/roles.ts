/**
 * Policy settings, section `roles`: who does what.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `roles` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `roles.…`):
 * safeguardingLeadTitle, headteacherIsSafeguardingLead, approverRole, approverResponsibilities,
 * credentialCustodianRole,
 * consentRecordKeeperRole, consentRecordKeeperResponsibilities, deviceApproverRole,
 * deviceApproverResponsibilities, ictSignOffRole.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';
import { policyRoleSchema, slug, uniqueArray } from './common.ts';

const r = ruleSchema;

/**
 * Responsibilities whose holders also act as a role the profile names (the settings editor offers
 * the school's responsibilities, by name, as the choices).
 */
const responsibilityKeys = (description: string) =>
  uniqueArray(slug).meta({ description, optionsFrom: 'people.responsibilities' });

// Added after profiles were first stored: a stored profile without them reads the default.
const consentRecordKeeperResponsibilitiesDefault = (): RuleValue<string[]> =>
  dflt(
    [],
    'Only the record keeper’s role keeps the consent record; a school may also name a responsibility (e.g. a data lead).',
  );
const deviceApproverResponsibilitiesDefault = (): RuleValue<string[]> =>
  dflt(
    [],
    'Only the device approver’s role approves devices; a school may also name a responsibility (e.g. an E-Safety Co-ordinator).',
  );

/** The `roles` section of the profile. */
export const rolesSettingsSchema = z.object({
  safeguardingLeadTitle: r(z.string().trim().min(1).max(80)),
  headteacherIsSafeguardingLead: r(z.boolean()),
  approverRole: r(policyRoleSchema),
  // The settings editor offers the school's responsibilities (by name) as the choices.
  approverResponsibilities: r(
    uniqueArray(slug).meta({
      description: 'Responsibilities whose holders also approve posts',
      optionsFrom: 'people.responsibilities',
    }),
  ),
  credentialCustodianRole: r(policyRoleSchema),
  consentRecordKeeperRole: r(policyRoleSchema),
  consentRecordKeeperResponsibilities: r(
    responsibilityKeys('Responsibilities whose holders also keep the consent record'),
  ).default(consentRecordKeeperResponsibilitiesDefault),
  deviceApproverRole: r(policyRoleSchema),
  deviceApproverResponsibilities: r(
    responsibilityKeys('Responsibilities whose holders also approve school devices'),
  ).default(deviceApproverResponsibilitiesDefault),
  ictSignOffRole: r(policyRoleSchema),
});
export type RolesSettings = z.infer<typeof rolesSettingsSchema>;

/** Plain-English label for each `roles` rule, in display order. */
export const rolesLabels = {
  'roles.safeguardingLeadTitle': 'What the school calls its safeguarding lead',
  'roles.headteacherIsSafeguardingLead': 'The Headteacher is also the safeguarding lead',
  'roles.approverRole': 'Who checks and approves posts before they go out',
  'roles.approverResponsibilities':
    'Named responsibilities whose holders also check and approve posts',
  'roles.credentialCustodianRole': 'Who keeps the passwords for the school’s social media accounts',
  'roles.consentRecordKeeperRole': 'Who keeps the consent record up to date',
  'roles.consentRecordKeeperResponsibilities':
    'Named responsibilities whose holders also keep the consent record up to date',
  'roles.deviceApproverRole': 'Who approves the school cameras and tablets used for photos',
  'roles.deviceApproverResponsibilities':
    'Named responsibilities whose holders also approve school cameras and tablets (and review photos from other devices)',
  'roles.ictSignOffRole': 'Who confirms network security before social media is allowed',
} as const satisfies Record<RulePathOf<RolesSettings, 'roles.'>, string>;

/** Lanyard's own `roles` values, each citing 'Lanyard default' with the reason. */
export const rolesDefaults: RolesSettings = {
  safeguardingLeadTitle: dflt(
    'Designated Safeguarding Lead',
    'The statutory title in Keeping Children Safe in Education.',
  ),
  headteacherIsSafeguardingLead: dflt(false, 'Most schools name a separate DSL.'),
  approverRole: dflt('headteacher', 'The Headteacher checks posts before they go out.'),
  approverResponsibilities: dflt(
    [],
    'Only the approver’s role approves; a school may also name a responsibility (e.g. a deputy).',
  ),
  credentialCustodianRole: dflt(
    'business_manager',
    'The Business Manager keeps account passwords.',
  ),
  consentRecordKeeperRole: dflt('dpo', 'The DPO keeps the consent record up to date.'),
  consentRecordKeeperResponsibilities: consentRecordKeeperResponsibilitiesDefault(),
  deviceApproverRole: dflt('headteacher', 'The Headteacher approves school capture devices.'),
  deviceApproverResponsibilities: deviceApproverResponsibilitiesDefault(),
  ictSignOffRole: dflt('ict_technician', 'The ICT Technician applies network security controls.'),
};
