/**
 * What every part of the channel accounts service is given (accounts.service.ts builds the
 * parts from these), and the types the parts share.
 */
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { SecretBox } from '../../../platform/crypto.ts';
import type { AuditService } from '../../audit/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { Citation, PolicyRole } from '../../policies/index.ts';
import type { ChannelKind } from '../channel-adapter.ts';
import type { AccountsRepository, ChannelAccountRow } from './accounts.repository.ts';
import type { AccountsManagers } from './accounts-managers.ts';
import type { AccountsReads } from './accounts-reads.ts';
import type { AccountsChanges } from './accounts-changes.ts';

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
export const asKind = (k: string): ChannelKind => (kinds.has(k) ? (k as ChannelKind) : 'social');

export interface AccountsDeps {
  database: Database;
  repository: AccountsRepository;
  audit: AuditService;
  clock: Clock;
  policies: PolicyService;
  secretBox: SecretBox;
  staff: StaffDirectory;
  /** Plain http:// to a loopback receiver (development and tests, never production). */
  allowLoopbackHttp: boolean;
}

/** The parts of the accounts service, so one part can call another (accounts.service.ts fills it). */
export interface AccountsParts {
  managers: AccountsManagers;
  reads: AccountsReads;
  changes: AccountsChanges;
}
