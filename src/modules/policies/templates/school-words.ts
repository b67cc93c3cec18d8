/**
 * The `people` and `channels` sections of each seed template (issue 15): whom each seed policy
 * covers, its own titles and responsibilities, its staff personal-conduct statements, and its
 * rules for school accounts, tagging, personal information and parents' photography at events.
 * Each rule cites the seed's clause where the seed says something, else Lanyard's default.
 * templates/index.ts joins these to the seed files' other sections.
 */
import { roleLabels } from '../../auth/index.ts';
import { lanyardDefaults as d, seedRules, type PolicySettings } from '../policy-settings.ts';

type Extra = Pick<PolicySettings, 'people' | 'channels'>;

const performance = d.channels.eventPhotography.value[0]!;
const sportsDay = d.channels.eventPhotography.value[1]!;

const jump = (() => {
  const { rule } = seedRules('000');
  const CODE = 'Mobile Phones/Camera/iPad Usage';
  return {
    people: {
      appliesTo: rule(
        ['staff', 'governors', 'volunteers', 'parents'],
        'Overview and Expectations',
        'the key principles and code of conduct that we expect of all members of staff, governors and volunteers',
        'Parents are covered by the section on parents and carers.',
      ),
      mustAcknowledge: rule(
        ['staff', 'governors', 'volunteers'],
        'Key Principles',
        'expects all staff, governors and volunteers to share this commitment.',
      ),
      roleTitles: d.people.roleTitles,
      responsibilities: rule(
        [
          { key: 'esafety_coordinator', label: 'E-Safety Co-ordinator' },
          ...d.people.responsibilities.value.filter((r) => r.key !== 'esafety_coordinator'),
        ],
        'Cyberbullying',
        'Staff are encouraged to report all incidents of cyberbullying to the E-Safety Co-ordinator or the Headteacher.',
      ),
      publicationRestrictionSetters: d.people.publicationRestrictionSetters,
      publicationRestrictionSetterResponsibilities:
        d.people.publicationRestrictionSetterResponsibilities,
      conductStatements: rule(
        [
          {
            key: 'school_email_only',
            text: 'I do not give my personal email address to children or parents; I use my school email address.',
          },
          {
            key: 'personal_phone_private',
            text: 'I keep my personal phone number private and do not use my own mobile phone to contact children or parents.',
          },
          {
            key: 'declare_social_contact',
            text: 'I make any social contact with a pupil’s family known to the senior leadership team.',
          },
        ],
        CODE,
        'Staff should not give their personal e-mail addresses to children or parents.',
      ),
    },
    channels: {
      accountRules: d.channels.accountRules,
      noTagging: d.channels.noTagging,
      personalInformation: d.channels.personalInformation,
      eventPhotography: rule(
        [
          { ...performance, mayShareOtherChildren: false },
          { ...sportsDay, mayShareOtherChildren: false },
        ],
        'The Role of Parents When Social Networking',
        'Parents must not post pictures of pupils, other than their own children, on social networking sites where these photographs have been taken at a school event.',
      ),
    },
  } satisfies Extra;
})();

const avenue = (() => {
  const { rule } = seedRules('001');
  const CODE = 'Code of Conduct for Social Networking';
  return {
    people: {
      appliesTo: rule(
        ['staff', 'volunteers', 'governors', 'parents'],
        CODE,
        'This refers to all persons linked to The Avenue such as Staff, Volunteers and Governors.',
        'The first part of the policy is about parents’ use of social networking.',
      ),
      mustAcknowledge: d.people.mustAcknowledge,
      roleTitles: rule(
        { ...roleLabels, governor: 'Chair of Governors' },
        'Parents',
        'speaking to the class teacher, the Headteacher or Chair of Governors',
      ),
      responsibilities: rule(
        d.people.responsibilities.value,
        CODE,
        'except by a designated person for agreed publicity use.',
      ),
      publicationRestrictionSetters: d.people.publicationRestrictionSetters,
      publicationRestrictionSetterResponsibilities:
        d.people.publicationRestrictionSetterResponsibilities,
      conductStatements: rule(
        [
          {
            key: 'no_personal_contact_details',
            text: 'I do not give my personal contact details (email, home or mobile number) to pupils or parents unless the Headteacher agrees.',
          },
          {
            key: 'privacy_settings',
            text: 'My personal social networking sites are set to private and pupils are never listed as approved contacts.',
          },
          {
            key: 'no_pupil_sites',
            text: 'I never use or access pupils’ social networking sites.',
          },
        ],
        CODE,
        'Personal contact details including email, home or mobile numbers should not be given unless the need to do so is agreed by the Headteacher.',
      ),
    },
    channels: {
      accountRules: rule(
        d.channels.accountRules.value.map((a) => ({
          ...a,
          mayBlock:
            'A parent or carer who continues to post inappropriate comments on a school forum.',
        })),
        'Procedure the school will follow if inappropriate use continues',
        "the school may take action to block or restrict that individual's access to that website or forum;",
      ),
      noTagging: d.channels.noTagging,
      personalInformation: d.channels.personalInformation,
      eventPhotography: d.channels.eventPhotography,
    },
  } satisfies Extra;
})();

