/**
 * Parses and validates a pupil/contact export from a school MIS (SIMS, Arbor or our canonical
 * CSV layout). Pure: no database, no I/O besides reading the given Buffer.
 *
 * A file is either refused as a whole (`ok: false` with one plain-words `fileError`, and no rows)
 * or parsed row by row (`ok: true`): every problem found in the rows is collected in `errors`
 * (capped), and only rows without problems are returned in `rows`. The caller must refuse to
 * commit while `errors` is non-empty, so an import is never half done.
 *
 * See docs/mis-import.md for the accepted columns and rules.
 */
import { createRequire } from 'node:module';
import type { parse as csvParseSync } from 'csv-parse/sync';
import { MONTH_NAMES, ukDate } from '../../../platform/clock.ts';
import {
  CONTACT_SLOTS,
  describeRequiredColumn,
  matchHeaders,
  type CanonicalColumn,
  type ColumnRef,
  type ContactField,
  type ContactSlot,
  type HeaderMapping,
  type PupilIdColumn,
} from './mis-columns.ts';
import { stripHostileCharacters } from '../../../platform/hostile-text.ts';

type CsvParse = typeof csvParseSync;
let csvParse: CsvParse | undefined;
/** csv-parse, loaded (synchronously) on the first file parsed (ADR 0010). */
const parse = ((...args: unknown[]) => {
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: CsvParse }).parse;
  return (csvParse as (...a: unknown[]) => unknown)(...args);
}) as CsvParse;

// ---------------------------------------------------------------------------------------------
// Public types

export const YEAR_GROUPS = [
  'N1',
  'N2',
  'R',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '10',
  '11',
  '12',
  '13',
] as const;
export type YearGroup = (typeof YEAR_GROUPS)[number];

export interface ContactImportRow {
  misId: string | null;
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  relationship: string | null;
  parentalResponsibility: boolean;
}

export interface PupilImportRow {
  /** 1-based line of the file where the row starts (the header is line 1). */
  line: number;
  misId: string;
  givenName: string;
  familyName: string;
  /** yyyy-mm-dd */
  dateOfBirth: string;
  yearGroup: YearGroup;
  className: string | null;
  admissionDate: string | null;
  leavingDate: string | null;
  email: string | null;
  contacts: ContactImportRow[];
}

export interface RowError {
  /** 1-based file line (the header is line 1). */
  line: number;
  /** The column heading as written in the file, or null when the problem is the whole row. */
  column: string | null;
  message: string;
}

export type FileErrorCode =
  'binary' | 'encoding' | 'empty' | 'missing_columns' | 'malformed' | 'too_large';

export interface FileError {
  code: FileErrorCode;
  message: string;
}

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

export interface HeaderReport {
  encoding: TextEncodingName;
  delimiter: ',' | ';' | '\t';
  /** The headings as written in the file (trimmed). */
  headers: string[];
  /** The column used as the stable pupil id. */
  pupilIdColumn: PupilIdColumn;
  /** Canonical column → the file's columns used for it, best first. */
  mapping: HeaderMapping;
  /** Headings Lanyard does not import. */
  unknown: string[];
  /** Contact numbers (1–4) that have at least one column in the file. */
  contactSlots: ContactSlot[];
}

export interface MisParseStats {
  /** Data rows in the file, not counting blank rows. */
  totalRows: number;
  /** Rows without any problem (the length of `rows`). */
  validRows: number;
  /** Rows with at least one problem. */
  rowsWithErrors: number;
  /** Blank rows that were skipped. */
  emptyRowsSkipped: number;
  /** Problems found, including any beyond the cap. */
  totalErrors: number;
  /** Contacts in the valid rows. */
  contacts: number;
}

export type MisParseResult =
  | {
      ok: true;
      rows: PupilImportRow[];
      errors: RowError[];
      /** True when more problems were found than `maxErrors`; see `errorLimitMessage`. */
      errorsTruncated: boolean;
      errorLimitMessage: string | null;
      headerReport: HeaderReport;
      stats: MisParseStats;
    }
  | { ok: false; fileError: FileError };

