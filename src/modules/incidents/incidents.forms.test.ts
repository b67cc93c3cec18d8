import { describe, expect, it } from 'vitest';
import { parseForm } from '../../web/forms.ts';
import {
  apiReportBody,
  classifyForm,
  dateFromParts,
  imageReportForm,
  reportBody,
  reportForm,
  reportStartForm,
} from './incidents.forms.ts';

const uuid = '3fc4687e-c61b-47ea-8682-d878b67d41a4';

describe('incidents forms', () => {
  it('reads a GOV.UK date input, or nothing when all three are blank', () => {
    expect(dateFromParts({ 'd-day': '2', 'd-month': '11', 'd-year': '2026' }, 'd')).toEqual({
      ok: true,
      value: '2026-11-02',
    });
    expect(dateFromParts({}, 'd')).toEqual({ ok: true, value: undefined });
    expect(dateFromParts({ 'd-day': '31', 'd-month': '2', 'd-year': '2026' }, 'd').ok).toBe(false);
    expect(dateFromParts({ 'd-day': 'x', 'd-month': '2', 'd-year': '2026' }, 'd').ok).toBe(false);
  });

  it('asks the image question first, with a message when unanswered', () => {
    const r = parseForm(reportStartForm, {});
    expect(r).toMatchObject({
      ok: false,
      errors: { indecentImage: expect.stringMatching(/nude or semi-nude/) },
    });
    expect(parseForm(reportStartForm, { indecentImage: 'yes' }).ok).toBe(true);
  });

  it('takes a report: what happened required, web address http(s) only, people from the roll as ids', () => {
    const body = reportBody({
      whatHappened: '  Threats in a group chat ',
      platform: 'whatsapp',
      url: 'https://chat.whatsapp.com/abc',
      'occurredOn-day': '3',
      'occurredOn-month': '11',
      'occurredOn-year': '2026',
      occurredTime: '18:45',
      reporterConcern: 'yes',
      pupils: uuid,
      pupilPart: 'victim',
      named0Name: 'Sam (Year 11 last year)',
      named0Kind: 'ex_pupil',
      named0Part: 'alleged',
    });
    const r = parseForm(reportForm, body.input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      whatHappened: 'Threats in a group chat',
      occurredOn: '2026-11-03',
      pupils: [uuid],
      named: [{ kind: 'ex_pupil', name: 'Sam (Year 11 last year)', part: 'alleged' }, {}, {}],
    });
    const bad = parseForm(
      reportForm,
      reportBody({ url: 'javascript:alert(1)', occurredTime: '25:00', named1Name: 'Someone' })
        .input,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(Object.keys(bad.errors).sort()).toEqual([
      'occurredTime',
      'reporterConcern',
      'url',
      'whatHappened',
    ]);
    // A person named without saying who they are (checked once the rest of the form passes).
    const who = parseForm(
      reportForm,
      reportBody({ whatHappened: 'x', reporterConcern: 'no', named1Name: 'Someone' }).input,
    );
    expect(who).toMatchObject({ ok: false, errors: { named1Kind: 'Select who Someone is' } });
    expect(
      reportBody({ 'occurredOn-day': '40', 'occurredOn-month': '1', 'occurredOn-year': '2026' })
        .dateError,
    ).toMatch(/real date/);
  });

  it('refuses the image referral until the reporter confirms they will not keep the image', () => {
    expect(parseForm(imageReportForm, { adultInvolved: 'no' })).toMatchObject({
      ok: false,
      errors: { understood: expect.any(String) },
    });
    expect(parseForm(imageReportForm, { adultInvolved: 'yes', understood: 'yes' }).ok).toBe(true);
  });

  it('classifies with a type from the profile’s playbooks only', () => {
    expect(
      parseForm(classifyForm, {
        incidentType: 'pupil_on_pupil',
        category: 'contact',
        risk: 'sexual',
        safeguarding: 'yes',
      }).ok,
    ).toBe(true);
    expect(parseForm(classifyForm, { incidentType: 'gossip', safeguarding: 'yes' })).toMatchObject({
      ok: false,
      errors: { incidentType: 'Select the type of incident' },
    });
  });

  it('describes the API report with the same vocabulary', () => {
    expect(
      apiReportBody.safeParse({ indecentImage: true, adultInvolved: 'not_sure' }).success,
    ).toBe(true);
    expect(apiReportBody.safeParse({ indecentImage: false, platform: 'myspace' }).success).toBe(
      false,
    );
  });
});
