import { Secret, TOTP } from 'otpauth';
import { LRUCache } from 'lru-cache';
import type { Database, Db, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { formatDateTimeInWords } from '../../web/dates.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import {
  burnPasswordCheck,
  hashPassword,
  randomToken,
  sha256,
  verifyPassword,
  type SecretBox,
} from '../../platform/crypto.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { PeopleRepository } from '../people/people.repository.ts';
import type { StaffInvitationJob } from '../people/people.service.ts';
import { ValidationError } from '../../errors.ts';
import type { AuthRepository, SessionRow } from './auth.repository.ts';
import { secondFactorRoles, staffRoles, type Principal, type StaffRole } from './principal.ts';
import {
  accountKey,
  clientKey,
  decideThrottle,
  THROTTLE_WINDOW_MINUTES,
  USUAL_DAYS,
  ADDRESS_FACTOR,
} from './sign-in-throttle.ts';

/** The auth module's emailing jobs and their payloads. */
interface AuthJobPayloads {
  'auth.sign-in-link': SignInLinkJob;
  'auth.staff-invitation': StaffInvitationJob;
}

/** Enqueues the job that emails sign-in links; runs queued emailing jobs at once. */
export interface SignInLinkJobs {
  enqueue(
    name: 'auth.sign-in-link',
    data: SignInLinkJob,
    options: { tx: Tx },
  ): Promise<string | null>;
  /** Runs this process's share of queued jobs of that name now (no wait for a worker's poll). */
  runNow?<N extends keyof AuthJobPayloads>(
    name: N,
    handler: (data: AuthJobPayloads[N]) => Promise<void>,
  ): void;
}

/** How long a staff invitation's "set your password" link works. */
export const STAFF_INVITATION_TTL_DAYS = 7;

/** The `principal_kind` of a staff invitation in `sign_in_links`: it sets a password, never signs in. */
export const STAFF_INVITATION = 'staff_invitation';

/** Where a member of staff's invitation stands, for the staff page. */
export type InvitationState =
  | { state: 'password-set'; acceptedAt: Date | null }
  | { state: 'not-sent' }
  | { state: 'pending'; sentAt: Date; expiresAt: Date }
  | { state: 'expired'; sentAt: Date; expiresAt: Date };

/** What following a "set your password" link found, or did. */
export type InvitationLinkStatus = 'ok' | 'used' | 'expired' | 'unknown';

/** Who a sign-in link email goes to: ids only, the job reloads the rest. */
export interface SignInLinkJob {
  targets: { kind: 'parent' | 'pupil'; id: string; schoolId: string }[];
}

export type SecondFactorState = 'verify' | 'enrol' | null;

export interface LoadedSession {
  sessionId: string;
  principal: Principal;
  /** What the person must still do before anything else: verify a code, or set up an app. */
  secondFactor: SecondFactorState;
}

