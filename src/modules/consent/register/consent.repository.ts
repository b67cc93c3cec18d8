import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { PoolClient, Pool } from 'pg';
import type { Db } from '../../../platform/db/database.ts';
import { parents, pupilParents, pupils, staff } from '../../people/people.tables.ts';
import { consentRecords, pupilCompetenceAssessments } from '../consent.tables.ts';
import type { PupilConsentFacts, RecordForCheck } from './consent-rules.ts';

export type ConsentRecordRow = typeof consentRecords.$inferSelect;
export type NewConsentRecord = typeof consentRecords.$inferInsert;
export type CompetenceRow = typeof pupilCompetenceAssessments.$inferSelect;

/**
 * Everything the consent check needs for a set of pupils of one school, in one round trip:
 * who holds parental responsibility, the latest competence assessment, and the records made by
 * `at` that were in force within two years of it (so last year's expired consent can still be
 * explained; older years cannot change an answer and are not read). Read-only joins across the
 * people tables: see docs/adr/0006-consent-read-model.md. It also reads which policy version is
 * current (the same single-row read PolicyService.current makes), so a check needs one round trip
 * and the rules it applies are exactly those in force when the facts were read.
 */
export const FACTS_SQL = `
SELECT p.id AS pupil_id,
  COALESCE((SELECT json_agg(json_build_array(pp.parent_id, pa.given_name || ' ' || pa.family_name))
            FROM pupil_parents pp JOIN parents pa ON pa.id = pp.parent_id
            WHERE pp.pupil_id = p.id AND pp.parental_responsibility), '[]') AS pr,
  COALESCE((SELECT c.competent FROM pupil_competence_assessments c
            WHERE c.pupil_id = p.id AND c.recorded_at <= $3
            ORDER BY c.recorded_at DESC LIMIT 1), false) AS competent,
  COALESCE((SELECT x.restricted FROM pupil_publication_restrictions x
            WHERE x.pupil_id = p.id AND x.recorded_at <= $3
            ORDER BY x.recorded_at DESC LIMIT 1), false) AS restricted,
  COALESCE((SELECT json_agg(json_build_array(r.id, r.period_key, r.valid_from, r.valid_until,
              r.decider_kind, r.decider_parent_id, r.decisions, r.method, r.decided_on,
              r.recorded_at))
            FROM consent_records r
            WHERE r.pupil_id = p.id AND r.recorded_at <= $3
              AND (r.valid_until IS NULL
                   OR r.valid_until > (($3::timestamptz AT TIME ZONE 'Europe/London')::date - 730))
           ), '[]') AS records,
  (SELECT pr.current_version FROM policy_profiles pr WHERE pr.school_id = $1) AS policy_version
FROM pupils p
WHERE p.school_id = $1 AND p.id = ANY($2::uuid[])`;

/**
 * The same facts for the in-process register cache (ADR 0009), read in one statement together
 * with the school's register version, so the facts are exactly those of that version. Unlike
 * FACTS_SQL it does not stop at a moment: it reads every record made so far (the check filters by
 * `at` itself) and every competence assessment with its time, so the cached facts answer any
 * later moment; it keeps the two-year window from the load date ($3).
 */
export const CACHE_FACTS_SQL = `
SELECT p.id AS pupil_id,
  COALESCE((SELECT json_agg(json_build_array(pp.parent_id, pa.given_name || ' ' || pa.family_name))
            FROM pupil_parents pp JOIN parents pa ON pa.id = pp.parent_id
            WHERE pp.pupil_id = p.id AND pp.parental_responsibility), '[]') AS pr,
  COALESCE((SELECT json_agg(json_build_array(c.recorded_at, c.competent) ORDER BY c.recorded_at)
            FROM pupil_competence_assessments c WHERE c.pupil_id = p.id), '[]') AS competence,
  COALESCE((SELECT json_agg(json_build_array(x.recorded_at, x.restricted) ORDER BY x.recorded_at)
            FROM pupil_publication_restrictions x WHERE x.pupil_id = p.id), '[]') AS restrictions,
  COALESCE((SELECT json_agg(json_build_array(r.id, r.period_key, r.valid_from, r.valid_until,
              r.decider_kind, r.decider_parent_id, r.decisions, r.method, r.decided_on,
              r.recorded_at))
            FROM consent_records r
            WHERE r.pupil_id = p.id AND (r.valid_until IS NULL OR r.valid_until > $3::date)
           ), '[]') AS records,
  (SELECT pr.current_version FROM policy_profiles pr WHERE pr.school_id = $1) AS policy_version,
  COALESCE((SELECT v.version FROM consent_register_versions v WHERE v.school_id = $1), 0)
    AS register_version
FROM pupils p
WHERE p.school_id = $1 AND p.id = ANY($2::uuid[])`;

