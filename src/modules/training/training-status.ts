/**
 * The training calendar's pure rules: which audience each kind of training is for, when a
 * person's training of a kind is due, and the school term a date falls in. No database here;
 * `training-status.test.ts` is its table of cases.
 */
import {
  addDays,
  addMonths,
  ruleLabels,
  trainingSessionKeys,
  type TrainingRequirement,
  type TrainingSessionKey,
  type PolicySettings,
} from '../policies/index.ts';
import type { PersonTraining } from './training.service.ts';

export { trainingSessionKeys, type TrainingSessionKey };

export type Audience = 'staff' | 'pupils' | 'parents';

/** Who each kind of training in the profile (`training.sessions.*`) is for. */
export const kindAudience: Record<TrainingSessionKey, Audience> = {
  staff_induction: 'staff',
  staff_regular: 'staff',
  at_risk_identification: 'staff',
  pupils_esafety: 'pupils',
  parents_esafety: 'parents',
};

export const staffKinds = trainingSessionKeys.filter((k) => kindAudience[k] === 'staff');

/** The plain-English name of a kind: the profile rule's own label. */
export function kindLabel(kind: string): string {
  const path = `training.sessions.${kind}` as keyof typeof ruleLabels;
  return (ruleLabels as Record<string, string>)[path] ?? 'Training';
}

export const audienceLabels: Record<Audience, string> = {
  staff: 'Staff',
  pupils: 'A class of pupils',
  parents: 'Parents and carers',
};

/** How many months each frequency allows between sessions (on joining: once). */
const frequencyMonths = { termly: 4, annual: 12, biennial: 24 } as const;

/**
 * Lanyard's own window (not a school rule): training falls "due soon" this many days before its
 * due date, a new starter has this long to be inducted, and a "due again" mark this long to be
 * acted on. Documented in docs/training.md.
 */
export const DUE_SOON_DAYS = 30;

export type TrainingState = 'done' | 'due_soon' | 'overdue' | 'not_required';

export const stateLabels: Record<TrainingState, { text: string; colour: string }> = {
  done: { text: 'Done', colour: 'green' },
  due_soon: { text: 'Due soon', colour: 'yellow' },
  overdue: { text: 'Overdue', colour: 'red' },
  not_required: { text: 'Not required', colour: 'grey' },
};

export interface KindStatus {
  state: TrainingState;
  /** When it is (or was) due; null when done with nothing due, or not required. */
  dueOn: string | null;
  lastAttended: string | null;
  /** The reason for a "due again" mark that counts, if any. */
  dueAgain: { reason: string; reference: string; markedOn: string } | null;
}

/**
 * One person's state for one kind of training.
 * - Not required by the profile: not required.
 * - A "due again" mark made after their last attendance: due within DUE_SOON_DAYS of the mark.
 * - On joining: done once attended; otherwise due DUE_SOON_DAYS after they started.
 * - Termly, annual, biennial: due that long after the last attendance; never attended: due now.
 */
export function kindStatus(input: {
  requirement: TrainingRequirement;
  lastAttended: string | null;
  dueAgain: { reason: string; reference: string; markedOn: string }[];
  startDate: string | null;
  today: string;
}): KindStatus {
  const { requirement, lastAttended, today } = input;
  if (!requirement.required)
    return { state: 'not_required', dueOn: null, lastAttended, dueAgain: null };
  const open = input.dueAgain
    .filter((m) => lastAttended === null || m.markedOn > lastAttended)
    .sort((a, b) => a.markedOn.localeCompare(b.markedOn))[0];
  const by = (dueOn: string): KindStatus => ({
    state: today > dueOn ? 'overdue' : addDays(today, DUE_SOON_DAYS) >= dueOn ? 'due_soon' : 'done',
    dueOn,
    lastAttended,
    dueAgain: open ?? null,
  });
  if (open) {
    const due = by(addDays(open.markedOn, DUE_SOON_DAYS));
    return due.state === 'done' ? { ...due, state: 'due_soon' } : due;
  }
  if (requirement.frequency === 'on_joining') {
    if (lastAttended) return { state: 'done', dueOn: null, lastAttended, dueAgain: null };
    const due = by(addDays(input.startDate ?? today, DUE_SOON_DAYS));
    return due.state === 'done' ? { ...due, state: 'due_soon' } : due;
  }
  if (!lastAttended) return { ...by(today), state: 'overdue' };
  return by(addMonths(lastAttended, frequencyMonths[requirement.frequency]));
}

/** The school term a date falls in: autumn (September to December), spring, summer. */
export function termOf(isoDate: string): { key: string; label: string } {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  const term = m >= 9 ? 'autumn' : m >= 4 ? 'summer' : 'spring';
  const label = { autumn: 'Autumn', spring: 'Spring', summer: 'Summer' }[term];
  return { key: `${y}-${term}`, label: `${label} term ${y}` };
}

/** A roster row as training reads it (PeopleDirectory.staffRoster). */
export interface RosterRow {
  id: string;
  givenName: string;
  familyName: string;
  email: string;
  startDate: string | null;
  roles: string[];
}

/**
 * Each member of staff's state per staff kind, from the rows the status reads: their latest
 * attendance per kind, due-again marks and whether they acknowledged the current policy.
 */
export function staffTraining(
  roster: readonly RosterRow[],
  latest: readonly { personId: string; kind: string; lastAttended: string }[],
  marks: readonly {
    staffId: string;
    kind: string;
    reason: string;
    reference: string;
    markedOn: string;
  }[],
  acknowledged: Set<string>,
  settings: PolicySettings['training'],
  today: string,
): PersonTraining[] {
  const last = new Map(latest.map((l) => [`${l.personId}:${l.kind}`, l.lastAttended]));
  const marksBy = new Map<string, (typeof marks)[number][]>();
  for (const m of marks) {
    const key = `${m.staffId}:${m.kind}`;
    marksBy.set(key, [...(marksBy.get(key) ?? []), m]);
  }
  const kinds = staffKinds;
  return roster.map((s) => ({
    staffId: s.id,
    name: `${s.givenName} ${s.familyName}`,
    email: s.email,
    roles: s.roles,
    startDate: s.startDate,
    acknowledgedCurrent: acknowledged.has(s.id),
    kinds: Object.fromEntries(
      kinds.map((k) => [
        k,
        kindStatus({
          requirement: settings.sessions[k].value,
          lastAttended: last.get(`${s.id}:${k}`) ?? null,
          dueAgain: (marksBy.get(`${s.id}:${k}`) ?? []).map((m) => ({
            reason: m.reason,
            reference: m.reference,
            markedOn: m.markedOn,
          })),
          startDate: s.startDate,
          today,
        }),
      ]),
    ),
  }));
}
