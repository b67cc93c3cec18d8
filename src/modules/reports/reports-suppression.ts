/**
 * Small-number suppression for the governors' monitoring report (issue 16 item 4). The rule,
 * documented in docs/policy-lifecycle.md:
 * 1. A count of 1 to 4 is shown as "fewer than 5" (primary suppression). Zero is shown: it names
 *    nobody.
 * 2. Where a table shows a total, one suppressed cell could be worked out by subtracting the
 *    others from it; so when exactly one cell is suppressed, the next smallest non-zero cell is
 *    suppressed too (secondary suppression), and the total itself is shown only when it is 5 or
 *    more.
 * 3. A percentage is shown only when both its count and the rest (e.g. pupils with and without
 *    consent) are 0 or at least 5; otherwise it is "not shown" (a small remainder names a few
 *    pupils as surely as a small count).
 */
export const THRESHOLD = 5;
export const FEWER = 'fewer than 5';

export interface Cell {
  /** The true value, for drawing only when not suppressed (never rendered when suppressed). */
  value: number;
  text: string;
  suppressed: boolean;
}

const isSmall = (v: number) => v > 0 && v < THRESHOLD;

export function cellOf(value: number): Cell {
  return isSmall(value)
    ? { value: 0, text: FEWER, suppressed: true }
    : { value, text: value.toLocaleString('en-GB'), suppressed: false };
}

/** The cells of one column (rule 1, and rule 2 when the column has a total). */
export function suppressColumn(values: number[], withTotal: boolean): Cell[] {
  const cells = values.map(cellOf);
  if (withTotal && cells.filter((c) => c.suppressed).length === 1) {
    let smallest = -1;
    values.forEach((v, i) => {
      if (!cells[i]!.suppressed && v > 0 && (smallest < 0 || v < values[smallest]!)) smallest = i;
    });
    if (smallest >= 0) cells[smallest] = { value: 0, text: FEWER, suppressed: true };
  }
  return cells;
}

/** A percentage of `part` in `whole`, or "not shown" (rule 3). */
export function percentCell(part: number, whole: number): Cell {
  if (whole === 0) return { value: 0, text: 'no pupils', suppressed: true };
  if (isSmall(part) || isSmall(whole - part))
    return { value: 0, text: 'not shown', suppressed: true };
  const pct = Math.round((part / whole) * 100);
  return { value: pct, text: `${pct}%`, suppressed: false };
}
