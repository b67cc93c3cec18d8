/**
 * Reading a staff list (CSV) for the staff import (staff-import.kind.ts): the headings each column
 * may have, the cells of every row checked on their own (the school's data comes in with
 * staff-import.plan.ts), each problem in words with its row number. The file is sniffed, decoded
 * and parsed as the MIS import's are (csv-parse, mis-import/mis-sniff.ts).
 */
import { z } from 'zod';
import { staffRoles, roleLabels, type StaffRole } from '../auth/index.ts';
import { MAX_FILE_BYTES, parseUkDate, SNIFF_BYTES, sniffFile } from './mis-import/mis-parse.ts';
import { normaliseHeader } from './mis-import/mis-columns.ts';
import { readCsvSheet } from './mis-import/csv-sheet.ts';

/** The columns, the headings each may have (compared without case, spaces or punctuation). */
export const STAFF_IMPORT_COLUMNS = {
  givenName: {
    label: 'Given name',
    required: true,
    headings: ['Given name', 'First name', 'Forename', 'Legal forename', 'Preferred forename'],
  },
  familyName: {
    label: 'Family name',
    required: true,
    headings: ['Family name', 'Last name', 'Surname', 'Legal surname'],
  },
  email: {
    label: 'Email',
    required: true,
    headings: ['Email', 'Email address', 'Work email', 'School email'],
  },
  roles: {
    label: 'Roles',
    required: true,
    headings: ['Roles', 'Role', 'Lanyard roles', 'Lanyard role'],
  },
  startDate: {
    label: 'Start date',
    required: false,
    headings: ['Start date', 'Date started', 'Employment start date', 'Started'],
  },
  lineManager: {
    label: 'Line manager',
    required: false,
    headings: [
      'Line manager',
      'Line manager email',
      'Line manager’s email',
      'Manager',
      'Manager email',
      'Reports to',
    ],
  },
  leaveDate: {
    label: 'Leave date',
    required: false,
    headings: ['Leave date', 'Leaving date', 'End date', 'Date left'],
  },
  jobTitle: {
    label: 'Job title',
    required: false,
    headings: ['Job title', 'Post', 'Position'],
  },
} as const;

export type StaffImportColumn = keyof typeof STAFF_IMPORT_COLUMNS;

/** One row of the file, its cells read (blank optional cells are null). */
export interface StaffImportLine {
  line: number;
  givenName: string;
  familyName: string;
  email: string;
  /** The cell's role names as written ("Teacher; DSL"), split; resolved by `readRoles`. */
  roleNames: string[];
  startDate: string | null;
  lineManagerEmail: string | null;
  leaveDate: string | null;
  /** Undefined: the file has no job title column. */
  jobTitle?: string | null;
}

export interface RowProblem {
  line: number;
  message: string;
}

export type ParsedStaffFile =
  | {
      ok: true;
      lines: StaffImportLine[];
      errors: RowProblem[];
      total: number;
      columns: StaffImportColumn[];
    }
  | { ok: false; fileError: string };

/** Cheap checks at upload: a text file (not a spreadsheet, PDF or picture) of a sane size. */
export function checkStaffFile(data: Buffer): string | null {
  const sniff = sniffFile(data.subarray(0, SNIFF_BYTES));
  if (!sniff.ok) return sniff.fileError.message;
  if (data.length > MAX_FILE_BYTES) return 'This file is too big. Split it and upload each part.';
  return null;
}

const emailFormat = z.email();

/** A lower-case email address, or null when it is not one. */
function readEmail(cell: string): string | null {
  const v = cell.trim().toLowerCase();
  if (!v || v.length > 254 || !emailFormat.safeParse(v).success) return null;
  return v;
}

function dateProblem(what: string, reason: string): string {
  if (reason === 'two_digit_year') {
    return `${what} needs a four-digit year, for example 1/9/2025`;
  }
  return `${what} must be a real date written as day/month/year, for example 1/9/2025`;
}

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The role names of a cell → Lanyard's roles. Each name may be the school's own title
 * (`people.roleTitles`), Lanyard's name ("Designated Safeguarding Lead") or its key ("dsl"),
 * without regard to case, spaces or punctuation. Names are separated by semicolons, commas,
 * vertical bars or new lines.
 */
