/**
 * The auth module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"). Who is signed in (`Principal`), the staff roles and their
 * words, and the type of the sign-in service (reached through `Services.auth`).
 */
export {
  hasRole,
  isStaff,
  roleLabels,
  schoolOf,
  secondFactorRoles,
  staffRoles,
  type Principal,
  type StaffPrincipal,
  type StaffRole,
} from './principal.ts';
export type { AuthService } from './auth.service.ts';

// Retention (issue 16 item 6): a former member of staff's sessions, links and tokens, deleted
// with their record by the retention sweep (in its transaction).
export { forgetStaffAccess } from './auth-retention.repository.ts';
