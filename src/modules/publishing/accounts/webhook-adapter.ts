import crypto from 'node:crypto';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelHealth,
  type OutgoingPost,
  type RemoteRef,
} from '../channel-adapter.ts';
import { parseWebhookSecret, signedHeaders } from './standard-webhooks.ts';
import { endpointProblem } from './endpoint-url.ts';
import { deadlineSignal } from '../../../platform/deadline.ts';

export type WebhookEvent = 'publication.published' | 'publication.removed';

/** One attempt, for the delivery log (`webhook_deliveries`). Never the body, never the secret. */
export interface WebhookAttempt {
  schoolId: string;
  accountId: string;
  /** The publication the attempt was about (the remote id of a removal is the publication id). */
  publicationId: string | null;
  event: WebhookEvent;
  /** The Standard Webhooks message id: the same for every retry of one message. */
  webhookId: string;
  /** The receiver's HTTP status, or null when there was no answer. */
  statusCode: number | null;
  /** Plain English when the attempt failed, else null. */
  error: string | null;
  at: Date;
}

export interface WebhookDeliveryLog {
  record(attempt: WebhookAttempt): Promise<void>;
}

export interface WebhookAdapterOptions {
  log: WebhookDeliveryLog;
  now?: () => Date;
  /** Whole request, from connecting to the end of the answer (default 10 s). */
  timeoutMs?: number;
  /** Used when a 429 has no usable Retry-After (default 60 s). */
  defaultRetryAfterSeconds?: number;
  /** Plain http:// to a loopback address (a receiver on the same machine; tests). */
  allowLoopbackHttp?: boolean;
}

/** The most of a receiver's answer that is read (its `url`, if any); the rest is ignored. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The message id of an event about an item: derived from the idempotency key (publish) or the
 * publication (removal), so every retry and a re-run after a crash send the same `webhook-id`
 * and a receiver that keeps the ids it has seen processes the message once.
 */
export function webhookMessageId(event: WebhookEvent, key: string): string {
  const digest = crypto.createHash('sha256').update(`${event}\n${key}`).digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function retryAfterSeconds(value: string | null, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v);
  // An HTTP date ("Sun, 06 Dec 2026 10:01:00 GMT"), not anything Date.parse happens to read.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) return null;
  const when = Date.parse(v);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - now.getTime()) / 1000));
}

const host = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'the receiver';
  }
};

/**
 * The webhook channel (issue 12 item 8): each publication is POSTed to the school's endpoint as
 * a signed Standard Webhooks message, `publication.published` with the text and the publishable
 * renditions, and `publication.removed` on takedown. Every attempt is logged; failures become
 * {@link ChannelError}s the delivery job retries (unreachable, rate limited, server) or reports
 * (rejected credentials, invalid). Redirects are not followed (the signature is for this address).
 */
