import { describe, expect, it } from 'vitest';
import { randomNonce } from './crypto.ts';

describe('randomNonce', () => {
  it('gives 16 random bytes as base64url, never the same twice across many pool refills', () => {
    const seen = new Set<string>();
    // 2,000 nonces: about eight 4 kB draws, so the refills are crossed.
    for (let i = 0; i < 2000; i++) {
      const n = randomNonce();
      expect(n).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(n, 'base64url')).toHaveLength(16);
      seen.add(n);
    }
    expect(seen.size).toBe(2000);
  });
});