const christChurch = (() => {
  const { rule } = seedRules('002');
  return {
    people: {
      appliesTo: rule(
        ['staff', 'governors', 'volunteers', 'contractors'],
        '2',
        'This policy applies to teachers, support staff, governors, volunteers and all who work on the school site.',
      ),
      mustAcknowledge: d.people.mustAcknowledge,
      roleTitles: d.people.roleTitles,
      responsibilities: d.people.responsibilities,
      publicationRestrictionSetters: d.people.publicationRestrictionSetters,
      publicationRestrictionSetterResponsibilities:
        d.people.publicationRestrictionSetterResponsibilities,
      conductStatements: rule(
        [
          {
            key: 'school_systems_only',
            text: 'I communicate with pupils only through the school’s systems.',
          },
          { key: 'personal_phone_private', text: 'I keep my personal phone number private.' },
          {
            key: 'no_personal_email',
            text: 'I never give my personal email address or other personal data to pupils or parents.',
          },
          {
            key: 'assume_public',
            text: 'I assume anything I write online could become public, whatever my privacy settings.',
          },
        ],
        '6',
        'Never give personal email addresses or other personal data to pupils or parents or any other party.',
      ),
    },
    channels: {
      accountRules: d.channels.accountRules,
      noTagging: d.channels.noTagging,
      personalInformation: d.channels.personalInformation,
      eventPhotography: d.channels.eventPhotography,
    },
  } satisfies Extra;
})();

const sacredHeart = (() => {
  const { rule } = seedRules('003');
  return {
    people: {
      appliesTo: rule(
        ['staff', 'governors', 'pupils', 'parents'],
        '3.3',
        'are defined as any teacher, member of support staff, pupil, parent of a pupil, governor or ex-pupil.',
      ),
      mustAcknowledge: d.people.mustAcknowledge,
      roleTitles: d.people.roleTitles,
      responsibilities: d.people.responsibilities,
      publicationRestrictionSetters: d.people.publicationRestrictionSetters,
      publicationRestrictionSetterResponsibilities:
        d.people.publicationRestrictionSetterResponsibilities,
      conductStatements: rule(
        [
          {
            key: 'school_email',
            text: 'I use my school email address for school business and my personal email address only for private correspondence.',
          },
          ...d.people.conductStatements.value.filter((s) => s.key !== 'official_channels'),
        ],
        '5.27',
        'Staff members will use their school email address for school business and personal email address for their private correspondence; the two should not be mixed.',
      ),
    },
    channels: {
      accountRules: d.channels.accountRules,
      noTagging: d.channels.noTagging,
      personalInformation: d.channels.personalInformation,
      eventPhotography: d.channels.eventPhotography,
    },
  } satisfies Extra;
})();

const johnClifford = (() => {
  const { rule } = seedRules('004');
  const PHOTOS = 'D';
  return {
    people: {
      appliesTo: rule(
        ['staff', 'governors', 'pupils', 'parents', 'visitors'],
        'B',
        'The use of social networking by staff and governors in a personal capacity',
        'Parts A, C and D cover pupils, parents and visitors.',
      ),
      mustAcknowledge: d.people.mustAcknowledge,
      roleTitles: d.people.roleTitles,
      responsibilities: d.people.responsibilities,
      publicationRestrictionSetters: d.people.publicationRestrictionSetters,
      publicationRestrictionSetterResponsibilities:
        d.people.publicationRestrictionSetterResponsibilities,
      conductStatements: rule(
        [
          {
            key: 'privacy_settings',
            text: 'I review and adjust my privacy settings to give the right level of privacy and confidentiality.',
          },
          {
            key: 'no_negative_comments',
            text: 'I do not post negative comments about the school, pupils, parents or colleagues, including governors.',
          },
        ],
        'B',
        'Staff should review and adjust their privacy settings to give them the appropriate level of privacy and confidentiality.',
      ),
    },
    channels: {
      accountRules: rule(
        d.channels.accountRules.value.map((a) => ({
          ...a,
          comments: 'one_way' as const,
          moderation: '',
        })),
        'C',
        'The school is unable to respond to comments and queries posted on school-managed social media websites.',
      ),
      noTagging: d.channels.noTagging,
      personalInformation: d.channels.personalInformation,
      eventPhotography: rule(
        [
          {
            label: 'Assemblies, Sports Day, outings, religious observances and fundraising events',
            photos: 'allowed',
            filming: 'allowed',
            when: 'Always in full view of all attending.',
            mayShareOtherChildren: false,
          },
        ],
        PHOTOS,
        'may be recorded by video and photographed by staff and parent/carers but always in full view of all attending.',
      ),
    },
  } satisfies Extra;
})();

/** The `people` and `channels` sections of each template, by template key. */
export const schoolWords: Readonly<Record<string, Extra>> = {
  'jump-primary': jump,
  'the-avenue-primary': avenue,
  'christ-church-hampstead': christChurch,
  'sacred-heart-rochdale': sacredHeart,
  'john-clifford-primary': johnClifford,
};
