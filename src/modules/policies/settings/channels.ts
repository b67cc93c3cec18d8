/**
 * Policy settings, section `channels`: the rules for each kind of school account, naming and
 * tagging on platforms, what counts as personal information in a post's text, and parents' and
 * visitors' own photography at events (issue 15).
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `channels` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `channels.…`):
 * accountRules, noTagging, personalInformation, eventPhotography.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf } from './rules.ts';
import { label, slug, unique, uniqueArray } from './common.ts';

/** Kinds of school account (publishing's channel accounts). */
export const accountKinds = [
  'news',
  'social',
  'newsletter',
  'webhook',
  'wordpress',
  'bluesky',
] as const;
export const accountAudienceRules = ['public', 'approved_followers', 'either'] as const;
export const accountCommentRules = ['one_way', 'moderated', 'any'] as const;
export const accountFollowRules = ['nobody', 'official_accounts', 'anyone'] as const;

/** What the text checks treat as personal information (publishing's personal-details check). */
export const personalInformationKinds = [
  'phone',
  'email',
  'postcode',
  'address',
  'date_of_birth',
] as const;
export type PersonalInformationKind = (typeof personalInformationKinds)[number];

export const eventPhotographyRules = ['allowed', 'photo_opportunity_only', 'not_allowed'] as const;

export const accountRuleSchema = z.object({
  accountKind: z.enum(accountKinds).describe('Kind of account'),
  audience: z.enum(accountAudienceRules).describe('Who may see its posts'),
  comments: z.enum(accountCommentRules).describe('Comments and replies'),
  moderation: z.string().trim().max(300).describe('How comments are moderated'),
  mayBlock: z.string().trim().max(300).describe('Who may be blocked'),
  mayFollow: z.enum(accountFollowRules).describe('Whom the account may follow'),
  // The settings editor offers the school's responsibilities (by name) as the choices.
  posterResponsibilities: uniqueArray(slug).meta({
    description:
      'Responsibilities whose holders may post on it (besides the people named on the account)',
    optionsFrom: 'people.responsibilities',
  }),
  postersNeedTraining: z
    .boolean()
    .describe('People may post only once their social media training is up to date'),
});
export type AccountRule = z.infer<typeof accountRuleSchema>;

export const eventPhotographyRuleSchema = z.object({
  label: label.describe('Kind of event'),
  photos: z.enum(eventPhotographyRules).describe('Parents and visitors taking photos'),
  filming: z.enum(eventPhotographyRules).describe('Parents and visitors filming'),
  when: z.string().trim().max(300).describe('When, in the school’s words'),
  mayShareOtherChildren: z
    .boolean()
    .describe('They may share images showing children other than their own'),
});
export type EventPhotographyRule = z.infer<typeof eventPhotographyRuleSchema>;

const r = ruleSchema;

/** The `channels` section of the profile. */
export const channelsSettingsSchema = z.object({
  accountRules: r(
    z
      .array(accountRuleSchema)
      .max(20)
      .refine(
        (a) => unique(a.map((x) => x.accountKind)),
        'Give each kind of account one set of rules',
      ),
  ),
  noTagging: r(
    z.object({
      pupils: z.boolean().describe('Pupils are never tagged on platforms'),
      parents: z.boolean().describe('Parents are never tagged on platforms'),
    }),
  ),
  personalInformation: r(
    z.object({
      kinds: uniqueArray(z.enum(personalInformationKinds)).describe(
        'Details the text check looks for',
      ),
      phrases: uniqueArray(z.string().trim().min(2).max(80))
        .max(200)
        .describe('Other words or phrases that count as personal information'),
    }),
  ),
  eventPhotography: r(
    z
      .array(eventPhotographyRuleSchema)
      .max(30)
      .refine(
        (a) => unique(a.map((x) => x.label.toLowerCase())),
        'Each kind of event needs its own description',
      ),
  ),
});
export type ChannelsSettings = z.infer<typeof channelsSettingsSchema>;

/** Plain-English label for each `channels` rule, in display order. */
export const channelsLabels = {
  'channels.accountRules':
    'Rules for each kind of school account (audience, comments, following, who posts)',
  'channels.noTagging': 'Tagging pupils or parents on social media platforms',
  'channels.personalInformation': 'What counts as personal information in a post',
  'channels.eventPhotography': 'Parents’ and visitors’ own photos and filming at events',
} as const satisfies Record<RulePathOf<ChannelsSettings, 'channels.'>, string>;

/** Lanyard's own `channels` values, each citing 'Lanyard default' with the reason. */
export const channelsDefaults: ChannelsSettings = {
  accountRules: dflt(
    [
      {
        accountKind: 'social',
        audience: 'either',
        comments: 'moderated',
        moderation: 'Comments are read by the account’s keeper and hidden if unsuitable.',
        mayBlock: 'Anyone who posts abusive, offensive or identifying comments.',
        mayFollow: 'official_accounts',
        posterResponsibilities: ['publicity_poster'],
        postersNeedTraining: true,
      },
      {
        accountKind: 'bluesky',
        audience: 'public',
        comments: 'one_way',
        moderation: '',
        mayBlock: 'Anyone who replies abusively or identifies a pupil.',
        mayFollow: 'official_accounts',
        posterResponsibilities: ['publicity_poster'],
        postersNeedTraining: true,
      },
    ],
    'School accounts follow only official accounts, and only trained people post; comments are moderated or turned off.',
  ),
  noTagging: dflt(
    { pupils: true, parents: true },
    'Tagging links a child or family to the school account for anyone to follow.',
  ),
  personalInformation: dflt(
    { kinds: [...personalInformationKinds], phrases: [] },
    'Phone numbers, email and street addresses, postcodes and dates of birth identify a child.',
  ),
  eventPhotography: dflt(
    [
      {
        label: 'Plays, concerts and assemblies',
        photos: 'photo_opportunity_only',
        filming: 'not_allowed',
        when: 'At the photo opportunity after the performance.',
        mayShareOtherChildren: false,
      },
      {
        label: 'Sports day',
        photos: 'allowed',
        filming: 'allowed',
        when: 'Throughout, from the spectators’ area.',
        mayShareOtherChildren: false,
      },
    ],
    'Families may keep images of their own child; images of other children are not theirs to share.',
  ),
};

/** Words for the choices these settings offer (the settings editor and pages). */
export const channelsOptionLabels: Readonly<Record<string, string>> = {
  news: 'The school’s news page',
  social: 'Social media page (Facebook, Instagram, X)',
  newsletter: 'Newsletter',
  webhook: 'Connected service (webhook)',
  wordpress: 'WordPress website',
  bluesky: 'Bluesky',
  public: 'Anyone',
  approved_followers: 'Only followers the school has approved',
  either: 'Either',
  one_way: 'One-way: no comments or replies',
  moderated: 'Comments allowed, moderated',
  any: 'Comments allowed',
  nobody: 'Nobody',
  official_accounts: 'Official accounts only (schools, the council, services)',
  anyone: 'Anyone',
  phone: 'Phone numbers',
  email: 'Email addresses',
  postcode: 'Postcodes',
  address: 'Street addresses',
  date_of_birth: 'Dates of birth',
  allowed: 'Allowed',
  photo_opportunity_only: 'Only at a photo opportunity',
  not_allowed: 'Not allowed',
};
