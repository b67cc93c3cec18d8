/**
 * A member of staff's leave date and whether their account is active, decided together
 * (docs/people.md, "Leave date"): the staff page, the API and the staff import all go through
 * `resolveLeave`, and the hourly `people.staff-leavers` job deactivates those whose leave date
 * has come.
 *
 * - A leave date **today or earlier**: they have left. The account is deactivated, exactly as the
 *   Deactivate button does it (sign-in ends within seconds, the history stays), and the retention
 *   sweep counts `retention.staffRecordsYearsAfterLeaving` from that date.
 * - A leave date **in the future**: they are still here and can sign in until the day itself;
 *   that day the job deactivates the account. Clearing it (blank, or null) cancels the leaving.
 * - Deactivating without a date records today as the leave date (as before); reactivating clears
 *   it.
 * - A deactivated account keeps a leave date of today or earlier: a later one, or none, would
 *   mean they had not left, so that is done by reactivating the account (which clears the date).
 * - Never before their start date.
 */
import { formatDateInWords } from '../../web/dates.ts';

export interface LeaveRequest {
  /** Today in the school's time (London), `YYYY-MM-DD`. */
  today: string;
  /** Their start date after the change (the stored one, or the file's), or null. */
  startDate: string | null;
  old: { active: boolean; leaveDate: string | null };
  /** `active` sent: false deactivates, true reactivates; undefined leaves it to the date. */
  active?: boolean | undefined;
  /** A leave date sent (null: clear it); undefined: not sent, so unchanged. */
  leaveDate?: string | null | undefined;
}

export type LeaveOutcome =
  | { ok: true; active: boolean; leaveDate: string | null }
  | { ok: false; field: 'leaveDate' | 'active'; message: string };

export function resolveLeave(r: LeaveRequest): LeaveOutcome {
  const { today, old } = r;
  if (r.leaveDate === undefined) {
    if (r.active === undefined || r.active === old.active) {
      return { ok: true, active: old.active, leaveDate: old.leaveDate };
    }
    if (r.active) return { ok: true, active: true, leaveDate: null };
    // Deactivated now: today, unless a leave date that has already come is recorded.
    const leaveDate = old.leaveDate !== null && old.leaveDate <= today ? old.leaveDate : today;
    return { ok: true, active: false, leaveDate };
  }
  if (r.leaveDate === null) {
    const active = r.active ?? old.active;
    if (!active && old.leaveDate !== null) {
      return {
        ok: false,
        field: 'leaveDate',
        message:
          'Their account is deactivated, so it keeps the date they left. To clear it, reactivate the account',
      };
    }
    return { ok: true, active, leaveDate: active ? null : old.leaveDate };
  }
  const leaveDate = r.leaveDate;
  if (r.startDate !== null && leaveDate < r.startDate) {
    return {
      ok: false,
      field: 'leaveDate',
      message: `The leave date must be the same as or after their start date, ${formatDateInWords(r.startDate)}`,
    };
  }
  const stillHere = leaveDate > today;
  if (r.active === true && !stillHere) {
    return {
      ok: false,
      field: 'leaveDate',
      message: 'The leave date of an active account must be in the future',
    };
  }
  if (r.active === false && stillHere) {
    return {
      ok: false,
      field: 'leaveDate',
      message: 'The leave date of a deactivated account must be today or in the past',
    };
  }
  if (r.active === undefined && stillHere && !old.active) {
    return {
      ok: false,
      field: 'leaveDate',
      message:
        'Their account is deactivated, so the leave date must be today or in the past. To give a date in the future, reactivate the account first',
    };
  }
  return { ok: true, active: stillHere, leaveDate };
}

/** "Leaves on 31 August 2027", "Left on 3 December 2026", or null: for the staff pages. */
export function leaveInWords(
  member: { active: boolean; leaveDate: string | null },
  today: string,
): string | null {
  if (!member.leaveDate) return null;
  const when = formatDateInWords(member.leaveDate);
  return member.leaveDate > today ? `Leaves on ${when}` : `Left on ${when}`;
}
