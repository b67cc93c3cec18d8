import crypto from 'node:crypto';
import type * as FeedModule from 'feed';
import { LRUCache } from 'lru-cache';
import { READ_TTL_MS } from '../../people/index.ts';
import type { Database } from '../../../platform/db/database.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { NewsPost, NewsRepository, NewsSchool } from './news.repository.ts';

/** The feed writer (`feed`, with its XML library) is loaded on the first feed, not at start-up (ADR 0010). */
let feedModule: Promise<typeof FeedModule> | undefined;
const loadFeed = () =>
  (feedModule ??= import('feed').catch((error: unknown) => {
    feedModule = undefined;
    throw error;
  }));

/** Posts on one page of the news list. */
export const NEWS_PAGE_SIZE = 20;
/** The newest posts a feed carries (readers keep what they have already fetched). */
export const FEED_ITEMS = 100;

export type FeedFormat = 'atom' | 'rss' | 'json';

export const feedTypes: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** What a public response is validated against: one ETag and Last-Modified per school state. */
export interface NewsState {
  school: NewsSchool;
  etag: string;
  lastModified: Date;
  live: number;
  policyVersion: number;
  notice: string | null;
}

/** A rendition whose bytes no longer match the SHA-256 recorded when it was published. */
export class RenditionMismatchError extends Error {
  constructor() {
    super('A published image does not match its recorded SHA-256');
    this.name = 'RenditionMismatchError';
  }
}

/**
 * The school's public news page (SPEC §3.5, issue 12 item 7): live publications on the built-in
 * news channel only, each image served only as the rendition recorded with the publication (its
 * SHA-256 checked on every read), never an original. Validators (ETag, Last-Modified) come from
 * one small statement, so a reader's revalidation costs no rendering; rendered feeds are kept per
 * validator (bounded).
 */
export class NewsService {
  /**
   * Rendered feeds by school, format and ETag: 60 entries, least recently used dropped. Kept as
   * UTF-8 bytes, so that sending one is a copy (a string is measured and encoded on every send).
   */
  private readonly feeds = new LRUCache<string, Buffer>({ max: 60 });

  constructor(
    private readonly deps: {
      database: Database;
      repository: NewsRepository;
      policies: PolicyService;
      /** The schools (read through the people module). */
      people: Pick<PeopleDirectory, 'listSchools'>;
      files: FileStore;
      baseUrl: string;
      now?: () => number;
    },
  ) {}

  /**
   * Schools by slug, read again at most every 5 seconds: bounded by the schools that exist (an
   * unknown slug adds nothing), and a new school's page appears within 5 seconds.
   */
  private schools: { at: number; bySlug: Map<string, NewsSchool> } | undefined;
  private schoolsLoading: Promise<Map<string, NewsSchool>> | undefined;

  private async schoolsBySlug(): Promise<Map<string, NewsSchool>> {
    const now = (this.deps.now ?? Date.now)();
    if (this.schools && now - this.schools.at < 5_000) return this.schools.bySlug;
    this.schoolsLoading ??= this.deps.people
      .listSchools(this.db)
      .then((rows) => {
        const bySlug = new Map<string, NewsSchool>(
          rows.map((r) => [
            r.slug,
            {
              id: r.id,
              slug: r.slug,
              name: r.name,
              colour: r.newsColour,
              logo:
                r.newsLogoKey && r.newsLogoSha256
                  ? {
                      key: r.newsLogoKey,
                      sha256: r.newsLogoSha256,
                      width: r.newsLogoWidth ?? 120,
                      height: r.newsLogoHeight ?? 120,
                    }
                  : null,
            },
          ]),
        );
        this.schools = { at: now, bySlug };
        return bySlug;
      })
      .finally(() => {
        this.schoolsLoading = undefined;
      });
    return this.schoolsLoading;
  }

  /**
   * Reads the schools again on the next request (a school's news page appearance changed in this
   * process; other processes see it within 5 seconds).
   */
  forgetSchools(): void {
    this.schools = undefined;
  }

  private get db() {
    return this.deps.database.db;
  }

