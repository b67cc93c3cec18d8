/**
 * File sniffing (refuse what is clearly not a CSV, from the first 64 KB only), decoding and CSV
 * parsing for the MIS import.
 */
import { createRequire } from 'node:module';
import type { parse as csvParseSync } from 'csv-parse/sync';
import { type FileError, SAVE_AS_CSV, SNIFF_BYTES, type TextEncodingName } from './mis-types.ts';

type CsvParse = typeof csvParseSync;
let csvParse: CsvParse | undefined;
/** csv-parse, loaded (synchronously) on the first file parsed (ADR 0010). */
const parse = ((...args: unknown[]) => {
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: CsvParse }).parse;
  return (csvParse as (...a: unknown[]) => unknown)(...args);
}) as CsvParse;

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

export const BINARY_MESSAGE =
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

export function emptyError(): FileError {
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
