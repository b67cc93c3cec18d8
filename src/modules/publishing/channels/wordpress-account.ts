/**
 * What the channel pages ask of a WordPress site (issue 13): its address, the WordPress user
 * Lanyard posts as, an Application Password made for Lanyard alone (never the user's own
 * password) and the category posts go in. The sentences are the form's error messages.
 */

export const SITE_MISSING = 'Enter the address of the school’s WordPress site';
export const USER_MISSING = 'Enter the WordPress user name Lanyard posts as';
export const CATEGORY_MISSING = 'Enter the category posts go in, as WordPress names it';
export const APPLICATION_PASSWORD_MISSING =
  'Enter the application password WordPress made for Lanyard';
export const APPLICATION_PASSWORD_WRONG =
  'Enter the application password exactly as WordPress showed it: 24 letters and numbers, in six groups of four. Never enter the user’s own password';

/**
 * An Application Password as WordPress shows it (`abcd EFGH 1234 ijkl MNOP 5678`), spaces
 * optional: 24 letters and digits. A person's own password almost never has that shape, so
 * one entered by mistake is refused rather than stored.
 */
export function isWordPressApplicationPassword(value: string): boolean {
  return /^[A-Za-z0-9]{24}$/.test(value.replace(/\s+/g, ''));
}

/** The password as stored: without the spaces WordPress shows for reading. */
export function normaliseApplicationPassword(value: string): string {
  return value.replace(/\s+/g, '');
}
