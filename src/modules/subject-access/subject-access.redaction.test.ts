import { describe, expect, it } from 'vitest';
import {
  ANOTHER_PARENT,
  ANOTHER_PUPIL,
  personLabel,
  redactJson,
  textRedactor,
  type NameBook,
} from './subject-access.redaction.ts';

const SUBJECT = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const PARENT = '00000000-0000-4000-8000-000000000003';
const TEACHER = '00000000-0000-4000-8000-000000000004';
const book: NameBook = {
  subject: { kind: 'pupil', id: SUBJECT, name: 'Amira Khan' },
  pupils: new Map([
    [SUBJECT, { givenName: 'Amira', familyName: 'Khan' }],
    [OTHER, { givenName: 'Oliver', familyName: 'Bennett' }],
  ]),
  parents: new Map([[PARENT, { givenName: 'Sarah', familyName: 'Bennett' }]]),
  staff: new Map([[TEACHER, { name: 'Mr J Patel', role: 'Teacher' }]]),
};

describe('subject access redaction', () => {
  it('names the subject and staff (with their role); others are another pupil or parent', () => {
    expect(personLabel(book, 'pupil', SUBJECT)).toBe('Amira Khan');
    expect(personLabel(book, 'pupil', OTHER)).toBe(ANOTHER_PUPIL);
    expect(personLabel(book, 'parent', PARENT)).toBe(ANOTHER_PARENT);
    expect(personLabel(book, 'ex_pupil', null)).toBe(ANOTHER_PUPIL);
    expect(personLabel(book, 'external', null)).toBe('another person');
    expect(personLabel(book, 'staff', TEACHER)).toBe('Mr J Patel (Teacher)');
  });

  it('replaces other pupils’ and parents’ names in free text, keeps the subject’s and staff’s', () => {
    const redact = textRedactor(book, [
      { kind: 'pupil', id: OTHER },
      { kind: 'external', name: 'Dave Smith' },
    ]);
    expect(
      redact(
        'Oliver Bennett posted a photo of Amira Khan; oliver said Sarah Bennett saw it. Dave Smith shared it. Mr J Patel spoke to Amira.',
      ),
    ).toBe(
      'another pupil posted a photo of Amira Khan; another pupil said another parent saw it. another person shared it. Mr J Patel spoke to Amira.',
    );
    // Whole words only: "Olivers" is not "Oliver".
    expect(redact('Olivers')).toBe('Olivers');
  });

  it('replaces the names another pupil is known by (their preferred names)', () => {
    const ALFIE = '00000000-0000-4000-8000-000000000005';
    const withPreferred: NameBook = {
      ...book,
      pupils: new Map([
        ...book.pupils,
        [
          ALFIE,
          {
            givenName: 'Alfred',
            familyName: 'Pemberton',
            preferredGivenName: 'Alfie',
            preferredFamilyName: 'Gray',
          },
        ],
      ]),
    };
    // On the roll only: full names, whichever of the names they are written with.
    expect(textRedactor(withPreferred, [])('Alfie Gray and Alfie Pemberton met Alfred Gray')).toBe(
      'another pupil and another pupil met another pupil',
    );
    // Named in the incident: the preferred first name alone too.
    expect(textRedactor(withPreferred, [{ kind: 'pupil', id: ALFIE }])('Alfie said so')).toBe(
      'another pupil said so',
    );
  });

  it('replaces people’s ids in structured data', () => {
    const redact = textRedactor(book, []);
    expect(
      redactJson(book, { pupilId: OTHER, by: TEACHER, me: SUBJECT, note: 'Oliver Bennett' }, (t) =>
        redact(t),
      ),
    ).toEqual({
      pupilId: ANOTHER_PUPIL,
      by: 'Mr J Patel (Teacher)',
      me: 'Amira Khan',
      note: ANOTHER_PUPIL,
    });
  });
});
