import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../../platform/files/file-store.ts';
import { ChannelError, type ChannelContext, type OutgoingPost } from '../channel-adapter.ts';
import { newWebhookSecret, verifyWebhook } from './standard-webhooks.ts';
import {
  retryAfterSeconds,
  WebhookAdapter,
  webhookMessageId,
  type WebhookAttempt,
} from './webhook-adapter.ts';

/**
 * The webhook adapter against a real HTTP receiver on this machine (node:http on a free port):
 * it verifies every signature with the Standard Webhooks rules and answers as each test asks.
 */

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  verified: boolean;
}
type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let base: string;
let answer: Answer;
const received: Received[] = [];
const secret = newWebhookSecret();
let files: LocalFileStore;
let dir: string;
const imageBytes = Buffer.from('a publishable rendition, blurred');
let log: WebhookAttempt[];
let adapter: WebhookAdapter;

const account = (endpointUrl: string | null) => ({
  id: '00000000-0000-4000-8000-000000000001',
  schoolId: '00000000-0000-4000-8000-000000000002',
  kind: 'webhook' as const,
  name: 'Parish newsletter receiver',
  platform: null,
  handle: null,
  purposeKey: 'school_website',
  endpointUrl,
  maxLength: null,
  maxImages: null,
});
const ctx = (
  pathname = '/in',
  credential: string | null = secret,
  signal?: AbortSignal,
): ChannelContext => ({
  account: account(`${base}${pathname}`),
  credential,
  files,
  ...(signal ? { signal } : {}),
});
const item: OutgoingPost = {
  publicationId: '00000000-0000-4000-8000-0000000000aa',
  idempotencyKey: 'post-1:account-1',
  title: 'Sports day',
  text: 'Year 3 ran the relay in the sun.',
  images: [{ fileKey: 'renditions/r1.jpg', mime: 'image/jpeg', altText: 'Relay', sha256: 'ab' }],
  newsUrl: 'https://oakfield.example/news/sports-day',
  publishedAt: new Date('2026-12-06T10:00:00Z'),
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

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-webhook-'));
  files = new LocalFileStore(dir);
  const temp = await files.writeTemp(imageBytes);
  await files.commit(temp.name, 'renditions/r1.jpg');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        headers: req.headers,
        body,
        verified: verifyWebhook(secret, req.headers, body, new Date()).ok,
      });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  received.length = 0;
  log = [];
  answer = (_req, res) => res.writeHead(204).end();
  adapter = new WebhookAdapter({
    log: { record: async (a) => void log.push(a) },
    timeoutMs: 300,
    allowLoopbackHttp: true,
  });
});