export function readRoles(
  names: readonly string[],
  titles: Readonly<Partial<Record<string, string>>> | null,
): { roles: StaffRole[] } | { unknown: string[] } {
  const byName = new Map<string, StaffRole>();
  for (const role of staffRoles) {
    byName.set(key(role), role);
    byName.set(key(roleLabels[role]), role);
  }
  // The school's titles win over Lanyard's names when they clash.
  for (const role of staffRoles) {
    const title = titles?.[role];
    if (title) byName.set(key(title), role);
  }
  const roles = new Set<StaffRole>();
  const unknown: string[] = [];
  for (const name of names) {
    const role = byName.get(key(name));
    if (role) roles.add(role);
    else unknown.push(name);
  }
  return unknown.length ? { unknown } : { roles: [...roles].sort() };
}

/** Splits a roles cell into names. */
export function splitRoles(cell: string): string[] {
  return cell
    .split(/[;,|\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Reads a staff list: the first row is the headings; one row per member of staff. A row with a
 * problem is left out of `lines` and listed in `errors` (every problem of the row, in words).
 */
export function parseStaffFile(data: Buffer): ParsedStaffFile {
  const sheet = readCsvSheet(data);
  if (!sheet.ok) return sheet;
  const { records, heads } = sheet;
  const col = {} as Record<StaffImportColumn, number>;
  for (const [name, spec] of Object.entries(STAFF_IMPORT_COLUMNS) as [
    StaffImportColumn,
    (typeof STAFF_IMPORT_COLUMNS)[StaffImportColumn],
  ][]) {
    col[name] = heads.findIndex((h) => spec.headings.some((a) => normaliseHeader(a) === h));
  }
  const missing = (Object.keys(STAFF_IMPORT_COLUMNS) as StaffImportColumn[]).filter(
    (k) => STAFF_IMPORT_COLUMNS[k].required && col[k] < 0,
  );
  if (missing.length > 0) {
    return {
      ok: false,
      fileError: `The file needs the columns ${missing
        .map((k) => `“${STAFF_IMPORT_COLUMNS[k].label}”`)
        .join(', ')}. The first row must be the column headings.`,
    };
  }
  const columns = (Object.keys(col) as StaffImportColumn[]).filter((k) => col[k] >= 0);
  const lines: StaffImportLine[] = [];
  const errors: RowProblem[] = [];
  const firstRowOf = new Map<string, number>();
  let total = 0;
  for (const r of records) {
    if (r.cells.every((c) => c.trim() === '')) continue;
    total += 1;
    const cell = (k: StaffImportColumn) => (col[k] >= 0 ? (r.cells[col[k]] ?? '').trim() : '');
    const problems: string[] = [];
    const givenName = cell('givenName');
    const familyName = cell('familyName');
    if (!givenName) problems.push('Given name is blank');
    else if (givenName.length > 100) problems.push('Given name must be 100 characters or fewer');
    if (!familyName) problems.push('Family name is blank');
    else if (familyName.length > 100) problems.push('Family name must be 100 characters or fewer');
    const emailCell = cell('email');
    const email = readEmail(emailCell);
    if (!emailCell) problems.push('Email is blank');
    else if (!email) problems.push('Email must be an email address, like name@example.com');
    else if (firstRowOf.has(email)) {
      problems.push(`This email address is also on row ${firstRowOf.get(email)}`);
    } else firstRowOf.set(email, r.line);
    const readDate = (k: 'startDate' | 'leaveDate', what: string): string | null => {
      const v = cell(k);
      if (!v) return null;
      const d = parseUkDate(v);
      if (!d.ok) {
        problems.push(dateProblem(what, d.reason));
        return null;
      }
      return d.iso;
    };
    const startDate = readDate('startDate', 'Start date');
    const leaveDate = readDate('leaveDate', 'Leave date');
    if (startDate && leaveDate && leaveDate < startDate) {
      problems.push('Leave date must be the same as or after the start date');
    }
    const managerCell = cell('lineManager');
    const lineManagerEmail = managerCell ? readEmail(managerCell) : null;
    if (managerCell && !lineManagerEmail) {
      problems.push('Line manager must be their email address, like name@example.com');
    } else if (lineManagerEmail && lineManagerEmail === email) {
      problems.push('A member of staff cannot be their own line manager');
    }
    const jobTitle = col.jobTitle >= 0 ? cell('jobTitle') || null : undefined;
    if (jobTitle && jobTitle.length > 100)
      problems.push('Job title must be 100 characters or fewer');
    if (problems.length) {
      for (const message of problems) errors.push({ line: r.line, message });
      continue;
    }
    lines.push({
      line: r.line,
      givenName,
      familyName,
      email: email!,
      roleNames: splitRoles(cell('roles')),
      startDate,
      lineManagerEmail,
      leaveDate,
      ...(jobTitle !== undefined ? { jobTitle } : {}),
    });
  }
  return { ok: true, lines, errors, total, columns };
}
