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
 * The school's windows, in days, from its profile (`training.newStarterDays`, `dueSoonDays`,
 * `dueAgainDays`): how long a new starter has for induction and training not yet done, how long
 * before its due date training shows as due soon, and how long a "due again" mark gives.
 */
export interface TrainingWindows {
  newStarterDays: number;
  dueSoonDays: number;
  dueAgainDays: number;
}

/** The windows a profile's `training` section sets. */
export function trainingWindows(training: PolicySettings['training']): TrainingWindows {
  return {
    newStarterDays: training.newStarterDays.value,
    dueSoonDays: training.dueSoonDays.value,
    dueAgainDays: training.dueAgainDays.value,
  };
}

export type TrainingState = 'done' | 'due_soon' | 'overdue' | 'not_required';

export const stateLabels: Record<TrainingState, { text: string; colour: string }> = {
  done: { text: 'Done', colour: 'green' },
  due_soon: { text: 'Due soon', colour: 'yellow' },
  overdue: { text: 'Overdue', colour: 'red' },
  not_required: { text: 'Not required', colour: 'grey' },
};

/** A "due again" mark as the status reads it. */
export interface DueAgainMark {
  reason: string;
  reference: string;
  markedOn: string;
}

export interface KindStatus {
  state: TrainingState;
  /** When it is (or was) due; null when done with nothing due, or not required. */
  dueOn: string | null;
  lastAttended: string | null;
  /** The reason for a "due again" mark that counts, if any. */
  dueAgain: DueAgainMark | null;
}

/**
 * One person's state for one kind of training.
 * - Not required by the profile: not required.
 * - A "due again" mark made after their last attendance: due `dueAgainDays` after the mark, or
 *   when it was due anyway if that is sooner (a mark never turns overdue into due soon).
 * - On joining: done once attended; otherwise due `newStarterDays` after they started.
 * - Termly, annual, biennial: due that long after the last attendance; never attended: due
 *   `newStarterDays` after they started while that is still ahead (a new starter), otherwise now.
 * - Due soon from `dueSoonDays` before the due date (a mark or a new starter: until then).
 */
export function kindStatus(input: {
  requirement: TrainingRequirement;
  lastAttended: string | null;
  dueAgain: DueAgainMark[];
  startDate: string | null;
  today: string;
  windows: TrainingWindows;
}): KindStatus {
  const { requirement, lastAttended, today, windows } = input;
  if (!requirement.required)
    return { state: 'not_required', dueOn: null, lastAttended, dueAgain: null };
  let open: DueAgainMark | undefined;
  for (const m of input.dueAgain) {
    // The earliest mark after the last attendance (the first of equals, as a stable sort would).
    if (
      (lastAttended === null || m.markedOn > lastAttended) &&
      (!open || m.markedOn < open.markedOn)
    )
      open = m;
  }
  const soon = plusDays(today, windows.dueSoonDays);
  const by = (dueOn: string): KindStatus => ({
    state: today > dueOn ? 'overdue' : soon >= dueOn ? 'due_soon' : 'done',
    dueOn,
    lastAttended,
    dueAgain: open ?? null,
  });
  const regular = ((): KindStatus => {
    if (requirement.frequency === 'on_joining') {
      if (lastAttended) return { state: 'done', dueOn: null, lastAttended, dueAgain: null };
      const due = by(plusDays(input.startDate ?? today, windows.newStarterDays));
      return due.state === 'done' ? { ...due, state: 'due_soon' } : due;
    }
    if (!lastAttended) {
      // A new starter gets the same first weeks as for induction; anyone else is overdue now.
      const joinedDue = input.startDate ? plusDays(input.startDate, windows.newStarterDays) : null;
      if (joinedDue && joinedDue >= today) return { ...by(joinedDue), state: 'due_soon' };
      return { ...by(today), state: 'overdue' };
    }
    return by(plusMonths(lastAttended, frequencyMonths[requirement.frequency]));
  })();
  if (!open) return regular;
  // A mark brings the due date forward, never back: someone already overdue (or due sooner
  // anyway) stays so, and only the mark's reason is added.
  if (regular.state !== 'done' && regular.dueOn !== null) {
    const markDue = plusDays(open.markedOn, windows.dueAgainDays);
    if (regular.dueOn <= markDue) return { ...regular, dueAgain: open };
  }
  const due = by(plusDays(open.markedOn, windows.dueAgainDays));
  return due.state === 'done' ? { ...due, state: 'due_soon' } : due;
}

