import { and, desc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { statement, type Db } from '../../platform/db/database.ts';
import { policyProfiles, policyProfileVersions, policyReviewReminders } from './policies.tables.ts';

export type ProfileRow = typeof policyProfiles.$inferSelect;
export type ProfileVersionRow = typeof policyProfileVersions.$inferSelect;

const profileBySchool = statement((db, _shape: 'one') =>
  db
    .select()
    .from(policyProfiles)
    .where(eq(policyProfiles.schoolId, sql.placeholder('schoolId')))
    .limit(1),
);

export class PolicyRepository {
  async getProfile(db: Db, schoolId: string): Promise<ProfileRow | undefined> {
    // Read on every page that checks a rule: built and prepared once per connection.
    const rows = await profileBySchool(db, 'one', { schoolId });
    return rows[0];
  }

  /** Several schools' profile rows in one statement (a trust's compliance figures). */
  async getProfiles(db: Db, schoolIds: readonly string[]): Promise<ProfileRow[]> {
    if (schoolIds.length === 0) return [];
    return db
      .select()
      .from(policyProfiles)
      .where(inArray(policyProfiles.schoolId, [...new Set(schoolIds)]));
  }

  /** Locks the profile row so two editors cannot both write version n+1. */
  async getProfileForUpdate(db: Db, schoolId: string): Promise<ProfileRow | undefined> {
    const rows = await db
      .select()
      .from(policyProfiles)
      .where(eq(policyProfiles.schoolId, schoolId))
      .for('update')
      .limit(1);
    return rows[0];
  }

  /**
   * The school's profile row under a shared lock (FOR SHARE): a new version cannot be published
   * (it takes the row FOR UPDATE) until the caller's transaction ends, so the current version read
   * here stays current until then (acknowledgements record it).
   */
  async getProfileForShare(db: Db, schoolId: string): Promise<ProfileRow | undefined> {
    const rows = await db
      .select()
      .from(policyProfiles)
      .where(eq(policyProfiles.schoolId, schoolId))
      .for('share')
      .limit(1);
    return rows[0];
  }

  async createProfile(db: Db, row: typeof policyProfiles.$inferInsert): Promise<ProfileRow> {
    const [created] = await db.insert(policyProfiles).values(row).returning();
    return created!;
  }

  async createVersion(
    db: Db,
    row: typeof policyProfileVersions.$inferInsert,
  ): Promise<ProfileVersionRow> {
    const [created] = await db.insert(policyProfileVersions).values(row).returning();
    return created!;
  }

  async setCurrent(
    db: Db,
    profileId: string,
    version: number,
    nextReviewDate: string,
  ): Promise<void> {
    await db
      .update(policyProfiles)
      .set({ currentVersion: version, nextReviewDate })
      .where(eq(policyProfiles.id, profileId));
  }

  /** The starting point the profile now follows (a template switch, issue 15 item 3). */
  async setTemplateKey(db: Db, profileId: string, templateKey: string): Promise<void> {
    await db.update(policyProfiles).set({ templateKey }).where(eq(policyProfiles.id, profileId));
  }

  async versions(db: Db, schoolId: string): Promise<ProfileVersionRow[]> {
    return db
      .select()
      .from(policyProfileVersions)
      .where(eq(policyProfileVersions.schoolId, schoolId))
      .orderBy(desc(policyProfileVersions.version));
  }

  async version(db: Db, schoolId: string, version: number): Promise<ProfileVersionRow | undefined> {
    const rows = await db
      .select()
      .from(policyProfileVersions)
      .where(
        and(
          eq(policyProfileVersions.schoolId, schoolId),
          eq(policyProfileVersions.version, version),
        ),
      )
      .limit(1);
    return rows[0];
  }

  /** Several schools' versions in one statement: each (school, version) pair asked for. */
  async versionsOf(
    db: Db,
    wanted: readonly { schoolId: string; version: number }[],
  ): Promise<ProfileVersionRow[]> {
    if (wanted.length === 0) return [];
    return db
      .select()
      .from(policyProfileVersions)
      .where(
        or(
          ...wanted.map((w) =>
            and(
              eq(policyProfileVersions.schoolId, w.schoolId),
              eq(policyProfileVersions.version, w.version),
            ),
          ),
        ),
      );
  }

  async profilesDueForReview(db: Db, onOrBefore: string, schoolId?: string): Promise<ProfileRow[]> {
    const where = schoolId
      ? and(lte(policyProfiles.nextReviewDate, onOrBefore), eq(policyProfiles.schoolId, schoolId))
      : lte(policyProfiles.nextReviewDate, onOrBefore);
    return db.select().from(policyProfiles).where(where);
  }

  /** Records a reminder; false if this one was already sent (the job is safe to run twice). */
  async recordReminder(
    db: Db,
    schoolId: string,
    reviewDate: string,
    stage: string,
  ): Promise<boolean> {
    const rows = await db
      .insert(policyReviewReminders)
      .values({ schoolId, reviewDate, stage })
      .onConflictDoNothing()
      .returning({ id: policyReviewReminders.id });
    return rows.length === 1;
  }

  async remindersSent(db: Db, schoolId: string) {
    return db
      .select()
      .from(policyReviewReminders)
      .where(eq(policyReviewReminders.schoolId, schoolId))
      .orderBy(desc(policyReviewReminders.sentAt));
  }

  async countProfiles(db: Db): Promise<number> {
    const rows = await db.select({ n: sql<number>`count(*)::int` }).from(policyProfiles);
    return rows[0]?.n ?? 0;
  }
}
