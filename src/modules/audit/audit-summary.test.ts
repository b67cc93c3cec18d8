import { describe, expect, it } from 'vitest';
import type { AuditRow } from './audit.repository.ts';
import { actorInWords, entityTypeInWords, peopleIn, summaryInWords } from './audit-summary.ts';

const PUPIL = '11111111-1111-4111-8111-111111111111';
const PARENT = '22222222-2222-4222-8222-222222222222';
const STAFF = '33333333-3333-4333-8333-333333333333';

function row(over: Partial<AuditRow>): AuditRow {
  return {
    id: 1,
    chain: 'school:x',
    seq: 1,
    schoolId: 'x',
    occurredAt: new Date('2026-12-06T18:28:00Z'),
    actorKind: 'staff',
    actorId: STAFF,
    action: 'consent.withdrawn',
    entityType: 'consent_record',
    entityId: 'r',
    data: {},
    prevHash: '0',
    hash: '1',
    ...over,
  };
}

const names = {
  staff: new Map([[STAFF, 'Helen Carter']]),
  parents: new Map([[PARENT, 'Priya Okonkwo']]),
  pupils: new Map([[PUPIL, 'Amara Okonkwo']]),
};

describe('the audit log in words', () => {
  const withdrawal = row({
    data: {
      pupilId: PUPIL,
      method: 'letter',
      deciderKind: 'parent',
      deciderParentId: PARENT,
      decisions: { a: 'refused' },
    },
  });

  it('names the people for someone who may see every pupil', () => {
    expect(summaryInWords(withdrawal, { ...names, showPupils: true })).toBe(
      'Recorded a withdrawal of consent for Amara Okonkwo from a letter, decided by Priya Okonkwo: 1 permission refused',
    );
    expect(actorInWords(withdrawal, { ...names, showPupils: true })).toBe('Helen Carter');
  });

  it("never shows a pupil's name to someone who may not see that pupil", () => {
    const text = summaryInWords(withdrawal, { ...names, showPupils: false });
    expect(text).not.toContain('Amara');
    expect(text).toContain('for a pupil from a letter');
  });

  it('describes people who are no longer on record instead of showing their ids', () => {
    const empty = { staff: new Map(), parents: new Map(), pupils: new Map(), showPupils: true };
    expect(actorInWords(withdrawal, empty)).toBe('a former member of staff');
    const text = summaryInWords(withdrawal, empty);
    expect(text).toContain('a pupil who is no longer on record');
    expect(text).toContain('a parent who is no longer on record');
    expect(text).not.toMatch(/[0-9a-f]{8}/);
    expect(actorInWords(row({ actorKind: 'system', actorId: null }), empty)).toBe(
      'Lanyard (automatically)',
    );
  });

  it('reads an action it does not know as words, never as a slug', () => {
    const text = summaryInWords(
      row({ action: 'incidents.report-closed', entityType: 'incident_report' }),
      { ...names, showPupils: true },
    );
    expect(text).toBe('Report closed: incident report');
    expect(entityTypeInWords('capture_device')).toBe('Capture device');
    expect(entityTypeInWords('incident_report')).toBe('Incident report');
    expect(entityTypeInWords('api_token')).toBe('API token');
  });

  it("describes people's records being managed in words", () => {
    const book = { ...names, showPupils: true };
    expect(
      summaryInWords(
        row({
          action: 'people.staff-changed',
          entityType: 'staff',
          entityId: STAFF,
          data: { changed: ['familyName', 'jobTitle'], rolesAdded: ['dsl'], rolesRemoved: [] },
        }),
        book,
      ),
    ).toBe(
      'Changed Helen Carter’s account: the family name and job title; gave the role Designated Safeguarding Lead',
    );
    // In the school's own words (people.roleTitles) when the log is read with them.
    expect(
      summaryInWords(
        row({
          action: 'people.staff-changed',
          entityType: 'staff',
          entityId: STAFF,
          data: { changed: [], rolesAdded: ['dsl', 'governor'], rolesRemoved: ['teacher'] },
        }),
        {
          ...book,
          roleTitles: { dsl: 'Child Protection Officer', governor: 'Chair of Governors' },
        },
      ),
    ).toBe(
      'Changed Helen Carter’s account: gave the role Child Protection Officer, Chair of Governors; took away the role Teacher',
    );
    expect(
      summaryInWords(
        row({
          action: 'people.pupils-left',
          entityType: 'pupil',
          entityId: PUPIL,
          data: { pupilIds: [PUPIL], leavingDate: '2026-07-22' },
        }),
        book,
      ),
    ).toBe('Recorded that Amara Okonkwo left on 22 July 2026');
    expect(
      summaryInWords(
        row({
          action: 'people.pupils-still-here',
          entityType: 'pupil',
          entityId: null,
          data: { pupilIds: [PUPIL, 'x'], cleared: 2 },
        }),
        book,
      ),
    ).toBe('Confirmed that 2 pupils are still at the school');
  });

  it('describes staff invitations and passwords set from them in words', () => {
    const book = { ...names, showPupils: true };
    const staffRow = (action: string, data: Record<string, unknown> = {}) =>
      row({ action, entityType: 'staff', entityId: STAFF, data });
    expect(summaryInWords(staffRow('people.staff-invited'), book)).toBe(
      'Sent Helen Carter a new invitation to set their password',
    );
    expect(summaryInWords(staffRow('auth.password-set', { from: 'invitation' }), book)).toBe(
      'Set their password from an invitation',
    );
    expect(summaryInWords(staffRow('auth.password-set'), book)).toBe(
      'Set a new password for Helen Carter',
    );
  });

  it('collects the ids to look up from actors, records and data', () => {
    expect(peopleIn([withdrawal])).toEqual({ staff: [STAFF], parents: [PARENT], pupils: [PUPIL] });
  });
  it('names both people of a credential hand-over, and the day', () => {
    const other = '44444444-4444-4444-8444-444444444444';
    const handover = row({
      action: 'publishing.credentials-handed-over',
      entityType: 'channel_account',
      data: { handoverId: 'h', fromStaffId: STAFF, toStaffId: other, on: '2026-01-05' },
    });
    expect(peopleIn([handover]).staff).toEqual(expect.arrayContaining([STAFF, other]));
    const book = {
      ...names,
      staff: new Map([...names.staff, [other, 'Sam Lee']]),
      showPupils: true,
    };
    expect(summaryInWords(handover, book)).toBe(
      'Recorded a hand-over of a channel’s credentials from Helen Carter to Sam Lee on 5 January 2026',
    );
    expect(entityTypeInWords('channel_account')).toBe('Channel');
  });
});