export interface MisParseOptions {
  /** Called at most ~100 times while rows are checked. */
  onProgress?: (done: number, total: number) => void;
  /** "Today" for date checks (default: now); dates are compared in the UK calendar. */
  today?: Date;
  /** Stop listing problems after this many (default 1000). */
  maxErrors?: number;
}

/** Files bigger than this are refused (a 20,000-pupil export with contacts is ~5 MB). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** How much of a file `sniffFile` needs to decide whether it could be a CSV at all. */
export const SNIFF_BYTES = 64 * 1024;
export const DEFAULT_MAX_ERRORS = 1000;
/** Pupils cannot be older than this (sixth-formers and SEND provision up to 25). */
export const MAX_PUPIL_AGE_YEARS = 25;

const SAVE_AS_CSV =
  'Export the pupil list from your MIS as a CSV file, or open it in Excel, choose File > Save As, ' +
  'pick "CSV UTF-8 (Comma delimited) (*.csv)" and upload that file instead.';

// ---------------------------------------------------------------------------------------------
// File sniffing: refuse what is clearly not a CSV, from the first 64 KB only.

interface Magic {
  bytes: readonly number[];
  offset?: number;
  what: string;
}

const MAGIC: readonly Magic[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document' }, // %PDF-
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG picture' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG picture' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF picture' }, // GIF8
  { bytes: [0x49, 0x49, 0x2a, 0x00], what: 'a TIFF picture' },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], what: 'a TIFF picture' },
  { bytes: [0x52, 0x49, 0x46, 0x46], what: 'a picture, sound or video file' }, // RIFF
  { bytes: [0x66, 0x74, 0x79, 0x70], offset: 4, what: 'a video or photo file' }, // ....ftyp
  { bytes: [0x1a, 0x45, 0xdf, 0xa3], what: 'a video file' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'an older Excel (.xls) or Word (.doc) file',
  },
  { bytes: [0x1f, 0x8b], what: 'a compressed (.gz) file' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], what: 'a compressed (.rar) file' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a compressed (.7z) file' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program' }, // ELF
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], what: 'a Rich Text (.rtf) document' }, // {\rtf
];

function startsWith(buf: Buffer, bytes: readonly number[], offset = 0): boolean {
  if (buf.length < offset + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[offset + i] !== bytes[i]) return false;
  return true;
}

function notCsv(what: string): FileError {
  return { code: 'binary', message: `This file is ${what}, not a CSV file. ${SAVE_AS_CSV}` };
}

function detectMagic(head: Buffer): FileError | null {
  // Zip: .xlsx/.docx/.ods are zips too; say which when we can tell.
  if (
    startsWith(head, [0x50, 0x4b, 0x03, 0x04]) ||
    startsWith(head, [0x50, 0x4b, 0x05, 0x06]) ||
    startsWith(head, [0x50, 0x4b, 0x07, 0x08])
  ) {
    const names = head.toString('latin1');
    if (names.includes('xl/')) return notCsv('an Excel workbook (.xlsx)');
    if (names.includes('word/')) return notCsv('a Word document (.docx)');
    if (names.includes('opendocument.spreadsheet')) return notCsv('a spreadsheet (.ods)');
    return notCsv('a zip file');
  }
  for (const magic of MAGIC) {
    if (startsWith(head, magic.bytes, magic.offset ?? 0)) return notCsv(magic.what);
  }
  return null;
}

/** Web pages and XML spreadsheets ("Excel 2003 XML", some "Excel" exports are really HTML). */
function detectMarkup(text: string): FileError | null {
  const start = text.slice(0, 512).trimStart().toLowerCase();
  if (start.startsWith('<?xml') || start.startsWith('<workbook')) {
    return notCsv('an XML file (perhaps an "XML Spreadsheet")');
  }
  if (
    start.startsWith('<!doctype html') ||
    start.startsWith('<html') ||
    start.startsWith('<table') ||
    start.startsWith('<head')
  ) {
    return notCsv('a web page (HTML)');
  }
  return null;
}

const BINARY_MESSAGE =
  "This file doesn't look like a CSV file: it contains data that isn't text. It may be a " +
  'spreadsheet, picture or other file that has been renamed to end in .csv. ' +
  SAVE_AS_CSV;

