import { and, asc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../platform/db/database.ts';
import {
  organisationAdmins,
  organisations,
  parents,
  pupilParents,
  pupils,
  schools,
  staff,
  staffRoles,
} from './people.tables.ts';
import {
  likeTerm,
  pupilCount,
  pupilPage,
  pupilShape,
  rollCountsQuery,
  type PupilFilters,
} from './pupil-list.queries.ts';

export type SchoolRow = typeof schools.$inferSelect;
export type PupilRow = typeof pupils.$inferSelect;
export type ParentRow = typeof parents.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;
export type OrganisationAdminRow = typeof organisationAdmins.$inferSelect;

/** The school record's news page appearance (written by publishing, in its own transaction). */
export type SchoolNewsAppearance = Pick<
  SchoolRow,
  'newsColour' | 'newsLogoKey' | 'newsLogoSha256' | 'newsLogoWidth' | 'newsLogoHeight'
>;

export interface PageQuery {
  limit: number;
  offset: number;
}

export { pupilSearchText, type PupilFilters } from './pupil-list.queries.ts';
export {
  PeopleBulkRepository,
  type NewParent,
  type NewPupil,
  type NewPupilParent,
} from './people-bulk.repository.ts';

/** On roll on `today`: no leaving date, or one still to come. */
export const onRoll = (today: string) =>
  or(isNull(pupils.leavingDate), sql`${pupils.leavingDate} > ${today}`);

export class PeopleRepository {
  async getSchool(db: Db, id: string): Promise<SchoolRow | undefined> {
    const rows = await db.select().from(schools).where(eq(schools.id, id)).limit(1);
    return rows[0];
  }

  async getSchoolBySlug(db: Db, slug: string): Promise<SchoolRow | undefined> {
    const rows = await db.select().from(schools).where(eq(schools.slug, slug)).limit(1);
    return rows[0];
  }

  async listSchools(db: Db): Promise<SchoolRow[]> {
    return db.select().from(schools).orderBy(asc(schools.name));
  }

  /** The school's news page appearance, the row locked until the caller's transaction ends. */
  async lockNewsAppearance(db: Db, schoolId: string): Promise<SchoolNewsAppearance | undefined> {
    const rows = await db
      .select({
        newsColour: schools.newsColour,
        newsLogoKey: schools.newsLogoKey,
        newsLogoSha256: schools.newsLogoSha256,
        newsLogoWidth: schools.newsLogoWidth,
        newsLogoHeight: schools.newsLogoHeight,
      })
      .from(schools)
      .where(eq(schools.id, schoolId))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async setNewsAppearance(db: Db, schoolId: string, values: SchoolNewsAppearance): Promise<void> {
    await db.update(schools).set(values).where(eq(schools.id, schoolId));
  }

  async listSchoolsInOrganisation(db: Db, organisationId: string): Promise<SchoolRow[]> {
    return db
      .select()
      .from(schools)
      .where(eq(schools.organisationId, organisationId))
      .orderBy(asc(schools.name));
  }

  async getOrganisation(db: Db, id: string): Promise<{ id: string; name: string } | undefined> {
    const rows = await db
      .select({ id: organisations.id, name: organisations.name })
      .from(organisations)
      .where(eq(organisations.id, id))
      .limit(1);
    return rows[0];
  }

  async createOrganisation(db: Db, name: string): Promise<string> {
    const [row] = await db
      .insert(organisations)
      .values({ name })
      .returning({ id: organisations.id });
    return row!.id;
  }

  async createSchool(db: Db, values: typeof schools.$inferInsert): Promise<SchoolRow> {
    const [row] = await db.insert(schools).values(values).returning();
    return row!;
  }

  /**
   * One page of pupils and the total. The page is an index-ordered scan that stops after `limit`
   * rows (no sort of the whole school); the total comes back on every row from an uncorrelated
   * subquery (planned once, run once), so one round trip answers both. Each combination of
   * filters is its own statement, built once and prepared (see `statement`).
   */
  async listPupils(
    db: Db,
    schoolId: string,
    f: PupilFilters,
    page: PageQuery,
  ): Promise<{ rows: PupilRow[]; total: number }> {
    const q = f.q?.trim() ? likeTerm(f.q) : undefined;
    const shape = pupilShape({ ...f, q });
    const values = {
      schoolId,
      q,
      yearGroup: f.yearGroup,
      className: f.className,
      classNames: f.classNames ? [...f.classNames] : undefined,
      today: f.today,
      limit: page.limit,
      offset: page.offset,
    };
    const found = await pupilPage(db, shape, values);
    if (found.length === 0) {
      // Past the last page (or nothing matches): the total still counts.
      const count = await pupilCount(db, shape, values);
      return { rows: [], total: count[0]?.n ?? 0 };
    }
    const total = found[0]!.total;
    const rows = found.map((r) => {
      const { total: _total, ...row } = r;
      return row;
    });
    return { rows, total };
  }

  async getPupil(db: Db, schoolId: string, id: string): Promise<PupilRow | undefined> {
    const rows = await db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.id, id)))
      .limit(1);
    return rows[0];
  }

  async classes(
    db: Db,
    schoolId: string,
  ): Promise<{ yearGroup: string; className: string | null; pupils: number }[]> {
    return db
      .select({
        yearGroup: pupils.yearGroup,
        className: pupils.className,
        pupils: sql<number>`count(*)::int`,
      })
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), isNull(pupils.leavingDate)))
      .groupBy(pupils.yearGroup, pupils.className)
      .orderBy(asc(pupils.yearGroup), asc(pupils.className));
  }

  /** Pupils on roll and, of those, how many the last MIS import flagged as possibly left. */
  async rollCounts(
    db: Db,
    schoolId: string,
    today: string,
  ): Promise<{ onRoll: number; possiblyLeft: number }> {
    const rows = await rollCountsQuery(db, 'on-roll', { schoolId, today });
    return { onRoll: rows[0]?.onRoll ?? 0, possiblyLeft: rows[0]?.possiblyLeft ?? 0 };
  }

  async countPupils(db: Db, schoolId: string, today: string): Promise<number> {
    const rows = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(pupils)
      .where(
        and(
          eq(pupils.schoolId, schoolId),
          or(isNull(pupils.leavingDate), sql`${pupils.leavingDate} > ${today}`),
        ),
      );
    return rows[0]?.n ?? 0;
  }

  async parentsOfPupil(db: Db, schoolId: string, pupilId: string) {
    return db
      .select({
        id: parents.id,
        givenName: parents.givenName,
        familyName: parents.familyName,
        email: parents.email,
        phone: parents.phone,
        relationship: pupilParents.relationship,
        parentalResponsibility: pupilParents.parentalResponsibility,
      })
      .from(pupilParents)
      .innerJoin(parents, eq(parents.id, pupilParents.parentId))
      .where(and(eq(pupilParents.schoolId, schoolId), eq(pupilParents.pupilId, pupilId)))
      .orderBy(asc(parents.familyName), asc(parents.givenName));
  }

  /**
   * The pupils a parent is linked to, by given name; with `onlyWithResponsibility`, only those
   * they have parental responsibility for (the children whose consent they give). The one
   * definition: the consent module reads it through `PeopleDirectory`.
   */
  async childrenOfParent(
    db: Db,
    schoolId: string,
    parentId: string,
    options: { onlyWithResponsibility?: boolean } = {},
  ) {
    return db
      .select({
        id: pupils.id,
        givenName: pupils.givenName,
        familyName: pupils.familyName,
        yearGroup: pupils.yearGroup,
        className: pupils.className,
        leavingDate: pupils.leavingDate,
        parentalResponsibility: pupilParents.parentalResponsibility,
      })
      .from(pupilParents)
      .innerJoin(pupils, eq(pupils.id, pupilParents.pupilId))
      .where(
        and(
          eq(pupilParents.schoolId, schoolId),
          eq(pupilParents.parentId, parentId),
          options.onlyWithResponsibility
            ? eq(pupilParents.parentalResponsibility, true)
            : undefined,
        ),
      )
      .orderBy(asc(pupils.givenName));
  }

  async isParentOf(db: Db, schoolId: string, parentId: string, pupilId: string): Promise<boolean> {
    const rows = await db
      .select({ p: pupilParents.pupilId })
      .from(pupilParents)
      .where(
        and(
          eq(pupilParents.schoolId, schoolId),
          eq(pupilParents.parentId, parentId),
          eq(pupilParents.pupilId, pupilId),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  async listParents(db: Db, schoolId: string, q: string | undefined, page: PageQuery) {
    const c: (SQL | undefined)[] = [eq(parents.schoolId, schoolId)];
    if (q && q.trim()) {
      const term = likeTerm(q);
      c.push(
        or(
          ilike(sql`${parents.givenName} || ' ' || ${parents.familyName}`, term),
          ilike(parents.email, term),
        ),
      );
    }
    const where = and(...c);
    const [rows, count] = await Promise.all([
      db
        .select()
        .from(parents)
        .where(where)
        .orderBy(asc(parents.familyName), asc(parents.givenName), asc(parents.id))
        .limit(page.limit)
        .offset(page.offset),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(parents)
        .where(where),
    ]);
    return { rows, total: count[0]?.n ?? 0 };
  }

  async getParent(db: Db, schoolId: string, id: string): Promise<ParentRow | undefined> {
    const rows = await db
      .select()
      .from(parents)
      .where(and(eq(parents.schoolId, schoolId), eq(parents.id, id)))
      .limit(1);
    return rows[0];
  }

  async listStaff(db: Db, schoolId: string, q: string | undefined, page: PageQuery) {
    const c: (SQL | undefined)[] = [eq(staff.schoolId, schoolId)];
    if (q && q.trim()) {
      const term = likeTerm(q);
      c.push(
        or(
          ilike(sql`${staff.givenName} || ' ' || ${staff.familyName}`, term),
          ilike(staff.email, term),
        ),
      );
    }
    const where = and(...c);
    const [rows, count] = await Promise.all([
      db
        .select()
        .from(staff)
        .where(where)
        .orderBy(asc(staff.familyName), asc(staff.givenName), asc(staff.id))
        .limit(page.limit)
        .offset(page.offset),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(staff)
        .where(where),
    ]);
    const roles = await this.rolesFor(
      db,
      rows.map((r) => r.id),
    );
    return {
      rows: rows.map((r) => ({ ...r, roles: roles.get(r.id) ?? [] })),
      total: count[0]?.n ?? 0,
    };
  }

  async rolesFor(db: Db, staffIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (staffIds.length === 0) return map;
    const rows = await db.select().from(staffRoles).where(inArray(staffRoles.staffId, staffIds));
    for (const r of rows) map.set(r.staffId, [...(map.get(r.staffId) ?? []), r.role]);
    return map;
  }

  async getStaff(
    db: Db,
    schoolId: string,
    id: string,
  ): Promise<(StaffRow & { roles: string[]; lineManagerName: string | null }) | undefined> {
    const manager = alias(staff, 'line_manager');
    const rows = await db
      .select({
        s: staff,
        lineManagerName: sql<
          string | null
        >`${manager.givenName} || ' ' || ${manager.familyName}`.as('line_manager_name'),
      })
      .from(staff)
      .leftJoin(
        manager,
        and(eq(manager.id, staff.lineManagerId), eq(manager.schoolId, staff.schoolId)),
      )
      .where(and(eq(staff.schoolId, schoolId), eq(staff.id, id)))
      .limit(1);
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...row.s,
      lineManagerName: row.lineManagerName,
      roles: (await this.rolesFor(db, [row.s.id])).get(row.s.id) ?? [],
    };
  }

  /**
   * Each member of staff of the school, by name, with their line manager's id, active or not:
   * the line-manager check walks it for a loop, the staff page offers the active ones, the
   * directory gives it to other modules. One statement.
   */
  async lineManagerLinks(
    db: Db,
    schoolId: string,
  ): Promise<
    {
      id: string;
      givenName: string;
      familyName: string;
      lineManagerId: string | null;
      active: boolean;
    }[]
  > {
    return db
      .select({
        id: staff.id,
        givenName: staff.givenName,
        familyName: staff.familyName,
        lineManagerId: staff.lineManagerId,
        active: staff.active,
      })
      .from(staff)
      .where(eq(staff.schoolId, schoolId))
      .orderBy(asc(staff.familyName), asc(staff.givenName), asc(staff.id));
  }

  /**
   * Display names of the staff, parents and pupils of one school with these ids (for the audit
   * log, resolved when it is read). Ids that are not UUIDs or not of this school are left out.
   */
  async displayNames(
    db: Db,
    schoolId: string,
    ids: { staff: string[]; parents: string[]; pupils: string[] },
  ): Promise<{
    staff: Map<string, string>;
    parents: Map<string, string>;
    pupils: Map<string, string>;
  }> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const only = (list: string[]) => [...new Set(list.filter((id) => uuid.test(id)))];
    const read = async (
      table: typeof staff | typeof parents | typeof pupils,
      list: string[],
    ): Promise<Map<string, string>> => {
      const wanted = only(list);
      if (wanted.length === 0) return new Map();
      const rows = await db
        .select({ id: table.id, given: table.givenName, family: table.familyName })
        .from(table)
        .where(and(eq(table.schoolId, schoolId), inArray(table.id, wanted)));
      return new Map(rows.map((r) => [r.id, `${r.given} ${r.family}`.trim()]));
    };
    const [s, pa, pu] = await Promise.all([
      read(staff, ids.staff),
      read(parents, ids.parents),
      read(pupils, ids.pupils),
    ]);
    return { staff: s, parents: pa, pupils: pu };
  }

  async getStaffById(db: Db, id: string): Promise<(StaffRow & { roles: string[] }) | undefined> {
    const rows = await db.select().from(staff).where(eq(staff.id, id)).limit(1);
    const row = rows[0];
    if (!row) return undefined;
    return { ...row, roles: (await this.rolesFor(db, [row.id])).get(row.id) ?? [] };
  }

  async getStaffByEmail(
    db: Db,
    email: string,
  ): Promise<(StaffRow & { roles: string[] }) | undefined> {
    const rows = await db
      .select()
      .from(staff)
      .where(sql`lower(${staff.email}) = ${email.toLowerCase()}`)
      .limit(1);
    const row = rows[0];
    if (!row) return undefined;
    return { ...row, roles: (await this.rolesFor(db, [row.id])).get(row.id) ?? [] };
  }

  async createStaff(db: Db, values: typeof staff.$inferInsert, roles: string[]): Promise<StaffRow> {
    const [row] = await db.insert(staff).values(values).returning();
    if (roles.length > 0) {
      await db
        .insert(staffRoles)
        .values(roles.map((role) => ({ schoolId: row!.schoolId, staffId: row!.id, role })));
    }
    return row!;
  }

  async updateStaffAuth(
    db: Db,
    id: string,
    values: Partial<
      Pick<
        StaffRow,
        | 'passwordHash'
        | 'totpSecret'
        | 'totpEnabledAt'
        | 'totpLastStep'
        | 'failedAttempts'
        | 'lockedUntil'
      >
    >,
  ): Promise<void> {
    await db.update(staff).set(values).where(eq(staff.id, id));
  }

  /** Every pupil flagged as possibly left (at most `limit`), by class and name, and how many. */
  async listPossiblyLeft(db: Db, schoolId: string, today: string, limit: number) {
    const where = and(
      eq(pupils.schoolId, schoolId),
      sql`${pupils.possiblyLeftAt} IS NOT NULL`,
      or(isNull(pupils.leavingDate), sql`${pupils.leavingDate} > ${today}`),
    );
    const [rows, count] = await Promise.all([
      db
        .select()
        .from(pupils)
        .where(where)
        .orderBy(asc(pupils.className), asc(pupils.familyName), asc(pupils.givenName))
        .limit(limit),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(pupils)
        .where(where),
    ]);
    return { rows, total: count[0]?.n ?? 0 };
  }

  /**
   * Uses a TOTP time step, once: the conditional update succeeds for exactly one of any number of
   * concurrent requests carrying the same code (RFC 6238 §5.2). Enrolment sets the enabled time in
   * the same statement. Called by sign-in, in its own transaction.
   */
  async useTotpStep(
    db: Db,
    staffId: string,
    step: number,
    options: { enrol?: Date } = {},
  ): Promise<boolean> {
    const rows = await db
      .update(staff)
      .set({
        totpLastStep: step,
        ...(options.enrol ? { totpEnabledAt: options.enrol } : {}),
      })
      .where(
        and(
          eq(staff.id, staffId),
          sql`(${staff.totpLastStep} IS NULL OR ${staff.totpLastStep} < ${step})`,
          options.enrol ? isNull(staff.totpEnabledAt) : sql`${staff.totpEnabledAt} IS NOT NULL`,
        ),
      )
      .returning({ id: staff.id });
    return rows.length === 1;
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

  async createOrganisationAdmin(
    db: Db,
    row: typeof organisationAdmins.$inferInsert,
  ): Promise<void> {
    await db.insert(organisationAdmins).values(row);
  }
}
