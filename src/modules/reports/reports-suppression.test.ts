import { describe, expect, it } from 'vitest';
import { cellOf, percentCell, suppressColumn } from './reports-suppression.ts';

describe('small-number suppression', () => {
  it('shows 0 and 5 or more, and "fewer than 5" for 1 to 4 without the value', () => {
    expect(cellOf(0)).toEqual({ value: 0, text: '0', suppressed: false });
    expect(cellOf(3)).toEqual({ value: 0, text: 'fewer than 5', suppressed: true });
    expect(cellOf(5).text).toBe('5');
    expect(cellOf(12345).text).toBe('12,345');
  });

  it('suppresses a second cell when one alone could be worked out from the total', () => {
    const cells = suppressColumn([20, 3, 7, 9, 0], true);
    expect(cells.map((c) => c.text)).toEqual(['20', 'fewer than 5', 'fewer than 5', '9', '0']);
    // without a total, only the small count goes
    expect(suppressColumn([20, 3, 7], false).map((c) => c.text)).toEqual([
      '20',
      'fewer than 5',
      '7',
    ]);
    // two small counts already protect each other
    expect(suppressColumn([20, 3, 2, 9], true).map((c) => c.suppressed)).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('shows a percentage only when neither part nor the rest is small', () => {
    expect(percentCell(27, 30).text).toBe('not shown');
    expect(percentCell(3, 30).text).toBe('not shown');
    expect(percentCell(25, 30).text).toBe('83%');
    expect(percentCell(30, 30).text).toBe('100%');
    expect(percentCell(0, 0).text).toBe('no pupils');
  });
});
