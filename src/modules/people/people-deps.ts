/**
 * What each part of the people service is given (people.service.ts builds the parts), and the
 * helpers they share. The parts: people-pupil-changes.ts and people-staff.ts.
 */
import type { Database, Tx } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { AuditService } from '../audit/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import type { StaffClassesRepository } from './staff-classes.repository.ts';
import type { PeopleRepository } from './people.repository.ts';
import type { PeopleChangesRepository } from './people-changes.repository.ts';

let todayMinute = Number.NaN;
let todayValue = '';

/**
 * Today's date in London (`YYYY-MM-DD`), formatted once a minute rather than on every request:
 * London's date only changes on a whole minute, so this is always the same as ukDate(now).
 */
export function todayIn(clock: Clock): string {
  const minute = Math.floor(clock.now().getTime() / 60_000);
  if (minute !== todayMinute) {
    todayValue = ukDate(new Date(minute * 60_000));
    todayMinute = minute;
  }
  return todayValue;
}

/**
 * The job that emails a new member of staff their one-time "set your password" link (the auth
 * module's handler makes the link). Ids only; `requestedAt` lets a second run see that the
 * invitation was already made.
 */
export interface StaffInvitationJob {
  staffId: string;
  requestedAt: string;
}

/** Enqueues staff invitations, in the transaction of the change that asks for one. */
export interface StaffInvitationJobs {
  enqueue(
    name: 'auth.staff-invitation',
    data: StaffInvitationJob,
    options: { tx: Tx },
  ): Promise<string | null>;
}

export interface PeopleDeps {
  database: Database;
  repository: PeopleRepository;
  /** The writes behind managing pupils and staff in the app. */
  changes: PeopleChangesRepository;
  staffClasses: StaffClassesRepository;
  audit: AuditService;
  clock: Clock;
  policies: PolicyService;
  jobs: StaffInvitationJobs;
  /** The school's titles for the staff roles (`people.roleTitles`, a cached read); Lanyard's without. */
  roleTitles?: (schoolId: string) => Promise<Readonly<Partial<Record<string, string>>> | null>;
}

/** The audit actor for a member of staff making a change. */
export function actorOf(p: StaffPrincipal) {
  return { kind: 'staff' as const, id: p.id };
}