const ENCODING_HINT =
  'This usually happens when a file is saved as "CSV (Comma delimited)" or "CSV (MS-DOS)" and ' +
  'contains letters such as é, ë or £. In Excel, choose File > Save As and pick ' +
  '"CSV UTF-8 (Comma delimited) (*.csv)", then upload the new file.';

/** Control characters other than tab, line feed, carriage return and form feed. */
function isControl(code: number): boolean {
  if (code === 0x7f) return true;
  return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c;
}

function controlRatio(text: string): number {
  if (text.length === 0) return 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) count++;
  return count / text.length;
}

/** More than 1 in 100 characters being control characters means it isn't a text file. */
const MAX_CONTROL_RATIO = 0.01;

/** UTF-16 without a byte-order mark: mostly ASCII text, so every other byte is zero. */
function looksLikeBomlessUtf16(head: Buffer): 'utf-16le' | 'utf-16be' | null {
  const pairs = Math.floor(Math.min(head.length, SNIFF_BYTES) / 2);
  if (pairs < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZero++;
    if (head[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero / pairs > 0.9 && evenZero / pairs < 0.05) return 'utf-16le';
  if (evenZero / pairs > 0.9 && oddZero / pairs < 0.05) return 'utf-16be';
  return null;
}

/** The sample without a high surrogate cut off at its end (its pair is in the next chunk). */
function withoutCutSurrogate(buf: Buffer, encoding: 'utf-16le' | 'utf-16be'): Buffer {
  const end = buf.length - (buf.length % 2);
  if (end < 2) return buf.subarray(0, end);
  const last = encoding === 'utf-16le' ? buf.readUInt16LE(end - 2) : buf.readUInt16BE(end - 2);
  return buf.subarray(0, last >= 0xd800 && last <= 0xdbff ? end - 2 : end);
}

function decodeUtf16(buf: Buffer, encoding: 'utf-16le' | 'utf-16be', fatal: boolean): string {
  const even = buf.length % 2 === 0 ? buf : buf.subarray(0, buf.length - 1);
  return new TextDecoder(encoding, { fatal }).decode(even);
}

type SniffResult = { ok: true; encoding: TextEncodingName } | { ok: false; fileError: FileError };

function detectEncoding(head: Buffer): TextEncodingName | null {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return 'utf-8-bom';
  if (startsWith(head, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(head, [0xfe, 0xff])) return 'utf-16be';
  return null;
}

/**
 * Decides from the first bytes of a file (up to 64 KB; more is ignored) whether it could be a CSV
 * file we can read, so that an upload can be refused without reading the rest.
 */
export function sniffFile(head: Buffer): SniffResult {
  const sample = head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head;
  if (sample.length === 0) return { ok: false, fileError: emptyError() };

  const magic = detectMagic(sample);
  if (magic) return { ok: false, fileError: magic };

  let encoding = detectEncoding(sample);
  if (!encoding && sample.includes(0)) {
    encoding = looksLikeBomlessUtf16(sample);
    if (!encoding) return { ok: false, fileError: { code: 'binary', message: BINARY_MESSAGE } };
  }

  let text: string;
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    try {
      text = decodeUtf16(withoutCutSurrogate(sample, encoding), encoding, true);
    } catch {
      return { ok: false, fileError: { code: 'binary', message: BINARY_MESSAGE } };
    }
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    } catch {
      // Most likely text in another encoding; but random bytes also fail here.
      const latin = sample.toString('latin1');
      if (controlRatio(latin) > MAX_CONTROL_RATIO) {
        return { ok: false, fileError: { code: 'binary', message: BINARY_MESSAGE } };
      }
      return { ok: false, fileError: encodingError(sample) };
    }
    encoding ??= 'utf-8';
  }

  if (text.includes('\0') || controlRatio(text) > MAX_CONTROL_RATIO) {
    return { ok: false, fileError: { code: 'binary', message: BINARY_MESSAGE } };
  }
  const markup = detectMarkup(text);
  if (markup) return { ok: false, fileError: markup };
  return { ok: true, encoding };
}

function emptyError(): FileError {
  return {
    code: 'empty',
    message:
      'The file is empty. Export the pupil list from your MIS again, check that it has a ' +
      'row of column headings and one row per pupil, and upload it.',
  };
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i; // cut off at the end of the buffer
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function encodingError(buf: Buffer): FileError {
  const offset = firstInvalidUtf8(buf);
  let where = '';
  if (offset >= 0) {
    let line = 1;
    for (let i = 0; i < offset; i++) if (buf[i] === 0x0a) line++;
    where = ` (the first one is on line ${line})`;
  }
  return {
    code: 'encoding',
    message:
      `This file contains characters we can't read${where}: it isn't saved as "CSV UTF-8". ` +
      ENCODING_HINT,
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding and CSV parsing

export function decode(
  file: Buffer,
  encoding: TextEncodingName,
): { ok: true; text: string } | { ok: false; fileError: FileError } {
  try {
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      // The decoder drops the byte-order mark itself.
      return { ok: true, text: decodeUtf16(file, encoding, true) };
    }
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(file) };
  } catch {
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      return {
        ok: false,
        fileError: {
          code: 'encoding',
          message: `This file contains characters we can't read. ${ENCODING_HINT}`,
        },
      };
    }
    return { ok: false, fileError: encodingError(file) };
  }
}

/** The delimiter used most often on the header line (outside quotes); comma by default. */
export function sniffDelimiter(text: string): ',' | ';' | '\t' {
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 0x0a || c === 0x0d) break;
    else if (c === 0x2c) comma++;
    else if (c === 0x3b) semicolon++;
    else if (c === 0x09) tab++;
  }
  if (tab > comma && tab >= semicolon) return '\t';
  if (semicolon > comma) return ';';
  return ',';
}

