import { beforeAll, describe, expect, it } from 'vitest';
import { findPersonalDetails, knownContacts } from './personal-details.ts';
import { loadCheckLibraries } from './libraries.ts';
import { schoolContactsFrom, type SchoolRecordContacts } from './school-contacts.ts';

beforeAll(() => loadCheckLibraries());

const record: SchoolRecordContacts = {
  phone: '01632 960 001',
  email: 'Office@Oakfield.sch.uk',
  address: '12 Mill Lane\nOakfield\nNorthshire',
  postcode: 'OK1 2AB',
};

function found(text: string, school: SchoolRecordContacts = record) {
  return findPersonalDetails(text, knownContacts(schoolContactsFrom(school))).map((h) => h.kind);
}

describe('the school record’s contact details as the check allows them', () => {
  it('builds the lists from the record', () => {
    expect(schoolContactsFrom(record)).toEqual({
      phones: ['01632 960 001'],
      emails: ['office@oakfield.sch.uk'],
      emailDomains: ['oakfield.sch.uk'],
      postcodes: ['OK1 2AB'],
      addresses: ['12 Mill Lane, Oakfield, Northshire'],
    });
    expect(schoolContactsFrom(null)).toEqual({
      phones: [],
      emails: [],
      emailDomains: [],
      postcodes: [],
      addresses: [],
    });
  });

  it('does not treat a shared mailbox provider’s domain as the school’s', () => {
    const c = schoolContactsFrom({ ...record, email: 'oakfieldschool@gmail.com' });
    expect(c.emails).toEqual(['oakfieldschool@gmail.com']);
    expect(c.emailDomains).toEqual([]);
    expect(
      found('Write to jo.bloggs@gmail.com', { ...record, email: 'oakfieldschool@gmail.com' }),
    ).toEqual(['email']);
  });

  const allowed = [
    'Tickets from the office on 01632 960001.',
    'Ring +44 1632 960 001 for tickets.',
    'Email office@oakfield.sch.uk or head@oakfield.sch.uk.',
    'Come to 12 Mill Lane for the fair.',
    'The school, 12 Mill Lane, Oakfield OK1 2AB.',
    'Post entries to ok1 2ab.',
  ];
  it.each(allowed)('allows the school’s own: %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  const flagged: [string, string][] = [
    ['Ring Jo’s mum on 07700 900123.', 'phone'],
    ['Email jo.bloggs@example.com.', 'email'],
    ['She lives at 3 Oakfield Road.', 'address'],
    ['Her postcode is OK1 2AC.', 'postcode'],
    ['Another school: 01632 960 999.', 'phone'],
  ];
  it.each(flagged)('still flags someone else’s: %s', (text, kind) => {
    expect(found(text)).toEqual([kind]);
  });

  it('allows nothing when the school has not filled in its details', () => {
    const empty = { phone: null, email: null, address: null, postcode: null };
    expect(found('Tickets from the office on 01632 960001.', empty)).toEqual(['phone']);
  });
});
