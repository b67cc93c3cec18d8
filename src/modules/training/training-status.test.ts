import { describe, expect, it } from 'vitest';
import { lanyardDefaults, type PolicySettings } from '../policies/index.ts';
import {
  kindStatus,
  staffKinds,
  staffTraining,
  termOf,
  trainingWindows,
  type RosterRow,
} from './training-status.ts';

const annual = { required: true, frequency: 'annual' as const };
const joining = { required: true, frequency: 'on_joining' as const };
const today = '2026-12-07';
/** Lanyard's default windows (30 days each), as a school's profile gives them. */
const windows = trainingWindows(lanyardDefaults.training);
const base = { dueAgain: [], startDate: '2020-09-01', today, windows };

describe('kindStatus', () => {
  it.each([
    ['attended this year', annual, '2026-03-01', 'done', '2027-03-01'],
    ['due within the window', annual, '2025-12-20', 'due_soon', '2026-12-20'],
    ['a year and more ago', annual, '2025-11-01', 'overdue', '2026-11-01'],
    ['never attended', annual, null, 'overdue', today],
    ['inducted once', joining, '2021-01-01', 'done', null],
  ] as const)('%s', (_name, requirement, lastAttended, state, dueOn) => {
    const s = kindStatus({ ...base, requirement, lastAttended });
    expect(s.state).toBe(state);
    expect(s.dueOn).toBe(dueOn);
  });

  it('a new starter has the window to be inducted, then is overdue', () => {
    expect(
      kindStatus({ ...base, requirement: joining, lastAttended: null, startDate: '2026-12-01' })
        .state,
    ).toBe('due_soon');
    expect(
      kindStatus({ ...base, requirement: joining, lastAttended: null, startDate: '2026-09-01' })
        .state,
    ).toBe('overdue');
  });

  it('a new starter who has never attended regular training has the same window, then is overdue', () => {
    const joined = (startDate: string) =>
      kindStatus({ ...base, requirement: annual, lastAttended: null, startDate });
    expect(joined('2026-11-30')).toMatchObject({ state: 'due_soon', dueOn: '2026-12-30' });
    expect(joined('2026-10-01')).toMatchObject({ state: 'overdue', dueOn: today });
  });

  it('not required by the profile', () => {
    expect(
      kindStatus({ ...base, requirement: { ...annual, required: false }, lastAttended: null })
        .state,
    ).toBe('not_required');
  });

  it('a due-again mark after the last attendance makes it due, then overdue; attending clears it', () => {
    const mark = { reason: 'incident', reference: 'x', markedOn: '2026-12-01' };
    const s = kindStatus({
      ...base,
      requirement: annual,
      lastAttended: '2026-10-01',
      dueAgain: [mark],
    });
    expect(s.state).toBe('due_soon');
    expect(s.dueAgain).toEqual(mark);
    const old = { ...mark, markedOn: '2026-10-15' };
    expect(
      kindStatus({ ...base, requirement: annual, lastAttended: '2026-10-01', dueAgain: [old] })
        .state,
    ).toBe('overdue');
    expect(
      kindStatus({ ...base, requirement: annual, lastAttended: '2026-12-05', dueAgain: [mark] })
        .state,
    ).toBe('done');
  });

  it('a due-again mark never turns overdue into due soon: the sooner date counts, with the mark’s reason', () => {
    const mark = { reason: 'incident', reference: 'x', markedOn: '2026-12-07' };
    // Annual training lapsed on 1 November: overdue before the mark, and still after it.
    const lapsed = kindStatus({
      ...base,
      requirement: annual,
      lastAttended: '2025-11-01',
      dueAgain: [mark],
    });
    expect(lapsed).toMatchObject({ state: 'overdue', dueOn: '2026-11-01', dueAgain: mark });
    // Never attended (not a new starter): overdue now, mark or not.
    expect(
      kindStatus({ ...base, requirement: annual, lastAttended: null, dueAgain: [mark] }),
    ).toMatchObject({ state: 'overdue', dueAgain: mark });
    // Due on 20 December anyway, before the mark's 6 January: the earlier date stands.
    expect(
      kindStatus({ ...base, requirement: annual, lastAttended: '2025-12-20', dueAgain: [mark] }),
    ).toMatchObject({ state: 'due_soon', dueOn: '2026-12-20', dueAgain: mark });
    // Due next autumn: the mark brings it forward to 30 days after the mark.
    expect(
      kindStatus({ ...base, requirement: annual, lastAttended: '2026-10-01', dueAgain: [mark] }),
    ).toMatchObject({ state: 'due_soon', dueOn: '2027-01-06', dueAgain: mark });
    // An induction never done, its window over: overdue, not due soon again.
    expect(
      kindStatus({
        ...base,
        requirement: joining,
        lastAttended: null,
        startDate: '2026-09-01',
        dueAgain: [mark],
      }),
    ).toMatchObject({ state: 'overdue', dueOn: '2026-10-01', dueAgain: mark });
  });

  it('reads the windows it is given: defaults of 30 days', () => {
    expect(windows).toEqual({ newStarterDays: 30, dueSoonDays: 30, dueAgainDays: 30 });
  });

  it('a school’s own windows change the state and the due date', () => {
    const own = { newStarterDays: 14, dueSoonDays: 7, dueAgainDays: 10 };
    // Due soon: 13 days ahead is due soon within 30 days, done within 7.
    const lastAttended = '2025-12-20';
    expect(kindStatus({ ...base, requirement: annual, lastAttended }).state).toBe('due_soon');
    expect(kindStatus({ ...base, requirement: annual, lastAttended, windows: own })).toMatchObject({
      state: 'done',
      dueOn: '2026-12-20',
    });
    // A new starter who started on 20 November: due 14 days later (overdue now), not 30.
    const starter = { ...base, requirement: joining, lastAttended: null, startDate: '2026-11-20' };
    expect(kindStatus(starter)).toMatchObject({ state: 'due_soon', dueOn: '2026-12-20' });
    expect(kindStatus({ ...starter, windows: own })).toMatchObject({
      state: 'overdue',
      dueOn: '2026-12-04',
    });
    // Never attended regular training: the same new starter's window.
    expect(
      kindStatus({ ...starter, requirement: annual, startDate: '2026-12-01', windows: own }),
    ).toMatchObject({ state: 'due_soon', dueOn: '2026-12-15' });
    // A due-again mark: due 10 days after it, not 30.
    const mark = { reason: 'incident', reference: 'x', markedOn: '2026-11-25' };
    const marked = { ...base, requirement: annual, lastAttended: '2026-10-01', dueAgain: [mark] };
    expect(kindStatus(marked)).toMatchObject({ state: 'due_soon', dueOn: '2026-12-25' });
    expect(kindStatus({ ...marked, windows: own })).toMatchObject({
      state: 'overdue',
      dueOn: '2026-12-05',
    });
  });
});

