/**
 * Every rule of the consent check (`decide`, `currentPosition`), against hand-built facts and the
 * real template settings: 003 Sacred Heart (annual consent, competent pupils may decide, one
 * external purpose) and 004 John Clifford (consent at admission until changed, five purposes,
 * naming needs its own written permission).
 */
import { describe, expect, it } from 'vitest';
import { formatCitation, policySettingsSchema, type PolicySettings } from '../../policies/index.ts';
import { getTemplate } from '../../policies/index.ts';
import {
  academicYearOf,
  consentKeysFor,
  currentPosition,
  decide,
  periodFor,
  recordablePeriods,
  type ConsentQuestion,
  type PupilConsentFacts,
  type RecordForCheck,
} from './consent-rules.ts';

function template(key: string): PolicySettings {
  const t = getTemplate(key);
  if (!t) throw new Error(`no template ${key}`);
  // Templates are frozen; tests that change a rule work on a copy.
  return policySettingsSchema.parse(structuredClone(t.settings));
}

const annual = template('sacred-heart-rochdale');
const admission = template('john-clifford-primary');

const MUM = 'parent-mum';
const DAD = 'parent-dad';
const STEP = 'parent-step-no-pr';

let seq = 0;

/** A record as the repository hands it to the rules, its period from the profile's model. */
function record(
  settings: PolicySettings,
  r: {
    decisions: Record<string, string>;
    decidedOn: string;
    recordedAt?: string;
    by?: string | 'pupil';
    periodFromDate?: string;
  },
): RecordForCheck {
  const period = periodFor(settings, r.periodFromDate ?? r.decidedOn);
  seq += 1;
  const pupil = r.by === 'pupil';
  return {
    id: `rec-${seq}`,
    periodKey: period.key,
    validFrom: period.validFrom,
    validUntil: period.validUntil,
    deciderKind: pupil ? 'pupil' : 'parent',
    deciderParentId: pupil ? null : (r.by ?? MUM),
    ...(pupil ? {} : { deciderName: (r.by ?? MUM) === MUM ? 'Mary Smith' : 'David Smith' }),
    decisions: r.decisions,
    method: 'paper_form',
    decidedOn: r.decidedOn,
    recordedAt: new Date(r.recordedAt ?? `${r.decidedOn}T12:00:00Z`),
  };
}

function facts(
  records: RecordForCheck[],
  options: { pr?: string[]; competent?: boolean } = {},
): PupilConsentFacts {
  return {
    pupilId: 'pupil-1',
    parentalResponsibility: new Set(options.pr ?? [MUM, DAD]),
    competent: options.competent ?? false,
    records,
  };
}

function ask(
  settings: PolicySettings,
  f: PupilConsentFacts,
  q: Partial<Omit<ConsentQuestion, 'at'>> & { at: string },
) {
  return decide(settings, f, {
    purpose: q.purpose ?? 'school_social_media',
    mediaType: q.mediaType ?? 'image',
    named: q.named ?? false,
    at: new Date(q.at),
  });
}

const cite = (settings: PolicySettings, rule: keyof PolicySettings['consent']) =>
  formatCitation(settings.consent[rule].citation);

const SOCIAL_IMAGE = 'school_social_media/image';
const SOCIAL_VIDEO = 'school_social_media/video';
const SOCIAL_NAME = 'school_social_media/name';

describe('the templates the tests rely on', () => {
  it('003 asks yearly, 004 at admission, with the keys each profile’s form asks', () => {
    expect(annual.consent.model.value).toBe('annual');
    expect(admission.consent.model.value).toBe('admission');
    expect(consentKeysFor(annual)).toEqual([SOCIAL_IMAGE, SOCIAL_VIDEO, SOCIAL_NAME]);
    // Naming is asked only for purposes seen outside the school.
    expect(consentKeysFor(admission)).toEqual([
      'classroom_display/image',
      'classroom_display/video',
      'class_photograph/image',
      'class_photograph/video',
      'school_publications/image',
      'school_publications/video',
      'school_publications/name',
      'local_newspapers/image',
      'local_newspapers/video',
      'local_newspapers/name',
      'school_website/image',
      'school_website/video',
      'school_website/name',
    ]);
  });
});