describe('webhook adapter', () => {
  it('POSTs a signed publication.published the receiver verifies, with the renditions, and logs it', async () => {
    answer = (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ url: 'https://parish.example/items/42' }));
    const ref = await adapter.publish(item, ctx());
    expect(ref).toEqual({
      remoteId: item.publicationId,
      remoteUrl: 'https://parish.example/items/42',
    });
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r!.verified).toBe(true);
    expect(r!.headers['webhook-id']).toBe(
      webhookMessageId('publication.published', item.idempotencyKey),
    );
    expect(r!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(r!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(r!.body);
    expect(body.type).toBe('publication.published');
    expect(body.data).toMatchObject({
      publicationId: item.publicationId,
      title: 'Sports day',
      text: item.text,
      url: item.newsUrl,
      publishedAt: '2026-12-06T10:00:00.000Z',
    });
    expect(Buffer.from(body.data.images[0].contentBase64, 'base64')).toEqual(imageBytes);
    expect(body.data.images[0]).toMatchObject({
      mime: 'image/jpeg',
      altText: 'Relay',
      sha256: 'ab',
    });
    expect(log).toEqual([
      expect.objectContaining({
        event: 'publication.published',
        publicationId: item.publicationId,
        statusCode: 200,
        error: null,
        webhookId: r!.headers['webhook-id'],
      }),
    ]);
    // The log holds no secret and no post text.
    expect(JSON.stringify(log)).not.toContain(secret.slice(6));
    expect(JSON.stringify(log)).not.toContain('relay');
  });

  it('sends the same webhook-id on every retry of one item (receivers deduplicate on it)', async () => {
    await adapter.publish(item, ctx());
    await adapter.publish(item, ctx());
    await adapter.publish({ ...item, idempotencyKey: 'post-2:account-1' }, ctx());
    const ids = received.map((r) => r.headers['webhook-id']);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(received.every((r) => r.verified)).toBe(true);
  });

  it('maps 429 with Retry-After (seconds or a date) to rate_limited', async () => {
    answer = (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end();
    let e = await failure(adapter.publish(item, ctx()));
    expect([e.kind, e.retryAfterSeconds, e.retryable]).toEqual(['rate_limited', 120, true]);
    expect(e.plainMessage).toMatch(/asked Lanyard to wait 120 seconds/);

    const now = new Date('2026-12-06T10:00:00Z');
    adapter = new WebhookAdapter({
      log: { record: async (a) => void log.push(a) },
      now: () => now,
      allowLoopbackHttp: true,
    });
    answer = (_req, res) =>
      res.writeHead(429, { 'retry-after': new Date(now.getTime() + 90_000).toUTCString() }).end();
    e = await failure(adapter.publish(item, ctx()));
    expect([e.kind, e.retryAfterSeconds]).toEqual(['rate_limited', 90]);

    answer = (_req, res) => res.writeHead(429).end();
    e = await failure(adapter.publish(item, ctx()));
    expect([e.kind, e.retryAfterSeconds]).toEqual(['rate_limited', 60]);
    expect(log.map((a) => a.statusCode)).toEqual([429, 429, 429]);
    expect(log.every((a) => a.error)).toBe(true);
  });

  it('maps 5xx and 408 to server (retryable), 401/403 to rejected credentials, other 4xx to invalid', async () => {
    const cases: [number, string, boolean][] = [
      [500, 'server', true],
      [502, 'server', true],
      [503, 'server', true],
      [408, 'server', true],
      [401, 'rejected_credentials', false],
      [403, 'rejected_credentials', false],
      [400, 'invalid', false],
      [404, 'invalid', false],
      [422, 'invalid', false],
    ];
    for (const [status, kind, retryable] of cases) {
      answer = (_req, res) => res.writeHead(status).end('no');
      const e = await failure(adapter.publish(item, ctx()));
      expect([status, e.kind, e.retryable]).toEqual([status, kind, retryable]);
      expect(e.plainMessage).toContain('127.0.0.1');
    }
    expect(log.map((a) => a.statusCode)).toEqual(cases.map((c) => c[0]));
  });

  it('does not follow a redirect (the signature is for this address)', async () => {
    answer = (req, res) =>
      req.url === '/in'
        ? res.writeHead(307, { location: `${base}/elsewhere` }).end()
        : res.writeHead(204).end();
    const e = await failure(adapter.publish(item, ctx()));
    expect(e.kind).toBe('invalid');
    expect(received.map((r) => r.verified)).toEqual([true]);
  });

  it('gives up on a receiver that does not answer in time, and on one that is not there', async () => {
    answer = () => undefined; // never answers
    const started = Date.now();
    let e = await failure(adapter.publish(item, ctx()));
    expect([e.kind, e.retryable]).toEqual(['unreachable', true]);
    expect(e.plainMessage).toMatch(/did not answer within/);
    expect(Date.now() - started).toBeLessThan(3_000);

    // A port with nothing listening on it.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    e = await failure(
      adapter.publish(item, { ...ctx(), account: account(`http://127.0.0.1:${port}/in`) }),
    );
    expect(e.kind).toBe('unreachable');
    expect(e.plainMessage).toMatch(/could not be reached/);
    expect(log.map((a) => a.statusCode)).toEqual([null, null]);
  });

  it('stops when the job is cancelled', async () => {
    answer = () => undefined;
    adapter = new WebhookAdapter({
      log: { record: async (a) => void log.push(a) },
      timeoutMs: 30_000,
      allowLoopbackHttp: true,
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const e = await failure(adapter.publish(item, ctx('/in', secret, stop.signal)));
    expect(e.kind).toBe('unreachable');
  });

  it('sends a signed publication.removed on takedown; gone already (404/410) counts as removed', async () => {
    await adapter.remove(item.publicationId, ctx());
    const r = received[0]!;
    expect(r.verified).toBe(true);
    expect(JSON.parse(r.body)).toMatchObject({
      type: 'publication.removed',
      data: { publicationId: item.publicationId },
    });
    expect(r.headers['webhook-id']).toBe(
      webhookMessageId('publication.removed', item.publicationId),
    );
    for (const status of [404, 410]) {
      answer = (_req, res) => res.writeHead(status).end();
      await adapter.remove(item.publicationId, ctx());
    }
    answer = (_req, res) => res.writeHead(503).end();
    expect((await failure(adapter.remove(item.publicationId, ctx()))).kind).toBe('server');
    expect(log.map((a) => [a.event, a.statusCode])).toEqual([
      ['publication.removed', 204],
      ['publication.removed', 404],
      ['publication.removed', 410],
      ['publication.removed', 503],
    ]);
  });

  it('reports health, and refuses to send without a secret or to a plain-http address', async () => {
    expect(await adapter.health(ctx())).toEqual({ ok: true });
    expect((await adapter.health(ctx('/in', null))).ok).toBe(false);
    expect((await adapter.health(ctx('/in', 'not-a-secret'))).problem).toMatch(/signing secret/);
    const strict = new WebhookAdapter({ log: { record: async (a) => void log.push(a) } });
    expect((await strict.health(ctx())).problem).toBe('The address must start with https://');
    const e = await failure(strict.publish(item, ctx()));
    expect(e.kind).toBe('invalid');
    expect(received).toHaveLength(0);
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-12-06T10:00:00Z');
  it.each([
    ['120', 120],
    ['0', 0],
    [' 7 ', 7],
    ['Sun, 06 Dec 2026 10:01:00 GMT', 60],
    ['Sun, 06 Dec 2026 09:00:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    [null, null],
  ] as const)('%s', (value, expected) => {
    expect(retryAfterSeconds(value, now)).toBe(expected);
  });
});
