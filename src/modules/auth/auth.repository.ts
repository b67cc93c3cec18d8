import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { apiTokens, rateLimitHits, sessions, signInAttempts, signInLinks } from './auth.tables.ts';

export type SessionRow = typeof sessions.$inferSelect;
export type SignInLinkRow = typeof signInLinks.$inferSelect;

/** What the sign-in throttle needs to know about an account and a client address. */
export interface ThrottleFacts {
  /** The n-th most recent failure of this account from this address in the window, if any. */
  pairNth: Date | null;
  /** Failures of this account in the window, from every address. */
  accountFailures: number;
  accountLast: Date | null;
  /** The m-th most recent failure from this address in the window, for any account. */
  addressNth: Date | null;
  /** This address signed in to this account successfully within the "usual address" period. */
  usual: boolean;
}

export class AuthRepository {
  async createSession(db: Db, row: typeof sessions.$inferInsert): Promise<void> {
    await db.insert(sessions).values(row);
  }

  async getLiveSession(db: Db, id: string, now: Date): Promise<SessionRow | undefined> {
    const rows = await db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)))
      .limit(1);
    return rows[0];
  }

  async touchSession(db: Db, id: string, now: Date, expiresAt: Date): Promise<void> {
    await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id));
  }

  async markSecondFactorDone(db: Db, id: string): Promise<void> {
    await db.update(sessions).set({ secondFactorDone: true }).where(eq(sessions.id, id));
  }

  async deleteSession(db: Db, id: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.id, id));
  }

  async deleteSessionsFor(db: Db, principalId: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.principalId, principalId));
  }

  async deleteExpiredSessions(db: Db, now: Date): Promise<number> {
    const rows = await db
      .delete(sessions)
      .where(lt(sessions.expiresAt, now))
      .returning({ id: sessions.id });
    return rows.length;
  }

  /** Records an attempt as a failure (before the password is checked); returns its id. */
  async recordSignInAttempt(
    db: Db,
    row: { accountKey: string; address: string; kind: 'password' | 'code'; at: Date },
  ): Promise<number> {
    const [created] = await db
      .insert(signInAttempts)
      .values(row)
      .returning({ id: signInAttempts.id });
    return created!.id;
  }

  /** The attempt succeeded: mark it, and forget this address's failures for this account. */
  async signInAttemptSucceeded(
    db: Db,
    id: number,
    accountKey: string,
    address: string,
  ): Promise<void> {
    await db.update(signInAttempts).set({ succeeded: true }).where(eq(signInAttempts.id, id));
    await db
      .delete(signInAttempts)
      .where(
        and(
          eq(signInAttempts.accountKey, accountKey),
          eq(signInAttempts.address, address),
          sql`(NOT ${signInAttempts.succeeded} OR ${signInAttempts.id} < ${id})`,
        ),
      );
  }

  /** A right password whose second factor is still to come: neither a failure nor a success. */
  async forgetSignInAttempt(db: Db, id: number): Promise<void> {
    await db.delete(signInAttempts).where(eq(signInAttempts.id, id));
  }

  async throttleFacts(
    db: Db,
    q: {
      accountKey: string;
      address: string;
      since: Date;
      usualSince: Date;
      pairLimit: number;
      addressLimit: number;
      /** The attempt being decided: not "the latest failure" its own delay runs from. */
      current?: number;
    },
  ): Promise<ThrottleFacts> {
    const result = await db.execute(sql`
      SELECT
        (SELECT at FROM sign_in_attempts
          WHERE account_key = ${q.accountKey} AND address = ${q.address} AND NOT succeeded
            AND at > ${q.since}
          ORDER BY at DESC OFFSET ${q.pairLimit - 1} LIMIT 1) AS pair_nth,
        (SELECT count(*)::int FROM sign_in_attempts
          WHERE account_key = ${q.accountKey} AND NOT succeeded AND at > ${q.since}) AS account_failures,
        (SELECT max(at) FROM sign_in_attempts
          WHERE account_key = ${q.accountKey} AND NOT succeeded AND at > ${q.since}
            AND id <> ${q.current ?? 0}) AS account_last,
        (SELECT at FROM sign_in_attempts
          WHERE address = ${q.address} AND NOT succeeded AND at > ${q.since}
          ORDER BY at DESC OFFSET ${q.addressLimit - 1} LIMIT 1) AS address_nth,
        EXISTS (SELECT 1 FROM sign_in_attempts
          WHERE account_key = ${q.accountKey} AND address = ${q.address} AND succeeded
            AND at > ${q.usualSince}) AS usual`);
    const row = result.rows[0] as {
      pair_nth: string | Date | null;
      account_failures: number;
      account_last: string | Date | null;
      address_nth: string | Date | null;
      usual: boolean;
    };
    const date = (v: string | Date | null) => (v === null ? null : new Date(v));
    return {
      pairNth: date(row.pair_nth),
      accountFailures: Number(row.account_failures),
      accountLast: date(row.account_last),
      addressNth: date(row.address_nth),
      usual: row.usual,
    };
  }

  async deleteSignInAttemptsBefore(db: Db, before: Date): Promise<number> {
    const rows = await db
      .delete(signInAttempts)
      .where(lt(signInAttempts.at, before))
      .returning({ id: signInAttempts.id });
    return rows.length;
  }

  /**
   * Counts one request against a rate-limit key, atomically (one statement, so parallel requests
   * in any process each get their own count): a new window starts when the last one has ended.
   * Returns the count in this window and the milliseconds left in it.
   */
  async hitRateLimit(
    db: Db,
    key: string,
    windowMs: number,
  ): Promise<{ current: number; ttl: number }> {
    const result = await db.execute(sql`
      INSERT INTO rate_limit_hits AS r (key, window_start, hits) VALUES (${key}, now(), 1)
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN r.window_start + ${windowMs} * interval '1 millisecond' <= now()
                    THEN 1 ELSE r.hits + 1 END,
        window_start = CASE WHEN r.window_start + ${windowMs} * interval '1 millisecond' <= now()
                            THEN now() ELSE r.window_start END
      RETURNING hits,
        GREATEST(0, CEIL(EXTRACT(EPOCH FROM (window_start + ${windowMs} * interval '1 millisecond' - now())) * 1000))::bigint AS ttl`);
    const row = result.rows[0] as { hits: number; ttl: string | number };
    return { current: Number(row.hits), ttl: Number(row.ttl) };
  }

  /** The count and time left for a key, without counting a request. */
  async peekRateLimit(
    db: Db,
    key: string,
    windowMs: number,
  ): Promise<{ current: number; ttl: number }> {
    const result = await db.execute(sql`
      SELECT hits,
        GREATEST(0, CEIL(EXTRACT(EPOCH FROM (window_start + ${windowMs} * interval '1 millisecond' - now())) * 1000))::bigint AS ttl
      FROM rate_limit_hits
      WHERE key = ${key} AND window_start + ${windowMs} * interval '1 millisecond' > now()`);
    const row = result.rows[0] as { hits: number; ttl: string | number } | undefined;
    return row ? { current: Number(row.hits), ttl: Number(row.ttl) } : { current: 0, ttl: 0 };
  }

  /** Counters whose window ended before `before`. */
  async deleteRateLimitHitsBefore(db: Db, before: Date): Promise<void> {
    await db.delete(rateLimitHits).where(lt(rateLimitHits.windowStart, before));
  }

  async createLink(db: Db, row: typeof signInLinks.$inferInsert): Promise<string> {
    const [created] = await db.insert(signInLinks).values(row).returning({ id: signInLinks.id });
    return created!.id;
  }

  async getLinkByHash(db: Db, tokenHash: string): Promise<SignInLinkRow | undefined> {
    const rows = await db
      .select()
      .from(signInLinks)
      .where(eq(signInLinks.tokenHash, tokenHash))
      .limit(1);
    return rows[0];
  }

  /** How many links one person was sent since `since` (to rate-limit "send me a new link"). */
  async countLinksSince(
    db: Db,
    principalKind: string,
    principalId: string,
    since: Date,
  ): Promise<number> {
    const rows = await db
      .select({ id: signInLinks.id })
      .from(signInLinks)
      .where(
        and(
          eq(signInLinks.principalKind, principalKind),
          eq(signInLinks.principalId, principalId),
          gt(signInLinks.createdAt, since),
        ),
      );
    return rows.length;
  }

  /** Marks the link used; returns false if someone else used it first. */
  async useLink(db: Db, id: string, now: Date): Promise<boolean> {
    const rows = await db
      .update(signInLinks)
      .set({ usedAt: now })
      .where(
        and(eq(signInLinks.id, id), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, now)),
      )
      .returning({ id: signInLinks.id });
    return rows.length === 1;
  }

  /** The newest link of one kind for one person (a staff invitation's state), if any. */
  async latestLinkFor(
    db: Db,
    principalKind: string,
    principalId: string,
  ): Promise<SignInLinkRow | undefined> {
    const rows = await db
      .select()
      .from(signInLinks)
      .where(
        and(eq(signInLinks.principalKind, principalKind), eq(signInLinks.principalId, principalId)),
      )
      .orderBy(desc(signInLinks.createdAt))
      .limit(1);
    return rows[0];
  }

  /** Uses up every unused link of one kind for one person (only the newest invitation works). */
  async useAllLinksFor(
    db: Db,
    principalKind: string,
    principalId: string,
    now: Date,
  ): Promise<void> {
    await db
      .update(signInLinks)
      .set({ usedAt: now })
      .where(
        and(
          eq(signInLinks.principalKind, principalKind),
          eq(signInLinks.principalId, principalId),
          isNull(signInLinks.usedAt),
        ),
      );
  }

  async deleteLink(db: Db, id: string): Promise<void> {
    await db.delete(signInLinks).where(eq(signInLinks.id, id));
  }

  async createApiToken(db: Db, row: typeof apiTokens.$inferInsert): Promise<string> {
    const [created] = await db.insert(apiTokens).values(row).returning({ id: apiTokens.id });
    return created!.id;
  }

  /**
   * A token that has not been revoked, with its school's cache version (ADR 0018) read in the
   * same statement (one snapshot): a change committed after it moves the version.
   */
  async getLiveApiToken(db: Db, tokenHash: string) {
    const rows = await db
      .select({
        id: apiTokens.id,
        schoolId: apiTokens.schoolId,
        staffId: apiTokens.staffId,
        version: sql<string>`COALESCE((SELECT v.version FROM cache_versions v WHERE v.scope = ${apiTokens.schoolId}), 0)`,
      })
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
      .limit(1);
    const row = rows[0];
    return row && { ...row, version: Number(row.version) };
  }

  async touchApiToken(db: Db, id: string, now: Date): Promise<void> {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, id),
          sql`(${apiTokens.lastUsedAt} IS NULL OR ${apiTokens.lastUsedAt} < ${new Date(now.getTime() - 60_000)})`,
        ),
      );
  }
}
