import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import { ukDate } from '../../../platform/clock.ts';
import type { SecretBox } from '../../../platform/crypto.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import {
  roleLabels,
  type Principal,
  type StaffPrincipal,
  type StaffRole,
} from '../../auth/index.ts';
import type { AuditService } from '../../audit/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { Citation, ConsentPurpose, PolicyRole } from '../../policies/index.ts';
import type { ChannelAccountInfo, ChannelContext, ChannelKind } from '../channel-adapter.ts';
import type { AccountsRepository, ChannelAccountRow } from './accounts.repository.ts';
import { platformLimits, type ChannelInput, type HandoverInput } from './accounts.forms.ts';
import { canManageChannels, canViewChannels } from './accounts.policy.ts';
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
import { WebhookAdapter, type WebhookDeliveryLog } from './webhook-adapter.ts';

export type { ChannelAccountRow };

/** A member of staff as the channel pages offer them. */
export interface StaffOption {
  id: string;
  name: string;
  roles: string[];
}

/**
 * The staff of a school, from the people module (wired in index.ts from `Services.people`):
 * this module reads no people table itself.
 */
export interface StaffDirectory {
  /** Active staff with their roles, by name. */
  active(schoolId: string): Promise<StaffOption[]>;
  /** Names of the school's staff (active or not) by id; ids of other schools are left out. */
  names(schoolId: string, ids: string[]): Promise<Map<string, string>>;
}

/** What a page may show about a credential: never the value, only when and by whom it was set. */
export interface CredentialStatus {
  set: boolean;
  setAt: Date | null;
  setByName: string | null;
}

/** A channel for pages and the API: everything but the credential. */
export interface ChannelView {
  id: string;
  kind: ChannelKind;
  name: string;
  platform: string | null;
  handle: string | null;
  purposeKey: string;
  purposeLabel: string;
  audience: string;
  comments: string;
  moderation: string | null;
  custodianId: string | null;
  custodianName: string | null;
  endpointUrl: string | null;
  credential: CredentialStatus;
  maxLength: number | null;
  maxImages: number | null;
  active: boolean;
  posters: number;
  createdAt: Date;
}

export interface ChannelDetail extends ChannelView {
  posterList: { staffId: string; name: string; active: boolean; addedAt: Date }[];
  handovers: {
    id: string;
    fromName: string | null;
    toName: string;
    at: Date;
    reason: string;
    recordedByName: string | null;
  }[];
  deliveries: {
    id: string;
    event: string;
    statusCode: number | null;
    attempt: number;
    error: string | null;
    at: Date;
  }[];
}

export interface CustodianRule {
  role: PolicyRole;
  roleLabel: string;
  citation: Citation;
}

const kinds = new Set<string>(['news', 'social', 'newsletter', 'webhook', 'wordpress', 'bluesky']);
const asKind = (k: string): ChannelKind => (kinds.has(k) ? (k as ChannelKind) : 'social');

/**
 * The school's channels and accounts (SPEC §3.3, issue 12 item 1): the built-in news page, each
 * social media account, the newsletter and webhook endpoints; each with a credential custodian
 * (the profile's `roles.credentialCustodianRole`), the people authorised to post, and a
 * log of credential hand-overs. Lanyard never stores account passwords; an API token or signing
 * secret is sealed with the platform SecretBox and never shown again. Only the custodian role and
 * the Headteacher see or change any of it; every change is one transaction with one audit event.
 */