export interface ParsedRecord {
  line: number;
  cells: string[];
}

function malformed(message: string): { ok: false; fileError: FileError } {
  return { ok: false, fileError: { code: 'malformed', message } };
}

export function parseCsv(
  text: string,
  delimiter: string,
): { ok: true; records: ParsedRecord[] } | { ok: false; fileError: FileError } {
  const records: ParsedRecord[] = [];
  let lastEnd = 0;
  try {
    parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      // A runaway quote would otherwise swallow the rest of the file into one value.
      max_record_size: 200_000,
      on_record: (record: string[], context) => {
        records.push({ line: lastEnd + 1, cells: record });
        lastEnd = context.lines;
        return null;
      },
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const errLine = (err as { lines?: unknown }).lines;
    const next = lastEnd + 1;
    const quoteHint =
      'A value that contains a comma, a line break or a quote mark must be wrapped in quote ' +
      'marks, and quote marks inside it must be doubled (""). Correct the line in your MIS or in ' +
      'Excel and export the file again.';
    if (code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_MAX_RECORD_SIZE') {
      return malformed(
        `The file can't be read from line ${next}: a quote mark (") is opened there but never ` +
          `closed. ${quoteHint}`,
      );
    }
    if (
      code === 'CSV_INVALID_CLOSING_QUOTE' ||
      code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' ||
      code === 'INVALID_OPENING_QUOTE'
    ) {
      const line = typeof errLine === 'number' ? errLine : next;
      return malformed(`Line ${line} has a quote mark (") in the wrong place. ${quoteHint}`);
    }
    const line = typeof errLine === 'number' ? errLine : next;
    return malformed(
      `The file can't be read as a CSV file at line ${line}. Check that line, export the file ` +
        'again and upload it.',
    );
  }
  return { ok: true, records };
}

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

const UPN = /^[A-Z][0-9]{11}[0-9A-Z]$/;
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

// ---------------------------------------------------------------------------------------------
// Row validation

const MAX_NAME_LENGTH = 100;
const MAX_TEXT_LENGTH = 200;

interface Cell {
  value: string;
  /** The column the value came from (or the preferred one when all are blank). */
  ref: ColumnRef | null;
}

function cellOf(cells: string[], refs: ColumnRef[] | undefined): Cell {
  if (!refs || refs.length === 0) return { value: '', ref: null };
  for (const ref of refs) {
    const value = clean(cells[ref.index]);
    if (value !== '') return { value, ref };
  }
  return { value: '', ref: refs[0] ?? null };
}