describe('no consent without a record (003 §4, "no record = no consent")', () => {
  it('no record at all is not allowed, with the reason and the clause', () => {
    const a = ask(annual, facts([]), { at: '2026-10-01T12:00:00Z' });
    expect(a).toMatchObject({
      pupilId: 'pupil-1',
      allowed: false,
      outcome: 'none',
      recordIds: [],
      rule: 'consent.model',
      citation: '003 §4.1',
    });
    expect(a.reason).toMatch(/no record means no consent/);
  });

  it('a form marked "not returned" is never consent', () => {
    const r = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'not_returned', [SOCIAL_VIDEO]: 'not_returned' },
      decidedOn: '2026-09-20',
    });
    const a = ask(annual, facts([r]), { at: '2026-10-01T12:00:00Z' });
    expect(a).toMatchObject({ allowed: false, outcome: 'not_returned', recordIds: [r.id] });
    expect(a.reason).toMatch(/not returned/);
  });

  it('a record about other keys says nothing about this one', () => {
    const r = record(annual, { decisions: { [SOCIAL_VIDEO]: 'granted' }, decidedOn: '2026-09-20' });
    expect(ask(annual, facts([r]), { at: '2026-10-01T12:00:00Z' }).outcome).toBe('none');
  });
});

describe('a granted record', () => {
  it('allows, naming the record, the decider, the date and the clause', () => {
    const r = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted', [SOCIAL_VIDEO]: 'granted' },
      decidedOn: '2026-09-10',
    });
    const a = ask(annual, facts([r]), { at: '2026-10-01T12:00:00Z' });
    expect(a).toMatchObject({
      allowed: true,
      outcome: 'granted',
      recordIds: [r.id],
      purpose: 'school_social_media',
      mediaType: 'image',
      named: false,
      citation: cite(annual, 'purposes'),
    });
    expect(a.citation).toBe('003 §4.1');
    expect(a.reason).toContain('Mary Smith agreed to photos for school social media accounts');
    expect(a.reason).toContain('10 September 2026');
    expect(a.reason).toContain('2026-27');
  });

  it('under the admission model lasts until changed, years later', () => {
    const r = record(admission, {
      decisions: { 'school_website/image': 'granted' },
      decidedOn: '2021-09-06',
    });
    const a = ask(admission, facts([r]), {
      purpose: 'school_website',
      at: '2026-11-22T10:00:00Z',
    });
    expect(a).toMatchObject({ allowed: true, outcome: 'granted', recordIds: [r.id] });
    expect(a.reason).toContain('until changed');
  });
});

describe('expiry: a yearly consent ends with its academic year (003 §4.1)', () => {
  const lastYear = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'granted' },
    decidedOn: '2025-09-10',
  });

  it('is allowed during the year and not after it ends, with an "expired" explanation', () => {
    expect(ask(annual, facts([lastYear]), { at: '2026-07-20T12:00:00Z' }).allowed).toBe(true);
    const a = ask(annual, facts([lastYear]), { at: '2026-09-15T12:00:00Z' });
    expect(a).toMatchObject({
      allowed: false,
      outcome: 'expired',
      recordIds: [lastYear.id],
      rule: 'consent.model',
      citation: '003 §4.1',
    });
    expect(a.reason).toMatch(/Consent for 2025-26 ended on 1 September 2026/);
  });

  it('a form for the new year replaces the expired one', () => {
    const thisYear = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'refused' },
      decidedOn: '2026-09-12',
    });
    const a = ask(annual, facts([lastYear, thisYear]), { at: '2026-09-15T12:00:00Z' });
    expect(a).toMatchObject({ allowed: false, outcome: 'refused', recordIds: [thisYear.id] });
  });

  it('a form recorded early for next year does not count until that year starts', () => {
    const next = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-07-01',
      periodFromDate: '2026-09-01',
    });
    expect(next.periodKey).toBe('2026-27');
    expect(ask(annual, facts([next]), { at: '2026-07-15T12:00:00Z' }).outcome).toBe('none');
    expect(ask(annual, facts([next]), { at: '2026-09-02T12:00:00Z' }).allowed).toBe(true);
  });

  it('admission consent never expires by date', () => {
    const r = record(admission, {
      decisions: { 'classroom_display/image': 'granted' },
      decidedOn: '2019-09-04',
    });
    expect(r.validUntil).toBeNull();
    expect(
      ask(admission, facts([r]), { purpose: 'classroom_display', at: '2030-01-01T12:00:00Z' })
        .allowed,
    ).toBe(true);
  });
});