export class AccountsService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: AccountsRepository;
      audit: AuditService;
      clock: Clock;
      policies: PolicyService;
      secretBox: SecretBox;
      staff: StaffDirectory;
      /** Plain http:// to a loopback receiver (development and tests, never production). */
      allowLoopbackHttp: boolean;
    },
  ) {}

  // ---------------------------------------------------------------------------------------
  // Who may manage, from the profile
  // ---------------------------------------------------------------------------------------

  /** The profile's credential custodian role and its clause. */
  async custodianRule(schoolId: string): Promise<CustodianRule> {
    const current = await this.deps.policies.current(schoolId);
    const rule = current.settings.roles.credentialCustodianRole;
    return {
      role: rule.value,
      roleLabel: roleLabels[rule.value as StaffRole],
      citation: rule.citation,
    };
  }

  async canManage(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canManageChannels(p, (await this.custodianRule(p.schoolId)).role);
  }

  /** The principal, when they manage this school's channels; a 404 for anyone else. */
  private async manager(p: Principal): Promise<StaffPrincipal> {
    if (p.kind !== 'staff' || !(await this.canManage(p))) throw new NotFoundError();
    return p;
  }

  /** The profile's consent purposes (what a channel may map to), external ones first. */
  async purposes(schoolId: string): Promise<ConsentPurpose[]> {
    const current = await this.deps.policies.current(schoolId);
    const all = current.settings.consent.purposes.value;
    return [...all.filter((x) => x.external), ...all.filter((x) => !x.external)];
  }

  // ---------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------

  private names(schoolId: string, ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((x): x is string => !!x))];
    return wanted.length ? this.deps.staff.names(schoolId, wanted) : Promise.resolve(new Map());
  }

  /**
   * The built-in news page channel, created the first time it is asked for. It maps to the
   * profile's website purpose (`school_website` when the profile has it, else its first purpose
   * seen outside the school); the custodian is the first person holding the custodian role.
   */
  async ensureNewsChannel(schoolId: string): Promise<ChannelAccountRow> {
    const { database, repository, clock } = this.deps;
    const existing = await repository.getNews(database.db, schoolId);
    if (existing) return existing;
    const purposes = await this.purposes(schoolId);
    const purpose = purposes.find((x) => x.key === 'school_website') ?? purposes[0]!;
    const custodian = await this.defaultCustodian(schoolId);
    const created = await repository.insertNewsIfMissing(database.db, {
      schoolId,
      kind: 'news',
      name: 'School news page',
      purposeKey: purpose.key,
      audience: 'public',
      comments: 'off',
      custodianId: custodian?.id ?? null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    return created ?? (await repository.getNews(database.db, schoolId))!;
  }

  /** The principal, when they may see the channels (`canViewChannels`); a 404 for anyone else. */
  private viewer(p: Principal): StaffPrincipal {
    if (p.kind !== 'staff' || !canViewChannels(p)) throw new NotFoundError();
    return p;
  }

  /**
   * Every channel of the school, and whether this person manages them. Only managers see a
   * webhook's address (it may carry the receiver's own key).
   */
  async list(p: Principal): Promise<{ channels: ChannelView[]; canManage: boolean }> {
    const v = this.viewer(p);
    await this.ensureNewsChannel(v.schoolId);
    const [rows, canManage] = await Promise.all([
      this.deps.repository.list(this.deps.database.db, v.schoolId),
      this.canManage(v),
    ]);
    const channels = await this.views(v.schoolId, rows);
    return {
      channels: canManage ? channels : channels.map((c) => ({ ...c, endpointUrl: null })),
      canManage,
    };
  }

  /**
   * One channel with its posters and hand-overs; managers also see a webhook's address and its
   * recent deliveries.
   */
  async detail(p: Principal, id: string): Promise<ChannelDetail & { canManage: boolean }> {
    const v = this.viewer(p);
    const canManage = await this.canManage(v);
    const { database, repository } = this.deps;
    const row = await repository.getById(database.db, v.schoolId, id);
    if (!row) throw new NotFoundError();
    const [[view], posterRows, handovers, deliveries, active] = await Promise.all([
      this.views(v.schoolId, [{ ...row, posters: 0 }]),
      repository.posters(database.db, v.schoolId, id),
      repository.handovers(database.db, v.schoolId, id),
      row.kind === 'webhook' && canManage
        ? repository.deliveries(database.db, v.schoolId, id, 50)
        : Promise.resolve([]),
      this.deps.staff.active(v.schoolId),
    ]);
    const names = await this.names(v.schoolId, [
      ...handovers.flatMap((h) => [h.fromStaffId, h.toStaffId, h.recordedBy]),
      ...posterRows.map((x) => x.staffId),
    ]);
    const activeIds = new Set(active.map((x) => x.id));
    const posterList = posterRows
      .map((x) => ({
        staffId: x.staffId,
        name: names.get(x.staffId) ?? 'A former member of staff',
        active: activeIds.has(x.staffId),
        addedAt: x.addedAt,
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
    return {
      ...view!,
      endpointUrl: canManage ? view!.endpointUrl : null,
      canManage,
      posters: posterList.length,
      posterList,
      handovers: handovers.map((h) => ({
        id: h.id,
        fromName: h.fromStaffId ? (names.get(h.fromStaffId) ?? 'A former member of staff') : null,
        toName: names.get(h.toStaffId) ?? 'A former member of staff',
        at: h.at,
        reason: h.reason,
        recordedByName: h.recordedBy ? (names.get(h.recordedBy) ?? null) : null,
      })),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        event: d.event,
        statusCode: d.statusCode,
        attempt: d.attempt,
        error: d.error,
        at: d.at,
      })),
    };
  }

  /** Active staff, for the custodian and poster choices (managers only). */
  async staffOptions(p: Principal): Promise<StaffOption[]> {
    const m = await this.manager(p);
    return this.deps.staff.active(m.schoolId);
  }

  /** The first active member of staff holding the profile's custodian role, by name. */
  async defaultCustodian(schoolId: string): Promise<StaffOption | undefined> {
    const { role } = await this.custodianRule(schoolId);
    const staff = await this.deps.staff.active(schoolId);
    return staff.find((s) => s.roles.includes(role));
  }

  private async views(
    schoolId: string,
    rows: (ChannelAccountRow & { posters: number })[],
  ): Promise<ChannelView[]> {
    const purposes = await this.purposes(schoolId);
    const label = new Map(purposes.map((x) => [x.key, x.label]));
    const names = await this.names(
      schoolId,
      rows.flatMap((r) => [r.custodianId, r.credentialSetBy]),
    );
    return rows.map((r) => ({
      id: r.id,
      kind: asKind(r.kind),
      name: r.name,
      platform: r.platform,
      handle: r.handle,
      purposeKey: r.purposeKey,
      // A purpose the profile no longer has is named as such, never shown as its key.
      purposeLabel: label.get(r.purposeKey) ?? 'A purpose no longer in the school’s policy',
      audience: r.audience,
      comments: r.comments,
      moderation: r.moderation,
      custodianId: r.custodianId,
      custodianName: r.custodianId ? (names.get(r.custodianId) ?? null) : null,
      endpointUrl: r.endpointUrl,
      credential: {
        set: r.credentialCiphertext !== null,
        setAt: r.credentialSetAt,
        setByName: r.credentialSetBy ? (names.get(r.credentialSetBy) ?? null) : null,
      },
      maxLength: r.maxLength,
      maxImages: r.maxImages,
      active: r.active,
      posters: r.posters,
      createdAt: r.createdAt,
    }));
  }

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
    const m = await this.manager(p);
    const { database, repository, audit, clock, secretBox } = this.deps;
    const errors: Record<string, string> = {};
    const purposes = await this.purposes(m.schoolId);
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
    const custodianId = input.custodianId ?? (await this.defaultCustodian(m.schoolId))?.id ?? null;
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
    const m = await this.manager(p);
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
   * Stops using a channel (a closed account) or uses it again. A channel no longer used is kept
   * with its hand-overs and posters, offered to no new post, and shown as no longer used. The
   * built-in news page is always there.
   */
  async setActive(p: Principal, id: string, active: boolean): Promise<ChannelAccountRow> {
    const m = await this.manager(p);
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
    const m = await this.manager(p);
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
    const m = await this.manager(p);
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
    const m = await this.manager(p);
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
      const names = await this.names(m.schoolId, [input.toStaffId]);
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
    const { role, roleLabel } = await this.custodianRule(m.schoolId);
    if (person.roles.includes(role) || person.roles.includes('headteacher')) return null;
    if (m.roles.includes('headteacher')) return null;
    return `Only the Headteacher can let someone who is not the ${roleLabel} keep the credentials`;
  }

  // ---------------------------------------------------------------------------------------
  // For publishing (drafts, checks, delivery)
  // ---------------------------------------------------------------------------------------

  /** A channel of the school (no credential), or undefined. */
  async get(schoolId: string, id: string): Promise<ChannelAccountRow | undefined> {
    return this.deps.repository.getById(this.deps.database.db, schoolId, id);
  }

  /** The school's active channels (the built-in news page first), for drafting a post. */
  async activeChannels(schoolId: string): Promise<ChannelAccountRow[]> {
    await this.ensureNewsChannel(schoolId);
    const rows = await this.deps.repository.list(this.deps.database.db, schoolId);
    return rows.filter((r) => r.active);
  }

  /** Whether this member of staff is on the account's list of people authorised to post. */
  async isAuthorisedPoster(schoolId: string, accountId: string, staffId: string): Promise<boolean> {
    return this.deps.repository.isPoster(this.deps.database.db, schoolId, accountId, staffId);
  }

  /** The accounts this member of staff is authorised to post to. */
  async accountsOfPoster(schoolId: string, staffId: string): Promise<string[]> {
    return this.deps.repository.accountsOfPoster(this.deps.database.db, schoolId, staffId);
  }

  /** What an adapter gets for one delivery: the account and its credential, opened for this call. */
  async channelContext(
    schoolId: string,
    accountId: string,
    files: FileStore,
    signal?: AbortSignal,
  ): Promise<ChannelContext> {
    const row = await this.get(schoolId, accountId);
    if (!row) throw new NotFoundError();
    const account: ChannelAccountInfo = {
      id: row.id,
      schoolId: row.schoolId,
      kind: asKind(row.kind),
      name: row.name,
      platform: row.platform,
      handle: row.handle,
      purposeKey: row.purposeKey,
      endpointUrl: row.endpointUrl,
      maxLength: row.maxLength,
      maxImages: row.maxImages,
      category: row.category,
    };
    return {
      account,
      credential: row.credentialCiphertext
        ? this.deps.secretBox.open(row.credentialCiphertext)
        : null,
      files,
      ...(signal ? { signal } : {}),
    };
  }

  /** The delivery log the webhook adapter writes each attempt to. */
  get deliveryLog(): WebhookDeliveryLog {
    return {
      record: (attempt) => this.deps.repository.recordDelivery(this.deps.database.db, attempt),
    };
  }

  /** The webhook channel's adapter, logging every attempt (register it with the delivery job). */
  webhookAdapter(options: { timeoutMs?: number } = {}): WebhookAdapter {
    return new WebhookAdapter({
      log: this.deliveryLog,
      now: () => this.deps.clock.now(),
      allowLoopbackHttp: this.deps.allowLoopbackHttp,
      ...options,
    });
  }
}