describe('termOf', () => {
  it.each([
    ['2026-09-03', '2026-autumn', 'Autumn term 2026'],
    ['2027-01-10', '2027-spring', 'Spring term 2027'],
    ['2027-05-10', '2027-summer', 'Summer term 2027'],
  ])('%s', (d, key, label) => expect(termOf(d)).toEqual({ key, label }));
});

describe('staffTraining', () => {
  /** A small deterministic pseudo-random sequence (the same people every run). */
  const seq = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const dates = [
    '2021-02-28',
    '2024-02-29',
    '2025-08-31',
    '2025-12-20',
    '2026-03-01',
    '2026-11-30',
  ];

  it('shares each state worked out once per kind and date, and answers as kindStatus does per person', () => {
    const r = seq(17);
    const roster: RosterRow[] = Array.from({ length: 300 }, (_, i) => ({
      id: `s${i}`,
      givenName: `Given${i}`,
      familyName: 'Family',
      email: `s${i}@school.test`,
      startDate: pick(r, [null, '2019-09-01', '2026-11-25', '2026-12-01', '2026-10-01']),
      roles: [pick(r, ['teacher', 'office', 'governor'])],
    }));
    const latest = roster.flatMap((s) =>
      staffKinds.flatMap((kind) =>
        r() < 0.3 ? [] : [{ personId: s.id, kind, lastAttended: pick(r, dates) }],
      ),
    );
    const marks = roster.flatMap((s) =>
      r() < 0.8
        ? []
        : Array.from({ length: 1 + Math.floor(r() * 3) }, (_, n) => ({
            staffId: s.id,
            kind: pick(r, [...staffKinds, 'pupils_esafety']),
            reason: 'incident',
            reference: `ref${n}`,
            markedOn: pick(r, [...dates, '2026-12-01', '2026-12-01']),
          })),
    );
    const acknowledged = new Set(roster.filter(() => r() < 0.5).map((s) => s.id));
    // The second profile sets its own windows: staffTraining follows the profile's.
    const own = { newStarterDays: 14, dueSoonDays: 7, dueAgainDays: 10 };
    const days = (value: number) => ({
      value,
      citation: lanyardDefaults.training.dueSoonDays.citation,
    });
    for (const [frequencies, w] of [
      [['on_joining', 'annual', 'biennial'], windows],
      [['termly', 'on_joining', 'annual'], own],
    ] as const) {
      const settings = {
        ...lanyardDefaults.training,
        newStarterDays: days(w.newStarterDays),
        dueSoonDays: days(w.dueSoonDays),
        dueAgainDays: days(w.dueAgainDays),
        sessions: Object.fromEntries(
          staffKinds.map((k, i) => [
            k,
            {
              value: {
                required: i !== 2 || frequencies[0] === 'termly',
                frequency: frequencies[i],
              },
            },
          ]),
        ),
      } as unknown as PolicySettings['training'];
      for (const today of ['2026-12-07', '2027-03-01']) {
        const got = staffTraining(roster, latest, marks, acknowledged, settings, today);
        const expected = roster.map((s) => ({
          staffId: s.id,
          name: `${s.givenName} ${s.familyName}`,
          email: s.email,
          roles: s.roles,
          startDate: s.startDate,
          acknowledgedCurrent: acknowledged.has(s.id),
          kinds: Object.fromEntries(
            staffKinds.map((k) => [
              k,
              kindStatus({
                requirement: settings.sessions[k].value,
                lastAttended:
                  latest.find((l) => l.personId === s.id && l.kind === k)?.lastAttended ?? null,
                dueAgain: marks
                  .filter((m) => m.staffId === s.id && m.kind === k)
                  .map((m) => ({ reason: m.reason, reference: m.reference, markedOn: m.markedOn })),
                startDate: s.startDate,
                today,
                windows: w,
              }),
            ]),
          ),
        }));
        expect(got).toEqual(expected);
        // Every state occurs, and states are shared (far fewer objects than people × kinds).
        const all = got.flatMap((p) => Object.values(p.kinds));
        expect(new Set(all.map((s) => s.state)).size).toBeGreaterThanOrEqual(3);
        expect(new Set(all).size).toBeLessThan(all.length / 3);
        expect(Object.isFrozen(all.find((s) => s.dueAgain === null))).toBe(true);
      }
    }
  });

  it('the earliest open due-again mark counts, the first of equals', () => {
    const a = { reason: 'incident', reference: 'a', markedOn: '2026-12-01' };
    const b = { reason: 'policy_version', reference: 'b', markedOn: '2026-12-01' };
    const c = { reason: 'incident', reference: 'c', markedOn: '2026-11-20' };
    const old = { reason: 'incident', reference: 'old', markedOn: '2026-09-01' };
    const s = (dueAgain: (typeof a)[]) =>
      kindStatus({ ...base, requirement: annual, lastAttended: '2026-10-01', dueAgain }).dueAgain;
    expect(s([a, b])).toBe(a);
    expect(s([b, a])).toBe(b);
    expect(s([a, old, c, b])).toBe(c);
    expect(s([old])).toBeNull();
  });
});