const REGISTER_VERSIONS_SQL = `SELECT s.id AS school_id, COALESCE(v.version, 0) AS version
  FROM unnest($1::uuid[]) AS s(id) LEFT JOIN consent_register_versions v ON v.school_id = s.id`;

/** A pupil's facts as the register cache keeps them. */
export interface CacheFacts {
  pupilId: string;
  /** [parent id, name] of each person with parental responsibility. */
  parentalResponsibility: Map<string, string>;
  /** Every competence assessment, oldest first: [recorded at (ms), competent]. */
  competence: [number, boolean][];
  /** Every "never publish" restriction record, oldest first: [recorded at (ms), restricted]. */
  restrictions?: [number, boolean][];
  records: RecordForCheck[];
}

type RecordTuple = [
  string,
  string,
  string,
  string | null,
  'parent' | 'pupil',
  string | null,
  Record<string, string>,
  string,
  string,
  string,
];

type CacheFactsRow = {
  pupil_id: string;
  pr: [string, string][];
  competence: [string, boolean][];
  restrictions: [string, boolean][];
  records: RecordTuple[];
  policy_version: number | null;
  register_version: string | number;
};

type FactsRow = {
  pupil_id: string;
  /** [parent id, name] of each person with parental responsibility. */
  pr: [string, string][];
  competent: boolean;
  restricted: boolean;
  policy_version: number | null;
  records: RecordTuple[];
};

/** A record tuple from the facts statements, with the decider's name when they hold PR. */
function recordFrom(r: RecordTuple, names: ReadonlyMap<string, string>): RecordForCheck {
  return {
    id: r[0],
    periodKey: r[1],
    validFrom: r[2],
    validUntil: r[3],
    deciderKind: r[4],
    deciderParentId: r[5],
    decisions: r[6],
    method: r[7],
    decidedOn: r[8],
    recordedAt: new Date(r[9]),
    ...(r[5] && names.has(r[5]) ? { deciderName: names.get(r[5])! } : {}),
  };
}

function clientOf(db: Db): Pool | PoolClient {
  return (db as unknown as { $client: Pool | PoolClient }).$client;
}

/**
 * Pupils on roll (alias `p`) with no statement in force on `today` that answers any question:
 * the one definition of "no consent form" behind every count of it.
 */
function withoutStatement(schoolId: string, today: string) {
  return sql`p.school_id = ${schoolId}
    AND (p.leaving_date IS NULL OR p.leaving_date > ${today}::date)
    AND NOT EXISTS (
      SELECT 1 FROM consent_records r
      WHERE r.pupil_id = p.id AND r.valid_from <= ${today}::date
        AND (r.valid_until IS NULL OR r.valid_until > ${today}::date)
        AND EXISTS (SELECT 1 FROM jsonb_each_text(r.decisions) d
                    WHERE d.value IN ('granted', 'refused')))`;
}

export class ConsentRepository {
  /** Facts per pupil id; pupils not in the school are simply absent. */
  async factsFor(
    db: Db,
    schoolId: string,
    pupilIds: readonly string[],
    at: Date,
  ): Promise<Map<string, PupilConsentFacts>> {
    return (await this.factsAndPolicyVersion(db, schoolId, pupilIds, at)).facts;
  }

  /**
   * The facts and, from the same statement, the school's current policy version (null when no
   * pupil matched or the school has no profile).
   */
  async factsAndPolicyVersion(
    db: Db,
    schoolId: string,
    pupilIds: readonly string[],
    at: Date,
  ): Promise<{ facts: Map<string, PupilConsentFacts>; policyVersion: number | null }> {
    const result = await clientOf(db).query<FactsRow>({
      name: 'consent_facts_v4',
      text: FACTS_SQL,
      values: [schoolId, pupilIds, at],
    });
    const out = new Map<string, PupilConsentFacts>();
    for (const row of result.rows) {
      // Only the statements of people with parental responsibility count, so only their names
      // are needed: one lookup per parent rather than one per record (which grows every year).
      const names = new Map(row.pr);
      const records = row.records.map((r) => recordFrom(r, names));
      out.set(row.pupil_id, {
        pupilId: row.pupil_id,
        parentalResponsibility: new Set(names.keys()),
        competent: row.competent,
        restricted: row.restricted,
        records,
      });
    }
    return { facts: out, policyVersion: result.rows[0]?.policy_version ?? null };
  }

