/**
 * Staff invitations: the job that emails a new member of staff a one-time "set your password"
 * link, checking and accepting that link, and where an invitation stands for the staff page.
 * The links live in `sign_in_links` with principal_kind STAFF_INVITATION and never sign anyone in.
 */
import { formatDateTimeInWords } from '../../web/dates.ts';
import { hashPassword, randomToken, sha256 } from '../../platform/crypto.ts';
import type { StaffInvitationJob } from '../people/index.ts';
import { ValidationError } from '../../errors.ts';
import { secondFactorRoles } from './principal.ts';
import type { AuthDeps } from './auth-deps.ts';
import type { AuthPasswords } from './auth-passwords.ts';

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

export class AuthStaffInvitations {
  constructor(
    private readonly deps: AuthDeps,
    private readonly passwords: AuthPasswords,
  ) {}

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
      await this.passwords.storePasswordHash(tx.db, member.id, passwordHash);
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
}
