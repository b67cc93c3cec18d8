import { NotFoundError } from '../errors.ts';
import { isStaff, type Principal, type StaffPrincipal } from '../modules/auth/principal.ts';
import type { Actor } from '../modules/audit/audit.service.ts';

/**
 * The signed-in staff member of this school, for a route whose access policy already let them in.
 * Anyone else (a parent, a pupil, an organisation admin, nobody) gets a 404, never a hint.
 */
export function staffOf(p: Principal | null | undefined): StaffPrincipal {
  if (!isStaff(p)) throw new NotFoundError();
  return p;
}

/** The audit actor for a staff member. */
export function staffActor(p: StaffPrincipal): Actor {
  return { kind: 'staff', id: p.id };
}
