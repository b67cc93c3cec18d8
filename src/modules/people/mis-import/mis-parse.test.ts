import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MAX_FILE_BYTES,
  SNIFF_BYTES,
  parseMisFile,
  parseUkDate,
  parseYearGroup,
  parseYesNo,
  sniffFile,
  splitFullName,
  type MisParseResult,
  type PupilImportRow,
} from './mis-parse.ts';

const TODAY = new Date('2025-06-01T12:00:00Z');

function fixture(name: string): Buffer {
  return readFileSync(
    fileURLToPath(new URL(`../../../../test/fixtures/imports/${name}`, import.meta.url)),
  );
}

function csv(lines: string[], eol = '\r\n'): Buffer {
  return Buffer.from(lines.join(eol) + eol, 'utf8');
}

function ok(result: MisParseResult): Extract<MisParseResult, { ok: true }> {
  if (!result.ok)
    throw new Error(`expected ok, got ${result.fileError.code}: ${result.fileError.message}`);
  return result;
}

function fail(result: MisParseResult): Extract<MisParseResult, { ok: false }>['fileError'] {
  if (result.ok) throw new Error('expected a file error');
  return result.fileError;
}

function parse(buf: Buffer, options: Parameters<typeof parseMisFile>[1] = {}): MisParseResult {
  return parseMisFile(buf, { today: TODAY, ...options });
}

const upn = (n: number): string => `A${823401200000 + n}`;

/** A small SIMS-style file. */
const HEADER =
  'UPN,Legal Forename,Legal Surname,DOB,Year,Reg Group,Admission Date,Leaving Date,' +
  'Contact 1 Forename,Contact 1 Surname,Contact 1 Email,Contact 1 Telephone,' +
  'Contact 1 Parental Responsibility';

function pupilLine(n: number, overrides: Partial<Record<string, string>> = {}): string {
  const v = {
    upn: upn(n),
    given: `Given${n}`,
    family: `Family${n}`,
    dob: '14/03/2016',
    year: 'Year 4',
    reg: '4A',
    admission: '01/09/2020',
    leaving: '',
    cGiven: 'Jo',
    cFamily: `Family${n}`,
    cEmail: `jo${n}@example.com`,
    cPhone: '07700 900123',
    cPr: 'Yes',
    ...overrides,
  };
  return [
    v.upn,
    v.given,
    v.family,
    v.dob,
    v.year,
    v.reg,
    v.admission,
    v.leaving,
    v.cGiven,
    v.cFamily,
    v.cEmail,
    v.cPhone,
    v.cPr,
  ].join(',');
}

function big(rows: number, lineFor: (i: number) => string = (i) => pupilLine(i)): Buffer {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(lineFor(i));
  return csv(lines);
}

