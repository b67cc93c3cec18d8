/**
 * The report's periods: a school year and its three terms, by one simple rule (the same as
 * training's `termOf`, so the two modules never disagree on which term a date is in):
 * - the school year runs from 1 September to 31 August (key `2025-26`);
 * - autumn term: 1 September – 31 December; spring term: 1 January – 31 March; summer term:
 *   1 April – 31 August (keys `2025-26-autumn`, `2025-26-spring`, `2025-26-summer`).
 * Holidays fall inside the term they follow; nothing is lost between terms. Dates are UK dates:
 * the repository compares timestamps with midnight in Europe/London.
 */
export type TermName = 'autumn' | 'spring' | 'summer';

export interface Period {
  key: string;
  /** "Autumn term 2025" or "School year 2025 to 2026". */
  label: string;
  /** First day (ISO date, inclusive). */
  from: string;
  /** The day after the last (ISO date, exclusive). */
  until: string;
  kind: 'term' | 'year';
}

const termNames: Record<TermName, string> = {
  autumn: 'Autumn term',
  spring: 'Spring term',
  summer: 'Summer term',
};

/** The school year (its first calendar year) a date falls in. */
export function schoolYearOf(isoDate: string): number {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return m >= 9 ? y : y - 1;
}

export function termNameOf(isoDate: string): TermName {
  const m = Number(isoDate.split('-')[1]);
  return m >= 9 ? 'autumn' : m >= 4 ? 'summer' : 'spring';
}

const yearKey = (start: number) => `${start}-${String((start + 1) % 100).padStart(2, '0')}`;

export function yearPeriod(start: number): Period {
  return {
    key: yearKey(start),
    label: `School year ${start} to ${start + 1}`,
    from: `${start}-09-01`,
    until: `${start + 1}-09-01`,
    kind: 'year',
  };
}

export function termPeriod(start: number, term: TermName): Period {
  const bounds: Record<TermName, [string, string, number]> = {
    autumn: [`${start}-09-01`, `${start + 1}-01-01`, start],
    spring: [`${start + 1}-01-01`, `${start + 1}-04-01`, start + 1],
    summer: [`${start + 1}-04-01`, `${start + 1}-09-01`, start + 1],
  };
  const [from, until, calendarYear] = bounds[term];
  return {
    key: `${yearKey(start)}-${term}`,
    label: `${termNames[term]} ${calendarYear}`,
    from,
    until,
    kind: 'term',
  };
}

/** The period a key names, or null for anything else (never echoed). */
export function parsePeriod(key: unknown): Period | null {
  if (typeof key !== 'string') return null;
  const m = /^(\d{4})-(\d{2})(?:-(autumn|spring|summer))?$/.exec(key);
  if (!m) return null;
  const start = Number(m[1]);
  if (start < 2000 || start > 2100 || (start + 1) % 100 !== Number(m[2])) return null;
  return m[3] ? termPeriod(start, m[3] as TermName) : yearPeriod(start);
}

/** The term a date is in: the report's default. */
export function currentTerm(today: string): Period {
  return termPeriod(schoolYearOf(today), termNameOf(today));
}

/** The choices on the page: this school year and the last, each with its terms (newest first). */
export function periodChoices(today: string): Period[] {
  const start = schoolYearOf(today);
  const out: Period[] = [];
  for (const y of [start, start - 1]) {
    out.push(yearPeriod(y));
    for (const t of ['summer', 'spring', 'autumn'] as const) {
      const p = termPeriod(y, t);
      if (p.from <= today) out.push(p);
    }
  }
  return out;
}
