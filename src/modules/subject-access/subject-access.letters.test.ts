import { describe, expect, it } from 'vitest';
import { isOneOf, letterHtml, redactLetter } from './subject-access.letters.ts';
import type { NameBook } from './subject-access.redaction.ts';

const book: NameBook = {
  subject: { kind: 'pupil', id: 'p1', name: 'Amy Clarke' },
  pupils: new Map([
    ['p1', { givenName: 'Amy', familyName: 'Clarke' }],
    ['p2', { givenName: 'Ben', familyName: 'Okafor' }],
  ]),
  parents: new Map([
    ['a1', { givenName: 'Sara', familyName: 'Clarke' }],
    ['a2', { givenName: 'Tunde', familyName: 'Okafor' }],
  ]),
  staff: new Map([['s1', { name: 'Jo Patel', role: 'Headteacher' }]]),
};
const named = [
  { personKind: 'pupil', pupilId: 'p1', parentId: null, staffId: null, name: null },
  { personKind: 'pupil', pupilId: 'p2', parentId: null, staffId: null, name: null },
];
const own = [
  { givenName: 'Amy', familyName: 'Clarke' },
  { givenName: 'Sara', familyName: 'Clarke' },
];

describe('incident letters in a bundle', () => {
  it('knows a recipient written with a title and family name or initial', () => {
    expect(isOneOf('Mrs Clarke', own)).toBe(true);
    expect(isOneOf('Ms S Clarke', own)).toBe(true);
    expect(isOneOf('sara  clarke', own)).toBe(true);
    expect(isOneOf('Mr Okafor', own)).toBe(false);
    expect(isOneOf('Clarke', own)).toBe(false);
  });

  it('keeps a letter to the pupil’s own parent; names no other pupil', () => {
    const l = redactLetter(
      book,
      {
        recipientName: 'Mrs Clarke',
        subject: 'Meeting',
        body: 'Dear Mrs Clarke,\n\nBen Okafor posted.',
      },
      named,
      own,
    );
    expect(l.to).toBe('Mrs Clarke');
    expect(l.body).toBe('Dear Mrs Clarke,\n\nanother pupil posted.');
  });

  it('a letter to another parent: the recipient, whole or in part, is “another person”', () => {
    const l = redactLetter(
      book,
      {
        recipientName: 'Mr Wright',
        subject: 'Your post about Amy Clarke',
        body: 'Dear Mr Wright,\n\nWe ask Wright to remove it. Jo Patel, Headteacher. Tunde Okafor was told.',
      },
      named,
      own,
    );
    expect(l.to).toBe('another person');
    expect(l.subject).toBe('Your post about Amy Clarke');
    expect(l.body).toBe(
      'Dear another person,\n\nWe ask another person to remove it. Jo Patel, Headteacher. another parent was told.',
    );
    const html = letterHtml('Oakfield', 'INC-0001', new Date('2026-10-01T10:00:00Z'), l);
    expect(html).toContain('<p>Dear another person,</p>');
    expect(html).toContain('1 October 2026');
    expect(html).not.toContain('Wright');
  });
});
