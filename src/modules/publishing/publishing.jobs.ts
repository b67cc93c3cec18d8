import { defineJobs } from '../registry.ts';
import { ConflictError } from '../../errors.ts';
import type { PostEmailKind } from './posts/posts.service.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Email about a post: the approver when it waits, else its author (decided, expired …). */
    'publishing.post-email': { schoolId: string; postId: string; kind: PostEmailKind };
    /** Publish an approved post (at its scheduled time), with the consent re-check. */
    'publishing.publish': { schoolId: string; postId: string };
    /** Deliver one publication through its channel's adapter (the outbox). */
    'publishing.deliver': { publicationId: string };
    /** Every minute: expire pending posts whose time is up, publish what is due, retry deliveries. */
    'publishing.tick': Record<string, never>;
  }
}

export const publishingJobs = defineJobs({
  'publishing.post-email': {
    run: async (services, data) => {
      await services.posts.sendEmail(data.schoolId, data.postId, data.kind);
    },
  },
  'publishing.publish': {
    run: async (services, data) => {
      const post = await services.posts.postOf(data.schoolId, data.postId);
      if (post?.status !== 'approved') return;
      if (post.scheduledAt && post.scheduledAt > services.clock.now()) return;
      try {
        await services.publishing.publish(data.schoolId, data.postId, { kind: 'system', id: null });
      } catch (e) {
        // Published meanwhile by a person or the minutely sweep: nothing left to do.
        if (!(e instanceof ConflictError)) throw e;
      }
    },
  },
  'publishing.deliver': {
    run: async (services, data) => {
      await services.publishing.deliver(data.publicationId);
    },
  },
  'publishing.tick': {
    cron: '* * * * *',
    run: async (services) => {
      await services.posts.expireDue();
      await services.publishing.publishDue();
      await services.publishing.deliverDue();
    },
  },
});
