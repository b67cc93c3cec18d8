import { describe, expect, it } from 'vitest';
import { DUE_SOON_DAYS, kindStatus, termOf } from './training-status.ts';

const annual = { required: true, frequency: 'annual' as const };
const joining = { required: true, frequency: 'on_joining' as const };
const today = '2026-12-07';
const base = { dueAgain: [], startDate: '2020-09-01', today };

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
    expect(DUE_SOON_DAYS).toBeGreaterThan(0);
  });
});

describe('termOf', () => {
  it.each([
    ['2026-09-03', '2026-autumn', 'Autumn term 2026'],
    ['2027-01-10', '2027-spring', 'Spring term 2027'],
    ['2027-05-10', '2027-summer', 'Summer term 2027'],
  ])('%s', (d, key, label) => expect(termOf(d)).toEqual({ key, label }));
});
