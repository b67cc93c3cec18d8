import { z } from 'zod';
import type { FieldErrors } from '../../../errors.ts';
import { parseForm, type FormResult } from '../../../web/forms.ts';
import {
  APP_PASSWORD_MISSING,
  APP_PASSWORD_WRONG,
  BLUESKY_DEFAULT_SERVICE,
  blueskyHandle,
  HANDLE_MISSING,
  HANDLE_WRONG,
  isBlueskyAppPassword,
} from '../channels/bluesky-account.ts';
import {
  APPLICATION_PASSWORD_MISSING,
  APPLICATION_PASSWORD_WRONG,
  CATEGORY_MISSING,
  isWordPressApplicationPassword,
  normaliseApplicationPassword,
  SITE_MISSING,
  USER_MISSING,
} from '../channels/wordpress-account.ts';

/** The kinds of channel a school adds itself (the news page is built in). */
export const addableKinds = ['social', 'newsletter', 'webhook', 'bluesky', 'wordpress'] as const;
export type AddableKind = (typeof addableKinds)[number];

export const kindLabels: Record<string, string> = {
  news: 'The school’s news page',
  social: 'Social media account',
  newsletter: 'Newsletter',
  webhook: 'Webhook (another system receives each post)',
  wordpress: 'WordPress website',
  bluesky: 'Bluesky account',
};

export const kindHints: Record<AddableKind, string> = {
  social:
    'A school account on Facebook, Instagram, X or another site. Lanyard keeps the register; staff still post on the site itself.',
  newsletter: 'The school’s newsletter to parents and carers.',
  webhook:
    'Lanyard sends each published post, signed, to an address you give (for example a parish or trust website), and tells it when a post is taken down.',
  wordpress:
    'Lanyard posts to the school’s WordPress website itself, with its photos, using an application password made in WordPress, and takes a post down when it must come down.',
  bluesky:
    'Lanyard posts to the school’s Bluesky account itself, with an app password made in Bluesky’s settings, and deletes a post that must come down.',
};

export const audiences = ['public', 'approved_followers'] as const;
export const audienceLabels: Record<string, string> = {
  public: 'Anyone (public)',
  approved_followers: 'Only followers the school has approved',
};

export const commentOptions = ['off', 'on_moderated', 'on_unmoderated'] as const;
export const commentLabels: Record<string, string> = {
  off: 'Comments are turned off',
  on_moderated: 'Comments are on and moderated',
  on_unmoderated: 'Comments are on and not moderated',
};

/**
 * The longest post (characters) and most photos of well-known platforms, used when the school
 * leaves them blank. These are the platforms' own limits, not school policy.
 */
export const platformLimits: Record<string, { maxLength: number; maxImages: number }> = {
  facebook: { maxLength: 63_206, maxImages: 10 },
  instagram: { maxLength: 2_200, maxImages: 10 },
  x: { maxLength: 280, maxImages: 4 },
  twitter: { maxLength: 280, maxImages: 4 },
  linkedin: { maxLength: 3_000, maxImages: 9 },
  threads: { maxLength: 500, maxImages: 10 },
  bluesky: { maxLength: 300, maxImages: 4 },
  mastodon: { maxLength: 500, maxImages: 4 },
};

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((v) => (v ? v : null));

