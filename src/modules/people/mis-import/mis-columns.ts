/**
 * The one place that says which CSV column headings Lanyard understands in a pupil/contact export
 * from a school MIS (SIMS, Arbor, or our own canonical layout). docs/mis-import.md is the
 * human-readable version of this table; keep the two in step.
 *
 * Matching ignores case, spaces, underscores and punctuation: "Date Of Birth", "date_of_birth",
 * "DATE-OF-BIRTH" and "D.O.B." (via the "dob" alias) are all the same heading.
 *
 * When more than one heading in a file maps to the same field (e.g. SIMS "Legal Forename" and
 * "Forename"), all are kept in priority order (the order of the aliases below) and the parser
 * takes, row by row, the first one that is not blank. The preferred names ("Preferred Forename",
 * "Preferred Surname") are fields of their own, and stand in for the legal name in a row (or a
 * file) that has none. The pupil id is different: one
 * column is chosen for the whole file (UPN, else Adno, else Student ID, else pupil_id) so that the
 * ids stay stable between imports.
 */

/** Pupil fields other than the id. */
export type PupilField =
  | 'given_name'
  | 'family_name'
  | 'preferred_given_name'
  | 'preferred_family_name'
  | 'date_of_birth'
  | 'year_group'
  | 'class'
  | 'admission_date'
  | 'leaving_date'
  | 'email';

/** The columns that can serve as the pupil's stable id, best first. */
export type PupilIdKind = 'upn' | 'adno' | 'student_id' | 'pupil_id';

/** Fields of a parent/carer contact. `name` is a full name in one cell, used when the
 * separate first name / surname cells are blank or absent (Arbor "Primary Guardian Name"). */
export type ContactField =
  | 'id'
  | 'given_name'
  | 'family_name'
  | 'name'
  | 'email'
  | 'phone'
  | 'relationship'
  | 'parental_responsibility';

export const MAX_CONTACTS = 4;
export type ContactSlot = 1 | 2 | 3 | 4;
export const CONTACT_SLOTS: readonly ContactSlot[] = [1, 2, 3, 4];

/** Canonical column names, e.g. `given_name`, `upn`, `parent_2_email`. */
export type CanonicalColumn = PupilField | PupilIdKind | `parent_${ContactSlot}_${ContactField}`;

/** Reduce a heading to lower-case letters and digits only. */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

interface ColumnSpec {
  /** Shown to school staff in messages and in the docs. */
  label: string;
  required: boolean;
  /** Headings as they appear in the exports (for the docs and tests); matched normalised. */
  canonical: string;
  sims: readonly string[];
  arbor: readonly string[];
  /** Other headings we also accept. */
  other: readonly string[];
  format: string;
}

/** Pupil id columns, in the order of preference. */
export const PUPIL_ID_COLUMNS: Readonly<Record<PupilIdKind, ColumnSpec>> = {
  upn: {
    label: 'UPN',
    required: false,
    canonical: 'upn',
    sims: ['UPN'],
    arbor: ['UPN'],
    other: ['Unique Pupil Number'],
    format: '13 characters: a letter then 12 letters or digits, e.g. A823401211001',
  },
  adno: {
    label: 'Admission number (Adno)',
    required: false,
    canonical: 'adno',
    sims: ['Adno', 'Admission Number'],
    arbor: [],
    other: ['Admission No', 'Adm No'],
    format: 'text, e.g. 001234 (leading zeros kept)',
  },
  student_id: {
    label: 'Arbor Student ID',
    required: false,
    canonical: 'student_id',
    sims: [],
    arbor: ['Student ID'],
    other: ['Arbor Student ID'],
    format: 'text',
  },
  pupil_id: {
    label: 'pupil_id',
    required: false,
    canonical: 'pupil_id',
    sims: [],
    arbor: [],
    other: ['Pupil ID'],
    format: 'text',
  },
};

export const PUPIL_ID_ORDER: readonly PupilIdKind[] = ['upn', 'adno', 'student_id', 'pupil_id'];

