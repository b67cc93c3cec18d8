/**
 * Platform guidance (issue 14 item 8): how to report on each platform, as
 * Lanyard ships it. A school may replace any page with its own text (guidance.service.ts); these
 * are the words it starts from, checked against each platform's help centre on `lastChecked`.
 * Platforms change their menus often: the steps say where to look, not which pixel to press.
 */

/** The pages, in the order they are listed. CEOP is where to report, not a platform. */
export const guidancePlatforms = [
  'facebook',
  'instagram',
  'tiktok',
  'x',
  'youtube',
  'snapchat',
  'whatsapp',
  'ceop',
] as const;
export type GuidancePlatform = (typeof guidancePlatforms)[number];

export const isGuidancePlatform = (v: unknown): v is GuidancePlatform =>
  typeof v === 'string' && (guidancePlatforms as readonly string[]).includes(v);

/** What a platform is called on a page. */
export const platformLabels: Record<GuidancePlatform, string> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  tiktok: 'TikTok',
  x: 'X (formerly Twitter)',
  youtube: 'YouTube',
  snapchat: 'Snapchat',
  whatsapp: 'WhatsApp',
  ceop: 'CEOP (Child Exploitation and Online Protection)',
};

export interface GuidanceLink {
  text: string;
  url: string;
}

/** One guidance page's content: no Markdown, no HTML; each step is one plain sentence or two. */
export interface GuidanceContent {
  summary: string;
  steps: string[];
  links: GuidanceLink[];
}

/** When Lanyard's text was last checked against the platforms' own help pages. */
export const lanyardGuidanceCheckedOn = '2026-11-30';

/** Said on every page before the steps (keep a copy before anything is removed, as the profile's `incidents.keepEvidence` asks). */
const keepCopy =
  'Before you report, take screenshots that show the content, the account name, the date and the web address, and add them to the report in Lanyard. Do not reply to or share the content.';

