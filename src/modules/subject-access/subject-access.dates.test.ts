import { describe, expect, it } from 'vitest';
import { addCalendarMonths, daysUntil, dueDateFor } from './subject-access.dates.ts';

describe('subject access due dates (one calendar month, ICO)', () => {
  it('is the same date next month', () => {
    expect(dueDateFor('2026-09-03')).toBe('2026-10-03');
    expect(dueDateFor('2026-12-15')).toBe('2027-01-15');
  });
  it('is the last day of next month when the date does not exist', () => {
    expect(dueDateFor('2027-01-31')).toBe('2027-02-28');
    expect(dueDateFor('2028-01-30')).toBe('2028-02-29');
    expect(dueDateFor('2026-03-31')).toBe('2026-04-30');
  });
  it('extends by further months from the original due date', () => {
    expect(addCalendarMonths('2026-10-03', 2)).toBe('2026-12-03');
  });
  it('counts days', () => {
    expect(daysUntil('2026-12-07', '2026-12-28')).toBe(21);
    expect(daysUntil('2026-12-07', '2026-12-01')).toBe(-6);
  });
});
