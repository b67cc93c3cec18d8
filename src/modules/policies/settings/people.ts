/**
 * Policy settings, section `people`: whom the policy covers, and the school's own words for its
 * people — its titles for the staff roles, the named responsibilities it gives to people
 * (publicity poster, e-safety co-ordinator, deputy DSL), who may stop a pupil being published,
 * and the personal-conduct statements staff acknowledge (issue 15).
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `people` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `people.…`):
 * appliesTo, mustAcknowledge, roleTitles, responsibilities, publicationRestrictionSetters,
 * publicationRestrictionSetterResponsibilities, conductStatements.
 */
import { z } from 'zod';
import { roleLabels, staffRoles } from '../../auth/index.ts';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';
import { label, policyRoleSchema, slug, unique, uniqueArray } from './common.ts';

/** The groups of people a policy may cover and ask to acknowledge it. */
export const policyAudiences = [
  'staff',
  'governors',
  'volunteers',
  'supply_staff',
  'contractors',
  'pupils',
  'parents',
  'visitors',
] as const;
export const policyAudienceSchema = z.enum(policyAudiences);
export type PolicyAudience = z.infer<typeof policyAudienceSchema>;

export const policyAudienceLabels: Readonly<Record<PolicyAudience, string>> = {
  staff: 'All staff',
  governors: 'Governors',
  volunteers: 'Volunteers',
  supply_staff: 'Supply and temporary staff',
  contractors: 'Contractors',
  pupils: 'Pupils',
  parents: 'Parents and carers',
  visitors: 'Visitors',
};

/** The school's title for each staff role (Lanyard's names are the defaults). */
export const roleTitlesSchema = z.object(
  Object.fromEntries(
    staffRoles.map((role) => [role, z.string().trim().min(1).max(80).describe(roleLabels[role])]),
  ) as Record<(typeof staffRoles)[number], z.ZodString>,
);
export type RoleTitles = z.infer<typeof roleTitlesSchema>;

/** A named responsibility the school gives to people, which rules can refer to. */
export const responsibilitySchema = z.object({
  key: slug.describe('Short name used by rules (lower-case letters, digits and underscores)'),
  label: label.describe('What the school calls it'),
});
export type Responsibility = z.infer<typeof responsibilitySchema>;

/** A statement of personal conduct that staff acknowledge. */
export const conductStatementSchema = z.object({
  key: slug.describe('Short name (lower-case letters, digits and underscores)'),
  text: z.string().trim().min(1).max(400).describe('The statement staff acknowledge'),
});
export type ConductStatement = z.infer<typeof conductStatementSchema>;

const r = ruleSchema;

// Added after profiles were first stored: a stored profile without it reads the default.
const publicationRestrictionSetterResponsibilitiesDefault = (): RuleValue<string[]> =>
  dflt(
    [],
    'Only the roles named above stop a pupil being published; a school may also name a responsibility (e.g. a deputy DSL).',
  );

/** The `people` section of the profile. */
export const peopleSettingsSchema = z.object({
  appliesTo: r(uniqueArray(policyAudienceSchema).min(1, 'The policy must cover someone')),
  mustAcknowledge: r(uniqueArray(policyAudienceSchema)),
  roleTitles: r(roleTitlesSchema),
  responsibilities: r(
    z
      .array(responsibilitySchema)
      .max(40)
      .refine((a) => unique(a.map((x) => x.key)), 'Each responsibility needs its own short name'),
  ),
  publicationRestrictionSetters: r(
    uniqueArray(policyRoleSchema).min(1, 'Someone must be able to stop a pupil being published'),
  ),
  // The settings editor offers the school's responsibilities (by name) as the choices.
  publicationRestrictionSetterResponsibilities: r(
    uniqueArray(slug).meta({
      description: 'Responsibilities whose holders may also stop a pupil being published',
      optionsFrom: 'people.responsibilities',
    }),
  ).default(publicationRestrictionSetterResponsibilitiesDefault),
  conductStatements: r(
    z
      .array(conductStatementSchema)
      .max(40)
      .refine((a) => unique(a.map((x) => x.key)), 'Each statement needs its own short name'),
  ),
});
export type PeopleSettings = z.infer<typeof peopleSettingsSchema>;

/** Plain-English label for each `people` rule, in display order. */
export const peopleLabels = {
  'people.appliesTo': 'Who the policy applies to',
  'people.mustAcknowledge': 'Who must read and acknowledge the policy',
  'people.roleTitles': 'What the school calls each staff role',
  'people.responsibilities': 'Named responsibilities the school gives to people',
  'people.publicationRestrictionSetters':
    'Who may stop a pupil ever being published (whatever the consent)',
  'people.publicationRestrictionSetterResponsibilities':
    'Named responsibilities whose holders may also stop a pupil being published (and see why)',
  'people.conductStatements': 'Personal conduct statements staff acknowledge',
} as const satisfies Record<RulePathOf<PeopleSettings, 'people.'>, string>;

/** Lanyard's own `people` values, each citing 'Lanyard default' with the reason. */
export const peopleDefaults: PeopleSettings = {
  appliesTo: dflt(
    ['staff', 'governors', 'volunteers', 'pupils', 'parents'],
    'A school social media policy covers everyone who works or volunteers at the school, its pupils and their families.',
  ),
  mustAcknowledge: dflt(
    ['staff', 'governors', 'volunteers'],
    'Adults who work with pupils acknowledge the policy; families are told about it.',
  ),
  roleTitles: dflt({ ...roleLabels }, 'Lanyard’s names for the staff roles.'),
  responsibilities: dflt(
    [
      { key: 'publicity_poster', label: 'Publicity poster' },
      { key: 'esafety_coordinator', label: 'E-safety co-ordinator' },
      { key: 'deputy_dsl', label: 'Deputy Designated Safeguarding Lead' },
    ],
    'Responsibilities school policies commonly name; the Headteacher gives them to people.',
  ),
  publicationRestrictionSetters: dflt(
    ['dsl', 'headteacher'],
    'Safeguarding and legal reasons (a looked-after or adopted child, a court order) are known to the safeguarding lead and the Headteacher.',
  ),
  publicationRestrictionSetterResponsibilities:
    publicationRestrictionSetterResponsibilitiesDefault(),
  conductStatements: dflt(
    [
      {
        key: 'official_channels',
        text: 'I contact parents and pupils only through the school’s official channels (school email, the school’s messaging system, the school phone).',
      },
      {
        key: 'no_parent_groups',
        text: 'I do not join parents’ social media or messaging groups about the school or its classes.',
      },
      {
        key: 'privacy_settings',
        text: 'I keep my own social media accounts set to private and review their privacy settings regularly.',
      },
      {
        key: 'no_personal_contact_details',
        text: 'I do not give my personal phone number, email address or social media accounts to pupils or parents.',
      },
    ],
    'The personal conduct most school policies ask of staff; the school edits the statements.',
  ),
};

/** Words for the choices these settings offer (the settings editor and pages). */
export const peopleOptionLabels: Readonly<Record<string, string>> = { ...policyAudienceLabels };
