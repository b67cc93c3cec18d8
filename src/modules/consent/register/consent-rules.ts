/**
 * The consent check (SPEC §3.2): may this pupil appear in this kind of media for this purpose,
 * at this moment? Pure functions over the records, so every rule is unit-tested and every answer
 * names the record and the clause behind it.
 *
 * The rules, in order:
 * 1. The purpose and the media type must be ones the school's policy asks consent for.
 * 2. Only records in force at `at` count: recorded by then, and for a period that covers it
 *    (a yearly consent ends when the academic year does — that is its expiry).
 * 3. A pupil assessed as competent, where the policy allows it, decides for themself.
 * 4. Otherwise each person with parental responsibility counts with their latest statement about
 *    the key. Where they disagree, refusal wins (or, if the policy says otherwise, the latest).
 * 5. No record, or "not returned", is never consent.
 * 6. Naming the pupil with the photo needs its own explicit permission (`consent.namedPhotoNeedsWrittenPermission`).
 * 0. Before all of these: a pupil under a "never publish" restriction (set by the people
 *    `people.publicationRestrictionSetters` names) may appear in nothing, whatever the consent;
 *    the answer says only "do not publish", never the reason.
 */
import { longDate, ukDate } from '../../../platform/clock.ts';
import {
  formatCitation,
  getRule,
  type MediaType,
  type PolicySettings,
  type RuleValue,
} from '../../policies/index.ts';

export const consentDecisions = ['granted', 'refused', 'not_returned'] as const;
export type ConsentDecision = (typeof consentDecisions)[number];

/** What a key is about: a photo, a video, or the pupil's name printed with a photo. */
export const consentKinds = ['image', 'video', 'name'] as const;
export type ConsentKind = (typeof consentKinds)[number];