export const defaultGuidance: Record<GuidancePlatform, GuidanceContent> = {
  facebook: {
    summary:
      'Facebook reviews reports against its Community Standards. The person who posted is not told who reported them.',
    steps: [
      keepCopy,
      'To report a post or comment, select the three dots (…) beside it, then choose the option to report it (for example “Find support or report”).',
      'Choose the reason that fits best, such as bullying or harassment, and follow the steps on screen.',
      'To report a profile or a page, open it, select the three dots (…) and choose the option to report it.',
      'If the account belongs to a child under 13, say so in the report: Facebook does not allow accounts for under-13s.',
      'You can block the person so they cannot contact you or see your profile.',
      'Write down the date you reported it, and check back: Facebook tells you the outcome in your Support Inbox.',
    ],
    links: [
      {
        text: 'Facebook Help Centre: how to report things',
        url: 'https://www.facebook.com/help/1753719584844061',
      },
      {
        text: 'Meta Community Standards',
        url: 'https://transparency.meta.com/policies/community-standards/',
      },
    ],
  },
  instagram: {
    summary:
      'Instagram reviews reports against its Community Guidelines. Reports are anonymous, except for reports about intellectual property.',
    steps: [
      keepCopy,
      'To report a post, select the three dots (…) on the post, choose “Report” and follow the steps on screen.',
      'To report a comment, press and hold it (or swipe left on it on some phones), then choose to report it.',
      'To report an account, open its profile, select the three dots (…) and choose “Report”.',
      'To report a direct message, press and hold the message and choose “Report”.',
      'You can block or restrict the account so it can no longer contact you.',
      'If you do not have an Instagram account, the Help Centre has a form to report abuse.',
    ],
    links: [
      { text: 'Instagram Help Centre', url: 'https://help.instagram.com/' },
      {
        text: 'Instagram: report something on the web',
        url: 'https://help.instagram.com/519598734752872',
      },
    ],
  },
  tiktok: {
    summary:
      'TikTok reviews reports against its Community Guidelines. The person you report is not told who reported them.',
    steps: [
      keepCopy,
      'To report a video, press and hold on the video (or select the Share arrow), choose “Report” and follow the steps on screen.',
      'To report a comment, press and hold it and choose “Report”.',
      'To report an account, open its profile, select the Share or three-dot button and choose “Report”.',
      'To report a direct message, press and hold the message and choose “Report”.',
      'You can block the account, and turn on comment filters for your own account.',
      'If you cannot use the app, TikTok has a form on its website for reporting a problem.',
    ],
    links: [
      {
        text: 'TikTok: report a problem',
        url: 'https://support.tiktok.com/en/safety-hc/report-a-problem',
      },
      { text: 'TikTok Community Guidelines', url: 'https://www.tiktok.com/community-guidelines' },
    ],
  },
  x: {
    summary:
      'X reviews reports against its rules on abuse and harassment. You can report a post, an account or a direct message.',
    steps: [
      keepCopy,
      'To report a post, select the three dots (…) on the post, choose “Report post” and follow the steps on screen.',
      'To report an account, open its profile, select the three dots (…) and choose “Report”.',
      'To report a direct message, open the conversation, press and hold (or hover over) the message and choose to report it.',
      'You can add more posts from the same account to one report.',
      'You can block or mute the account.',
    ],
    links: [
      {
        text: 'X Help Centre: report abusive behaviour',
        url: 'https://help.x.com/en/safety-and-security/report-abusive-behavior',
      },
      { text: 'X rules', url: 'https://help.x.com/en/rules-and-policies/x-rules' },
    ],
  },
  youtube: {
    summary: 'YouTube reviews reports against its Community Guidelines. Reports are anonymous.',
    steps: [
      keepCopy,
      'To report a video, select the three dots (…) under or beside the video, choose “Report” and pick the reason that fits best.',
      'To report a comment, select the three dots (…) beside the comment and choose “Report”.',
      'To report a channel, open the channel’s “About” section and choose “Report user”.',
      'Give the time in the video where the problem is, if the form asks for it.',
      'If a video breaks someone’s privacy, YouTube has a separate privacy complaint process in its Help Centre.',
    ],
    links: [
      {
        text: 'YouTube Help: report inappropriate content',
        url: 'https://support.google.com/youtube/answer/2802027',
      },
      {
        text: 'YouTube Community Guidelines',
        url: 'https://www.youtube.com/howyoutubeworks/policies/community-guidelines/',
      },
    ],
  },
  snapchat: {
    summary:
      'Snaps and chats can disappear, so take screenshots first. Snapchat reviews reports against its Community Guidelines, and reporting is confidential.',
    steps: [
      keepCopy,
      'To report a Snap or a Story, press and hold on it and choose “Report”, then follow the steps on screen.',
      'To report an account, press and hold on the person’s name, choose “More” (or the three dots) and then “Report”.',
      'To report a chat message, press and hold the message and choose “Report”.',
      'You can also report a safety concern through Snapchat’s support website without using the app.',
      'You can remove or block the person.',
    ],
    links: [
      {
        text: 'Snapchat: report a safety concern',
        url: 'https://values.snap.com/safety/safety-reporting',
      },
      { text: 'Snapchat Support', url: 'https://help.snapchat.com/' },
    ],
  },
  whatsapp: {
    summary:
      'WhatsApp messages are end-to-end encrypted: when you report someone, WhatsApp receives the last few messages they sent you. The person is not told.',
    steps: [
      keepCopy,
      'To report a contact, open the chat, select the contact’s name at the top, then choose “Report” (you can also block them at the same time).',
      'To report a single message, press and hold the message and choose “Report”.',
      'To report a group, open the group, select its name at the top and choose “Report group”.',
      'Blocking someone stops their messages and calls; it does not remove them from your contacts.',
      'Keep the chat: do not delete it before the school has a copy, since WhatsApp does not keep messages on its servers.',
    ],
    links: [
      {
        text: 'WhatsApp Help Centre: blocking and reporting',
        url: 'https://faq.whatsapp.com/414631957536067',
      },
    ],
  },
  ceop: {
    summary:
      'CEOP is part of the National Crime Agency. Report to CEOP when a child is being sexually abused or groomed online, or someone is pressuring them into sexual contact. If a child is in immediate danger, call 999.',
    steps: [
      'If a child is in immediate danger, call 999 now.',
      'Tell the Designated Safeguarding Lead straight away. Do not investigate, and do not view, copy, print, share or keep any image: the DSL decides the next step with the police.',
      'The child, a parent or a member of staff can make a CEOP report online. Choose “Make a report” on the CEOP website and answer the questions.',
      'Say who the child is, what happened, where online it happened and the usernames involved, as far as you know them.',
      'A CEOP Child Protection Advisor reads every report and will contact the person who made it.',
      'Where a nude or semi-nude image of a child is online, the young person can use Report Remove (Childline and the Internet Watch Foundation) to have it taken down.',
    ],
    links: [
      { text: 'CEOP: make a report', url: 'https://www.ceop.police.uk/ceop-reporting/' },
      {
        text: 'Internet Watch Foundation: report child sexual abuse images',
        url: 'https://report.iwf.org.uk/',
      },
      {
        text: 'Report Harmful Content (UK Safer Internet Centre)',
        url: 'https://reportharmfulcontent.com/',
      },
    ],
  },
};

