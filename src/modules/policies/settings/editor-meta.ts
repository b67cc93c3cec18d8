/**
 * Policy settings: the words the generic settings editor (../policy-form.ts) needs beyond each
 * rule's label, and which settings are "information only".
 *
 * The editor is driven by the zod schemas: a new setting needs no editor code, only words:
 * - a sub-field of a structured setting (`{ enabled, grantedBy }`) is labelled by its zod
 *   `.describe('…')` text, or else by `fieldLabels` below (keyed by the field's name);
 * - a choice (a `z.enum` option) is shown by `optionLabels` (role keys by the school's role title);
 * - a list's items are called by `itemNouns` ("step", "purpose"), keyed by the rule's last path
 *   part or its parent's (`playbooks`), else "item".
 * A unit test (policy-form.test.ts) walks every schema and fails when any of these is missing, so
 * an enum key or a field name can never reach a page.
 */

/** Words for the sub-fields of structured settings and list items, by field name. */
export const fieldLabels: Record<string, string> = {
  label: 'Description',
  external: 'Seen outside the school (website, social media, press)',
  enabled: 'Staff may ask for this permission',
  grantedBy: 'Who gives the permission',
  ictSignOff: 'The ICT Technician must sign it off first',
  expiresAfterDays: 'How long a permission lasts',
  required: 'Required',
  frequency: 'How often',
  show: 'Show the notice',
  text: 'Wording of the notice',
  month: 'Month',
  day: 'Day',
};

/** What one item of a list setting is called, by the rule's last path part or its parent's. */
export const itemNouns: Record<string, string> = {
  playbooks: 'step',
  purposes: 'purpose',
};

/** Words for every choice a setting offers (roles are shown by the school's role title). */
export const optionLabels: Record<string, string> = {
  // Incident types (incidents.significantTypes).
  parent_defamation: 'A parent’s defamatory or abusive post',
  staff_cyberbullying: 'Cyberbullying of a member of staff',
  pupil_on_pupil: 'Cyberbullying of a pupil by another pupil',
  staff_breach: 'A member of staff breaking the policy',
  inappropriate_content: 'Inappropriate content found or accessed',
  filter_circumvention: 'Getting round the web filter',
  radicalisation: 'A concern about radicalisation (Prevent)',
  friend_request: 'A friend or follow request',
  consent_breach: 'A photo used without consent, or a data breach',
  annual: 'Every year',
  admission: 'Once, at admission',
  image: 'Photos',
  video: 'Videos',
  never_full_names: 'Never full names',
  no_names: 'No names',
  no_names_external: 'No names outside school; a name needs written permission',
  first_name_only: 'First names only',
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
  consent: 'Consent',
  full_name: 'A pupil’s full name in the text',
  personal_details: 'Personal details in the text',
  faces_outnumber_tags: 'More faces than tagged pupils',
  swimwear: 'Swimwear',
  reminder_permission: 'Permission for a reminder post',
  tone: 'The tone of the text',
};

/**
 * Settings no module enforces because they only tell people what the policy says (they appear on
 * the policy page, the printed policy and the acknowledgement), each with the reason. Every other
 * setting must be read by a module: test/http/policy-settings-read.test.ts fails otherwise.
 * Keys are rule paths ('conduct.staffMayFriendPupils').
 */
export const informationOnly: Record<string, string> = {
  'roles.safeguardingLeadTitle':
    'The school’s name for its safeguarding lead, shown wherever the pages name the role.',
  'roles.headteacherIsSafeguardingLead':
    'Says who holds both roles; the people pages give each person their roles.',
  'publishing.personalAccountsMayPostPupilImages':
    'A rule for staff’s own accounts, which Lanyard cannot see; Lanyard posts only to the school’s.',
  'publishing.groupImagesWithGeneralLabels':
    'Guidance for whoever writes a post (prefer group photos labelled by event).',
  'media.storeOnSchoolNetworkOnly':
    'Lanyard keeps photos in the school’s own store; the rule tells staff not to keep copies elsewhere.',
  'media.recordingInFullView': 'A rule for how staff film at events, which Lanyard cannot see.',
  'conduct.staffMayFriendPupils': 'A rule for staff’s own accounts, which Lanyard cannot see.',
  'conduct.exPupilsTreatedAsPupils': 'A rule for staff’s own accounts, which Lanyard cannot see.',
  'conduct.staffMayFriendParents': 'A rule for staff’s own accounts, which Lanyard cannot see.',
  'conduct.parentsMayPostOtherPupilsImages':
    'A rule for parents’ own accounts, shown on the parents’ pages of the policy.',
  'conduct.staffSocialMediaDuringLessons':
    'A rule for staff’s conduct in lessons, which Lanyard cannot see.',
  'conduct.pupilPhones': 'A rule for pupils’ phones in school, which Lanyard cannot see.',
};

/**
 * Parts of a setting no module enforces (the rest of the setting is read), keyed by rule path
 * and field ('channels.accountRules.mayFollow'), each with the reason. The settings editor shows
 * them as information only; docs/policy-rules.md lists them with the setting;
 * settings-read.test.ts checks that each names a real field and that no module reads it.
 */
export const informationOnlyFields: Record<string, string> = {
  'channels.accountRules.mayFollow':
    'Whom an account follows is set on the platform, which Lanyard cannot see or act on; whoever keeps the account follows this rule.',
  'channels.accountRules.mayBlock':
    'Blocking is done on the platform, which Lanyard cannot see or act on; whoever moderates the account follows this rule.',
};
