/**
 * Sessions: starting one, resolving a session cookie to a principal (with this process's session
 * cache), renewing one after the second factor, ending one, and the hourly sweep. The session
 * cache lives here and only here: every read and every drop of it is in this class.
 */
import type { Principal } from './principal.ts';
import type { SessionRow } from './auth.repository.ts';
import { randomToken, sha256 } from '../../platform/crypto.ts';
import { USUAL_DAYS } from './sign-in-throttle.ts';
import { asRoles, CACHE_MS, type AuthDeps } from './auth-deps.ts';

export type SecondFactorState = 'verify' | 'enrol' | null;

export interface LoadedSession {
  sessionId: string;
  principal: Principal;
  /** What the person must still do before anything else: verify a code, or set up an app. */
  secondFactor: SecondFactorState;
}

/** A session this process has resolved, and how to tell whether it is still current. */
interface CachedSession {
  at: number;
  /** The school whose version covers it (a trust admin's: the organisation). */
  scope: string;
  /**
   * The scope's version, read before the session was loaded; null when it was loaded before the
   * scope was known (the first request), so the next request loads it again with a version.
   */
  version: number | null;
  value: LoadedSession;
}

export class AuthSessions {
  /**
   * The session cache: session id (the cookie's SHA-256) → what it resolved to. An entry is used
   * only after its school's version (ADR 0018) has been read and found unchanged since it was
   * loaded, so signing out, a new password, deactivation, a role change or a second factor done
   * through any process stops or changes the session on every process's next request (the
   * database's triggers bump the version for each of those). It is reloaded after CACHE_MS even
   * if nothing changed (so "last seen" is kept up), and emptied past 10,000 entries. Unknown or
   * expired cookies are not kept. This process also drops an entry at once when it signs out,
   * renews or ends the session (see `forget`).
   */
  private readonly cache = new Map<string, CachedSession>();

  constructor(private readonly deps: AuthDeps) {}

  expiry(): Date {
    return new Date(this.deps.clock.now().getTime() + this.deps.config.sessionTtlHours * 3_600_000);
  }

  async start(principal: Principal, secondFactorDone: boolean): Promise<string> {
    const token = randomToken();
    await this.deps.repository.createSession(this.deps.database.db, {
      id: sha256(token),
      principalKind: principal.kind,
      principalId: principal.id,
      schoolId: principal.kind === 'org_admin' ? null : principal.schoolId,
      organisationId: principal.kind === 'org_admin' ? principal.organisationId : null,
      secondFactorDone,
      expiresAt: this.expiry(),
    });
    return token;
  }

  /**
   * Resolves a session cookie to a principal: from this process's cache when the school's version
   * (read after the request arrived, once per request; one statement shared by every request
   * waiting) says nothing changed.
   */
  async loadSession(token: string): Promise<LoadedSession | null> {
    const id = sha256(token);
    const hit = this.cache.get(id);
    const nowMs = this.deps.clock.now().getTime();
    let version: number | null = null;
    if (hit) {
      version = await this.deps.database.version(hit.scope);
      if (hit.version !== null && hit.version >= version && nowMs - hit.at < CACHE_MS)
        return hit.value;
    }
    const value = await this.loadSessionFresh(id);
    if (!value) {
      this.cache.delete(id);
      return null;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    const p = value.principal;
    const scope = p.kind === 'org_admin' ? p.organisationId : p.schoolId;
    this.cache.set(id, { at: nowMs, scope, version: hit?.scope === scope ? version : null, value });
    return value;
  }

  /** Drops a session from this process's cache (after it was deleted or replaced). */
  forget(sessionId: string): void {
    this.cache.delete(sessionId);
  }

  /** Deletes a session and drops it from the cache. */
  async end(sessionId: string): Promise<void> {
    await this.deps.repository.deleteSession(this.deps.database.db, sessionId);
    this.forget(sessionId);
  }

  private async loadSessionFresh(id: string): Promise<LoadedSession | null> {
    const { database, repository, people, clock } = this.deps;
    const db = database.db;
    const now = clock.now();
    const session = await repository.getLiveSession(db, id, now);
    if (!session) return null;
    const principal = await this.principalFor(session);
    if (!principal) return null;
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      await repository.touchSession(db, id, now, this.expiry());
    }
    let secondFactor: SecondFactorState = null;
    if (!session.secondFactorDone && principal.kind === 'staff') {
      const member = await people.getStaffById(db, principal.id);
      secondFactor = member?.totpEnabledAt ? 'verify' : 'enrol';
    }
    return { sessionId: id, principal, secondFactor };
  }

  async principalFor(session: SessionRow): Promise<Principal | null> {
    const { database, people } = this.deps;
    const db = database.db;
    switch (session.principalKind) {
      case 'staff': {
        const m = await people.getStaffById(db, session.principalId);
        if (!m || !m.active) return null;
        return {
          kind: 'staff',
          id: m.id,
          schoolId: m.schoolId,
          roles: asRoles(m.roles),
          name: `${m.givenName} ${m.familyName}`,
        };
      }
      case 'parent': {
        const p = await people.getParent(db, session.schoolId ?? '', session.principalId);
        return p
          ? {
              kind: 'parent',
              id: p.id,
              schoolId: p.schoolId,
              name: `${p.givenName} ${p.familyName}`,
            }
          : null;
      }
      case 'pupil': {
        const p = await people.getPupil(db, session.schoolId ?? '', session.principalId);
        return p
          ? {
              kind: 'pupil',
              id: p.id,
              schoolId: p.schoolId,
              name: `${p.givenName} ${p.familyName}`,
            }
          : null;
      }
      case 'org_admin': {
        const a = await people.getOrganisationAdmin(db, session.principalId);
        return a
          ? { kind: 'org_admin', id: a.id, organisationId: a.organisationId, name: a.name }
          : null;
      }
      default:
        return null;
    }
  }

  /**
   * The second factor is done: a new session (new id, new cookie) replaces the half-signed-in
   * one, so a session id anyone saw before the code was entered is worth nothing after it.
   */
  async renew(sessionId: string, staffId: string): Promise<string> {
    const { database, people, repository } = this.deps;
    const m = await people.getStaffById(database.db, staffId);
    if (!m) throw new Error('Unknown staff member');
    const token = randomToken();
    await database.transaction(async (tx) => {
      await repository.deleteSession(tx.db, sessionId);
      await repository.createSession(tx.db, {
        id: sha256(token),
        principalKind: 'staff',
        principalId: m.id,
        schoolId: m.schoolId,
        organisationId: null,
        secondFactorDone: true,
        expiresAt: this.expiry(),
      });
    });
    this.forget(sessionId);
    return token;
  }

  async signOut(token: string): Promise<void> {
    await this.end(sha256(token));
  }

  /** Hourly: expired sessions, and sign-in attempts older than the "usual address" period. */
  async sweepExpired(): Promise<number> {
    const { repository, database, clock } = this.deps;
    const now = clock.now();
    await repository.deleteSignInAttemptsBefore(
      database.db,
      new Date(now.getTime() - USUAL_DAYS * 86_400_000),
    );
    // Rate-limit windows are a minute long; an hour-old counter is over.
    await repository.deleteRateLimitHitsBefore(database.db, new Date(now.getTime() - 3_600_000));
    return repository.deleteExpiredSessions(database.db, now);
  }
}
