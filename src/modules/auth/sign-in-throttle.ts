import net from 'node:net';
import { sha256 } from '../../platform/crypto.ts';

/**
 * Sign-in throttling rules (docs/security.md, "Sign-in throttling"). Pure: the numbers come from
 * the sign_in_attempts table (so every process counts the same attempts), the decision is here.
 *
 * 1. One address, one account: LOGIN_MAX_ATTEMPTS failures in WINDOW and that address may not
 *    try that account again until the oldest of them is WINDOW old. An attacker blocks only
 *    themselves; the account's owner elsewhere is untouched.
 * 2. One account, every address: past ACCOUNT_FACTOR × LOGIN_MAX_ATTEMPTS failures in WINDOW
 *    (a spread-out attack), addresses the owner has not signed in from in USUAL_DAYS wait
 *    2^(failures − threshold) seconds after the latest failure, at most WINDOW. The owner's usual
 *    addresses (school, home) are not slowed.
 * 3. One address, every account: ADDRESS_FACTOR × LOGIN_MAX_ATTEMPTS failures in WINDOW (password
 *    spraying) and the address may try only accounts it has signed in to before.
 */
export const THROTTLE_WINDOW_MINUTES = 15;
export const ACCOUNT_FACTOR = 10;
export const ADDRESS_FACTOR = 20;
export const USUAL_DAYS = 30;

export interface ThrottleInput {
  now: Date;
  maxAttempts: number;
  pairNth: Date | null;
  accountFailures: number;
  accountLast: Date | null;
  addressNth: Date | null;
  usual: boolean;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const WINDOW_MS = THROTTLE_WINDOW_MINUTES * 60_000;

export function decideThrottle(f: ThrottleInput): ThrottleDecision {
  const now = f.now.getTime();
  let until = 0;
  if (f.pairNth) until = Math.max(until, f.pairNth.getTime() + WINDOW_MS);
  if (!f.usual) {
    const threshold = ACCOUNT_FACTOR * f.maxAttempts;
    if (f.accountFailures > threshold && f.accountLast) {
      const delay = Math.min(2 ** Math.min(f.accountFailures - threshold, 20) * 1000, WINDOW_MS);
      until = Math.max(until, f.accountLast.getTime() + delay);
    }
    if (f.addressNth) until = Math.max(until, f.addressNth.getTime() + WINDOW_MS);
  }
  if (until <= now) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
}

/** The account an attempt is for: the address as typed, so unknown ones count the same way. */
export function accountKey(email: string): string {
  return sha256(`sign-in:${email.trim().toLowerCase()}`);
}

/** The client, for counting: an IPv4 address as it is, an IPv6 address by its /64 network. */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(ip)) {
    const [head = '', tail = ''] = ip.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = ip.includes('::')
      ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
      : left;
    return `${groups
      .slice(0, 4)
      .map((g) => parseInt(g || '0', 16).toString(16))
      .join(':')}::/64`;
  }
  return ip;
}