/** Pupil columns; within each, the headings are in priority order (first non-blank wins). */
export const PUPIL_COLUMNS: Readonly<Record<PupilField, ColumnSpec>> = {
  given_name: {
    label: 'First name',
    required: true,
    canonical: 'given_name',
    sims: ['Legal Forename', 'Forename'],
    arbor: ['Legal First Name', 'First Name'],
    other: ['Given Name'],
    format: 'text, kept exactly as written; the preferred first name when blank',
  },
  family_name: {
    label: 'Surname',
    required: true,
    canonical: 'family_name',
    sims: ['Legal Surname', 'Surname'],
    arbor: ['Legal Last Name', 'Last Name'],
    other: ['Family Name'],
    format: 'text, kept exactly as written; the preferred surname when blank',
  },
  preferred_given_name: {
    label: 'Preferred first name',
    required: false,
    canonical: 'preferred_given_name',
    sims: ['Preferred Forename'],
    arbor: ['Preferred First Name'],
    other: ['Preferred Name', 'Preferred Given Name'],
    format: 'text; kept only when it differs from the legal first name',
  },
  preferred_family_name: {
    label: 'Preferred surname',
    required: false,
    canonical: 'preferred_family_name',
    sims: ['Preferred Surname'],
    arbor: ['Preferred Last Name'],
    other: ['Preferred Family Name'],
    format: 'text; kept only when it differs from the legal surname',
  },
  date_of_birth: {
    label: 'Date of birth',
    required: true,
    canonical: 'date_of_birth',
    sims: ['DOB', 'Date of Birth'],
    arbor: ['Date Of Birth'],
    other: ['Birth Date'],
    format:
      'dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd; not in the future, at most 25 years ago',
  },
  year_group: {
    label: 'Year group',
    required: true,
    canonical: 'year_group',
    sims: ['NC Year Actual', 'Year'],
    arbor: ['Year Group'],
    other: ['NC Year', 'Curriculum Year'],
    format: 'Nursery 1 / N1, Nursery 2 / N2 / Nursery, Reception / Rec / R / YR, Year 1 … Year 13',
  },
  class: {
    label: 'Class',
    required: false,
    canonical: 'class',
    sims: ['Class', 'Reg Group', 'Registration Group', 'Reg'],
    arbor: ['Registration Form'],
    other: ['Form', 'Tutor Group', 'Form Group'],
    format: 'text, e.g. 3B or Oak',
  },
  admission_date: {
    label: 'Admission date',
    required: false,
    canonical: 'admission_date',
    sims: ['Admission Date', 'Date of Admission'],
    arbor: ['Start Date'],
    other: ['Entry Date'],
    format: 'a date, as for date of birth',
  },
  leaving_date: {
    label: 'Leaving date',
    required: false,
    canonical: 'leaving_date',
    sims: ['Leaving Date', 'Date of Leaving'],
    arbor: ['End Date'],
    other: ['Leave Date'],
    format: 'a date, as for date of birth; not before the admission date',
  },
  email: {
    label: 'Pupil email',
    required: false,
    canonical: 'email',
    sims: ['Email', 'Email Address', 'Pupil Email'],
    arbor: ['Email', 'Student Email', 'Email Address'],
    other: [],
    format: 'an email address',
  },
};

export const PUPIL_FIELD_ORDER: readonly PupilField[] = [
  'given_name',
  'family_name',
  'preferred_given_name',
  'preferred_family_name',
  'date_of_birth',
  'year_group',
  'class',
  'admission_date',
  'leaving_date',
  'email',
];

/**
 * Contact headings are `<prefix> <N> <suffix>` (SIMS "Contact 1 Forename", Arbor "Guardian 1
 * Email", canonical "parent_1_email"), or `<primary prefix> <suffix>` for contact 1 (Arbor
 * "Primary Guardian Name").
 */
export const CONTACT_PREFIXES: readonly string[] = ['parent', 'contact', 'guardian', 'carer'];
export const PRIMARY_CONTACT_PREFIXES: readonly string[] = [
  'primaryguardian',
  'primarycontact',
  'primaryparent',
  'primarycarer',
];

export const CONTACT_COLUMNS: Readonly<
  Record<ContactField, { label: string; suffixes: readonly string[]; format: string }>
> = {
  id: {
    label: 'id',
    suffixes: ['id', 'contactid', 'personid', 'guardianid'],
    format: 'text (used to recognise the same parent across pupils and imports)',
  },
  given_name: {
    label: 'first name',
    suffixes: ['givenname', 'forename', 'firstname', 'legalforename', 'legalfirstname'],
    format: 'text',
  },
  family_name: {
    label: 'surname',
    suffixes: ['familyname', 'surname', 'lastname', 'legalsurname', 'legallastname'],
    format: 'text',
  },
  name: {
    label: 'name',
    suffixes: ['name', 'fullname'],
    format: 'full name in one cell, "Jane Smith" or "Smith, Jane"; a leading title is dropped',
  },
  email: {
    label: 'email',
    suffixes: ['email', 'emailaddress', 'primaryemail', 'mainemail'],
    format: 'an email address',
  },
  phone: {
    label: 'phone',
    suffixes: [
      'phone',
      'mobile',
      'mobilephone',
      'mobilenumber',
      'telephone',
      'telephonenumber',
      'phonenumber',
      'primaryphone',
      'primarytelephone',
      'homephone',
      'hometelephone',
      'tel',
    ],
    format: 'text, kept as written',
  },
  relationship: {
    label: 'relationship',
    suffixes: ['relationship', 'relation', 'relationshiptopupil', 'relationshiptostudent'],
    format: 'text, e.g. Mother, Father, Carer',
  },
  parental_responsibility: {
    label: 'parental responsibility',
    suffixes: ['parentalresponsibility', 'hasparentalresponsibility', 'pr'],
    format: 'Y/N, Yes/No, True/False, 1/0; blank means not known (treated as No)',
  },
};

