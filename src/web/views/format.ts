/** Formatting shared by the Nunjucks filters and the hand-written row renderers. */
import { MONTH_NAMES } from '../../platform/clock.ts';

const ukDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

export const ukDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

const escapes: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
};

/** HTML-escapes like Nunjucks' autoescape (the same six characters, the same entities). */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return needsEscape.test(s) ? s.replace(toEscape, (c) => escapes[c]!) : s;
}

const needsEscape = /[&"'<>\\]/;
const toEscape = /[&"'<>\\]/g;

const monthNames = MONTH_NAMES;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A calendar date (`YYYY-MM-DD`, as PostgreSQL returns `date` columns) the way `ukDate` formats
 * it, "4 March 2017", without Intl (the list pages format hundreds of these per second).
 * Anything else goes through Intl.
 */
export function formatUkDate(value: unknown): string {
  if (typeof value === 'string' && value.length === 10) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const month = m ? monthNames[Number(m[2]) - 1] : undefined;
    const day = m ? Number(m[3]) : 0;
    if (m && month && day >= 1 && day <= daysIn(Number(m[1]), Number(m[2]))) {
      return `${day} ${month} ${Number(m[1])}`;
    }
  }
  const d = toDate(value);
  return d ? ukDate.format(d) : '';
}

export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

export function yearGroupLabel(y: string): string {
  if (y === 'R') return 'Reception';
  if (y === 'N1' || y === 'N2') return `Nursery ${y.slice(1)}`;
  return `Year ${y}`;
}