  /** The school a public address names, or undefined (a 404). */
  async school(slug: string): Promise<NewsSchool | undefined> {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug) || slug.length > 100) return undefined;
    return (await this.schoolsBySlug()).get(slug);
  }

  /** The school's news state: what every public response's validators are made of. */
  async state(school: NewsSchool): Promise<NewsState> {
    // A shared read (ADR 0008, 0018): publications going live or removed, posts and the profile
    // bump the school's version, so a public request costs one shared version read.
    const [version, policy] = await this.deps.database.cachedRead(
      `news-state:${school.id}`,
      READ_TTL_MS,
      () =>
        Promise.all([
          this.deps.repository.version(this.db, school.id),
          this.deps.policies.current(school.id),
        ]),
      school.id,
    );
    const rule = policy.settings.publishing.commentsNotMonitoredNotice.value;
    const notice = rule.show && rule.text.trim() ? rule.text.trim() : null;
    const changedAt = version.changedAt ?? new Date(0);
    const etag = `"${crypto
      .createHash('sha256')
      .update(
        [
          school.id,
          school.slug,
          school.name,
          school.colour ?? '',
          school.logo?.sha256 ?? '',
          version.live,
          changedAt.getTime(),
          policy.version,
        ].join('|'),
      )
      .digest('base64url')
      .slice(0, 27)}"`;
    return {
      school,
      etag,
      // HTTP dates have whole seconds; round up so If-Modified-Since compares as equal.
      lastModified: new Date(Math.ceil(changedAt.getTime() / 1000) * 1000),
      live: version.live,
      policyVersion: policy.version,
      notice,
    };
  }

  async list(state: NewsState, page: number): Promise<{ posts: NewsPost[]; pages: number }> {
    const pages = Math.max(1, Math.ceil(state.live / NEWS_PAGE_SIZE));
    if (page > pages) return { posts: [], pages };
    const posts = await this.deps.repository.live(
      this.db,
      state.school.id,
      NEWS_PAGE_SIZE,
      (page - 1) * NEWS_PAGE_SIZE,
    );
    return { posts, pages };
  }

  async post(state: NewsState, publicationId: string): Promise<NewsPost | undefined> {
    return this.deps.repository.livePost(this.db, state.school.id, publicationId);
  }

  /**
   * One image of a live news item: the recorded rendition's bytes, only when their SHA-256 is the
   * one recorded at publishing and they carry no metadata (fail closed).
   */
  async image(
    school: NewsSchool,
    publicationId: string,
    position: number,
  ): Promise<{ bytes: Buffer; sha256: string; contentType: string } | undefined> {
    const row = await this.deps.repository.liveImage(this.db, school.id, publicationId, position);
    if (!row) return undefined;
    const bytes = await this.deps.files.read(row.fileKey).catch(() => undefined);
    if (!bytes) return undefined;
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== row.sha256) throw new RenditionMismatchError();
    if (row.contentType === 'image/jpeg' && jpegHasMetadata(bytes))
      throw new RenditionMismatchError();
    return { bytes, sha256, contentType: row.contentType };
  }

  /**
   * The school's logo, only when its bytes are the PNG whose SHA-256 was recorded when it was
   * saved (fail closed: anything else looks missing).
   */
  async logo(school: NewsSchool): Promise<{ bytes: Buffer; sha256: string } | undefined> {
    if (!school.logo) return undefined;
    const bytes = await this.deps.files.read(school.logo.key).catch(() => undefined);
    if (!bytes) return undefined;
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    return sha256 === school.logo.sha256 ? { bytes, sha256 } : undefined;
  }

  /** The logo's public address; the query changes with the logo so a new one shows at once. */
  logoPath(school: NewsSchool): string | null {
    return school.logo
      ? `/news/${school.slug}/logo.png?v=${school.logo.sha256.slice(0, 16)}`
      : null;
  }

  /** The school's colours as a stylesheet (the page's CSP allows no inline style), or null. */
  brandCss(school: NewsSchool): string | null {
    const rules: string[] = [];
    if (school.colour && /^#[0-9a-f]{6}$/.test(school.colour))
      rules.push(
        `.lanyard-news-brand .govuk-generic-header{background:${school.colour};--govuk-text-colour:#ffffff;color:#ffffff}`,
      );
    if (school.logo)
      rules.push(
        '.lanyard-news-logo{display:inline-block;margin-right:10px;vertical-align:middle}',
        '.lanyard-news-brand .govuk-generic-header__homepage-link>*{vertical-align:middle}',
      );
    return rules.length ? `${rules.join('\n')}\n` : null;
  }

  newsUrl(slug: string): string {
    return `${this.deps.baseUrl}/news/${slug}`;
  }

  postUrl(slug: string, publicationId: string): string {
    return `${this.newsUrl(slug)}/${publicationId}`;
  }

  imageUrl(slug: string, publicationId: string, position: number): string {
    return `${this.postUrl(slug, publicationId)}/images/${position}.jpg`;
  }

  /** The feed in one format (UTF-8), rendered once per state and kept. */
  async feed(state: NewsState, format: FeedFormat): Promise<Buffer> {
    const key = `${state.school.id}:${format}:${state.etag}`;
    const kept = this.feeds.get(key);
    if (kept !== undefined) return kept;
    const [posts, { Feed }] = await Promise.all([
      this.deps.repository.live(this.db, state.school.id, FEED_ITEMS),
      loadFeed(),
    ]);
    const { slug, name } = state.school;
    const home = this.newsUrl(slug);
    const feed = new Feed({
      id: `${home}/`,
      title: `${name} news`,
      description: state.notice ? `News from ${name}. ${state.notice}` : `News from ${name}.`,
      link: home,
      language: 'en-GB',
      updated: posts[0]?.publishedAt ?? state.lastModified,
      generator: 'Lanyard',
      copyright: `${name}`,
      // The school's logo: Atom's <logo>, RSS's <image>, JSON Feed's icon.
      ...(state.school.logo
        ? { image: `${this.deps.baseUrl}${this.logoPath(state.school)!}` }
        : {}),
      feedLinks: {
        atom: `${home}/feed.atom`,
        rss: `${home}/feed.rss`,
        json: `${home}/feed.json`,
      },
    });
    for (const post of posts) {
      const link = this.postUrl(slug, post.id);
      const first = post.images[0];
      feed.addItem({
        id: link,
        guid: link,
        title: post.title,
        link,
        date: post.publishedAt,
        published: post.publishedAt,
        description: summary(post.text),
        content: this.contentHtml(slug, post, state.notice),
        // A plain address: JSON Feed's `image` is a string (an object would not validate).
        ...(first ? { image: this.imageUrl(slug, post.id, first.position) } : {}),
      });
    }
    const body = Buffer.from(
      format === 'atom' ? feed.atom1() : format === 'rss' ? feed.rss2() : feed.json1(),
      'utf8',
    );
    this.feeds.set(key, body);
    return body;
  }

  /** A post as HTML for a feed reader: its paragraphs, its images with their alt text. */
  private contentHtml(slug: string, post: NewsPost, notice: string | null): string {
    const paragraphs = paragraphsOf(post.text).map((p) => `<p>${escapeHtml(p)}</p>`);
    const images = post.images.map(
      (i) =>
        `<p><img src="${escapeHtml(this.imageUrl(slug, post.id, i.position))}" alt="${escapeHtml(i.altText)}"></p>`,
    );
    return [
      ...paragraphs,
      ...images,
      ...(notice ? [`<p><em>${escapeHtml(notice)}</em></p>`] : []),
    ].join('');
  }
}

/** A post's text in paragraphs (blank lines between them). */
export function paragraphsOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

function summary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= 200 ? flat : `${chars.slice(0, 199).join('').trimEnd()}…`;
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Whether a JPEG carries metadata: an APP1 (Exif or XMP), APP13 (IPTC) or comment segment before
 * the image data. Publishable renditions never do; one that does is refused rather than served.
 */
export function jpegHasMetadata(bytes: Buffer): boolean {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return true;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return true;
    const marker = bytes[i + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return false;
    if (marker === 0xe1 || marker === 0xed || marker === 0xfe) return true;
    const length = bytes.readUInt16BE(i + 2);
    i += 2 + length;
  }
  return false;
}
