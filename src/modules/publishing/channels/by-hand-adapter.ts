import {
  ChannelError,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelHealth,
  type OutgoingPost,
  type RemoteRef,
} from '../channel-adapter.ts';

/**
 * Channels Lanyard cannot reach itself — a social media account without an API Lanyard speaks
 * (Facebook, Instagram, X) and the printed or emailed newsletter. An approved post is recorded as
 * handed to the account's credential custodian, who posts it by hand (the school's policy keeps the
 * credentials with them): "delivery" records the hand-over, with the publication's own id as
 * its reference (the same on every try, so a retry records it once), so the publication record, the pupils in it and its takedown exist as for any
 * other channel. A takedown of such an item is a task for that person (takedown/), never a call
 * here; `remove` says so if it is ever asked.
 */
export class ByHandChannelAdapter implements ChannelAdapter {
  constructor(readonly kind: 'social' | 'newsletter') {}

  async publish(item: OutgoingPost, _ctx: ChannelContext): Promise<RemoteRef> {
    return { remoteId: `by-hand:${item.publicationId}`, remoteUrl: null };
  }

  async remove(_remoteId: string, ctx: ChannelContext): Promise<void> {
    throw new ChannelError(
      'invalid',
      `Lanyard cannot take posts off ${ctx.account.name}: the person who keeps the account takes it down by hand.`,
    );
  }

  async health(): Promise<ChannelHealth> {
    return { ok: true };
  }
}