export const CONTACT_FIELD_ORDER: readonly ContactField[] = [
  'id',
  'given_name',
  'family_name',
  'name',
  'email',
  'phone',
  'relationship',
  'parental_responsibility',
];

/** Example headings for the docs/tests: SIMS "Contact N …" and Arbor "Guardian N …". */
export const CONTACT_HEADER_EXAMPLES: Readonly<
  Record<ContactField, { sims: readonly string[]; arbor: readonly string[] }>
> = {
  id: { sims: ['Contact 1 Id'], arbor: ['Guardian 1 ID'] },
  given_name: { sims: ['Contact 1 Forename'], arbor: ['Guardian 1 First Name'] },
  family_name: { sims: ['Contact 1 Surname'], arbor: ['Guardian 1 Last Name'] },
  name: { sims: [], arbor: ['Primary Guardian Name'] },
  email: { sims: ['Contact 1 Email'], arbor: ['Guardian 1 Email'] },
  phone: { sims: ['Contact 1 Telephone', 'Contact 1 Mobile'], arbor: ['Guardian 1 Mobile'] },
  relationship: { sims: ['Contact 1 Relationship'], arbor: ['Guardian 1 Relationship'] },
  parental_responsibility: {
    sims: ['Contact 1 Parental Responsibility'],
    arbor: ['Guardian 1 Parental Responsibility'],
  },
};

// ---------------------------------------------------------------------------------------------
// Lookup tables built once from the specs above.

interface AliasTarget {
  column: CanonicalColumn;
  /** Lower = preferred when several headings map to the same column. */
  priority: number;
}

const PUPIL_ALIASES: ReadonlyMap<string, AliasTarget> = (() => {
  const map = new Map<string, AliasTarget>();
  const add = (column: CanonicalColumn, spec: ColumnSpec): void => {
    // Priority: canonical first, then SIMS and Arbor interleaved in their listed order, so that
    // "Legal Forename"/"Legal First Name" beat "Forename"/"First Name", which beat "Preferred …".
    const ordered = [spec.canonical];
    const longest = Math.max(spec.sims.length, spec.arbor.length);
    for (let i = 0; i < longest; i++) {
      const s = spec.sims[i];
      const a = spec.arbor[i];
      if (s !== undefined) ordered.push(s);
      if (a !== undefined) ordered.push(a);
    }
    ordered.push(...spec.other);
    ordered.forEach((alias, priority) => {
      const key = normaliseHeader(alias);
      if (!map.has(key)) map.set(key, { column, priority });
    });
  };
  for (const kind of PUPIL_ID_ORDER) add(kind, PUPIL_ID_COLUMNS[kind]);
  for (const field of PUPIL_FIELD_ORDER) add(field, PUPIL_COLUMNS[field]);
  return map;
})();

const CONTACT_SUFFIXES: ReadonlyMap<string, { field: ContactField; priority: number }> = (() => {
  const map = new Map<string, { field: ContactField; priority: number }>();
  for (const field of CONTACT_FIELD_ORDER) {
    CONTACT_COLUMNS[field].suffixes.forEach((suffix, priority) => {
      map.set(suffix, { field, priority });
    });
  }
  return map;
})();

const CONTACT_PATTERN = new RegExp(`^(${CONTACT_PREFIXES.join('|')})(\\d+)(.+)$`);
const PRIMARY_CONTACT_PATTERN = new RegExp(`^(${PRIMARY_CONTACT_PREFIXES.join('|')})(.+)$`);