  /**
   * The facts of some pupils for the register cache, with the register version they belong to
   * (one statement, so one snapshot). `windowStart` (yyyy-mm-dd): records that ended on or before
   * it are left out. Pupils not in the school are absent.
   */
  async factsForCache(
    db: Db,
    schoolId: string,
    pupilIds: readonly string[],
    windowStart: string,
  ): Promise<{
    facts: Map<string, CacheFacts>;
    policyVersion: number | null;
    registerVersion: number | null;
  }> {
    const result = await clientOf(db).query<CacheFactsRow>({
      name: 'consent_cache_facts_v2',
      text: CACHE_FACTS_SQL,
      values: [schoolId, pupilIds, windowStart],
    });
    const facts = new Map<string, CacheFacts>();
    for (const row of result.rows) {
      const names = new Map(row.pr);
      facts.set(row.pupil_id, {
        pupilId: row.pupil_id,
        parentalResponsibility: names,
        competence: row.competence.map(([at, competent]) => [Date.parse(at), competent]),
        restrictions: row.restrictions.map(([at, restricted]) => [Date.parse(at), restricted]),
        records: row.records.map((r) => recordFrom(r, names)),
      });
    }
    const first = result.rows[0];
    return {
      facts,
      policyVersion: first?.policy_version ?? null,
      registerVersion: first ? Number(first.register_version) : null,
    };
  }

  /**
   * The school's register version, read FOR SHARE inside the caller's transaction (publishing,
   * ADR 0009): a change to the register that has not committed yet waits for that transaction
   * at its commit (the triggers bump this row last), and one that committed first is seen.
   */
  async registerVersionForShare(db: Db, schoolId: string): Promise<number> {
    const client = clientOf(db);
    const read = () =>
      client.query<{ version: string | number }>(
        'SELECT version FROM consent_register_versions WHERE school_id = $1 FOR SHARE',
        [schoolId],
      );
    let result = await read();
    if (result.rows.length === 0) {
      await client.query(
        'INSERT INTO consent_register_versions (school_id) VALUES ($1) ON CONFLICT DO NOTHING',
        [schoolId],
      );
      result = await read();
    }
    return Number(result.rows[0]?.version ?? 0);
  }

  /** The schools' consent register versions (0 before anything was ever recorded). */
  async registerVersions(db: Db, schoolIds: readonly string[]): Promise<Map<string, number>> {
    const result = await clientOf(db).query<{ school_id: string; version: string | number }>({
      name: 'consent_register_versions_v1',
      text: REGISTER_VERSIONS_SQL,
      values: [schoolIds],
    });
    return new Map(result.rows.map((r) => [r.school_id, Number(r.version)]));
  }

  async insertRecord(db: Db, values: NewConsentRecord): Promise<ConsentRecordRow> {
    const [row] = await db.insert(consentRecords).values(values).returning();
    return row!;
  }

  async insertRecords(db: Db, values: NewConsentRecord[]): Promise<number> {
    if (values.length === 0) return 0;
    const rows = await db
      .insert(consentRecords)
      .values(values)
      .returning({ id: consentRecords.id });
    return rows.length;
  }

  async getRecord(db: Db, schoolId: string, id: string): Promise<ConsentRecordRow | undefined> {
    const rows = await db
      .select()
      .from(consentRecords)
      .where(and(eq(consentRecords.schoolId, schoolId), eq(consentRecords.id, id)))
      .limit(1);
    return rows[0];
  }

  /** Every record for a pupil, newest first, with the decider's and recorder's names. */
  async historyForPupil(db: Db, schoolId: string, pupilId: string) {
    return db
      .select({
        record: consentRecords,
        deciderGivenName: parents.givenName,
        deciderFamilyName: parents.familyName,
        recorderGivenName: staff.givenName,
        recorderFamilyName: staff.familyName,
      })
      .from(consentRecords)
      .leftJoin(parents, eq(parents.id, consentRecords.deciderParentId))
      .leftJoin(
        staff,
        and(eq(consentRecords.recordedByKind, 'staff'), eq(staff.id, consentRecords.recordedById)),
      )
      .where(and(eq(consentRecords.schoolId, schoolId), eq(consentRecords.pupilId, pupilId)))
      .orderBy(desc(consentRecords.recordedAt));
  }

  async insertCompetence(
    db: Db,
    values: typeof pupilCompetenceAssessments.$inferInsert,
  ): Promise<CompetenceRow> {
    const [row] = await db.insert(pupilCompetenceAssessments).values(values).returning();
    return row!;
  }

