import crypto from 'node:crypto';
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { AuditService } from '../../audit/index.ts';
import type { EventsService } from '../../events/index.ts';
import type { MediaService } from '../../media/index.ts';
import type { Jobs } from '../../registry.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { ConsentService } from '../../consent/index.ts';
import type { PolicyService, PolicySettings } from '../../policies/index.ts';
import {
  ChannelError,
  type ChannelAdapterRegistry,
  type ChannelContext,
  type ChannelKind,
} from '../channel-adapter.ts';
import type {
  AffectedPublication,
  TakedownListRow,
  TakedownRepository,
} from './takedown.repository.ts';

/** Channels Lanyard reaches itself, so a takedown there is automatic (the rest need a person). */
export const AUTOMATIC_KINDS: readonly string[] = ['news', 'webhook', 'wordpress', 'bluesky'];

const DAY_MS = 24 * 60 * 60 * 1000;
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 60 * 60_000;
/** While a publication is being delivered, its removal waits this long before looking again. */
const DELIVERING_WAIT_MS = 30_000;

/** The wait before the next try of a failed automatic removal: doubling, at most an hour. */
export function takedownRetryMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Days a person has to take an item down by hand (`publishing.takedownDueDays`). */
export function takedownDueDays(settings: PolicySettings): number {
  return settings.publishing.takedownDueDays.value;
}

