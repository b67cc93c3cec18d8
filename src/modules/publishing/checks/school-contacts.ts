/**
 * The school's own contact details, as the personal-details check allows them: read from the
 * school record (School contact details page, kept by the Headteacher).
 */
import type { SchoolContacts } from './types.ts';

/** Mailbox providers shared by the public: an address there is never the school's by domain. */
const SHARED_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'live.co.uk',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'icloud.com',
  'me.com',
  'aol.com',
  'btinternet.com',
  'sky.com',
  'talktalk.net',
  'virginmedia.com',
  'protonmail.com',
  'proton.me',
]);

export interface SchoolRecordContacts {
  phone: string | null;
  email: string | null;
  /** Lines of the street address, without the postcode. */
  address: string | null;
  postcode: string | null;
}

/**
 * The school's phone, email, postcode and address as the check compares them. The email's domain
 * counts as the school's (the Headteacher's or the office's other addresses there) unless it is a
 * shared mailbox provider. The address is given whole (its lines joined), so a post's "12 Mill
 * Lane" is found inside it, but a pupil's "3 Oakfield Road" does not match the town alone.
 */
export function schoolContactsFrom(
  school: SchoolRecordContacts | null | undefined,
): SchoolContacts {
  const phones = school?.phone ? [school.phone] : [];
  const email = school?.email?.trim().toLowerCase() ?? '';
  const domain = email.includes('@') ? email.slice(email.lastIndexOf('@') + 1) : '';
  const address = (school?.address ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(', ');
  return {
    phones,
    emails: email ? [email] : [],
    emailDomains: domain && !SHARED_MAIL_DOMAINS.has(domain) ? [domain] : [],
    postcodes: school?.postcode ? [school.postcode] : [],
    addresses: address ? [address] : [],
  };
}
