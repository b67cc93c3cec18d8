import { stripHostileCharacters } from './hostile-text.ts';

/**
 * A CSV cell: one a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) gets
 * a leading apostrophe (OWASP "CSV injection"); quotes, commas and line breaks are quoted.
 * Controls and bidi overrides stored before the edge check existed never reach a spreadsheet.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : stripHostileCharacters(String(value));
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of cells as a CSV file (every cell through `csvCell`, CRLF line ends). */
export function csvRows(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
