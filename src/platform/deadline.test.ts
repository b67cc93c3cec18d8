import { describe, expect, it } from 'vitest';
import { deadlineSignal } from './deadline.ts';

const abortedWithin = (signal: AbortSignal, ms: number) =>
  new Promise<unknown>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not aborted within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve(signal.reason);
    });
  });

describe('deadlineSignal', () => {
  it('aborts with a TimeoutError after its time, even after garbage collection', async () => {
    const signal = deadlineSignal(100);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const reason = await abortedWithin(signal, 2_000);
    expect((reason as Error).name).toBe('TimeoutError');
  });

  it('aborts at once with the reason of another signal that aborts first, or already has', () => {
    const outer = new AbortController();
    const signal = deadlineSignal(60_000, [undefined, outer.signal]);
    expect(signal.aborted).toBe(false);
    outer.abort(new Error('stopping'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('stopping');
    const already = deadlineSignal(60_000, [AbortSignal.abort(new Error('gone'))]);
    expect(already.aborted).toBe(true);
    expect((already.reason as Error).message).toBe('gone');
  });
});
