import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError } from '../../../errors.ts';
import {
  feedTypes,
  NEWS_PAGE_SIZE,
  paragraphsOf,
  type FeedFormat,
  type NewsState,
} from './news.service.ts';

const schoolParams = z.object({ slug: z.string().min(1).max(100) });
const postParams = schoolParams.extend({ publicationId: z.uuid() });
const imageParams = postParams.extend({
  file: z
    .string()
    .regex(/^\d{1,3}\.jpg$/)
    .transform((f) => Number(f.slice(0, -4))),
});
const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new NotFoundError();
  return r.data;
}

/**
 * Sets the validators; answers true when the reader's copy is current (then send 304).
 * If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
 */
function notModified(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: string,
  lastModified: Date,
): boolean {
  reply
    .header('etag', etag)
    .header('last-modified', lastModified.toUTCString())
    .header('cache-control', 'public, no-cache');
  const inm = request.headers['if-none-match'];
  if (typeof inm === 'string' && inm.length > 0)
    return inm
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === etag);
  const ims = request.headers['if-modified-since'];
  if (typeof ims === 'string') {
    const t = Date.parse(ims);
    return !Number.isNaN(t) && lastModified.getTime() <= t;
  }
  return false;
}

/**
 * The school's public news page (issue 12 item 7): no sign-in, the same for everyone. A list and
 * a page per post, their images (the recorded publishable renditions only), and the Atom, RSS 2.0
 * and JSON feeds; every response carries an ETag and Last-Modified and answers 304 to a current
 * copy.
 */