export class WebhookAdapter implements ChannelAdapter {
  readonly kind = 'webhook' as const;
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookAdapterOptions) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async publish(item: OutgoingPost, ctx: ChannelContext): Promise<RemoteRef> {
    const images = await Promise.all(
      item.images.map(async (img) => ({
        mime: img.mime,
        altText: img.altText,
        sha256: img.sha256,
        contentBase64: (await ctx.files.read(img.fileKey)).toString('base64'),
      })),
    );
    const answer = await this.send(
      ctx,
      'publication.published',
      item.publicationId,
      item.idempotencyKey,
      {
        publicationId: item.publicationId,
        idempotencyKey: item.idempotencyKey,
        title: item.title,
        text: item.text,
        url: item.newsUrl,
        publishedAt: item.publishedAt.toISOString(),
        images,
      },
    );
    return { remoteId: item.publicationId, remoteUrl: answerUrl(answer) };
  }

  /** `remoteId` is the publication's id (what `publish` returned). A receiver's 404/410 is done. */
  async remove(remoteId: string, ctx: ChannelContext): Promise<void> {
    await this.send(
      ctx,
      'publication.removed',
      remoteId,
      remoteId,
      { publicationId: remoteId },
      {
        goneIsDone: true,
      },
    );
  }

  /** Whether deliveries could go: an address Lanyard will send to and a usable signing secret. */
  async health(ctx: ChannelContext): Promise<ChannelHealth> {
    const url = ctx.account.endpointUrl;
    const problem = url
      ? endpointProblem(url, { allowLoopbackHttp: this.options.allowLoopbackHttp ?? false })
      : 'There is no address to send posts to.';
    if (problem) return { ok: false, problem };
    if (!ctx.credential || !parseWebhookSecret(ctx.credential))
      return {
        ok: false,
        problem: 'There is no signing secret. Enter the receiver’s signing secret.',
      };
    return { ok: true };
  }

  private async send(
    ctx: ChannelContext,
    event: WebhookEvent,
    publicationId: string,
    key: string,
    data: Record<string, unknown>,
    opts: { goneIsDone?: boolean } = {},
  ): Promise<string> {
    const { account } = ctx;
    const webhookId = webhookMessageId(event, key);
    const at = this.now();
    const attempt = (statusCode: number | null, error: string | null) =>
      this.options.log.record({
        schoolId: account.schoolId,
        accountId: account.id,
        publicationId,
        event,
        webhookId,
        statusCode,
        error,
        at,
      });
    const fail = async (e: ChannelError, statusCode: number | null = null): Promise<never> => {
      await attempt(statusCode, e.plainMessage);
      throw e;
    };

    const health = await this.health(ctx);
    if (!health.ok) return fail(new ChannelError('invalid', health.problem!));
    const url = account.endpointUrl!;
    const body = JSON.stringify({ type: event, timestamp: at.toISOString(), data });
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Lanyard-Webhooks/1',
      ...signedHeaders(ctx.credential!, webhookId, at, body),
    };
    const signal = deadlineSignal(this.timeoutMs, [ctx.signal]);
    let res: Response;
    let answer = '';
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal,
      });
      answer = await readSome(res);
    } catch (e) {
      const timedOut = (e as Error)?.name === 'TimeoutError';
      return fail(
        new ChannelError(
          'unreachable',
          timedOut
            ? `${host(url)} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds.`
            : `${host(url)} could not be reached.`,
        ),
      );
    }
    const s = res.status;
    if (s >= 200 && s < 300) {
      await attempt(s, null);
      return answer;
    }
    if (opts.goneIsDone && (s === 404 || s === 410)) {
      await attempt(s, null);
      return answer;
    }
    if (s === 429) {
      const seconds =
        retryAfterSeconds(res.headers.get('retry-after'), this.now()) ??
        this.options.defaultRetryAfterSeconds ??
        60;
      return fail(
        new ChannelError(
          'rate_limited',
          `${host(url)} asked Lanyard to wait ${seconds === 1 ? '1 second' : `${seconds} seconds`} before sending more.`,
          seconds,
        ),
        s,
      );
    }
    if (s === 401 || s === 403)
      return fail(
        new ChannelError(
          'rejected_credentials',
          `${host(url)} refused Lanyard’s signature (status ${s}). Check that the receiver and Lanyard have the same signing secret.`,
        ),
        s,
      );
    if (s >= 500 || s === 408)
      return fail(
        new ChannelError('server', `${host(url)} had a problem of its own (status ${s}).`),
        s,
      );
    if (s >= 300 && s < 400)
      return fail(
        new ChannelError(
          'invalid',
          `${host(url)} answered with a redirect. Enter the receiver’s final address.`,
        ),
        s,
      );
    return fail(new ChannelError('invalid', `${host(url)} refused the post (status ${s}).`), s);
  }
}

/** The first bytes of an answer (a huge or endless body is cut off, not waited for). */
async function readSome(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

/** A receiver may answer `{"url": "https://…"}`: where the item now lives. */
function answerUrl(answer: string): string | null {
  try {
    const url = (JSON.parse(answer) as { url?: unknown })?.url;
    if (typeof url !== 'string' || url.length > 2000) return null;
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}
