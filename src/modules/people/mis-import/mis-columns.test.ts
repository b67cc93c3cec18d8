import { describe, expect, it } from 'vitest';
import {
  CONTACT_HEADER_EXAMPLES,
  CONTACT_SLOTS,
  PUPIL_COLUMNS,
  PUPIL_FIELD_ORDER,
  PUPIL_ID_COLUMNS,
  PUPIL_ID_ORDER,
  canonicalColumnFor,
  describeRequiredColumn,
  matchHeaders,
  normaliseHeader,
} from './mis-columns.ts';

const SIMS_HEADERS = [
  'UPN',
  'Adno',
  'Legal Surname',
  'Legal Forename',
  'Preferred Forename',
  'Surname',
  'Forename',
  'Gender',
  'DOB',
  'Year',
  'NC Year Actual',
  'Reg',
  'Reg Group',
  'Class',
  'Admission Date',
  'Leaving Date',
  'Contact 1 Id',
  'Contact 1 Forename',
  'Contact 1 Surname',
  'Contact 1 Relationship',
  'Contact 1 Email',
  'Contact 1 Telephone',
  'Contact 1 Parental Responsibility',
  'Contact 2 Forename',
  'Contact 2 Surname',
  'Contact 2 Email',
];

const ARBOR_HEADERS = [
  'Student ID',
  'UPN',
  'First Name',
  'Last Name',
  'Legal First Name',
  'Legal Last Name',
  'Date Of Birth',
  'Year Group',
  'Registration Form',
  'Start Date',
  'End Date',
  'Primary Guardian Name',
  'Guardian 1 First Name',
  'Guardian 1 Last Name',
  'Guardian 1 Email',
  'Guardian 1 Mobile',
  'Guardian 1 Relationship',
  'Guardian 1 Parental Responsibility',
];

function headersOf(match: ReturnType<typeof matchHeaders>, column: string): string[] {
  return (match.mapping[column as keyof typeof match.mapping] ?? []).map((ref) => ref.header);
}

describe('normaliseHeader', () => {
  it('ignores case, spaces, underscores and punctuation', () => {
    for (const h of [
      'Date of Birth',
      'date_of_birth',
      'DATE-OF-BIRTH',
      ' Date  Of Birth ',
      'Date.of.Birth',
    ]) {
      expect(normaliseHeader(h)).toBe('dateofbirth');
    }
    expect(normaliseHeader('D.O.B.')).toBe('dob');
  });
});

