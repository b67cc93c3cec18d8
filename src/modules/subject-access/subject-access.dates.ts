import { addMonths } from '../policies/index.ts';

/**
 * UK GDPR Art. 12(3): a subject access request is answered "within one month of receipt". The
 * ICO reads this as the corresponding calendar date of the next month; where that date does not
 * exist (31 January → February), the last day of that month: the policy review dates'
 * `addMonths` (policies), which counts months the same way.
 */
export function addCalendarMonths(isoDate: string, months: number): string {
  return addMonths(isoDate, months);
}

/** The date a request is due: one calendar month after it was received. */
export const dueDateFor = (receivedOn: string): string => addCalendarMonths(receivedOn, 1);

/** Whole days from `today` to `due` (negative when overdue). */
export function daysUntil(today: string, due: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86400000);
}