function byLine(rows: PupilImportRow[], line: number): PupilImportRow {
  const row = rows.find((r) => r.line === line);
  if (!row) throw new Error(`no row for line ${line}`);
  return row;
}

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: real-looking exports', () => {
  it('reads a SIMS export with two contacts per pupil', () => {
    const result = ok(parse(fixture('sims-pupils.csv')));
    expect(result.errors).toEqual([]);
    expect(result.stats).toMatchObject({ totalRows: 20, validRows: 20, rowsWithErrors: 0 });
    expect(result.rows).toHaveLength(20);
    expect(result.headerReport.pupilIdColumn).toMatchObject({ kind: 'upn', header: 'UPN' });
    expect(result.headerReport.unknown).toEqual(['Gender']);
    expect(result.headerReport.delimiter).toBe(',');
    expect(result.headerReport.encoding).toBe('utf-8');
    expect(result.headerReport.contactSlots).toEqual([1, 2]);

    const first = byLine(result.rows, 2);
    expect(first).toEqual({
      line: 2,
      misId: 'J823401224100',
      givenName: 'Elsie',
      familyName: 'Ashworth',
      preferredGivenName: null,
      preferredFamilyName: null,
      dateOfBirth: '2020-09-14',
      yearGroup: 'N2',
      className: 'Nursery',
      admissionDate: '2024-09-02',
      leavingDate: null,
      email: null,
      contacts: [
        {
          misId: '5101',
          givenName: 'Harriet',
          familyName: 'Ashworth',
          email: 'harriet.ashworth@example.com',
          phone: '07700 900101',
          relationship: 'Mother',
          parentalResponsibility: true,
        },
        {
          misId: '5102',
          givenName: 'Tom',
          familyName: 'Ashworth',
          email: 'tom.ashworth@example.com',
          phone: '07700 900102',
          relationship: 'Father',
          parentalResponsibility: true,
        },
      ],
    });
    // One contact only: the empty Contact 2 columns make no contact.
    expect(byLine(result.rows, 3).contacts).toHaveLength(1);
    // Accents and legal names kept as written; the Preferred Forename is kept beside it.
    expect(byLine(result.rows, 4)).toMatchObject({
      givenName: 'Siobhán',
      preferredGivenName: 'Shiv',
      preferredFamilyName: null,
      yearGroup: 'R',
    });
    expect(byLine(result.rows, 5).givenName).toBe('Zoë');
    expect(byLine(result.rows, 5).contacts[1]).toMatchObject({
      relationship: 'Stepfather',
      parentalResponsibility: false,
    });
    expect(byLine(result.rows, 7).familyName).toBe("O'Connor");
    expect(byLine(result.rows, 9).givenName).toBe('Barnaby');
    // A quoted value containing a comma.
    expect(byLine(result.rows, 19).contacts[0]?.relationship).toBe('Aunt, kinship carer');
    // Leap-day birthday, leaver.
    expect(byLine(result.rows, 16).dateOfBirth).toBe('2016-02-29');
    expect(byLine(result.rows, 20).leavingDate).toBe('2024-07-19');
    expect(result.rows.map((r) => r.yearGroup)).toEqual([
      'N2',
      'N2',
      'R',
      'R',
      '1',
      '1',
      '2',
      '2',
      '3',
      '3',
      '4',
      '4',
      '5',
      '5',
      '4',
      '6',
      '6',
      '6',
      '6',
      '5',
    ]);
  });

  it('reads an Arbor export, falling back to "Primary Guardian Name"', () => {
    const result = ok(parse(fixture('arbor-students.csv')));
    expect(result.errors).toEqual([]);
    expect(result.rows).toHaveLength(20);
    expect(result.headerReport.pupilIdColumn).toMatchObject({ kind: 'upn', header: 'UPN' });
    expect(result.headerReport.unknown).toEqual([]);
    const harvey = byLine(result.rows, 2);
    expect(harvey).toMatchObject({
      misId: 'F886540319200',
      givenName: 'Harvey',
      familyName: 'Ellison',
      dateOfBirth: '2013-10-02',
      yearGroup: '7',
      className: '7AB',
      admissionDate: '2024-09-02',
    });
    expect(harvey.contacts[0]).toEqual({
      misId: null,
      givenName: 'Laura',
      familyName: 'Ellison',
      email: 'laura.ellison@example.org',
      phone: '+44 7700 900300',
      relationship: 'Mother',
      parentalResponsibility: true,
    });
    // Guardian 1 first/last name blank: the primary guardian's full name is split, title dropped.
    expect(byLine(result.rows, 10).contacts).toEqual([
      {
        misId: null,
        givenName: 'Lakshmi',
        familyName: 'Raman',
        email: 'lakshmi.raman@example.org',
        phone: '07700 900456',
        relationship: 'Mother',
        parentalResponsibility: true,
      },
    ]);
    // Legal First Name wins over First Name.
    expect(byLine(result.rows, 11).givenName).toBe('Théo');
    expect(byLine(result.rows, 20).familyName).toBe('Van Der Berg');
    expect(new Set(result.rows.map((r) => r.yearGroup))).toEqual(
      new Set(['7', '8', '9', '10', '11', '12', '13']),
    );
  });

  it('uses the Arbor Student ID when there is no UPN column', () => {
    const text = fixture('arbor-students.csv').toString('utf8');
    const withoutUpn = text
      .split('\r\n')
      .map((line) =>
        line
          .split(',')
          .filter((_, i) => i !== 1)
          .join(','),
      )
      .join('\r\n');
    const result = ok(parse(Buffer.from(withoutUpn)));
    expect(result.errors).toEqual([]);
    expect(result.headerReport.pupilIdColumn).toMatchObject({
      kind: 'student_id',
      header: 'Student ID',
    });
    expect(result.rows[0]?.misId).toBe('30410');
  });

  it('uses the SIMS Adno when there is no UPN column, keeping leading zeros', () => {
    const text = fixture('sims-pupils.csv').toString('utf8').replace(/^UPN,/, 'Old UPN,');
    const result = ok(parse(Buffer.from(text)));
    expect(result.errors).toEqual([]);
    expect(result.headerReport.pupilIdColumn).toMatchObject({ kind: 'adno', header: 'Adno' });
    expect(result.headerReport.unknown).toContain('Old UPN');
    expect(result.rows[0]?.misId).toBe('001200');
  });

  it('reads our canonical layout', () => {
    const result = ok(parse(fixture('canonical.csv')));
    expect(result.errors).toEqual([]);
    expect(result.headerReport.pupilIdColumn).toMatchObject({ kind: 'pupil_id' });
    expect(result.rows.map((r) => [r.misId, r.yearGroup])).toEqual([
      ['LY-0001', 'N1'],
      ['LY-0002', 'N2'],
      ['LY-0003', 'R'],
      ['LY-0004', '3'],
      ['LY-0005', '8'],
    ]);
    const milo = byLine(result.rows, 5);
    expect(milo.email).toBe('milo.dh@pupils.example.sch.uk');
    expect(milo.contacts.map((c) => c.parentalResponsibility)).toEqual([true, false]);
    expect(milo.contacts[1]?.phone).toBeNull();
    expect(byLine(result.rows, 6).leavingDate).toBe('2025-03-31');
  });

  it('gives the same result for the same file (re-importing changes nothing)', () => {
    const file = fixture('sims-pupils.csv');
    expect(parse(file)).toEqual(parse(Buffer.from(file)));
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: encodings and delimiters', () => {
  const sample = [
    'UPN\tLegal Forename\tLegal Surname\tDOB\tYear',
    `${upn(1)}\tZoë\tLindqvist\t30/04/2016\tYear 4`,
    `${upn(2)}\tSiobhán\tBrennan\t22/11/2015\tYear 4`,
  ];

  it('accepts UTF-8 with a byte-order mark', () => {
    const body = csv(sample.map((l) => l.replaceAll('\t', ',')));
    const result = ok(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])));
    expect(result.headerReport.encoding).toBe('utf-8-bom');
    expect(result.headerReport.headers[0]).toBe('UPN');
    expect(result.rows.map((r) => r.givenName)).toEqual(['Zoë', 'Siobhán']);
  });

  it('accepts Excel "Unicode text" (UTF-16LE with BOM, tab-separated)', () => {
    const text = '\uFEFF' + sample.join('\r\n') + '\r\n';
    const result = ok(parse(Buffer.from(text, 'utf16le')));
    expect(result.headerReport.encoding).toBe('utf-16le');
    expect(result.headerReport.delimiter).toBe('\t');
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.givenName)).toEqual(['Zoë', 'Siobhán']);
  });

  it('accepts UTF-16BE with BOM', () => {
    const le = Buffer.from('\uFEFF' + sample.join('\n') + '\n', 'utf16le');
    const be = Buffer.from(le).swap16();
    const result = ok(parse(be));
    expect(result.headerReport.encoding).toBe('utf-16be');
    expect(result.rows.map((r) => r.familyName)).toEqual(['Lindqvist', 'Brennan']);
  });

  it('accepts UTF-16LE without a BOM', () => {
    const result = ok(parse(Buffer.from(sample.join('\r\n'), 'utf16le')));
    expect(result.headerReport.encoding).toBe('utf-16le');
    expect(result.rows).toHaveLength(2);
  });

  it('refuses Windows-1252 text, telling them to save as "CSV UTF-8" and where the problem is', () => {
    const text = sample.map((l) => l.replaceAll('\t', ',')).join('\r\n');
    const error = fail(parse(Buffer.from(text, 'latin1'))); // ë = 0xEB, á = 0xE1
    expect(error.code).toBe('encoding');
    expect(error.message).toContain('CSV UTF-8');
    expect(error.message).toContain('line 2');
  });

  it('refuses an invalid byte far into the file (past the first 64 KB)', () => {
    const rows = big(800);
    expect(rows.length).toBeGreaterThan(SNIFF_BYTES);
    const bad = Buffer.concat([
      rows,
      Buffer.from(`${upn(9999)},Ren\xe9e,Smith,01/01/2016,4\r\n`, 'latin1'),
    ]);
    expect(sniffFile(bad.subarray(0, SNIFF_BYTES)).ok).toBe(true);
    const error = fail(parse(bad));
    expect(error.code).toBe('encoding');
    expect(error.message).toContain('line 802');
  });

  it('sniffs semicolon and tab delimiters from the header line', () => {
    const semicolon = ok(
      parse(
        csv([
          'UPN;Legal Forename;Legal Surname;DOB;Year;Contact 1 Surname;Contact 1 Relationship',
          `${upn(1)};Ada;Lovelace;10/12/2015;4;Byron;"Mother; lives abroad"`,
        ]),
      ),
    );
    expect(semicolon.headerReport.delimiter).toBe(';');
    expect(semicolon.errors).toEqual([]);
    expect(semicolon.rows[0]?.contacts[0]?.relationship).toBe('Mother; lives abroad');
    const tab = ok(parse(csv(sample)));
    expect(tab.headerReport.delimiter).toBe('\t');
    expect(tab.rows).toHaveLength(2);
  });

  it('reads old Mac (CR) and Unix (LF) line endings', () => {
    const lines = [HEADER, pupilLine(1), pupilLine(2)];
    expect(ok(parse(csv(lines, '\r'))).rows.map((r) => r.line)).toEqual([2, 3]);
    expect(ok(parse(csv(lines, '\n'))).rows.map((r) => r.line)).toEqual([2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: files that are not CSV at all', () => {
  it('refuses 50 MB of random bytes from the first 64 KB, without parsing the rest', () => {
    const junk = randomBytes(50 * 1024 * 1024);
    const progress: number[] = [];
    const error = fail(parseMisFile(junk, { onProgress: (done) => progress.push(done) }));
    expect(error.code).toBe('binary');
    expect(error.message).toMatch(/doesn't look like a CSV file|not a CSV file/);
    expect(progress).toEqual([]); // no row was ever looked at
  });

  it('names a zip, an Excel workbook, a PDF and a PNG renamed to .csv', () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(2000)]);
    expect(fail(parse(zip))).toMatchObject({
      code: 'binary',
      message: expect.stringContaining('a zip file'),
    });

    const xlsx = Buffer.concat([
      Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'),
      Buffer.from('[Content_Types].xml'),
      randomBytes(300),
      Buffer.from('xl/workbook.xml'),
    ]);
    const xlsxError = fail(parse(xlsx));
    expect(xlsxError.code).toBe('binary');
    expect(xlsxError.message).toContain('Excel workbook (.xlsx)');
    expect(xlsxError.message).toContain('CSV UTF-8');

    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5000)]);
    expect(fail(parse(pdf)).message).toContain('PDF');

    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(100),
    ]);
    expect(fail(parse(png)).message).toContain('PNG picture');

    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      randomBytes(100),
    ]);
    expect(fail(parse(xls)).message).toContain('.xls');
  });

  it('refuses text with NUL bytes or many control characters, and web pages', () => {
    const nul = Buffer.from(`${HEADER}\r\n${pupilLine(1)}\0\0\0\r\n`);
    expect(fail(parse(nul)).code).toBe('binary');
    const control = Buffer.from(`${HEADER}\r\n` + '\x01\x02\x03\x04abc'.repeat(50));
    expect(fail(parse(control)).code).toBe('binary');
    const html = Buffer.from(
      '<!DOCTYPE html><html><body><table><tr><td>UPN</td></tr></table></body></html>',
    );
    expect(fail(parse(html)).message).toContain('web page');
  });

  it('sniffFile judges a streamed upload from its first 64 KB', () => {
    expect(sniffFile(randomBytes(SNIFF_BYTES))).toMatchObject({
      ok: false,
      fileError: { code: 'binary' },
    });
    expect(sniffFile(Buffer.from('PK\x03\x04rest', 'latin1')).ok).toBe(false);
    expect(sniffFile(Buffer.alloc(0))).toMatchObject({ ok: false, fileError: { code: 'empty' } });
    expect(sniffFile(Buffer.from('UPN,Surname\r\nA1,Caf\xe9\r\n', 'latin1'))).toMatchObject({
      ok: false,
      fileError: { code: 'encoding' },
    });
    expect(sniffFile(fixture('sims-pupils.csv'))).toEqual({ ok: true, encoding: 'utf-8' });
    // A multi-byte character cut in half at the end of the sample is not an error.
    const zoe = Buffer.from('UPN,Name\r\nA1,Zoë', 'utf8');
    expect(sniffFile(zoe.subarray(0, zoe.length - 1))).toEqual({ ok: true, encoding: 'utf-8' });
    // Likewise a UTF-16 surrogate pair cut in half.
    const emoji = Buffer.from('\uFEFFUPN,Name\r\nA1,\u{1F600}', 'utf16le');
    expect(sniffFile(emoji.subarray(0, emoji.length - 2))).toEqual({
      ok: true,
      encoding: 'utf-16le',
    });
  });

  it('refuses a file that is too big', () => {
    const huge = Buffer.alloc(MAX_FILE_BYTES + 1, 'a');
    huge.write(`${HEADER}\r\n`);
    const error = fail(parse(huge));
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('too big');
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: empty files and missing columns', () => {
  it('refuses an empty file, a file with only a BOM or blank lines, and headings with no pupils', () => {
    expect(fail(parse(Buffer.alloc(0))).code).toBe('empty');
    expect(fail(parse(Buffer.from([0xef, 0xbb, 0xbf]))).code).toBe('empty');
    expect(fail(parse(Buffer.from('\r\n\r\n  \r\n'))).code).toBe('empty');
    const headingsOnly = fail(parse(csv([HEADER, ',,,,,,,,,,,,'])));
    expect(headingsOnly.code).toBe('empty');
    expect(headingsOnly.message).toContain('no pupils');
  });

  it('names the missing columns and lists the headings that were found', () => {
    const error = fail(parse(csv(['Forename,Surname,Gender', 'Ada,Lovelace,F'])));
    expect(error.code).toBe('missing_columns');
    expect(error.message).toContain('pupil ID');
    expect(error.message).toContain('date of birth');
    expect(error.message).toContain('year group');
    expect(error.message).not.toContain('first name (');
    expect(error.message).toContain('"Forename", "Surname", "Gender"');
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: row errors', () => {
  it('reports a duplicate pupil id on every line involved, naming the other lines', () => {
    const result = ok(
      parse(
        big(6, (i) =>
          i === 1 || i === 4
            ? pupilLine(1)
            : i === 5
              ? pupilLine(1, { upn: upn(1).toLowerCase() })
              : pupilLine(i),
        ),
      ),
    );
    const dupes = result.errors.filter((e) => e.message.includes('also on'));
    expect(dupes.map((e) => e.line)).toEqual([3, 6, 7]);
    expect(dupes.every((e) => e.column === 'UPN')).toBe(true);
    expect(dupes[0]?.message).toContain('lines 6 and 7');
    expect(dupes[1]?.message).toContain('lines 3 and 7');
    expect(dupes[2]?.message).toContain('lines 3 and 6');
    expect(result.rows.map((r) => r.line)).toEqual([2, 4, 5]);
    expect(result.stats).toMatchObject({ totalRows: 6, validRows: 3, rowsWithErrors: 3 });
  });

  it('refuses impossible and unlikely dates with the column as written in the file', () => {
    const result = ok(
      parse(
        csv([
          HEADER,
          pupilLine(1, { dob: '31/02/2015' }),
          pupilLine(2, { dob: '2015-13-01' }),
          pupilLine(3, { dob: '02/01/2026' }),
          pupilLine(4, { dob: '31/05/2000' }),
          pupilLine(5, { admission: '01/09/2021', leaving: '31/08/2020' }),
          pupilLine(6, { dob: '14/03/16' }),
          pupilLine(7, { dob: '03/23/2016' }),
          pupilLine(8, { admission: 'next week' }),
          pupilLine(9, { dob: '29/02/2015' }),
          pupilLine(10, { dob: '' }),
          pupilLine(11, { dob: '01/06/2000' }),
        ]),
      ),
    );
    const at = (line: number) => result.errors.filter((e) => e.line === line);
    expect(at(2)).toEqual([
      {
        line: 2,
        column: 'DOB',
        message: 'Date of birth "31/02/2015" isn\'t a real date: February 2015 only has 28 days.',
      },
    ]);
    expect(at(3)[0]?.message).toContain('there is no month 13');
    expect(at(4)[0]?.message).toContain('in the future');
    expect(at(5)[0]?.message).toContain('more than 25 years ago');
    expect(at(6)).toEqual([
      {
        line: 6,
        column: 'Leaving Date',
        message: 'Leaving date 31/08/2020 is before the admission date 01/09/2021.',
      },
    ]);
    expect(at(7)[0]?.message).toContain('two-digit year');
    expect(at(8)[0]?.message).toContain('day first');
    expect(at(9)[0]).toMatchObject({ column: 'Admission Date' });
    expect(at(9)[0]?.message).toContain('dd/mm/yyyy');
    expect(at(10)[0]?.message).toContain('February 2015 only has 28 days');
    expect(at(11)[0]?.message).toContain('missing');
    // Exactly 25 years ago is allowed.
    expect(at(12)).toEqual([]);
    expect(result.rows.map((r) => r.line)).toEqual([12]);
  });

  it('reads every accepted date format and writes ISO dates', () => {
    const result = ok(
      parse(
        csv([
          HEADER,
          pupilLine(1, { dob: '4/3/2016' }),
          pupilLine(2, { dob: '04-03-2016' }),
          pupilLine(3, { dob: '2016-03-04' }),
          pupilLine(4, { dob: '04/03/2016 00:00' }),
          pupilLine(5, { dob: '29/02/2016' }),
        ]),
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.dateOfBirth)).toEqual([
      '2016-03-04',
      '2016-03-04',
      '2016-03-04',
      '2016-03-04',
      '2016-02-29',
    ]);
  });

  it('refuses unknown year groups', () => {
    const result = ok(
      parse(
        csv([
          HEADER,
          pupilLine(1, { year: 'Year 14' }),
          pupilLine(2, { year: 'KS2' }),
          pupilLine(3, { year: '' }),
          pupilLine(4, { year: 'Reception' }),
        ]),
      ),
    );
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'Year'],
      [3, 'Year'],
      [4, 'Year'],
    ]);
    expect(result.errors[0]?.message).toBe(
      'Year group "Year 14" isn\'t one we recognise. Use Nursery 1, Nursery 2, Reception, or ' +
        'Year 1 to Year 13 (e.g. "Year 3" or "3").',
    );
    expect(result.errors[2]?.message).toBe('The year group is missing.');
    expect(result.rows[0]?.yearGroup).toBe('R');
  });

  it('checks emails and parental responsibility, keeping phone numbers as text', () => {
    const result = ok(
      parse(
        csv([
          HEADER,
          pupilLine(1, { cEmail: 'jo.smith@' }),
          pupilLine(2, { cEmail: '"a@example.com; b@example.com"' }),
          pupilLine(3, { cPr: 'Maybe' }),
          pupilLine(4, { cPr: '', cPhone: '  +44 (0)7700 900123 ext. 2 ' }),
          pupilLine(5, { cPr: 'N' }),
          pupilLine(6, { cPr: 'TRUE', cEmail: '  jo@example.co.uk ' }),
        ]),
      ),
    );
    expect(result.errors).toEqual([
      {
        line: 2,
        column: 'Contact 1 Email',
        message:
          'Contact 1\'s email "jo.smith@" doesn\'t look like an email address (e.g. name@example.com).',
      },
      {
        line: 3,
        column: 'Contact 1 Email',
        message: expect.stringContaining('more than one email address') as string,
      },
      {
        line: 4,
        column: 'Contact 1 Parental Responsibility',
        message: expect.stringContaining('"Maybe" should be Yes or No') as string,
      },
    ]);
    expect(byLine(result.rows, 5).contacts[0]).toMatchObject({
      phone: '+44 (0)7700 900123 ext. 2',
      parentalResponsibility: false,
    });
    expect(byLine(result.rows, 6).contacts[0]?.parentalResponsibility).toBe(false);
    expect(byLine(result.rows, 7).contacts[0]).toMatchObject({
      parentalResponsibility: true,
      email: 'jo@example.co.uk',
    });
  });

  it('checks the pupil email and the UPN format, and requires names', () => {
    const header = 'UPN,Forename,Surname,DOB,Year,Email';
    const result = ok(
      parse(
        csv([
          header,
          `${upn(1)},Ada,Lovelace,10/12/2015,4,ada@example`,
          `A12345,Ada,Lovelace,10/12/2015,4,`,
          `,Ada,Lovelace,10/12/2015,4,`,
          `${upn(4)},,Lovelace,10/12/2015,4,`,
          `${upn(5)},Ada,,10/12/2015,4,`,
          ` ${upn(6).toLowerCase()} ,Ada,Lovelace,10/12/2015,4,ada.lovelace@pupils.example.sch.uk`,
        ]),
      ),
    );
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'Email'],
      [3, 'UPN'],
      [4, 'UPN'],
      [5, 'Forename'],
      [6, 'Surname'],
    ]);
    expect(result.errors[1]?.message).toContain("isn't a valid UPN");
    expect(result.errors[2]?.message).toBe('The UPN is missing. Every pupil needs one.');
    expect(result.rows).toEqual([
      expect.objectContaining({
        line: 7,
        misId: upn(6),
        email: 'ada.lovelace@pupils.example.sch.uk',
      }),
    ]);
  });

  it('requires a name for a contact with details, and splits a full name', () => {
    const header =
      'UPN,Forename,Surname,DOB,Year,Contact 1 Name,Contact 1 Email,Contact 2 Forename,Contact 2 Surname,Contact 2 Email';
    const result = ok(
      parse(
        csv([
          header,
          `${upn(1)},Ada,Lovelace,10/12/2015,4,,anne@example.com,,,`,
          `${upn(2)},Ada,Lovelace,10/12/2015,4,"Byron, Anne",,,Lovelace,`,
          `${upn(3)},Ada,Lovelace,10/12/2015,4,Dr Mary Somerville,,,,`,
        ]),
      ),
    );
    expect(result.errors).toEqual([
      {
        line: 2,
        column: 'Contact 1 Name',
        message:
          "Contact 1 has details but no name. Add the contact's name, or remove their details.",
      },
    ]);
    expect(byLine(result.rows, 3).contacts).toEqual([
      expect.objectContaining({ givenName: 'Anne', familyName: 'Byron' }),
      expect.objectContaining({ givenName: '', familyName: 'Lovelace' }),
    ]);
    expect(byLine(result.rows, 4).contacts[0]).toMatchObject({
      givenName: 'Mary',
      familyName: 'Somerville',
    });
  });

  it('reports too many values on a line, but accepts trailing empty cells and short lines', () => {
    const result = ok(
      parse(
        csv([
          'UPN,Forename,Surname,DOB,Year',
          `${upn(1)},Ada,Lovelace,10/12/2015,4,,,`,
          `${upn(2)},Ada,Lovelace, Jr,10/12/2015,4`,
          `${upn(3)},Ada,Lovelace,10/12/2015,4`,
          'A823401200004,Ada',
        ]),
      ),
    );
    expect(result.errors[0]).toMatchObject({ line: 3, column: null });
    expect(result.errors[0]?.message).toContain('more values than there are column headings');
    expect(result.errors.filter((e) => e.line === 3)).toHaveLength(1);
    expect(result.errors.filter((e) => e.line === 5).map((e) => e.column)).toEqual([
      'Surname',
      'DOB',
      'Year',
    ]);
    expect(result.rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('refuses a file with an unterminated quote, giving the line', () => {
    const error = fail(
      parse(
        csv([
          'UPN,Forename,Surname,DOB,Year',
          `${upn(1)},Ada,Lovelace,10/12/2015,4`,
          `${upn(2)},"Ada,Lovelace,10/12/2015,4`,
          `${upn(3)},Ada,Lovelace,10/12/2015,4`,
        ]),
      ),
    );
    expect(error.code).toBe('malformed');
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('never closed');
  });

  it('is lenient with stray quote marks inside a value or after a closing quote', () => {
    const result = ok(
      parse(
        csv([
          'UPN,Forename,Surname,DOB,Year',
          `${upn(1)},Barnaby "Barney",Thistlewood,01/06/2018,2`,
          `${upn(2)},"Ada" ,Lovelace,10/12/2015,4`,
        ]),
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.givenName)).toEqual(['Barnaby "Barney"', 'Ada']);
  });

  it('collects every row error rather than stopping at the first', () => {
    const result = ok(
      parse(
        big(10, (i) => pupilLine(i, i % 2 === 0 ? { dob: '31/04/2016', year: 'Year 99' } : {})),
      ),
    );
    expect(result.errors).toHaveLength(10);
    expect([...new Set(result.errors.map((e) => e.line))]).toEqual([2, 4, 6, 8, 10]);
    expect(result.rows).toHaveLength(5);
  });

  it('caps the list at 1000 problems and says so', () => {
    const result = ok(parse(big(1500, (i) => pupilLine(i, { year: 'Year 99' }))));
    expect(result.errors).toHaveLength(1000);
    expect(result.errorsTruncated).toBe(true);
    expect(result.stats.totalErrors).toBe(1500);
    expect(result.stats.rowsWithErrors).toBe(1500);
    expect(result.errorLimitMessage).toContain('1,500 problems');
    expect(result.errorLimitMessage).toContain('first 1,000');
    expect(result.rows).toEqual([]);

    const small = ok(
      parse(
        big(20, (i) => pupilLine(i, { year: 'Year 99' })),
        { maxErrors: 5 },
      ),
    );
    expect(small.errors).toHaveLength(5);
    expect(small.errorsTruncated).toBe(true);

    const fine = ok(parse(big(3)));
    expect(fine.errorsTruncated).toBe(false);
    expect(fine.errorLimitMessage).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: whitespace, blank rows and line numbers', () => {
  it('trims values, keeps capitalisation, skips empty rows and counts lines from the header', () => {
    const result = ok(
      parse(
        csv([
          HEADER,
          pupilLine(1, { given: '  mcKenzie-ROSS ', family: ' DE LA CRUZ  ', reg: '  ' }),
          '',
          ',,,,,,,,,,,,',
          `${pupilLine(2, { cGiven: '"Jo\nAnne"' })}`,
          pupilLine(3, { upn: `="${upn(3)}"` }),
        ]),
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.stats).toMatchObject({ totalRows: 3, emptyRowsSkipped: 2 });
    expect(result.rows.map((r) => r.line)).toEqual([2, 5, 7]);
    expect(result.rows[0]).toMatchObject({
      givenName: 'mcKenzie-ROSS',
      familyName: 'DE LA CRUZ',
      className: null,
    });
    expect(result.rows[1]?.contacts[0]?.givenName).toBe('Jo\nAnne');
    // An Excel text formula ="…" is unwrapped.
    expect(result.rows[2]?.misId).toBe(upn(3));
  });

  it('takes the first non-blank of several columns for the same field', () => {
    const result = ok(
      parse(
        csv([
          'UPN,Preferred Forename,Legal Forename,Surname,DOB,Year,Contact 1 Surname,Contact 1 Telephone,Contact 1 Mobile',
          `${upn(1)},Barney,Barnaby,Thistlewood,01/06/2018,2,Thistlewood,01632 960001,07700 900001`,
          `${upn(2)},Rosie,,Fairweather,15/10/2016,3,Fairweather,01632 960002,`,
        ]),
      ),
    );
    expect(result.rows.map((r) => r.givenName)).toEqual(['Barnaby', 'Rosie']);
    // The preferred name is kept beside the legal one, and stands in when that is blank.
    expect(result.rows.map((r) => r.preferredGivenName)).toEqual(['Barney', null]);
    expect(result.rows.map((r) => r.contacts[0]?.phone)).toEqual(['07700 900001', '01632 960002']);
  });

  it('reads preferred first names and surnames; one equal to the legal name is not kept', () => {
    const result = ok(
      parse(
        csv([
          'UPN,Legal Forename,Preferred Forename,Legal Surname,Preferred Surname,DOB,Year',
          `${upn(1)},Alfred,Alfie,Smith,,01/06/2018,2`,
          `${upn(2)},Maria,maria,García López,García,15/10/2016,3`,
          `${upn(3)},Kwame,Kwame,Mensah, MENSAH ,15/10/2016,3`,
          `${upn(4)},Jo,,Bloggs,,15/10/2016,3`,
        ]),
      ),
    );
    expect(result.errors).toEqual([]);
    expect(
      result.rows.map((r) => [
        r.givenName,
        r.preferredGivenName,
        r.familyName,
        r.preferredFamilyName,
      ]),
    ).toEqual([
      ['Alfred', 'Alfie', 'Smith', null],
      ['Maria', null, 'García López', 'García'],
      ['Kwame', null, 'Mensah', null],
      ['Jo', null, 'Bloggs', null],
    ]);
  });

  it('reads Arbor and canonical preferred-name columns', () => {
    const arbor = ok(
      parse(
        csv([
          'Student ID,Legal First Name,Legal Last Name,Preferred First Name,Preferred Last Name,Date Of Birth,Year Group',
          `S1,Alexander,Novak,Sasha,,01/06/2018,Year 2`,
          `S2,Beatrix,Hart-Jones,,Hart,01/06/2018,Year 2`,
        ]),
      ),
    );
    expect(arbor.rows.map((r) => [r.preferredGivenName, r.preferredFamilyName])).toEqual([
      ['Sasha', null],
      [null, 'Hart'],
    ]);
    const canonical = ok(
      parse(
        csv([
          'pupil_id,given_name,family_name,preferred_given_name,preferred_family_name,date_of_birth,year_group',
          `P1,Elizabeth,Okoro,Libby,,2018-06-01,2`,
        ]),
      ),
    );
    expect(canonical.rows[0]).toMatchObject({
      givenName: 'Elizabeth',
      preferredGivenName: 'Libby',
    });
  });

  it('uses the preferred names when a file has no legal ones, and checks their length', () => {
    const onlyPreferred = ok(
      parse(
        csv([
          'UPN,Preferred Forename,Preferred Surname,DOB,Year',
          `${upn(1)},Alfie,Smith,01/06/2018,2`,
          `${upn(2)},,Smith,01/06/2018,2`,
        ]),
      ),
    );
    expect(onlyPreferred.rows).toHaveLength(1);
    expect(onlyPreferred.rows[0]).toMatchObject({
      givenName: 'Alfie',
      familyName: 'Smith',
      preferredGivenName: null,
      preferredFamilyName: null,
    });
    expect(onlyPreferred.errors).toEqual([
      { line: 3, column: 'Preferred Forename', message: 'The first name is missing.' },
    ]);
    const long = ok(
      parse(
        csv([
          'UPN,Legal Forename,Preferred Forename,Surname,DOB,Year',
          `${upn(1)},Alfred,${'A'.repeat(101)},Smith,01/06/2018,2`,
        ]),
      ),
    );
    expect(long.errors).toEqual([
      {
        line: 2,
        column: 'Preferred Forename',
        message: 'The preferred first name is too long (over 100 characters).',
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMisFile: progress and performance', () => {
  it('reports progress at most ~100 times, ending with done = total', () => {
    const calls: Array<[number, number]> = [];
    ok(parse(big(1234), { onProgress: (done, total) => calls.push([done, total]) }));
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.length).toBeLessThanOrEqual(100);
    expect(calls.at(-1)).toEqual([1234, 1234]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);

    const few: Array<[number, number]> = [];
    ok(parse(big(3), { onProgress: (done, total) => few.push([done, total]) }));
    expect(few).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('parses 20,000 pupils with two contacts each', () => {
    const header =
      'UPN,Adno,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg Group,Admission Date,' +
      'Contact 1 Id,Contact 1 Forename,Contact 1 Surname,Contact 1 Relationship,' +
      'Contact 1 Parental Responsibility,Contact 1 Email,Contact 1 Telephone,' +
      'Contact 2 Id,Contact 2 Forename,Contact 2 Surname,Contact 2 Relationship,' +
      'Contact 2 Parental Responsibility,Contact 2 Email,Contact 2 Telephone';
    const lines = [header];
    for (let i = 0; i < 20_000; i++) {
      const d = String(1 + (i % 28)).padStart(2, '0');
      const m = String(1 + (i % 12)).padStart(2, '0');
      lines.push(
        [
          upn(i),
          String(i).padStart(6, '0'),
          `Surname${i}`,
          `Given${i}`,
          '',
          `${d}/${m}/${2012 + (i % 7)}`,
          `Year ${1 + (i % 6)}`,
          `${1 + (i % 6)}A`,
          '01/09/2022',
          `${100000 + i}`,
          `Parent${i}`,
          `Surname${i}`,
          'Mother',
          'Yes',
          `parent${i}@example.com`,
          `07700 900${String(i % 1000).padStart(3, '0')}`,
          `${200000 + i}`,
          `Carer${i}`,
          `Surname${i}`,
          'Father',
          'No',
          `carer${i}@example.com`,
          '01632 960000',
        ].join(','),
      );
    }
    const file = csv(lines);
    const result = ok(parse(file));
    expect(result.errors).toEqual([]);
    expect(result.rows).toHaveLength(20_000);
    expect(result.stats.contacts).toBe(40_000);
  });
});

// ---------------------------------------------------------------------------------------------

describe('value parsers', () => {
  it('parseUkDate', () => {
    expect(parseUkDate('23/04/2016')).toEqual({ ok: true, iso: '2016-04-23' });
    expect(parseUkDate('3/4/2016')).toEqual({ ok: true, iso: '2016-04-03' });
    expect(parseUkDate('03-04-2016')).toEqual({ ok: true, iso: '2016-04-03' });
    expect(parseUkDate('2016-04-03')).toEqual({ ok: true, iso: '2016-04-03' });
    expect(parseUkDate('2016-04-03T00:00:00')).toEqual({ ok: true, iso: '2016-04-03' });
    expect(parseUkDate('3 Apr 2016')).toEqual({ ok: true, iso: '2016-04-03' });
    expect(parseUkDate('03-Sept-2016')).toEqual({ ok: true, iso: '2016-09-03' });
    expect(parseUkDate('03/04/16')).toMatchObject({ ok: false, reason: 'two_digit_year' });
    expect(parseUkDate('03-Apr-16')).toMatchObject({ ok: false, reason: 'two_digit_year' });
    expect(parseUkDate('31/02/2015')).toMatchObject({ ok: false, reason: 'bad_day' });
    expect(parseUkDate('00/02/2015')).toMatchObject({ ok: false, reason: 'bad_day' });
    expect(parseUkDate('2015-13-01')).toMatchObject({ ok: false, reason: 'bad_month' });
    expect(parseUkDate('03/04-2016')).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(parseUkDate('20160403')).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(parseUkDate('')).toMatchObject({ ok: false, reason: 'unreadable' });
  });

  it('parseYearGroup', () => {
    const cases: Array<[string, string | null]> = [
      ['Nursery 1', 'N1'],
      ['N1', 'N1'],
      ['Nursery 2', 'N2'],
      ['n2', 'N2'],
      ['Nursery', 'N2'],
      ['Reception', 'R'],
      ['Rec', 'R'],
      ['YR', 'R'],
      ['R', 'R'],
      ['Year R', 'R'],
      ['Year 1', '1'],
      ['Y1', '1'],
      ['1', '1'],
      ['01', '1'],
      ['Yr 6', '6'],
      ['year_10', '10'],
      ['NC Year 11', '11'],
      ['Year 13', '13'],
      ['Lower Sixth', '12'],
      ['Year 0', null],
      ['Year 14', null],
      ['KS2', null],
      ['', null],
      ['Adult', null],
    ];
    for (const [input, expected] of cases) expect(parseYearGroup(input), input).toBe(expected);
  });

  it('parseYesNo', () => {
    for (const yes of ['Y', 'yes', 'YES', 'True', 'true', '1', ' y '])
      expect(parseYesNo(yes), yes).toBe(true);
    for (const no of ['N', 'No', 'FALSE', '0', '', '  ']) expect(parseYesNo(no), no).toBe(false);
    for (const bad of ['Maybe', '2', 'Unknown']) expect(parseYesNo(bad), bad).toBeNull();
  });

  it('splitFullName', () => {
    expect(splitFullName('Jane Smith')).toEqual({ givenName: 'Jane', familyName: 'Smith' });
    expect(splitFullName('Mrs Mary Ann  Smith-Jones')).toEqual({
      givenName: 'Mary Ann',
      familyName: 'Smith-Jones',
    });
    expect(splitFullName('Smith, Jane')).toEqual({ givenName: 'Jane', familyName: 'Smith' });
    expect(splitFullName('Mr. Smith')).toEqual({ givenName: '', familyName: 'Smith' });
  });
});