interface ConsentChangedPayload {
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

/**
 * Takedown after consent changes (`consent.takedownWherePracticable`, issue 12 item 10).
 *
 * `processEvents` consumes the `consent.changed` events: for each, every publication showing
 * the pupil that is live or on its way is re-checked with the consent service at now
 * (`mayMany`), and each one whose purpose the pupil may no longer appear in gets a takedown task
 * (one per publication + pupil + event: re-running creates nothing twice). The tasks and the
 * event's handled mark commit together. Withdrawal is not retroactive: nothing else about
 * earlier records changes; only the items come down.
 *
 * Channels Lanyard reaches itself (the news page, webhooks) are taken down automatically through
 * their adapter (`runAutomatic`), retried with back-off until done; a failed try stays on the
 * staff page with its reason. Other channels give the account's credential custodian a task due
 * in the profile's number of days, which they mark done with a note.
 */
export class TakedownService {
  constructor(
    private readonly deps: {
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
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---------------------------------------------------------------------------------------
  // The worker

  /** Consumes every waiting `consent.changed` event (in batches), then runs automatic removals. */
  async run(): Promise<TakedownRunResult & { removed: number }> {
    const result = await this.processEvents();
    const removed = await this.runAutomatic();
    return { ...result, removed };
  }

  /** Turns waiting `consent.changed` events into takedown tasks. Safe to run twice or at once. */
  async processEvents(batch = 100): Promise<TakedownRunResult> {
    const total: TakedownRunResult = { events: 0, tasks: 0 };
    for (;;) {
      const r = await this.deps.database.transaction(async (tx) => {
        const events = await this.deps.events.claimUnhandled(tx, 'consent.changed', batch);
        let tasks = 0;
        for (const event of events) {
          tasks += await this.tasksFor(
            tx,
            event.id,
            event.schoolId,
            event.payload as ConsentChangedPayload,
          );
          // The consumer's cursor: handled in the same transaction as the tasks it made.
          await this.deps.events.markHandled(tx, event.id);
        }
        return { events: events.length, tasks };
      });
      total.events += r.events;
      total.tasks += r.tasks;
      if (r.events < batch) return total;
    }
  }

  private async tasksFor(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    eventId: number,
    schoolId: string,
    payload: ConsentChangedPayload,
  ): Promise<number> {
    // Only a change to "may not appear" can take anything down.
    if (!payload?.pupilId || !payload.changes?.some((c) => c.before && !c.after)) return 0;
    const { repository, clock } = this.deps;
    const settings = (await this.deps.policies.current(schoolId)).settings;
    if (!settings.consent.takedownWherePracticable.value) return 0;
    const affected = await repository.affectedPublications(tx.db, schoolId, payload.pupilId);
    if (affected.length === 0) return 0;
    const refused = await this.refusedPurposes(schoolId, payload.pupilId, affected);
    const now = clock.now();
    const due = new Date(now.getTime() + takedownDueDays(settings) * DAY_MS);
    const labels = new Map(settings.consent.purposes.value.map((p) => [p.key, p.label]));
    const rows = affected
      .filter((a) => refused.has(a.purposeKey))
      .map((a) => {
        const automatic = AUTOMATIC_KINDS.includes(a.accountKind);
        return {
          publicationId: a.publicationId,
          reason: `A pupil in this post may no longer appear in photos for ${labels.get(a.purposeKey) ?? 'this use'}: their consent changed.`,
          automatic,
          dueAt: automatic ? now : due,
          nextAttemptAt: automatic ? now : null,
        };
      });
    const created = await repository.insertTasks(
      tx.db,
      { schoolId, pupilId: payload.pupilId, sourceEventId: eventId, createdAt: now },
      rows,
    );
    if (created.length > 0) {
      await this.deps.audit.record(tx, {
        schoolId,
        actor: { kind: 'system', id: null },
        action: 'publishing.takedown-tasks-created',
        entityType: 'pupil',
        entityId: payload.pupilId,
        data: {
          eventId,
          recordId: payload.recordId,
          tasks: created.length,
          automatic: rows.filter((r) => r.automatic).length,
        },
      });
    }
    return created.length;
  }

  /** The purposes (of these publications) this pupil may no longer appear in, asked at now. */
  private async refusedPurposes(
    schoolId: string,
    pupilId: string,
    affected: AffectedPublication[],
  ): Promise<Set<string>> {
    const purposes = [...new Set(affected.map((a) => a.purposeKey))];
    try {
      const answers = await this.deps.consent.mayMany(
        schoolId,
        purposes.map((purpose) => ({ pupilId, purpose, mediaType: 'image' as const })),
      );
      return new Set(answers.filter((a) => !a.allowed).map((a) => a.purpose));
    } catch (e) {
      // A pupil the register no longer knows may not appear anywhere (fail closed).
      if (e instanceof NotFoundError) return new Set(purposes);
      throw e;
    }
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

  // ---------------------------------------------------------------------------------------
  // The staff page

  /** Whether this person handles takedowns: the Headteacher, the custodian role, or a custodian. */
  async viewer(p: Principal): Promise<{ who: StaffPrincipal; everyAccount: boolean }> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const role = (await this.deps.policies.current(p.schoolId)).settings.roles
      .credentialCustodianRole.value;
    if (p.roles.some((r) => r === 'headteacher' || r === role))
      return { who: p, everyAccount: true };
    if (await this.deps.repository.isCustodian(this.db, p.schoolId, p.id))
      return { who: p, everyAccount: false };
    throw new NotFoundError();
  }

  async page(p: Principal): Promise<TakedownPage> {
    const { who, everyAccount } = await this.viewer(p);
    const only = everyAccount ? undefined : who.id;
    const now = this.deps.clock.now();
    const [open, done] = await this.named(
      who.schoolId,
      await Promise.all([
        this.deps.repository.open(this.db, who.schoolId, only),
        this.deps.repository.done(this.db, who.schoolId, only),
      ]),
    );
    return {
      due: open.map((t) => ({ ...t, overdue: t.dueAt < now })),
      done,
      everyAccount,
    };
  }

  async task(p: Principal, id: string): Promise<TakedownListRow> {
    const { who, everyAccount } = await this.viewer(p);
    const task = await this.deps.repository.get(this.db, who.schoolId, id);
    if (!task || (!everyAccount && task.custodianId !== who.id)) throw new NotFoundError();
    const [[named]] = await this.named(who.schoolId, [[task]]);
    return named!;
  }

  /** Fills in the custodians' and doers' names, read through the people module. */
  private async named<T extends TakedownListRow[][]>(schoolId: string, lists: T): Promise<T> {
    const ids = lists
      .flat()
      .flatMap((t) => [t.custodianId, t.doneBy])
      .filter((x): x is string => !!x);
    if (ids.length === 0) return lists;
    const names = await this.deps.people.displayNames(this.db, schoolId, {
      staff: [...new Set(ids)],
      parents: [],
      pupils: [],
    });
    return lists.map((list) =>
      list.map((t) => ({
        ...t,
        custodianName: t.custodianId ? (names.staff.get(t.custodianId) ?? null) : null,
        doneByName: t.doneBy ? (names.staff.get(t.doneBy) ?? null) : null,
      })),
    ) as T;
  }

  /**
   * A person says they took an item down by hand: this task and every other open task of the same
   * publication are done, and the publication is recorded as removed.
   */
  async markDone(p: Principal, id: string, note: string): Promise<TakedownListRow> {
    const task = await this.task(p, id);
    const who = p as StaffPrincipal;
    if (!note.trim())
      throw new ValidationError({ note: 'Say where and how the post was taken down' });
    const { database, repository, clock, audit } = this.deps;
    await database.transaction(async (tx) => {
      const locked = await repository.taskForUpdate(tx.db, who.schoolId, id);
      if (!locked) throw new NotFoundError();
      if (locked.state === 'done')
        throw new ConflictError('This takedown has already been marked done.');
      if (locked.automatic)
        throw new ConflictError(
          'Lanyard takes this post down itself and keeps trying until it is done.',
        );
      const now = clock.now();
      const pub = await repository.publicationForUpdate(tx.db, who.schoolId, task.publicationId);
      if (pub && pub.state !== 'removed')
        await repository.setPublication(tx.db, who.schoolId, task.publicationId, {
          state: 'removed',
          removedAt: now,
          nextAttemptAt: null,
        });
      const open = await repository.openTasksForUpdate(
        tx.db,
        who.schoolId,
        task.publicationId,
        false,
      );
      await repository.completeTasks(
        tx.db,
        who.schoolId,
        open.map((t) => t.id),
        {
          at: now,
          by: who.id,
          note: note.trim(),
          outcome: 'removed',
        },
      );
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'publishing.takedown-done',
        entityType: 'publication',
        entityId: task.publicationId,
        data: { tasks: open.length, taskId: id },
      });
    });
    return task;
  }

