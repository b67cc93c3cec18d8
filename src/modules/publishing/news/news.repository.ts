import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { channelAccounts, publicationItems, publications } from '../publishing.tables.ts';

export interface NewsSchool {
  id: string;
  slug: string;
  name: string;
  /** The header band's colour (`#rrggbb`), or null for the usual black band. */
  colour: string | null;
  /** The school's logo (a PNG Lanyard made), or null. */
  logo: { key: string; sha256: string; width: number; height: number } | null;
}

/** One live item of the news page: only what the public may see (no ids of people or media). */
export interface NewsPost {
  id: string;
  title: string;
  text: string;
  publishedAt: Date;
  images: { position: number; altText: string; sha256: string }[];
}

export interface NewsVersion {
  live: number;
  /** The latest change to any news publication of the school (went live or came down). */
  changedAt: Date | null;
}

/**
 * The public news page's reads: live publications on the school's built-in news channel only.
 * Every query is scoped by school and by the channel's kind.
 */
export class NewsRepository {
  /** One small statement that moves whenever the page could change (ETag, Last-Modified). */
  async version(db: Db, schoolId: string): Promise<NewsVersion> {
    const { rows } = await db.execute<{ live: string; changed_at: Date | string | null }>(sql`
      SELECT count(*) FILTER (WHERE p.state = 'live') AS live,
             max(greatest(p.created_at, coalesce(p.published_at, p.created_at),
                          coalesce(p.removed_at, p.created_at))) AS changed_at
        FROM publications p
        JOIN channel_accounts a ON a.id = p.account_id AND a.kind = 'news'
       WHERE p.school_id = ${schoolId} AND a.school_id = ${schoolId}
         AND p.state IN ('live', 'removing', 'removed')`);
    const r = rows[0];
    return {
      live: Number(r?.live ?? 0),
      changedAt: r?.changed_at ? new Date(r.changed_at) : null,
    };
  }

  /** Live news items, newest first, with their images (one round trip for each). */
  async live(db: Db, schoolId: string, limit: number, offset = 0): Promise<NewsPost[]> {
    const rows = await db
      .select({
        id: publications.id,
        title: publications.title,
        text: publications.text,
        publishedAt: publications.publishedAt,
        createdAt: publications.createdAt,
      })
      .from(publications)
      .innerJoin(
        channelAccounts,
        and(eq(channelAccounts.id, publications.accountId), eq(channelAccounts.kind, 'news')),
      )
      .where(
        and(
          eq(publications.schoolId, schoolId),
          eq(channelAccounts.schoolId, schoolId),
          eq(publications.state, 'live'),
        ),
      )
      .orderBy(desc(publications.publishedAt), desc(publications.id))
      .limit(limit)
      .offset(offset);
    if (rows.length === 0) return [];
    const items = await db
      .select({
        publicationId: publicationItems.publicationId,
        position: publicationItems.position,
        altText: publicationItems.altText,
        sha256: publicationItems.renditionSha256,
      })
      .from(publicationItems)
      .where(
        and(
          eq(publicationItems.schoolId, schoolId),
          inArray(
            publicationItems.publicationId,
            rows.map((r) => r.id),
          ),
        ),
      )
      .orderBy(asc(publicationItems.position));
    const byPub = new Map<string, NewsPost['images']>();
    for (const i of items) {
      const list = byPub.get(i.publicationId) ?? [];
      list.push({ position: i.position, altText: i.altText, sha256: i.sha256 });
      byPub.set(i.publicationId, list);
    }
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      text: r.text,
      publishedAt: r.publishedAt ?? r.createdAt,
      images: byPub.get(r.id) ?? [],
    }));
  }

  async liveCount(db: Db, schoolId: string): Promise<number> {
    return (await this.version(db, schoolId)).live;
  }

  /** One live news item of the school, or undefined (removed, elsewhere, another school's). */
  async livePost(db: Db, schoolId: string, publicationId: string): Promise<NewsPost | undefined> {
    const [row] = await db
      .select({
        id: publications.id,
        title: publications.title,
        text: publications.text,
        publishedAt: publications.publishedAt,
        createdAt: publications.createdAt,
      })
      .from(publications)
      .innerJoin(
        channelAccounts,
        and(eq(channelAccounts.id, publications.accountId), eq(channelAccounts.kind, 'news')),
      )
      .where(
        and(
          eq(publications.schoolId, schoolId),
          eq(publications.id, publicationId),
          eq(publications.state, 'live'),
        ),
      )
      .limit(1);
    if (!row) return undefined;
    const items = await db
      .select({
        position: publicationItems.position,
        altText: publicationItems.altText,
        sha256: publicationItems.renditionSha256,
      })
      .from(publicationItems)
      .where(
        and(
          eq(publicationItems.schoolId, schoolId),
          eq(publicationItems.publicationId, publicationId),
        ),
      )
      .orderBy(asc(publicationItems.position));
    return {
      id: row.id,
      title: row.title,
      text: row.text,
      publishedAt: row.publishedAt ?? row.createdAt,
      images: items,
    };
  }

  /** The recorded rendition of one image of a live news item: its file and SHA-256. */
  async liveImage(
    db: Db,
    schoolId: string,
    publicationId: string,
    position: number,
  ): Promise<{ fileKey: string; sha256: string; contentType: string } | undefined> {
    const [row] = await db
      .select({
        fileKey: publicationItems.fileKey,
        sha256: publicationItems.renditionSha256,
        contentType: publicationItems.contentType,
      })
      .from(publicationItems)
      .innerJoin(publications, eq(publications.id, publicationItems.publicationId))
      .innerJoin(
        channelAccounts,
        and(eq(channelAccounts.id, publications.accountId), eq(channelAccounts.kind, 'news')),
      )
      .where(
        and(
          eq(publicationItems.schoolId, schoolId),
          eq(publications.schoolId, schoolId),
          eq(publicationItems.publicationId, publicationId),
          eq(publicationItems.position, position),
          eq(publications.state, 'live'),
        ),
      )
      .limit(1);
    return row;
  }
}
