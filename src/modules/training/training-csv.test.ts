import { describe, expect, it } from 'vitest';
import { csvCell, statusCsv } from './training-csv.ts';

describe('training CSV', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+44 1234', "'+44 1234"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['Smith, Jo', '"Smith, Jo"'],
    ['plain', 'plain'],
    [null, ''],
  ])('escapes %s', (input, expected) => expect(csvCell(input)).toBe(expected));

  it('writes a row per person with each kind’s state and due date', () => {
    const csv = statusCsv({
      today: '2026-12-07',
      policyVersion: 3,
      kinds: ['staff_regular'],
      term: { key: '2026-autumn', label: 'Autumn term 2026' },
      windows: { newStarterDays: 30, dueSoonDays: 30, dueAgainDays: 30 },
      acknowledgeWithinDays: 30,
      classes: [],
      people: [
        {
          staffId: 'a',
          name: '=cmd|calc',
          email: 'a@x.test',
          roles: [],
          startDate: null,
          acknowledgedCurrent: false,
          kinds: {
            staff_regular: {
              state: 'overdue',
              dueOn: '2026-11-01',
              lastAttended: null,
              dueAgain: null,
            },
          },
        },
      ],
    });
    const [header, row] = csv.split('\r\n');
    expect(header).toBe(
      'Name,Email,Regular social media training for staff,Regular social media training for staff: due,Acknowledged policy version 3',
    );
    expect(row).toBe("'=cmd|calc,a@x.test,Overdue,2026-11-01,No");
  });
});
