import { defineModule, type Services } from '../registry.ts';
import { hasRole, type Principal } from '../auth/index.ts';
import { ChannelAdapterRegistry } from './channel-adapter.ts';
import { ChannelHealthChecks } from './accounts/channel-health.ts';
import { NewsChannelAdapter } from './news-adapter.ts';
import { BlueskyAdapter } from './channels/bluesky-adapter.ts';
import { WordPressAdapter } from './channels/wordpress-adapter.ts';
import { ByHandChannelAdapter } from './channels/by-hand-adapter.ts';
import { publishingJobs } from './publishing.jobs.ts';
import { PostsRepository } from './posts/posts.repository.ts';
import { PostsService } from './posts/posts.service.ts';
import { PublishService } from './posts/publish.service.ts';
import { postsRoutes } from './posts/posts.routes.ts';
import { postsApi } from './posts/posts.api.ts';
import { canApprovePosts, mayReachPosts } from './posts/posts.policy.ts';
import { READ_TTL_MS } from '../people/index.ts';
import { newsAppearanceRoutes, newsRoutes, wireNews } from './news/index.ts';
import { accountsApi, accountsNavigation, accountsRoutes, wireAccounts } from './accounts/index.ts';
import {
  takedownApi,
  takedownAttention,
  takedownJobs,
  takedownRoutes,
  wireTakedowns,
} from './takedown/index.ts';
import { PublishingAggregates } from './publishing.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Publications and takedowns in figures (counts only): the governors’ monitoring report. */
    publishingAggregates: PublishingAggregates;
    /** Drafts, checks and approval of posts (SPEC §3.5). */
    posts: PostsService;
    /** Publishing with the consent re-check, and delivery through the outbox. */
    publishing: PublishService;
    /** The channel adapters the delivery job uses, one per kind of channel. */
    channelAdapters: ChannelAdapterRegistry;
    /** Whether a channel Lanyard posts to can be reached (its page; answers kept a few minutes). */
    channelHealth: ChannelHealthChecks;
  }
}