describe('withdrawal and amendment are not retroactive (003 §4.6)', () => {
  const form = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'granted', [SOCIAL_VIDEO]: 'granted' },
    decidedOn: '2026-09-10',
  });
  const withdrawal = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'refused' },
    decidedOn: '2027-01-14',
    recordedAt: '2027-01-15T09:30:00Z',
  });

  it('a later withdrawal does not count for a moment before it was recorded', () => {
    const f = facts([form, withdrawal]);
    expect(ask(annual, f, { at: '2026-12-01T12:00:00Z' })).toMatchObject({
      allowed: true,
      recordIds: [form.id],
    });
    // Dated the 14th but recorded on the 15th: the register did not know it on the 14th.
    expect(ask(annual, f, { at: '2027-01-14T18:00:00Z' }).allowed).toBe(true);
    expect(ask(annual, f, { at: '2027-01-15T09:29:59Z' }).allowed).toBe(true);
    const after = ask(annual, f, { at: '2027-01-15T09:30:00Z' });
    expect(after).toMatchObject({ allowed: false, outcome: 'refused', recordIds: [withdrawal.id] });
  });

  it('a withdrawal of photos leaves the video answer of the earlier form standing', () => {
    const f = facts([form, withdrawal]);
    expect(ask(annual, f, { mediaType: 'video', at: '2027-02-01T12:00:00Z' })).toMatchObject({
      allowed: true,
      recordIds: [form.id],
    });
  });

  it('an admission consent dated after the moment asked about does not count', () => {
    const r = record(admission, {
      decisions: { 'school_website/image': 'granted' },
      decidedOn: '2026-11-20',
      recordedAt: '2026-11-01T12:00:00Z',
    });
    // In force from the date on the form, not from when it was typed in.
    expect(
      ask(admission, facts([r]), { purpose: 'school_website', at: '2026-11-10T12:00:00Z' }).allowed,
    ).toBe(false);
    expect(
      ask(admission, facts([r]), { purpose: 'school_website', at: '2026-11-21T12:00:00Z' }).allowed,
    ).toBe(true);
  });
});

describe('two people with parental responsibility', () => {
  const mum = record(annual, { decisions: { [SOCIAL_IMAGE]: 'granted' }, decidedOn: '2026-09-10' });
  const dad = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'refused' },
    decidedOn: '2026-09-08',
    by: DAD,
  });

  it('when they disagree, the refusal wins, whoever answered last', () => {
    const a = ask(annual, facts([mum, dad]), { at: '2026-10-01T12:00:00Z' });
    expect(a).toMatchObject({
      allowed: false,
      outcome: 'refused',
      rule: 'consent.refusalWinsWhenParentsDisagree',
      citation: cite(annual, 'refusalWinsWhenParentsDisagree'),
    });
    expect(new Set(a.recordIds)).toEqual(new Set([mum.id, dad.id]));
    expect(a.reason).toMatch(/Parents disagree: David Smith refused .* while Mary Smith agreed/);
  });

  it('when both agree, it is allowed', () => {
    const dadYes = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-09-08',
      by: DAD,
    });
    expect(ask(annual, facts([mum, dadYes]), { at: '2026-10-01T12:00:00Z' }).allowed).toBe(true);
  });

  it('one parent’s later change replaces only their own earlier answer', () => {
    const dadChangesMind = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-10-05',
      by: DAD,
    });
    const f = facts([mum, dad, dadChangesMind]);
    expect(ask(annual, f, { at: '2026-10-01T12:00:00Z' }).allowed).toBe(false);
    expect(ask(annual, f, { at: '2026-10-06T12:00:00Z' }).allowed).toBe(true);
  });

  it('with the policy flag off, the latest decision is followed instead', () => {
    const latestWins = structuredClone(annual);
    latestWins.consent.refusalWinsWhenParentsDisagree.value = false;
    // Mum (granted, 10 Sept) answered after Dad (refused, 8 Sept).
    const a = ask(latestWins, facts([mum, dad]), { at: '2026-10-01T12:00:00Z' });
    expect(a).toMatchObject({ allowed: true, outcome: 'granted' });
    const dadLater = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'refused' },
      decidedOn: '2026-09-20',
      by: DAD,
    });
    const b = ask(latestWins, facts([mum, dadLater]), { at: '2026-10-01T12:00:00Z' });
    expect(b).toMatchObject({
      allowed: false,
      outcome: 'refused',
      rule: 'consent.refusalWinsWhenParentsDisagree',
    });
    expect(b.reason).toMatch(/the latest decision is followed/);
  });

  it('a parent or carer without parental responsibility is ignored', () => {
    const step = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-09-10',
      by: STEP,
    });
    expect(ask(annual, facts([step]), { at: '2026-10-01T12:00:00Z' }).outcome).toBe('none');
    // Nor can they veto.
    const stepNo = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'refused' },
      decidedOn: '2026-09-12',
      by: STEP,
    });
    expect(ask(annual, facts([mum, stepNo]), { at: '2026-10-01T12:00:00Z' })).toMatchObject({
      allowed: true,
      recordIds: [mum.id],
    });
    // Someone who has lost parental responsibility no longer counts either.
    expect(
      ask(annual, facts([mum, dad], { pr: [MUM] }), { at: '2026-10-01T12:00:00Z' }).allowed,
    ).toBe(true);
  });
});

