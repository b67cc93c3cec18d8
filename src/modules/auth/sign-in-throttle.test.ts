import { describe, expect, it } from 'vitest';
import { accountKey, clientKey, decideThrottle } from './sign-in-throttle.ts';

const now = new Date('2026-12-06T10:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const base = {
  now,
  maxAttempts: 5,
  pairNth: null,
  accountFailures: 0,
  accountLast: null,
  addressNth: null,
  usual: false,
};

describe('decideThrottle', () => {
  it('allows when nothing is over a limit', () => {
    expect(decideThrottle(base)).toEqual({ allowed: true });
  });

  it('refuses one address for one account until its oldest counted failure is 15 minutes old', () => {
    expect(decideThrottle({ ...base, pairNth: ago(60) })).toEqual({
      allowed: false,
      retryAfterSeconds: 840,
    });
    // The owner's usual address is not exempt from its own pair limit…
    expect(decideThrottle({ ...base, pairNth: ago(60), usual: true }).allowed).toBe(false);
    expect(decideThrottle({ ...base, pairNth: ago(901) }).allowed).toBe(true);
  });

  it('slows strangers progressively once an account has many failures, never its usual addresses', () => {
    const spread = { ...base, accountFailures: 53, accountLast: ago(2) };
    expect(decideThrottle(spread)).toEqual({ allowed: false, retryAfterSeconds: 6 }); // 2^3 − 2
    expect(decideThrottle({ ...spread, accountFailures: 50 }).allowed).toBe(true);
    expect(decideThrottle({ ...spread, accountFailures: 500 })).toEqual({
      allowed: false,
      retryAfterSeconds: 898, // capped at the window
    });
    expect(decideThrottle({ ...spread, usual: true }).allowed).toBe(true);
  });

  it('stops a spraying address for accounts it has not signed in to', () => {
    expect(decideThrottle({ ...base, addressNth: ago(300) }).allowed).toBe(false);
    expect(decideThrottle({ ...base, addressNth: ago(300), usual: true }).allowed).toBe(true);
  });
});

describe('keys', () => {
  it('keys an account by the address as typed, whatever its case or spaces', () => {
    expect(accountKey(' Head@School.Example ')).toBe(accountKey('head@school.example'));
    expect(accountKey('a@b.example')).not.toBe(accountKey('c@b.example'));
    expect(accountKey('a@b.example')).not.toContain('@');
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
  });
});
