/**
 * What a Bluesky account needs on the channel pages (issue 13), without the AT Protocol client:
 * the default service, a handle's shape and an app password's shape. An app password is what
 * Bluesky's settings make (four groups of four letters or digits); anything else is refused, so the
 * account's main password is never taken by mistake.
 */

export const BLUESKY_DEFAULT_SERVICE = 'https://bsky.social';

const APP_PASSWORD = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/;
// A domain name: labels of letters, digits and hyphens, a final label that is not all digits.
const HANDLE =
  /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The handle as the AT Protocol writes it (no @, lower case), or null when it is not one. */
export function blueskyHandle(value: string): string | null {
  const v = value.trim().replace(/^@/, '').toLowerCase();
  return HANDLE.test(v) ? v : null;
}

export function isBlueskyAppPassword(value: string): boolean {
  return APP_PASSWORD.test(value.trim().toLowerCase());
}

export const HANDLE_MISSING = 'Enter the account’s handle, for example oakfieldprimary.bsky.social';
export const HANDLE_WRONG =
  'Enter the handle as Bluesky shows it, for example oakfieldprimary.bsky.social';
export const APP_PASSWORD_MISSING =
  'Enter an app password made in Bluesky’s settings (Privacy and security, App passwords)';
export const APP_PASSWORD_WRONG =
  'That is not an app password. Make one in Bluesky’s settings (Privacy and security, App passwords): it looks like abcd-efgh-ijkl-mnop. Never enter the account’s own password';