describe('matchHeaders', () => {
  it('maps a SIMS export, preferring the UPN as the pupil id', () => {
    const match = matchHeaders(SIMS_HEADERS);
    expect(match.missing).toEqual([]);
    expect(match.pupilIdColumn).toEqual({ index: 0, header: 'UPN', kind: 'upn', label: 'UPN' });
    expect(match.unknown).toEqual(['Gender']);
    // Legal names come before the everyday ones whatever the column order; the preferred name is
    // a column of its own.
    expect(headersOf(match, 'given_name')).toEqual(['Legal Forename', 'Forename']);
    expect(headersOf(match, 'preferred_given_name')).toEqual(['Preferred Forename']);
    expect(headersOf(match, 'family_name')).toEqual(['Legal Surname', 'Surname']);
    expect(headersOf(match, 'preferred_family_name')).toEqual([]);
    expect(headersOf(match, 'date_of_birth')).toEqual(['DOB']);
    expect(headersOf(match, 'year_group')).toEqual(['NC Year Actual', 'Year']);
    expect(headersOf(match, 'class')).toEqual(['Class', 'Reg Group', 'Reg']);
    expect(headersOf(match, 'admission_date')).toEqual(['Admission Date']);
    expect(headersOf(match, 'leaving_date')).toEqual(['Leaving Date']);
    expect(headersOf(match, 'adno')).toEqual(['Adno']);
    expect(headersOf(match, 'parent_1_id')).toEqual(['Contact 1 Id']);
    expect(headersOf(match, 'parent_1_given_name')).toEqual(['Contact 1 Forename']);
    expect(headersOf(match, 'parent_1_family_name')).toEqual(['Contact 1 Surname']);
    expect(headersOf(match, 'parent_1_relationship')).toEqual(['Contact 1 Relationship']);
    expect(headersOf(match, 'parent_1_email')).toEqual(['Contact 1 Email']);
    expect(headersOf(match, 'parent_1_phone')).toEqual(['Contact 1 Telephone']);
    expect(headersOf(match, 'parent_1_parental_responsibility')).toEqual([
      'Contact 1 Parental Responsibility',
    ]);
    expect(headersOf(match, 'parent_2_email')).toEqual(['Contact 2 Email']);
  });

  it('maps an Arbor export; UPN beats Student ID; numbered guardian beats "Primary Guardian"', () => {
    const match = matchHeaders(ARBOR_HEADERS);
    expect(match.missing).toEqual([]);
    expect(match.unknown).toEqual([]);
    expect(match.pupilIdColumn?.kind).toBe('upn');
    expect(match.pupilIdColumn?.index).toBe(1);
    expect(headersOf(match, 'student_id')).toEqual(['Student ID']);
    expect(headersOf(match, 'given_name')).toEqual(['Legal First Name', 'First Name']);
    expect(headersOf(match, 'family_name')).toEqual(['Legal Last Name', 'Last Name']);
    expect(headersOf(match, 'date_of_birth')).toEqual(['Date Of Birth']);
    expect(headersOf(match, 'year_group')).toEqual(['Year Group']);
    expect(headersOf(match, 'class')).toEqual(['Registration Form']);
    expect(headersOf(match, 'admission_date')).toEqual(['Start Date']);
    expect(headersOf(match, 'leaving_date')).toEqual(['End Date']);
    expect(headersOf(match, 'parent_1_name')).toEqual(['Primary Guardian Name']);
    expect(headersOf(match, 'parent_1_given_name')).toEqual(['Guardian 1 First Name']);
    expect(headersOf(match, 'parent_1_phone')).toEqual(['Guardian 1 Mobile']);
    expect(headersOf(match, 'parent_1_parental_responsibility')).toEqual([
      'Guardian 1 Parental Responsibility',
    ]);
  });

  it('accepts the canonical names for every field and parent_1 … parent_4', () => {
    const headers = [
      'pupil_id',
      'given_name',
      'family_name',
      'date_of_birth',
      'year_group',
      'class',
      'admission_date',
      'leaving_date',
      'email',
    ];
    for (const n of CONTACT_SLOTS) {
      for (const f of [
        'id',
        'given_name',
        'family_name',
        'email',
        'phone',
        'relationship',
        'parental_responsibility',
      ]) {
        headers.push(`parent_${n}_${f}`);
      }
    }
    const match = matchHeaders(headers);
    expect(match.missing).toEqual([]);
    expect(match.unknown).toEqual([]);
    expect(match.pupilIdColumn?.kind).toBe('pupil_id');
    expect(headersOf(match, 'parent_4_parental_responsibility')).toEqual([
      'parent_4_parental_responsibility',
    ]);
    expect(headersOf(match, 'email')).toEqual(['email']);
  });

  it('matches headings whatever their case, spacing, underscores or punctuation', () => {
    const match = matchHeaders([
      'upn',
      'LEGAL_FORENAME',
      'legal-surname',
      'D.O.B.',
      ' year group ',
      'CONTACT_1_E-MAIL',
      'contact 1 forename',
      'Contact 1 Surname',
    ]);
    expect(match.missing).toEqual([]);
    expect(headersOf(match, 'given_name')).toEqual(['LEGAL_FORENAME']);
    expect(headersOf(match, 'date_of_birth')).toEqual(['D.O.B.']);
    // Reported as written, trimmed.
    expect(headersOf(match, 'year_group')).toEqual(['year group']);
    expect(headersOf(match, 'parent_1_email')).toEqual(['CONTACT_1_E-MAIL']);
  });

  it('chooses the pupil id: UPN, else Adno, else Student ID, else pupil_id', () => {
    const rest = ['Forename', 'Surname', 'DOB', 'Year'];
    expect(
      matchHeaders(['pupil_id', 'Student ID', 'Adno', 'UPN', ...rest]).pupilIdColumn,
    ).toMatchObject({ kind: 'upn', header: 'UPN', index: 3 });
    expect(matchHeaders(['pupil_id', 'Student ID', 'Adno', ...rest]).pupilIdColumn).toMatchObject({
      kind: 'adno',
      header: 'Adno',
    });
    expect(matchHeaders(['Admission Number', ...rest]).pupilIdColumn).toMatchObject({
      kind: 'adno',
      header: 'Admission Number',
    });
    expect(matchHeaders(['pupil_id', 'Student ID', ...rest]).pupilIdColumn).toMatchObject({
      kind: 'student_id',
    });
    expect(matchHeaders(['Pupil ID', ...rest]).pupilIdColumn).toMatchObject({ kind: 'pupil_id' });
  });

  it('maps the preferred names of SIMS, Arbor and the canonical layout', () => {
    const sims = matchHeaders(['UPN', 'Preferred Forename', 'PREFERRED SURNAME', 'DOB', 'Year']);
    // A file with only the preferred names uses them as the names: nothing is missing.
    expect(sims.missing).toEqual([]);
    expect(headersOf(sims, 'preferred_given_name')).toEqual(['Preferred Forename']);
    expect(headersOf(sims, 'preferred_family_name')).toEqual(['PREFERRED SURNAME']);
    const arbor = matchHeaders(['Legal First Name', 'Preferred First Name', 'Preferred Last Name']);
    expect(headersOf(arbor, 'given_name')).toEqual(['Legal First Name']);
    expect(headersOf(arbor, 'preferred_given_name')).toEqual(['Preferred First Name']);
    expect(headersOf(arbor, 'preferred_family_name')).toEqual(['Preferred Last Name']);
    // The preferred surname stands in for the missing legal one; a pupil id never has a stand-in.
    expect(arbor.missing).toEqual(['pupil_id', 'date_of_birth', 'year_group']);
    expect(matchHeaders(['UPN', 'Preferred Forename']).missing).toEqual([
      'family_name',
      'date_of_birth',
      'year_group',
    ]);
    const canonical = matchHeaders(['preferred_given_name', 'preferred_family_name']);
    expect(canonical.unknown).toEqual([]);
    expect(headersOf(canonical, 'preferred_family_name')).toEqual(['preferred_family_name']);
  });

  it('lists the missing required columns and the unknown ones, ignoring blank headings', () => {
    const match = matchHeaders(['Forename', 'Surname', 'Shoe Size', '', '  ']);
    expect(match.pupilIdColumn).toBeNull();
    expect(match.missing).toEqual(['pupil_id', 'date_of_birth', 'year_group']);
    expect(match.unknown).toEqual(['Shoe Size']);
  });

  it('does not take contacts beyond the fourth', () => {
    const match = matchHeaders(['UPN', 'Contact 5 Forename', 'Guardian 4 Email']);
    expect(match.unknown).toEqual(['Contact 5 Forename']);
    expect(headersOf(match, 'parent_4_email')).toEqual(['Guardian 4 Email']);
  });

  it('knows every heading listed in the column table (the docs are built from it)', () => {
    for (const kind of PUPIL_ID_ORDER) {
      const spec = PUPIL_ID_COLUMNS[kind];
      for (const h of [spec.canonical, ...spec.sims, ...spec.arbor, ...spec.other]) {
        expect(canonicalColumnFor(h)?.column, h).toBe(kind);
      }
    }
    for (const field of PUPIL_FIELD_ORDER) {
      const spec = PUPIL_COLUMNS[field];
      for (const h of [spec.canonical, ...spec.sims, ...spec.arbor, ...spec.other]) {
        expect(canonicalColumnFor(h)?.column, h).toBe(field);
      }
    }
    for (const [field, examples] of Object.entries(CONTACT_HEADER_EXAMPLES)) {
      for (const h of [...examples.sims, ...examples.arbor]) {
        expect(canonicalColumnFor(h)?.column, h).toBe(`parent_1_${field}`);
      }
    }
  });

  it('describes required columns in plain words', () => {
    expect(describeRequiredColumn('pupil_id')).toContain('UPN, Adno, Student ID or pupil_id');
    expect(describeRequiredColumn('date_of_birth')).toContain('"DOB"');
    expect(describeRequiredColumn('year_group')).toContain('year group');
  });
});
