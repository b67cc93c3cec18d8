/**
 * Parses and validates a pupil/contact export from a school MIS (SIMS, Arbor or our canonical
 * CSV layout). Pure: no database, no I/O besides reading the given Buffer.
 *
 * A file is either refused as a whole (`ok: false` with one plain-words `fileError`, and no rows)
 * or parsed row by row (`ok: true`): every problem found in the rows is collected in `errors`
 * (capped), and only rows without problems are returned in `rows`. The caller must refuse to
 * commit while `errors` is non-empty, so an import is never half done.
 *
 * This file holds the whole-file assembly (parseMisFile) and is the one import for callers; the
 * parts are:
 * - mis-types.ts: the public types and limits
 * - mis-sniff.ts: file sniffing, decoding and CSV parsing
 * - mis-values.ts: value parsers (dates, year groups, yes/no, emails, names)
 * - mis-row-messages.ts: the cell lookup and wording used by row validation
 * - mis-columns.ts: column headings and their mapping
 *
 * See docs/mis-import.md for the accepted columns and rules.
 */
import { ukDate } from '../../../platform/clock.ts';
import {
  CONTACT_SLOTS,
  describeRequiredColumn,
  matchHeaders,
  type CanonicalColumn,
  type ColumnRef,
  type ContactField,
} from './mis-columns.ts';
import {
  type ContactImportRow,
  DEFAULT_MAX_ERRORS,
  MAX_FILE_BYTES,
  MAX_PUPIL_AGE_YEARS,
  type MisParseOptions,
  type MisParseResult,
  type PupilImportRow,
  type RowError,
  SNIFF_BYTES,
  type YearGroup,
} from './mis-types.ts';
import {
  BINARY_MESSAGE,
  decode,
  emptyError,
  parseCsv,
  sniffDelimiter,
  sniffFile,
} from './mis-sniff.ts';
import {
  UPN,
  isValidEmail,
  parseUkDate,
  parseYearGroup,
  parseYesNo,
  splitFullName,
} from './mis-values.ts';
import {
  type Cell,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  cellOf,
  dateMessage,
  emailMessage,
  formatUk,
  listLines,
  quote,
} from './mis-row-messages.ts';
export {
  YEAR_GROUPS,
  type YearGroup,
  type ContactImportRow,
  type PupilImportRow,
  type RowError,
  type FileErrorCode,
  type FileError,
  type TextEncodingName,
  type HeaderReport,
  type MisParseStats,
  type MisParseResult,
  type MisParseOptions,
  MAX_FILE_BYTES,
  SNIFF_BYTES,
  DEFAULT_MAX_ERRORS,
  MAX_PUPIL_AGE_YEARS,
} from './mis-types.ts';
export { sniffFile, decode, sniffDelimiter, type ParsedRecord, parseCsv } from './mis-sniff.ts';
export {
  clean,
  type DateParse,
  parseUkDate,
  parseYearGroup,
  parseYesNo,
  isValidEmail,
  splitFullName,
} from './mis-values.ts';

/** The legal name's cell, or the preferred name's when the legal one is blank or absent. */
function orElse(legal: Cell, preferred: Cell): Cell {
  if (legal.value !== '') return legal;
  if (preferred.value !== '') return preferred;
  return { value: '', ref: legal.ref ?? preferred.ref };
}

const sameName = (a: string) => a.normalize('NFC').replace(/\s+/g, ' ').toLocaleLowerCase('en-GB');

/** A preferred name worth keeping: not blank, and not the legal name (ignoring case and spaces). */
function preferredName(preferred: string, legal: string): string | null {
  if (preferred === '' || sameName(preferred) === sameName(legal)) return null;
  return preferred;
}

