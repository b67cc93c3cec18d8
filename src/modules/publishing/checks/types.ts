/**
 * Pre-publication checks (SPEC §3.5): the shapes the publishing flow hands in and gets back.
 *
 * The checks are pure: the caller reads everything they need (the roll, the media items and their
 * renditions, the consent answers at publish time, the author's permissions, the profile) and the
 * checks only read what they are given. Every result names the profile rule it rests on, with the
 * school's own citation for it.
 */
import type {
  Citation,
  MediaType,
  PolicyRole,
  PolicySettings,
  PublicationCheckKey,
  RulePath,
} from '../../policies/index.ts';

/**
 * Every check, in the order they run and are shown. The profile's overridable-check list
 * (`publishing.overridableChecks`) can name the first seven; the last three can never be
 * overridden (a quarantined item, a poster the profile does not allow, a post the channel
 * would refuse).
 */
export const checkKeys = [
  'consent',
  'faces_outnumber_tags',
  'full_name',
  'personal_details',
  'swimwear',
  'quarantine',
  'reminder_permission',
  'designated_poster',
  'tone',
  'channel_limits',
] as const;
export type CheckKey = (typeof checkKeys)[number];

/** Plain-English name of each check, for pages and emails. */
export const checkLabels: Readonly<Record<CheckKey, string>> = {
  consent: 'Consent for every pupil in the photos',
  faces_outnumber_tags: 'Faces without a tagged pupil',
  full_name: 'Pupils’ names',
  personal_details: 'Personal details',
  swimwear: 'Swimwear',
  quarantine: 'Photos from unapproved devices',
  reminder_permission: 'Permission for a reminder to parents',
  designated_poster: 'Who may post photos',
  tone: 'Tone',
  channel_limits: 'The channel’s limits',
};

export type CheckOutcome = 'pass' | 'warning' | 'fail';

export interface CheckFinding {
  /** Where it was found: 'title', 'text', or the alt text of a media item ('alt:<mediaId>'). */
  where: string;
  /** Character offsets into that field (UTF-16, end exclusive), for highlighting. */
  start: number;
  end: number;
  /** The words found, as written. */
  excerpt: string;
}

export interface CheckResult {
  key: CheckKey;
  /** The channel a per-channel check is about (consent, faces, limits); null for the whole post. */
  channelId: string | null;
  outcome: CheckOutcome;
  /** One plain-English sentence, shown to the author and the approver. */
  sentence: string;
  /** The profile rule the check applies, or null for a limit the channel itself sets. */
  rule: RulePath | null;
  /** The school's own citation for that rule (null with `rule`). */
  citation: Citation | null;
  /**
   * The profile lets the approver override this check with a written reason
   * (`publishing.overridableChecks`). Never true for a check that could not run.
   */
  overridable: boolean;
  /** True when the check could not run and so failed closed. */
  couldNotRun: boolean;
  /** What was found and where (empty when it passes). */
  findings: CheckFinding[];
  /** The pupils the result is about (e.g. those without consent); staff-only. */
  pupilIds: string[];
  /** The media items the result is about. */
  mediaIds: string[];
}

/** A pupil on the roll, leavers included. */
export interface RollPupil {
  id: string;
  givenName: string;
  familyName: string;
  /** The name the pupil is known by, if different from the given name. */
  preferredName?: string | null;
  /** The surname the pupil is known by, if different from the family name. */
  preferredFamilyName?: string | null;
}

/** The whole roll of one school, with a version that changes whenever a name does. */
export interface Roll {
  schoolId: string;
  /** Any string that changes when a pupil is added or renamed (e.g. max(updated_at) and count). */
  version: string;
  pupils: readonly RollPupil[];
}

/** A publishable copy of one media item for one consent purpose. */
export interface RenditionForChecks {
  purpose: string;
  /** 'failed' or 'missing' make the face check fail closed for that purpose. */
  status: 'ready' | 'failed' | 'missing';
  /** Every face not tagged to a pupil is blurred in this rendition. */
  blursEveryUntaggedFace: boolean;
}

