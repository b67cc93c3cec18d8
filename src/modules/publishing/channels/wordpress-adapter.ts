import crypto from 'node:crypto';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelHealth,
  type OutgoingImage,
  type OutgoingPost,
  type RemoteRef,
} from '../channel-adapter.ts';
import { endpointProblem } from '../accounts/endpoint-url.ts';
import { retryAfterSeconds } from '../accounts/webhook-adapter.ts';
import { deadlineSignal } from '../../../platform/deadline.ts';

/**
 * The WordPress channel (issue 13): a school's own WordPress site, through its REST API with an
 * Application Password (HTTP Basic over the site's https address). For each publication Lanyard
 * keeps one WordPress post, found again by its slug (`lanyard-` and a digest of the idempotency
 * key), so a retry, a re-publish or a re-run after a crash updates that post and never makes a
 * second one:
 *
 * 1. the post is made as a draft in the school's category (or the draft left by an interrupted
 *    try is picked up);
 * 2. each publishable rendition is uploaded to the media library attached to that post, with its
 *    alt text, then read back and its SHA-256 compared with the recorded one (WordPress keeps the
 *    bytes Lanyard sent: the renditions carry no metadata, so none reaches the site);
 * 3. the post is published with the text and the photos, then read back to confirm.
 *
 * Takedown deletes the post's photos for good (WordPress cannot put media in its bin, and a photo
 * in the library stays reachable at its address), then moves the post to the bin, or deletes it
 * when the school's profile says so (`publishing.deleteOnTakedown`), and reads back to confirm.
 *
 * Sites are reached with `?rest_route=`, so plain permalinks work. Redirects are not followed
 * (the password is for this address). Nothing is logged: no token, no post text.
 */

export interface WordPressAdapterOptions {
  /** Whether a takedown deletes the post for good rather than moving it to the bin (profile). */
  deleteOnTakedown: (schoolId: string) => Promise<boolean>;
  now?: () => Date;
  /** One request, from connecting to the end of the answer (default 20 s). */
  timeoutMs?: number;
  /** Used when a 429 has no usable Retry-After (default 60 s). */
  defaultRetryAfterSeconds?: number;
  /** Plain http:// to a loopback address (a site on the same machine; development and tests). */
  allowLoopbackHttp?: boolean;
  /** How long a category's id is remembered (default 5 minutes). */
  categoryCacheMs?: number;
}

