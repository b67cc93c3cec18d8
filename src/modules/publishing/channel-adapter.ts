import type { FileStore } from '../../platform/files/file-store.ts';

/**
 * How a publication reaches a channel (SPEC §3.5). The publication row is committed first (the
 * outbox), then the delivery job calls the account's adapter. Adapters:
 * - never log tokens, signing secrets or the post's text;
 * - must be idempotent on `idempotencyKey` where the service allows it (send it as the
 *   service's idempotency header / Standard Webhooks `webhook-id`), and should implement `find`
 *   so that a delivery interrupted by a crash between the remote post and the record is
 *   reconciled by reading back instead of posting twice;
 * - throw {@link ChannelError} with a plain-English message for the author on failure.
 */

/** The account a delivery is for: no credential in clear except `credential`, opened for this call. */
export interface ChannelAccountInfo {
  id: string;
  schoolId: string;
  kind: ChannelKind;
  name: string;
  platform: string | null;
  handle: string | null;
  purposeKey: string;
  endpointUrl: string | null;
  maxLength: number | null;
  maxImages: number | null;
  /** A WordPress channel's category, by name (absent for other kinds). */
  category?: string | null;
}

export type ChannelKind = 'news' | 'social' | 'newsletter' | 'webhook' | 'wordpress' | 'bluesky';

export interface OutgoingImage {
  /** The rendition's key in the FileStore (read the bytes with `ctx.files.read(fileKey)`). */
  fileKey: string;
  mime: string;
  altText: string;
  /** SHA-256 (hex) of the rendition's bytes, as recorded in publication_items. */
  sha256: string;
}

/** What goes out: already cut to the channel's limits, only publishable renditions. */
export interface OutgoingPost {
  /** The publication's id. */
  publicationId: string;
  /** Stable across retries and crashes: one key per (post, channel). */
  idempotencyKey: string;
  title: string;
  /** Already cut to the channel's limits. */
  text: string;
  images: OutgoingImage[];
  /** The post's page on the school's news page, when there is one. */
  newsUrl: string | null;
  publishedAt: Date;
}

export interface ChannelContext {
  account: ChannelAccountInfo;
  /** The account's API token or signing secret, opened from the SecretBox for this call only. */
  credential: string | null;
  files: FileStore;
  /** Aborted when the job's time is up or the process is stopping. */
  signal?: AbortSignal;
}

export interface RemoteRef {
  remoteId: string;
  remoteUrl?: string | null;
}

export interface ChannelHealth {
  ok: boolean;
  /** A plain sentence for the school when not ok. */
  problem?: string;
}

export interface ChannelAdapter {
  readonly kind: ChannelKind;
  /** Posts the item; returns the remote id (and address) to record. */
  publish(item: OutgoingPost, ctx: ChannelContext): Promise<RemoteRef>;
  /** Removes a previously published item. Removing one already gone succeeds. */
  remove(remoteId: string, ctx: ChannelContext): Promise<void>;
  health(ctx: ChannelContext): Promise<ChannelHealth>;
  /**
   * Reconciles after a crash: the item already posted with this idempotency key, or null when
   * the channel has none. Adapters that cannot read back omit it (delivery then relies on the
   * service's own idempotency for the key).
   */
  find?(idempotencyKey: string, ctx: ChannelContext): Promise<RemoteRef | null>;
}

export type ChannelErrorKind =
  'unreachable' | 'rejected_credentials' | 'rate_limited' | 'server' | 'invalid';

/** A delivery failure, with a message the author can read. */
export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    /** Plain English for the author, no secrets, no post text. */
    readonly plainMessage: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(plainMessage);
    this.name = 'ChannelError';
  }

  /** Worth trying again later: the service was away, busy or broken, not refusing the item. */
  get retryable(): boolean {
    return this.kind === 'unreachable' || this.kind === 'rate_limited' || this.kind === 'server';
  }
}

/** The adapters the delivery job can use, one per kind. */
export class ChannelAdapterRegistry {
  private readonly adapters = new Map<ChannelKind, ChannelAdapter>();

  register(adapter: ChannelAdapter): this {
    this.adapters.set(adapter.kind, adapter);
    return this;
  }

  get(kind: string): ChannelAdapter | undefined {
    return this.adapters.get(kind as ChannelKind);
  }

  kinds(): ChannelKind[] {
    return [...this.adapters.keys()];
  }
}
