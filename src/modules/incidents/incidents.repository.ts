import { and, asc, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { incidentCases, incidentEntries, incidentPeople, incidents } from './incidents.tables.ts';
import { foldCase, type CaseState } from './incidents.projection.ts';

export type IncidentRow = typeof incidents.$inferSelect;
export type EntryRow = typeof incidentEntries.$inferSelect;
export type PersonRow = typeof incidentPeople.$inferSelect;
export type CaseRow = typeof incidentCases.$inferSelect;

/** What the case lists may be filtered by (all optional). */
export interface CaseFilters {
  status?: 'open' | 'closed';
  incidentType?: string;
  category?: string;
  safeguarding?: boolean;
  /** Only indecent-image reports whose onward referral is not recorded yet. */
  referralDue?: boolean;
  /** Only cases not classified yet (new reports). */
  unclassified?: boolean;
  /** Only open cases whose next step was due before this date (YYYY-MM-DD). */
  overdueBefore?: string;
  /** Only cases assigned to (or deputised to) this member of staff. */
  mineStaffId?: string;
}

/**
 * Keyset: the last row of the page before (newest first). `reportedAt` is the time exactly as
 * PostgreSQL keeps it (to the microsecond), as UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`
 * (`cursorAt` of a listed row): a JavaScript Date keeps milliseconds only, and a cursor cut to
 * the millisecond skipped or repeated cases whose times differ below one.
 */
export interface CaseCursor {
  reportedAt: string;
  incidentId: string;
}

/** A row of a case list, with its exact time for the next page's cursor. */
export type ListedCase = CaseRow & { cursorAt: string };

/** Who is asking for a list: everything of the school, or only the cases they work on. */
export type ListScope =
  { kind: 'all' } | { kind: 'worker'; staffId: string } | { kind: 'recipient'; staffId: string };

/** Queries on incidents; every one is scoped by school. The only importer of the tables. */
export class IncidentsRepository {
  /** Takes the school's next reference number (the caller's transaction holds the lock). */
  async nextSeq(db: Db, schoolId: string): Promise<number> {
    await db.execute(sql`select pg_advisory_xact_lock(hashtext('incidents:' || ${schoolId}))`);
    const rows = await db
      .select({ n: sql<number>`coalesce(max(${incidents.seq}), 0)::int` })
      .from(incidents)
      .where(eq(incidents.schoolId, schoolId));
    return (rows[0]?.n ?? 0) + 1;
  }

  async insertIncident(db: Db, values: typeof incidents.$inferInsert): Promise<IncidentRow> {
    const rows = await db.insert(incidents).values(values).returning();
    return rows[0]!;
  }

  async insertPeople(db: Db, rows: (typeof incidentPeople.$inferInsert)[]): Promise<void> {
    if (rows.length > 0) await db.insert(incidentPeople).values(rows);
  }

  async insertEntry(db: Db, values: typeof incidentEntries.$inferInsert): Promise<EntryRow> {
    const rows = await db.insert(incidentEntries).values(values).returning();
    return rows[0]!;
  }

  async getIncident(db: Db, schoolId: string, id: string): Promise<IncidentRow | undefined> {
    const rows = await db
      .select()
      .from(incidents)
      .where(and(eq(incidents.schoolId, schoolId), eq(incidents.id, id)))
      .limit(1);
    return rows[0];
  }

  /** By id alone: only for `recordEntry`, whose caller has already checked the viewer. */
  async getIncidentById(db: Db, id: string): Promise<IncidentRow | undefined> {
    const rows = await db.select().from(incidents).where(eq(incidents.id, id)).limit(1);
    return rows[0];
  }

  async getCase(db: Db, schoolId: string, id: string): Promise<CaseRow | undefined> {
    const rows = await db
      .select()
      .from(incidentCases)
      .where(and(eq(incidentCases.schoolId, schoolId), eq(incidentCases.incidentId, id)))
      .limit(1);
    return rows[0];
  }

  /** The case row locked for a change (entries of one case are written one at a time). */
  async lockCase(db: Db, schoolId: string, id: string): Promise<CaseRow | undefined> {
    const rows = await db
      .select()
      .from(incidentCases)
      .where(and(eq(incidentCases.schoolId, schoolId), eq(incidentCases.incidentId, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async entries(db: Db, schoolId: string, incidentId: string): Promise<EntryRow[]> {
    return (
      db
        .select()
        .from(incidentEntries)
        .where(
          and(eq(incidentEntries.schoolId, schoolId), eq(incidentEntries.incidentId, incidentId)),
        )
        // The order they were written in (under the case's lock), not the instant.
        .orderBy(asc(incidentEntries.seq))
    );
  }

  async people(db: Db, schoolId: string, incidentId: string): Promise<PersonRow[]> {
    return db
      .select()
      .from(incidentPeople)
      .where(and(eq(incidentPeople.schoolId, schoolId), eq(incidentPeople.incidentId, incidentId)))
      .orderBy(asc(incidentPeople.addedAt), asc(incidentPeople.id));
  }

  /** Rebuilds the case row from the report and every entry (inside the writer's transaction). */
  async refreshCase(db: Db, incident: IncidentRow): Promise<CaseState> {
    const entries = await this.entries(db, incident.schoolId, incident.id);
    const state = foldCase(
      {
        incidentId: incident.id,
        schoolId: incident.schoolId,
        reference: incident.reference,
        reportedAt: incident.reportedAt,
        reporterKind: incident.reporterKind,
        reporterId: incident.reporterId,
        reporterConcern: incident.reporterConcern,
        indecentImage: incident.indecentImage,
      },
      entries.map((e) => ({ at: e.at, kind: e.kind, data: e.data as Record<string, unknown> })),
    );
    const { incidentId: _id, ...rest } = state;
    await db
      .insert(incidentCases)
      .values(state)
      .onConflictDoUpdate({ target: incidentCases.incidentId, set: rest });
    return state;
  }

  /**
   * A page of cases, newest first, in ONE statement: the school's index
   * (`incident_cases_list_idx`, or `_status_idx` with a status, `_new_idx` for new reports,
   * `_image_idx` for referrals) walked from the keyset cursor, stopping after `limit` rows. The
   * order is spelt `desc nulls last` as the indexes are: plain `desc` means `nulls first`, which
   * no index gives, and PostgreSQL then read every case of the school and sorted them.
   * A worker (not Headteacher or DSL) sees only the cases they are assigned to, or named a
   * deputy of when the case is a safeguarding concern (`@>`, so the arrays' GIN indexes find
   * their few cases instead of a walk through the school's).
   */
  async listCases(
    db: Db,
    schoolId: string,
    scope: ListScope,
    f: CaseFilters,
    after: CaseCursor | undefined,
    limit: number,
  ): Promise<ListedCase[]> {
    const c: SQL[] = [eq(incidentCases.schoolId, schoolId)];
    // The same rule as `counts` (and caseAccess) below, written so an index can answer it:
    // `safeguarding` is never null, nor are the arrays, so the two forms agree row for row.
    if (scope.kind === 'worker') {
      c.push(
        sql`((${incidentCases.safeguarding} and ${incidentCases.deputyStaffIds} @> array[${scope.staffId}::uuid]) or (not ${incidentCases.safeguarding} and ${incidentCases.assignedStaffIds} @> array[${scope.staffId}::uuid]))`,
      );
    }
    // A holder of an incidents.reportToResponsibilities: every case but a safeguarding concern
    // (and the safeguarding concerns they are a deputy of).
    if (scope.kind === 'recipient')
      c.push(
        sql`(not ${incidentCases.safeguarding} or ${scope.staffId}::uuid = any(${incidentCases.deputyStaffIds}))`,
      );
    if (f.status) c.push(eq(incidentCases.status, f.status));
    if (f.incidentType) c.push(eq(incidentCases.incidentType, f.incidentType));
    if (f.category) c.push(eq(incidentCases.category, f.category));
    if (f.safeguarding !== undefined) c.push(eq(incidentCases.safeguarding, f.safeguarding));
    if (f.referralDue)
      c.push(
        sql`${incidentCases.indecentImage} and not exists (select 1 from ${incidentEntries} e where e.incident_id = ${incidentCases.incidentId} and e.kind = 'referral' and e.data->>'to' <> 'dsl')`,
      );
    if (f.unclassified) c.push(sql`${incidentCases.classifiedAt} is null`);
    if (f.overdueBefore)
      c.push(
        sql`${incidentCases.status} = 'open' and ${incidentCases.nextStepDue} < ${f.overdueBefore}::date`,
      );
    if (f.mineStaffId)
      c.push(
        sql`(${incidentCases.assignedStaffIds} @> array[${f.mineStaffId}::uuid] or ${incidentCases.deputyStaffIds} @> array[${f.mineStaffId}::uuid])`,
      );
    // The cursor's text is read as timestamptz exactly (microseconds, `Z`): a constant, so the
    // row comparison stays the index's start key (EXPLAIN: Index Cond on reported_at, incident_id).
    if (after)
      c.push(
        sql`(${incidentCases.reportedAt}, ${incidentCases.incidentId}) < (${after.reportedAt}::timestamptz, ${after.incidentId}::uuid)`,
      );
    return db
      .select({
        ...getTableColumns(incidentCases),
        cursorAt: sql<string>`to_char(${incidentCases.reportedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      })
      .from(incidentCases)
      .where(and(...c))
      .orderBy(
        sql`${incidentCases.reportedAt} desc nulls last`,
        sql`${incidentCases.incidentId} desc nulls last`,
      )
      .limit(limit);
  }

  /** Counts for the home page, in one statement (scoped as the list is). */
  async counts(
    db: Db,
    schoolId: string,
    scope: ListScope,
    today: string,
  ): Promise<{ open: number; unclassified: number; overdue: number; referrals: number }> {
    const c: SQL[] = [eq(incidentCases.schoolId, schoolId), eq(incidentCases.status, 'open')];
    if (scope.kind === 'worker')
      c.push(
        sql`(case when ${incidentCases.safeguarding} then ${scope.staffId}::uuid = any(${incidentCases.deputyStaffIds}) else ${scope.staffId}::uuid = any(${incidentCases.assignedStaffIds}) end)`,
      );
    // A holder of an incidents.reportToResponsibilities: every case but a safeguarding concern
    // (and the safeguarding concerns they are a deputy of).
    if (scope.kind === 'recipient')
      c.push(
        sql`(not ${incidentCases.safeguarding} or ${scope.staffId}::uuid = any(${incidentCases.deputyStaffIds}))`,
      );
    const rows = await db
      .select({
        open: sql<number>`count(*)::int`,
        unclassified: sql<number>`(count(*) filter (where ${incidentCases.classifiedAt} is null))::int`,
        overdue: sql<number>`(count(*) filter (where ${incidentCases.nextStepDue} < ${today}::date))::int`,
        referrals: sql<number>`(count(*) filter (where ${incidentCases.indecentImage} and not exists (select 1 from ${incidentEntries} e where e.incident_id = ${incidentCases.incidentId} and e.kind = 'referral' and e.data->>'to' <> 'dsl')))::int`,
      })
      .from(incidentCases)
      .where(and(...c));
    return rows[0] ?? { open: 0, unclassified: 0, overdue: 0, referrals: 0 };
  }

  /** A reporter's own reports with their status (never the case's content), newest first. */
  async reportsBy(
    db: Db,
    schoolId: string,
    reporterKind: string,
    reporterId: string,
  ): Promise<CaseRow[]> {
    return db
      .select()
      .from(incidentCases)
      .where(
        and(
          eq(incidentCases.schoolId, schoolId),
          eq(incidentCases.reporterKind, reporterKind),
          eq(incidentCases.reporterId, reporterId),
        ),
      )
      .orderBy(desc(incidentCases.reportedAt), desc(incidentCases.incidentId))
      .limit(200);
  }

  /** Every entry of every incident naming this pupil, oldest first (a pupil's chronology). */
  async pupilChronology(db: Db, schoolId: string, pupilId: string) {
    const ids = db
      .selectDistinct({ id: incidentPeople.incidentId })
      .from(incidentPeople)
      .where(and(eq(incidentPeople.schoolId, schoolId), eq(incidentPeople.pupilId, pupilId)));
    return db
      .select({ entry: incidentEntries, case: incidentCases })
      .from(incidentEntries)
      .innerJoin(incidentCases, eq(incidentCases.incidentId, incidentEntries.incidentId))
      .where(and(eq(incidentEntries.schoolId, schoolId), inArray(incidentEntries.incidentId, ids)))
      .orderBy(asc(incidentEntries.at), asc(incidentEntries.seq))
      .limit(2000);
  }

  /** Whether the incident has an entry of this kind (e.g. 'significant'). */
  async hasEntry(db: Db, incidentId: string, kind: string): Promise<boolean> {
    const rows = await db
      .select({ one: sql<number>`1` })
      .from(incidentEntries)
      .where(and(eq(incidentEntries.incidentId, incidentId), eq(incidentEntries.kind, kind)))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Incidents that became significant since a time (issue 16 item 3, the policy's early
   * review): their `significant` entries (IncidentsService.markIfSignificant, the profile's
   * rule at the time). Counts and the latest time only: no names.
   */
  async significantSince(
    db: Db,
    schoolId: string,
    since: Date,
  ): Promise<{ count: number; latest: Date | null }> {
    const rows = await db
      .select({
        count: sql<number>`count(distinct ${incidentEntries.incidentId})::int`,
        latest: sql<Date | null>`max(${incidentEntries.at})`,
      })
      .from(incidentEntries)
      .where(
        and(
          eq(incidentEntries.schoolId, schoolId),
          eq(incidentEntries.kind, 'significant'),
          sql`${incidentEntries.at} >= ${since.toISOString()}::timestamptz`,
        ),
      );
    const r = rows[0];
    return { count: r?.count ?? 0, latest: r?.latest ? new Date(r.latest) : null };
  }
}
