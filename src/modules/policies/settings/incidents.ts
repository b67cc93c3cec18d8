/**
 * Policy settings, section `incidents`: incidents and misuse, with a playbook per incident type.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `incidents` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `incidents.…`):
 * reportTo, reportToResponsibilities, categoriesGrid, indecentImagesPoliceOnly, victimDecidesPolice, keepEvidence,
 * significantTypes,
 * playbooks.parent_defamation, playbooks.staff_cyberbullying, playbooks.pupil_on_pupil,
 * playbooks.staff_breach, playbooks.inappropriate_content, playbooks.filter_circumvention,
 * playbooks.radicalisation, playbooks.friend_request, playbooks.consent_breach.
 */
import { z } from 'zod';
import {
  citationSchema,
  lanyardDefault as dflt,
  lanyardDefaultStep as defaultStep,
  ruleSchema,
  type RulePathOf,
} from './rules.ts';
import { label, policyRoleSchema, slug, unique, uniqueArray } from './common.ts';

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

const r = ruleSchema;

/** The `incidents` section of the profile. */
export const incidentsSettingsSchema = z.object({
  reportTo: r(uniqueArray(policyRoleSchema).min(1)),
  /**
   * Named responsibilities (`people.responsibilities`, e.g. an E-Safety Co-ordinator) whose
   * holders are also told of new reports, see them on their home page and deal with them; a
   * safeguarding concern stays with the safeguarding lead, the deputies and the Headteacher.
   */
  reportToResponsibilities: r(
    uniqueArray(slug).meta({
      description: 'Responsibilities whose holders are also told of reports',
      optionsFrom: 'people.responsibilities',
    }),
  ),
  categoriesGrid: r(z.boolean()),
  /** Never configurable: suspected indecent images go to the police only (the law). */
  indecentImagesPoliceOnly: r(z.literal(true)),
  victimDecidesPolice: r(z.boolean()),
  keepEvidence: r(z.boolean()),
  /**
   * Incident types that are always a significant incident once a case is classified so (every
   * safeguarding concern is significant whatever this says): staff training is marked due again
   * (training.refreshAfterIncidentOrChange) and the policy reviewed early
   * (review.reviewAfterIncidents).
   */
  significantTypes: r(uniqueArray(z.enum(incidentTypes))),
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
});
export type IncidentsSettings = z.infer<typeof incidentsSettingsSchema>;

/** Plain-English label for each `incidents` rule, in display order. */
export const incidentsLabels = {
  'incidents.reportTo': 'Who incidents are reported to',
  'incidents.reportToResponsibilities':
    'Named responsibilities whose holders are also told of reports (not safeguarding concerns)',
  'incidents.categoriesGrid': 'Classify incidents by contact, conduct and content',
  'incidents.indecentImagesPoliceOnly':
    'Suspected indecent images of children go straight to the police',
  'incidents.victimDecidesPolice': 'The person bullied decides whether to go to the police',
  'incidents.keepEvidence': 'Keep copies of messages and screenshots as evidence',
  'incidents.significantTypes':
    'Incidents that are significant (training refreshed, policy reviewed early), besides every safeguarding concern',
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
} as const satisfies Record<RulePathOf<IncidentsSettings, 'incidents.'>, string>;

/** Lanyard's own `incidents` values, each citing 'Lanyard default' with the reason. */
export const incidentsDefaults: IncidentsSettings = {
  reportTo: dflt(['dsl', 'headteacher'], 'The safeguarding lead and the Headteacher.'),
  reportToResponsibilities: dflt(
    [],
    'Reports go to the roles above; a school may also name a responsibility (e.g. an e-safety co-ordinator).',
  ),
  categoriesGrid: dflt(true, 'The contact / conduct / content grid feeds the governors’ report.'),
  indecentImagesPoliceOnly: dflt(true, 'The law: police only, never investigate or copy.'),
  victimDecidesPolice: dflt(
    false,
    'The school decides whether to involve the police, recording the victim’s wishes.',
  ),
  keepEvidence: dflt(true, 'Keep screenshots and messages, with time and date.'),
  significantTypes: dflt(
    ['radicalisation', 'staff_breach', 'consent_breach'],
    'A Prevent concern, a breach by staff and a personal data breach, with every safeguarding concern.',
  ),
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
        defaultStep('block_site', 'Block the material through the web filter', 'The Prevent duty.'),
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
        defaultStep('decline', 'Do not accept the request', 'Every seed forbids friending pupils.'),
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
};
