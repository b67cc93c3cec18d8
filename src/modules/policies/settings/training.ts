/**
 * Policy settings, section `training`: training and acknowledgements.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `training` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `training.…`):
 * sessions.staff_induction, sessions.staff_regular, sessions.at_risk_identification,
 * sessions.pupils_esafety, sessions.parents_esafety, refreshAfterIncidentOrChange,
 * inductionNeedsAcknowledgement, parentsAcknowledgeGuidance, overdueReminderRole,
 * newStarterDays, dueSoonDays, dueAgainDays, acknowledgeWithinDays.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';
import { policyRoleSchema, type PolicyRole } from './common.ts';

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

const r = ruleSchema;

// Added after profiles were first stored: a stored profile without them reads the default.
const overdueReminderRoleDefault = (): RuleValue<PolicyRole> =>
  dflt(
    'headteacher',
    'Overdue training is sent to each person’s line manager; for staff with no line manager recorded, to the Headteacher.',
  );

const newStarterDaysDefault = (): RuleValue<number> =>
  dflt(
    30,
    'A new starter has their first 30 days to be inducted and to do the training they have not done yet; after that it is overdue.',
  );
const dueSoonDaysDefault = (): RuleValue<number> =>
  dflt(
    30,
    'Training shows as due soon in the 30 days before its due date, time enough to book a session.',
  );
const dueAgainDaysDefault = (): RuleValue<number> =>
  dflt(
    30,
    'Training marked due again (after a significant incident or a change to the policy) is due 30 days after the mark.',
  );
const acknowledgeWithinDaysDefault = (): RuleValue<number> =>
  dflt(
    30,
    'The policy is to be acknowledged within 30 days of the later of a person’s start and the publication of the version they are asked to acknowledge.',
  );
/** A number of days for a training or acknowledgement window. */
const windowDays = z.number().int().min(1).max(365);

/** The `training` section of the profile. */
export const trainingSettingsSchema = z.object({
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
  /** Who is told of overdue training for staff with no line manager recorded. */
  overdueReminderRole: r(policyRoleSchema).default(overdueReminderRoleDefault),
  /** Days after their start a new starter has for induction and training not yet done. */
  newStarterDays: r(windowDays).default(newStarterDaysDefault),
  /** Days before its due date that training shows as due soon. */
  dueSoonDays: r(windowDays).default(dueSoonDaysDefault),
  /** Days after a "due again" mark that the training is due. */
  dueAgainDays: r(windowDays).default(dueAgainDaysDefault),
  /** Days after the later of a person's start and a version's publication to acknowledge it. */
  acknowledgeWithinDays: r(windowDays).default(acknowledgeWithinDaysDefault),
});
export type TrainingSettings = z.infer<typeof trainingSettingsSchema>;

/** Plain-English label for each `training` rule, in display order. */
export const trainingLabels = {
  'training.sessions.staff_induction': 'Social media policy training for new staff',
  'training.sessions.staff_regular': 'Regular social media training for staff',
  'training.sessions.at_risk_identification': 'Training to spot pupils at risk online',
  'training.sessions.pupils_esafety': 'E-safety lessons for pupils',
  'training.sessions.parents_esafety': 'E-safety meeting for parents',
  'training.refreshAfterIncidentOrChange': 'Refresh training after a serious incident or change',
  'training.inductionNeedsAcknowledgement': 'New staff must acknowledge the policy to be inducted',
  'training.parentsAcknowledgeGuidance': 'Parents acknowledge the parents’ guidance or agreement',
  'training.overdueReminderRole':
    'Who is told of overdue training for staff with no line manager recorded',
  'training.newStarterDays': 'Days a new starter has to complete induction and training',
  'training.dueSoonDays': 'Days before a due date that training shows as due soon',
  'training.dueAgainDays': 'Days to complete training after being marked due again',
  'training.acknowledgeWithinDays':
    'Days to acknowledge the policy after starting or after a new version is published',
} as const satisfies Record<RulePathOf<TrainingSettings, 'training.'>, string>;

/** Lanyard's own `training` values, each citing 'Lanyard default' with the reason. */
export const trainingDefaults: TrainingSettings = {
  sessions: {
    staff_induction: dflt(
      { required: true, frequency: 'on_joining' },
      'Policy training at induction.',
    ),
    staff_regular: dflt({ required: true, frequency: 'annual' }, 'Regular staff training, yearly.'),
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
  parentsAcknowledgeGuidance: dflt(false, 'Few school policies ask parents to sign an agreement.'),
  overdueReminderRole: overdueReminderRoleDefault(),
  newStarterDays: newStarterDaysDefault(),
  dueSoonDays: dueSoonDaysDefault(),
  dueAgainDays: dueAgainDaysDefault(),
  acknowledgeWithinDays: acknowledgeWithinDaysDefault(),
};