/** The slug Lanyard gives the post of an idempotency key: searchable, and no personal data. */
export function wordpressSlug(idempotencyKey: string): string {
  return `lanyard-${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

/** The slug of a photo of that post: the post's slug and the rendition's SHA-256. */
export function wordpressMediaSlug(postSlug: string, sha256: string): string {
  return `${postSlug}-${sha256.slice(0, 16).toLowerCase()}`;
}

interface Site {
  base: URL;
  host: string;
  username: string;
  authorization: string;
  category: string | null;
}

interface WpPost {
  id: number;
  status: string;
  link?: string;
  slug?: string;
  title?: { raw?: string; rendered?: string };
  content?: { raw?: string };
  categories?: number[];
}

interface WpMedia {
  id: number;
  slug: string;
  source_url: string;
  alt_text?: string;
  post?: number | null;
  media_details?: { original_image?: string };
}

type Query = Record<string, string | number | undefined>;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#039;');

/** WordPress keeps titles and names with some characters as entities: compare them decoded. */
const decodeEntities = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;|&#x27;|&apos;/g, "'")
    .replace(/&#8217;/g, '’')
    .replace(/&amp;/g, '&');

/** WordPress's error codes for a request made without a (working) login. */
const NOT_LOGGED_IN = new Set([
  'rest_not_logged_in',
  'rest_forbidden_status',
  'rest_forbidden_context',
  'incorrect_password',
  'invalid_username',
  'invalid_email',
  'application_passwords_disabled',
]);

/** Every error code in a WordPress answer (a bad parameter's own code sits under data.details). */
const errorCodes = (body: string): string[] =>
  [...body.slice(0, 8192).matchAll(/"code"\s*:\s*"([a-z_]{1,64})"/g)].map((m) => m[1]!);

const seconds = (n: number) => (n === 1 ? '1 second' : `${n} seconds`);

/** The post's body: the text as paragraphs, then the photos, in block markup WordPress edits. */
export function wordpressContent(
  text: string,
  photos: { id: number; url: string; alt: string }[],
): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map(
      (p) =>
        `<!-- wp:paragraph -->\n<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>\n<!-- /wp:paragraph -->`,
    );
  const images = photos.map(
    (m) =>
      `<!-- wp:image {"id":${m.id},"sizeSlug":"full","linkDestination":"none"} -->\n` +
      `<figure class="wp-block-image size-full"><img src="${escapeHtml(m.url)}" alt="${escapeHtml(m.alt)}" class="wp-image-${m.id}"/></figure>\n` +
      `<!-- /wp:image -->`,
  );
  return [...paragraphs, ...images].join('\n\n');
}

export class WordPressAdapter implements ChannelAdapter {
  readonly kind = 'wordpress' as const;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly categories = new Map<string, { id: number; at: number }>();

  constructor(private readonly options: WordPressAdapterOptions) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? 20_000;
  }

  // ---------------------------------------------------------------------------------------
  // The adapter
  // ---------------------------------------------------------------------------------------

  async publish(item: OutgoingPost, ctx: ChannelContext): Promise<RemoteRef> {
    const site = this.site(ctx);
    const slug = wordpressSlug(item.idempotencyKey);
    const categoryId = site.category ? await this.categoryId(site, ctx) : null;
    const categories = categoryId ? [categoryId] : undefined;

    // 1. The post: the one an earlier try made, or a new draft.
    let post = await this.postBySlug(site, ctx, slug);
    if (!post)
      post = await this.json<WpPost>(site, ctx, 'POST', '/wp/v2/posts', {
        body: { title: item.title, slug, status: 'draft', categories },
      });

    // 2. The photos, attached to it: kept when already there, else uploaded and read back.
    const attached = await this.attachments(site, ctx, post.id);
    const photos: { id: number; url: string; alt: string }[] = [];
    const wanted = new Set<number>();
    for (const [i, image] of item.images.entries()) {
      const mediaSlug = wordpressMediaSlug(slug, image.sha256);
      let media = attached.find((m) => m.slug === mediaSlug);
      if (media && (media.alt_text ?? '') !== image.altText)
        media = await this.json<WpMedia>(site, ctx, 'POST', `/wp/v2/media/${media.id}`, {
          body: { alt_text: image.altText },
        });
      if (!media) {
        media = await this.upload(site, ctx, post.id, mediaSlug, i, item.images.length, image);
        await this.confirmBytes(site, ctx, media, image);
      }
      wanted.add(media.id);
      photos.push({ id: media.id, url: media.source_url, alt: image.altText });
    }
    // A photo a re-published post no longer has is deleted from the site.
    for (const m of attached) if (!wanted.has(m.id)) await this.deleteMedia(site, ctx, m.id);

    // 3. Publish, then read back.
    const content = wordpressContent(item.text, photos);
    await this.json<WpPost>(site, ctx, 'POST', `/wp/v2/posts/${post.id}`, {
      body: { title: item.title, content, status: 'publish', slug, categories },
    });
    const back = await this.json<WpPost>(site, ctx, 'GET', `/wp/v2/posts/${post.id}`, {
      query: { context: 'edit' },
    });
    const kept =
      back.status === 'publish' &&
      decodeEntities(back.title?.raw ?? '') === decodeEntities(item.title) &&
      (!categoryId || (back.categories ?? []).includes(categoryId)) &&
      photos.every((m) => (back.content?.raw ?? '').includes(`wp-image-${m.id}`));
    if (!kept)
      throw new ChannelError(
        'server',
        `${site.host} did not keep the post as Lanyard sent it. Lanyard will try again.`,
      );
    return { remoteId: String(back.id), remoteUrl: back.link ?? null };
  }

  /**
   * Takes the post down: its photos are deleted, then the post goes to the bin (or is deleted,
   * as the profile says), and Lanyard reads back that it is gone. A post already gone is done.
   */
  async remove(remoteId: string, ctx: ChannelContext): Promise<void> {
    // A publication that never reached the site has no WordPress id: nothing to take down.
    if (!/^\d{1,19}$/.test(remoteId)) return;
    const site = this.site(ctx);
    const permanently = await this.options.deleteOnTakedown(ctx.account.schoolId);
    for (const m of await this.attachments(site, ctx, Number(remoteId)))
      await this.deleteMedia(site, ctx, m.id);
    const route = `/wp/v2/posts/${remoteId}`;
    const gone = await this.send(site, ctx, 'DELETE', route, {
      query: permanently ? { force: 'true' } : {},
      goneIsDone: true,
    });
    // Already in the bin (410) when the profile now says delete: delete it from the bin.
    if (gone.status === 410 && permanently)
      await this.send(site, ctx, 'DELETE', route, { query: { force: 'true' }, goneIsDone: true });

    const back = await this.send(site, ctx, 'GET', route, {
      query: { context: 'edit' },
      goneIsDone: true,
    });
    const status = back.status === 200 ? (JSON.parse(back.body) as WpPost).status : 'deleted';
    const left = await this.attachments(site, ctx, Number(remoteId));
    if (status !== 'deleted' && !(status === 'trash' && !permanently))
      throw new ChannelError(
        'server',
        `${site.host} still shows the post after Lanyard took it down. Lanyard will try again.`,
      );
    if (left.length > 0)
      throw new ChannelError(
        'server',
        `${site.host} still has the post’s photos after Lanyard deleted them. Lanyard will try again.`,
      );
  }

  /** The published post with this key's slug, or null (a draft left by a crash is not live). */
  async find(idempotencyKey: string, ctx: ChannelContext): Promise<RemoteRef | null> {
    const site = this.site(ctx);
    const post = await this.postBySlug(site, ctx, wordpressSlug(idempotencyKey));
    if (!post || post.status !== 'publish') return null;
    return { remoteId: String(post.id), remoteUrl: post.link ?? null };
  }

  /**
   * Whether posts could go: the site answers, the application password is accepted, the user may
   * publish and upload photos, and the category exists. Problems are sentences for the school.
   */
  async health(ctx: ChannelContext): Promise<ChannelHealth> {
    try {
      const site = this.site(ctx);
      const me = await this.json<{ capabilities?: Record<string, boolean> }>(
        site,
        ctx,
        'GET',
        '/wp/v2/users/me',
        { query: { context: 'edit' } },
      );
      const can = me.capabilities ?? {};
      const missing = [
        can.publish_posts ? null : 'publish posts',
        can.upload_files ? null : 'upload photos',
        can.delete_published_posts ? null : 'delete its published posts',
      ].filter((x): x is string => x !== null);
      if (missing.length)
        return {
          ok: false,
          problem: `The WordPress user “${site.username}” cannot ${missing.join(' or ')} on ${site.host}. Give them the Author or Editor role.`,
        };
      if (site.category) await this.categoryId(site, ctx, { fresh: true });
      return { ok: true };
    } catch (e) {
      if (e instanceof ChannelError) return { ok: false, problem: e.plainMessage };
      throw e;
    }
  }

  /** A bare authenticated GET of the user (the benchmark's baseline). */
  async ping(ctx: ChannelContext): Promise<void> {
    await this.json(this.site(ctx), ctx, 'GET', '/wp/v2/users/me');
  }

  // ---------------------------------------------------------------------------------------
  // Steps
  // ---------------------------------------------------------------------------------------

  /** The site, user and password of the channel, or an `invalid` error saying what is missing. */
  private site(ctx: ChannelContext): Site {
    const { endpointUrl, handle, category } = ctx.account;
    if (!endpointUrl)
      throw new ChannelError('invalid', 'There is no WordPress site address for this channel.');
    const problem = endpointProblem(endpointUrl, {
      allowLoopbackHttp: this.options.allowLoopbackHttp ?? false,
    });
    if (problem)
      throw new ChannelError(
        'invalid',
        `The WordPress site address is not usable: ${problem.toLowerCase()}.`,
      );
    if (!handle)
      throw new ChannelError('invalid', 'There is no WordPress user name for this channel.');
    if (!ctx.credential)
      throw new ChannelError(
        'rejected_credentials',
        'There is no application password for this channel. Create one in WordPress and enter it on the channel’s page.',
      );
    const base = new URL(endpointUrl);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    return {
      base,
      host: base.host,
      username: handle,
      authorization: `Basic ${Buffer.from(`${handle}:${ctx.credential}`).toString('base64')}`,
      category: category?.trim() || null,
    };
  }

  private async postBySlug(site: Site, ctx: ChannelContext, slug: string): Promise<WpPost | null> {
    const found = await this.json<WpPost[]>(site, ctx, 'GET', '/wp/v2/posts', {
      query: { slug, status: 'any', context: 'edit', per_page: 2 },
    });
    return Array.isArray(found) && found.length > 0 ? found[0]! : null;
  }

  private async attachments(site: Site, ctx: ChannelContext, postId: number): Promise<WpMedia[]> {
    const found = await this.json<WpMedia[]>(site, ctx, 'GET', '/wp/v2/media', {
      query: { parent: postId, per_page: 100, context: 'edit' },
    });
    return Array.isArray(found) ? found : [];
  }

  private async deleteMedia(site: Site, ctx: ChannelContext, id: number): Promise<void> {
    await this.send(site, ctx, 'DELETE', `/wp/v2/media/${id}`, {
      query: { force: 'true' },
      goneIsDone: true,
    });
  }

  private async upload(
    site: Site,
    ctx: ChannelContext,
    postId: number,
    slug: string,
    index: number,
    count: number,
    image: OutgoingImage,
  ): Promise<WpMedia> {
    const bytes = await ctx.files.read(image.fileKey);
    const form = new FormData();
    form.set(
      'file',
      new Blob([new Uint8Array(bytes)], { type: image.mime }),
      `${slug}.${EXTENSIONS[image.mime] ?? 'jpg'}`,
    );
    form.set('post', String(postId));
    form.set('slug', slug);
    form.set('title', count > 1 ? `Photo ${index + 1} of ${count}` : 'Photo');
    form.set('alt_text', image.altText);
    form.set('caption', '');
    form.set('description', '');
    return this.json<WpMedia>(site, ctx, 'POST', '/wp/v2/media', { form });
  }

  /**
   * Reads the uploaded file back and compares its SHA-256 with the rendition's: the site holds
   * exactly the bytes Lanyard sent (no metadata added or kept). WordPress may also keep a
   * scaled copy of a very large photo; then its original is read.
   */
  private async confirmBytes(
    site: Site,
    ctx: ChannelContext,
    media: WpMedia,
    image: OutgoingImage,
  ): Promise<void> {
    const urls = [media.source_url];
    const original = media.media_details?.original_image;
    if (original) urls.push(new URL(original, media.source_url).toString());
    for (const url of urls) {
      const res = await this.fetch(site, ctx, url, { method: 'GET' }, false);
      if (!res.ok) continue;
      const digest = crypto
        .createHash('sha256')
        .update(new Uint8Array(await res.arrayBuffer()))
        .digest('hex');
      if (digest === image.sha256.toLowerCase()) return;
    }
    await this.deleteMedia(site, ctx, media.id);
    throw new ChannelError(
      'server',
      `${site.host} did not keep a photo exactly as Lanyard sent it, so Lanyard deleted it again. Lanyard will try again.`,
    );
  }

  /** The id of the channel's category (by name), remembered for a few minutes. */
  private async categoryId(
    site: Site,
    ctx: ChannelContext,
    opts: { fresh?: boolean } = {},
  ): Promise<number> {
    const name = site.category!;
    const key = `${site.base.href}\n${name.toLowerCase()}`;
    const cached = this.categories.get(key);
    const ttl = this.options.categoryCacheMs ?? 5 * 60_000;
    if (!opts.fresh && cached && Date.now() - cached.at < ttl) return cached.id;
    const found = await this.json<{ id: number; name: string }[]>(
      site,
      ctx,
      'GET',
      '/wp/v2/categories',
      { query: { search: name, per_page: 100 } },
    );
    const match = (Array.isArray(found) ? found : []).find(
      (c) => decodeEntities(c.name).trim().toLowerCase() === name.toLowerCase(),
    );
    if (!match)
      throw new ChannelError(
        'invalid',
        `There is no category called “${name}” on ${site.host}. Add it in WordPress, or change the category on the channel’s page.`,
      );
    this.categories.set(key, { id: match.id, at: Date.now() });
    return match.id;
  }

  // ---------------------------------------------------------------------------------------
  // HTTP
  // ---------------------------------------------------------------------------------------

  private async json<T>(
    site: Site,
    ctx: ChannelContext,
    method: string,
    route: string,
    opts: { query?: Query; body?: unknown; form?: FormData } = {},
  ): Promise<T> {
    const answer = await this.send(site, ctx, method, route, opts);
    try {
      return JSON.parse(answer.body) as T;
    } catch {
      throw new ChannelError(
        'invalid',
        `${site.host} did not answer like a WordPress site. Check the address, and that the site’s REST API is turned on.`,
      );
    }
  }

  /** One REST call; any answer but 2xx (and 404/410 when `goneIsDone`) is a ChannelError. */
  private async send(
    site: Site,
    ctx: ChannelContext,
    method: string,
    route: string,
    opts: { query?: Query; body?: unknown; form?: FormData; goneIsDone?: boolean } = {},
  ): Promise<{ status: number; body: string }> {
    const url = new URL(site.base);
    url.searchParams.set('rest_route', route);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      authorization: site.authorization,
      accept: 'application/json',
      'user-agent': 'Lanyard-WordPress/1',
    };
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await this.fetch(site, ctx, url.toString(), { method, headers, body }, true);
    const text = await res.text().catch(() => '');
    const s = res.status;
    if (s >= 200 && s < 300) return { status: s, body: text };
    if (opts.goneIsDone && (s === 404 || s === 410)) return { status: s, body: text };
    const retryAfter = retryAfterSeconds(res.headers.get('retry-after'), this.now());
    if (s === 429 || (s === 503 && retryAfter !== null)) {
      const wait = retryAfter ?? this.options.defaultRetryAfterSeconds ?? 60;
      throw new ChannelError(
        'rate_limited',
        `${site.host} asked Lanyard to wait ${seconds(wait)} before sending more. Lanyard will try again then.`,
        wait,
      );
    }
    // WordPress treats a wrong or revoked application password as nobody logged in: a 401, or
    // a 400/403 for asking what only a logged-in user may (drafts, the edit view).
    if (
      s === 401 ||
      ((s === 400 || s === 403) && errorCodes(text).some((c) => NOT_LOGGED_IN.has(c)))
    )
      throw new ChannelError(
        'rejected_credentials',
        `${site.host} refused the application password for the WordPress user “${site.username}”: it may have been revoked or mistyped. Create a new application password in WordPress (Users, Profile, Application Passwords) and enter it on the channel’s page.`,
      );
    if (s === 403)
      throw new ChannelError(
        'rejected_credentials',
        `The WordPress user “${site.username}” is not allowed to do this on ${site.host}. Give them the Author or Editor role.`,
      );
    if (s >= 500 || s === 408)
      throw new ChannelError(
        'server',
        `${site.host} had a problem of its own (status ${s}). Lanyard will try again.`,
        retryAfter ?? undefined,
      );
    if (s >= 300 && s < 400)
      throw new ChannelError(
        'invalid',
        `${site.host} answered with a redirect. Enter the site’s current address (starting https://) on the channel’s page.`,
      );
    if (s === 404 && /rest_no_route/.test(text))
      throw new ChannelError(
        'invalid',
        `${site.host} does not offer WordPress’s REST API at this address. Check the site’s address.`,
      );
    throw new ChannelError('invalid', `${site.host} refused the request (status ${s}).`);
  }

  private async fetch(
    site: Site,
    ctx: ChannelContext,
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string | FormData },
    authorised: boolean,
  ): Promise<Response> {
    const signal = deadlineSignal(this.timeoutMs, [ctx.signal]);
    // The password only ever goes to the site's own address (a photo may be on another host).
    const headers = authorised ? init.headers : { 'user-agent': 'Lanyard-WordPress/1' };
    try {
      return await fetch(url, {
        ...init,
        headers,
        redirect: 'manual',
        signal,
      });
    } catch (e) {
      const timedOut = (e as Error)?.name === 'TimeoutError';
      throw new ChannelError(
        'unreachable',
        timedOut
          ? `${site.host} did not answer within ${seconds(Math.max(1, Math.round(this.timeoutMs / 1000)))}. Lanyard will try again.`
          : `${site.host} could not be reached. Check that the site is up and its address is right; Lanyard will try again.`,
      );
    }
  }
}
