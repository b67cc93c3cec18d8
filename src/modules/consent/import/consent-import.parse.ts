/**
 * Reads a spreadsheet (CSV) of consents a school already holds: one row per pupil and decider,
 * one column per purpose × media type. Pure: no database. The file checks (not a CSV, binary,
 * wrong encoding, too big, broken quotes) are the pupil import's, reused from
 * people/mis-import/mis-parse.ts. Rows are checked for what the file alone can tell (dates,
 * values, columns); the service then checks them against the school (pupil ids, parental
 * responsibility, competence, periods). See docs/consent-import.md.
 */
import {
  clean,
  decode,
  MAX_FILE_BYTES,
  parseCsv,
  parseUkDate,
  SNIFF_BYTES,
  sniffDelimiter,
  sniffFile,
  type FileError,
  type RowError,
  type TextEncodingName,
} from '../../people/index.ts';
import { normaliseHeader } from '../../people/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import {
  consentKey,
  consentKeysFor,
  consentKindLabels,
  type ConsentDecision,
  type ConsentKind,
  type ConsentMethod,
} from '../register/consent-rules.ts';

export type { RowError, FileError };

/** Who the row says decided. */
export type ImportDecider =
  | { kind: 'pupil' }
  | { kind: 'parent-email'; email: string }
  | { kind: 'parent-id'; misId: string };

export interface ConsentImportRow {
  /** 1-based file line (the header is line 1). */
  line: number;
  pupilRef: string;
  decider: ImportDecider;
  /** A period key ('2026-27', 'admission'), or null for the default (the current period). */
  periodKey: string | null;
  /** yyyy-mm-dd; null when the row has only "not returned" answers and no date. */
  decidedOn: string | null;
  method: ConsentMethod;
  /** Only the keys the row answers; a blank cell is "not asked". */
  decisions: Record<string, ConsentDecision>;
  note: string | null;
}

export interface ConsentColumn {
  header: string;
  key: string;
}

export interface ConsentHeaderReport {
  encoding: TextEncodingName;
  headers: string[];
  pupilIdColumn: string;
  /** The column that says who decided (for messages). */
  deciderColumn: string;
  consentColumns: ConsentColumn[];
  /** Headings that are not used (names, class…). */
  unused: string[];
}

export type ConsentParseResult =
  | {
      ok: true;
      rows: ConsentImportRow[];
      errors: RowError[];
      totalErrors: number;
      totalRows: number;
      emptyRows: number;
      /** Rows naming a pupil and decider but leaving every consent column blank (nothing asked). */
      unansweredRows: number;
      header: ConsentHeaderReport;
    }
  | { ok: false; fileError: FileError };

/** Stop listing problems after this many. */
export const MAX_ERRORS = 1000;

// ---------------------------------------------------------------------------------------------
// Columns (headings are matched ignoring case, spaces and punctuation)

export const COLUMN_ALIASES = {
  pupilId: [
    'UPN',
    'Pupil id',
    'Pupil MIS id',
    'MIS id',
    'Adno',
    'Admission number',
    'Student id',
    'Pupil UPN',
  ],
  parentEmail: [
    'Parent email',
    'Parent email address',
    'Carer email',
    'Contact email',
    'Guardian email',
    'Decider email',
    'Email',
  ],
  parentId: [
    'Parent MIS id',
    'Parent id',
    'Contact id',
    'Guardian id',
    'Carer id',
    'Decider MIS id',
  ],
  decidedBy: ['Decided by', 'Decider', 'Given by', 'Consent given by', 'Signed by'],
  period: ['Period', 'Academic year', 'School year', 'Consent period', 'Consent year'],
  date: [
    'Date on form',
    'Date',
    'Form date',
    'Decided on',
    'Date signed',
    'Signed on',
    'Date returned',
    'Consent date',
  ],
  method: ['Method', 'How given', 'Received as', 'Consent method'],
  note: ['Note', 'Notes', 'Comment', 'Comments'],
} as const;

