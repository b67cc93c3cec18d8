import { describe, expect, it } from 'vitest';
import { csvRows } from './csv.ts';

describe('csvRows', () => {
  it('prefixes cells a spreadsheet would run as formulas and quotes commas and quotes', () => {
    expect(
      csvRows([
        ['Row', 'Problem'],
        [2, '=HYPERLINK("http://evil.test","x")'],
        [3, '+1'],
        [4, '@SUM(A1)'],
        [5, '-2, or less'],
        [6, null],
      ]),
    ).toBe(
      'Row,Problem\r\n2,"\'=HYPERLINK(""http://evil.test"",""x"")"\r\n3,\'+1\r\n' +
        '4,\'@SUM(A1)\r\n5,"\'-2, or less"\r\n6,\r\n',
    );
  });
});
