/**
 * Changing channel accounts: creating one, its credential, switching it on or off, its posters,
 * and handing it over to a new custodian. Each change is one transaction with one audit event.
 */
import { ukDate } from '../../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { ChannelAccountRow } from './accounts.repository.ts';
import {
  editableFields,
  platformLimits,
  type ChannelEdit,
  type ChannelInput,
  type HandoverInput,
} from './accounts.forms.ts';
import { endpointProblem } from './endpoint-url.ts';
import {
  APP_PASSWORD_MISSING,
  APP_PASSWORD_WRONG,
  isBlueskyAppPassword,
} from '../channels/bluesky-account.ts';
import {
  APPLICATION_PASSWORD_MISSING,
  APPLICATION_PASSWORD_WRONG,
  isWordPressApplicationPassword,
  normaliseApplicationPassword,
} from '../channels/wordpress-account.ts';
import { newWebhookSecret, parseWebhookSecret } from './standard-webhooks.ts';
import type { AccountsParts, AccountsDeps } from './accounts-deps.ts';

export class AccountsChanges {
  constructor(
    private readonly deps: AccountsDeps,
    private readonly parts: AccountsParts,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Changing
  // ---------------------------------------------------------------------------------------

  /**
   * Adds a channel. A webhook without a signing secret gets a new one, returned here once (the
   * page shows it once for the receiver) and never again. Someone outside the custodian role may
   * keep the credentials only with the Headteacher's permission (the clause `roles.credentialCustodianRole` cites): only the Headteacher
   * may choose them.
   */
  async create(
    p: Principal,
    input: ChannelInput,
  ): Promise<{ channel: ChannelAccountRow; generatedSecret: string | null }> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit, clock, secretBox } = this.deps;
    const errors: Record<string, string> = {};
    const purposes = await this.parts.managers.purposes(m.schoolId);
    if (!purposes.some((x) => x.key === input.purposeKey))
      errors.purposeKey = 'Select what the channel is used for';
    if (
      (input.kind === 'webhook' || input.kind === 'bluesky' || input.kind === 'wordpress') &&
      input.endpointUrl
    ) {
      const problem = endpointProblem(input.endpointUrl, {
        allowLoopbackHttp: this.deps.allowLoopbackHttp,
      });
      if (problem) errors.endpointUrl = problem;
    }
    let credential = input.credential;
    let generatedSecret: string | null = null;
    if (input.kind === 'webhook') {
      if (credential && !parseWebhookSecret(credential))
        errors.credential =
          'The signing secret must start with whsec_ followed by the secret in base64, or leave it blank for Lanyard to make one';
      if (!credential) credential = generatedSecret = newWebhookSecret();
    }
    if (input.kind === 'newsletter' && credential)
      errors.credential = 'A newsletter needs no token: leave it blank';
    const custodianId =
      input.custodianId ?? (await this.parts.reads.defaultCustodian(m.schoolId))?.id ?? null;
    if (custodianId) {
      const problem = await this.custodianProblem(m, custodianId);
      if (problem) errors.custodianId = problem;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);

