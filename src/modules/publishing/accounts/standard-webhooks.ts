import crypto from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/), the signing half a sender needs and the
 * verifying half a receiver (and our tests) need, with Node's crypto only.
 *
 * - The secret is `whsec_` followed by base64 of 24–64 random bytes; the key is those bytes.
 * - The signed content is `${msgId}.${timestamp}.${body}` (timestamp in whole seconds).
 * - The signature is HMAC-SHA256 of that content, base64, sent as `v1,<base64>`; a header may
 *   hold several space-separated signatures (key rotation), any one of which may match.
 * - Headers: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
 */

export const SECRET_PREFIX = 'whsec_';
/** A receiver refuses a timestamp more than this many seconds from its own clock (replays). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64');
}

/** A new message id (the `webhook-id`): unique per message, the same for every retry of it. */
export function newMessageId(): string {
  return `msg_${crypto.randomBytes(16).toString('base64url')}`;
}

/**
 * The key bytes of a secret, or null when it is not a usable secret: `whsec_` (optional, as
 * receivers' libraries accept it without) then standard base64 of 24 to 64 bytes.
 */
export function parseWebhookSecret(secret: string): Buffer | null {
  const b64 = secret.trim().startsWith(SECRET_PREFIX)
    ? secret.trim().slice(SECRET_PREFIX.length)
    : secret.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return null;
  const key = Buffer.from(b64, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : null;
}

function hmac(key: Buffer, msgId: string, timestamp: number, body: string | Buffer): string {
  return crypto
    .createHmac('sha256', key)
    .update(`${msgId}.${timestamp}.`)
    .update(body)
    .digest('base64');
}

/** `v1,<base64>` for this message (the `webhook-signature` value with one key). */
export function signWebhook(
  secret: string,
  msgId: string,
  timestamp: number,
  body: string | Buffer,
): string {
  const key = parseWebhookSecret(secret);
  if (!key) throw new Error('Not a Standard Webhooks secret');
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new Error('Timestamp in seconds');
  if (/[\s.]/.test(msgId) || msgId === '') throw new Error('A message id has no dots or spaces');
  return `v1,${hmac(key, msgId, timestamp, body)}`;
}

/** The three headers of a signed delivery. */
export function signedHeaders(
  secret: string,
  msgId: string,
  at: Date,
  body: string | Buffer,
): SignedHeaders {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, msgId, timestamp, body),
  };
}

export type VerifyOutcome =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'too_old' | 'too_new' | 'mismatch' };

/**
 * What a receiver does: checks the timestamp is within `toleranceSeconds` of `now` and that one
 * of the `v1` signatures in the header matches (compared in constant time).
 */
export function verifyWebhook(
  secret: string,
  headers: Partial<Record<string, string | string[] | undefined>>,
  body: string | Buffer,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyOutcome {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const msgId = one('webhook-id');
  const ts = one('webhook-timestamp');
  const sigs = one('webhook-signature');
  if (!msgId || !ts || !sigs) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(ts);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (timestamp < nowSeconds - toleranceSeconds) return { ok: false, reason: 'too_old' };
  if (timestamp > nowSeconds + toleranceSeconds) return { ok: false, reason: 'too_new' };
  const key = parseWebhookSecret(secret);
  if (!key) return { ok: false, reason: 'mismatch' };
  const expected = Buffer.from(hmac(key, msgId, timestamp, body), 'base64');
  for (const part of sigs.split(' ')) {
    const [version, sig] = part.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    const given = Buffer.from(sig, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected))
      return { ok: true };
  }
  return { ok: false, reason: 'mismatch' };
}
