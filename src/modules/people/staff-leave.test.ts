import { describe, expect, it } from 'vitest';
import { leaveInWords, resolveLeave } from './staff-leave.ts';

const today = '2026-12-07';
const active = { active: true, leaveDate: null };
const left = { active: false, leaveDate: '2026-11-30' };

describe('resolveLeave: a leave date and whether the account is active', () => {
  it('keeps a future leave date active and deactivates a past or today’s one', () => {
    expect(resolveLeave({ today, startDate: null, old: active, leaveDate: '2027-08-31' })).toEqual({
      ok: true,
      active: true,
      leaveDate: '2027-08-31',
    });
    expect(resolveLeave({ today, startDate: null, old: active, leaveDate: today })).toEqual({
      ok: true,
      active: false,
      leaveDate: today,
    });
    expect(resolveLeave({ today, startDate: null, old: active, leaveDate: '2026-10-01' })).toEqual({
      ok: true,
      active: false,
      leaveDate: '2026-10-01',
    });
  });

  it('refuses a leave date before the start date, in words', () => {
    const r = resolveLeave({
      today,
      startDate: '2027-01-04',
      old: active,
      leaveDate: '2027-01-03',
    });
    expect(r).toEqual({
      ok: false,
      field: 'leaveDate',
      message: 'The leave date must be the same as or after their start date, 4 January 2027',
    });
    expect(
      resolveLeave({ today, startDate: '2027-01-04', old: active, leaveDate: '2027-01-04' }).ok,
    ).toBe(true);
  });

  it('deactivates and reactivates as the buttons did', () => {
    expect(resolveLeave({ today, startDate: null, old: active, active: false })).toEqual({
      ok: true,
      active: false,
      leaveDate: today,
    });
    // A leave date still to come is replaced by today; one that has come is kept.
    expect(
      resolveLeave({
        today,
        startDate: null,
        old: { active: true, leaveDate: '2027-03-01' },
        active: false,
      }),
    ).toMatchObject({ leaveDate: today });
    expect(
      resolveLeave({
        today,
        startDate: null,
        old: { active: true, leaveDate: '2026-12-01' },
        active: false,
      }),
    ).toMatchObject({ leaveDate: '2026-12-01' });
    expect(resolveLeave({ today, startDate: null, old: left, active: true })).toEqual({
      ok: true,
      active: true,
      leaveDate: null,
    });
    expect(resolveLeave({ today, startDate: null, old: left })).toEqual({ ok: true, ...left });
  });

  it('clears a future leave date, never a deactivated account’s', () => {
    expect(
      resolveLeave({
        today,
        startDate: null,
        old: { active: true, leaveDate: '2027-03-01' },
        leaveDate: null,
      }),
    ).toEqual({ ok: true, active: true, leaveDate: null });
    expect(resolveLeave({ today, startDate: null, old: left, leaveDate: null })).toMatchObject({
      ok: false,
      field: 'leaveDate',
    });
    // Reactivating and clearing together is fine; a deactivated account with no date stays so.
    expect(
      resolveLeave({ today, startDate: null, old: left, leaveDate: null, active: true }),
    ).toEqual({ ok: true, active: true, leaveDate: null });
    expect(
      resolveLeave({
        today,
        startDate: null,
        old: { active: false, leaveDate: null },
        leaveDate: null,
      }),
    ).toEqual({ ok: true, active: false, leaveDate: null });
  });

  it('refuses a date that contradicts `active`, and a future date for a deactivated account', () => {
    expect(
      resolveLeave({ today, startDate: null, old: active, active: true, leaveDate: today }),
    ).toMatchObject({
      ok: false,
      message: 'The leave date of an active account must be in the future',
    });
    expect(
      resolveLeave({ today, startDate: null, old: active, active: false, leaveDate: '2027-01-01' }),
    ).toMatchObject({ ok: false, field: 'leaveDate' });
    expect(
      resolveLeave({ today, startDate: null, old: left, leaveDate: '2027-01-01' }),
    ).toMatchObject({ ok: false, field: 'leaveDate' });
    // Reactivating with a future date is one change.
    expect(
      resolveLeave({ today, startDate: null, old: left, active: true, leaveDate: '2027-01-01' }),
    ).toEqual({ ok: true, active: true, leaveDate: '2027-01-01' });
    // A deactivated account's leave date may be corrected to another past day.
    expect(resolveLeave({ today, startDate: null, old: left, leaveDate: '2026-11-20' })).toEqual({
      ok: true,
      active: false,
      leaveDate: '2026-11-20',
    });
  });

  it('says it in words', () => {
    expect(leaveInWords({ active: true, leaveDate: '2027-08-31' }, today)).toBe(
      'Leaves on 31 August 2027',
    );
    expect(leaveInWords(left, today)).toBe('Left on 30 November 2026');
    expect(leaveInWords(active, today)).toBeNull();
  });
});