export async function newsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const news = services.news;
  const config = { access: 'public' as const, publicCache: true };

  const stateOf = async (params: unknown): Promise<NewsState> => {
    const { slug } = parsed(schoolParams, params);
    const school = await news.school(slug);
    if (!school) throw new NotFoundError();
    return news.state(school);
  };

  /** The school's styling on its pages: a stylesheet of its own and its logo, when it has them. */
  const brandOf = (school: NewsState['school']) => {
    const css = news.brandCss(school);
    const logo = school.logo;
    // Shown at most 60 px high in the header (the file is up to 120: sharp on a phone's screen).
    const height = logo ? Math.min(60, logo.height) : 0;
    return {
      css: css ? `/news/${school.slug}/brand.css?v=${cssVersion(css)}` : null,
      logo: logo
        ? {
            src: news.logoPath(school),
            alt: `${school.name} logo`,
            height,
            width: Math.max(1, Math.round((logo.width * height) / logo.height)),
          }
        : null,
    };
  };

  const view = (reply: FastifyReply, template: string, state: NewsState, data: object) =>
    reply.type('text/html; charset=utf-8').view(template, {
      school: state.school,
      newsHome: `/news/${state.school.slug}`,
      notice: state.notice,
      brand: brandOf(state.school),
      ...data,
    });

  /** A small public file revalidated by its ETag (the logo, the stylesheet). */
  const sendTagged = (
    request: FastifyRequest,
    reply: FastifyReply,
    etag: string,
    type: string,
    body: Buffer | string,
  ) => {
    reply.header('etag', etag).header('cache-control', 'public, no-cache');
    const inm = request.headers['if-none-match'];
    if (
      typeof inm === 'string' &&
      inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
    )
      return reply.code(304).send();
    return reply.type(type).send(body);
  };

  // The school's logo: the PNG Lanyard made from the upload (no metadata), checked by SHA-256.
  app.get('/news/:slug/logo.png', { config }, async (request, reply) => {
    const { slug } = parsed(schoolParams, request.params);
    const school = await news.school(slug);
    if (!school) throw new NotFoundError();
    const logo = await news.logo(school);
    if (!logo) throw new NotFoundError();
    return sendTagged(request, reply, `"${logo.sha256}"`, 'image/png', logo.bytes);
  });

  // The school's colours: a stylesheet, because the page's CSP allows no inline style (and a
  // nonce would not survive the page's revalidation by ETag).
  app.get('/news/:slug/brand.css', { config }, async (request, reply) => {
    const { slug } = parsed(schoolParams, request.params);
    const school = await news.school(slug);
    if (!school) throw new NotFoundError();
    const css = news.brandCss(school);
    if (!css) throw new NotFoundError();
    return sendTagged(request, reply, `"${cssVersion(css)}"`, 'text/css; charset=utf-8', css);
  });

  app.get('/news/:slug', { config }, async (request, reply) => {
    const state = await stateOf(request.params);
    const page = parsed(listQuery, request.query).page ?? 1;
    if (page > Math.max(1, Math.ceil(state.live / NEWS_PAGE_SIZE))) throw new NotFoundError();
    if (notModified(request, reply, state.etag, state.lastModified)) return reply.code(304).send();
    const { posts, pages } = await news.list(state, page);
    const home = `/news/${state.school.slug}`;
    return view(reply, 'publishing/news/views/news-list.njk', state, {
      title: page > 1 ? `News, page ${page}` : 'News',
      posts: posts.map((p) => ({
        title: p.title,
        publishedAt: p.publishedAt,
        url: `${home}/${p.id}`,
        summary: summaryOf(p.text),
        images: p.images.map((i) => ({
          altText: i.altText,
          url: `${home}/${p.id}/images/${i.position}.jpg`,
        })),
      })),
      pagination:
        pages > 1
          ? {
              ...(page > 1 ? { previous: { href: `${home}?page=${page - 1}` } } : {}),
              ...(page < pages ? { next: { href: `${home}?page=${page + 1}` } } : {}),
              items: Array.from({ length: pages }, (_, i) => ({
                number: i + 1,
                href: `${home}?page=${i + 1}`,
                current: i + 1 === page,
              })),
            }
          : null,
    });
  });

  const feed = (format: FeedFormat) =>
    app.get(`/news/:slug/feed.${format}`, { config }, async (request, reply) => {
      const state = await stateOf(request.params);
      if (notModified(request, reply, state.etag, state.lastModified))
        return reply.code(304).send();
      return reply.type(feedTypes[format]).send(await news.feed(state, format));
    });
  feed('atom');
  feed('rss');
  feed('json');

  app.get('/news/:slug/:publicationId', { config }, async (request, reply) => {
    const { publicationId } = parsed(postParams, request.params);
    const state = await stateOf(request.params);
    const post = await news.post(state, publicationId);
    if (!post) throw new NotFoundError();
    const etag = `"${state.etag.slice(1, -1)}-${publicationId.slice(0, 8)}"`;
    if (notModified(request, reply, etag, state.lastModified)) return reply.code(304).send();
    const home = `/news/${state.school.slug}`;
    return view(reply, 'publishing/news/views/news-post.njk', state, {
      title: post.title,
      post: {
        title: post.title,
        publishedAt: post.publishedAt,
        paragraphs: paragraphsOf(post.text),
        images: post.images.map((i) => ({
          altText: i.altText,
          url: `${home}/${post.id}/images/${i.position}.jpg`,
        })),
      },
    });
  });

  app.get('/news/:slug/:publicationId/images/:file', { config }, async (request, reply) => {
    const { slug, publicationId, file } = parsed(imageParams, request.params);
    const school = await news.school(slug);
    if (!school) throw new NotFoundError();
    const image = await news.image(school, publicationId, file).catch((e: unknown) => {
      // A file that no longer matches its record is never served (and looks missing).
      if (e instanceof Error && e.name === 'RenditionMismatchError') {
        request.log.warn('news image refused: rendition does not match its record');
        return undefined;
      }
      throw e;
    });
    if (!image) throw new NotFoundError();
    // An image changes only by coming down: revalidate so a removed one is gone at once.
    return sendTagged(request, reply, `"${image.sha256}"`, image.contentType, image.bytes);
  });
}

function cssVersion(css: string): string {
  return crypto.createHash('sha256').update(css).digest('base64url').slice(0, 16);
}

function summaryOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= 280 ? flat : `${chars.slice(0, 279).join('').trimEnd()}…`;
}
