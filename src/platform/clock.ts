/** The only source of "now" for services, so rules that depend on dates are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
  };
}

// Building an Intl.DateTimeFormat costs far more than using one: build it once.
const londonIsoDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

let lastMinute = Number.NaN;
let lastDate = '';

/**
 * yyyy-mm-dd of a date in the Europe/London calendar (schools keep UK dates). UK offsets are
 * whole hours, so the answer for the last minute asked is kept (the consent check asks it for
 * every pupil of a batch).
 */
export function ukDate(at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDate = londonIsoDate.format(at);
    lastMinute = minute;
  }
  return lastDate;
}

/** English month names, January first. */
export const MONTH_NAMES: readonly string[] = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** '2026-09-04' → '4 September 2026' (the GOV.UK date style), without Intl. */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTH_NAMES[(m ?? 1) - 1]} ${y}`;
}
