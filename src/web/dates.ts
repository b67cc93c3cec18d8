/**
 * Dates and times as people read them: UK local time (Europe/London, so BST in summer and GMT in
 * winter), in words, in the GOV.UK style: "6 December 2026", "6 December 2026 at 6:28pm",
 * "at 9am" (no ":00"), "at midday", "at midnight".
 *
 * Use these wherever a date or time is shown to a person: pages (the `dateInWords` and
 * `dateTimeInWords` Nunjucks filters), emails and printed or PDF documents.
 */
import { MONTH_NAMES } from '../platform/clock.ts';

// Building an Intl.DateTimeFormat costs far more than using one: build it once.
const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

interface LondonTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function londonTime(at: Date): LondonTime {
  const parts: Record<string, number> = {};
  for (const p of londonParts.formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
  };
}

/**
 * A Date, an ISO timestamp, or a calendar date ('2026-12-06', read as that day in the UK).
 * Anything else (null, '', an unparseable string) is null.
 */
function toInstant(value: Date | string | null | undefined): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' && value) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** "6:28pm", "9am", "midday", "midnight" (GOV.UK style), from a 24-hour clock time. */
export function timeInWords(hour: number, minute: number): string {
  if (minute === 0 && hour === 0) return 'midnight';
  if (minute === 0 && hour === 12) return 'midday';
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'am' : 'pm';
  return minute === 0 ? `${h12}${suffix}` : `${h12}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** "6 December 2026": the UK calendar date of a moment, or of a calendar date. '' for nothing. */
export function formatDateInWords(value: Date | string | null | undefined): string {
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) {
      const probe = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (probe.getUTCDate() !== Number(m[3])) return '';
      return `${Number(m[3])} ${MONTH_NAMES[Number(m[2]) - 1]} ${Number(m[1])}`;
    }
  }
  const d = toInstant(value);
  if (!d) return '';
  const t = londonTime(d);
  return `${t.day} ${MONTH_NAMES[t.month - 1]} ${t.year}`;
}

/** "6 December 2026 at 6:28pm": the moment in UK local time. '' for nothing. */
export function formatDateTimeInWords(value: Date | string | null | undefined): string {
  const d = toInstant(value);
  if (!d) return '';
  const t = londonTime(d);
  return `${t.day} ${MONTH_NAMES[t.month - 1]} ${t.year} at ${timeInWords(t.hour, t.minute)}`;
}

/** "6:28pm": the time of day of a moment in UK local time. '' for nothing. */
export function formatTimeInWords(value: Date | string | null | undefined): string {
  const d = toInstant(value);
  if (!d) return '';
  const t = londonTime(d);
  return timeInWords(t.hour, t.minute);
}
