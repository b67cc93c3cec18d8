import { describe, expect, it } from 'vitest';
import { TERM_LAST_MOMENT, termShift } from './incidents-seed.ts';

const DAY = 86_400_000;
const moved = (now: string) => new Date(TERM_LAST_MOMENT.getTime() - termShift(new Date(now)));

describe('the demo term of incidents, placed for the day the demo is seeded', () => {
  it('stays put when seeded in the week after it, as on 6 December 2026', () => {
    expect(termShift(new Date('2026-12-06T18:28:00Z'))).toBe(0);
    expect(termShift(new Date('2026-12-10T20:00:00Z'))).toBe(0);
  });

  it('moves back when seeded before its last moment, so all of it has happened', () => {
    const last = moved('2026-11-20T09:00:00Z');
    expect(last.getTime()).toBeLessThan(new Date('2026-11-20T09:00:00Z').getTime());
  });

  it('moves on by whole weeks when seeded later, ending in the past week, weekday kept', () => {
    for (const now of ['2027-03-15T10:00:00Z', '2027-12-07T08:00:00Z', '2026-12-11T08:00:00Z']) {
      const last = moved(now);
      const age = new Date(now).getTime() - last.getTime();
      expect(age, now).toBeGreaterThan(0);
      expect(age, now).toBeLessThan(7 * DAY + 3_600_000);
      expect(last.getUTCDay(), now).toBe(TERM_LAST_MOMENT.getUTCDay());
      expect(last.getUTCHours(), now).toBe(TERM_LAST_MOMENT.getUTCHours());
    }
  });
});
