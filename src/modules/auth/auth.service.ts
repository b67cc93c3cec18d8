/**
 * The auth module's public surface. Each kind of work lives in its own part, and this class only
 * hands calls on:
 * - auth-passwords.ts: signing in with a password, the sign-in throttle's bookkeeping, setting one
 * - auth-second-factor.ts: authenticator set-up (TOTP enrolment) and codes
 * - auth-sign-in-links.ts: parents' and pupils' sign-in links
 * - auth-staff-invitations.ts: staff "set your password" invitation links and emails
 * - auth-sessions.ts: sessions and the per-process session cache
 * - auth-tokens.ts: API tokens and their cache
 * - auth-deps.ts: what every part is given
 */
import type { Db } from '../../platform/db/database.ts';
import type { StaffInvitationJob } from '../people/index.ts';
import type { Principal } from './principal.ts';
import type { AuthDeps } from './auth-deps.ts';
import { AuthSessions, type LoadedSession } from './auth-sessions.ts';
import { AuthPasswords, type SignInResult } from './auth-passwords.ts';
import { AuthSecondFactor, type CodeResult } from './auth-second-factor.ts';
import {
  AuthSignInLinks,
  type CreateLinkInput,
  type LinkRenewal,
  type LinkResult,
  type SignInLinkJob,
} from './auth-sign-in-links.ts';
import {
  AuthStaffInvitations,
  type InvitationLinkStatus,
  type InvitationState,
} from './auth-staff-invitations.ts';
import { AuthTokens } from './auth-tokens.ts';

export type { AuthConfig, AuthDeps } from './auth-deps.ts';
export type { LoadedSession, SecondFactorState } from './auth-sessions.ts';
export type { SignInResult } from './auth-passwords.ts';
export type { CodeResult } from './auth-second-factor.ts';
export {
  safeLinkPath,
  type CreateLinkInput,
  type LinkRenewal,
  type LinkResult,
  type SignInLinkJob,
  type SignInLinkJobs,
} from './auth-sign-in-links.ts';
export {
  STAFF_INVITATION,
  STAFF_INVITATION_TTL_DAYS,
  type InvitationLinkStatus,
  type InvitationState,
} from './auth-staff-invitations.ts';
export { API_TOKENS_CACHED } from './auth-tokens.ts';

export class AuthService {
  private readonly sessions: AuthSessions;
  private readonly passwords: AuthPasswords;
  private readonly secondFactor: AuthSecondFactor;
  private readonly links: AuthSignInLinks;
  private readonly invitations: AuthStaffInvitations;
  private readonly tokens: AuthTokens;

  constructor(private readonly deps: AuthDeps) {
    this.sessions = new AuthSessions(deps);
    this.passwords = new AuthPasswords(deps, this.sessions);
    this.secondFactor = new AuthSecondFactor(deps, this.sessions);
    this.links = new AuthSignInLinks(deps, this.sessions);
    this.invitations = new AuthStaffInvitations(deps, this.passwords);
    this.tokens = new AuthTokens(deps);
  }

  // Passwords (auth-passwords.ts)

  /** Staff and organisation admins: email + password, throttled per address and account. */
  signInWithPassword(email: string, password: string, ip = 'unknown'): Promise<SignInResult> {
    return this.passwords.signInWithPassword(email, password, ip);
  }

  setPassword(staffId: string, password: string): Promise<void> {
    return this.passwords.setPassword(staffId, password);
  }

  // Sessions (auth-sessions.ts)

  /** Resolves a session cookie to a principal. Cached for a few seconds per process. */
  loadSession(token: string): Promise<LoadedSession | null> {
    return this.sessions.loadSession(token);
  }

  signOut(token: string): Promise<void> {
    return this.sessions.signOut(token);
  }

  /** Hourly: expired sessions, and sign-in attempts older than the "usual address" period. */
  sweepExpiredSessions(): Promise<number> {
    return this.sessions.sweepExpired();
  }

  // Second factor (auth-second-factor.ts)

  /** Starts (or restarts) setting up an authenticator app; returns the QR code as inline SVG. */
  beginTotpEnrolment(staffId: string): Promise<{ secret: string; qrSvg: string }> {
    return this.secondFactor.beginTotpEnrolment(staffId);
  }