type ColumnName = keyof typeof COLUMN_ALIASES;

const ALIAS_INDEX: ReadonlyMap<string, ColumnName> = new Map(
  (Object.entries(COLUMN_ALIASES) as [ColumnName, readonly string[]][]).flatMap(([name, list]) =>
    list.map((h) => [normaliseHeader(h), name] as const),
  ),
);

/** Columns a school's spreadsheet often has that the import does not need. */
const IGNORED = new Set(
  [
    'Pupil name',
    'Child name',
    'Student name',
    'Name',
    'Full name',
    'Forename',
    'Surname',
    'First name',
    'Last name',
    'Given name',
    'Family name',
    'Legal forename',
    'Legal surname',
    'Preferred forename',
    'Parent name',
    'Carer name',
    'Contact name',
    'Guardian name',
    'Decider name',
    'Class',
    'Form',
    'Reg group',
    'Year',
    'Year group',
    'NC year',
    'Date of birth',
    'DOB',
    'Relationship',
  ].map(normaliseHeader),
);

export const KIND_WORDS: Record<ConsentKind, readonly string[]> = {
  image: ['image', 'images', 'photo', 'photos', 'photograph', 'photographs', 'picture', 'pictures'],
  video: ['video', 'videos', 'film', 'films'],
  name: ['name', 'named', 'naming', 'namewithphoto', 'namewithaphoto'],
};

/** Kind words, longest first so 'photos' is tried before 'photo'. */
const KIND_LIST: { word: string; kind: ConsentKind }[] = (
  Object.entries(KIND_WORDS) as [ConsentKind, readonly string[]][]
)
  .flatMap(([kind, words]) => words.map((word) => ({ word, kind })))
  .sort((a, b) => b.word.length - a.word.length);

type ConsentHeader =
  | { match: 'key'; key: string }
  | { match: 'unknown-purpose'; purpose: string; kind: ConsentKind }
  | { match: 'kind-not-asked'; purposeLabel: string; kind: ConsentKind }
  | { match: 'none' };

/** Is this heading a consent column (purpose × kind), and which? */
export function consentHeader(settings: PolicySettings, header: string): ConsentHeader {
  let h = normaliseHeader(header);
  if (h.startsWith('consent')) h = h.slice('consent'.length);
  if (h.endsWith('consent')) h = h.slice(0, -'consent'.length);
  const purposes = settings.consent.purposes.value;
  const keys = new Set(consentKeysFor(settings));
  for (const { word, kind } of KIND_LIST) {
    let rest: string | null = null;
    if (h.length > word.length && h.endsWith(word)) rest = h.slice(0, -word.length);
    else if (h.length > word.length && h.startsWith(word)) rest = h.slice(word.length);
    if (rest === null) continue;
    rest = rest.replace(/^for/, '').replace(/(for|with)$/, '');
    if (rest === '') continue;
    const purpose = purposes.find(
      (p) => normaliseHeader(p.key) === rest || normaliseHeader(p.label) === rest,
    );
    if (!purpose) return { match: 'unknown-purpose', purpose: rest, kind };
    const key = consentKey(purpose.key, kind);
    if (!keys.has(key)) return { match: 'kind-not-asked', purposeLabel: purpose.label, kind };
    return { match: 'key', key };
  }
  return { match: 'none' };
}

// ---------------------------------------------------------------------------------------------
// Values

const GRANTED = new Set(['y', 'yes', 'granted', 'grant', 'agree', 'agreed', 'given', 'true', '1']);
const REFUSED = new Set([
  'n',
  'no',
  'refused',
  'refuse',
  'declined',
  'decline',
  'withheld',
  'notgiven',
  'false',
  '0',
]);
const NOT_RETURNED = new Set([
  'notreturned',
  'nr',
  'noreturn',
  'noformreturned',
  'notreceived',
  'formnotreturned',
]);

