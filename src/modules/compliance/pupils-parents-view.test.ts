import { describe, expect, it } from 'vitest';
import type { PolicySettings } from '../policies/index.ts';
import {
  buildPupilsAndParents,
  previousTerm,
  pupilsParentsFigures,
  schoolYear,
  type PupilsParentsInput,
} from './pupils-parents-view.ts';

type Sessions = PolicySettings['training']['sessions'];
const req = (required: boolean, frequency: 'termly' | 'annual') => ({
  value: { required, frequency },
});
const sessions = (pupils: boolean, parents: boolean) =>
  ({
    pupils_esafety: req(pupils, 'termly'),
    parents_esafety: req(parents, 'annual'),
  }) as unknown as Sessions;

const today = '2026-12-07'; // autumn term 2026
const now = new Date('2026-12-07T12:00:00Z');
const empty: PupilsParentsInput = { classes: [], lessons: [], meetings: [] };

describe('the term before and the school year', () => {
  it.each([
    ['2026-12-07', '2026-summer', 'Summer term 2026'],
    ['2026-09-01', '2026-summer', 'Summer term 2026'],
    ['2026-05-10', '2026-spring', 'Spring term 2026'],
    ['2026-01-05', '2025-autumn', 'Autumn term 2025'],
  ])('%s: the term before is %s', (day, key, label) => {
    expect(previousTerm(day)).toEqual({ key, label });
  });
  it('runs from 1 September to 31 August', () => {
    expect(schoolYear('2026-12-07')).toEqual({
      from: '2026-09-01',
      to: '2027-08-31',
      before: '2027-09-01',
    });
    expect(schoolYear('2027-08-31').from).toBe('2026-09-01');
  });
});

describe('pupils’ e-safety lessons by class', () => {
  const input: PupilsParentsInput = {
    classes: [
      { className: 'Year 10', pupils: 20 },
      { className: 'Year 2', pupils: 25 },
      { className: 'Year 3', pupils: 28 },
    ],
    lessons: [
      { className: 'Year 2', termKey: '2026-autumn', taughtOn: '2026-10-01' },
      { className: 'Year 3', termKey: '2026-summer', taughtOn: '2026-06-15' },
      // Another class's lesson and another term's are no one else's.
      { className: 'Year 9', termKey: '2026-autumn', taughtOn: '2026-10-02' },
      { className: 'Year 10', termKey: '2026-spring', taughtOn: '2026-02-02' },
    ],
    meetings: [],
  };
  const built = buildPupilsAndParents(input, sessions(true, false), today, now);

  it('this term’s lesson taught: done; not yet but last term’s was: due; neither: overdue', () => {
    expect(built.pupils!.classes).toEqual([
      {
        className: 'Year 2',
        pupils: 25,
        state: 'done',
        taughtOn: '2026-10-01',
        previousTaughtOn: null,
      },
      {
        className: 'Year 3',
        pupils: 28,
        state: 'due',
        taughtOn: null,
        previousTaughtOn: '2026-06-15',
      },
      {
        className: 'Year 10',
        pupils: 20,
        state: 'overdue',
        taughtOn: null,
        previousTaughtOn: null,
      },
    ]);
    expect(built.pupils!.counts).toEqual({ done: 1, due: 1, overdue: 1 });
    expect(built.pupils!.term.label).toBe('Autumn term 2026');
    expect(built.pupils!.previousTerm.label).toBe('Summer term 2026');
    expect(built.pupils!.label).toBe('E-safety lessons for pupils');
  });

  it('is left out where the profile does not require it', () => {
    expect(built.parents).toBeNull();
    expect(buildPupilsAndParents(input, sessions(false, false), today, now)).toEqual({
      pupils: null,
      parents: null,
    });
  });
});

describe('the parents’ e-safety meeting', () => {
  const meeting = (iso: string, bookings: number, places: number, attended: number) => ({
    startsAt: new Date(iso),
    bookings,
    places,
    attended,
  });

  it('held this school year: when, bookings and attendance counted', () => {
    const b = buildPupilsAndParents(
      {
        ...empty,
        meetings: [
          meeting('2026-10-14T17:30:00Z', 12, 20, 15),
          // Last school year's meeting is not this year's.
          meeting('2026-06-10T17:30:00Z', 30, 40, 25),
        ],
      },
      sessions(false, true),
      today,
      now,
    );
    expect(b.pupils).toBeNull();
    expect(b.parents).toMatchObject({
      held: true,
      heldOn: '2026-10-14',
      nextOn: null,
      bookings: 12,
      places: 20,
      attended: 15,
      yearFrom: '2026-09-01',
      yearTo: '2027-08-31',
      label: 'E-safety meeting for parents',
    });
    expect(pupilsParentsFigures(b)).toEqual({
      classes: null,
      meeting: { held: true, on: '2026-10-14', bookings: 12, attended: 15 },
    });
  });

  it('not held yet: the next one planned and its bookings so far; none at all', () => {
    const planned = buildPupilsAndParents(
      { ...empty, meetings: [meeting('2027-02-03T18:00:00Z', 4, 7, 0)] },
      sessions(false, true),
      today,
      now,
    );
    expect(planned.parents).toMatchObject({
      held: false,
      heldOn: null,
      nextOn: '2027-02-03',
      bookings: 4,
      places: 7,
      attended: 0,
    });
    const none = buildPupilsAndParents(empty, sessions(false, true), today, now);
    expect(none.parents).toMatchObject({ held: false, heldOn: null, nextOn: null, bookings: 0 });
  });

  it('a meeting late in the evening counts on its UK date', () => {
    const b = buildPupilsAndParents(
      { ...empty, meetings: [meeting('2026-08-31T23:30:00Z', 1, 1, 1)] }, // 1 September, 00:30 BST
      sessions(false, true),
      today,
      now,
    );
    expect(b.parents!.heldOn).toBe('2026-09-01');
  });
});