  /** Takedowns due for this person's home page: open tasks for a person, failing removals. */
  async dueFor(p: Principal): Promise<TakedownListRow[]> {
    if (p.kind !== 'staff') return [];
    let scope: { everyAccount: boolean };
    try {
      scope = await this.viewer(p);
    } catch {
      return [];
    }
    const rows = await this.deps.repository.open(
      this.db,
      p.schoolId,
      scope.everyAccount ? undefined : p.id,
    );
    return rows.filter((t) => !t.automatic || t.state === 'failed');
  }

  // ---------------------------------------------------------------------------------------
  // For the withdrawal receipt

  /**
   * What comes down because of a statement recorded at `since` for this pupil, by channel: the
   * takedown tasks made since then, and (until the takedown job has run) the live items whose
   * purpose the pupil may no longer appear in. For the parent's receipt.
   */
  async removalsFor(schoolId: string, pupilId: string, since: Date): Promise<ReceiptRemoval[]> {
    const settings = (await this.deps.policies.current(schoolId)).settings;
    if (!settings.consent.takedownWherePracticable.value) return [];
    const [tasks, affected] = await Promise.all([
      this.deps.repository.tasksOfPupilSince(this.db, schoolId, pupilId, since),
      this.deps.repository.affectedPublications(this.db, schoolId, pupilId),
    ]);
    const byChannel = new Map<string, ReceiptRemoval & { ids: Set<string> }>();
    const add = (id: string, channel: string, automatic: boolean, dueAt: Date | null) => {
      const entry = byChannel.get(channel) ?? {
        channel,
        items: 0,
        automatic,
        dueAt: null,
        ids: new Set<string>(),
      };
      if (entry.ids.has(id)) return;
      entry.ids.add(id);
      entry.items++;
      if (!automatic && dueAt && (!entry.dueAt || dueAt > entry.dueAt)) entry.dueAt = dueAt;
      entry.automatic = entry.automatic && automatic;
      byChannel.set(channel, entry);
    };
    for (const t of tasks) add(t.publicationId, t.accountName, t.automatic, t.dueAt);
    const pending = affected.filter((a) => !tasks.some((t) => t.publicationId === a.publicationId));
    if (pending.length > 0) {
      const refused = await this.refusedPurposes(schoolId, pupilId, pending);
      const due = new Date(this.deps.clock.now().getTime() + takedownDueDays(settings) * DAY_MS);
      for (const a of pending.filter((p) => refused.has(p.purposeKey))) {
        const automatic = AUTOMATIC_KINDS.includes(a.accountKind);
        add(a.publicationId, a.accountName, automatic, automatic ? null : due);
      }
    }
    return [...byChannel.values()]
      .map(({ ids: _ids, ...r }) => r)
      .sort((a, b) => a.channel.localeCompare(b.channel));
  }
}

/** One line of a withdrawal receipt: what comes down where, and by when. */
export interface ReceiptRemoval {
  /** The channel's name, e.g. "School news page". */
  channel: string;
  /** How many posts showing the child come down there. */
  items: number;
  /** Lanyard removes them itself (else a named person at the school does, by `dueAt`). */
  automatic: boolean;
  dueAt: Date | null;
}