/** yes/no/not returned (and Y/N, granted/refused); '' is "not asked"; null is unreadable. */
export function parseDecision(value: string): ConsentDecision | '' | null {
  const v = normaliseHeader(value);
  if (v === '') return '';
  if (GRANTED.has(v)) return 'granted';
  if (REFUSED.has(v)) return 'refused';
  if (NOT_RETURNED.has(v)) return 'not_returned';
  return null;
}

const METHODS: ReadonlyMap<string, ConsentMethod> = new Map([
  ['paper', 'paper_form'],
  ['paperform', 'paper_form'],
  ['form', 'paper_form'],
  ['online', 'online_form'],
  ['onlineform', 'online_form'],
  ['letter', 'letter'],
  ['email', 'email'],
  ['import', 'import'],
  ['imported', 'import'],
  ['spreadsheet', 'import'],
]);

export function parseMethod(value: string): ConsentMethod | null {
  const v = normaliseHeader(value);
  if (v === '') return 'import';
  return METHODS.get(v) ?? null;
}

const PUPIL_WORDS = new Set(['pupil', 'thepupil', 'student', 'child', 'self', 'pupilthemself']);

/** '2026-27', '2026/27', '2026-2027', '2026 to 2027' → '2026-27'; 'admission' → 'admission'. */
export function parsePeriod(value: string): string | null | '' {
  const v = value.trim();
  if (v === '') return '';
  const n = normaliseHeader(v);
  if (n === 'admission' || n === 'fromadmission' || n === 'untilchanged') return 'admission';
  const m = /^(\d{4})\s*(?:[-/–]|to)\s*(\d{2}|\d{4})$/.exec(v);
  if (!m) return null;
  const first = Number(m[1]);
  const second = Number(m[2]!.length === 2 ? `${m[1]!.slice(0, 2)}${m[2]}` : m[2]);
  const expected = first + 1;
  // '1999-00' has a two-digit second year that wraps the century.
  if (second !== expected && !(m[2]!.length === 2 && (second + 100) % 100 === expected % 100)) {
    return null;
  }
  return `${first}-${String(expected % 100).padStart(2, '0')}`;
}

function quote(value: string): string {
  return `“${value.length > 60 ? `${value.slice(0, 57)}…` : value}”`;
}

// ---------------------------------------------------------------------------------------------
// The file

function sizeError(file: Buffer): FileError | null {
  if (file.length <= MAX_FILE_BYTES) return null;
  return {
    code: 'too_large',
    message: `This file is too big (the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB). Split it and upload each part.`,
  };
}

/**
 * The checks that need no parsing (the first bytes, the size), made when the file is uploaded: a
 * file that fails them is refused at once and never stored.
 */
export function checkConsentFile(file: Buffer): FileError | null {
  const sniff = sniffFile(file.subarray(0, SNIFF_BYTES));
  return sniff.ok ? sizeError(file) : sniff.fileError;
}