export function parseMisFile(file: Buffer, options: MisParseOptions = {}): MisParseResult {
  const maxErrors = Math.max(1, options.maxErrors ?? DEFAULT_MAX_ERRORS);

  // 1. Is it a text file at all? Decided from the first 64 KB only, so this is quick.
  const sniff = sniffFile(file.subarray(0, SNIFF_BYTES));
  if (!sniff.ok) return sniff;
  if (file.length > MAX_FILE_BYTES) {
    const mb = (file.length / 1024 / 1024).toFixed(0);
    return {
      ok: false,
      fileError: {
        code: 'too_large',
        message:
          `This file is too big (${mb} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB). ` +
          'Export only the pupils and contact columns listed in the guidance, or split the file ' +
          'and upload each part.',
      },
    };
  }

  // 2. Decode the whole file.
  const decoded = decode(file, sniff.encoding);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  if (text.trim() === '') return { ok: false, fileError: emptyError() };
  const nul = text.indexOf('\0');
  if (nul >= 0) return { ok: false, fileError: { code: 'binary', message: BINARY_MESSAGE } };

  // 3. Split into records.
  const delimiter = sniffDelimiter(text);
  const parsed = parseCsv(text, delimiter);
  if (!parsed.ok) return parsed;
  const records = parsed.records;
  const headerRecord = records[0];
  if (!headerRecord) return { ok: false, fileError: emptyError() };
  const headers = headerRecord.cells.map((h) => h.trim());
  let headerWidth = headers.length;
  while (headerWidth > 0 && headers[headerWidth - 1] === '') headerWidth--;

  // 4. Headers.
  const match = matchHeaders(headers);
  if (match.missing.length > 0 || !match.pupilIdColumn) {
    const found = headers.filter((h) => h !== '');
    const shown = found.slice(0, 40).map((h) => `"${h}"`);
    const more = found.length > 40 ? ` and ${found.length - 40} more` : '';
    const foundText =
      found.length === 0
        ? 'The first line of the file has no column headings.'
        : `The columns we found on the first line are: ${shown.join(', ')}${more}.`;
    return {
      ok: false,
      fileError: {
        code: 'missing_columns',
        message:
          `The file is missing ${match.missing.length === 1 ? 'a column' : 'some columns'} we ` +
          `need: ${match.missing.map(describeRequiredColumn).join('; ')}. ${foundText} ` +
          'The first line of the file must be the column headings. Add the missing columns to ' +
          'your MIS report (see the guidance on exporting from SIMS and Arbor) and export again.',
      },
    };
  }
  const mapping = match.mapping;
  const idColumn = match.pupilIdColumn;

  const dataCount = records.length - 1;
  const hasData = records.some((r, i) => i > 0 && r.cells.some((c) => c.trim() !== ''));
  if (!hasData) {
    return {
      ok: false,
      fileError: {
        code: 'empty',
        message:
          'The file has column headings but no pupils. Export the pupil list from your MIS ' +
          'again, check it includes your pupils, and upload it.',
      },
    };
  }

  // 5. Rows.
  const todayIso = ukDate(options.today ?? new Date());
  const oldestDob = `${Number(todayIso.slice(0, 4)) - MAX_PUPIL_AGE_YEARS}${todayIso.slice(4)}`;

  const errors: RowError[] = [];
  let totalErrors = 0;
  const linesWithErrors = new Set<number>();
  const addError = (line: number, ref: ColumnRef | null, message: string): void => {
    totalErrors++;
    linesWithErrors.add(line);
    if (errors.length < maxErrors) errors.push({ line, column: ref?.header ?? null, message });
  };

  const identifying: readonly ContactField[] = [
    'id',
    'given_name',
    'family_name',
    'name',
    'email',
    'phone',
  ];
  const contactSlots = CONTACT_SLOTS.filter((slot) =>
    identifying.some((f) => (mapping[`parent_${slot}_${f}`]?.length ?? 0) > 0),
  );
  const contactRefs = contactSlots.map((slot) => {
    const refs = (f: ContactField): ColumnRef[] | undefined =>
      mapping[`parent_${slot}_${f}` as CanonicalColumn];
    return {
      slot,
      id: refs('id'),
      givenName: refs('given_name'),
      familyName: refs('family_name'),
      name: refs('name'),
      email: refs('email'),
      phone: refs('phone'),
      relationship: refs('relationship'),
      pr: refs('parental_responsibility'),
    };
  });

  const idRefs = [{ index: idColumn.index, header: idColumn.header }];
  const idLabel = idColumn.label;
  const rows: PupilImportRow[] = [];
  const linesById = new Map<string, number[]>();
  let emptyRowsSkipped = 0;
  let totalRows = 0;

  const onProgress = options.onProgress;
  const step = Math.max(1, Math.ceil(dataCount / 100));

  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    const { line, cells } = record;
    if (onProgress && r > 1 && (r - 1) % step === 0) onProgress(r - 1, dataCount);

    let blank = true;
    for (const c of cells) {
      if (c.trim() !== '') {
        blank = false;
        break;
      }
    }
    if (blank) {
      emptyRowsSkipped++;
      continue;
    }
    totalRows++;
    const errorsBefore = totalErrors;

    if (cells.length > headerWidth) {
      let extra = 0;
      for (let i = headerWidth; i < cells.length; i++) if (cells[i]!.trim() !== '') extra++;
      if (extra > 0) {
        addError(
          line,
          null,
          `This line has more values than there are column headings (${cells.length} values, ` +
            `${headerWidth} headings), so we can't tell which value belongs to which column. ` +
            'A value probably contains a comma or semicolon without quote marks around it.',
        );
        continue;
      }
    }

    // Pupil id
    const idCell = cellOf(cells, idRefs);
    let misId = idCell.value;
    if (misId === '') {
      addError(line, idCell.ref, `The ${idLabel} is missing. Every pupil needs one.`);
    } else {
      if (idColumn.kind === 'upn') {
        misId = misId.replace(/\s+/g, '').toUpperCase();
        if (!UPN.test(misId)) {
          addError(
            line,
            idCell.ref,
            `UPN ${quote(idCell.value)} isn't a valid UPN: it should be 13 characters, a letter ` +
              'followed by 12 digits (the last one may be a letter).',
          );
        }
      } else if (misId.length > 64) {
        addError(line, idCell.ref, `The ${idLabel} is too long (more than 64 characters).`);
      }
      if (misId !== '') {
        const key = misId.toLowerCase();
        const seen = linesById.get(key);
        if (seen) seen.push(line);
        else linesById.set(key, [line]);
      }
    }

    // Names: the legal name, else the preferred one; the preferred one is kept when it differs.
    const preferredGiven = cellOf(cells, mapping.preferred_given_name);
    const preferredFamily = cellOf(cells, mapping.preferred_family_name);
    const given = orElse(cellOf(cells, mapping.given_name), preferredGiven);
    const family = orElse(cellOf(cells, mapping.family_name), preferredFamily);
    for (const [cell, what] of [
      [preferredGiven, 'preferred first name'],
      [preferredFamily, 'preferred surname'],
    ] as const) {
      if (cell.value.length > MAX_NAME_LENGTH) {
        addError(line, cell.ref, `The ${what} is too long (over ${MAX_NAME_LENGTH} characters).`);
      }
    }
    if (given.value === '') addError(line, given.ref, 'The first name is missing.');
    else if (given.value.length > MAX_NAME_LENGTH) {
      addError(line, given.ref, `The first name is too long (over ${MAX_NAME_LENGTH} characters).`);
    }
    if (family.value === '') addError(line, family.ref, 'The surname is missing.');
    else if (family.value.length > MAX_NAME_LENGTH) {
      addError(line, family.ref, `The surname is too long (over ${MAX_NAME_LENGTH} characters).`);
    }

    // Date of birth
    const dobCell = cellOf(cells, mapping.date_of_birth);
    let dateOfBirth = '';
    if (dobCell.value === '') {
      addError(line, dobCell.ref, 'The date of birth is missing.');
    } else {
      const dob = parseUkDate(dobCell.value);
      if (!dob.ok) addError(line, dobCell.ref, dateMessage('Date of birth', dobCell.value, dob));
      else if (dob.iso > todayIso) {
        addError(line, dobCell.ref, `Date of birth ${formatUk(dob.iso)} is in the future.`);
      } else if (dob.iso < oldestDob) {
        addError(
          line,
          dobCell.ref,
          `Date of birth ${formatUk(dob.iso)} is more than ${MAX_PUPIL_AGE_YEARS} years ago, ` +
            'which is too old for a pupil. Please check it.',
        );
      } else dateOfBirth = dob.iso;
    }

    // Year group
    const yearCell = cellOf(cells, mapping.year_group);
    let yearGroup: YearGroup | null = null;
    if (yearCell.value === '') addError(line, yearCell.ref, 'The year group is missing.');
    else {
      yearGroup = parseYearGroup(yearCell.value);
      if (!yearGroup) {
        addError(
          line,
          yearCell.ref,
          `Year group ${quote(yearCell.value)} isn't one we recognise. Use Nursery 1, ` +
            'Nursery 2, Reception, or Year 1 to Year 13 (e.g. "Year 3" or "3").',
        );
      }
    }

    // Class
    const classCell = cellOf(cells, mapping.class);
    if (classCell.value.length > MAX_TEXT_LENGTH) {
      addError(line, classCell.ref, `The class is too long (over ${MAX_TEXT_LENGTH} characters).`);
    }

    // Admission / leaving dates
    const optionalDate = (cell: Cell, label: string): string | null => {
      if (cell.value === '') return null;
      const result = parseUkDate(cell.value);
      if (!result.ok) {
        addError(line, cell.ref, dateMessage(label, cell.value, result));
        return null;
      }
      return result.iso;
    };
    const admissionCell = cellOf(cells, mapping.admission_date);
    const leavingCell = cellOf(cells, mapping.leaving_date);
    const admissionDate = optionalDate(admissionCell, 'Admission date');
    const leavingDate = optionalDate(leavingCell, 'Leaving date');
    if (admissionDate && leavingDate && leavingDate < admissionDate) {
      addError(
        line,
        leavingCell.ref,
        `Leaving date ${formatUk(leavingDate)} is before the admission date ` +
          `${formatUk(admissionDate)}.`,
      );
    }
    if (admissionDate && dateOfBirth && admissionDate < dateOfBirth) {
      addError(
        line,
        admissionCell.ref,
        `Admission date ${formatUk(admissionDate)} is before the date of birth ` +
          `${formatUk(dateOfBirth)}.`,
      );
    }

    // Pupil email
    const emailCell = cellOf(cells, mapping.email);
    if (emailCell.value !== '' && !isValidEmail(emailCell.value)) {
      addError(line, emailCell.ref, emailMessage('The pupil email', emailCell.value));
    }

    // Contacts
    const contacts: ContactImportRow[] = [];
    for (const refs of contactRefs) {
      const id = cellOf(cells, refs.id);
      let givenName = cellOf(cells, refs.givenName);
      let familyName = cellOf(cells, refs.familyName);
      const fullName = cellOf(cells, refs.name);
      const email = cellOf(cells, refs.email);
      const phone = cellOf(cells, refs.phone);
      if (
        id.value === '' &&
        givenName.value === '' &&
        familyName.value === '' &&
        fullName.value === '' &&
        email.value === '' &&
        phone.value === ''
      ) {
        continue; // no contact in this slot
      }
      const who = `Contact ${refs.slot}`;
      if (givenName.value === '' && familyName.value === '' && fullName.value !== '') {
        const split = splitFullName(fullName.value);
        givenName = { value: split.givenName, ref: fullName.ref };
        familyName = { value: split.familyName, ref: fullName.ref };
      }
      if (givenName.value === '' && familyName.value === '') {
        addError(
          line,
          familyName.ref ?? givenName.ref ?? fullName.ref,
          `${who} has details but no name. Add the contact's name, or remove their details.`,
        );
      }
      if (givenName.value.length > MAX_NAME_LENGTH || familyName.value.length > MAX_NAME_LENGTH) {
        addError(line, familyName.ref, `${who}'s name is too long.`);
      }
      if (email.value !== '' && !isValidEmail(email.value)) {
        addError(line, email.ref, emailMessage(`${who}'s email`, email.value));
      }
      if (phone.value.length > 50) {
        addError(line, phone.ref, `${who}'s phone number is too long (over 50 characters).`);
      }
      const relationship = cellOf(cells, refs.relationship);
      if (relationship.value.length > MAX_TEXT_LENGTH) {
        addError(line, relationship.ref, `${who}'s relationship is too long.`);
      }
      const prCell = cellOf(cells, refs.pr);
      const pr = parseYesNo(prCell.value);
      if (pr === null) {
        addError(
          line,
          prCell.ref,
          `${who}'s parental responsibility ${quote(prCell.value)} should be Yes or No ` +
            '(Y/N, True/False or 1/0 also work; leave it blank if it is not known).',
        );
      }
      contacts.push({
        misId: id.value === '' ? null : id.value,
        givenName: givenName.value,
        familyName: familyName.value,
        email: email.value === '' ? null : email.value,
        phone: phone.value === '' ? null : phone.value,
        relationship: relationship.value === '' ? null : relationship.value,
        parentalResponsibility: pr === true,
      });
    }

    if (totalErrors === errorsBefore && yearGroup) {
      rows.push({
        line,
        misId,
        givenName: given.value,
        familyName: family.value,
        preferredGivenName: preferredName(preferredGiven.value, given.value),
        preferredFamilyName: preferredName(preferredFamily.value, family.value),
        dateOfBirth,
        yearGroup,
        className: classCell.value === '' ? null : classCell.value,
        admissionDate,
        leavingDate,
        email: emailCell.value === '' ? null : emailCell.value,
        contacts,
      });
    }
  }

  onProgress?.(dataCount, dataCount);

  // 6. Duplicate pupil ids: an error on every line involved.
  let duplicateLines: Set<number> | null = null;
  for (const [, lines] of linesById) {
    if (lines.length < 2) continue;
    duplicateLines ??= new Set();
    for (const line of lines) {
      duplicateLines.add(line);
      const others = lines.filter((l) => l !== line);
      const id = idColumn.kind === 'upn' ? 'UPN' : `${idLabel}`;
      addError(
        line,
        idColumn,
        `This pupil's ${id} is also on ${listLines(others)}. Each pupil must appear only once ` +
          '(the same ID on two lines means two pupils would be merged).',
      );
    }
  }
  const dupes = duplicateLines;
  const validRows = dupes ? rows.filter((row) => !dupes.has(row.line)) : rows;
  if (dupes) errors.sort((a, b) => a.line - b.line);

  const errorsTruncated = totalErrors > errors.length;
  return {
    ok: true,
    rows: validRows,
    errors,
    errorsTruncated,
    errorLimitMessage: errorsTruncated
      ? `We found ${totalErrors.toLocaleString('en-GB')} problems; only the first ` +
        `${errors.length.toLocaleString('en-GB')} are listed. Correct these, export the file ` +
        'again and upload it to see any others.'
      : null,
    headerReport: {
      encoding: sniff.encoding,
      delimiter,
      headers,
      pupilIdColumn: idColumn,
      mapping,
      unknown: match.unknown,
      contactSlots,
    },
    stats: {
      totalRows,
      validRows: validRows.length,
      rowsWithErrors: linesWithErrors.size,
      emptyRowsSkipped,
      totalErrors,
      contacts: validRows.reduce((n, row) => n + row.contacts.length, 0),
    },
  };
}