export type SignInResult =
  | { ok: true; token: string; secondFactor: SecondFactorState }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** A second-factor code: accepted (with the new session's token), wrong, or too many tries. */
export type CodeResult =
  | { ok: true; token: string }
  | { ok: false; reason: 'invalid' | 'ended' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export type LinkResult =
  | { ok: true; token: string; principal: Principal; nextPath: string }
  | { ok: false; reason: 'used' | 'expired' | 'unknown' };

/** What asking for a fresh copy of a used or expired link did. */
export type LinkRenewal = 'sent' | 'still-valid' | 'limited' | 'no-email' | 'unknown';

export interface CreateLinkInput {
  schoolId: string;
  principalKind: 'parent' | 'pupil';
  principalId: string;
  /** Where the link lands after sign-in: a same-site path such as '/consent/family'. */
  nextPath?: string | null | undefined;
  /** Longer than a sign-in link's for forms sent by the school (a campaign, a reminder). */
  ttlMinutes?: number | undefined;
}

/** At most this many links per person in RENEW_WINDOW_MINUTES when they ask for a new one. */
const RENEW_MAX_LINKS = 3;
const RENEW_WINDOW_MINUTES = 15;
const MAX_LINK_TTL_MINUTES = 60 * 24 * 30;

/** Only same-site relative paths may follow a link: never an absolute or protocol-relative URL. */
export function safeLinkPath(path: string | null | undefined): string {
  return path && /^\/(?!\/)[^\s\\]*$/.test(path) && !path.startsWith('/sign-') ? path : '/';
}

interface AuthConfig {
  sessionTtlHours: number;
  linkTtlMinutes: number;
  loginMaxAttempts: number;
  baseUrl: string;
}

const CACHE_MS = 5_000;
/** API tokens whose principal a process keeps (valid tokens only; see ADR 0016). */
export const API_TOKENS_CACHED = 1_000;

function asRoles(roles: string[]): StaffRole[] {
  return roles.filter((r): r is StaffRole => (staffRoles as readonly string[]).includes(r));
}

/** '30 minutes', '7 days'. */
function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}

export class AuthService {
  private readonly cache = new Map<string, { at: number; value: LoadedSession | null }>();
  /**
   * Valid API tokens by their SHA-256 (never the token itself), least recently used dropped
   * first: a stream of made-up tokens reads the database each time and adds nothing here.
   */
  private readonly apiTokens = new LRUCache<string, { at: number; value: LoadedSession }>({
    max: API_TOKENS_CACHED,
  });

  constructor(
    private readonly deps: {
      database: Database;
      repository: AuthRepository;
      people: PeopleRepository;
      audit: AuditService;
      clock: Clock;
      mailer: Mailer;
      secretBox: SecretBox;
      config: AuthConfig;
      jobs?: SignInLinkJobs;
      issuer?: string;
    },
  ) {}

  private expiry(): Date {
    return new Date(this.deps.clock.now().getTime() + this.deps.config.sessionTtlHours * 3_600_000);
  }

  private async startSession(principal: Principal, secondFactorDone: boolean): Promise<string> {
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
   * Records an attempt (as a failure until it succeeds) and asks the throttle whether this
   * address may try this account now. The attempt is written first, so parallel guesses all
   * count before any password is checked.
   */
  private async throttle(
    email: string,
    ip: string,
    kind: 'password' | 'code',
  ): Promise<{ id: number; key: string; address: string; retryAfterSeconds: number | null }> {
    const { database, repository, clock, config } = this.deps;
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

  /**
   * Staff and organisation admins: email + password. Throttled per address and account (never a
   * lock-out an outsider can trigger); a known, an unknown and a throttled address get the same
   * work and the same answers.
   */
  async signInWithPassword(email: string, password: string, ip = 'unknown'): Promise<SignInResult> {
    const { database, people, repository } = this.deps;
    const db = database.db;
    const attempt = await this.throttle(email, ip, 'password');
    if (attempt.retryAfterSeconds !== null) {
      // Same cost as a real check, so a throttled answer is not faster than a wrong password.
      await burnPasswordCheck(password);
      return { ok: false, reason: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    }
    const member = await people.getStaffByEmail(db, email);
    const admin = member ? undefined : await repository.getOrganisationAdminByEmail(db, email);
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
      const token = await this.startSession(
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
    const token = await this.startSession(principal, !needs);
    return {
      ok: true,
      token,
      secondFactor: needs ? (m.totpEnabledAt ? 'verify' : 'enrol') : null,
    };
  }

  /** Resolves a session cookie to a principal. Cached for a few seconds per process. */
  async loadSession(token: string): Promise<LoadedSession | null> {
    const id = sha256(token);
    const hit = this.cache.get(id);
    const nowMs = this.deps.clock.now().getTime();
    if (hit && nowMs - hit.at < CACHE_MS) return hit.value;
    const value = await this.loadSessionFresh(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { at: nowMs, value });
    return value;
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

  private async principalFor(session: SessionRow): Promise<Principal | null> {
    const { database, people, repository } = this.deps;
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
        const a = await repository.getOrganisationAdmin(db, session.principalId);
        return a
          ? { kind: 'org_admin', id: a.id, organisationId: a.organisationId, name: a.name }
          : null;
      }
      default:
        return null;
    }
  }

  private totp(secretBase32: string, label: string): TOTP {
    return new TOTP({
      issuer: this.deps.issuer ?? 'Lanyard',
      label,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: Secret.fromBase32(secretBase32),
    });
  }

  /**
   * Checks a code (±1 step for clock drift) and returns its time step, or null. A step at or
   * before `lastStep` is refused, so a code cannot be replayed (RFC 6238 §5.2).
   */
  private checkCode(secretBase32: string, code: string, lastStep: number | null): number | null {
    const token = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const now = this.deps.clock.now().getTime();
    const delta = this.totp(secretBase32, 'check').validate({ token, timestamp: now, window: 1 });
    if (delta === null) return null;
    const step = Math.floor(now / 30_000) + delta;
    if (lastStep !== null && step <= lastStep) return null;
    return step;
  }

  /** Starts (or restarts) setting up an authenticator app; returns the QR code as inline SVG. */
  async beginTotpEnrolment(staffId: string): Promise<{ secret: string; qrSvg: string }> {
    const { database, people, secretBox } = this.deps;
    const member = await people.getStaffById(database.db, staffId);
    if (!member) throw new Error('Unknown staff member');
    let secret: string;
    if (member.totpSecret && !member.totpEnabledAt) {
      secret = secretBox.open(member.totpSecret);
    } else {
      secret = new Secret({ size: 20 }).base32;
      await people.updateStaffAuth(database.db, staffId, {
        totpSecret: secretBox.seal(secret),
        totpEnabledAt: null,
      });
    }
    const uri = this.totp(secret, member.email).toString();
    // qrcode is loaded only when someone sets up a second factor (ADR 0010).
    const { default: QRCode } = await import('qrcode');
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret, qrSvg };
  }

  /**
   * The second factor is done: a new session (new id, new cookie) replaces the half-signed-in
   * one, so a session id anyone saw before the code was entered is worth nothing after it.
   */
  private async renewSession(sessionId: string, staffId: string): Promise<string> {
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
    this.cache.delete(sessionId);
    return token;
  }

  /**
   * Checks a code for a half-signed-in session. The code's time step is used atomically (one of
   * any number of parallel requests with the same code wins); wrong codes count towards the same
   * throttle as passwords, and the session ends once this address has used up its attempts.
   */
  private async useCode(
    staffId: string,
    sessionId: string,
    code: string,
    ip: string,
    mode: 'verify' | 'enrol',
  ): Promise<CodeResult> {
    const { database, people, secretBox, repository, clock, config } = this.deps;
    const member = await people.getStaffById(database.db, staffId);
    if (!member?.totpSecret) return { ok: false, reason: 'invalid' };
    if (mode === 'verify' && !member.totpEnabledAt) return { ok: false, reason: 'invalid' };
    if (mode === 'enrol' && member.totpEnabledAt) return { ok: false, reason: 'invalid' };
    const attempt = await this.throttle(member.email, ip, 'code');
    if (attempt.retryAfterSeconds !== null) {
      await repository.deleteSession(database.db, sessionId);
      this.cache.delete(sessionId);
      return { ok: false, reason: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    }
    const step = this.checkCode(secretBox.open(member.totpSecret), code, member.totpLastStep);
    const used =
      step !== null &&
      (mode === 'verify'
        ? await repository.useTotpStep(database.db, staffId, step)
        : await database.transaction(async (tx) => {
            if (!(await repository.useTotpStep(tx.db, staffId, step, { enrol: clock.now() })))
              return false;
            await this.deps.audit.record(tx, {
              schoolId: member.schoolId,
              actor: { kind: 'staff', id: staffId },
              action: 'auth.second-factor-enrolled',
              entityType: 'staff',
              entityId: staffId,
            });
            return true;
          }));
    if (!used) {
      // Out of attempts from here: end the half-signed-in session (sign in again later).
      const after = await repository.throttleFacts(database.db, {
        accountKey: attempt.key,
        address: attempt.address,
        since: new Date(clock.now().getTime() - THROTTLE_WINDOW_MINUTES * 60_000),
        usualSince: clock.now(),
        pairLimit: config.loginMaxAttempts,
        addressLimit: 1,
      });
      if (after.pairNth) {
        await repository.deleteSession(database.db, sessionId);
        this.cache.delete(sessionId);
        return { ok: false, reason: 'ended' };
      }
      return { ok: false, reason: 'invalid' };
    }
    await repository.signInAttemptSucceeded(database.db, attempt.id, attempt.key, attempt.address);
    return { ok: true, token: await this.renewSession(sessionId, staffId) };
  }

  async confirmTotpEnrolment(
    staffId: string,
    sessionId: string,
    code: string,
    ip = 'unknown',
  ): Promise<CodeResult> {
    return this.useCode(staffId, sessionId, code, ip, 'enrol');
  }

  async verifySecondFactor(
    staffId: string,
    sessionId: string,
    code: string,
    ip = 'unknown',
  ): Promise<CodeResult> {
    return this.useCode(staffId, sessionId, code, ip, 'verify');
  }

  /**
   * "Email me a sign-in link". The same work whatever the address: two indexed look-ups and one
   * job enqueued in a transaction (carrying ids, never the address). The job creates the links and
   * sends the emails, so a known address answers as fast as an unknown one and says nothing.
   */
  async requestSignInLink(email: string): Promise<void> {
    const { database, people, jobs } = this.deps;
    const db = database.db;
    const [parents, pupils] = await Promise.all([
      people.findParentsByEmail(db, email),
      people.findPupilsByEmail(db, email),
    ]);
    const data: SignInLinkJob = {
      targets: [
        ...parents.map((p) => ({ kind: 'parent' as const, id: p.id, schoolId: p.schoolId })),
        ...pupils.map((p) => ({ kind: 'pupil' as const, id: p.id, schoolId: p.schoolId })),
      ],
    };
    if (!jobs) {
      await this.sendSignInLinks(data);
      return;
    }
    await database.transaction(async (tx) => {
      await jobs.enqueue('auth.sign-in-link', data, { tx });
    });
  }

  /**
   * Called once the answer to a link request has gone: this process sends the queued links now
   * rather than at a worker's next poll. Off the request path, so it adds nothing to its time.
   */
  deliverQueuedSignInLinks(): void {
    this.deps.jobs?.runNow?.('auth.sign-in-link', (d) => this.sendSignInLinks(d));
  }

  /** The job: a fresh one-time link for each person, emailed to the address the school holds. */
  async sendSignInLinks(data: SignInLinkJob): Promise<void> {
    const { database, people, repository, clock, mailer, config } = this.deps;
    const db = database.db;
    for (const t of data.targets) {
      const person =
        t.kind === 'parent'
          ? await people.getParent(db, t.schoolId, t.id)
          : await people.getPupil(db, t.schoolId, t.id);
      if (!person?.email) continue;
      const now = clock.now();
      const token = randomToken();
      const expiresAt = new Date(now.getTime() + config.linkTtlMinutes * 60_000);
      await repository.createLink(db, {
        schoolId: t.schoolId,
        tokenHash: sha256(token),
        principalKind: t.kind,
        principalId: t.id,
        createdAt: now,
        expiresAt,
      });
      const school = await people.getSchool(db, t.schoolId);
      await mailer.send({
        to: person.email,
        subject: `Your sign-in link for ${school?.name ?? 'Lanyard'}`,
        text: [
          `Hello ${person.givenName},`,
          '',
          `Use this link to sign in to ${school?.name ?? 'your school'} on Lanyard:`,
          `${config.baseUrl}/sign-in/link/${token}`,
          '',
          `The link works once and expires in ${describeMinutes(config.linkTtlMinutes)} (${formatDateTimeInWords(expiresAt)}).`,
          'If you did not ask for it, you can ignore this email.',
        ].join('\n'),
      });
    }
  }

  async checkSignInLink(token: string): Promise<'ok' | 'used' | 'expired' | 'unknown'> {
    const link = await this.deps.repository.getLinkByHash(this.deps.database.db, sha256(token));
    // Only parents' and pupils' links sign in: a staff invitation only sets a password.
    if (!link || (link.principalKind !== 'parent' && link.principalKind !== 'pupil'))
      return 'unknown';
    if (link.usedAt) return 'used';
    if (link.expiresAt <= this.deps.clock.now()) return 'expired';
    return 'ok';
  }

  /**
   * A one-time link for one parent or pupil that lands on `nextPath` (the consent form). Runs on
   * the caller's db or transaction, so a campaign can create links with its own rows; the caller
   * sends the email. Returns the full URL.
   */
  async createSignInLink(db: Db, input: CreateLinkInput): Promise<string> {
    const { clock, config, repository } = this.deps;
    const ttl = Math.min(
      Math.max(1, Math.round(input.ttlMinutes ?? config.linkTtlMinutes)),
      MAX_LINK_TTL_MINUTES,
    );
    const now = clock.now();
    const token = randomToken();
    await repository.createLink(db, {
      schoolId: input.schoolId,
      tokenHash: sha256(token),
      principalKind: input.principalKind,
      principalId: input.principalId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttl * 60_000),
      nextPath: input.nextPath ? safeLinkPath(input.nextPath) : null,
    });
    return `${config.baseUrl}/sign-in/link/${token}`;
  }

  /**
   * "This link has been used or has expired: send me a new one." Emails a fresh link, landing on
   * the same page and lasting as long as the old one did, to the address the school holds for
   * the same person; never reveals it. At most RENEW_MAX_LINKS links per person in
   * RENEW_WINDOW_MINUTES.
   */
  async renewSignInLink(oldToken: string): Promise<LinkRenewal> {
    const { database, repository, people, clock, mailer } = this.deps;
    const db = database.db;
    const old = await repository.getLinkByHash(db, sha256(oldToken));
    if (!old || (old.principalKind !== 'parent' && old.principalKind !== 'pupil')) return 'unknown';
    const now = clock.now();
    if (!old.usedAt && old.expiresAt > now) return 'still-valid';
    const person =
      old.principalKind === 'parent'
        ? await people.getParent(db, old.schoolId, old.principalId)
        : await people.getPupil(db, old.schoolId, old.principalId);
    if (!person) return 'unknown';
    if (!person.email) return 'no-email';
    const since = new Date(now.getTime() - RENEW_WINDOW_MINUTES * 60_000);
    if (
      (await repository.countLinksSince(db, old.principalKind, old.principalId, since)) >=
      RENEW_MAX_LINKS
    )
      return 'limited';
    const ttlMinutes = Math.round((old.expiresAt.getTime() - old.createdAt.getTime()) / 60_000);
    const url = await this.createSignInLink(db, {
      schoolId: old.schoolId,
      principalKind: old.principalKind,
      principalId: old.principalId,
      nextPath: old.nextPath,
      ttlMinutes,
    });
    const school = await people.getSchool(db, old.schoolId);
    const schoolName = school?.name ?? 'your school';
    await mailer.send({
      to: person.email,
      subject: `Your new link for ${schoolName}`,
      text: [
        `Hello ${person.givenName},`,
        '',
        'You asked for a new link because the last one had been used or had expired.',
        `Use this link to continue with ${schoolName} on Lanyard:`,
        url,
        '',
        `The link works once and expires in ${describeMinutes(ttlMinutes)} (${formatDateTimeInWords(new Date(now.getTime() + ttlMinutes * 60_000))}).`,
        'If you did not ask for it, you can ignore this email.',
      ].join('\n'),
    });
    return 'sent';
  }

  async consumeSignInLink(token: string): Promise<LinkResult> {
    const { database, repository, clock } = this.deps;
    const status = await this.checkSignInLink(token);
    if (status !== 'ok') return { ok: false, reason: status };
    const link = (await repository.getLinkByHash(database.db, sha256(token)))!;
    if (link.principalKind !== 'parent' && link.principalKind !== 'pupil')
      return { ok: false, reason: 'unknown' };
    if (!(await repository.useLink(database.db, link.id, clock.now())))
      return { ok: false, reason: 'used' };
    const principal = await this.principalFor({
      id: '',
      principalKind: link.principalKind,
      principalId: link.principalId,
      schoolId: link.schoolId,
      organisationId: null,
      secondFactorDone: true,
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
      lastSeenAt: link.createdAt,
    });
    if (!principal) return { ok: false, reason: 'unknown' };
    return {
      ok: true,
      token: await this.startSession(principal, true),
      principal,
      nextPath: safeLinkPath(link.nextPath),
    };
  }

  async signOut(token: string): Promise<void> {
    const id = sha256(token);
    await this.deps.repository.deleteSession(this.deps.database.db, id);
    this.cache.delete(id);
  }

  async setPassword(staffId: string, password: string): Promise<void> {
    await this.storePasswordHash(this.deps.database.db, staffId, await hashPassword(password));
  }

  /** The write behind setPassword, on the caller's db or transaction (hash first, outside it). */
  private async storePasswordHash(db: Db, staffId: string, passwordHash: string): Promise<void> {
    await this.deps.people.updateStaffAuth(db, staffId, {
      passwordHash,
      failedAttempts: 0,
      lockedUntil: null,
    });
  }

  /**
   * The job after a member of staff is added or invited again: a one-time "set your password"
   * link, emailed to them. Reloads the account and does nothing if it is gone, deactivated or has
   * a password, or if an invitation was already created for this request (safe to run twice). Only
   * the newest invitation works: older unused ones are used up with it.
   */
  async sendStaffInvitation(data: StaffInvitationJob): Promise<void> {
    const { database, people, repository, clock, mailer, config } = this.deps;
    const db = database.db;
    const member = await people.getStaffById(db, data.staffId);
    if (!member || !member.active || member.passwordHash) return;
    const latest = await repository.latestLinkFor(db, STAFF_INVITATION, member.id);
    if (latest && latest.createdAt.getTime() >= new Date(data.requestedAt).getTime()) return;
    const now = clock.now();
    const token = randomToken();
    const expiresAt = new Date(now.getTime() + STAFF_INVITATION_TTL_DAYS * 86_400_000);
    const linkId = await database.transaction(async (tx) => {
      await repository.useAllLinksFor(tx.db, STAFF_INVITATION, member.id, now);
      return repository.createLink(tx.db, {
        schoolId: member.schoolId,
        tokenHash: sha256(token),
        principalKind: STAFF_INVITATION,
        principalId: member.id,
        createdAt: now,
        expiresAt,
      });
    });
    const school = await people.getSchool(db, member.schoolId);
    const schoolName = school?.name ?? 'your school';
    const needsSecondFactor = member.roles.some((r) =>
      (secondFactorRoles as readonly string[]).includes(r),
    );
    try {
      await mailer.send({
        to: member.email,
        subject: `Set your password for Lanyard at ${schoolName}`,
        text: [
          `Hello ${member.givenName},`,
          '',
          `${schoolName} has given you an account on Lanyard, where the school keeps its photo consent register and its social media rules.`,
          'Use this link to set your password:',
          `${config.baseUrl}/set-password/${token}`,
          '',
          `The link works once and expires in ${STAFF_INVITATION_TTL_DAYS} days, on ${formatDateTimeInWords(expiresAt)}.`,
          `Then sign in at ${config.baseUrl}/sign-in with this email address and your new password.`,
          ...(needsSecondFactor
            ? [
                'Because of your role, the first time you sign in you will also set up two-step sign-in with an authenticator app on your phone.',
              ]
            : []),
          '',
          'If the link has expired, ask your Headteacher or business manager to send you a new invitation.',
        ].join('\n'),
      });
    } catch (error) {
      // Not sent: the job's retry makes a new link rather than finding this one already made.
      await repository.deleteLink(db, linkId);
      throw error;
    }
  }

  /** Runs this process's queued invitations now (after the request that enqueued them). */
  deliverQueuedStaffInvitations(): void {
    this.deps.jobs?.runNow?.('auth.staff-invitation', (d) => this.sendStaffInvitation(d));
  }

  /**
   * A "set your password" link and the account it is for, if it can still be used: an unused,
   * unexpired staff invitation of an active account that has no password yet. Any other link (a
   * parent's sign-in link among them) is unknown here.
   */
  private async invitationFor(token: string) {
    const { database, people, clock } = this.deps;
    const link = await this.deps.repository.getLinkByHash(database.db, sha256(token));
    if (!link || link.principalKind !== STAFF_INVITATION)
      return { status: 'unknown' as const, link: null, member: null };
    const member = await people.getStaffById(database.db, link.principalId);
    if (!member || !member.active || member.schoolId !== link.schoolId)
      return { status: 'unknown' as const, link: null, member: null };
    if (link.usedAt || member.passwordHash) return { status: 'used' as const, link, member };
    if (link.expiresAt <= clock.now()) return { status: 'expired' as const, link, member };
    return { status: 'ok' as const, link, member };
  }

  /** Whether a "set your password" link can be used, and for which address (shown on its page). */
  async checkStaffInvitation(
    token: string,
  ): Promise<{ status: InvitationLinkStatus; email: string | null }> {
    const found = await this.invitationFor(token);
    return { status: found.status, email: found.status === 'ok' ? found.member.email : null };
  }

  /**
   * Sets the password from an invitation link. The link is used up by a conditional update in the
   * same transaction as the password and the `auth.password-set` audit event, so one of any number
   * of parallel requests wins and a failed write leaves the link usable. Throws ValidationError
   * (field `password`) for the account's own email address as the password.
   */
  async acceptStaffInvitation(
    token: string,
    password: string,
  ): Promise<{ ok: true } | { ok: false; reason: Exclude<InvitationLinkStatus, 'ok'> }> {
    const { database, repository, people, clock, audit } = this.deps;
    const found = await this.invitationFor(token);
    if (found.status !== 'ok') return { ok: false, reason: found.status };
    const { link, member } = found;
    if (password.trim().toLowerCase() === member.email.toLowerCase())
      throw new ValidationError({ password: 'Your password must not be your email address' });
    const passwordHash = await hashPassword(password);
    return database.transaction(async (tx) => {
      const now = clock.now();
      if (!(await repository.useLink(tx.db, link.id, now)))
        return { ok: false as const, reason: 'used' as const };
      // Deactivated (or given a password) since the link was checked: the link is used up.
      const fresh = await people.getStaffById(tx.db, member.id);
      if (!fresh?.active) return { ok: false as const, reason: 'unknown' as const };
      if (fresh.passwordHash) return { ok: false as const, reason: 'used' as const };
      await this.storePasswordHash(tx.db, member.id, passwordHash);
      await repository.useAllLinksFor(tx.db, STAFF_INVITATION, member.id, now);
      await audit.record(tx, {
        schoolId: member.schoolId,
        actor: { kind: 'staff', id: member.id },
        action: 'auth.password-set',
        entityType: 'staff',
        entityId: member.id,
        data: { from: 'invitation' },
      });
      return { ok: true as const };
    });
  }

  /** Where a member of staff's invitation stands (the staff page). */
  async invitationState(member: {
    id: string;
    passwordHash: string | null;
  }): Promise<InvitationState> {
    const latest = await this.deps.repository.latestLinkFor(
      this.deps.database.db,
      STAFF_INVITATION,
      member.id,
    );
    if (member.passwordHash) return { state: 'password-set', acceptedAt: latest?.usedAt ?? null };
    if (!latest) return { state: 'not-sent' };
    if (!latest.usedAt && latest.expiresAt > this.deps.clock.now())
      return { state: 'pending', sentAt: latest.createdAt, expiresAt: latest.expiresAt };
    return { state: 'expired', sentAt: latest.createdAt, expiresAt: latest.expiresAt };
  }

  async createApiToken(staffId: string, schoolId: string, name: string): Promise<string> {
    const token = `lny_${randomToken()}`;
    await this.deps.database.transaction(async (tx) => {
      const id = await this.deps.repository.createApiToken(tx.db, {
        schoolId,
        staffId,
        name,
        tokenHash: sha256(token),
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: { kind: 'staff', id: staffId },
        action: 'auth.api-token-created',
        entityType: 'api_token',
        entityId: id,
      });
    });
    return token;
  }

  async principalForApiToken(token: string): Promise<Principal | null> {
    const key = sha256(token);
    const hit = this.apiTokens.get(key);
    const now = this.deps.clock.now();
    if (hit && now.getTime() - hit.at < CACHE_MS) return hit.value.principal;
    const row = await this.deps.repository.getLiveApiToken(this.deps.database.db, key);
    let value: LoadedSession | null = null;
    if (row) {
      const m = await this.deps.people.getStaffById(this.deps.database.db, row.staffId);
      if (m && m.active && m.schoolId === row.schoolId) {
        await this.deps.repository.touchApiToken(this.deps.database.db, row.id, now);
        value = {
          sessionId: `api:${row.id}`,
          secondFactor: null,
          principal: {
            kind: 'staff',
            id: m.id,
            schoolId: m.schoolId,
            roles: asRoles(m.roles),
            name: `${m.givenName} ${m.familyName}`,
          },
        };
      }
    }
    if (value) this.apiTokens.set(key, { at: now.getTime(), value });
    else this.apiTokens.delete(key);
    return value?.principal ?? null;
  }

  /** How many API tokens this process holds in memory (tests: the bound holds). */
  get cachedApiTokens(): number {
    return this.apiTokens.size;
  }

  /** Counts a request against a per-address rate limit shared by every process (web/rate-limit-store). */
  hitRateLimit(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    return this.deps.repository.hitRateLimit(this.deps.database.db, key, windowMs);
  }

  peekRateLimit(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    return this.deps.repository.peekRateLimit(this.deps.database.db, key, windowMs);
  }

  /** Seals a TOTP secret for storage (used when seeding the demo school). */
  sealTotpSecret(secretBase32: string): string {
    return this.deps.secretBox.seal(secretBase32);
  }

  /** The current code for a staff member's authenticator (demo and tests only). */
  async currentCode(email: string): Promise<string | null> {
    const member = await this.deps.people.getStaffByEmail(this.deps.database.db, email);
    if (!member?.totpSecret) return null;
    return this.totp(this.deps.secretBox.open(member.totpSecret), email).generate({
      timestamp: this.deps.clock.now().getTime(),
    });
  }

  /** Hourly: expired sessions, and sign-in attempts older than the "usual address" period. */
  async sweepExpiredSessions(): Promise<number> {
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