describe('a pupil assessed as competent (003 §4.3)', () => {
  const parentYes = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'granted' },
    decidedOn: '2026-09-10',
  });
  const pupilNo = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'refused' },
    decidedOn: '2026-09-15',
    by: 'pupil',
  });

  it('decides for themself when the profile allows it and they are assessed competent', () => {
    const a = ask(annual, facts([parentYes, pupilNo], { competent: true }), {
      at: '2026-10-01T12:00:00Z',
    });
    expect(a).toMatchObject({
      allowed: false,
      outcome: 'refused',
      recordIds: [pupilNo.id],
      rule: 'consent.competentPupilMayConsent',
      citation: '003 §4.3',
    });
    expect(a.reason).toMatch(/assessed as competent, refused/);
    const pupilYes = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-09-15',
      by: 'pupil',
    });
    expect(
      ask(annual, facts([pupilYes], { competent: true }), { at: '2026-10-01T12:00:00Z' }),
    ).toMatchObject({ allowed: true, outcome: 'granted', recordIds: [pupilYes.id] });
  });

  it('does not decide when not assessed competent: the parents do', () => {
    const a = ask(annual, facts([parentYes, pupilNo], { competent: false }), {
      at: '2026-10-01T12:00:00Z',
    });
    expect(a).toMatchObject({ allowed: true, recordIds: [parentYes.id] });
    const onlyPupil = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-09-15',
      by: 'pupil',
    });
    expect(
      ask(annual, facts([onlyPupil], { competent: false }), { at: '2026-10-01T12:00:00Z' }).allowed,
    ).toBe(false);
  });

  it('does not decide where the profile does not let pupils consent (004), even if competent', () => {
    const pupilYes = record(admission, {
      decisions: { 'school_website/image': 'granted' },
      decidedOn: '2026-09-15',
      by: 'pupil',
    });
    expect(admission.consent.competentPupilMayConsent.value).toBe(false);
    const a = ask(admission, facts([pupilYes], { competent: true }), {
      purpose: 'school_website',
      at: '2026-10-01T12:00:00Z',
    });
    expect(a).toMatchObject({ allowed: false, outcome: 'none' });
  });

  it('with no statement of their own, the parents’ answer stands', () => {
    expect(
      ask(annual, facts([parentYes], { competent: true }), { at: '2026-10-01T12:00:00Z' }).allowed,
    ).toBe(true);
  });
});

describe('media types (003 §4.5)', () => {
  const photosOnly = record(annual, {
    decisions: { [SOCIAL_IMAGE]: 'granted', [SOCIAL_VIDEO]: 'refused' },
    decidedOn: '2026-09-10',
  });

  it('photos yes, videos no', () => {
    const f = facts([photosOnly]);
    expect(ask(annual, f, { mediaType: 'image', at: '2026-10-01T12:00:00Z' }).allowed).toBe(true);
    const v = ask(annual, f, { mediaType: 'video', at: '2026-10-01T12:00:00Z' });
    expect(v).toMatchObject({ allowed: false, outcome: 'refused', mediaType: 'video' });
    expect(v.reason).toMatch(/refused videos for school social media accounts/);
  });

  it('a media type the profile does not ask about has no consent at all', () => {
    const photosOnlyProfile = structuredClone(annual);
    photosOnlyProfile.consent.mediaTypes.value = ['image'];
    const a = ask(photosOnlyProfile, facts([photosOnly]), {
      mediaType: 'video',
      at: '2026-10-01T12:00:00Z',
    });
    expect(a).toMatchObject({
      allowed: false,
      outcome: 'not_asked',
      rule: 'consent.mediaTypes',
      citation: cite(photosOnlyProfile, 'mediaTypes'),
      recordIds: [],
    });
    expect(a.reason).toMatch(/does not ask parents about videos/);
  });
});

