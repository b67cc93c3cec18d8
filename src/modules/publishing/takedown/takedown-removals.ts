/**
 * Carrying out automatic removals through each channel's adapter (retried with back-off), and
 * publishing an item again with the pupil blurred where the profile allows it.
 */
import crypto from 'node:crypto';
import { ChannelError, type ChannelContext, type ChannelKind } from '../channel-adapter.ts';
import { DELIVERING_WAIT_MS, takedownRetryMs, type TakedownDeps } from './takedown-deps.ts';

export class TakedownRemovals {
  constructor(private readonly deps: TakedownDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Automatic removals whose time has come; returns how many publications came down. */
  async runAutomatic(limit = 500): Promise<number> {
    let removed = 0;
    for (;;) {
      const due = await this.deps.repository.automaticDue(this.db, this.deps.clock.now(), limit);
      const bySchool = new Map<string, string[]>();
      for (const d of due)
        bySchool.set(d.schoolId, [...(bySchool.get(d.schoolId) ?? []), d.publicationId]);
      for (const [schoolId, ids] of bySchool) {
        for (let i = 0; i < ids.length; i += 100)
          removed += await this.removeMany(schoolId, ids.slice(i, i + 100));
      }
      if (due.length < limit) return removed;
    }
  }

  private async context(schoolId: string, accountId: string): Promise<ChannelContext> {
    const row = await this.deps.repository.account(this.db, schoolId, accountId);
    if (!row) throw new ChannelError('invalid', 'The channel this post went to no longer exists.');
    return {
      account: {
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
      },
      credential: row.credentialCiphertext ? this.deps.secretOpen(row.credentialCiphertext) : null,
      files: this.deps.files,
    };
  }

  /**
   * Takes one publication down through its channel's adapter and completes its automatic tasks.
   * Returns true when it is down. A failure is recorded on the tasks (tried again later).
   */
  async removeAutomatically(schoolId: string, publicationId: string): Promise<boolean> {
    return (await this.removeMany(schoolId, [publicationId])) === 1;
  }

  /**
   * Takes publications of one school down: (1) in one transaction, locks them and their open
   * automatic tasks; an item that never reached its channel (queued, failed) simply never goes
   * out, one being delivered is looked at again shortly, a live one becomes 'removing'; (2) asks
   * each channel's adapter to remove the live ones, outside any transaction; (3) records the
   * results together: removed with their tasks done, or each failure on its tasks with the next
   * try. Returns how many came down.
   */
  private async removeMany(schoolId: string, publicationIds: string[]): Promise<number> {
    const { database, repository, clock, audit } = this.deps;
    const system = { kind: 'system' as const, id: null };
    const plan = await database.transaction(async (tx) => {
      const pubs = await repository.publicationsForUpdate(tx.db, schoolId, publicationIds);
      const tasks = await repository.openAutomaticTasksForUpdate(tx.db, schoolId, publicationIds);
      const now = clock.now();
      const tasksOf = (id: string) => tasks.filter((t) => t.publicationId === id).map((t) => t.id);
      const toRemove: typeof pubs = [];
      let done = 0;
      const gone: string[] = [];
      const never: typeof pubs = [];
      const later: string[] = [];
      for (const pub of pubs) {
        const ids = tasksOf(pub.id);
        if (ids.length === 0) continue;
        if (pub.state === 'removed') gone.push(...ids);
        else if (pub.state === 'delivering') later.push(...ids);
        else if (pub.state === 'queued' || pub.state === 'failed') never.push(pub);
        else toRemove.push(pub);
      }
      await repository.completeTasks(tx.db, schoolId, gone, {
        at: now,
        by: null,
        note: null,
        outcome: 'already_gone',
      });
      // The delivery job holds it: look again once it has finished (it cannot go live unseen).
      await repository.deferTasks(
        tx.db,
        schoolId,
        later,
        new Date(now.getTime() + DELIVERING_WAIT_MS),
      );
      if (never.length > 0) {
        await repository.setPublications(
          tx.db,
          schoolId,
          never.map((p) => p.id),
          {
            state: 'removed',
            removedAt: now,
            nextAttemptAt: null,
          },
        );
        await repository.completeTasks(
          tx.db,
          schoolId,
          never.flatMap((p) => tasksOf(p.id)),
          {
            at: now,
            by: null,
            note: null,
            outcome: 'removed',
          },
        );
        for (const pub of never) {
          await audit.record(tx, {
            schoolId,
            actor: system,
            action: 'publishing.publication-taken-down',
            entityType: 'publication',
            entityId: pub.id,
            data: { tasks: tasksOf(pub.id).length, before: pub.state },
          });
          done++;
        }
      }
      const live = toRemove.filter((p) => p.state === 'live').map((p) => p.id);
      if (live.length > 0)
        await repository.setPublications(tx.db, schoolId, live, { state: 'removing' });
      return { toRemove, done };
    });
    if (plan.toRemove.length === 0) return plan.done;

    const removed: string[] = [];
    const failed = new Map<string, ChannelError>();
    const contexts = new Map<string, ChannelContext | ChannelError>();
    for (const pub of plan.toRemove) {
      try {
        const known = contexts.get(pub.accountId);
        const ctx: ChannelContext | ChannelError =
          known ??
          (await this.context(schoolId, pub.accountId).catch((e: unknown) => {
            if (e instanceof ChannelError) return e;
            throw e;
          }));
        contexts.set(pub.accountId, ctx);
        if (ctx instanceof ChannelError) throw ctx;
        const adapter = this.deps.adapters.get(ctx.account.kind);
        if (!adapter)
          throw new ChannelError(
            'invalid',
            `Lanyard cannot reach ${ctx.account.name} to take the post down yet. It will keep trying.`,
          );
        await adapter.remove(pub.remoteId ?? pub.id, ctx);
        removed.push(pub.id);
      } catch (e) {
        failed.set(
          pub.id,
          e instanceof ChannelError
            ? e
            : new ChannelError(
                'unreachable',
                'Lanyard could not reach the channel to take the post down. It will try again.',
              ),
        );
      }
    }

    await database.transaction(async (tx) => {
      const now = clock.now();
      const tasks = await repository.openAutomaticTasksForUpdate(tx.db, schoolId, [
        ...removed,
        ...failed.keys(),
      ]);
      if (removed.length > 0) {
        await repository.setPublications(tx.db, schoolId, removed, {
          state: 'removed',
          removedAt: now,
          nextAttemptAt: null,
        });
        const gone = new Set(removed);
        await repository.completeTasks(
          tx.db,
          schoolId,
          tasks.filter((t) => gone.has(t.publicationId)).map((t) => t.id),
          { at: now, by: null, note: null, outcome: 'removed' },
        );
        for (const id of removed)
          await audit.record(tx, {
            schoolId,
            actor: system,
            action: 'publishing.publication-taken-down',
            entityType: 'publication',
            entityId: id,
            data: { tasks: tasks.filter((t) => t.publicationId === id).length, before: 'live' },
          });
      }
      for (const [id, error] of failed) {
        const mine = tasks.filter((t) => t.publicationId === id);
        const attempts = Math.max(0, ...mine.map((t) => t.attempts)) + 1;
        await repository.failTasks(
          tx.db,
          schoolId,
          mine.map((t) => t.id),
          {
            error: error.plainMessage,
            nextAttemptAt: new Date(now.getTime() + takedownRetryMs(attempts)),
          },
        );
        if (attempts === 1)
          await audit.record(tx, {
            schoolId,
            actor: system,
            action: 'publishing.takedown-failed',
            entityType: 'publication',
            entityId: id,
            data: { kind: error.kind },
          });
      }
    });
    if (removed.length > 0) {
      const settings = (await this.deps.policies.current(schoolId)).settings;
      if (settings.publishing.republishBlurredOnWithdrawal.value)
        for (const pub of plan.toRemove.filter((p) => removed.includes(p.id)))
          await this.republishBlurred(schoolId, pub).catch(() => null);
    }
    return plan.done + removed.length;
  }

  /**
   * Publishes a taken-down item again with fresh copies for its purpose, in which every pupil who
   * may no longer appear is blurred (`publishing.republishBlurredOnWithdrawal`). Nothing happens
   * (the item just stays down) when a photo is gone from the library, cannot be made publishable
   * or would still show such a pupil unblurred. Returns the new publication's id.
   */
  private async republishBlurred(
    schoolId: string,
    pub: {
      id: string;
      postId: string;
      accountId: string;
      purposeKey: string;
      idempotencyKey: string;
      title: string;
      text: string;
      approvedBy: string | null;
      publishedBy: string | null;
      registerVersion: number | null;
    },
  ): Promise<string | null> {
    const { database, repository, files, clock, audit } = this.deps;
    const system = { kind: 'system' as const, id: null };
    const [items, pupils] = await Promise.all([
      repository.items(this.db, schoolId, pub.id),
      repository.pupilsOf(this.db, schoolId, pub.id),
    ]);
    if (items.length === 0 || items.some((i) => !i.mediaId)) return null;
    const refused = new Set<string>();
    const answers = await this.deps.consent.mayMany(
      schoolId,
      pupils.map((pupilId) => ({ pupilId, purpose: pub.purposeKey, mediaType: 'image' as const })),
    );
    for (const a of answers) if (!a.allowed) refused.add(a.pupilId);
    const id = crypto.randomUUID();
    const copies: {
      bytes: Buffer;
      sha256: string;
      renditionId: string;
      item: (typeof items)[number];
    }[] = [];
    for (const item of items) {
      const r = await this.deps.media.publishableRendition(
        schoolId,
        item.mediaId!,
        pub.purposeKey,
        system,
      );
      const basis = (r.basis ?? []) as { pupilId: string | null; blurred: boolean }[];
      // Every face shown unblurred must be a pupil who may still appear here.
      if (basis.some((b) => !b.blurred && (!b.pupilId || refused.has(b.pupilId)))) return null;
      const bytes = await files.read(r.fileKey);
      copies.push({
        bytes,
        sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
        renditionId: r.id,
        item,
      });
    }
    const keys: string[] = [];
    for (const c of copies) {
      const key = `${schoolId}/publications/${id}/${c.item.position}.jpg`;
      const temp = await files.writeTemp(c.bytes);
      await files.commit(temp.name, key);
      keys.push(key);
    }
    try {
      await database.transaction(async (tx) => {
        await repository.insertPublication(
          tx.db,
          {
            id,
            schoolId,
            postId: pub.postId,
            accountId: pub.accountId,
            purposeKey: pub.purposeKey,
            state: 'queued',
            idempotencyKey: `${pub.idempotencyKey}:blurred:${id}`,
            title: pub.title,
            text: pub.text,
            registerVersion: pub.registerVersion,
            approvedBy: pub.approvedBy,
            publishedBy: pub.publishedBy,
            nextAttemptAt: clock.now(),
          },
          copies.map((c, i) => ({
            publicationId: id,
            mediaId: c.item.mediaId,
            schoolId,
            renditionId: c.renditionId,
            fileKey: keys[i]!,
            renditionSha256: c.sha256,
            contentType: 'image/jpeg',
            altText: c.item.altText,
            position: c.item.position,
          })),
          pupils.filter((p) => !refused.has(p)),
        );
        await repository.setOutcome(tx.db, schoolId, pub.id, 'republished_blurred');
        await this.deps.jobs.enqueue('publishing.deliver', { publicationId: id }, { tx });
        await audit.record(tx, {
          schoolId,
          actor: system,
          action: 'publishing.publication-republished-blurred',
          entityType: 'publication',
          entityId: id,
          data: { replaces: pub.id, blurredPupils: refused.size },
        });
      });
    } catch (e) {
      for (const key of keys) await files.delete(key).catch(() => undefined);
      throw e;
    }
    return id;
  }
}
