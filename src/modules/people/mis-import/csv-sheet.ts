import { normaliseHeader } from './mis-columns.ts';
import {
  decode,
  parseCsv,
  SNIFF_BYTES,
  sniffDelimiter,
  sniffFile,
  type ParsedRecord,
} from './mis-parse.ts';

/** A CSV with a heading row, read the way the MIS import reads a file. */
export type CsvSheet =
  { ok: false; fileError: string } | { ok: true; records: ParsedRecord[]; heads: string[] };

/**
 * Reads an uploaded CSV as the MIS import does: sniffs it (binary, encoding), decodes it, finds
 * its delimiter and parses it with csv-parse. Gives the rows after the headings, and the
 * headings compared without case, spaces or punctuation (`normaliseHeader`), or the file's
 * problem in words. For the smaller imports (the staff list, training attendance).
 */
export function readCsvSheet(data: Buffer): CsvSheet {
  const sniff = sniffFile(data.subarray(0, SNIFF_BYTES));
  if (!sniff.ok) return { ok: false, fileError: sniff.fileError.message };
  const decoded = decode(data, sniff.encoding);
  if (!decoded.ok) return { ok: false, fileError: decoded.fileError.message };
  const text = decoded.text;
  if (text.trim() === '') return { ok: false, fileError: 'The file is empty.' };
  const parsed = parseCsv(text, sniffDelimiter(text));
  if (!parsed.ok) return { ok: false, fileError: parsed.fileError.message };
  const [header, ...records] = parsed.records;
  if (!header) return { ok: false, fileError: 'The file is empty.' };
  return { ok: true, records, heads: header.cells.map(normaliseHeader) };
}