describe('purposes come from the profile', () => {
  it('a purpose not in the profile is never allowed, whatever a record says', () => {
    const odd = record(annual, {
      decisions: { 'school_website/image': 'granted' },
      decidedOn: '2026-09-10',
    });
    const a = ask(annual, facts([odd]), { purpose: 'school_website', at: '2026-10-01T12:00:00Z' });
    expect(a).toMatchObject({
      allowed: false,
      outcome: 'not_asked',
      rule: 'consent.purposes',
      citation: '003 §4.1',
    });
    expect(a.reason).toContain('“school_website” is not one of the purposes');
  });

  it('each purpose has its own answer (004: displays yes, newspapers no)', () => {
    const r = record(admission, {
      decisions: {
        'classroom_display/image': 'granted',
        'local_newspapers/image': 'refused',
      },
      decidedOn: '2024-09-04',
    });
    const f = facts([r]);
    expect(
      ask(admission, f, { purpose: 'classroom_display', at: '2026-10-01T12:00:00Z' }).allowed,
    ).toBe(true);
    expect(
      ask(admission, f, { purpose: 'local_newspapers', at: '2026-10-01T12:00:00Z' }).outcome,
    ).toBe('refused');
    expect(
      ask(admission, f, { purpose: 'school_website', at: '2026-10-01T12:00:00Z' }).outcome,
    ).toBe('none');
  });
});

describe('naming a pupil with a photo needs its own written permission (004 D)', () => {
  const photoYes = record(admission, {
    decisions: { 'local_newspapers/image': 'granted' },
    decidedOn: '2024-09-04',
  });

  it('a granted photo without permission to name is not allowed when the name is printed', () => {
    const f = facts([photoYes]);
    expect(
      ask(admission, f, { purpose: 'local_newspapers', at: '2026-10-01T12:00:00Z' }).allowed,
    ).toBe(true);
    const named = ask(admission, f, {
      purpose: 'local_newspapers',
      named: true,
      at: '2026-10-01T12:00:00Z',
    });
    expect(named).toMatchObject({
      allowed: false,
      outcome: 'none',
      named: true,
      rule: 'consent.namedPhotoNeedsWrittenPermission',
      citation: '004 D',
    });
    expect(named.reason).toMatch(/naming the pupil needs its own written permission/);
  });

  it('allowed with both the photo and the name permission, citing both records', () => {
    const nameYes = record(admission, {
      decisions: { 'local_newspapers/name': 'granted' },
      decidedOn: '2026-03-02',
    });
    const a = ask(admission, facts([photoYes, nameYes]), {
      purpose: 'local_newspapers',
      named: true,
      at: '2026-10-01T12:00:00Z',
    });
    expect(a).toMatchObject({
      allowed: true,
      outcome: 'granted',
      citation: '004 D',
      rule: 'consent.namedPhotoNeedsWrittenPermission',
    });
    expect(new Set(a.recordIds)).toEqual(new Set([photoYes.id, nameYes.id]));
  });

  it('a refused name permission is followed; a name permission alone allows no photo', () => {
    const nameNo = record(admission, {
      decisions: { 'local_newspapers/name': 'refused' },
      decidedOn: '2026-03-02',
    });
    expect(
      ask(admission, facts([photoYes, nameNo]), {
        purpose: 'local_newspapers',
        named: true,
        at: '2026-10-01T12:00:00Z',
      }),
    ).toMatchObject({ allowed: false, outcome: 'refused', recordIds: [nameNo.id] });
    const nameOnly = record(admission, {
      decisions: { 'local_newspapers/name': 'granted' },
      decidedOn: '2026-03-02',
    });
    expect(
      ask(admission, facts([nameOnly]), {
        purpose: 'local_newspapers',
        named: true,
        at: '2026-10-01T12:00:00Z',
      }),
    ).toMatchObject({ allowed: false, outcome: 'none' });
  });

  it('internal purposes ask no separate naming question, so the photo consent decides', () => {
    const display = record(admission, {
      decisions: { 'classroom_display/image': 'granted' },
      decidedOn: '2024-09-04',
    });
    expect(consentKeysFor(admission)).not.toContain('classroom_display/name');
    const a = ask(admission, facts([display]), {
      purpose: 'classroom_display',
      named: true,
      at: '2026-10-01T12:00:00Z',
    });
    expect(a).toMatchObject({ allowed: true, named: true, recordIds: [display.id] });
  });

  it('where the profile does not require it, the photo consent is enough', () => {
    const relaxed = structuredClone(admission);
    relaxed.consent.namedPhotoNeedsWrittenPermission.value = false;
    expect(
      ask(relaxed, facts([photoYes]), {
        purpose: 'local_newspapers',
        named: true,
        at: '2026-10-01T12:00:00Z',
      }).allowed,
    ).toBe(true);
  });
});

