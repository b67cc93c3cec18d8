/**
 * The channel accounts service's public surface. What publishing reads (a channel, the active
 * ones, posters, a channel's context for delivery) lives here; each other kind of work lives in
 * its own part, and this class only hands calls on:
 * - accounts-managers.ts: who may manage, from the profile, and the purposes
 * - accounts-reads.ts: the staff pages' reads, and the news channel made on first use
 * - accounts-changes.ts: creating, credentials, on/off, posters and hand-over
 * - accounts-deps.ts: what every part is given and the types they share
 */
import { NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { ConsentPurpose } from '../../policies/index.ts';
import type { ChannelAccountInfo, ChannelContext } from '../channel-adapter.ts';
import type { ChannelAccountRow } from './accounts.repository.ts';
import type { ChannelEdit, ChannelInput, HandoverInput } from './accounts.forms.ts';
import { WebhookAdapter, type WebhookDeliveryLog } from './webhook-adapter.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import {
  asKind,
  type AccountsDeps,
  type AccountsParts,
  type ChannelDetail,
  type ChannelView,
  type CustodianRule,
  type StaffOption,
} from './accounts-deps.ts';
import { AccountsManagers } from './accounts-managers.ts';
import { AccountsReads } from './accounts-reads.ts';
import { AccountsChanges } from './accounts-changes.ts';

export type {
  AccountsDeps,
  ChannelAccountRow,
  ChannelDetail,
  ChannelView,
  CredentialStatus,
  CustodianRule,
  StaffDirectory,
  StaffOption,
} from './accounts-deps.ts';

/**
 * The school's channels and accounts (SPEC §3.3, issue 12 item 1): the built-in news page, each
 * social media account, the newsletter and webhook endpoints; each with a credential custodian
 * (the profile's `roles.credentialCustodianRole`), the people authorised to post, and a
 * log of credential hand-overs. Lanyard never stores account passwords; an API token or signing
 * secret is sealed with the platform SecretBox and never shown again. Only the custodian role and
 * the Headteacher see or change any of it; every change is one transaction with one audit event.
 */
export class AccountsService {
  private readonly managers: AccountsManagers;
  private readonly reads: AccountsReads;
  private readonly changes: AccountsChanges;

  constructor(private readonly deps: AccountsDeps) {
    const parts = {} as AccountsParts;
    this.managers = parts.managers = new AccountsManagers(deps, parts);
    this.reads = parts.reads = new AccountsReads(deps, parts);
    this.changes = parts.changes = new AccountsChanges(deps, parts);
  }

  /** The profile's credential custodian role and its clause. */
  custodianRule(schoolId: string): Promise<CustodianRule> {
    return this.managers.custodianRule(schoolId);
  }

  canManage(p: Principal): Promise<boolean> {
    return this.managers.canManage(p);
  }

  /** The profile's consent purposes (what a channel may map to), external ones first. */
  purposes(schoolId: string): Promise<ConsentPurpose[]> {
    return this.managers.purposes(schoolId);
  }

  /** The first active member of staff holding the profile's custodian role, by name. */
  defaultCustodian(schoolId: string): Promise<StaffOption | undefined> {
    return this.reads.defaultCustodian(schoolId);
  }

  /**
   * The built-in news page channel, created the first time it is asked for. It maps to the
   * profile's website purpose (`school_website` when the profile has it, else its first purpose
   * seen outside the school); the custodian is the first person holding the custodian role.
   */
  ensureNewsChannel(schoolId: string): Promise<ChannelAccountRow> {
    return this.reads.ensureNewsChannel(schoolId);
  }

  /**
   * Every channel of the school, and whether this person manages them. Only managers see a
   * webhook's address (it may carry the receiver's own key).
   */
  list(p: Principal): Promise<{ channels: ChannelView[]; canManage: boolean }> {
    return this.reads.list(p);
  }

  /**
   * One channel with its posters and hand-overs; managers also see a webhook's address and its
   * recent deliveries.
   */
  detail(p: Principal, id: string): Promise<ChannelDetail & { canManage: boolean }> {
    return this.reads.detail(p, id);
  }

  /** Active staff, for the custodian and poster choices (managers only). */
  staffOptions(p: Principal): Promise<StaffOption[]> {
    return this.reads.staffOptions(p);
  }

  /**
   * Adds a channel. A webhook without a signing secret gets a new one, returned here once (the
   * page shows it once for the receiver) and never again. Someone outside the custodian role may
   * keep the credentials only with the Headteacher's permission (the clause `roles.credentialCustodianRole` cites): only the Headteacher
   * may choose them.
   */
  create(
    p: Principal,
    input: ChannelInput,
  ): Promise<{ channel: ChannelAccountRow; generatedSecret: string | null }> {
    return this.changes.create(p, input);
  }

  /** Changes a channel's details (the manager only); returns the fields that changed. */
  update(
    p: Principal,
    id: string,
    input: ChannelEdit,
  ): Promise<{ channel: ChannelAccountRow; changed: string[] }> {
    return this.changes.update(p, id, input);
  }

  /**
   * Replaces the channel's API token or signing secret (blank on a webhook: a new one, returned
   * once). The old value is gone: nobody can read it back.
   */
  setCredential(
    p: Principal,
    id: string,
    value: string | null,
  ): Promise<{ generatedSecret: string | null }> {
    return this.changes.setCredential(p, id, value);
  }

  /**
   * Stops using a channel (a closed account) or uses it again. A channel no longer used is kept
   * with its hand-overs and posters, offered to no new post, and shown as no longer used. The
   * built-in news page is always there.
   */
  setActive(p: Principal, id: string, active: boolean): Promise<ChannelAccountRow> {
    return this.changes.setActive(p, id, active);
  }

  /** Authorises a member of staff to post to the account. */
  addPoster(p: Principal, id: string, staffId: string): Promise<string> {
    return this.changes.addPoster(p, id, staffId);
  }

  /** Takes away a person's authorisation to post to the account. */
  removePoster(p: Principal, id: string, staffId: string): Promise<void> {
    return this.changes.removePoster(p, id, staffId);
  }

  /**
   * Records that the account's credentials were handed over: from the current
   * custodian to another member of staff, on a day (today unless given), with the reason. The
   * new person becomes the custodian. Handing them to someone outside the custodian role needs
   * the Headteacher.
   */
  handOver(
    p: Principal,
    id: string,
    input: HandoverInput & { on: string | null },
  ): Promise<{ toName: string }> {
    return this.changes.handOver(p, id, input);
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