/** Other names people write for each platform (a report's platform may be free text). */
const aliases: [GuidancePlatform, RegExp][] = [
  ['facebook', /\b(facebook|fb|messenger)\b/i],
  ['instagram', /\b(instagram|insta|ig)\b/i],
  ['tiktok', /\btik\s*-?\s*tok\b/i],
  ['x', /\b(twitter|tweet|x\.com|x)\b/i],
  ['youtube', /\b(youtube|you\s+tube|youtu\.be)\b/i],
  ['snapchat', /\b(snapchat|snap)\b/i],
  ['whatsapp', /\b(whats\s*app)\b/i],
  ['ceop', /\bceop\b/i],
];

/**
 * The guidance page for what a report or a playbook step names as the platform: a key of
 * `guidancePlatforms` ('facebook'), a name ("Facebook group", "Twitter") or a web address
 * ("https://www.tiktok.com/@someone"). Null when it names none of them.
 */
export function guidanceFor(platformText: string | null | undefined): GuidancePlatform | null {
  if (!platformText) return null;
  const text = platformText.trim();
  if (isGuidancePlatform(text.toLowerCase())) return text.toLowerCase() as GuidancePlatform;
  const host = /^https?:\/\/([^/?#]+)/i
    .exec(text)?.[1]
    ?.toLowerCase()
    .replace(/^www\.|^m\./, '');
  if (host) {
    if (host === 'fb.com' || host.endsWith('facebook.com')) return 'facebook';
    if (host.endsWith('instagram.com')) return 'instagram';
    if (host.endsWith('tiktok.com')) return 'tiktok';
    if (host === 'x.com' || host.endsWith('twitter.com')) return 'x';
    if (host.endsWith('youtube.com') || host === 'youtu.be') return 'youtube';
    if (host.endsWith('snapchat.com')) return 'snapchat';
    if (host.endsWith('whatsapp.com')) return 'whatsapp';
    return null;
  }
  for (const [platform, pattern] of aliases) if (pattern.test(text)) return platform;
  return null;
}

/** The link to the guidance page for that platform, or null (a helper for the case page). */
export function guidanceHrefFor(platformText: string | null | undefined): string | null {
  const platform = guidanceFor(platformText);
  return platform ? `/incidents/guidance/${platform}` : null;
}

/** Whether a playbook step's key asks for the platform's guidance ("report_to_platform" …). */
export const stepNeedsGuidance = (stepKey: string): boolean =>
  /platform|provider|host/.test(stepKey);
