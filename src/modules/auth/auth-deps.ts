/**
 * What every part of the auth service is given (auth.service.ts builds the parts from these), and
 * the small helpers they share. The parts: auth-passwords.ts, auth-second-factor.ts,
 * auth-sign-in-links.ts, auth-sessions.ts and auth-tokens.ts.
 */
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { SecretBox } from '../../platform/crypto.ts';
import type { AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { AuthRepository } from './auth.repository.ts';
import { staffRoles, type StaffRole } from './principal.ts';
import type { SignInLinkJobs } from './auth-sign-in-links.ts';

export interface AuthConfig {
  sessionTtlHours: number;
  linkTtlMinutes: number;
  loginMaxAttempts: number;
  baseUrl: string;
}

export interface AuthDeps {
  database: Database;
  repository: AuthRepository;
  people: PeopleDirectory;
  audit: AuditService;
  clock: Clock;
  mailer: Mailer;
  secretBox: SecretBox;
  config: AuthConfig;
  jobs?: SignInLinkJobs;
  issuer?: string;
}

/** How long a process reuses a session or API token it has looked up. */
export const CACHE_MS = 5_000;

export function asRoles(roles: string[]): StaffRole[] {
  return roles.filter((r): r is StaffRole => (staffRoles as readonly string[]).includes(r));
}
