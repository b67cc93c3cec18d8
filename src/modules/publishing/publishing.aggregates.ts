import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { publications, takedownTasks } from './publishing.tables.ts';

/** Counts only. */
export interface PublishingFigures {
  /** Publications made (one post may go to several channels). */
  published: number;
  /** Posts with at least one publication made. */
  publishedPosts: number;
  /** Publications taken down. */
  removed: number;
  /** Takedown tasks (after a change of consent) raised in the period: done, still open. */
  takedownsDone: number;
  takedownsOpen: number;
}

/**
 * Publishing in figures (the governors' monitoring report, issue 16 item 4): publications made
 * and taken down in a period, and the takedown tasks raised in it, for one school or a trust's
 * schools. One statement. Dates are UK dates (midnight in Europe/London).
 */
export class PublishingAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  async between(
    schoolIds: readonly string[],
    from: string,
    until: string,
  ): Promise<PublishingFigures> {
    if (schoolIds.length === 0)
      return { published: 0, publishedPosts: 0, removed: 0, takedownsDone: 0, takedownsOpen: 0 };
    const ids = sql`${`{${schoolIds.join(',')}}`}::uuid[]`;
    const start = sql`(${from}::date::timestamp AT TIME ZONE 'Europe/London')`;
    const end = sql`(${until}::date::timestamp AT TIME ZONE 'Europe/London')`;
    const r = await this.deps.database.db.execute<{
      published: number;
      published_posts: number;
      removed: number;
      takedowns_done: number;
      takedowns_open: number;
    }>(sql`
      WITH p AS (
        SELECT post_id, published_at >= ${start} AND published_at < ${end} AS published,
               removed_at >= ${start} AND removed_at < ${end} AS removed
          FROM ${publications}
         WHERE school_id = ANY(${ids})
           AND ((published_at >= ${start} AND published_at < ${end})
             OR (removed_at >= ${start} AND removed_at < ${end}))
      ), t AS (
        SELECT count(*) FILTER (WHERE state <> 'open')::int AS done,
               count(*) FILTER (WHERE state = 'open')::int AS open
          FROM ${takedownTasks}
         WHERE school_id = ANY(${ids}) AND created_at >= ${start} AND created_at < ${end}
      )
      SELECT (SELECT count(*) FILTER (WHERE published) FROM p)::int AS published,
             (SELECT count(DISTINCT post_id) FILTER (WHERE published) FROM p)::int AS published_posts,
             (SELECT count(*) FILTER (WHERE removed) FROM p)::int AS removed,
             t.done AS takedowns_done, t.open AS takedowns_open
        FROM t`);
    const row = r.rows[0]!;
    return {
      published: row.published,
      publishedPosts: row.published_posts,
      removed: row.removed,
      takedownsDone: row.takedowns_done,
      takedownsOpen: row.takedowns_open,
    };
  }
}