export const consentMethods = ['paper_form', 'online_form', 'letter', 'email', 'import'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

export const consentMethodLabels: Record<ConsentMethod, string> = {
  paper_form: 'Paper form',
  online_form: 'Online form',
  letter: 'Letter',
  email: 'Email',
  import: 'Imported from a spreadsheet',
};

export const consentDecisionLabels: Record<ConsentDecision, string> = {
  granted: 'Yes',
  refused: 'No',
  not_returned: 'Not returned',
};

export const consentKindLabels: Record<ConsentKind, string> = {
  image: 'Photos',
  video: 'Videos',
  name: 'Name with a photo',
};

export function consentKey(purpose: string, kind: ConsentKind): string {
  return `${purpose}/${kind}`;
}

export function parseConsentKey(key: string): { purpose: string; kind: ConsentKind } | null {
  const slash = key.lastIndexOf('/');
  if (slash <= 0) return null;
  const kind = key.slice(slash + 1);
  if (!(consentKinds as readonly string[]).includes(kind)) return null;
  return { purpose: key.slice(0, slash), kind: kind as ConsentKind };
}

export interface ConsentPeriod {
  /** '2026-27' or 'admission'. */
  key: string;
  label: string;
  validFrom: string;
  /** Exclusive; null when consent lasts until changed. */
  validUntil: string | null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The academic year (by the profile's start day) containing a UK date, e.g. '2026-27'. */
export function academicYearOf(settings: PolicySettings, date: string): ConsentPeriod {
  const { month, day } = settings.consent.academicYearStart.value;
  const start = `${pad(month)}-${pad(day)}`;
  const year = Number(date.slice(0, 4));
  const first = date.slice(5) >= start ? year : year - 1;
  return academicYear(settings, first);
}

/** The academic year starting in `firstYear`. */
export function academicYear(settings: PolicySettings, firstYear: number): ConsentPeriod {
  const { month, day } = settings.consent.academicYearStart.value;
  const start = `${pad(month)}-${pad(day)}`;
  const key = `${firstYear}-${String((firstYear + 1) % 100).padStart(2, '0')}`;
  return {
    key,
    label: `${firstYear} to ${firstYear + 1} school year`,
    validFrom: `${firstYear}-${start}`,
    validUntil: `${firstYear + 1}-${start}`,
  };
}

/**
 * The period a decision made on `decidedOn` belongs to under the profile's consent model:
 * the academic year or from then until changed (`consent.model`).
 */
export function periodFor(settings: PolicySettings, decidedOn: string): ConsentPeriod {
  if (settings.consent.model.value === 'annual') return academicYearOf(settings, decidedOn);
  return {
    key: 'admission',
    label: 'From admission until changed',
    validFrom: decidedOn,
    validUntil: null,
  };
}

/** The periods a form may be recorded for on `today`: the current one and, for yearly consent, the next. */
export function recordablePeriods(settings: PolicySettings, today: string): ConsentPeriod[] {
  const current = periodFor(settings, today);
  if (settings.consent.model.value !== 'annual') return [current];
  return [current, academicYear(settings, Number(current.key.slice(0, 4)) + 1)];
}

/** Every key the school's profile asks about: purpose × media type, plus naming for external purposes. */
export function consentKeysFor(settings: PolicySettings): string[] {
  const keys: string[] = [];
  for (const purpose of settings.consent.purposes.value) {
    for (const media of settings.consent.mediaTypes.value)
      keys.push(consentKey(purpose.key, media));
    if (settings.consent.namedPhotoNeedsWrittenPermission.value && purpose.external) {
      keys.push(consentKey(purpose.key, 'name'));
    }
  }
  return keys;
}

/** A record as the check needs it. */
export interface RecordForCheck {
  id: string;
  periodKey: string;
  validFrom: string;
  validUntil: string | null;
  deciderKind: 'parent' | 'pupil';
  deciderParentId: string | null;
  deciderName?: string;
  decisions: Record<string, string>;
  method: string;
  decidedOn: string;
  recordedAt: Date;
}

export interface PupilConsentFacts {
  pupilId: string;
  /** Parents and carers who hold parental responsibility now. */
  parentalResponsibility: ReadonlySet<string>;
  /** The latest competence assessment, if any. */
  competent: boolean;
  /** Under a "never publish" restriction (the latest restriction record by then). */
  restricted?: boolean;
  records: readonly RecordForCheck[];
}

export interface ConsentQuestion {
  purpose: string;
  mediaType: MediaType;
  /** The pupil's name would be printed with the photo or video. */
  named?: boolean;
  at: Date;
}

export interface ConsentAnswer {
  pupilId: string;
  purpose: string;
  mediaType: MediaType;
  named: boolean;
  allowed: boolean;
  /** granted | refused | not_returned | none | expired | not_asked | restricted */
  outcome: ConsentDecision | 'none' | 'expired' | 'not_asked' | 'restricted';
  /** A "never publish" restriction decides the answer (its reason is never in `reason`). */
  neverPublish?: boolean;
  /** One plain-English sentence, shown to staff beside the check. */
  reason: string;
  /** The records the answer rests on (latest first). */
  recordIds: string[];
  /** The profile rule behind the deciding step, as the clause (seed and section) or 'Lanyard default'. */
  citation: string;
  rule: string;
}

/**
 * How far back the check looks: records that ended 730 days or more before the day asked about
 * cannot change an answer (they only explain last year's expiry), so neither the facts statements
 * nor the register cache read them. Returns the exclusive lower bound for `valid_until`.
 */
export const CHECK_WINDOW_DAYS = 730;
export function checkWindowStart(atDate: string): string {
  const t = Date.parse(`${atDate}T00:00:00Z`) - CHECK_WINDOW_DAYS * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

const fmtDate = longDate;

function inForce(r: RecordForCheck, at: Date, atDate: string): boolean {
  return (
    r.recordedAt.getTime() <= at.getTime() &&
    r.validFrom <= atDate &&
    (r.validUntil === null || atDate < r.validUntil)
  );
}

function decider(r: RecordForCheck): string {
  if (r.deciderKind === 'pupil') return 'the pupil';
  return r.deciderName ?? 'a parent';
}

interface KeyVerdict {
  allowed: boolean;
  outcome: ConsentAnswer['outcome'];
  reason: string;
  recordIds: string[];
  rule: string;
}

/** The latest in-force statement about `key` by each decider. */
function latestByDecider(
  facts: PupilConsentFacts,
  key: string,
  at: Date,
  atDate: string,
): { pupil: RecordForCheck | null; parents: RecordForCheck[] } {
  let pupil: RecordForCheck | null = null;
  const byParent = new Map<string, RecordForCheck>();
  for (const r of facts.records) {
    if (!(key in r.decisions) || !inForce(r, at, atDate)) continue;
    if (r.deciderKind === 'pupil') {
      if (!pupil || r.recordedAt > pupil.recordedAt) pupil = r;
    } else if (r.deciderParentId && facts.parentalResponsibility.has(r.deciderParentId)) {
      const prev = byParent.get(r.deciderParentId);
      if (!prev || r.recordedAt > prev.recordedAt) byParent.set(r.deciderParentId, r);
    }
  }
  return { pupil, parents: [...byParent.values()] };
}

function verdictForKey(
  settings: PolicySettings,
  facts: PupilConsentFacts,
  key: string,
  what: string,
  at: Date,
  atDate: string,
): KeyVerdict {
  const { pupil, parents } = latestByDecider(facts, key, at, atDate);

  if (pupil && facts.competent && settings.consent.competentPupilMayConsent.value) {
    const d = pupil.decisions[key];
    return {
      allowed: d === 'granted',
      outcome: (d as ConsentDecision) ?? 'none',
      reason:
        d === 'granted'
          ? `The pupil, assessed as competent, agreed to ${what} on ${fmtDate(pupil.decidedOn)}.`
          : d === 'refused'
            ? `The pupil, assessed as competent, refused ${what} on ${fmtDate(pupil.decidedOn)}.`
            : `The pupil's own form about ${what} was not returned.`,
      recordIds: [pupil.id],
      rule: 'consent.competentPupilMayConsent',
    };
  }

  if (parents.length === 0) {
    const earlier = facts.records
      .filter((r) => key in r.decisions && r.validUntil !== null && r.validUntil <= atDate)
      .sort((a, b) => (a.validUntil! < b.validUntil! ? 1 : -1))[0];
    if (earlier) {
      return {
        allowed: false,
        outcome: 'expired',
        reason: `Consent for ${earlier.periodKey} ended on ${fmtDate(earlier.validUntil!)} and no form has been returned for this year, so there is no consent to ${what}.`,
        recordIds: [earlier.id],
        rule: 'consent.model',
      };
    }
    return {
      allowed: false,
      outcome: 'none',
      reason: `No consent to ${what} is recorded, and no record means no consent.`,
      recordIds: [],
      rule: 'consent.model',
    };
  }

  parents.sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime());
  const refusals = parents.filter((r) => r.decisions[key] === 'refused');
  const grants = parents.filter((r) => r.decisions[key] === 'granted');
  const refusalWins = settings.consent.refusalWinsWhenParentsDisagree.value;

  if (refusalWins && refusals.length > 0) {
    const r = refusals[0]!;
    const disagree = grants.length > 0;
    return {
      allowed: false,
      outcome: 'refused',
      reason: disagree
        ? `Parents disagree: ${decider(r)} refused ${what} on ${fmtDate(r.decidedOn)} while ${decider(grants[0]!)} agreed; the refusal is followed.`
        : `${capitalise(decider(r))} refused ${what} on ${fmtDate(r.decidedOn)}.`,
      recordIds: parents.map((p) => p.id),
      rule: disagree ? 'consent.refusalWinsWhenParentsDisagree' : 'consent.purposes',
    };
  }
  const deciding = refusalWins ? grants[0] : parents[0];
  if (deciding && deciding.decisions[key] === 'granted') {
    return {
      allowed: true,
      outcome: 'granted',
      reason: `${capitalise(decider(deciding))} agreed to ${what} on ${fmtDate(deciding.decidedOn)} (${deciding.periodKey === 'admission' ? 'until changed' : deciding.periodKey}).`,
      recordIds: parents.map((p) => p.id),
      rule: 'consent.purposes',
    };
  }
  if (deciding && deciding.decisions[key] === 'refused') {
    return {
      allowed: false,
      outcome: 'refused',
      reason: `${capitalise(decider(deciding))} refused ${what} on ${fmtDate(deciding.decidedOn)}; the latest decision is followed.`,
      recordIds: parents.map((p) => p.id),
      rule: 'consent.refusalWinsWhenParentsDisagree',
    };
  }
  return {
    allowed: false,
    outcome: 'not_returned',
    reason: `The consent form about ${what} was not returned, and a form not returned is never consent.`,
    recordIds: parents.map((p) => p.id),
    rule: 'consent.model',
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const mediaWords: Record<ConsentKind, string> = {
  image: 'photos',
  video: 'videos',
  name: 'being named with a photo',
};

/** The rule behind a "never publish" answer: who may set the restriction. */
const RESTRICTION_RULE = 'people.publicationRestrictionSetters';

/** The answer for a pupil under a "never publish" restriction: no reason beyond that. */
function restrictedVerdict(): KeyVerdict & { neverPublish: true } {
  return {
    allowed: false,
    outcome: 'restricted',
    reason:
      'Do not publish: the school has restricted publishing this pupil, whatever the consent.',
    recordIds: [],
    rule: RESTRICTION_RULE,
    neverPublish: true,
  };
}

/** The consent check for one pupil: allowed or not, with the reason, the records and the clause. */
export function decide(
  settings: PolicySettings,
  facts: PupilConsentFacts,
  q: ConsentQuestion,
): ConsentAnswer {
  const named = q.named === true;
  const base = { pupilId: facts.pupilId, purpose: q.purpose, mediaType: q.mediaType, named };
  const cite = (rule: string) =>
    formatCitation((getRule(settings, rule as 'consent.model') as RuleValue<unknown>).citation);

  if (facts.restricted) {
    return { ...base, ...restrictedVerdict(), citation: cite(RESTRICTION_RULE) };
  }
  const purpose = settings.consent.purposes.value.find((p) => p.key === q.purpose);
  if (!purpose) {
    return {
      ...base,
      allowed: false,
      outcome: 'not_asked',
      reason: `“${q.purpose}” is not one of the purposes in the school’s policy, so there can be no consent for it.`,
      recordIds: [],
      rule: 'consent.purposes',
      citation: cite('consent.purposes'),
    };
  }
  if (!settings.consent.mediaTypes.value.includes(q.mediaType)) {
    return {
      ...base,
      allowed: false,
      outcome: 'not_asked',
      reason: `The school’s policy does not ask parents about ${mediaWords[q.mediaType]}, so there is no consent for them.`,
      recordIds: [],
      rule: 'consent.mediaTypes',
      citation: cite('consent.mediaTypes'),
    };
  }

  const atDate = ukDate(q.at);
  const label = purpose.label.charAt(0).toLowerCase() + purpose.label.slice(1);
  const media = verdictForKey(
    settings,
    facts,
    consentKey(q.purpose, q.mediaType),
    `${mediaWords[q.mediaType]} for ${label}`,
    q.at,
    atDate,
  );
  // The naming question is asked only for purposes seen outside the school (consentKeysFor), so
  // only those need it: asking an internal purpose for a permission no form can give would make a
  // named classroom display impossible.
  if (
    !media.allowed ||
    !named ||
    !settings.consent.namedPhotoNeedsWrittenPermission.value ||
    !purpose.external
  ) {
    return { ...base, ...media, citation: cite(media.rule) };
  }
  const name = verdictForKey(
    settings,
    facts,
    consentKey(q.purpose, 'name'),
    `being named with a photo for ${label}`,
    q.at,
    atDate,
  );
  if (name.allowed) {
    return {
      ...base,
      ...media,
      reason: `${media.reason} ${name.reason}`,
      recordIds: [...new Set([...media.recordIds, ...name.recordIds])],
      citation: cite('consent.namedPhotoNeedsWrittenPermission'),
      rule: 'consent.namedPhotoNeedsWrittenPermission',
    };
  }
  return {
    ...base,
    allowed: false,
    outcome: name.outcome,
    reason: `${media.reason} But naming the pupil needs its own written permission: ${name.reason.charAt(0).toLowerCase()}${name.reason.slice(1)}`,
    recordIds: name.recordIds,
    rule: 'consent.namedPhotoNeedsWrittenPermission',
    citation: cite('consent.namedPhotoNeedsWrittenPermission'),
  };
}

/**
 * The current decision per key for one pupil, as the class matrix and the parent's summary show
 * it: one answer per purpose × kind the profile asks about.
 */
export function currentPosition(
  settings: PolicySettings,
  facts: PupilConsentFacts,
  at: Date,
): Map<string, ConsentAnswer> {
  const out = new Map<string, ConsentAnswer>();
  for (const key of consentKeysFor(settings)) {
    const parsed = parseConsentKey(key)!;
    if (parsed.kind === 'name' && facts.restricted) {
      out.set(key, {
        pupilId: facts.pupilId,
        purpose: parsed.purpose,
        mediaType: 'image',
        named: true,
        ...restrictedVerdict(),
        citation: formatCitation(settings.people.publicationRestrictionSetters.citation),
      });
    } else if (parsed.kind === 'name') {
      const atDate = ukDate(at);
      const purpose = settings.consent.purposes.value.find((p) => p.key === parsed.purpose)!;
      const v = verdictForKey(
        settings,
        facts,
        key,
        `being named with a photo for ${purpose.label.toLowerCase()}`,
        at,
        atDate,
      );
      out.set(key, {
        pupilId: facts.pupilId,
        purpose: parsed.purpose,
        mediaType: 'image',
        named: true,
        ...v,
        citation: formatCitation(settings.consent.namedPhotoNeedsWrittenPermission.citation),
      });
    } else {
      out.set(
        key,
        decide(settings, facts, { purpose: parsed.purpose, mediaType: parsed.kind, at }),
      );
    }
  }
  return out;
}