export interface MediaForChecks {
  id: string;
  kind: MediaType;
  /** How the item is named in sentences, e.g. 'Photo 2' (never a pupil's name). */
  label: string;
  /** The library item's state; anything but 'ready' fails closed. */
  status: 'ready' | 'processing' | 'failed';
  altText: string;
  /** Pupils tagged in the item (whole-item tags and face tags, without repeats). */
  taggedPupilIds: readonly string[];
  /** Faces the detector found or staff drew; null when not analysed (videos). */
  faceCount: number | null;
  swimwear: boolean;
  quarantined: boolean;
  renditions: readonly RenditionForChecks[];
}

export interface ChannelLimits {
  /** Longest text in graphemes (user-perceived characters), or null for no limit. */
  maxGraphemes: number | null;
  /** The title is counted with the text (a title line, then a blank line, then the text). */
  titleCountsTowardsText: boolean;
  maxImages: number | null;
  maxVideos: number | null;
  /** Longest alt text in graphemes, or null. */
  maxAltTextGraphemes: number | null;
}

export interface ChannelForChecks {
  /** The channel or account's id. */
  id: string;
  /** How it is named to people: 'School website news', 'Bluesky @oakfield.sch.uk'. */
  label: string;
  /** The consent purpose this channel maps to (a key of `consent.purposes`). */
  purpose: string;
  limits: ChannelLimits;
  /**
   * How the account is set up (publishing's channel account), checked against the profile's
   * rules for its kind (`channels.accountRules`). Absent: nothing to check.
   */
  account?: {
    /** 'news' | 'social' | 'newsletter' | 'webhook' | 'wordpress' | 'bluesky' */
    kind: string;
    /** 'public' | 'approved_followers' */
    audience: string;
    /** 'off' | 'on_moderated' | 'on_unmoderated' */
    comments: string;
  };
}

/**
 * The consent register's answer for one pupil, purpose and media type at publish time (the
 * consent module's `ConsentAnswer` fits). A tagged pupil without an answer fails closed.
 */
export interface ConsentForChecks {
  pupilId: string;
  purpose: string;
  mediaType: MediaType;
  allowed: boolean;
  /** The register's own plain sentence for the answer (not shown when `neverPublish`). */
  reason: string;
  /** A per-pupil "never publish" restriction; overrides every answer, its reason is not shown. */
  neverPublish?: boolean;
}

export interface AuthorForChecks {
  staffId: string;
  roles: readonly PolicyRole[];
  /** Named by the school as a person who may post photos for agreed publicity. */
  designatedForPublicity: boolean;
  /** Holds a current, granted reminder-post permission (`conduct.permissionTypes.reminder_post`). */
  reminderPermissionHeld: boolean;
}

/** The school's own published contact details: not a pupil's personal details. */
export interface SchoolContacts {
  phones: readonly string[];
  emails: readonly string[];
  /** Email domains of the school (e.g. 'oakfield.sch.uk'): any address there is the school's. */
  emailDomains: readonly string[];
  postcodes: readonly string[];
  /** Street addresses as written, e.g. '12 Mill Lane'. */
  addresses: readonly string[];
}

/** As stored on the post: a reminder to parents may need a permission first. */
export type PostKind = 'standard' | 'reminder_to_parents';

export interface PostForChecks {
  kind: PostKind;
  title: string;
  text: string;
  media: readonly MediaForChecks[];
  channels: readonly ChannelForChecks[];
  author: AuthorForChecks;
  /** Answers for every tagged pupil × channel purpose × media type in the post. */
  consent: readonly ConsentForChecks[];
  /** Pupils with a current written permission to be named with a photo (for these purposes). */
  namingPermission: ReadonlySet<string>;
  schoolContacts: SchoolContacts;
}

/** Everything `runChecks` reads. */
export interface ChecksInput {
  settings: PolicySettings;
  roll: Roll;
  post: PostForChecks;
}

export type { PublicationCheckKey };
