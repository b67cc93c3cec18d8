import type {
  ChannelAdapter,
  ChannelContext,
  ChannelHealth,
  OutgoingPost,
  RemoteRef,
} from './channel-adapter.ts';

/**
 * The built-in school website news channel. Lanyard serves the news page itself from the
 * publication records, so "delivering" is the publication going live: the remote id is the
 * publication's own id and there is nothing to send anywhere. `find` reconciles trivially (the
 * item is the record), so a re-run after a crash records the same item once. Removing it is the
 * record's state changing to removed, which the delivery service does.
 */
export class NewsChannelAdapter implements ChannelAdapter {
  readonly kind = 'news' as const;

  constructor(
    /** The public address of a news item (the news page's route), or null when not known. */
    private readonly urlOf: (schoolId: string, publicationId: string) => string | null = () => null,
  ) {}

  async publish(item: OutgoingPost, ctx: ChannelContext): Promise<RemoteRef> {
    return {
      remoteId: item.publicationId,
      remoteUrl: this.urlOf(ctx.account.schoolId, item.publicationId),
    };
  }

  async remove(): Promise<void> {
    // The news page shows only live publications; the record's state is the removal.
  }

  async health(): Promise<ChannelHealth> {
    return { ok: true };
  }

  async find(idempotencyKey: string, ctx: ChannelContext): Promise<RemoteRef | null> {
    void idempotencyKey;
    void ctx;
    // Publishing to the news page has no remote side that could hold a half-finished item.
    return null;
  }
}
