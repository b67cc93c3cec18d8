import { beforeAll, describe, expect, it } from 'vitest';
import { avenueTemplate } from '../../policies/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import { makePost } from '../../../../test/support/publishing-checks.ts';
import { personalDetailsCheck } from './checks.ts';
import { findPersonalDetails, knownContacts, type DetailKind } from './personal-details.ts';
import { loadCheckLibraries } from './libraries.ts';

// The checks' libraries load on first use (ADR 0010); the check runner awaits them the same way.
beforeAll(() => loadCheckLibraries());

const school = knownContacts({
  phones: ['01632 960000'],
  emails: ['office@oakfield.example'],
  emailDomains: ['oakfield.sch.uk'],
  postcodes: ['OA1 1AA'],
  addresses: ['1 School Lane'],
});

function kinds(text: string): DetailKind[] {
  return findPersonalDetails(text, school).map((h) => h.kind);
}

describe('personal details that must be found', () => {
  const mustFail: [string, DetailKind][] = [
    ['Ring his mum on 07700 900123.', 'phone'],
    ['Call 07700900123 any time', 'phone'],
    ['Tel: +44 7700 900123', 'phone'],
    ['phone +44 (0)161 496 0000 after six', 'phone'],
    ['Contact (01632) 961234 for tickets', 'phone'],
    ['0161-496-0123', 'phone'],
    ['Email jo.bloggs@example.com for the photos', 'email'],
    ['JO.BLOGGS+school@Example.CO.UK', 'email'],
    ['Her address is SW1A 1AA.', 'postcode'],
    ['lives near m1 1ae', 'postcode'],
    ['EC1A1BB', 'postcode'],
    ['They live at 12 Acacia Avenue.', 'address'],
    ['Meet at 4a St John’s Road', 'address'],
    ['Flat 3, 27 High Street', 'address'],
    ['Born on 3 May 2019', 'date_of_birth'],
    ['born 03/05/2019', 'date_of_birth'],
    ['DOB: 2019-05-03', 'date_of_birth'],
    ['d.o.b. 3rd of May', 'date_of_birth'],
    ['Date of birth 14.02.2018', 'date_of_birth'],
    ['His birthday is 12 June', 'date_of_birth'],
    ['birthday on June 12th', 'date_of_birth'],
    ['3 May 2019 (date of birth)', 'date_of_birth'],
    ['date of birth: 03-May-2019', 'date_of_birth'],
    ['DOB 3/may/19', 'date_of_birth'],
    ['born 2019/05/03', 'date_of_birth'],
    ['03-May-2019 (DOB)', 'date_of_birth'],
  ];
  for (const [text, kind] of mustFail) {
    it(`finds ${kind} in “${text}”`, () => {
      expect(kinds(text)).toContain(kind);
    });
  }
});

describe('texts that must pass', () => {
  const mustPass = [
    'We raised £1,250 for charity and 400 pupils took part.',
    'The match ended 3-2 on 12/03/2026 after extra time.',
    'Year 6 Road Safety week starts on Monday 4 May.',
    'Class 4 Visit Heaton Park was a great day.',
    'Our reference is 12345678.',
    'Call the school office on 01632 960000.',
    'Call the school office on +44 1632 960000.',
    'Email office@oakfield.example or head@oakfield.sch.uk with questions.',
    'Our postcode is OA1 1AA; we are at 1 School Lane.',
    'Happy birthday to the school, 150 years old!',
    'The trip was on 3 May 2019.',
    'The trip was on 03-May-2019 and 2019/05/10.',
    'Room 12 Main Hall was busy.',
  ];
  for (const text of mustPass) {
    it(`passes “${text}”`, () => {
      expect(kinds(text)).toEqual([]);
    });
  }
});

describe('the check', () => {
  it('fails with the clause where the profile forbids personal details', () => {
    const settings = structuredClone(avenueTemplate.settings) as PolicySettings;
    const r = personalDetailsCheck({
      settings,
      roll: { schoolId: 's', version: '1', pupils: [] },
      post: makePost({ text: 'Ring 07700 900123 or email a@b.com' }),
    });
    expect(r.outcome).toBe('fail');
    expect(r.sentence).toMatch(/^The post contains a phone number and an email address/);
    expect(r.findings.map((f) => f.excerpt)).toEqual(['07700 900123', 'a@b.com']);
    expect(r.citation).toEqual(settings.publishing.personalDetailsForbidden.citation);
    expect(r.overridable).toBe(false);
  });

  it('warns where the profile does not forbid them', () => {
    const settings = structuredClone(avenueTemplate.settings) as PolicySettings;
    settings.publishing.personalDetailsForbidden.value = false;
    const r = personalDetailsCheck({
      settings,
      roll: { schoolId: 's', version: '1', pupils: [] },
      post: makePost({ title: 'Born on 3 May 2019' }),
    });
    expect(r.outcome).toBe('warning');
    expect(r.findings[0]?.where).toBe('title');
  });

  it('passes a post with only the school’s own contact details', () => {
    const r = personalDetailsCheck({
      settings: avenueTemplate.settings,
      roll: { schoolId: 's', version: '1', pupils: [] },
      post: makePost({ text: 'Questions? Call 01632 960000 or email office@oakfield.example.' }),
    });
    expect(r.outcome).toBe('pass');
  });
});
