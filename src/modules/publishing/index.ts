/**
 * The publishing module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"). Its services reach other modules through `Services`
 * (`posts`, `publishing`, `channelAdapters`, `channelAccounts`, `news`, `takedowns`); this file
 * gives their types, the channel adapter contract and who may see and approve posts.
 * Repositories and tables stay inside the folder.
 */
export type { PostsService } from './posts/posts.service.ts';
export type { PublishService } from './posts/publish.service.ts';
export type { AccountsService } from './accounts/accounts.service.ts';
export type { NewsService } from './news/news.service.ts';
export type { TakedownService } from './takedown/takedown.service.ts';
export type {
  ChannelAdapter,
  ChannelAdapterRegistry,
  ChannelKind,
  OutgoingPost,
} from './channel-adapter.ts';

// Who may: shared with other modules' pages (the home page's "needs your attention").
export { canApprovePosts, canSeeAllPosts } from './posts/posts.policy.ts';
export { canManageChannels } from './accounts/accounts.policy.ts';

// The publications a pupil appears in and their takedowns (subject access, issue 16 item 5).
export {
  publishingAboutPupil,
  type PublishingAboutPupil,
} from './publishing-subject-access.repository.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { PublishingAggregates } from './publishing.aggregates.ts';

// Retention (issue 16 item 6): publications that ended long enough ago, with their files.
export {
  deletePublications,
  livePublicationsBefore,
  publicationsEndedBefore,
} from './publishing-retention.repository.ts';
