/**
 * The compliance view's section on pupils and parents, pure: each class's termly e-safety lesson
 * (done this term, due while the term is not over, overdue when the term before had no lesson
 * and this term's is not done yet either) and the parents' annual e-safety meeting this school
 * year (held or not, when, and how many bookings and parents and carers attended: counts, never
 * a name). Only the kinds the school's profile requires (`training.sessions.pupils_esafety`,
 * `parents_esafety`). The terms are training's own (`termOf`). No database here;
 * `pupils-parents-view.test.ts` is its table of cases.
 */
import { ukDate } from '../../platform/clock.ts';
import type { PolicySettings } from '../policies/index.ts';
import { kindLabel, termOf } from '../training/index.ts';

export type ClassLessonState = 'done' | 'due' | 'overdue';

export const classLessonStates: Record<ClassLessonState, { text: string; colour: string }> = {
  done: { text: 'Done', colour: 'green' },
  due: { text: 'Due this term', colour: 'yellow' },
  overdue: { text: 'Overdue', colour: 'red' },
};

/** What the section is built from (`pupilsAndParentsForSchools` in training's index.ts). */
export interface PupilsParentsInput {
  /** Classes with pupils on roll today. */
  classes: readonly { className: string; pupils: number }[];
  /** Class lessons recorded for this term and the term before (others are ignored). */
  lessons: readonly { className: string; termKey: string; taughtOn: string }[];
  /** Parents' e-safety sessions this school year, not cancelled, with their figures. */
  meetings: readonly { startsAt: Date; bookings: number; places: number; attended: number }[];
}

export interface ClassLine {
  className: string;
  pupils: number;
  state: ClassLessonState;
  /** This term's lesson, if taught. */
  taughtOn: string | null;
  /** The term before's lesson, if taught. */
  previousTaughtOn: string | null;
}

export interface PupilsLessons {
  label: string;
  term: { key: string; label: string };
  previousTerm: { key: string; label: string };
  classes: ClassLine[];
  counts: Record<ClassLessonState, number>;
}

export interface ParentsMeeting {
  label: string;
  /** The school year, from 1 September (UK date) to 31 August, in words by the page. */
  yearFrom: string;
  yearTo: string;
  held: boolean;
  /** The latest meeting held this school year. */
  heldOn: string | null;
  /** The next meeting planned this school year, if any. */
  nextOn: string | null;
  /** Over the meetings held this school year (or, when none was held, the next one's bookings). */
  bookings: number;
  places: number;
  attended: number;
}

export interface PupilsAndParents {
  pupils: PupilsLessons | null;
  parents: ParentsMeeting | null;
}

/** The term before the one `today` falls in (termOf of the day before this term began). */
export function previousTerm(today: string): { key: string; label: string } {
  const y = Number(today.slice(0, 4));
  const term = termOf(today).key.split('-')[1];
  const dayBefore =
    term === 'autumn' ? `${y}-08-31` : term === 'summer' ? `${y}-03-31` : `${y - 1}-12-31`;
  return termOf(dayBefore);
}

/** The school year `today` falls in: 1 September to 31 August (UK dates; `before`: the day after). */
export function schoolYear(today: string): { from: string; to: string; before: string } {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const start = m >= 9 ? y : y - 1;
  return { from: `${start}-09-01`, to: `${start + 1}-08-31`, before: `${start + 1}-09-01` };
}

export function buildPupilsAndParents(
  input: PupilsParentsInput,
  sessions: PolicySettings['training']['sessions'],
  today: string,
  now: Date,
): PupilsAndParents {
  return {
    pupils: sessions.pupils_esafety.value.required ? pupilsLessons(input, today) : null,
    parents: sessions.parents_esafety.value.required ? parentsMeeting(input, today, now) : null,
  };
}

function pupilsLessons(input: PupilsParentsInput, today: string): PupilsLessons {
  const term = termOf(today);
  const before = previousTerm(today);
  const taught = new Map<string, string>();
  for (const l of input.lessons) taught.set(`${l.termKey}\n${l.className}`, l.taughtOn);
  const counts: Record<ClassLessonState, number> = { done: 0, due: 0, overdue: 0 };
  const classes = [...input.classes]
    .sort((a, b) => a.className.localeCompare(b.className, 'en-GB', { numeric: true }))
    .map((c): ClassLine => {
      const taughtOn = taught.get(`${term.key}\n${c.className}`) ?? null;
      const previousTaughtOn = taught.get(`${before.key}\n${c.className}`) ?? null;
      const state: ClassLessonState = taughtOn ? 'done' : previousTaughtOn ? 'due' : 'overdue';
      counts[state] += 1;
      return { className: c.className, pupils: c.pupils, state, taughtOn, previousTaughtOn };
    });
  return { label: kindLabel('pupils_esafety'), term, previousTerm: before, classes, counts };
}

function parentsMeeting(input: PupilsParentsInput, today: string, now: Date): ParentsMeeting {
  const year = schoolYear(today);
  const inYear = input.meetings
    .map((m) => ({ ...m, on: ukDate(m.startsAt) }))
    .filter((m) => m.on >= year.from && m.on <= year.to)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const held = inYear.filter((m) => m.startsAt.getTime() <= now.getTime());
  const next = inYear.find((m) => m.startsAt.getTime() > now.getTime()) ?? null;
  const counted = held.length > 0 ? held : next ? [next] : [];
  return {
    label: kindLabel('parents_esafety'),
    yearFrom: year.from,
    yearTo: year.to,
    held: held.length > 0,
    heldOn: held.at(-1)?.on ?? null,
    nextOn: next?.on ?? null,
    bookings: counted.reduce((n, m) => n + m.bookings, 0),
    places: counted.reduce((n, m) => n + m.places, 0),
    attended: held.reduce((n, m) => n + m.attended, 0),
  };
}

/** The trust's figures for a school: counts only (no class, pupil or parent named). */
export interface PupilsParentsFigures {
  classes: Record<ClassLessonState, number> | null;
  meeting: { held: boolean; on: string | null; bookings: number; attended: number } | null;
}

export function pupilsParentsFigures(s: PupilsAndParents): PupilsParentsFigures {
  return {
    classes: s.pupils ? { ...s.pupils.counts } : null,
    meeting: s.parents
      ? {
          held: s.parents.held,
          on: s.parents.heldOn ?? s.parents.nextOn,
          bookings: s.parents.bookings,
          attended: s.parents.attended,
        }
      : null,
  };
}
