import { describe, expect, it } from 'vitest';
import { currentTerm, parsePeriod, periodChoices } from './reports-periods.ts';

describe('report periods', () => {
  it('names a school year and its terms by the documented rule', () => {
    expect(parsePeriod('2025-26')).toMatchObject({
      label: 'School year 2025 to 2026',
      from: '2025-09-01',
      until: '2026-09-01',
    });
    expect(parsePeriod('2025-26-autumn')).toMatchObject({
      label: 'Autumn term 2025',
      from: '2025-09-01',
      until: '2026-01-01',
    });
    expect(parsePeriod('2025-26-spring')).toMatchObject({
      from: '2026-01-01',
      until: '2026-04-01',
    });
    expect(parsePeriod('2025-26-summer')).toMatchObject({
      label: 'Summer term 2026',
      from: '2026-04-01',
      until: '2026-09-01',
    });
  });

  it('refuses anything else', () => {
    for (const bad of ['2025-27', '2025', 'autumn', '2025-26-winter', 42, undefined, '1999-00'])
      expect(parsePeriod(bad)).toBeNull();
  });

  it('defaults to the current term and offers this year and the last', () => {
    expect(currentTerm('2026-12-07').key).toBe('2026-27-autumn');
    expect(currentTerm('2027-02-01').key).toBe('2026-27-spring');
    expect(periodChoices('2026-12-07').map((p) => p.key)).toEqual([
      '2026-27',
      '2026-27-autumn',
      '2025-26',
      '2025-26-summer',
      '2025-26-spring',
      '2025-26-autumn',
    ]);
  });
});
