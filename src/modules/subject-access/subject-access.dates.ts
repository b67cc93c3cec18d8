/**
 * UK GDPR Art. 12(3): a subject access request is answered "within one month of receipt". The
 * ICO reads this as the corresponding calendar date of the next month; where that date does not
 * exist (31 January → February), the last day of that month.
 */
export function addCalendarMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** The date a request is due: one calendar month after it was received. */
export const dueDateFor = (receivedOn: string): string => addCalendarMonths(receivedOn, 1);

/** Whole days from `today` to `due` (negative when overdue). */
export function daysUntil(today: string, due: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86400000);
}
