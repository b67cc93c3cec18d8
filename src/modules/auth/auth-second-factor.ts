/**
 * The second factor: setting up an authenticator app (TOTP enrolment), checking its codes for a
 * half-signed-in session, and the demo/test helpers that seal a secret or read the current code.
 */
import { Secret, TOTP } from 'otpauth';
import { THROTTLE_WINDOW_MINUTES } from './sign-in-throttle.ts';
import type { AuthDeps } from './auth-deps.ts';
import type { AuthSessions } from './auth-sessions.ts';
import { countSignInAttempt } from './auth-passwords.ts';

/** A second-factor code: accepted (with the new session's token), wrong, or too many tries. */
export type CodeResult =
  | { ok: true; token: string }
  | { ok: false; reason: 'invalid' | 'ended' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export class AuthSecondFactor {
  constructor(
    private readonly deps: AuthDeps,
    private readonly sessions: AuthSessions,
  ) {}

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
    const attempt = await countSignInAttempt(this.deps, member.email, ip, 'code');
    if (attempt.retryAfterSeconds !== null) {
      await this.sessions.end(sessionId);
      return { ok: false, reason: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    }
    const step = this.checkCode(secretBox.open(member.totpSecret), code, member.totpLastStep);
    const used =
      step !== null &&
      (mode === 'verify'
        ? await people.useTotpStep(database.db, staffId, step)
        : await database.transaction(async (tx) => {
            if (!(await people.useTotpStep(tx.db, staffId, step, { enrol: clock.now() })))
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
        await this.sessions.end(sessionId);
        return { ok: false, reason: 'ended' };
      }
      return { ok: false, reason: 'invalid' };
    }
    await repository.signInAttemptSucceeded(database.db, attempt.id, attempt.key, attempt.address);
    return { ok: true, token: await this.sessions.renew(sessionId, staffId) };
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
}