/** Publishing: school accounts, draft → checks → approval → publish → takedown, the news page. */
export const publishingModule = defineModule({
  name: 'publishing',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'config'
      | 'mailer'
      | 'jobs'
      | 'files'
      | 'images'
      | 'secretBox'
      | 'audit'
      | 'policies'
      | 'consent'
      | 'media'
      | 'events'
      | 'peopleDirectory'
      | 'people'
      | 'conductPermissions'
      | 'responsibilities'
    >,
  ) => {
    const repository = new PostsRepository({ people: deps.peopleDirectory, media: deps.media });
    const accounts = wireAccounts(deps);
    const channelAdapters = new ChannelAdapterRegistry()
      .register(new NewsChannelAdapter())
      .register(accounts.channelAccounts.webhookAdapter())
      .register(new BlueskyAdapter())
      // Facebook, Instagram, X and the newsletter: handed to the account's custodian to post.
      .register(new ByHandChannelAdapter('social'))
      .register(new ByHandChannelAdapter('newsletter'))
      .register(
        new WordPressAdapter({
          // The profile says whether a post taken down is deleted or put in the site's bin.
          deleteOnTakedown: async (schoolId) =>
            (await deps.policies.current(schoolId)).settings.publishing.deleteOnTakedown.value,
          now: () => deps.clock.now(),
          // A site on this machine over plain http: development and tests only.
          allowLoopbackHttp: deps.config.env !== 'production',
        }),
      );
    const posts = new PostsService({
      database: deps.database,
      repository,
      people: deps.peopleDirectory,
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
      consent: deps.consent,
      media: deps.media,
      mailer: deps.mailer,
      jobs: deps.jobs,
      baseUrl: deps.config.baseUrl,
      // The publishing check for reminder posts reads the author's permission (conduct, wired before).
      reminderPermission: (schoolId, staffId, at) =>
        deps.conductPermissions.holds(schoolId, staffId, 'reminder_post', at),
      // Who may post on an account may be a responsibility (channels.accountRules, issue 15).
      responsibilitiesHeld: (schoolId, staffId) => deps.responsibilities.heldBy(schoolId, staffId),
      // Who approves may be a responsibility too (roles.approverResponsibilities).
      responsibilityHolders: (schoolId, keys) => deps.responsibilities.holdersOf(schoolId, keys),
      // Training is wired after publishing: looked up when a rule asks for it
      // (channels.accountRules' postersNeedTraining). Up to date: no kind of training overdue.
      trainingCurrent: async (schoolId, staffId) => {
        const training = (deps as Partial<Services>).training;
        if (!training) return false;
        const report = await training.status(schoolId, [staffId]);
        const me = report.people.find((x) => x.staffId === staffId);
        return me !== undefined && Object.values(me.kinds).every((k) => k?.state !== 'overdue');
      },
    });
    const publishing = new PublishService({
      database: deps.database,
      repository,
      audit: deps.audit,
      clock: deps.clock,
      consent: deps.consent,
      media: deps.media,
      files: deps.files,
      jobs: deps.jobs,
      posts,
      adapters: channelAdapters,
      secretOpen: (sealed) => deps.secretBox.open(sealed),
    });
    const channelHealth = new ChannelHealthChecks({
      accounts: accounts.channelAccounts,
      adapters: channelAdapters,
      files: deps.files,
      now: () => deps.clock.now(),
    });
    return {
      publishingAggregates: new PublishingAggregates({ database: deps.database }),
      posts,
      publishing,
      channelAdapters,
      channelHealth,
      ...accounts,
      ...wireNews(deps),
      ...wireTakedowns({ ...deps, channelAdapters }),
    };
  },
  routes: [postsRoutes, newsRoutes, newsAppearanceRoutes, takedownRoutes, accountsRoutes],
  api: [postsApi, accountsApi, takedownApi],
  jobs: { ...publishingJobs, ...takedownJobs },
  navigation: [
    {
      href: '/posts',
      text: 'Posts',
      section: 'posts-and-photos',
      description: 'Write posts for the school’s website and social media, and approve them.',
      order: 72,
      visible: mayReachPosts,
      // Those the profile lets draft (`publishing.draftingRoles`), and those who see every post.
      shownBy: (services, p) => services.posts.mayOpenPosts(p),
    },
    accountsNavigation,
  ],
  attention: async (services, p) => [
    ...(await takedownAttention(services, p)),
    ...(await postsAttention(services, p)),
  ],
});

/** Posts waiting for approval, on the approver's home page. */
async function postsAttention(services: Services, p: Principal) {
  if (p.kind !== 'staff') return [];
  // A shared read (ADR 0008, 0018): posts, their checks and the profile bump the school's
  // version, so a decision made through any process shows on the next home page.
  const [approverRole, all] = await services.database.cachedRead(
    `posts-attention:${p.schoolId}`,
    READ_TTL_MS,
    () =>
      Promise.all([
        services.posts.approverRole(p.schoolId),
        services.posts.awaitingApproval(p.schoolId),
      ]),
    p.schoolId,
  );
  // The approver's role, or one of the profile's approver responsibilities held now.
  const approver = hasRole(p, approverRole)
    ? { role: approverRole, byResponsibility: false }
    : await services.posts.approverFor(p);
  if (!canApprovePosts(p, approver)) return [];
  const waiting = all.filter((w) => w.authorId !== p.id);
  return waiting.map((w) => ({
    title: `Post waiting for approval: ${w.title}`,
    detail:
      w.checks.fail > 0
        ? `${w.checks.fail === 1 ? 'One check fails' : `${w.checks.fail} checks fail`}. From ${w.authorName}.`
        : w.checks.warning > 0
          ? `${w.checks.warning === 1 ? 'One warning' : `${w.checks.warning} warnings`}. From ${w.authorName}.`
          : `Every check passes. From ${w.authorName}.`,
    href: `/posts/${w.postId}`,
    tag:
      w.checks.fail > 0
        ? { text: 'Check fails', colour: 'red' as const }
        : { text: 'Waiting', colour: 'orange' as const },
  }));
}
