import crypto from 'node:crypto';
import type * as Atproto from '@atproto/api';
import type { AtpAgent, AtpSessionData } from '@atproto/api';

/**
 * `@atproto/api` is large (about 100 MB of a process's memory once loaded): it is loaded the first
 * time a Bluesky account is used, not at start-up (ADR 0010), like the other heavy adapters.
 */
let atproto: typeof Atproto | undefined;
const loadAtproto = async (): Promise<typeof Atproto> => (atproto ??= await import('@atproto/api'));
const isXrpcError = (e: unknown): e is Atproto.XRPCError =>
  atproto !== undefined && e instanceof atproto.XRPCError;
import { ImageProcessor } from '../../../platform/images/image-processor.ts';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelHealth,
  type OutgoingPost,
  type RemoteRef,
} from '../channel-adapter.ts';
import { graphemeCount } from '../checks/text.ts';
import { retryAfterSeconds } from '../accounts/webhook-adapter.ts';
import { BLUESKY_DEFAULT_SERVICE } from './bluesky-account.ts';
import { deadlineSignal } from '../../../platform/deadline.ts';

/** Bluesky's own limits (the `app.bsky.feed.post` and `app.bsky.embed.images` lexicons). */
export const BLUESKY_MAX_GRAPHEMES = 300;
/** The lexicon also caps the text's UTF-8 bytes (reached only by long runs of emoji). */
export const BLUESKY_MAX_TEXT_BYTES = 3000;
export const BLUESKY_MAX_IMAGES = 4;
export const BLUESKY_MAX_IMAGE_BYTES = 1_000_000;
export { BLUESKY_DEFAULT_SERVICE };
const POST = 'app.bsky.feed.post';

export interface BlueskyAdapterOptions {
  /** Each request, from connecting to the end of the answer (default 15 s). */
  timeoutMs?: number;
  /** Used when a 429 says nothing about when to come back (default 60 s). */
  defaultRetryAfterSeconds?: number;
  now?: () => Date;
}

const BASE32_SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';

/**
 * The record key of the post for an idempotency key: a valid TID (13 characters of base32-sortable,
 * the key type `app.bsky.feed.post` asks for) made from the key's SHA-256, so every retry and a
 * re-run after a crash write to the same record, which the server creates only once. Its
 * timestamp bits lie between 2023 and 2031 (a TID's clock is never read for anything).
 */
