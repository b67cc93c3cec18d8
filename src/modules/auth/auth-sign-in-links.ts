/**
 * Sign-in links for parents and pupils: asking for one by email (a queued job sends it), creating
 * one for a consent form, checking, renewing and using one. Staff "set your password" invitations
 * are links too, in the same table: see auth-staff-invitations.ts.
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import { formatDateTimeInWords } from '../../web/dates.ts';
import { randomToken, sha256 } from '../../platform/crypto.ts';
import type { StaffInvitationJob } from '../people/index.ts';
import type { Principal } from './principal.ts';
import type { AuthDeps } from './auth-deps.ts';
import type { AuthSessions } from './auth-sessions.ts';

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

/** Who a sign-in link email goes to: ids only, the job reloads the rest. */
export interface SignInLinkJob {
  targets: { kind: 'parent' | 'pupil'; id: string; schoolId: string }[];
}

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

/** '30 minutes', '7 days'. */
function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}

export class AuthSignInLinks {
  constructor(
    private readonly deps: AuthDeps,
    private readonly sessions: AuthSessions,
  ) {}

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
    const principal = await this.sessions.principalFor({
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
      token: await this.sessions.start(principal, true),
      principal,
      nextPath: safeLinkPath(link.nextPath),
    };
  }
}