    const known =
      input.kind === 'bluesky'
        ? platformLimits.bluesky
        : input.platform
          ? platformLimits[input.platform.trim().toLowerCase()]
          : undefined;
    const now = clock.now();
    return database.transaction(async (tx) => {
      const channel = await repository.create(tx.db, {
        schoolId: m.schoolId,
        kind: input.kind,
        name: input.name,
        platform: input.kind === 'social' ? input.platform : null,
        handle: ['social', 'bluesky', 'wordpress'].includes(input.kind) ? input.handle : null,
        purposeKey: input.purposeKey,
        audience: input.audience,
        comments: input.comments,
        moderation: input.comments === 'off' ? null : input.moderation,
        custodianId,
        endpointUrl: ['webhook', 'bluesky', 'wordpress'].includes(input.kind)
          ? input.endpointUrl
          : null,
        category: input.kind === 'wordpress' ? (input.category ?? null) : null,
        credentialCiphertext: credential ? secretBox.seal(credential) : null,
        credentialSetAt: credential ? now : null,
        credentialSetBy: credential ? m.id : null,
        maxLength: input.maxLength ?? known?.maxLength ?? null,
        maxImages: input.maxImages ?? known?.maxImages ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: 'publishing.channel-added',
        entityType: 'channel_account',
        entityId: channel.id,
        data: { kind: channel.kind, custodianId, credentialSet: credential !== null },
      });
      return { channel, generatedSecret };
    });
  }

  /**
   * Replaces the channel's API token or signing secret (blank on a webhook: a new one, returned
   * once). The old value is gone: nobody can read it back.
   */
  async setCredential(
    p: Principal,
    id: string,
    value: string | null,
  ): Promise<{ generatedSecret: string | null }> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit, clock, secretBox } = this.deps;
    return database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, m.schoolId, id);
      if (!row) throw new NotFoundError();
      if (row.kind === 'news' || row.kind === 'newsletter')
        throw new ValidationError({ credential: 'This channel needs no token or secret' });
      let credential = value;
      let generatedSecret: string | null = null;
      if (row.kind === 'webhook') {
        if (credential && !parseWebhookSecret(credential))
          throw new ValidationError({
            credential:
              'The signing secret must start with whsec_ followed by the secret in base64, or leave it blank for Lanyard to make one',
          });
        if (!credential) credential = generatedSecret = newWebhookSecret();
      }
      if (row.kind === 'bluesky' && !(credential && isBlueskyAppPassword(credential)))
        throw new ValidationError({
          credential: credential ? APP_PASSWORD_WRONG : APP_PASSWORD_MISSING,
        });
      if (row.kind === 'bluesky') credential = credential!.trim().toLowerCase();
      if (row.kind === 'wordpress' && !(credential && isWordPressApplicationPassword(credential)))
        throw new ValidationError({
          credential: credential ? APPLICATION_PASSWORD_WRONG : APPLICATION_PASSWORD_MISSING,
        });
      if (row.kind === 'wordpress') credential = normaliseApplicationPassword(credential!);
      if (!credential) throw new ValidationError({ credential: 'Enter the API token' });
      await repository.update(tx.db, m.schoolId, id, {
        credentialCiphertext: secretBox.seal(credential),
        credentialSetAt: clock.now(),
        credentialSetBy: m.id,
      });
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: 'publishing.channel-credential-set',
        entityType: 'channel_account',
        entityId: id,
        data: { replaced: row.credentialCiphertext !== null },
      });
      return { generatedSecret };
    });
  }

  /**
   * Changes a channel's details (the fields its kind lets the school change; the credentials keep
   * their own forms). Returns the fields that changed; nothing changed is not audited.
   */
  async update(
    p: Principal,
    id: string,
    input: ChannelEdit,
  ): Promise<{ channel: ChannelAccountRow; changed: string[] }> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit, clock } = this.deps;
    const purposes = await this.parts.managers.purposes(m.schoolId);
    return database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, m.schoolId, id);
      if (!row) throw new NotFoundError();
      const fields = editableFields[row.kind] ?? [];
      const errors: Record<string, string> = {};
      if (!purposes.some((x) => x.key === input.purposeKey))
        errors.purposeKey = 'Select what the channel is used for';
      if (row.kind === 'webhook' && input.endpointUrl) {
        const problem = endpointProblem(input.endpointUrl, {
          allowLoopbackHttp: this.deps.allowLoopbackHttp,
        });
        if (problem) errors.endpointUrl = problem;
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const wanted: Partial<ChannelAccountRow> = {};
      for (const f of fields) {
        const value = f === 'moderation' && input.comments === 'off' ? null : input[f];
        if (value === undefined) continue;
        if ((row as Record<string, unknown>)[f] !== value)
          (wanted as Record<string, unknown>)[f] = value;
      }
      const changed = Object.keys(wanted);
      if (changed.length === 0) return { channel: row, changed };
      await repository.update(tx.db, m.schoolId, id, { ...wanted, updatedAt: clock.now() });
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: 'publishing.channel-changed',
        entityType: 'channel_account',
        entityId: id,
        data: { changed },
      });
      return { channel: { ...row, ...wanted }, changed };
    });
  }

  /**
   * Stops using a channel (a closed account) or uses it again. A channel no longer used is kept
   * with its hand-overs and posters, offered to no new post, and shown as no longer used. The
   * built-in news page is always there.
   */
  async setActive(p: Principal, id: string, active: boolean): Promise<ChannelAccountRow> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit } = this.deps;
    return database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, m.schoolId, id);
      if (!row) throw new NotFoundError();
      if (row.kind === 'news')
        throw new ConflictError('The school’s news page is built in: it is always there.');
      if (row.active === active)
        throw new ConflictError(
          active ? 'This channel is already in use.' : 'This channel is already no longer used.',
        );
      await repository.update(tx.db, m.schoolId, id, { active });
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: active ? 'publishing.channel-reactivated' : 'publishing.channel-deactivated',
        entityType: 'channel_account',
        entityId: id,
      });
      return { ...row, active };
    });
  }

  /** Authorises a member of staff to post to the account. */
  async addPoster(p: Principal, id: string, staffId: string): Promise<string> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit, clock } = this.deps;
    const staff = await this.deps.staff.active(m.schoolId);
    return database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, m.schoolId, id);
      if (!row) throw new NotFoundError();
      const person = staff.find((s) => s.id === staffId);
      if (!person) throw new ValidationError({ staffId: 'Select a member of staff' });
      const added = await repository.addPoster(tx.db, {
        schoolId: m.schoolId,
        accountId: id,
        staffId,
        addedBy: m.id,
        addedAt: clock.now(),
      });
      if (!added)
        throw new ValidationError({ staffId: `${person.name} may already post to ${row.name}` });
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: 'publishing.channel-poster-added',
        entityType: 'channel_account',
        entityId: id,
        data: { staffId },
      });
      return person.name;
    });
  }

  /** Takes away a person's authorisation to post to the account. */
  async removePoster(p: Principal, id: string, staffId: string): Promise<void> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit } = this.deps;
    await database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, m.schoolId, id);
      if (!row) throw new NotFoundError();
      if (!(await repository.removePoster(tx.db, m.schoolId, id, staffId)))
        throw new ConflictError('That person was not authorised to post to this account.');
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: 'publishing.channel-poster-removed',
        entityType: 'channel_account',
        entityId: id,
        data: { staffId },
      });
    });
  }

  /**
   * Records that the account's credentials were handed over: from the current
   * custodian to another member of staff, on a day (today unless given), with the reason. The
   * new person becomes the custodian. Handing them to someone outside the custodian role needs
   * the Headteacher.
   */
  async handOver(
    p: Principal,
    id: string,
    input: HandoverInput & { on: string | null },
  ): Promise<{ toName: string }> {
    const m = await this.parts.managers.manager(p);
    const { database, repository, audit, clock } = this.deps;
    const now = clock.now();
    const today = ukDate(now);
    if (input.on && input.on > today)
      throw new ValidationError({
        'on-day': 'The date of the hand-over must be today or in the past',
      });
    const at = !input.on || input.on === today ? now : new Date(`${input.on}T12:00:00Z`);
    const problem = await this.custodianProblem(m, input.toStaffId);
    if (problem) throw new ValidationError({ toStaffId: problem });
    return database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, m.schoolId, id);
      if (!row) throw new NotFoundError();
      if (row.custodianId === input.toStaffId)
        throw new ValidationError({
          toStaffId: 'They already keep the credentials: select who they were handed to',
        });
      const names = await this.parts.reads.names(m.schoolId, [input.toStaffId]);
      const handoverId = await repository.insertHandover(tx.db, {
        schoolId: m.schoolId,
        accountId: id,
        fromStaffId: row.custodianId,
        toStaffId: input.toStaffId,
        at,
        reason: input.reason,
        recordedBy: m.id,
      });
      await repository.update(tx.db, m.schoolId, id, { custodianId: input.toStaffId });
      await audit.record(tx, {
        schoolId: m.schoolId,
        actor: { kind: 'staff', id: m.id },
        action: 'publishing.credentials-handed-over',
        entityType: 'channel_account',
        entityId: id,
        data: {
          handoverId,
          fromStaffId: row.custodianId,
          toStaffId: input.toStaffId,
          on: ukDate(at),
        },
      });
      return { toName: names.get(input.toStaffId) ?? 'them' };
    });
  }

  /**
   * Why this person may not keep the credentials, or null: they must be active staff of the
   * school, and hold the custodian role (or be the Headteacher) unless the Headteacher chooses
   * them (the custodian clause's "unless otherwise permitted by the Headteacher").
   */
  private async custodianProblem(m: StaffPrincipal, staffId: string): Promise<string | null> {
    const person = (await this.deps.staff.active(m.schoolId)).find((s) => s.id === staffId);
    if (!person) return 'Select a member of staff';
    const { role, roleLabel } = await this.parts.managers.custodianRule(m.schoolId);
    if (person.roles.includes(role) || person.roles.includes('headteacher')) return null;
    if (m.roles.includes('headteacher')) return null;
    return `Only the Headteacher can let someone who is not the ${roleLabel} keep the credentials`;
  }
}
