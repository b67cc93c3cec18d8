/**
 * Passwords: signing in with email and password (staff and organisation admins), the sign-in
 * throttle's bookkeeping shared with second-factor codes, and setting a staff password.
 */
import type { Db } from '../../platform/db/database.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../platform/crypto.ts';
import { secondFactorRoles, type Principal } from './principal.ts';
import {
  accountKey,
  clientKey,
  decideThrottle,
  THROTTLE_WINDOW_MINUTES,
  USUAL_DAYS,
  ADDRESS_FACTOR,
} from './sign-in-throttle.ts';
import { asRoles, type AuthDeps } from './auth-deps.ts';
import type { AuthSessions, SecondFactorState } from './auth-sessions.ts';

export type SignInResult =
  | { ok: true; token: string; secondFactor: SecondFactorState }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** A counted sign-in attempt: its row, its keys, and whether the throttle refuses it. */
export interface CountedAttempt {
  id: number;
  key: string;
  address: string;
  retryAfterSeconds: number | null;
}

/**
 * Records an attempt (as a failure until it succeeds) and asks the throttle whether this
 * address may try this account now. The attempt is written first, so parallel guesses all
 * count before any password is checked.
 */
export async function countSignInAttempt(
  deps: AuthDeps,
  email: string,
  ip: string,
  kind: 'password' | 'code',
): Promise<CountedAttempt> {
  const { database, repository, clock, config } = deps;
  const now = clock.now();
  const key = accountKey(email);
  const address = clientKey(ip);
  const id = await repository.recordSignInAttempt(database.db, {
    accountKey: key,
    address,
    kind,
    at: now,
  });
  const facts = await repository.throttleFacts(database.db, {
    accountKey: key,
    address,
    since: new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000),
    usualSince: new Date(now.getTime() - USUAL_DAYS * 86_400_000),
    // This attempt is counted too: the (max+1)-th failure in the window is the one refused.
    pairLimit: config.loginMaxAttempts + 1,
    addressLimit: ADDRESS_FACTOR * config.loginMaxAttempts + 1,
    current: id,
  });
  const decision = decideThrottle({ now, maxAttempts: config.loginMaxAttempts, ...facts });
  return {
    id,
    key,
    address,
    retryAfterSeconds: decision.allowed ? null : decision.retryAfterSeconds,
  };
}

export class AuthPasswords {
  constructor(
    private readonly deps: AuthDeps,
    private readonly sessions: AuthSessions,
  ) {}

  /**
   * Staff and organisation admins: email + password. Throttled per address and account (never a
   * lock-out an outsider can trigger); a known, an unknown and a throttled address get the same
   * work and the same answers.
   */
  async signInWithPassword(email: string, password: string, ip = 'unknown'): Promise<SignInResult> {
    const { database, people, repository } = this.deps;
    const db = database.db;
    const attempt = await countSignInAttempt(this.deps, email, ip, 'password');
    if (attempt.retryAfterSeconds !== null) {
      // Same cost as a real check, so a throttled answer is not faster than a wrong password.
      await burnPasswordCheck(password);
      return { ok: false, reason: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    }
    const member = await people.getStaffByEmail(db, email);
    const admin = member ? undefined : await people.getOrganisationAdminByEmail(db, email);
    const hash = member
      ? member.active
        ? member.passwordHash
        : null
      : (admin?.passwordHash ?? null);
    if (!hash) {
      await burnPasswordCheck(password);
      return { ok: false, reason: 'invalid' };
    }
    if (!(await verifyPassword(hash, password))) return { ok: false, reason: 'invalid' };
    if (admin) {
      await repository.signInAttemptSucceeded(db, attempt.id, attempt.key, attempt.address);
      const token = await this.sessions.start(
        { kind: 'org_admin', id: admin.id, organisationId: admin.organisationId, name: admin.name },
        true,
      );
      return { ok: true, token, secondFactor: null };
    }
    const m = member!;
    const roles = asRoles(m.roles);
    const principal: Principal = {
      kind: 'staff',
      id: m.id,
      schoolId: m.schoolId,
      roles,
      name: `${m.givenName} ${m.familyName}`,
    };
    const needs = m.totpEnabledAt !== null || roles.some((r) => secondFactorRoles.includes(r));
    // With a second factor, the address becomes "usual" only once the code is right too.
    if (needs) await repository.forgetSignInAttempt(db, attempt.id);
    else await repository.signInAttemptSucceeded(db, attempt.id, attempt.key, attempt.address);
    const token = await this.sessions.start(principal, !needs);
    return {
      ok: true,
      token,
      secondFactor: needs ? (m.totpEnabledAt ? 'verify' : 'enrol') : null,
    };
  }

  async setPassword(staffId: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.deps.database.transaction((tx) => this.storePasswordHash(tx.db, staffId, hash));
  }

  /**
   * The write behind setPassword, on the caller's db or transaction (hash first, outside it). A
   * new password ends every session of that person, in every process at once (ADR 0018).
   */
  async storePasswordHash(db: Db, staffId: string, passwordHash: string): Promise<void> {
    await this.deps.people.updateStaffAuth(db, staffId, {
      passwordHash,
      failedAttempts: 0,
      lockedUntil: null,
    });
    await this.deps.repository.deleteSessionsFor(db, staffId);
  }
}
