/**
 * Row validation's helpers for the MIS import: reading a cell from its columns, and the plain
 * words of its error messages.
 */
import type { ColumnRef } from './mis-columns.ts';
import { type DateParse, clean } from './mis-values.ts';

// ---------------------------------------------------------------------------------------------
// Row validation

export const MAX_NAME_LENGTH = 100;
export const MAX_TEXT_LENGTH = 200;

export interface Cell {
  value: string;
  /** The column the value came from (or the preferred one when all are blank). */
  ref: ColumnRef | null;
}

export function cellOf(cells: string[], refs: ColumnRef[] | undefined): Cell {
  if (!refs || refs.length === 0) return { value: '', ref: null };
  for (const ref of refs) {
    const value = clean(cells[ref.index]);
    if (value !== '') return { value, ref };
  }
  return { value: '', ref: refs[0] ?? null };
}

export function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
  return `"${shown}"`;
}

export function listLines(lines: number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  const shown = lines.slice(0, 10);
  const rest = lines.length - shown.length;
  const head = shown.slice(0, -1).join(', ');
  if (rest > 0) return `lines ${shown.join(', ')} and ${rest} more`;
  return `lines ${head} and ${shown[shown.length - 1]}`;
}

export function dateMessage(
  label: string,
  value: string,
  result: DateParse & { ok: false },
): string {
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

export function formatUk(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Parses and validates an MIS export. See the module comment and docs/mis-import.md. */

export function emailMessage(what: string, value: string): string {
  if (/[,;]|\s/.test(value) && value.split(/[,;\s]+/).filter((v) => v.includes('@')).length > 1) {
    return `${what} ${quote(value)} has more than one email address in it. Only one is allowed.`;
  }
  return `${what} ${quote(value)} doesn't look like an email address (e.g. name@example.com).`;
}
