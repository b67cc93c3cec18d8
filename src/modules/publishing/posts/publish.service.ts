import crypto from 'node:crypto';
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { ConflictError, NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { ConsentService } from '../../consent/index.ts';
import type { MediaService } from '../../media/index.ts';
import { MediaNotPublishableError } from '../../media/index.ts';
import {
  ChannelError,
  type ChannelAccountInfo,
  type ChannelAdapterRegistry,
  type ChannelContext,
  type ChannelKind,
  type OutgoingPost,
} from '../channel-adapter.ts';
import type { PostRow, PostsRepository, PublicationRow } from './posts.repository.ts';
import type { PostsService, PublishingJobsPort } from './posts.service.ts';
import { canPublishPost } from './posts.policy.ts';
import { channelText } from './text-limits.ts';

/** Tries before a delivery is marked failed, and the back-off between them. */
export const MAX_DELIVERY_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;
/** How long a delivery may run before another worker may take it over (a crash's lease). */
export const DELIVERY_LEASE_MS = 2 * 60_000;

export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

export type PublishOutcome =
  { published: true; publicationIds: string[] } | { published: false; reason: string };

/** What the delivery job needs to reach an account: its context with the credential opened. */
export interface ChannelContextSource {
  channelContext(schoolId: string, accountId: string, files: FileStore): Promise<ChannelContext>;
}

/**
 * Publishing and delivery (SPEC §3.5, issue 12 items 5, 6 and 9).
 *
 * `publish` makes fresh blurred copies for each channel's purpose, then, in ONE transaction:
 * locks the post, reads the school's consent register version FOR SHARE and re-checks consent
 * for every pupil in the post with the answers at that version (ADR 0009), and only if every
 * pupil may still appear records the publications (the outbox), their items (rendition SHA-256)
 * and pupils, and enqueues their delivery. A withdrawal committed before that transaction is
 * seen and wins; one committing meanwhile waits for it (its version bump needs the row), and the
 * takedown that follows it sees the publication.
 *
 * `deliver` sends one publication through its channel's adapter, outside any transaction: it
 * takes a lease (state 'delivering'), reconciles by reading back (`find`) when an earlier attempt
 * may have reached the channel, sends with the idempotency key, and records the result. A crash
 * between sending and recording leaves the lease to run out; the next attempt finds the item and
 * records it without posting twice.
 */
export class PublishService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: PostsRepository;
      audit: AuditService;
      clock: Clock;
      consent: ConsentService;
      media: MediaService;
      files: FileStore;
      jobs: PublishingJobsPort;
      posts: PostsService;
      adapters: ChannelAdapterRegistry;
      channels?: ChannelContextSource;
      secretOpen?: (sealed: string) => string;
      /** The public address of a news publication, when known. */
      newsUrl?: (schoolId: string, publicationId: string) => string | null;
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** A person sends an approved post now (its author or the approver). */
  async publishNow(p: Principal, postId: string): Promise<PublishOutcome> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const post = await this.deps.posts.authorOrApprover(p, postId);
    const approver = await this.deps.posts.approverFor(p);
    if (!canPublishPost(p, post, approver))
      throw new ConflictError(
        post.status === 'published'
          ? 'This post has already been published.'
          : 'Only an approved post can be published.',
      );
    return this.publish(p.schoolId, postId, { kind: 'staff', id: p.id });
  }

  /** Approved posts whose time has come (the schedule job). */
  async publishDue(): Promise<number> {
    const due = await this.deps.repository.approvedDue(this.db, this.deps.clock.now());
    let n = 0;
    for (const { id, schoolId } of due) {
      const r = await this.publish(schoolId, id, { kind: 'system', id: null }).catch((e) => {
        if (e instanceof ConflictError) return null;
        throw e;
      });
      if (r?.published) n++;
    }
    return n;
  }

  /**
   * Publishes an approved post to every one of its channels, with the consent re-check in the
   * same transaction. Returns what happened; a post that may no longer go out is returned to its
   * author with the reason (and its author emailed).
   */
  async publish(schoolId: string, postId: string, actor: Actor): Promise<PublishOutcome> {
    const { repository, files, database } = this.deps;
    const post = await repository.getById(this.db, schoolId, postId);
    if (!post) throw new NotFoundError();
    if (post.status !== 'approved')
      throw new ConflictError('Only an approved post can be published.');
    const now = this.deps.clock.now();
    if (post.scheduledAt && post.scheduledAt > now)
      throw new ConflictError('This post is scheduled for later.');
    const [media, channels] = await Promise.all([
      repository.media(this.db, schoolId, postId),
      repository.channels(this.db, schoolId, postId),
    ]);

    // Fresh blurred copies for each purpose, copied under the publications' own keys before the
    // transaction (files first: a crash leaves an unreferenced file, never a record without one).
    const planned = channels.map(({ account, channel }) => ({
      id: crypto.randomUUID(),
      account,
      purposeKey: channel.purposeKey,
      media: account.maxImages === null ? media : media.slice(0, account.maxImages),
    }));
    const copies = new Map<
      string,
      {
        bytes: Buffer;
        sha256: string;
        renditionId: string;
        basis: { pupilId: string | null; blurred: boolean }[];
      }
    >();
    const written: string[] = [];
    try {
      for (const purpose of new Set(planned.map((p) => p.purposeKey))) {
        for (const m of media) {
          const r = await this.deps.media.publishableRendition(schoolId, m.mediaId, purpose, actor);
          const bytes = await files.read(r.fileKey);
          copies.set(`${m.mediaId}:${purpose}`, {
            bytes,
            sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
            renditionId: r.id,
            basis: (r.basis ?? []) as { pupilId: string | null; blurred: boolean }[],
          });
        }
      }
    } catch (e) {
      if (e instanceof MediaNotPublishableError)
        return this.refuse(schoolId, postId, actor, e.message);
      throw e;
    }
    for (const plan of planned) {
      for (const [i, m] of plan.media.entries()) {
        const copy = copies.get(`${m.mediaId}:${plan.purposeKey}`)!;
        const temp = await files.writeTemp(copy.bytes);
        const key = publicationFileKey(schoolId, plan.id, i);
        await files.commit(temp.name, key);
        written.push(key);
      }
    }

    let outcome: PublishOutcome;
    try {
      outcome = await database.transaction(async (tx) => {
        const locked = await repository.getForUpdate(tx.db, schoolId, postId);
        if (!locked || locked.status !== 'approved')
          throw new ConflictError('This post has already been published or is no longer approved.');
        // Who is in the photos now (tags may have changed since approval).
        const tagged = await repository.taggedPupils(
          tx.db,
          schoolId,
          media.map((m) => m.mediaId),
        );
        const asks = planned.flatMap((plan) =>
          tagged
            .filter((t) => plan.media.some((m) => m.mediaId === t.mediaId))
            .map((t) => ({
              pupilId: t.pupilId,
              purpose: plan.purposeKey,
              mediaType: 'image' as const,
            })),
        );
        // The locks a withdrawal takes before its version bump, in its order; then (ADR 0009)
        // the register version FOR SHARE, then the answers at that version.
        await repository.lockBeforeRegisterVersion(
          tx.db,
          schoolId,
          tagged.map((t) => t.pupilId),
        );
        // ADR 0009: the register version FOR SHARE, then the answers at that version.
        const { answers, registerVersion } = await this.deps.consent.mayManyInTransaction(
          tx.db,
          schoolId,
          asks,
        );
        const refused = answers.filter((a) => !a.allowed);
        // A face shown unblurred in a copy must belong to a pupil who may still appear.
        const unblurredNotAllowed = planned.some((plan) =>
          plan.media.some((m) =>
            copies
              .get(`${m.mediaId}:${plan.purposeKey}`)!
              .basis.some(
                (b) =>
                  !b.blurred &&
                  (!b.pupilId ||
                    !answers.some(
                      (a) => a.pupilId === b.pupilId && a.purpose === plan.purposeKey && a.allowed,
                    )),
              ),
          ),
        );
        if (refused.length > 0 || unblurredNotAllowed) {
          const reason =
            refused.length === 1
              ? 'A pupil in the photos no longer has consent for this use, so the post was not published.'
              : `${Math.max(refused.length, 1)} pupils in the photos no longer have consent for this use, so the post was not published.`;
          await this.markRefused(tx, schoolId, postId, actor, reason, registerVersion);
          return { published: false as const, reason };
        }
        const ids: string[] = [];
        for (const plan of planned) {
          const text = channelText(
            plan.account.kind,
            plan.account.maxLength,
            locked.title,
            locked.body,
          );
          await repository.insertPublication(tx.db, {
            id: plan.id,
            schoolId,
            postId,
            accountId: plan.account.id,
            purposeKey: plan.purposeKey,
            state: 'queued',
            idempotencyKey: `${postId}:${plan.account.id}`,
            title: locked.title,
            text,
            registerVersion,
            approvedBy: locked.decidedBy,
            publishedBy: actor.kind === 'staff' ? actor.id : null,
            nextAttemptAt: this.deps.clock.now(),
          });
          await repository.insertItems(
            tx.db,
            plan.media.map((m, i) => {
              const copy = copies.get(`${m.mediaId}:${plan.purposeKey}`)!;
              return {
                publicationId: plan.id,
                mediaId: m.mediaId,
                schoolId,
                renditionId: copy.renditionId,
                fileKey: publicationFileKey(schoolId, plan.id, i),
                renditionSha256: copy.sha256,
                contentType: 'image/jpeg',
                altText: m.altText,
                position: i,
              };
            }),
          );
          const pupils = new Set(
            tagged
              .filter((t) => plan.media.some((m) => m.mediaId === t.mediaId))
              .map((t) => t.pupilId),
          );
          await repository.insertPupils(
            tx.db,
            [...pupils].map((pupilId) => ({ publicationId: plan.id, pupilId, schoolId })),
          );
          await this.deps.jobs.enqueue('publishing.deliver', { publicationId: plan.id }, { tx });
          ids.push(plan.id);
        }
        await repository.update(tx.db, schoolId, postId, {
          updatedAt: this.deps.clock.now(),
          status: 'published',
          publishedAt: this.deps.clock.now(),
        });
        await this.deps.audit.record(tx, {
          schoolId,
          actor,
          action: 'publishing.post-published',
          entityType: 'post',
          entityId: postId,
          data: {
            publications: ids,
            pupils: new Set(tagged.map((t) => t.pupilId)).size,
            registerVersion,
          },
        });
        return { published: true as const, publicationIds: ids };
      });
    } catch (e) {
      for (const key of written) await files.delete(key).catch(() => undefined);
      throw e;
    }
    if (!outcome.published)
      for (const key of written) await files.delete(key).catch(() => undefined);
    return outcome;
  }

  private async refuse(
    schoolId: string,
    postId: string,
    actor: Actor,
    reason: string,
  ): Promise<PublishOutcome> {
    await this.deps.database.transaction(async (tx) => {
      const locked = await this.deps.repository.getForUpdate(tx.db, schoolId, postId);
      if (!locked || locked.status !== 'approved') return;
      await this.markRefused(tx, schoolId, postId, actor, reason, null);
    });
    return { published: false, reason };
  }

  private async markRefused(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    schoolId: string,
    postId: string,
    actor: Actor,
    reason: string,
    registerVersion: number | null,
  ) {
    await this.deps.repository.update(tx.db, schoolId, postId, {
      updatedAt: this.deps.clock.now(),
      status: 'returned',
      decisionComment: reason,
    });
    await this.deps.audit.record(tx, {
      schoolId,
      actor,
      action: 'publishing.post-refused-at-publish',
      entityType: 'post',
      entityId: postId,
      data: { registerVersion },
    });
    await this.deps.jobs.enqueue(
      'publishing.post-email',
      { schoolId, postId, kind: 'refused' },
      { tx },
    );
  }

  // ---------------------------------------------------------------------------------------
  // Delivery (the outbox)

  /** Publications waiting for delivery or whose lease ran out (the sweep job). */
  async deliverDue(): Promise<number> {
    const due = await this.deps.repository.deliveryDue(this.db, this.deps.clock.now());
    for (const { id } of due) await this.deliver(id);
    return due.length;
  }

  private async context(pub: PublicationRow): Promise<ChannelContext> {
    if (this.deps.channels)
      return this.deps.channels.channelContext(pub.schoolId, pub.accountId, this.deps.files);
    const row = await this.deps.repository.accountById(this.db, pub.schoolId, pub.accountId);
    if (!row) throw new NotFoundError();
    const account: ChannelAccountInfo = {
      id: row.id,
      schoolId: row.schoolId,
      kind: row.kind as ChannelKind,
      name: row.name,
      platform: row.platform,
      handle: row.handle,
      purposeKey: row.purposeKey,
      endpointUrl: row.endpointUrl,
      maxLength: row.maxLength,
      maxImages: row.maxImages,
      category: row.category,
    };
    const credential =
      row.credentialCiphertext && this.deps.secretOpen
        ? this.deps.secretOpen(row.credentialCiphertext)
        : null;
    return { account, credential, files: this.deps.files };
  }

  /**
   * Delivers one publication (the job). Safe to run twice, concurrently or after a crash: only
   * the holder of the lease sends, and a re-run after an interrupted send reads back first.
   */
  async deliver(publicationId: string): Promise<PublicationRow['state']> {
    const { database, repository, clock } = this.deps;
    // 1. Take the lease.
    const lease = await database.transaction(async (tx) => {
      const pub = await repository.publicationForUpdate(tx.db, publicationId);
      if (!pub) return null;
      const now = clock.now();
      const runnable =
        (pub.state === 'queued' && (!pub.nextAttemptAt || pub.nextAttemptAt <= now)) ||
        (pub.state === 'delivering' && pub.nextAttemptAt !== null && pub.nextAttemptAt <= now);
      if (!runnable) return { pub, run: false, interrupted: false };
      const interrupted = pub.state === 'delivering';
      await repository.updatePublication(tx.db, publicationId, {
        state: 'delivering',
        attempts: pub.attempts + 1,
        nextAttemptAt: new Date(now.getTime() + DELIVERY_LEASE_MS),
      });
      return { pub: { ...pub, attempts: pub.attempts + 1 }, run: true, interrupted };
    });
    if (!lease) return 'failed';
    if (!lease.run) return lease.pub.state as PublicationRow['state'];
    const pub = lease.pub;
    let ctx: ChannelContext;
    try {
      ctx = await this.context(pub);
    } catch {
      return this.recordFailure(
        pub,
        new ChannelError('invalid', 'The channel this post was meant for no longer exists.'),
      );
    }
    const adapter = this.deps.adapters.get(ctx.account.kind);
    if (!adapter)
      return this.recordFailure(
        pub,
        new ChannelError(
          'invalid',
          `Lanyard cannot send to this kind of channel yet (${ctx.account.name}).`,
        ),
      );
    try {
      // 2. Reconcile: an earlier attempt may have reached the channel before a crash.
      if (pub.attempts > 1 || lease.interrupted) {
        const found = adapter.find ? await adapter.find(pub.idempotencyKey, ctx) : null;
        if (found) return this.recordLive(pub, found.remoteId, found.remoteUrl ?? null);
      }
      // 3. Send, with the idempotency key.
      const items = await repository.items(this.db, pub.id);
      const outgoing: OutgoingPost = {
        publicationId: pub.id,
        idempotencyKey: pub.idempotencyKey,
        title: pub.title,
        text: pub.text,
        images: items.map((i) => ({
          fileKey: i.fileKey,
          mime: i.contentType,
          altText: i.altText,
          sha256: i.renditionSha256,
        })),
        newsUrl: this.deps.newsUrl?.(pub.schoolId, pub.id) ?? null,
        publishedAt: pub.createdAt,
      };
      const ref = await adapter.publish(outgoing, ctx);
      // 4. Record.
      return this.recordLive(pub, ref.remoteId, ref.remoteUrl ?? null);
    } catch (e) {
      const error =
        e instanceof ChannelError
          ? e
          : new ChannelError(
              'unreachable',
              'Lanyard could not reach the channel. It will try again.',
            );
      return this.recordFailure(pub, error);
    }
  }

  private async recordLive(pub: PublicationRow, remoteId: string, remoteUrl: string | null) {
    const { database, repository, clock, audit } = this.deps;
    return database.transaction(async (tx) => {
      const now = await repository.publicationForUpdate(tx.db, pub.id);
      if (!now || now.state === 'live') return 'live' as const;
      await repository.updatePublication(tx.db, pub.id, {
        state: 'live',
        remoteId,
        remoteUrl,
        publishedAt: clock.now(),
        nextAttemptAt: null,
        lastError: null,
      });
      await audit.record(tx, {
        schoolId: pub.schoolId,
        actor: { kind: 'system', id: null },
        action: 'publishing.publication-delivered',
        entityType: 'publication',
        entityId: pub.id,
        data: { attempts: pub.attempts },
      });
      return 'live' as const;
    });
  }

  private async recordFailure(pub: PublicationRow, error: ChannelError) {
    const { database, repository, clock, audit, jobs } = this.deps;
    return database.transaction(async (tx) => {
      const now = clock.now();
      const final = !error.retryable || pub.attempts >= MAX_DELIVERY_ATTEMPTS;
      const wait =
        error.kind === 'rate_limited' && error.retryAfterSeconds
          ? Math.max(error.retryAfterSeconds * 1000, 1000)
          : backoffMs(pub.attempts);
      const next = new Date(now.getTime() + wait);
      await repository.updatePublication(tx.db, pub.id, {
        state: final ? 'failed' : 'queued',
        lastError: error.plainMessage,
        nextAttemptAt: final ? null : next,
      });
      if (final) {
        await audit.record(tx, {
          schoolId: pub.schoolId,
          actor: { kind: 'system', id: null },
          action: 'publishing.publication-failed',
          entityType: 'publication',
          entityId: pub.id,
          data: { kind: error.kind, attempts: pub.attempts },
        });
        await jobs.enqueue(
          'publishing.post-email',
          { schoolId: pub.schoolId, postId: pub.postId, kind: 'failed' },
          { tx },
        );
      } else {
        await jobs.enqueue(
          'publishing.deliver',
          { publicationId: pub.id },
          { tx, startAfter: next },
        );
      }
      return final ? ('failed' as const) : ('queued' as const);
    });
  }

  /** A failed publication is tried again (the author or approver asks). */
  async retry(p: Principal, publicationId: string): Promise<void> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const pub = await this.deps.repository.publicationInSchool(this.db, p.schoolId, publicationId);
    if (!pub) throw new NotFoundError();
    await this.deps.posts.get(p, pub.postId);
    await this.deps.database.transaction(async (tx) => {
      const locked = await this.deps.repository.publicationForUpdate(tx.db, publicationId);
      if (!locked || locked.state !== 'failed')
        throw new ConflictError('Only a failed delivery can be tried again.');
      await this.deps.repository.updatePublication(tx.db, publicationId, {
        state: 'queued',
        attempts: 0,
        nextAttemptAt: this.deps.clock.now(),
      });
      await this.deps.audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action: 'publishing.publication-retried',
        entityType: 'publication',
        entityId: publicationId,
        data: {},
      });
      await this.deps.jobs.enqueue('publishing.deliver', { publicationId }, { tx });
    });
  }
}

/** Where a publication's copy of a photo lives: the publication's own folder. */
export function publicationFileKey(
  schoolId: string,
  publicationId: string,
  position: number,
): string {
  return `${schoolId}/publications/${publicationId}/${position}.jpg`;
}

export type { PostRow };
