import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  newMessageId,
  newWebhookSecret,
  parseWebhookSecret,
  signedHeaders,
  signWebhook,
  verifyWebhook,
} from './standard-webhooks.ts';

// The Standard Webhooks specification's published test vector (used by every official library).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const vectorHeaders = {
  'webhook-id': VECTOR.msgId,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': VECTOR.signature,
};
const at = (seconds: number) => new Date(seconds * 1000);

/** A receiver written from the specification with WebCrypto, sharing no code with ours. */
async function independentVerify(
  secret: string,
  headers: Record<string, string>,
  body: string,
): Promise<boolean> {
  const raw = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
  const key = await webcrypto.subtle.importKey(
    'raw',
    raw,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const content = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const mac = new Uint8Array(
    await webcrypto.subtle.sign('HMAC', key, new TextEncoder().encode(content)),
  );
  const expected = `v1,${btoa(String.fromCharCode(...mac))}`;
  return headers['webhook-signature']!.split(' ').includes(expected);
}

describe('Standard Webhooks signing', () => {
  it('reproduces the specification’s test vector', () => {
    expect(signWebhook(VECTOR.secret, VECTOR.msgId, VECTOR.timestamp, VECTOR.body)).toBe(
      VECTOR.signature,
    );
    expect(
      signedHeaders(VECTOR.secret, VECTOR.msgId, at(VECTOR.timestamp), Buffer.from(VECTOR.body)),
    ).toEqual(vectorHeaders);
  });

  it('verifies the specification’s signed message, and an independent receiver verifies ours', async () => {
    expect(verifyWebhook(VECTOR.secret, vectorHeaders, VECTOR.body, at(VECTOR.timestamp))).toEqual({
      ok: true,
    });
    expect(await independentVerify(VECTOR.secret, vectorHeaders, VECTOR.body)).toBe(true);
    for (let i = 0; i < 20; i++) {
      const secret = newWebhookSecret();
      const body = JSON.stringify({ type: 'publication.published', n: i, text: 'Sports day – ✓' });
      const h = signedHeaders(secret, newMessageId(), new Date(), body);
      expect(await independentVerify(secret, { ...h }, body)).toBe(true);
      expect(verifyWebhook(secret, { ...h }, body, new Date())).toEqual({ ok: true });
    }
  });

  it('refuses a changed body, id or timestamp, another secret, and stale or future times', () => {
    const now = at(VECTOR.timestamp);
    const v = (h: Record<string, string>, body = VECTOR.body, secret = VECTOR.secret, when = now) =>
      verifyWebhook(secret, h, body, when);
    expect(v(vectorHeaders, '{"test": 2432232315}')).toEqual({ ok: false, reason: 'mismatch' });
    expect(v({ ...vectorHeaders, 'webhook-id': 'msg_other' })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(v({ ...vectorHeaders, 'webhook-timestamp': String(VECTOR.timestamp + 1) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(v(vectorHeaders, VECTOR.body, newWebhookSecret())).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(v(vectorHeaders, VECTOR.body, VECTOR.secret, at(VECTOR.timestamp + 301))).toEqual({
      ok: false,
      reason: 'too_old',
    });
    expect(v(vectorHeaders, VECTOR.body, VECTOR.secret, at(VECTOR.timestamp - 301))).toEqual({
      ok: false,
      reason: 'too_new',
    });
    expect(v({ ...vectorHeaders, 'webhook-timestamp': '16142x' })).toEqual({
      ok: false,
      reason: 'bad_timestamp',
    });
    expect(v({ 'webhook-id': VECTOR.msgId })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(v({ ...vectorHeaders, 'webhook-signature': 'v2,' + VECTOR.signature.slice(3) })).toEqual(
      { ok: false, reason: 'mismatch' },
    );
  });

  it('accepts any one of several signatures (a receiver rotating its secret)', () => {
    const other = signWebhook(newWebhookSecret(), VECTOR.msgId, VECTOR.timestamp, VECTOR.body);
    const h = { ...vectorHeaders, 'webhook-signature': `${other} ${VECTOR.signature}` };
    expect(verifyWebhook(VECTOR.secret, h, VECTOR.body, at(VECTOR.timestamp))).toEqual({
      ok: true,
    });
  });

  it('reads secrets with or without the prefix and refuses what is not one', () => {
    expect(parseWebhookSecret(VECTOR.secret)?.length).toBe(24);
    expect(parseWebhookSecret(VECTOR.secret.slice(6))?.length).toBe(24);
    expect(parseWebhookSecret(newWebhookSecret())?.length).toBe(32);
    for (const bad of ['', 'whsec_', 'whsec_short', 'whsec_not base64 at all!!', 'password123'])
      expect(parseWebhookSecret(bad), bad).toBeNull();
    expect(() => signWebhook('password123', 'msg_1', 1, '')).toThrow();
    expect(() => signWebhook(VECTOR.secret, 'msg.1', 1, '')).toThrow();
  });
});