/**
 * Date arithmetic remembered (`addDays`, `addMonths` build a Date and format it): a school's
 * dates repeat (every person at a session shares its date), so each (date, step) is worked out
 * once per process. Bounded: cleared when it holds DATE_MEMO entries.
 */
const DATE_MEMO = 20_000;
const daysMemo = new Map<string, string>();
const monthsMemo = new Map<string, string>();

function remembered(memo: Map<string, string>, key: string, work: () => string): string {
  let found = memo.get(key);
  if (found === undefined) {
    found = work();
    if (memo.size >= DATE_MEMO) memo.clear();
    memo.set(key, found);
  }
  return found;
}

const plusDays = (isoDate: string, days: number) =>
  remembered(daysMemo, `${isoDate}+${days}`, () => addDays(isoDate, days));
const plusMonths = (isoDate: string, months: number) =>
  remembered(monthsMemo, `${isoDate}+${months}`, () => addMonths(isoDate, months));

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
 *
 * A whole trust's staff at once (the compliance figures: ~15,000 states), so without per-person
 * work beyond the person's own object: the rows are grouped by kind and person once, and a state
 * that depends only on the kind and the last attendance (everyone without a due-again mark;
 * never attended: on their start date instead) is worked out once per school and shared,
 * frozen, by everyone with the same dates. The rules are `kindStatus`'s own: a shared state is
 * what `kindStatus` answered for the first person with those dates.
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
  const kinds = staffKinds;
  const index = new Map<string, number>(kinds.map((k, i) => [k, i]));
  const lastBy = kinds.map(() => new Map<string, string>());
  for (const l of latest) {
    const i = index.get(l.kind);
    if (i !== undefined) lastBy[i]!.set(l.personId, l.lastAttended);
  }
  const marksBy = kinds.map(() => new Map<string, DueAgainMark[]>());
  for (const m of marks) {
    const i = index.get(m.kind);
    if (i === undefined) continue;
    const mark = { reason: m.reason, reference: m.reference, markedOn: m.markedOn };
    const list = marksBy[i]!.get(m.staffId);
    if (list) list.push(mark);
    else marksBy[i]!.set(m.staffId, [mark]);
  }
  const requirements = kinds.map((k) => settings.sessions[k].value);
  const windows = trainingWindows(settings);
  const shared = kinds.map(() => new Map<string, KindStatus>());
  const out: PersonTraining[] = new Array(roster.length);
  for (let p = 0; p < roster.length; p++) {
    const s = roster[p]!;
    const states: Partial<Record<TrainingSessionKey, KindStatus>> = {};
    for (let i = 0; i < kinds.length; i++) {
      const lastAttended = lastBy[i]!.get(s.id) ?? null;
      const dueAgain = marksBy[i]!.get(s.id);
      if (dueAgain) {
        states[kinds[i]!] = kindStatus({
          requirement: requirements[i]!,
          lastAttended,
          dueAgain,
          startDate: s.startDate,
          today,
          windows,
        });
        continue;
      }
      // What the state depends on without a mark: the last attendance; with none, for induction
      // the start date (a new starter's window), otherwise nothing (due now).
      const key = lastAttended ?? `started ${s.startDate ?? 'unknown'}`;
      let state = shared[i]!.get(key);
      if (!state) {
        state = Object.freeze(
          kindStatus({
            requirement: requirements[i]!,
            lastAttended,
            dueAgain: [],
            startDate: s.startDate,
            today,
            windows,
          }),
        );
        shared[i]!.set(key, state);
      }
      states[kinds[i]!] = state;
    }
    out[p] = {
      staffId: s.id,
      name: `${s.givenName} ${s.familyName}`,
      email: s.email,
      roles: s.roles,
      startDate: s.startDate,
      acknowledgedCurrent: acknowledged.has(s.id),
      kinds: states,
    };
  }
  return out;
}
