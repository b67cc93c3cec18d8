import { describe, expect, it } from 'vitest';
import {
  ChannelAdapterRegistry,
  type ChannelAdapter,
  type ChannelHealth,
} from '../channel-adapter.ts';
import { ChannelHealthChecks } from './channel-health.ts';
import type { ChannelAccountRow } from './accounts.repository.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';

/** A WordPress adapter whose health answers after `delayMs` with `answer`, counting calls. */
class FakeAdapter implements ChannelAdapter {
  readonly kind = 'wordpress' as const;
  calls = 0;
  constructor(
    public answer: ChannelHealth,
    public delayMs = 0,
  ) {}
  async publish(): Promise<never> {
    throw new Error('not here');
  }
  async remove(): Promise<void> {}
  async health(): Promise<ChannelHealth> {
    this.calls++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    return this.answer;
  }
}

const row = (over: Partial<ChannelAccountRow> = {}): ChannelAccountRow =>
  ({
    id: 'a1',
    schoolId: 's1',
    kind: 'wordpress',
    active: true,
    updatedAt: new Date('2026-12-01T10:00:00Z'),
    credentialSetAt: new Date('2026-12-01T10:00:00Z'),
    ...over,
  }) as ChannelAccountRow;

function checks(adapter: FakeAdapter, clock: { t: number }, waitMs = 50) {
  return new ChannelHealthChecks({
    accounts: {
      channelContext: async () => ({ account: {}, credential: 'x', files: {} }) as never,
    },
    adapters: new ChannelAdapterRegistry().register(adapter),
    files: {} as FileStore,
    now: () => new Date(clock.t),
    waitMs,
    okMs: 300_000,
    problemMs: 60_000,
  });
}

describe('a channel’s connection on its page', () => {
  it('says connected, and keeps the answer for five minutes', async () => {
    const clock = { t: Date.parse('2026-12-07T09:00:00Z') };
    const adapter = new FakeAdapter({ ok: true });
    const c = checks(adapter, clock);
    expect(await c.check(row())).toMatchObject({ ok: true, sentence: 'Connected.' });
    expect(await c.check(row())).toMatchObject({ ok: true });
    expect(adapter.calls).toBe(1);
    clock.t += 301_000;
    await c.check(row());
    expect(adapter.calls).toBe(2);
  });

  it('gives the adapter’s plain reason, kept for a minute; a new password is checked at once', async () => {
    const clock = { t: Date.parse('2026-12-07T09:00:00Z') };
    const problem = 'WordPress at school.example refused the application password.';
    const adapter = new FakeAdapter({ ok: false, problem });
    const c = checks(adapter, clock);
    expect(await c.check(row())).toMatchObject({ ok: false, sentence: problem });
    clock.t += 30_000;
    await c.check(row());
    expect(adapter.calls).toBe(1);
    adapter.answer = { ok: true };
    expect(await c.check(row({ credentialSetAt: new Date('2026-12-07T09:00:10Z') }))).toMatchObject(
      { ok: true },
    );
    expect(adapter.calls).toBe(2);
  });

  it('waits at most the limit, then keeps the late answer for the next view', async () => {
    const clock = { t: Date.parse('2026-12-07T09:00:00Z') };
    const adapter = new FakeAdapter({ ok: true }, 200);
    const c = checks(adapter, clock, 30);
    const started = Date.now();
    const first = await c.check(row());
    expect(Date.now() - started).toBeLessThan(150);
    expect(first).toMatchObject({ ok: false });
    expect(first!.sentence).toContain('did not answer within');
    await new Promise((r) => setTimeout(r, 250));
    expect(await c.check(row())).toMatchObject({ ok: true });
    expect(adapter.calls).toBe(1);
  });

  it('checks nothing for channels that need no connection, or no longer used', async () => {
    const clock = { t: 0 };
    const adapter = new FakeAdapter({ ok: true });
    const c = checks(adapter, clock);
    expect(await c.check(row({ kind: 'news' }))).toBeNull();
    expect(await c.check(row({ kind: 'social' }))).toBeNull();
    expect(await c.check(row({ active: false }))).toBeNull();
    expect(adapter.calls).toBe(0);
  });

  it('a check that throws is a plain sentence, never an error page', async () => {
    const clock = { t: 0 };
    const adapter = new FakeAdapter({ ok: true });
    adapter.health = async () => {
      throw new Error('socket hang up');
    };
    const c = checks(adapter, clock);
    expect(await c.check(row())).toMatchObject({
      ok: false,
      sentence: 'Lanyard could not check it. Posts to it may fail.',
    });
  });
});