  confirmTotpEnrolment(
    staffId: string,
    sessionId: string,
    code: string,
    ip = 'unknown',
  ): Promise<CodeResult> {
    return this.secondFactor.confirmTotpEnrolment(staffId, sessionId, code, ip);
  }

  verifySecondFactor(
    staffId: string,
    sessionId: string,
    code: string,
    ip = 'unknown',
  ): Promise<CodeResult> {
    return this.secondFactor.verifySecondFactor(staffId, sessionId, code, ip);
  }

  /** Seals a TOTP secret for storage (used when seeding the demo school). */
  sealTotpSecret(secretBase32: string): string {
    return this.secondFactor.sealTotpSecret(secretBase32);
  }

  /** The current code for a staff member's authenticator (demo and tests only). */
  currentCode(email: string): Promise<string | null> {
    return this.secondFactor.currentCode(email);
  }

  // Sign-in links (auth-sign-in-links.ts)

  /** "Email me a sign-in link": the same work and answer whatever the address. */
  requestSignInLink(email: string): Promise<void> {
    return this.links.requestSignInLink(email);
  }

  /** Called once the answer to a link request has gone: sends this process's queued links now. */
  deliverQueuedSignInLinks(): void {
    this.links.deliverQueuedSignInLinks();
  }

  /** The job: a fresh one-time link for each person, emailed to the address the school holds. */
  sendSignInLinks(data: SignInLinkJob): Promise<void> {
    return this.links.sendSignInLinks(data);
  }

  checkSignInLink(token: string): Promise<'ok' | 'used' | 'expired' | 'unknown'> {
    return this.links.checkSignInLink(token);
  }

  /** A one-time link for one parent or pupil, on the caller's db or transaction; the full URL. */
  createSignInLink(db: Db, input: CreateLinkInput): Promise<string> {
    return this.links.createSignInLink(db, input);
  }

  /** "Send me a new one" for a used or expired link. */
  renewSignInLink(oldToken: string): Promise<LinkRenewal> {
    return this.links.renewSignInLink(oldToken);
  }

  consumeSignInLink(token: string): Promise<LinkResult> {
    return this.links.consumeSignInLink(token);
  }

  // Staff invitations (auth-staff-invitations.ts)

  /** The job: a one-time "set your password" link emailed to a new member of staff. */
  sendStaffInvitation(data: StaffInvitationJob): Promise<void> {
    return this.invitations.sendStaffInvitation(data);
  }

  /** Runs this process's queued invitations now (after the request that enqueued them). */
  deliverQueuedStaffInvitations(): void {
    this.invitations.deliverQueuedStaffInvitations();
  }

  /** Whether a "set your password" link can be used, and for which address (shown on its page). */
  checkStaffInvitation(
    token: string,
  ): Promise<{ status: InvitationLinkStatus; email: string | null }> {
    return this.invitations.checkStaffInvitation(token);
  }

  /** Sets the password from an invitation link (ValidationError for the email as password). */
  acceptStaffInvitation(
    token: string,
    password: string,
  ): Promise<{ ok: true } | { ok: false; reason: Exclude<InvitationLinkStatus, 'ok'> }> {
    return this.invitations.acceptStaffInvitation(token, password);
  }

  /** Where a member of staff's invitation stands (the staff page). */
  invitationState(member: { id: string; passwordHash: string | null }): Promise<InvitationState> {
    return this.invitations.invitationState(member);
  }

  // API tokens (auth-tokens.ts)

  createApiToken(staffId: string, schoolId: string, name: string): Promise<string> {
    return this.tokens.createApiToken(staffId, schoolId, name);
  }

  principalForApiToken(token: string): Promise<Principal | null> {
    return this.tokens.principalForApiToken(token);
  }

  /** How many API tokens this process holds in memory (tests: the bound holds). */
  get cachedApiTokens(): number {
    return this.tokens.cachedApiTokens;
  }

  // Rate limits

  /** Counts a request against a per-address rate limit shared by every process (web/rate-limit-store). */
  hitRateLimit(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    return this.deps.repository.hitRateLimit(this.deps.database.db, key, windowMs);
  }

  peekRateLimit(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    return this.deps.repository.peekRateLimit(this.deps.database.db, key, windowMs);
  }
}
