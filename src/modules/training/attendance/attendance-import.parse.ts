import {
  MAX_FILE_BYTES,
  normaliseHeader,
  parseUkDate,
  readCsvSheet,
  SNIFF_BYTES,
  sniffFile,
} from '../../people/index.ts';
import { kindLabel, staffKinds, type TrainingSessionKey } from '../training-status.ts';

/** The headings each column may have (compared without case, spaces or punctuation). */
export const COLUMN_ALIASES = {
  email: ['Email', 'Email address', 'Staff email', 'Work email'],
  date: ['Date', 'Session date', 'Date attended'],
  training: ['Training', 'Session', 'Course', 'Kind'],
} as const;

export interface AttendanceLine {
  line: number;
  email: string;
  date: string;
  kind: TrainingSessionKey;
}

export type ParsedAttendance =
  | {
      ok: true;
      lines: AttendanceLine[];
      errors: { line: number; message: string }[];
      total: number;
    }
  | { ok: false; fileError: string };

/** Cheap checks at upload: a text file (not a spreadsheet, PDF or picture) of a sane size. */
export function checkAttendanceFile(data: Buffer): string | null {
  const sniff = sniffFile(data.subarray(0, SNIFF_BYTES));
  if (!sniff.ok) return sniff.fileError.message;
  if (data.length > MAX_FILE_BYTES) return 'This file is too big. Split it and upload each part.';
  return null;
}

/** "Regular social media training for staff", "staff_regular", "regular", "induction", "at risk". */
export function readKind(cell: string): TrainingSessionKey | null {
  const v = cell.trim().toLowerCase();
  if (!v) return null;
  for (const k of staffKinds) {
    if (v === k || v === kindLabel(k).toLowerCase()) return k;
  }
  const words = v.replace(/[^a-z]/g, ' ');
  if (/\binduction\b|\bnew staff\b/.test(words)) return 'staff_induction';
  if (/\bat risk\b|\brisk\b/.test(words)) return 'at_risk_identification';
  if (/\bregular\b|\bannual\b|\brefresher\b/.test(words)) return 'staff_regular';
  return null;
}

/** Reads a sign-in sheet: one row per person per session (email, date, kind of training). */
export function parseAttendanceFile(data: Buffer): ParsedAttendance {
  const sheet = readCsvSheet(data);
  if (!sheet.ok) return sheet;
  const { records, heads } = sheet;
  const find = (aliases: readonly string[]) =>
    heads.findIndex((h) => aliases.some((a) => normaliseHeader(a) === h));
  const col = {
    email: find(COLUMN_ALIASES.email),
    date: find(COLUMN_ALIASES.date),
    training: find(COLUMN_ALIASES.training),
  };
  const missing = (Object.keys(col) as (keyof typeof col)[]).filter((k) => col[k] < 0);
  if (missing.length > 0)
    return {
      ok: false,
      fileError: `The file needs the columns ${missing
        .map((k) => `“${COLUMN_ALIASES[k][0]}”`)
        .join(', ')}. The first row must be the column headings.`,
    };
  const lines: AttendanceLine[] = [];
  const errors: { line: number; message: string }[] = [];
  let total = 0;
  for (const r of records) {
    const cell = (i: number) => (r.cells[i] ?? '').trim();
    if (r.cells.every((c) => c.trim() === '')) continue;
    total += 1;
    const email = cell(col.email).toLowerCase();
    const date = parseUkDate(cell(col.date));
    const kind = readKind(cell(col.training));
    if (!/^[^@\s]+@[^@\s]+$/.test(email))
      errors.push({ line: r.line, message: 'Enter an email address' });
    else if (!date.ok)
      errors.push({
        line: r.line,
        message: 'Enter the date as day/month/year, for example 14/10/2026',
      });
    else if (!kind)
      errors.push({
        line: r.line,
        message: `Say which training: ${staffKinds.map((k) => kindLabel(k)).join(', ')}`,
      });
    else lines.push({ line: r.line, email, date: date.iso, kind });
  }
  return { ok: true, lines, errors, total };
}
