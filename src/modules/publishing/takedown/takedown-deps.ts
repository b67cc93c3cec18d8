/**
 * What every part of the takedown service is given (takedown.service.ts builds the parts from
 * these), and the rules and waits they share.
 */
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import type { AuditService } from '../../audit/index.ts';
import type { EventsService } from '../../events/index.ts';
import type { MediaService } from '../../media/index.ts';
import type { Jobs } from '../../registry.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { ConsentService } from '../../consent/index.ts';
import type { PolicyService, PolicySettings } from '../../policies/index.ts';
import type { ChannelAdapterRegistry } from '../channel-adapter.ts';
import type { TakedownListRow, TakedownRepository } from './takedown.repository.ts';

/** Channels Lanyard reaches itself, so a takedown there is automatic (the rest need a person). */
export const AUTOMATIC_KINDS: readonly string[] = ['news', 'webhook', 'wordpress', 'bluesky'];

export const DAY_MS = 24 * 60 * 60 * 1000;
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 60 * 60_000;
/** While a publication is being delivered, its removal waits this long before looking again. */
export const DELIVERING_WAIT_MS = 30_000;

/** The wait before the next try of a failed automatic removal: doubling, at most an hour. */
export function takedownRetryMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Days a person has to take an item down by hand (`publishing.takedownDueDays`). */
export function takedownDueDays(settings: PolicySettings): number {
  return settings.publishing.takedownDueDays.value;
}

export interface ConsentChangedPayload {
  pupilId: string;
  recordId: string;
  periodKey: string;
  changes: { key: string; before: boolean; after: boolean }[];
}

export type { TakedownListRow };

export interface TakedownRunResult {
  events: number;
  tasks: number;
}

export interface TakedownPage {
  due: (TakedownListRow & { overdue: boolean })[];
  done: TakedownListRow[];
  /** Whether this person sees every account's tasks (else only the accounts they keep). */
  everyAccount: boolean;
}

export interface TakedownDeps {
  database: Database;
  repository: TakedownRepository;
  clock: Clock;
  audit: AuditService;
  events: Pick<EventsService, 'claimUnhandled' | 'markHandled'>;
  /** People's names for the staff page (read through the people module). */
  people: Pick<PeopleDirectory, 'displayNames'>;
  consent: Pick<ConsentService, 'mayMany'>;
  policies: PolicyService;
  files: FileStore;
  /** Fresh blurred copies, to publish an item again without the pupil. */
  media: Pick<MediaService, 'publishableRendition'>;
  jobs: Pick<Jobs, 'enqueue'>;
  adapters: ChannelAdapterRegistry;
  secretOpen: (sealed: string) => string;
}
