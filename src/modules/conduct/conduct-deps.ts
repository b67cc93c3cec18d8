/**
 * What the conduct module's services share: the platform and other modules' services they use,
 * the actor of an audit event, and the content-free emails (the link says where to look; the
 * page says what it is about, to whoever may see it).
 */
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { NotFoundError } from '../../errors.ts';
import type { Principal, StaffPrincipal } from '../auth/index.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PolicyService, PolicySettings } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';

export interface ConductDeps {
  database: Database;
  clock: Clock;
  audit: AuditService;
  policies: PolicyService;
  people: PeopleDirectory;
  mailer: Mailer;
  baseUrl: string;
}

export function staffOnly(p: Principal): StaffPrincipal {
  if (p.kind !== 'staff') throw new NotFoundError();
  return p;
}

export function actorOf(p: StaffPrincipal): Actor {
  return { kind: 'staff', id: p.id };
}

export async function settingsOf(deps: ConductDeps, schoolId: string): Promise<PolicySettings> {
  return (await deps.policies.current(schoolId)).settings;
}

/**
 * Emails everyone of the school with this role (but `except`) that something waits for them.
 * Content-free: no names, no details, just the link. Sent after the change has committed; a mail
 * server that is down does not undo the change (the item is on their home page as well).
 */
export async function emailRole(
  deps: ConductDeps,
  schoolId: string,
  role: string,
  except: string | null,
  subject: string,
  path: string,
): Promise<number> {
  const people = (await deps.people.staffWithRole(deps.database.db, schoolId, role)).filter(
    (s) => s.id !== except,
  );
  let sent = 0;
  for (const person of people) {
    try {
      await deps.mailer.send({
        to: person.email,
        subject,
        text: `${subject}.\n\nSign in to Lanyard to see it: ${deps.baseUrl}${path}`,
      });
      sent += 1;
    } catch {
      // The change stands; the waiting item is on their home page too.
    }
  }
  return sent;
}

/** Emails one member of staff (the person who asked) that their request has an answer. */
export async function emailPerson(
  deps: ConductDeps,
  staffId: string,
  subject: string,
  path: string,
): Promise<void> {
  const person = await deps.people.getStaffById(deps.database.db, staffId);
  if (!person) return;
  try {
    await deps.mailer.send({
      to: person.email,
      subject,
      text: `${subject}.\n\nSign in to Lanyard to see it: ${deps.baseUrl}${path}`,
    });
  } catch {
    // As above.
  }
}
