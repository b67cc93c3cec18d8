/**
 * The MIS import's public types and limits (mis-parse.ts re-exports them).
 */
import type { ContactSlot, HeaderMapping, PupilIdColumn } from './mis-columns.ts';

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
  /** The first name the pupil is known by; null when blank or the same as the legal one. */
  preferredGivenName: string | null;
  /** The surname the pupil is known by; null when blank or the same as the legal one. */
  preferredFamilyName: string | null;
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

export const SAVE_AS_CSV =
  'Export the pupil list from your MIS as a CSV file, or open it in Excel, choose File > Save As, ' +
  'pick "CSV UTF-8 (Comma delimited) (*.csv)" and upload that file instead.';