describe('academic years in UK dates (1 September – 31 August, Europe/London)', () => {
  it('the year of a date, and the periods a form may be recorded for', () => {
    expect(academicYearOf(annual, '2026-08-31')).toMatchObject({
      key: '2025-26',
      validFrom: '2025-09-01',
      validUntil: '2026-09-01',
    });
    expect(academicYearOf(annual, '2026-09-01').key).toBe('2026-27');
    expect(academicYearOf(annual, '2027-01-01').key).toBe('2026-27');
    expect(academicYearOf(annual, '2099-12-31').key).toBe('2099-00');
    expect(recordablePeriods(annual, '2026-11-22').map((p) => p.key)).toEqual([
      '2026-27',
      '2027-28',
    ]);
    expect(recordablePeriods(admission, '2026-11-22')).toEqual([
      expect.objectContaining({ key: 'admission', validFrom: '2026-11-22', validUntil: null }),
    ]);
  });

  it('a yearly consent holds until midnight London time at the end of 31 August', () => {
    const r = record(annual, { decisions: { [SOCIAL_IMAGE]: 'granted' }, decidedOn: '2025-09-10' });
    const f = facts([r]);
    // 23:59:59 BST on 31 August is 22:59:59 UTC.
    expect(ask(annual, f, { at: '2026-08-31T22:59:59Z' }).allowed).toBe(true);
    const midnight = ask(annual, f, { at: '2026-08-31T23:00:00Z' });
    expect(midnight).toMatchObject({ allowed: false, outcome: 'expired' });
  });

  it('a form dated 31 August belongs to the old year, 1 September to the new one', () => {
    expect(periodFor(annual, '2026-08-31').key).toBe('2025-26');
    expect(periodFor(annual, '2026-09-01').key).toBe('2026-27');
    const newYear = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted' },
      decidedOn: '2026-09-01',
      recordedAt: '2026-08-31T23:30:00Z', // 00:30 BST on 1 September
    });
    expect(ask(annual, facts([newYear]), { at: '2026-08-31T23:45:00Z' }).allowed).toBe(true);
    expect(ask(annual, facts([newYear]), { at: '2026-08-31T22:45:00Z' }).allowed).toBe(false);
  });

  it('a school whose year starts on another day uses it', () => {
    const august = structuredClone(annual);
    august.consent.academicYearStart.value = { month: 8, day: 15 };
    expect(academicYearOf(august, '2026-08-14').key).toBe('2025-26');
    expect(academicYearOf(august, '2026-08-15')).toMatchObject({
      key: '2026-27',
      validFrom: '2026-08-15',
      validUntil: '2027-08-15',
    });
  });
});

describe('currentPosition: one answer per key the profile asks', () => {
  it('gives every purpose × kind, naming included, each with its clause', () => {
    const mum = record(annual, {
      decisions: { [SOCIAL_IMAGE]: 'granted', [SOCIAL_VIDEO]: 'refused', [SOCIAL_NAME]: 'granted' },
      decidedOn: '2026-09-10',
    });
    const pos = currentPosition(annual, facts([mum]), new Date('2026-10-01T12:00:00Z'));
    expect([...pos.keys()]).toEqual(consentKeysFor(annual));
    expect(pos.get(SOCIAL_IMAGE)).toMatchObject({ allowed: true, outcome: 'granted' });
    expect(pos.get(SOCIAL_VIDEO)).toMatchObject({ allowed: false, outcome: 'refused' });
    expect(pos.get(SOCIAL_NAME)).toMatchObject({
      allowed: true,
      named: true,
      mediaType: 'image',
      citation: cite(annual, 'namedPhotoNeedsWrittenPermission'),
    });
  });

  it('shows nothing allowed for a pupil with no records', () => {
    const pos = currentPosition(admission, facts([]), new Date('2026-10-01T12:00:00Z'));
    expect(pos.size).toBe(consentKeysFor(admission).length);
    for (const answer of pos.values()) {
      expect(answer.allowed).toBe(false);
      expect(answer.outcome).toBe('none');
    }
  });
});
