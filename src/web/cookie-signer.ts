import fastifyCookie from '@fastify/cookie';
import { LRUCache } from 'lru-cache';

type UnsignResult = fastifyCookie.UnsignResult;

/** What @fastify/cookie accepts as `secret`: an object that signs and unsigns. */
export interface CookieSigner {
  sign(value: string): string;
  unsign(input: string): UnsignResult;
}

/** Signed cookie values whose signature has been checked and held, most recent first. */
export const UNSIGNED_COOKIES_KEPT = 10_000;

/**
 * The cookie signer (HMAC-SHA256, @fastify/cookie's own `Signer`) with the answers for values
 * that were signed correctly kept in a bounded LRU: every signed-in page unsigns the session
 * cookie and the CSRF secret cookie, two HMACs a request for the same two strings a person
 * sends again and again. An answer depends only on the exact string and the secrets, so a kept
 * answer is the one the signer would give. A value that fails is never kept, so forged cookies
 * cannot fill the cache or be answered from it (ADR 0035).
 */
export function cachingCookieSigner(
  secret: string | string[],
  max = UNSIGNED_COOKIES_KEPT,
): CookieSigner {
  const signer = new fastifyCookie.Signer(secret, 'sha256');
  const valid = new LRUCache<string, UnsignResult>({ max });
  return {
    sign: (value: string) => signer.sign(value),
    unsign(input: string): UnsignResult {
      const kept = valid.get(input);
      if (kept) return { ...kept };
      const result = signer.unsign(input);
      if (result.valid) valid.set(input, Object.freeze({ ...result }));
      return result;
    },
  };
}
