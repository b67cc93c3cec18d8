import fastifyCookie from '@fastify/cookie';
import { describe, expect, it } from 'vitest';
import { cachingCookieSigner } from './cookie-signer.ts';

const SECRET = 'a-session-secret-of-at-least-thirty-two-characters';

describe('cachingCookieSigner', () => {
  const plain = new fastifyCookie.Signer(SECRET, 'sha256');

  it('signs as @fastify/cookie does and answers the same, kept or not', () => {
    const signer = cachingCookieSigner(SECRET);
    const signed = signer.sign('session-id-1');
    expect(signed).toBe(plain.sign('session-id-1'));
    expect(signer.unsign(signed)).toEqual({ valid: true, renew: false, value: 'session-id-1' });
    // The second answer comes from the cache: the same, and a copy the caller may change.
    const again = signer.unsign(signed);
    expect(again).toEqual({ valid: true, renew: false, value: 'session-id-1' });
    (again as { value: string }).value = 'changed';
    expect(signer.unsign(signed).value).toBe('session-id-1');
  });

  it('refuses a forged or altered value every time, and never keeps it', () => {
    const signer = cachingCookieSigner(SECRET);
    const signed = signer.sign('session-id-2');
    const forged = `session-id-3${signed.slice('session-id-2'.length)}`;
    for (let i = 0; i < 3; i++)
      expect(signer.unsign(forged)).toEqual({ valid: false, renew: false, value: null });
    expect(signer.unsign('no-signature')).toEqual({ valid: false, renew: false, value: null });
    // Signed with another secret: refused.
    const other = new fastifyCookie.Signer('another-secret-of-at-least-thirty-two-chars', 'sha256');
    expect(signer.unsign(other.sign('session-id-2')).valid).toBe(false);
  });

  it('keeps at most its bound: an answer pushed out is worked out again, still right', () => {
    const signer = cachingCookieSigner(SECRET, 2);
    const a = signer.sign('a');
    const b = signer.sign('b');
    const c = signer.sign('c');
    for (const v of [a, b, c, a]) expect(signer.unsign(v).valid).toBe(true);
    expect(signer.unsign(b)).toEqual({ valid: true, renew: false, value: 'b' });
  });

  it('says when a value was signed with an older secret (renew), as the plain signer does', () => {
    const old = cachingCookieSigner('the-old-secret-of-at-least-thirty-two-chars');
    const rotated = cachingCookieSigner([SECRET, 'the-old-secret-of-at-least-thirty-two-chars']);
    const signed = old.sign('x');
    expect(rotated.unsign(signed)).toEqual({ valid: true, renew: true, value: 'x' });
    expect(rotated.unsign(signed)).toEqual({ valid: true, renew: true, value: 'x' });
  });
});
