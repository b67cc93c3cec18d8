import type { AttentionItem, Services } from '../../registry.ts';
import { formatDateInWords } from '../../../web/dates.ts';
import { TakedownRepository } from './takedown.repository.ts';
import { TakedownService } from './takedown.service.ts';
import { READ_TTL_MS } from '../../people/index.ts';
import type { Principal } from '../../auth/index.ts';

export { takedownRoutes } from './takedown.routes.ts';
export { takedownApi } from './takedown.api.ts';
export { takedownJobs } from './takedown.jobs.ts';
export { TakedownService } from './takedown.service.ts';

declare module '../../registry.ts' {
  interface ServiceRegistry {
    /** Takedown tasks from `consent.changed` events, automatic removal, the staff page. */
    takedowns: TakedownService;
  }
}

/**
 * The takedown part of the publishing module: `publishing.module.ts` spreads it into its `wire`
 * (after the channel adapters exist), lists `takedownRoutes` and `takedownJobs`, and adds
 * `takedownAttention` to its home-page items.
 */
export function wireTakedowns(
  deps: Pick<
    Services,
    | 'database'
    | 'clock'
    | 'audit'
    | 'consent'
    | 'policies'
    | 'files'
    | 'secretBox'
    | 'events'
    | 'jobs'
    | 'peopleDirectory'
    | 'media'
  > & { channelAdapters: Services['channelAdapters'] },
): { takedowns: TakedownService } {
  // Each consent change starts the takedown job at once (enqueued in the change's transaction).
  // Once per transaction: an import that changes many pupils starts one job, not one each.
  const started = new WeakSet<object>();
  deps.events.on('consent.changed', async (tx) => {
    if (started.has(tx)) return;
    started.add(tx);
    await deps.jobs.enqueue('publishing.takedowns', {}, { tx });
  });
  return {
    takedowns: new TakedownService({
      database: deps.database,
      repository: new TakedownRepository(),
      clock: deps.clock,
      audit: deps.audit,
      events: deps.events,
      people: deps.peopleDirectory,
      consent: deps.consent,
      policies: deps.policies,
      files: deps.files,
      media: deps.media,
      jobs: deps.jobs,
      adapters: deps.channelAdapters,
      secretOpen: (sealed) => deps.secretBox.open(sealed),
    }),
  };
}

/** Takedowns due, on the home page of the Headteacher and of whoever keeps the account. */
export async function takedownAttention(
  services: Services,
  p: Principal,
): Promise<AttentionItem[]> {
  if (p.kind !== 'staff') return [];
  // A shared read per person (ADR 0008, 0018): tasks, posts and the profile bump the school's
  // version. Who keeps an account does not: a new custodian sees their tasks within 5 s.
  const due = await services.database.cachedRead(
    `takedowns-due:${p.schoolId}:${p.id}`,
    READ_TTL_MS,
    () => services.takedowns.dueFor(p),
    p.schoolId,
  );
  const now = services.clock.now();
  return due.map((t) => ({
    title: `Take down: ${t.postTitle}`,
    detail:
      t.state === 'failed'
        ? `Lanyard could not take it off ${t.accountName} and is trying again: ${t.lastError ?? 'the channel did not answer'}.`
        : `From ${t.accountName}, by ${formatDateInWords(t.dueAt)}. A pupil’s consent changed.`,
    href: `/posts/takedowns/${t.id}`,
    tag:
      t.state === 'failed' || t.dueAt < now
        ? { text: t.state === 'failed' ? 'Failing' : 'Overdue', colour: 'red' as const }
        : { text: 'Takedown due', colour: 'orange' as const },
  }));
}
