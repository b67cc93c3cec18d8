/**
 * The GOV.UK date input (three fields `prefix-day`, `prefix-month`, `prefix-year`) read into an
 * ISO date, with the GOV.UK error messages: one reader for every form that asks for a date.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** yyyy-mm-dd that names a real day (not 31 February). */
export function isRealDate(iso: string): boolean {
  if (!ISO_DATE.test(iso)) return false;
  const d = new Date(`${iso}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The three fields → yyyy-mm-dd, or the error to show ("The date they left must include a
 * month", "… must be a real date"). `what` names the date in a sentence ("the date they left").
 * Null when all three are blank: the caller decides whether a date is required.
 */
export function readDateInput(
  body: Record<string, unknown>,
  prefix: string,
  what: string,
): { value: string | null } | { error: string } {
  const part = (n: string) => {
    const v = body[`${prefix}-${n}`];
    return typeof v === 'string' ? v.trim() : '';
  };
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!d && !m && !y) return { value: null };
  const missing = [!d && 'day', !m && 'month', !y && 'year'].filter(Boolean);
  if (missing.length) {
    return { error: `${capitalise(what)} must include a ${missing.join(' and ')}` };
  }
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) {
    return { error: `${capitalise(what)} must be a real date` };
  }
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  if (!isRealDate(iso)) return { error: `${capitalise(what)} must be a real date` };
  return { value: iso };
}

/** A required date: all three blank is "Enter the date …". */
export function readRequiredDateInput(
  body: Record<string, unknown>,
  prefix: string,
  what: string,
): { value: string } | { error: string } {
  const r = readDateInput(body, prefix, what);
  if ('error' in r) return r;
  return r.value === null ? { error: `Enter ${what}` } : { value: r.value };
}

/** yyyy-mm-dd → the three fields of a GOV.UK date input, for kept answers. */
export function dateInputValues(
  prefix: string,
  iso: string | null | undefined,
): Record<string, string> {
  if (!iso) return {};
  return {
    [`${prefix}-day`]: String(Number(iso.slice(8, 10))),
    [`${prefix}-month`]: String(Number(iso.slice(5, 7))),
    [`${prefix}-year`]: iso.slice(0, 4),
  };
}