  async competenceHistory(db: Db, schoolId: string, pupilId: string) {
    return db
      .select({
        assessment: pupilCompetenceAssessments,
        assessorGivenName: staff.givenName,
        assessorFamilyName: staff.familyName,
      })
      .from(pupilCompetenceAssessments)
      .innerJoin(staff, eq(staff.id, pupilCompetenceAssessments.assessedBy))
      .where(
        and(
          eq(pupilCompetenceAssessments.schoolId, schoolId),
          eq(pupilCompetenceAssessments.pupilId, pupilId),
        ),
      )
      .orderBy(desc(pupilCompetenceAssessments.recordedAt));
  }

  /** The pupil (of this school) and the parents linked to them, with parental responsibility. */
  async pupilWithParents(db: Db, schoolId: string, pupilId: string) {
    const [pupil] = await db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.id, pupilId)))
      .limit(1);
    if (!pupil) return undefined;
    const links = await db
      .select({
        id: parents.id,
        givenName: parents.givenName,
        familyName: parents.familyName,
        email: parents.email,
        relationship: pupilParents.relationship,
        parentalResponsibility: pupilParents.parentalResponsibility,
      })
      .from(pupilParents)
      .innerJoin(parents, eq(parents.id, pupilParents.parentId))
      .where(and(eq(pupilParents.schoolId, schoolId), eq(pupilParents.pupilId, pupilId)))
      .orderBy(asc(parents.familyName), asc(parents.givenName));
    return { pupil, parents: links };
  }

  /** Row locks on many pupils at once, in id order (added for `recordMany`, the bulk import). */
  async lockPupils(db: Db, schoolId: string, pupilIds: readonly string[]): Promise<number> {
    if (pupilIds.length === 0) return 0;
    const rows = await db.execute(
      sql`SELECT id FROM pupils WHERE school_id = ${schoolId} AND id = ANY(${sql.param([...pupilIds].sort())}::uuid[]) ORDER BY id FOR UPDATE`,
    );
    return rows.rows.length;
  }

  /** Written withdrawals recorded since `since`, newest first (the dashboard). */
  async recentWithdrawals(db: Db, schoolId: string, since: Date, limit: number) {
    const rows = await db.execute<{
      id: string;
      pupil_id: string;
      given_name: string;
      family_name: string;
      class_name: string | null;
      decided_on: string;
      recorded_at: string;
      decisions: Record<string, string>;
    }>(sql`
      SELECT r.id, r.pupil_id, p.given_name, p.family_name, p.class_name,
        r.decided_on::text AS decided_on, r.recorded_at, r.decisions
      FROM consent_records r JOIN pupils p ON p.id = r.pupil_id
      WHERE r.school_id = ${schoolId} AND r.kind = 'withdrawal' AND r.recorded_at >= ${since}
      ORDER BY r.recorded_at DESC LIMIT ${limit}`);
    return rows.rows;
  }

  /**
   * THE count of "pupils without a consent form", for every page that shows one (dashboard,
   * trust pages): pupils on roll on `today` (no leaving date, or a later one; a pupil an MIS
   * import flagged as possibly left is on roll until someone records a leaving date) with no
   * record in force on `today` that answers any question yes or no (a form marked "not returned"
   * is no form). The register's "not returned" (ConsentOfficeService.overview) and a current
   * campaign's chaser count the same pupils (test/db/pupils-without-form.test.ts).
   */
  async countWithoutStatement(db: Db, schoolId: string, today: string): Promise<number> {
    const rows = await db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM pupils p WHERE ${withoutStatement(schoolId, today)}`);
    return rows.rows[0]?.n ?? 0;
  }

  /**
   * The same count (one definition), split by whether an MIS import flagged the pupil as
   * possibly left: the trust's figures count pupils on roll without those.
   */
  async countWithoutStatementByFlag(
    db: Db,
    schoolId: string,
    today: string,
  ): Promise<{ all: number; possiblyLeft: number }> {
    const rows = await db.execute<{ all: number; possiblyLeft: number }>(sql`
      SELECT count(*)::int AS "all",
        (count(*) FILTER (WHERE p.possibly_left_at IS NOT NULL))::int AS "possiblyLeft"
      FROM pupils p WHERE ${withoutStatement(schoolId, today)}`);
    return { all: rows.rows[0]?.all ?? 0, possiblyLeft: rows.rows[0]?.possiblyLeft ?? 0 };
  }

  /** Take a row lock on the pupil so concurrent statements about one pupil are serialised. */
  async lockPupil(db: Db, schoolId: string, pupilId: string): Promise<boolean> {
    const rows = await db.execute(
      sql`SELECT id FROM pupils WHERE school_id = ${schoolId} AND id = ${pupilId} FOR UPDATE`,
    );
    return rows.rows.length > 0;
  }
}
