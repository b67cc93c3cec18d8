import { describe, expect, it } from 'vitest';
import { ChannelError, type ChannelContext, type OutgoingPost } from '../channel-adapter.ts';
import { ByHandChannelAdapter } from './by-hand-adapter.ts';

const ctx = { account: { name: 'School Facebook page' } } as unknown as ChannelContext;

describe('the by-hand channel (Facebook, Instagram, X, the newsletter)', () => {
  it('records the hand-over with the same reference on every try, and no address', async () => {
    const adapter = new ByHandChannelAdapter('social');
    const item = { publicationId: 'pub-1' } as OutgoingPost;
    expect(await adapter.publish(item, ctx)).toEqual({
      remoteId: 'by-hand:pub-1',
      remoteUrl: null,
    });
    expect(await adapter.publish(item, ctx)).toEqual({
      remoteId: 'by-hand:pub-1',
      remoteUrl: null,
    });
    expect(await adapter.health()).toEqual({ ok: true });
  });

  it('never claims to take a post down: that is the account keeper’s task', async () => {
    const adapter = new ByHandChannelAdapter('newsletter');
    await expect(adapter.remove('by-hand:pub-1', ctx)).rejects.toBeInstanceOf(ChannelError);
    await expect(adapter.remove('by-hand:pub-1', ctx)).rejects.toThrow(/takes it down by hand/);
  });
});