/** Which canonical column a heading means, or null when we don't use it. */
export function canonicalColumnFor(
  header: string,
): { column: CanonicalColumn; priority: number } | null {
  const key = normaliseHeader(header);
  if (key === '') return null;
  const pupil = PUPIL_ALIASES.get(key);
  if (pupil) return pupil;

  const numbered = CONTACT_PATTERN.exec(key);
  if (numbered) {
    const slot = Number(numbered[2]);
    const suffix = CONTACT_SUFFIXES.get(numbered[3] ?? '');
    if (suffix && slot >= 1 && slot <= MAX_CONTACTS) {
      return {
        column: `parent_${slot as ContactSlot}_${suffix.field}`,
        priority: suffix.priority,
      };
    }
    return null;
  }
  const primary = PRIMARY_CONTACT_PATTERN.exec(key);
  if (primary) {
    const suffix = CONTACT_SUFFIXES.get(primary[2] ?? '');
    // Numbered "Guardian 1 …" headings come before "Primary Guardian …" ones.
    if (suffix) return { column: `parent_1_${suffix.field}`, priority: 100 + suffix.priority };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

export interface ColumnRef {
  /** 0-based position of the column in the file. */
  index: number;
  /** The heading as written in the file (trimmed). */
  header: string;
}

export type HeaderMapping = Partial<Record<CanonicalColumn, ColumnRef[]>>;

export interface PupilIdColumn extends ColumnRef {
  kind: PupilIdKind;
  /** How to describe the column to school staff, e.g. "UPN". */
  label: string;
}

export interface HeaderMatch {
  /** Canonical column → the file's columns for it, best first. */
  mapping: HeaderMapping;
  /** The column used as the stable pupil id, or null when there is none. */
  pupilIdColumn: PupilIdColumn | null;
  /** Required canonical columns not found: 'pupil_id' (meaning any id column), 'given_name'… */
  missing: string[];
  /** Headings (as written) that Lanyard does not use; blank headings are left out. */
  unknown: string[];
}

/** The required columns, in the order they are reported when missing. */
export const REQUIRED_COLUMNS: readonly string[] = [
  'pupil_id',
  ...PUPIL_FIELD_ORDER.filter((f) => PUPIL_COLUMNS[f].required),
];

/** A plain-words description of a required canonical column, for messages. */
export function describeRequiredColumn(column: string): string {
  if (column === 'pupil_id') {
    return 'a pupil ID (a column called UPN, Adno, Student ID or pupil_id)';
  }
  const spec = PUPIL_COLUMNS[column as PupilField] as ColumnSpec | undefined;
  if (!spec) return column;
  const byKey = new Map<string, string>();
  for (const h of [...spec.sims, ...spec.arbor]) {
    if (!byKey.has(normaliseHeader(h))) byKey.set(normaliseHeader(h), h);
  }
  const examples = [...byKey.values()].slice(0, 3);
  return `${spec.label.toLowerCase()} (e.g. ${examples.map((e) => `"${e}"`).join(', ')} or ${spec.canonical})`;
}

/** The preferred name that stands in for a legal name a row (or a file) does not have. */
export const PREFERRED_STAND_IN: Partial<Record<PupilField, PupilField>> = {
  given_name: 'preferred_given_name',
  family_name: 'preferred_family_name',
};

export function matchHeaders(headers: string[]): HeaderMatch {
  const found = new Map<CanonicalColumn, Array<ColumnRef & { priority: number }>>();
  const unknown: string[] = [];

  headers.forEach((raw, index) => {
    const header = raw.trim();
    if (header === '') return;
    const target = canonicalColumnFor(header);
    if (!target) {
      unknown.push(header);
      return;
    }
    const list = found.get(target.column) ?? [];
    list.push({ index, header, priority: target.priority });
    found.set(target.column, list);
  });

  const mapping: HeaderMapping = {};
  for (const [column, refs] of found) {
    refs.sort((a, b) => a.priority - b.priority || a.index - b.index);
    mapping[column] = refs.map(({ index, header }) => ({ index, header }));
  }

  let pupilIdColumn: PupilIdColumn | null = null;
  for (const kind of PUPIL_ID_ORDER) {
    const first = mapping[kind]?.[0];
    if (first) {
      pupilIdColumn = { ...first, kind, label: PUPIL_ID_COLUMNS[kind].label };
      break;
    }
  }

  const missing: string[] = [];
  if (!pupilIdColumn) missing.push('pupil_id');
  for (const field of PUPIL_FIELD_ORDER) {
    if (!PUPIL_COLUMNS[field].required || mapping[field]?.length) continue;
    // A file with only the preferred name uses it as the name.
    const standIn = PREFERRED_STAND_IN[field];
    if (standIn && mapping[standIn]?.length) continue;
    missing.push(field);
  }

  return { mapping, pupilIdColumn, missing, unknown };
}