export function blueskyRecordKey(idempotencyKey: string): string {
  const digest = crypto.createHash('sha256').update(`lanyard-bluesky\n${idempotencyKey}`).digest();
  const micros = 1_672_531_200_000_000n + (digest.readBigUInt64BE(0) >> 16n); // + up to 2^48 µs
  const clockId = BigInt(digest.readUInt16BE(8) & 0x3ff);
  let n = (micros << 10n) | clockId; // 63 bits: the top bit stays 0
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = BASE32_SORTABLE[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

/** `at://did/app.bsky.feed.post/rkey` → its parts, or null. */
export function parsePostUri(uri: string): { did: string; rkey: string } | null {
  const m =
    /^at:\/\/(did:[a-z]+:[A-Za-z0-9._:%-]+)\/app\.bsky\.feed\.post\/([A-Za-z0-9._~:-]{1,512})$/.exec(
      uri,
    );
  return m ? { did: m[1]!, rkey: m[2]! } : null;
}

interface CachedSession {
  /** SHA-256 of service, handle and app password: a changed credential is never reused. */
  fingerprint: string;
  session: AtpSessionData;
  pdsUrl: URL | undefined;
}

/**
 * The Bluesky channel (issue 13): posts through the AT Protocol with `@atproto/api`, signed in with
 * an app password (never the account's main password) kept sealed with the account. The account's
 * `endpointUrl` is the service (https://bsky.social unless the school runs its own PDS) and
 * `handle` its handle. A post is the text (at most 300 graphemes) and up to four publishable
 * renditions with their alt text; it is written with a record key made from the idempotency key,
 * so a retry or a re-run after a crash can never post twice (`find` reads it back); takedown
 * deletes the record and reads back to confirm it is gone. Nothing is logged here: no token, no
 * app password, no text.
 */
export class BlueskyAdapter implements ChannelAdapter {
  readonly kind = 'bluesky' as const;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  /** Signed-in sessions by account, so each delivery does not sign in again (Bluesky limits that). */
  private readonly sessions = new Map<string, CachedSession>();

  constructor(private readonly options: BlueskyAdapterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? (() => new Date());
  }

  async publish(item: OutgoingPost, ctx: ChannelContext): Promise<RemoteRef> {
    const length = graphemeCount(item.text);
    if (length > BLUESKY_MAX_GRAPHEMES)
      throw new ChannelError(
        'invalid',
        `The post is ${length} characters long; Bluesky takes at most ${BLUESKY_MAX_GRAPHEMES}.`,
      );
    if (Buffer.byteLength(item.text, 'utf8') > BLUESKY_MAX_TEXT_BYTES)
      throw new ChannelError(
        'invalid',
        'The post has too many emoji or other special characters for Bluesky. Shorten it or use fewer emoji.',
      );
    if (item.images.length > BLUESKY_MAX_IMAGES)
      throw new ChannelError(
        'invalid',
        `The post has ${item.images.length} photos; Bluesky takes at most ${BLUESKY_MAX_IMAGES}.`,
      );
    return this.withAgent(ctx, async (agent, did) => {
      const rkey = blueskyRecordKey(item.idempotencyKey);
      // Already there (a retry after the remote write, or a crash before the local record).
      const existing = await this.readPost(agent, did, rkey);
      if (existing) return this.ref(did, rkey);

      const images = [];
      for (const img of item.images) {
        ctx.signal?.throwIfAborted();
        const { bytes, mime } = await fitImage(await ctx.files.read(img.fileKey), img.mime);
        const uploaded = await agent.com.atproto.repo.uploadBlob(bytes, { encoding: mime });
        images.push({ image: uploaded.data.blob, alt: img.altText });
      }
      const rt = new (await loadAtproto()).RichText({ text: item.text });
      rt.detectFacetsWithoutResolution();
      // Links only: a mention would need its handle looked up, and a school's post names nobody.
      const facets = rt.facets?.filter((f) =>
        f.features.every((x) => x.$type === 'app.bsky.richtext.facet#link'),
      );
      const record = {
        $type: POST,
        text: rt.text,
        ...(facets && facets.length > 0 ? { facets } : {}),
        ...(images.length > 0 ? { embed: { $type: 'app.bsky.embed.images', images } } : {}),
        langs: ['en'],
        createdAt: item.publishedAt.toISOString(),
      };
      try {
        await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, rkey, record });
      } catch (e) {
        // Written meanwhile by another attempt with the same key: that post is this one.
        if (await this.readPost(agent, did, rkey).catch(() => null)) return this.ref(did, rkey);
        throw e;
      }
      if (!(await this.readPost(agent, did, rkey)))
        throw new ChannelError(
          'server',
          `${this.host(ctx)} accepted the post but does not show it when asked. Lanyard will try again.`,
        );
      return this.ref(did, rkey);
    });
  }

  /** `remoteId` is the post's at:// address. A post already gone is done. */
  async remove(remoteId: string, ctx: ChannelContext): Promise<void> {
    const parsed = parsePostUri(remoteId);
    if (!parsed)
      throw new ChannelError('invalid', 'Lanyard does not recognise the Bluesky post’s address.');
    await this.withAgent(ctx, async (agent) => {
      await agent.com.atproto.repo.deleteRecord({
        repo: parsed.did,
        collection: POST,
        rkey: parsed.rkey,
      });
      if (await this.readPost(agent, parsed.did, parsed.rkey))
        throw new ChannelError(
          'server',
          `${this.host(ctx)} still shows the post after deleting it. Lanyard will try again.`,
        );
    });
  }

  /** Signs in afresh with the app password: a revoked one, or a server away, is said plainly. */
  async health(ctx: ChannelContext): Promise<ChannelHealth> {
    const problem = this.setupProblem(ctx);
    if (problem) return { ok: false, problem };
    this.sessions.delete(ctx.account.id);
    try {
      await this.withAgent(ctx, async () => undefined);
      return { ok: true };
    } catch (e) {
      if (e instanceof ChannelError) return { ok: false, problem: e.plainMessage };
      return { ok: false, problem: `Lanyard could not check ${this.host(ctx)}.` };
    }
  }

  async find(idempotencyKey: string, ctx: ChannelContext): Promise<RemoteRef | null> {
    return this.withAgent(ctx, async (agent, did) => {
      const rkey = blueskyRecordKey(idempotencyKey);
      return (await this.readPost(agent, did, rkey)) ? this.ref(did, rkey) : null;
    });
  }

  private ref(did: string, rkey: string): RemoteRef {
    return {
      remoteId: `at://${did}/${POST}/${rkey}`,
      remoteUrl: `https://bsky.app/profile/${did}/post/${rkey}`,
    };
  }

  /** The post's record, or null when there is none (404 / RecordNotFound). */
  private async readPost(agent: AtpAgent, did: string, rkey: string): Promise<unknown> {
    try {
      const res = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey });
      return res.data.value;
    } catch (e) {
      if (isXrpcError(e) && (e.error === 'RecordNotFound' || e.status === 404)) return null;
      if (isXrpcError(e) && e.status === 400 && /not found/i.test(e.message)) return null;
      throw e;
    }
  }

  private service(ctx: ChannelContext): string {
    return ctx.account.endpointUrl || BLUESKY_DEFAULT_SERVICE;
  }

  private host(ctx: ChannelContext): string {
    try {
      return new URL(this.service(ctx)).host;
    } catch {
      return 'the Bluesky server';
    }
  }

  private setupProblem(ctx: ChannelContext): string | null {
    try {
      const u = new URL(this.service(ctx));
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    } catch {
      return 'The Bluesky server’s address is not a web address. Leave it blank for bsky.social.';
    }
    if (!ctx.account.handle)
      return 'There is no Bluesky handle. Enter the account’s handle, for example oakfield.bsky.social.';
    if (!ctx.credential)
      return 'There is no app password. Make one in Bluesky’s settings (Privacy and security, App passwords) and enter it here.';
    return null;
  }

  /**
   * Runs `work` with a signed-in agent (a cached session, else a fresh sign-in), turning every
   * failure into a {@link ChannelError} in plain English. A session the server no longer accepts
   * is dropped and the work tried once more after signing in again.
   */
  private async withAgent<T>(
    ctx: ChannelContext,
    work: (agent: AtpAgent, did: string) => Promise<T>,
  ): Promise<T> {
    const problem = this.setupProblem(ctx);
    if (problem) throw new ChannelError('invalid', problem);
    ctx.signal?.throwIfAborted();
    const service = this.service(ctx);
    const identifier = ctx.account.handle!.replace(/^@/, '');
    const fingerprint = crypto
      .createHash('sha256')
      .update(`${service}\n${identifier}\n${ctx.credential}`)
      .digest('hex');
    const timeoutMs = this.timeoutMs;
    const outer = ctx.signal;
    const timedFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, signal: deadlineSignal(timeoutMs, [outer, init?.signal]) });

    const api = await loadAtproto();
    for (let attempt = 0; ; attempt++) {
      const agent = new api.AtpAgent({ service, fetch: timedFetch });
      const cached = this.sessions.get(ctx.account.id);
      let fresh = false;
      try {
        if (cached && cached.fingerprint === fingerprint) {
          agent.sessionManager.session = cached.session;
          agent.sessionManager.pdsUrl = cached.pdsUrl;
        } else {
          fresh = true;
          await agent.login({ identifier, password: ctx.credential! });
        }
        const did = agent.session!.did;
        const result = await work(agent, did);
        // A refreshed session is kept for the next delivery.
        this.sessions.set(ctx.account.id, {
          fingerprint,
          session: agent.session!,
          pdsUrl: agent.sessionManager.pdsUrl,
        });
        return result;
      } catch (e) {
        if (e instanceof ChannelError) throw e;
        const sessionRefused =
          isXrpcError(e) &&
          (e.status === 401 || e.error === 'ExpiredToken' || e.error === 'InvalidToken');
        if (sessionRefused && !fresh && attempt === 0) {
          this.sessions.delete(ctx.account.id);
          continue;
        }
        if (sessionRefused) this.sessions.delete(ctx.account.id);
        throw this.channelError(e, ctx, fresh && sessionRefused);
      }
    }
  }

  private channelError(e: unknown, ctx: ChannelContext, signingIn: boolean): ChannelError {
    const host = this.host(ctx);
    const handle = ctx.account.handle?.replace(/^@/, '') ?? 'the account';
    if (ctx.signal?.aborted)
      return new ChannelError('unreachable', `Lanyard stopped waiting for ${host}.`);
    if (!isXrpcError(e)) {
      const timedOut = (e as Error)?.name === 'TimeoutError';
      return new ChannelError(
        'unreachable',
        timedOut
          ? `${host} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds.`
          : `${host} could not be reached.`,
      );
    }
    const s = e.status;
    if (s === 1) {
      const cause = (e as { cause?: { name?: string } }).cause;
      return new ChannelError(
        'unreachable',
        cause?.name === 'TimeoutError'
          ? `${host} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds.`
          : `${host} could not be reached.`,
      );
    }
    if (s === 429) {
      const seconds = this.waitSeconds(e.headers) ?? this.options.defaultRetryAfterSeconds ?? 60;
      return new ChannelError(
        'rate_limited',
        `${host} asked Lanyard to wait ${seconds === 1 ? '1 second' : `${seconds} seconds`} before sending more.`,
        seconds,
      );
    }
    if (e.error === 'AccountTakedown')
      return new ChannelError(
        'rejected_credentials',
        `Bluesky has suspended the account ${handle}. Sort this out with Bluesky first.`,
      );
    if (e.error === 'AccountDeactivated')
      return new ChannelError(
        'rejected_credentials',
        `The Bluesky account ${handle} is deactivated. Reactivate it in Bluesky first.`,
      );
    if (s === 401 || (signingIn && s === 400) || s === 403)
      return new ChannelError(
        'rejected_credentials',
        `${host} refused the app password for ${handle}. It may have been revoked or mistyped: make a new app password in Bluesky’s settings (Privacy and security, App passwords) and enter it here.`,
      );
    if (s === 413) return new ChannelError('invalid', `${host} said a photo is too large to post.`);
    if (s >= 500 || s === 2)
      return new ChannelError('server', `${host} had a problem of its own (status ${s}).`);
    return new ChannelError(
      'invalid',
      `${host} refused the post (${e.error && /^[A-Za-z]{1,40}$/.test(e.error) ? e.error : `status ${s}`}).`,
    );
  }

  /** Retry-After, else the rate limit's `ratelimit-reset` (a Unix time in seconds). */
  private waitSeconds(headers: Record<string, string | undefined> | undefined): number | null {
    if (!headers) return null;
    const get = (name: string) =>
      Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? null;
    const now = this.now();
    const after = retryAfterSeconds(get('retry-after'), now);
    if (after !== null) return after;
    const reset = get('ratelimit-reset');
    if (reset && /^\d{1,12}$/.test(reset.trim()))
      return Math.max(1, Number(reset.trim()) - Math.floor(now.getTime() / 1000));
    return null;
  }
}

/**
 * A rendition as Bluesky takes it: at most 1,000,000 bytes. A larger one is made smaller as a JPEG
 * (longest side 2,000 pixels, then lower quality), with no metadata, as every rendition has.
 */
async function fitImage(bytes: Buffer, mime: string): Promise<{ bytes: Buffer; mime: string }> {
  if (bytes.length <= BLUESKY_MAX_IMAGE_BYTES) return { bytes, mime };
  for (const [side, quality] of [
    [2000, 85],
    [2000, 70],
    [1600, 70],
    [1200, 60],
  ] as const) {
    const out = await new ImageProcessor({ jpegQuality: quality }).thumbnail(bytes, side);
    if (out.data.length <= BLUESKY_MAX_IMAGE_BYTES) return { bytes: out.data, mime: 'image/jpeg' };
  }
  throw new ChannelError('invalid', 'A photo is too large for Bluesky even made smaller.');
}
