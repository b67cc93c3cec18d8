import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError, type ChannelContext } from '../channel-adapter.ts';
import { BlueskyAdapter, blueskyRecordKey, parsePostUri } from './bluesky-adapter.ts';
import { blueskyHandle, isBlueskyAppPassword } from './bluesky-account.ts';

/**
 * What a real PDS does not do on demand (test/db/channel-bluesky.test.ts has the real one): a 429
 * with Retry-After or only ratelimit-reset, a 5xx, a timeout. A small HTTP server on this machine
 * answers createSession like a PDS, then whatever each test asks of the next call.
 */

let server: http.Server;
let base: string;
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void;
const now = new Date('2026-12-06T10:00:00Z');

const session = {
  did: 'did:plc:abcdefghijklmnopqrstuvwx',
  handle: 'oakfield.test',
  accessJwt: 'header.payload.signature',
  refreshJwt: 'header.payload.signature2',
  active: true,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/xrpc/com.atproto.server.createSession')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(session));
        return;
      }
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const ctx = (): ChannelContext => ({
  account: {
    id: '00000000-0000-4000-8000-000000000001',
    schoolId: '00000000-0000-4000-8000-000000000002',
    kind: 'bluesky',
    name: 'Oakfield on Bluesky',
    platform: null,
    handle: 'oakfield.test',
    purposeKey: 'social_media',
    endpointUrl: base,
    maxLength: 300,
    maxImages: 4,
  },
  credential: 'abcd-efgh-ijkl-mnop',
  files: {} as ChannelContext['files'],
});

const xrpcError = (status: number, headers: Record<string, string> = {}, error = 'Oops') => {
  answer = (_req, res) =>
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify({ error, message: 'server words are never shown' }));
};

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChannelError) return e;
    throw e;
  }
  throw new Error('expected a ChannelError');
}

describe('Bluesky adapter failures', () => {
  it('a 429 waits as long as Retry-After says', async () => {
    xrpcError(429, { 'retry-after': '42' }, 'RateLimitExceeded');
    const e = await failure(new BlueskyAdapter({ now: () => now }).find('k', ctx()));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBe(42);
    expect(e.retryable).toBe(true);
    expect(e.plainMessage).toBe(
      `${new URL(base).host} asked Lanyard to wait 42 seconds before sending more.`,
    );
  });

  it('a 429 with only ratelimit-reset (a Unix time) waits until then', async () => {
    const reset = Math.floor(now.getTime() / 1000) + 300;
    xrpcError(429, { 'ratelimit-reset': String(reset), 'ratelimit-remaining': '0' });
    const e = await failure(new BlueskyAdapter({ now: () => now }).find('k', ctx()));
    expect(e.retryAfterSeconds).toBe(300);
  });

  it('a 5xx is the server’s own problem, retryable; the server’s words are not passed on', async () => {
    xrpcError(503);
    const e = await failure(new BlueskyAdapter().find('k', ctx()));
    expect(e.kind).toBe('server');
    expect(e.retryable).toBe(true);
    expect(e.plainMessage).toMatch(/had a problem of its own \(status 503\)/);
    expect(e.plainMessage).not.toContain('server words');
  });

  it('a server that does not answer in time is unreachable', async () => {
    answer = () => undefined; // never answers
    const e = await failure(new BlueskyAdapter({ timeoutMs: 200 }).find('k', ctx()));
    expect(e.kind).toBe('unreachable');
    expect(e.plainMessage).toMatch(/did not answer within|could not be reached/);
  });
});

describe('record keys, addresses, handles and app passwords', () => {
  it('derives one valid TID per idempotency key', () => {
    const a = blueskyRecordKey('post-1:channel-1');
    expect(a).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    expect(blueskyRecordKey('post-1:channel-1')).toBe(a);
    expect(blueskyRecordKey('post-1:channel-2')).not.toBe(a);
  });

  it('reads a post’s at:// address and nothing else', () => {
    expect(parsePostUri('at://did:plc:abc123/app.bsky.feed.post/3kabc')).toEqual({
      did: 'did:plc:abc123',
      rkey: '3kabc',
    });
    expect(parsePostUri('at://did:plc:abc/app.bsky.feed.like/3kabc')).toBeNull();
    expect(parsePostUri('https://bsky.app/profile/x/post/y')).toBeNull();
  });

  it('takes a handle as Bluesky shows it and only an app password', () => {
    expect(blueskyHandle('@OakfieldPrimary.bsky.social')).toBe('oakfieldprimary.bsky.social');
    expect(blueskyHandle('oakfield.sch.uk')).toBe('oakfield.sch.uk');
    expect(blueskyHandle('not a handle')).toBeNull();
    expect(blueskyHandle('oakfield')).toBeNull();
    expect(isBlueskyAppPassword('abcd-efgh-ijkl-mn23')).toBe(true);
    expect(isBlueskyAppPassword('MyMainPassword!2026')).toBe(false);
  });
});