/** Parses and checks a consent spreadsheet. See docs/consent-import.md. */
export function parseConsentFile(
  file: Buffer,
  options: { settings: PolicySettings; today: string; maxErrors?: number },
): ConsentParseResult {
  const { settings, today } = options;
  const maxErrors = options.maxErrors ?? MAX_ERRORS;

  const sniff = sniffFile(file.subarray(0, SNIFF_BYTES));
  if (!sniff.ok) return sniff;
  const tooBig = sizeError(file);
  if (tooBig) return { ok: false, fileError: tooBig };
  const decoded = decode(file, sniff.encoding);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  const empty: FileError = {
    code: 'empty',
    message:
      'The file is empty. It needs a row of column headings and then one row per pupil and parent or carer.',
  };
  if (text.trim() === '') return { ok: false, fileError: empty };
  const parsed = parseCsv(text, sniffDelimiter(text));
  if (!parsed.ok) return parsed;
  const [headerRecord, ...records] = parsed.records;
  if (!headerRecord) return { ok: false, fileError: empty };
  const headers = headerRecord.cells.map((h) => clean(h));

  // Headings
  const columns = new Map<ColumnName, number>();
  const consentColumns: (ConsentColumn & { index: number })[] = [];
  const unused: string[] = [];
  const errors: RowError[] = [];
  let totalErrors = 0;
  const addError = (line: number, column: string | null, message: string) => {
    totalErrors++;
    if (errors.length < maxErrors) errors.push({ line, column, message });
  };
  const purposeList = settings.consent.purposes.value.map((p) => `“${p.key}”`).join(', ');
  headers.forEach((header, index) => {
    if (header === '') return;
    const norm = normaliseHeader(header);
    const named = ALIAS_INDEX.get(norm);
    if (named) {
      if (!columns.has(named)) columns.set(named, index);
      else addError(1, header, `The column ${quote(header)} appears twice. Keep only one.`);
      return;
    }
    if (IGNORED.has(norm)) {
      unused.push(header);
      return;
    }
    const c = consentHeader(settings, header);
    if (c.match === 'key') {
      if (consentColumns.some((x) => x.key === c.key)) {
        addError(1, header, `Two columns are about ${c.key}. Keep only one.`);
      } else consentColumns.push({ header, key: c.key, index });
    } else if (c.match === 'unknown-purpose') {
      addError(
        1,
        header,
        `The column ${quote(header)} is about ${consentKindLabels[c.kind].toLowerCase()} for a purpose that is not in the school’s policy. The purposes are ${purposeList}; name the column like “school_website image”.`,
      );
    } else if (c.match === 'kind-not-asked') {
      addError(
        1,
        header,
        c.kind === 'name'
          ? `The column ${quote(header)} asks about naming pupils for “${c.purposeLabel}”, which the school’s policy does not ask about.`
          : `The column ${quote(header)} is about ${consentKindLabels[c.kind].toLowerCase()}, which the school’s policy does not ask consent for.`,
      );
    } else unused.push(header);
  });

  const missing: string[] = [];
  if (!columns.has('pupilId')) missing.push('a pupil id (UPN or MIS id)');
  if (!columns.has('parentEmail') && !columns.has('parentId') && !columns.has('decidedBy')) {
    missing.push('who decided (parent email, parent MIS id, or “Decided by” with “pupil”)');
  }
  if (consentColumns.length === 0 && totalErrors === 0) {
    missing.push(
      `at least one consent column, such as “${consentKeysFor(settings)[0]!.replace('/', ' ')}”`,
    );
  }
  if (missing.length > 0) {
    const found = headers.filter((h) => h !== '');
    return {
      ok: false,
      fileError: {
        code: 'missing_columns',
        message:
          `The file is missing ${missing.length === 1 ? 'a column' : 'columns'} we need: ${missing.join('; ')}. ` +
          (found.length
            ? `The columns we found on the first line are: ${found
                .slice(0, 40)
                .map((h) => quote(h))
                .join(', ')}.`
            : 'The first line of the file has no column headings.') +
          ' The first line must be the column headings (see the guidance on this page).',
      },
    };
  }

  // Rows
  const cell = (cells: string[], name: ColumnName) => {
    const i = columns.get(name);
    return i === undefined ? '' : clean(cells[i]);
  };
  const rows: ConsentImportRow[] = [];
  let emptyRows = 0;
  let unansweredRows = 0;
  let totalRows = 0;
  const header = (name: ColumnName) => headers[columns.get(name) ?? -1] ?? null;
  const isModelAnnual = settings.consent.model.value === 'annual';
  for (const record of records) {
    if (record.cells.every((c) => clean(c) === '')) {
      emptyRows++;
      continue;
    }
    totalRows++;
    const line = record.line;
    const before = totalErrors;
    const rowError = (column: string | null, message: string) => addError(line, column, message);

    const pupilRef = cell(record.cells, 'pupilId');
    if (pupilRef === '') rowError(header('pupilId'), 'Enter the pupil’s UPN or MIS id.');

    // Who decided: a parent MIS id, a parent email, or 'pupil' (in any of the three columns).
    let decider: ImportDecider | null = null;
    const byId = cell(record.cells, 'parentId');
    const byEmail = cell(record.cells, 'parentEmail');
    const by = cell(record.cells, 'decidedBy');
    const deciderText = byId || byEmail || by;
    if (PUPIL_WORDS.has(normaliseHeader(by)) || PUPIL_WORDS.has(normaliseHeader(deciderText))) {
      decider = { kind: 'pupil' };
    } else if (byId) decider = { kind: 'parent-id', misId: byId };
    else if (byEmail || by.includes('@')) {
      decider = { kind: 'parent-email', email: (byEmail || by).toLowerCase() };
    } else if (by) decider = { kind: 'parent-id', misId: by };
    else {
      rowError(
        header('parentEmail') ?? header('parentId') ?? header('decidedBy'),
        'Say who decided: the parent’s email or MIS id, or “pupil” for a pupil deciding for themself.',
      );
    }

    const periodText = cell(record.cells, 'period');
    const period = parsePeriod(periodText);
    if (period === null) {
      rowError(
        header('period'),
        `The period ${quote(periodText)} isn’t one we can read. Write the school year like 2026-27${isModelAnnual ? '' : ', or “admission”'}, or leave it blank for the current one.`,
      );
    }

    const methodText = cell(record.cells, 'method');
    const method = parseMethod(methodText);
    if (method === null) {
      rowError(
        header('method'),
        `The method ${quote(methodText)} isn’t one we know. Use paper form, online form, letter or email, or leave it blank.`,
      );
    }

    const decisions: Record<string, ConsentDecision> = {};
    for (const col of consentColumns) {
      const raw = clean(record.cells[col.index]);
      const d = parseDecision(raw);
      if (d === null) {
        rowError(
          col.header,
          `${quote(raw)} isn’t an answer we can read. Use yes, no or not returned (Y or N is fine), or leave it blank if the question was not asked.`,
        );
      } else if (d !== '') decisions[col.key] = d;
    }

    const dateText = cell(record.cells, 'date');
    let decidedOn: string | null = null;
    if (dateText !== '') {
      const d = parseUkDate(dateText);
      if (!d.ok) {
        rowError(
          header('date'),
          d.reason === 'two_digit_year'
            ? `The date ${quote(dateText)} has a two-digit year. Write the year in full, e.g. 04/09/2026.`
            : `The date ${quote(dateText)} isn’t a real date${d.detail ? `: ${d.detail}` : ''}. Use dd/mm/yyyy, e.g. 04/09/2026.`,
        );
      } else if (d.iso > today) {
        rowError(header('date'), `The date ${quote(dateText)} is in the future.`);
      } else decidedOn = d.iso;
    } else if (Object.values(decisions).some((d) => d !== 'not_returned')) {
      rowError(header('date') ?? 'Date on form', 'Enter the date on the form.');
    }

    const note = cell(record.cells, 'note');
    if (note.length > 1000) rowError(header('note'), 'The note must be 1000 characters or fewer.');

    if (totalErrors > before || !decider || method === null || period === null) continue;
    if (Object.keys(decisions).length === 0) {
      unansweredRows++;
      continue;
    }
    rows.push({
      line,
      pupilRef,
      decider,
      periodKey: period === '' ? null : period,
      decidedOn,
      method,
      decisions,
      note: note || null,
    });
  }

  if (totalRows === 0) {
    return {
      ok: false,
      fileError: {
        code: 'empty',
        message: 'The file has column headings but no rows. Add one row per pupil and decider.',
      },
    };
  }
  return {
    ok: true,
    rows,
    errors,
    totalErrors,
    totalRows,
    emptyRows,
    unansweredRows,
    header: {
      encoding: sniff.encoding,
      headers,
      pupilIdColumn: header('pupilId') ?? '',
      deciderColumn: header('parentId') ?? header('parentEmail') ?? header('decidedBy') ?? '',
      consentColumns: consentColumns.map(({ header: h, key }) => ({ header: h, key })),
      unused,
    },
  };
}
