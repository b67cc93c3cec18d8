/**
 * Personal details in a text: UK phone numbers (libphonenumber-js, Google's metadata), email
 * addresses, UK postcodes (the `postcode` package's corpus pattern), street addresses and dates
 * of birth. The school's own published contact details are not personal details and are skipped.
 */
import { checkLibraries } from './libraries.ts';
import type { SchoolContacts } from './types.ts';

export type DetailKind = 'phone' | 'email' | 'postcode' | 'address' | 'date_of_birth';

export const detailNames: Readonly<Record<DetailKind, string>> = {
  phone: 'a phone number',
  email: 'an email address',
  postcode: 'a postcode',
  address: 'a street address',
  date_of_birth: 'a date of birth',
};

export interface DetailHit {
  kind: DetailKind;
  start: number;
  end: number;
}

/** The school's contacts, normalised once for comparison. */
export interface KnownContacts {
  phones: ReadonlySet<string>;
  emails: ReadonlySet<string>;
  emailDomains: readonly string[];
  postcodes: ReadonlySet<string>;
  addresses: readonly string[];
}

function digits(s: string): string {
  return s.replace(/\D/g, '');
}

/** Compare UK numbers by their national significant digits ('+44 1632…' = '01632…'). */
function phoneKey(s: string): string {
  const d = digits(s);
  if (d.startsWith('44')) return d.slice(2);
  if (d.startsWith('0')) return d.slice(1);
  return d;
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function knownContacts(c: SchoolContacts): KnownContacts {
  return {
    phones: new Set(c.phones.map(phoneKey)),
    emails: new Set(c.emails.map((e) => e.trim().toLowerCase())),
    emailDomains: c.emailDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')),
    postcodes: new Set(c.postcodes.map((p) => squash(p))),
    addresses: c.addresses.map(squash).filter((a) => a !== ''),
  };
}

const EMAIL =
  /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,}/gu;

/** Street types that end an address line ('12 Mill Lane', '4a St John’s Road'). */
const STREET_TYPES =
  'Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Grove|Gr|Place|Pl|Gardens|Gdns|Terrace|Terr|Court|Ct|Square|Sq|Mews|Row|Walk|Hill|Rise|View|Park|Parade|Green|Vale|Croft|Fold|Meadow|Meadows|Chase|Wharf|Yard|Mount|Brow|Bank|Boulevard|Circus';
const ADDRESS = new RegExp(
  `(?<!\\b(?:[Yy]ear|YEAR|[Cc]lass|[Ss]tage|[Gg]roup|[Rr]oom|[Ss]et|[Tt]eam|[Pp]age|[Nn]o\\.?|[Nn]umber|[Ll]evel|[Gg]rade|[Pp]art|[Tt]able)\\s+)\\b(?:(?:flat|apartment|apt|unit)\\s+\\d+[a-z]?,?\\s+)?\\d{1,4}[a-zA-Z]?,?\\s+(?:(?:[A-Z][\\p{L}'’-]+|of|the|de|la)\\s+){1,4}(?:${STREET_TYPES})\\b\\.?`,
  'gu',
);

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE = `(?:\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?(?:,?\\s+\\d{2,4})?|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{2,4})?|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{1,2}[/.-](?:${MONTHS})[/.-]\\d{2,4}|\\d{4}[/.-]\\d{1,2}[/.-]\\d{1,2})`;
/** 'born on 3 May 2019', 'DOB: 03/05/2019', 'date of birth 3rd May', 'birthday is 12 June'. */
const DATE_OF_BIRTH = new RegExp(
  `\\b(?:d\\.?o\\.?b\\.?|date\\s+of\\s+birth|born(?:\\s+(?:on|in))?|birth\\s*da(?:y|te)(?:\\s+(?:is|was|on|falls\\s+on))?)\\s*[:=-]?\\s*(?:the\\s+)?${DATE}`,
  'giu',
);
/** '3 May 2019 (date of birth)', '03/05/2019 — her birthday'. */
const DATE_THEN_BIRTH = new RegExp(
  `${DATE}\\s*[(,–—-]?\\s*(?:is\\s+(?:his|her|their)\\s+)?(?:d\\.?o\\.?b\\.?|date\\s+of\\s+birth|birthday)\\b`,
  'giu',
);

/**
 * Every personal detail in a text that is not one of the school's own. Needs
 * `loadCheckLibraries()` to have finished (the check runner awaits it).
 */
export function findPersonalDetails(text: string, known: KnownContacts): DetailHit[] {
  const { findPhoneNumbersInText, matchPostcodes, toNormalisedPostcode } = checkLibraries();
  const hits: DetailHit[] = [];
  const taken: [number, number][] = [];
  const overlaps = (s: number, e: number) => taken.some(([a, b]) => s < b && e > a);
  const push = (kind: DetailKind, start: number, end: number) => {
    if (overlaps(start, end)) return;
    taken.push([start, end]);
    hits.push({ kind, start, end });
  };

  for (const m of text.matchAll(EMAIL)) {
    const email = m[0].toLowerCase();
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (known.emails.has(email)) continue;
    if (known.emailDomains.some((d) => domain === d || domain.endsWith(`.${d}`))) {
      taken.push([m.index, m.index + m[0].length]);
      continue;
    }
    push('email', m.index, m.index + m[0].length);
  }

  // 'extended' (possible, not only valid, numbers): a new number range still gives a number away.
  for (const f of findPhoneNumbersInText(text, { defaultCountry: 'GB', extended: true })) {
    const national = f.number.nationalNumber;
    if (national.length < 9 && !f.number.isValid()) continue; // too short to be a UK number
    if (known.phones.has(phoneKey(f.number.number))) continue;
    push('phone', f.startsAt, f.endsAt);
  }

  for (const m of text.matchAll(DATE_OF_BIRTH))
    push('date_of_birth', m.index, m.index + m[0].length);
  for (const m of text.matchAll(DATE_THEN_BIRTH)) {
    push('date_of_birth', m.index, m.index + m[0].length);
  }

  const postcodes = matchPostcodes(text);
  if (postcodes.length > 0) {
    let from = 0;
    for (const pc of postcodes) {
      const at = text.indexOf(pc, from);
      if (at < 0) continue;
      from = at + pc.length;
      const norm = squash(toNormalisedPostcode(pc) ?? pc);
      if (known.postcodes.has(norm)) continue;
      push('postcode', at, at + pc.length);
    }
  }

  for (const m of text.matchAll(ADDRESS)) {
    const sq = squash(m[0]);
    if (known.addresses.some((a) => a.includes(sq) || sq.includes(a))) continue;
    push('address', m.index, m.index + m[0].length);
  }

  return hits.sort((a, b) => a.start - b.start);
}