function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
  return `"${shown}"`;
}

function listLines(lines: number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  const shown = lines.slice(0, 10);
  const rest = lines.length - shown.length;
  const head = shown.slice(0, -1).join(', ');
  if (rest > 0) return `lines ${shown.join(', ')} and ${rest} more`;
  return `lines ${head} and ${shown[shown.length - 1]}`;
}

function dateMessage(label: string, value: string, result: DateParse & { ok: false }): string {
  switch (result.reason) {
    case 'two_digit_year':
      return (
        `${label} ${quote(value)} has a two-digit year, so we can't tell the century. ` +
        'Write the year in full, e.g. 23/04/2016.'
      );
    case 'bad_month':
    case 'bad_day':
      return `${label} ${quote(value)} isn't a real date: ${result.detail}.`;
    case 'unreadable':
      return `${label} ${quote(value)} isn't a date we can read. Use dd/mm/yyyy, e.g. 23/04/2016.`;
  }
}

function formatUk(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Parses and validates an MIS export. See the module comment and docs/mis-import.md. */
export function parseMisFile(file: Buffer, options: MisParseOptions = {}): MisParseResult {
  const maxErrors = Math.max(1, options.maxErrors ?? DEFAULT_MAX_ERRORS);

  // 1. Is it a text file at all? Decided from the first 64 KB only, so this is quick.
  const sniff = sniffFile(file.subarray(0, SNIFF_BYTES));
  if (!sniff.ok) return sniff;
  if (file.length > MAX_FILE_BYTES) {
    const mb = (file.length / 1024 / 1024).toFixed(0);
    return {
      ok: false,
      fileError: {
        code: 'too_large',
        message:
          `This file is too big (${mb} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB). ` +
          'Export only the pupils and contact columns listed in the guidance, or split the file ' +
          'and upload each part.',
      },
    };
  }

  // 2. Decode the whole file.
  const decoded = decode(file, sniff.encoding);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  if (text.trim() === '') return { ok: false, fileError: emptyError() };
  const nul = text.indexOf('\0');
  if (nul >= 0) return { ok: false, fileError: { code: 'binary', message: BINARY_MESSAGE } };

  // 3. Split into records.
  const delimiter = sniffDelimiter(text);
  const parsed = parseCsv(text, delimiter);
  if (!parsed.ok) return parsed;
  const records = parsed.records;
  const headerRecord = records[0];
  if (!headerRecord) return { ok: false, fileError: emptyError() };
  const headers = headerRecord.cells.map((h) => h.trim());
  let headerWidth = headers.length;
  while (headerWidth > 0 && headers[headerWidth - 1] === '') headerWidth--;

  // 4. Headers.
  const match = matchHeaders(headers);
  if (match.missing.length > 0 || !match.pupilIdColumn) {
    const found = headers.filter((h) => h !== '');
    const shown = found.slice(0, 40).map((h) => `"${h}"`);
    const more = found.length > 40 ? ` and ${found.length - 40} more` : '';
    const foundText =
      found.length === 0
        ? 'The first line of the file has no column headings.'
        : `The columns we found on the first line are: ${shown.join(', ')}${more}.`;
    return {
      ok: false,
      fileError: {
        code: 'missing_columns',
        message:
          `The file is missing ${match.missing.length === 1 ? 'a column' : 'some columns'} we ` +
          `need: ${match.missing.map(describeRequiredColumn).join('; ')}. ${foundText} ` +
          'The first line of the file must be the column headings. Add the missing columns to ' +
          'your MIS report (see the guidance on exporting from SIMS and Arbor) and export again.',
      },
    };
  }
  const mapping = match.mapping;
  const idColumn = match.pupilIdColumn;

  const dataCount = records.length - 1;
  const hasData = records.some((r, i) => i > 0 && r.cells.some((c) => c.trim() !== ''));
  if (!hasData) {
    return {
      ok: false,
      fileError: {
        code: 'empty',
        message:
          'The file has column headings but no pupils. Export the pupil list from your MIS ' +
          'again, check it includes your pupils, and upload it.',
      },
    };
  }

  // 5. Rows.
  const todayIso = ukDate(options.today ?? new Date());
  const oldestDob = `${Number(todayIso.slice(0, 4)) - MAX_PUPIL_AGE_YEARS}${todayIso.slice(4)}`;

  const errors: RowError[] = [];
  let totalErrors = 0;
  const linesWithErrors = new Set<number>();
  const addError = (line: number, ref: ColumnRef | null, message: string): void => {
    totalErrors++;
    linesWithErrors.add(line);
    if (errors.length < maxErrors) errors.push({ line, column: ref?.header ?? null, message });
  };

  const identifying: readonly ContactField[] = [
    'id',
    'given_name',
    'family_name',
    'name',
    'email',
    'phone',
  ];
  const contactSlots = CONTACT_SLOTS.filter((slot) =>
    identifying.some((f) => (mapping[`parent_${slot}_${f}`]?.length ?? 0) > 0),
  );
  const contactRefs = contactSlots.map((slot) => {
    const refs = (f: ContactField): ColumnRef[] | undefined =>
      mapping[`parent_${slot}_${f}` as CanonicalColumn];
    return {
      slot,
      id: refs('id'),
      givenName: refs('given_name'),
      familyName: refs('family_name'),
      name: refs('name'),
      email: refs('email'),
      phone: refs('phone'),
      relationship: refs('relationship'),
      pr: refs('parental_responsibility'),
    };
  });

  const idRefs = [{ index: idColumn.index, header: idColumn.header }];
  const idLabel = idColumn.label;
  const rows: PupilImportRow[] = [];
  const linesById = new Map<string, number[]>();
  let emptyRowsSkipped = 0;
  let totalRows = 0;

  const onProgress = options.onProgress;
  const step = Math.max(1, Math.ceil(dataCount / 100));

  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    const { line, cells } = record;
    if (onProgress && r > 1 && (r - 1) % step === 0) onProgress(r - 1, dataCount);

    let blank = true;
    for (const c of cells) {
      if (c.trim() !== '') {
        blank = false;
        break;
      }
    }
    if (blank) {
      emptyRowsSkipped++;
      continue;
    }
    totalRows++;
    const errorsBefore = totalErrors;

    if (cells.length > headerWidth) {
      let extra = 0;
      for (let i = headerWidth; i < cells.length; i++) if (cells[i]!.trim() !== '') extra++;
      if (extra > 0) {
        addError(
          line,
          null,
          `This line has more values than there are column headings (${cells.length} values, ` +
            `${headerWidth} headings), so we can't tell which value belongs to which column. ` +
            'A value probably contains a comma or semicolon without quote marks around it.',
        );
        continue;
      }
    }

    // Pupil id
    const idCell = cellOf(cells, idRefs);
    let misId = idCell.value;
    if (misId === '') {
      addError(line, idCell.ref, `The ${idLabel} is missing. Every pupil needs one.`);
    } else {
      if (idColumn.kind === 'upn') {
        misId = misId.replace(/\s+/g, '').toUpperCase();
        if (!UPN.test(misId)) {
          addError(
            line,
            idCell.ref,
            `UPN ${quote(idCell.value)} isn't a valid UPN: it should be 13 characters, a letter ` +
              'followed by 12 digits (the last one may be a letter).',
          );
        }
      } else if (misId.length > 64) {
        addError(line, idCell.ref, `The ${idLabel} is too long (more than 64 characters).`);
      }
      if (misId !== '') {
        const key = misId.toLowerCase();
        const seen = linesById.get(key);
        if (seen) seen.push(line);
        else linesById.set(key, [line]);
      }
    }

    // Names
    const given = cellOf(cells, mapping.given_name);
    const family = cellOf(cells, mapping.family_name);
    if (given.value === '') addError(line, given.ref, 'The first name is missing.');
    else if (given.value.length > MAX_NAME_LENGTH) {
      addError(line, given.ref, `The first name is too long (over ${MAX_NAME_LENGTH} characters).`);
    }
    if (family.value === '') addError(line, family.ref, 'The surname is missing.');
    else if (family.value.length > MAX_NAME_LENGTH) {
      addError(line, family.ref, `The surname is too long (over ${MAX_NAME_LENGTH} characters).`);
    }

    // Date of birth
    const dobCell = cellOf(cells, mapping.date_of_birth);
    let dateOfBirth = '';
    if (dobCell.value === '') {
      addError(line, dobCell.ref, 'The date of birth is missing.');
    } else {
      const dob = parseUkDate(dobCell.value);
      if (!dob.ok) addError(line, dobCell.ref, dateMessage('Date of birth', dobCell.value, dob));
      else if (dob.iso > todayIso) {
        addError(line, dobCell.ref, `Date of birth ${formatUk(dob.iso)} is in the future.`);
      } else if (dob.iso < oldestDob) {
        addError(
          line,
          dobCell.ref,
          `Date of birth ${formatUk(dob.iso)} is more than ${MAX_PUPIL_AGE_YEARS} years ago, ` +
            'which is too old for a pupil. Please check it.',
        );
      } else dateOfBirth = dob.iso;
    }

    // Year group
    const yearCell = cellOf(cells, mapping.year_group);
    let yearGroup: YearGroup | null = null;
    if (yearCell.value === '') addError(line, yearCell.ref, 'The year group is missing.');
    else {
      yearGroup = parseYearGroup(yearCell.value);
      if (!yearGroup) {
        addError(
          line,
          yearCell.ref,
          `Year group ${quote(yearCell.value)} isn't one we recognise. Use Nursery 1, ` +
            'Nursery 2, Reception, or Year 1 to Year 13 (e.g. "Year 3" or "3").',
        );
      }
    }

    // Class
    const classCell = cellOf(cells, mapping.class);
    if (classCell.value.length > MAX_TEXT_LENGTH) {
      addError(line, classCell.ref, `The class is too long (over ${MAX_TEXT_LENGTH} characters).`);
    }

    // Admission / leaving dates
    const optionalDate = (cell: Cell, label: string): string | null => {
      if (cell.value === '') return null;
      const result = parseUkDate(cell.value);
      if (!result.ok) {
        addError(line, cell.ref, dateMessage(label, cell.value, result));
        return null;
      }
      return result.iso;
    };
    const admissionCell = cellOf(cells, mapping.admission_date);
    const leavingCell = cellOf(cells, mapping.leaving_date);
    const admissionDate = optionalDate(admissionCell, 'Admission date');
    const leavingDate = optionalDate(leavingCell, 'Leaving date');
    if (admissionDate && leavingDate && leavingDate < admissionDate) {
      addError(
        line,
        leavingCell.ref,
        `Leaving date ${formatUk(leavingDate)} is before the admission date ` +
          `${formatUk(admissionDate)}.`,
      );
    }
    if (admissionDate && dateOfBirth && admissionDate < dateOfBirth) {
      addError(
        line,
        admissionCell.ref,
        `Admission date ${formatUk(admissionDate)} is before the date of birth ` +
          `${formatUk(dateOfBirth)}.`,
      );
    }

    // Pupil email
    const emailCell = cellOf(cells, mapping.email);
    if (emailCell.value !== '' && !isValidEmail(emailCell.value)) {
      addError(line, emailCell.ref, emailMessage('The pupil email', emailCell.value));
    }

    // Contacts
    const contacts: ContactImportRow[] = [];
    for (const refs of contactRefs) {
      const id = cellOf(cells, refs.id);
      let givenName = cellOf(cells, refs.givenName);
      let familyName = cellOf(cells, refs.familyName);
      const fullName = cellOf(cells, refs.name);
      const email = cellOf(cells, refs.email);
      const phone = cellOf(cells, refs.phone);
      if (
        id.value === '' &&
        givenName.value === '' &&
        familyName.value === '' &&
        fullName.value === '' &&
        email.value === '' &&
        phone.value === ''
      ) {
        continue; // no contact in this slot
      }
      const who = `Contact ${refs.slot}`;
      if (givenName.value === '' && familyName.value === '' && fullName.value !== '') {
        const split = splitFullName(fullName.value);
        givenName = { value: split.givenName, ref: fullName.ref };
        familyName = { value: split.familyName, ref: fullName.ref };
      }
      if (givenName.value === '' && familyName.value === '') {
        addError(
          line,
          familyName.ref ?? givenName.ref ?? fullName.ref,
          `${who} has details but no name. Add the contact's name, or remove their details.`,
        );
      }
      if (givenName.value.length > MAX_NAME_LENGTH || familyName.value.length > MAX_NAME_LENGTH) {
        addError(line, familyName.ref, `${who}'s name is too long.`);
      }
      if (email.value !== '' && !isValidEmail(email.value)) {
        addError(line, email.ref, emailMessage(`${who}'s email`, email.value));
      }
      if (phone.value.length > 50) {
        addError(line, phone.ref, `${who}'s phone number is too long (over 50 characters).`);
      }
      const relationship = cellOf(cells, refs.relationship);
      if (relationship.value.length > MAX_TEXT_LENGTH) {
        addError(line, relationship.ref, `${who}'s relationship is too long.`);
      }
      const prCell = cellOf(cells, refs.pr);
      const pr = parseYesNo(prCell.value);
      if (pr === null) {
        addError(
          line,
          prCell.ref,
          `${who}'s parental responsibility ${quote(prCell.value)} should be Yes or No ` +
            '(Y/N, True/False or 1/0 also work; leave it blank if it is not known).',
        );
      }
      contacts.push({
        misId: id.value === '' ? null : id.value,
        givenName: givenName.value,
        familyName: familyName.value,
        email: email.value === '' ? null : email.value,
        phone: phone.value === '' ? null : phone.value,
        relationship: relationship.value === '' ? null : relationship.value,
        parentalResponsibility: pr === true,
      });
    }

    if (totalErrors === errorsBefore && yearGroup) {
      rows.push({
        line,
        misId,
        givenName: given.value,
        familyName: family.value,
        dateOfBirth,
        yearGroup,
        className: classCell.value === '' ? null : classCell.value,
        admissionDate,
        leavingDate,
        email: emailCell.value === '' ? null : emailCell.value,
        contacts,
      });
    }
  }

  onProgress?.(dataCount, dataCount);

  // 6. Duplicate pupil ids: an error on every line involved.
  let duplicateLines: Set<number> | null = null;
  for (const [, lines] of linesById) {
    if (lines.length < 2) continue;
    duplicateLines ??= new Set();
    for (const line of lines) {
      duplicateLines.add(line);
      const others = lines.filter((l) => l !== line);
      const id = idColumn.kind === 'upn' ? 'UPN' : `${idLabel}`;
      addError(
        line,
        idColumn,
        `This pupil's ${id} is also on ${listLines(others)}. Each pupil must appear only once ` +
          '(the same ID on two lines means two pupils would be merged).',
      );
    }
  }
  const dupes = duplicateLines;
  const validRows = dupes ? rows.filter((row) => !dupes.has(row.line)) : rows;
  if (dupes) errors.sort((a, b) => a.line - b.line);

  const errorsTruncated = totalErrors > errors.length;
  return {
    ok: true,
    rows: validRows,
    errors,
    errorsTruncated,
    errorLimitMessage: errorsTruncated
      ? `We found ${totalErrors.toLocaleString('en-GB')} problems; only the first ` +
        `${errors.length.toLocaleString('en-GB')} are listed. Correct these, export the file ` +
        'again and upload it to see any others.'
      : null,
    headerReport: {
      encoding: sniff.encoding,
      delimiter,
      headers,
      pupilIdColumn: idColumn,
      mapping,
      unknown: match.unknown,
      contactSlots,
    },
    stats: {
      totalRows,
      validRows: validRows.length,
      rowsWithErrors: linesWithErrors.size,
      emptyRowsSkipped,
      totalErrors,
      contacts: validRows.reduce((n, row) => n + row.contacts.length, 0),
    },
  };
}

function emailMessage(what: string, value: string): string {
  if (/[,;]|\s/.test(value) && value.split(/[,;\s]+/).filter((v) => v.includes('@')).length > 1) {
    return `${what} ${quote(value)} has more than one email address in it. Only one is allowed.`;
  }
  return `${what} ${quote(value)} doesn't look like an email address (e.g. name@example.com).`;
}