const optionalCount = (label: string, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d{1,7}$/.test(v.replace(/,/g, ''))) {
        ctx.addIssue({ code: 'custom', message: `${label} must be a whole number` });
        return z.NEVER;
      }
      const n = Number(v.replace(/,/g, ''));
      if (n < 1 || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${label} must be between 1 and ${max.toLocaleString('en-GB')}`,
        });
        return z.NEVER;
      }
      return n;
    });

const uuidOrBlank = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!z.uuid().safeParse(v).success) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return v;
    });

/**
 * Adding a channel: the fields of every kind; `channelInput` checks which the kind needs. The
 * credential field is an API token or signing secret, never an account password.
 */
export const channelForm = z.object({
  kind: z.enum(addableKinds, { error: 'Select the kind of channel' }),
  name: z
    .string({ error: 'Enter a name for the channel' })
    .trim()
    .min(1, 'Enter a name for the channel')
    .max(80, 'The name must be 80 characters or fewer'),
  platform: optionalText(40, 'The platform must be 40 characters or fewer'),
  handle: optionalText(100, 'The account name must be 100 characters or fewer'),
  purposeKey: z
    .string({ error: 'Select what the channel is used for' })
    .trim()
    .min(1, 'Select what the channel is used for'),
  audience: z.enum(audiences, { error: 'Select who can see the posts' }),
  comments: z.enum(commentOptions, { error: 'Select whether people can comment' }),
  moderation: optionalText(500, 'How comments are moderated must be 500 characters or fewer'),
  custodianId: uuidOrBlank('Select who keeps the account’s credentials'),
  endpointUrl: optionalText(2000, 'The address must be 2,000 characters or fewer'),
  credential: optionalText(2000, 'The token or secret must be 2,000 characters or fewer'),
  /** A WordPress site's category, by name. */
  category: optionalText(200, 'The category must be 200 characters or fewer'),
  maxLength: optionalCount('The longest post', 100_000),
  maxImages: optionalCount('The most photos in a post', 100),
});
/** A channel to add; `category` only for a WordPress site. */
export type ChannelInput = Omit<z.output<typeof channelForm>, 'category'> & {
  category?: string | null;
};

/**
 * The channel form with what each kind needs (a social account's platform and name, a
 * webhook's address, how moderated comments are moderated), every problem at once: the rules
 * that depend on other answers are checked on the raw answers, beside the fields' own.
 */
export function parseChannelForm(body: unknown): FormResult<ChannelInput> {
  const base = parseForm(channelForm, body);
  const raw = (body ?? {}) as Record<string, unknown>;
  const given = (k: string) => typeof raw[k] === 'string' && (raw[k] as string).trim() !== '';
  const extra: FieldErrors = {};
  if (raw.kind === 'social') {
    if (!given('platform')) extra.platform = 'Enter the platform, for example Facebook';
    if (!given('handle'))
      extra.handle = 'Enter the account’s name on the platform, for example @oakfieldprimary';
  }
  if (raw.comments === 'on_moderated' && !given('moderation'))
    extra.moderation = 'Say how comments are moderated, and by whom';
  if (raw.kind === 'webhook' && !given('endpointUrl'))
    extra.endpointUrl = 'Enter the address to send posts to';
  if (raw.kind === 'bluesky') {
    // The handle and an app password (never the main password); the server defaults to bsky.social.
    if (!given('handle')) extra.handle = HANDLE_MISSING;
    else if (!blueskyHandle(raw.handle as string)) extra.handle = HANDLE_WRONG;
    if (!given('credential')) extra.credential = APP_PASSWORD_MISSING;
    else if (!isBlueskyAppPassword(raw.credential as string)) extra.credential = APP_PASSWORD_WRONG;
    if (base.ok && Object.keys(extra).length === 0)
      return {
        ...base,
        value: {
          ...base.value,
          handle: blueskyHandle(base.value.handle!),
          credential: base.value.credential!.toLowerCase(),
          endpointUrl: base.value.endpointUrl ?? BLUESKY_DEFAULT_SERVICE,
          // Bluesky's own limits, which a school may lower but not raise.
          maxLength: Math.min(base.value.maxLength ?? 300, 300),
          maxImages: Math.min(base.value.maxImages ?? 4, 4),
        },
      };
  }
  if (raw.kind === 'wordpress') {
    // The site, the user, an application password (never the user's own) and the category.
    if (!given('endpointUrl')) extra.endpointUrl = SITE_MISSING;
    if (!given('handle')) extra.handle = USER_MISSING;
    if (!given('category')) extra.category = CATEGORY_MISSING;
    if (!given('credential')) extra.credential = APPLICATION_PASSWORD_MISSING;
    else if (!isWordPressApplicationPassword(raw.credential as string))
      extra.credential = APPLICATION_PASSWORD_WRONG;
    if (base.ok && Object.keys(extra).length === 0)
      return {
        ...base,
        value: { ...base.value, credential: normaliseApplicationPassword(base.value.credential!) },
      };
  }
  if (base.ok && Object.keys(extra).length === 0) return base;
  return { ok: false, errors: { ...extra, ...(base.ok ? {} : base.errors) }, values: raw };
}

/** Replacing an API token or signing secret (blank on a webhook: Lanyard makes a new one). */
export const credentialForm = z.object({
  credential: optionalText(2000, 'The token or secret must be 2,000 characters or fewer'),
  confirm: z.literal('yes', { error: 'Confirm that the old token or secret stops working' }),
});

/** Stopping using a channel must be confirmed (an empty post does nothing). */
export const deactivateForm = z.object({
  stop: z.literal('yes', { error: 'Confirm that the school no longer uses this channel' }),
});

/** Adding a person authorised to post to the account. */
export const posterForm = z.object({
  staffId: z.uuid({ error: 'Select a member of staff' }),
});

/** A hand-over of the account's credentials (the custodian's record): to whom, when, why. */
export const handoverForm = z.object({
  toStaffId: z.uuid({ error: 'Select who now keeps the credentials' }),
  reason: z
    .string({ error: 'Enter why the credentials were handed over' })
    .trim()
    .min(1, 'Enter why the credentials were handed over')
    .max(500, 'The reason must be 500 characters or fewer'),
});
export type HandoverInput = z.output<typeof handoverForm>;

/**
 * Changing a channel's details after it was added. The kind stays; the credentials keep their own
 * forms (a new token, a hand-over to a new custodian). A Bluesky account's handle and server and a
 * WordPress site's address and user go with their password, so they are not changed here: adding
 * the other account as a new channel keeps each credential with the account it was made for.
 */
export const editChannelForm = channelForm.omit({
  kind: true,
  custodianId: true,
  credential: true,
});
export type ChannelEdit = z.output<typeof editChannelForm>;

/** Which of the details each kind of channel lets the school change. */
export const editableFields: Record<string, readonly (keyof ChannelEdit)[]> = {
  news: ['name', 'purposeKey', 'audience', 'comments', 'moderation', 'maxLength', 'maxImages'],
  newsletter: ['name', 'purposeKey', 'audience', 'comments', 'moderation'],
  social: [
    'name',
    'platform',
    'handle',
    'purposeKey',
    'audience',
    'comments',
    'moderation',
    'maxLength',
    'maxImages',
  ],
  webhook: [
    'name',
    'endpointUrl',
    'purposeKey',
    'audience',
    'comments',
    'moderation',
    'maxLength',
    'maxImages',
  ],
  wordpress: [
    'name',
    'category',
    'purposeKey',
    'audience',
    'comments',
    'moderation',
    'maxLength',
    'maxImages',
  ],
  bluesky: ['name', 'purposeKey', 'audience', 'comments', 'moderation', 'maxLength', 'maxImages'],
};

/** The edit form for a channel of `kind`, with what that kind needs, every problem at once. */
export function parseEditForm(kind: string, body: unknown): FormResult<ChannelEdit> {
  const base = parseForm(editChannelForm, body);
  const raw = (body ?? {}) as Record<string, unknown>;
  const given = (k: string) => typeof raw[k] === 'string' && (raw[k] as string).trim() !== '';
  const extra: FieldErrors = {};
  if (kind === 'social') {
    if (!given('platform')) extra.platform = 'Enter the platform, for example Facebook';
    if (!given('handle'))
      extra.handle = 'Enter the account’s name on the platform, for example @oakfieldprimary';
  }
  if (raw.comments === 'on_moderated' && !given('moderation'))
    extra.moderation = 'Say how comments are moderated, and by whom';
  if (kind === 'webhook' && !given('endpointUrl'))
    extra.endpointUrl = 'Enter the address to send posts to';
  if (kind === 'wordpress' && !given('category')) extra.category = CATEGORY_MISSING;
  if (base.ok && Object.keys(extra).length === 0) {
    if (kind !== 'bluesky') return base;
    // Bluesky's own limits, which a school may lower but not raise.
    return {
      ...base,
      value: {
        ...base.value,
        maxLength: Math.min(base.value.maxLength ?? 300, 300),
        maxImages: Math.min(base.value.maxImages ?? 4, 4),
      },
    };
  }
  return { ok: false, errors: { ...extra, ...(base.ok ? {} : base.errors) }, values: raw };
}
