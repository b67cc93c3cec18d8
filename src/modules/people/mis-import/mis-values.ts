/**
 * Value parsers for the MIS import: dates, year groups, yes/no, emails and names (exported for
 * tests and for other callers that read dates/year groups, through mis-parse.ts).
 */
import { MONTH_NAMES } from '../../../platform/clock.ts';
import { stripHostileCharacters } from '../../../platform/hostile-text.ts';
import type { YearGroup } from './mis-types.ts';

// ---------------------------------------------------------------------------------------------
// Value parsers (exported for tests and for other callers that read dates/year groups)

/**
 * Trimmed cell. An Excel text formula ="0123" is unwrapped, and so is a value left wrapped in
 * quote marks by a stray space after the closing quote (`"Ada" ,`).
 */
export function clean(value: string | undefined): string {
  if (value === undefined) return '';
  // NUL, controls and bidi overrides never reach a name (docs/security.md, hostile characters).
  const v = stripHostileCharacters(value).trim();
  if (v.length >= 2 && v.charCodeAt(v.length - 1) === 0x22) {
    if (v.charCodeAt(0) === 0x22) return v.slice(1, -1).replaceAll('""', '"').trim();
    if (v.length >= 3 && v.charCodeAt(0) === 0x3d && v.charCodeAt(1) === 0x22) {
      return v.slice(2, -1).trim();
    }
  }
  return v;
}

const MONTHS_BY_NAME: ReadonlyMap<string, number> = new Map(
  MONTH_NAMES.flatMap((name, i) => [
    [name.toLowerCase(), i + 1] as const,
    [name.slice(0, 3).toLowerCase(), i + 1] as const,
    ...(name === 'September' ? [['sept', 9] as const] : []),
  ]),
);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export type DateParse =
  | { ok: true; iso: string }
  | {
      ok: false;
      reason: 'unreadable' | 'two_digit_year' | 'bad_month' | 'bad_day';
      detail: string;
    };

const TIME_SUFFIX = /(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DMY_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const DMY_SHORT = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2})$/;
const NAMED_MONTH = /^(\d{1,2})[\s/-]+([A-Za-z]{3,9})\.?[\s/-]+(\d{4}|\d{2})$/;

/**
 * Reads a date written dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd or "1 Mar 2015"
 * (a time after it, as Excel sometimes adds, is ignored). Two-digit years are refused: the
 * century would be a guess.
 */
export function parseUkDate(input: string): DateParse {
  const value = input.trim().replace(TIME_SUFFIX, '');
  let year: number;
  let month: number;
  let day: number;
  let m: RegExpExecArray | null;
  if ((m = ISO_DATE.exec(value))) {
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  } else if ((m = DMY_DATE.exec(value))) {
    day = Number(m[1]);
    month = Number(m[3]);
    year = Number(m[4]);
  } else if ((m = NAMED_MONTH.exec(value))) {
    const named = MONTHS_BY_NAME.get((m[2] ?? '').toLowerCase());
    if (named === undefined) return { ok: false, reason: 'unreadable', detail: '' };
    if ((m[3] ?? '').length === 2) return { ok: false, reason: 'two_digit_year', detail: '' };
    day = Number(m[1]);
    month = named;
    year = Number(m[3]);
  } else if (DMY_SHORT.test(value)) {
    return { ok: false, reason: 'two_digit_year', detail: '' };
  } else {
    return { ok: false, reason: 'unreadable', detail: '' };
  }
  if (month < 1 || month > 12) {
    const swapped = day >= 1 && day <= 12 && month <= 31;
    return {
      ok: false,
      reason: 'bad_month',
      detail:
        `there is no month ${month}` +
        (swapped ? ' (dates must be written day first, then month)' : ''),
    };
  }
  const max = daysInMonth(year, month);
  if (day < 1 || day > max) {
    return {
      ok: false,
      reason: 'bad_day',
      detail:
        day < 1 ? 'there is no day 0' : `${MONTH_NAMES[month - 1]} ${year} only has ${max} days`,
    };
  }
  if (year < 1900) return { ok: false, reason: 'unreadable', detail: '' };
  return {
    ok: true,
    iso: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  };
}

const YEAR_GROUP_WORDS: ReadonlyMap<string, YearGroup> = new Map<string, YearGroup>([
  ['n1', 'N1'],
  ['nursery1', 'N1'],
  ['yearn1', 'N1'],
  ['ncn1', 'N1'],
  ['n2', 'N2'],
  ['nursery2', 'N2'],
  ['yearn2', 'N2'],
  ['ncn2', 'N2'],
  // A single nursery year is the year before Reception (NC year N2), as is Foundation 1.
  ['nursery', 'N2'],
  ['nur', 'N2'],
  ['f1', 'N2'],
  ['fs1', 'N2'],
  ['r', 'R'],
  ['rec', 'R'],
  ['reception', 'R'],
  ['yr', 'R'],
  ['yearr', 'R'],
  ['yearreception', 'R'],
  ['receptionyear', 'R'],
  ['ncr', 'R'],
  ['f2', 'R'],
  ['fs2', 'R'],
  ['lowersixth', '12'],
  ['l6', '12'],
  ['uppersixth', '13'],
  ['u6', '13'],
]);
const NUMBERED_YEAR = /^(?:year|yr|y|ncyear|nc)?0*(\d{1,2})$/;

/** Normalises a year group ("Reception", "Year 3", "Y10", "N1"…) or returns null. */
export function parseYearGroup(input: string): YearGroup | null {
  const key = input.toLowerCase().replace(/[^a-z0-9]/g, '');
  const word = YEAR_GROUP_WORDS.get(key);
  if (word) return word;
  const m = NUMBERED_YEAR.exec(key);
  if (m) {
    const n = Number(m[1]);
    if (n >= 1 && n <= 13) return String(n) as YearGroup;
  }
  return null;
}

/** Y/N, Yes/No, True/False, 1/0; blank is "not known" (false). null when unreadable. */
export function parseYesNo(input: string): boolean | null {
  switch (input.trim().toLowerCase()) {
    case 'y':
    case 'yes':
    case 'true':
    case 't':
    case '1':
      return true;
    case '':
    case 'n':
    case 'no':
    case 'false':
    case 'f':
    case '0':
      return false;
    default:
      return null;
  }
}

const EMAIL =
  /^[^\s@<>(),;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidEmail(input: string): boolean {
  return input.length <= 254 && EMAIL.test(input) && !input.includes('..');
}

export const UPN = /^[A-Z][0-9]{11}[0-9A-Z]$/;
const TITLES = /^(?:mr|mrs|ms|miss|mx|dr|prof|rev|revd|sir|dame|lady|lord)\.?\s+/i;

/** "Jane Smith", "Mrs Jane Smith", "Smith, Jane" → given/family. One word is a surname. */
export function splitFullName(input: string): { givenName: string; familyName: string } {
  const value = input.trim().replace(/\s+/g, ' ');
  const comma = value.indexOf(',');
  if (comma >= 0) {
    return {
      familyName: value.slice(0, comma).trim(),
      givenName: value
        .slice(comma + 1)
        .trim()
        .replace(TITLES, ''),
    };
  }
  const withoutTitle = value.replace(TITLES, '');
  const space = withoutTitle.lastIndexOf(' ');
  if (space < 0) return { givenName: '', familyName: withoutTitle };
  return { givenName: withoutTitle.slice(0, space), familyName: withoutTitle.slice(space + 1) };
}
