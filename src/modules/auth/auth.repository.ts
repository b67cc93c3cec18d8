import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { organisationAdmins } from '../people/people.tables.ts';
import { apiTokens, sessions, signInLinks } from './auth.tables.ts';

export type SessionRow = typeof sessions.$inferSelect;
export type SignInLinkRow = typeof signInLinks.$inferSelect;
export type OrganisationAdminRow = typeof organisationAdmins.$inferSelect;

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

  async createLink(db: Db, row: typeof signInLinks.$inferInsert): Promise<void> {
    await db.insert(signInLinks).values(row);
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

  async createApiToken(db: Db, row: typeof apiTokens.$inferInsert): Promise<string> {
    const [created] = await db.insert(apiTokens).values(row).returning({ id: apiTokens.id });
    return created!.id;
  }

  async getLiveApiToken(db: Db, tokenHash: string) {
    const rows = await db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
      .limit(1);
    return rows[0];
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

  async getOrganisationAdminByEmail(
    db: Db,
    email: string,
  ): Promise<OrganisationAdminRow | undefined> {
    const rows = await db
      .select()
      .from(organisationAdmins)
      .where(sql`lower(${organisationAdmins.email}) = ${email.toLowerCase()}`)
      .limit(1);
    return rows[0];
  }

  async getOrganisationAdmin(db: Db, id: string): Promise<OrganisationAdminRow | undefined> {
    const rows = await db
      .select()
      .from(organisationAdmins)
      .where(eq(organisationAdmins.id, id))
      .limit(1);
    return rows[0];
  }

  async updateOrganisationAdminAttempts(
    db: Db,
    id: string,
    failedAttempts: number,
    lockedUntil: Date | null,
  ) {
    await db
      .update(organisationAdmins)
      .set({ failedAttempts, lockedUntil })
      .where(eq(organisationAdmins.id, id));
  }

  async createOrganisationAdmin(
    db: Db,
    row: typeof organisationAdmins.$inferInsert,
  ): Promise<void> {
    await db.insert(organisationAdmins).values(row);
  }
}
