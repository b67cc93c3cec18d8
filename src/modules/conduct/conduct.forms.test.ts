import { describe, expect, it } from 'vitest';
import {
  friendRequestForm,
  onlinePresenceForm,
  socialContactForm,
} from './declarations/declarations.forms.ts';
import { decideForm, requestPermissionForm, signOffForm } from './permissions/permissions.forms.ts';
import {
  checkForm,
  exceptionForm,
  provisionForm,
  withDateInputs,
} from './filtering/filtering.forms.ts';

const id = '5b0e8c3e-4a44-4c1a-9d7e-0f3a2b1c4d5e';
const errorsOf = (r: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => Object.fromEntries((r.error?.issues ?? []).map((i) => [String(i.path[0]), i.message]));

describe('conduct forms', () => {
  it('a friend request names who it came from, as the kind of person asks', () => {
    expect(errorsOf(friendRequestForm.safeParse({}))).toMatchObject({
      platform: 'Enter the app or website',
      from: 'Select who the request came from',
      actionTaken: 'Select what you did',
    });
    expect(
      errorsOf(
        friendRequestForm.safeParse({
          platform: 'Facebook',
          from: 'pupil',
          actionTaken: 'declined',
        }),
      ),
    ).toEqual({
      pupilId: 'Select the pupil',
    });
    expect(
      errorsOf(
        friendRequestForm.safeParse({
          platform: 'Facebook',
          from: 'ex_pupil',
          actionTaken: 'blocked',
        }),
      ),
    ).toEqual({
      exPupilName: 'Enter the former pupil’s name',
    });
    const ok = friendRequestForm.parse({
      platform: ' Instagram ',
      from: 'parent',
      parentId: id,
      actionTaken: 'reported',
    });
    expect(ok).toMatchObject({ platform: 'Instagram', parentId: id, details: '' });
  });

  it('social contact and online checks ask for what matters', () => {
    expect(errorsOf(socialContactForm.safeParse({ pupilId: 'x' }))).toMatchObject({
      pupilId: 'Select the pupil whose family it is',
    });
    expect(errorsOf(onlinePresenceForm.safeParse({ outcome: 'found_need_help' }))).toEqual({
      details: 'Say what you found',
    });
    expect(onlinePresenceForm.parse({ outcome: 'nothing_found' })).toEqual({
      outcome: 'nothing_found',
      details: '',
    });
  });

  it('a permission request needs a reason; a named photo needs the pupil and purpose', () => {
    expect(errorsOf(requestPermissionForm.safeParse({ type: 'logo_use' }))).toEqual({
      reason: 'Say why you need it',
    });
    expect(
      errorsOf(
        requestPermissionForm.safeParse({ type: 'named_newspaper_photo', reason: 'Sports day' }),
      ),
    ).toEqual({
      pupilId: 'Select the pupil to be named',
      purposeKey: 'Select where the photo will appear',
    });
    expect(errorsOf(requestPermissionForm.safeParse({ type: 'not_a_type', reason: 'x' }))).toEqual({
      type: 'Select what you are asking permission for',
    });
  });

  it('a refusal needs a reason', () => {
    expect(errorsOf(decideForm.safeParse({ decision: 'refused' }))).toEqual({
      reason: 'Say why it is refused',
    });
    expect(decideForm.parse({ decision: 'granted' })).toEqual({ decision: 'granted', reason: '' });
    expect(errorsOf(signOffForm.safeParse({ decision: 'sign_off_refused' }))).toEqual({
      reason: 'Say why you cannot sign it off',
    });
  });

  it('filtering records: categories from checkboxes, dates from GOV.UK date inputs', () => {
    const p = provisionForm.parse({
      filteringProvider: 'LGfL WebScreen',
      monitoringProvider: 'Smoothwall Monitor',
      blockedCategories: 'Pornography',
      alertRecipients: 'DSL',
    });
    expect(p.blockedCategories).toEqual(['Pornography']);
    const read = withDateInputs(checkForm, [
      { name: 'checkedOn', what: 'the date of the check', required: true },
    ]);
    expect(
      read({
        kind: 'check',
        outcome: 'working',
        findings: 'Blocked test pages stayed blocked',
        'checkedOn-day': '31',
        'checkedOn-month': '2',
        'checkedOn-year': '2026',
      }),
    ).toMatchObject({
      ok: false,
      errors: { 'checkedOn-day': 'The date of the check must be a real date' },
    });
    expect(
      read({
        kind: 'check',
        outcome: 'working',
        findings: 'Fine',
        'checkedOn-day': '7',
        'checkedOn-month': '12',
        'checkedOn-year': '2026',
      }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'check',
        outcome: 'working',
        findings: 'Fine',
        actions: '',
        checkedOn: '2026-12-07',
      },
    });
    const exception = withDateInputs(exceptionForm, [
      { name: 'startsOn', what: 'the date it starts', required: true },
      { name: 'endsOn', what: 'the date it ends', required: false },
    ]);
    expect(
      exception({
        description: 'Twitter for the PE department',
        'startsOn-day': '1',
        'startsOn-month': '1',
        'startsOn-year': '2027',
      }),
    ).toMatchObject({
      ok: true,
      value: { startsOn: '2027-01-01', endsOn: undefined },
    });
  });
});
