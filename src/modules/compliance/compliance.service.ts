import { LRUCache } from 'lru-cache';
import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../errors.ts';
import { roleLabels, type Principal, type StaffRole } from '../auth/index.ts';
import type { PolicySettings } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import {
  staffKinds,
  kindLabel,
  termOf,
  type PupilsAndParentsRows,
  type SchoolTrainingStatus,
  type TrainingService,
} from '../training/index.ts';
import {
  ACKNOWLEDGEMENT,
  buildCompliance,
  schoolFigures,
  type Column,
  type ComplianceInput,
  type ComplianceReport,
  type Filters,
  type SchoolFigures,
} from './compliance-view.ts';
import { complianceViewFor, type ComplianceView } from './compliance.policy.ts';
import {
  buildPupilsAndParents,
  previousTerm,
  pupilsParentsFigures,
  schoolYear,
  type PupilsAndParents,
  type PupilsParentsFigures,
} from './pupils-parents-view.ts';

export interface ComplianceDeps {
  database: Pick<Database, 'db' | 'version'>;
  clock: Clock;
  people: Pick<PeopleDirectory, 'listSchoolsInOrganisation' | 'getOrganisation'>;
  /**
   * Training's status report for schools' staff (`trainingStatusForSchools` in training's
   * index.ts), with each school's current policy settings: reused, not redone; a constant number
   * of statements (eight) for one school or a whole trust.
   */
  trainingStatusForSchools: (
    schoolIds: readonly string[],
  ) => ReturnType<TrainingService['statusForSchools']>;
  /**
   * By school, the day (UK date) the version everyone must acknowledge was published: the
   * acknowledgement falls due from the later of that and a person's start (compliance-view.ts).
   */
  acknowledgementRequiredSince: (schoolIds: readonly string[]) => Promise<Map<string, string>>;
  /**
   * Pupils' e-safety by class and the parents' meeting (`pupilsAndParentsForSchools` in
   * training's index.ts): classes on roll, class lessons of this term and the term before, the
   * parents' sessions this school year with counts. Left out (the benchmarks), the section is not
   * shown.
   */
  pupilsAndParentsForSchools?: (
    schoolIds: readonly string[],
    query: { today: string; termKeys: readonly string[]; from: string; before: string },
  ) => Promise<Map<string, PupilsAndParentsRows>>;
}

export interface SchoolCompliance extends ComplianceReport {
  view: ComplianceView;
  /** Pupils' lessons by class and the parents' meeting (null: not read, or neither required). */
  pupilsAndParents: PupilsAndParents | null;
}

export interface TrustCompliance {
  organisationName: string;
  columns: Column[];
  schools: SchoolFigures[];
  /**
   * For each of `schools`, in the same order: its pupils' lessons by class and parents' meeting
   * in counts (no class, pupil or parent named), or null where its profile asks for neither.
   */
  pupilsAndParents?: (PupilsParentsFigures | null)[];
  /** Schools without a policy yet (nothing to measure against). */
  withoutPolicy: string[];
  /** When the figures were worked out (kept until something they show changes: `forTrust`). */
  asOf: Date;
}

/**
 * Trusts whose figures are kept (`ComplianceService.trusts`, least recently used dropped). Each
 * entry holds the figures, the UK date they were worked out for and the cache versions (ADR
 * 0018) they were worked out at: the trust's own (its schools and names, migration 0061) and
 * each school's. Every request reads those versions again (one shared statement, as a school's
 * view does) and the kept figures, the same object, are used only if none has moved and the date
 * is the same; otherwise they are worked out again, reusing each unchanged school's kept data.
 */
export const TRUST_VIEWS = 100;

/** What a trust's kept figures were worked out from. */
interface TrustBasis {
  day: string;
  trustVersion: number;
  schoolIds: string[];
  versions: number[];
  figures: TrustCompliance;
}

/**
 * A school's compliance data kept in memory by school and UK date (`ComplianceService.schools`,
 * at most SCHOOL_VIEWS, least recently used dropped), for the school's own view and the trust's
 * figures alike. Used only after the school's cache version (`cache_versions`, ADR 0018) has
 * been read in this request (or this trust computation) and found no newer than when the data
 * was read: every table the view reads bumps it in the changing transaction (training
 * attendance through `training_latest`, sessions, due-again marks, acknowledgements and their
 * supersessions, versions marked minor, staff and their roles, the policy profile and its
 * versions; for pupils and parents, pupils' classes, class lessons, parents' sessions, bookings
 * and attendance: migrations 0022, 0048, 0056 and 0057), so a change committed through any process shows on
 * the next request. The date in the key makes "due soon" and "overdue" follow the calendar.
 * SCHOOL_VIEW_MAX_AGE_MS is a backstop only.
 */
export const SCHOOL_VIEWS = 200;
export const SCHOOL_VIEW_MAX_AGE_MS = 10 * 60_000;
/** Filtered views kept per school (filters are only the school's real roles, kinds and states). */
const VIEWS_PER_SCHOOL = 50;

/** The school's titles for its staff roles (`people.roleTitles`), falling back to Lanyard's names. */
function roleTitlesOf(settings: PolicySettings): Record<string, string> {
  const own: Partial<Record<StaffRole, string>> = settings.people.roleTitles.value ?? {};
  return Object.fromEntries(
    (Object.keys(roleLabels) as StaffRole[]).map((r) => [r, own[r] ?? roleLabels[r]]),
  );
}

/** One school's data for the compliance view, as read at one cache version. */
class SchoolSnapshot {
  private readonly views = new Map<string, SchoolCompliance>();
  private kept: Omit<SchoolFigures, 'name'> | undefined;
  readonly settings: PolicySettings;
  readonly titles: Record<string, string>;
  readonly report: SchoolTrainingStatus & ComplianceInput;
  /** Pupils' lessons by class and the parents' meeting, as the profile requires them. */
  readonly pupilsAndParents: PupilsAndParents | null;

  constructor(
    report: SchoolTrainingStatus,
    requiredSince: string | null,
    outreach: PupilsAndParentsRows | null = null,
    now: Date = new Date(),
  ) {
    this.report = { ...report, requiredSince };
    this.settings = report.settings;
    this.titles = roleTitlesOf(report.settings);
    const built = outreach
      ? buildPupilsAndParents(outreach, report.settings.training.sessions, report.today, now)
      : null;
    this.pupilsAndParents = built && (built.pupils || built.parents) ? built : null;
  }

  /**
   * The view with these filters, built once per snapshot and shared by every request that asks
   * for the same (callers must not change it): the routes also keep its rendered page body.
   */
  view(view: ComplianceView, filters: Filters): SchoolCompliance {
    const key = JSON.stringify([
      view,
      filters.role ?? '',
      filters.kind ?? '',
      filters.status ?? '',
    ]);
    let built = this.views.get(key);
    if (!built) {
      const all = buildCompliance(this.report, this.titles, filters);
      const pupilsAndParents = this.pupilsAndParents;
      built =
        view === 'names'
          ? { ...all, view, pupilsAndParents }
          : { ...all, view, people: [], pupilsAndParents };
      if (this.views.size >= VIEWS_PER_SCHOOL) this.views.clear();
      this.views.set(key, built);
    }
    return built;
  }

  /** The school's figures for the trust (no name), worked out once. */
  get figures(): Omit<SchoolFigures, 'name'> {
    if (!this.kept) {
      const f = schoolFigures('', this.report);
      this.kept = {
        staff: f.staff,
        overduePeople: f.overduePeople,
        counts: f.counts,
      };
    }
    return this.kept;
  }

  /** Pupils' lessons and the parents' meeting in counts for the trust (null: not shown). */
  get pupilsParentsFigures(): PupilsParentsFigures | null {
    return this.pupilsAndParents ? pupilsParentsFigures(this.pupilsAndParents) : null;
  }

  /** People overdue for anything (the Headteacher's home page), worked out once. */
  get overduePeople(): number {
    return this.figures.overduePeople;
  }
}

/**
 * The compliance view (SPEC §3.8, issue 17 item 5): who is done, due soon and overdue, per kind
 * of training and for the current policy version's acknowledgement, by role (in the school's own
 * words, `people.roleTitles`) and by person; the trust's figures per school, never names.
 */
export class ComplianceService {
  constructor(private readonly deps: ComplianceDeps) {}

  /**
   * Schools whose data was read and worked out (`schoolsRead`, one per school) and the reads
   * that did it (`reads`, eight statements each whatever the number of schools): the trust's
   * figures work out only the schools whose version moved (`compliance-cache.test.ts`).
   */
  readonly stats = { reads: 0, schoolsRead: 0 };

  /** Each trust's figures with what they were worked out from (requests meanwhile share one). */
  private readonly trusts = new LRUCache<string, Promise<TrustBasis>>({ max: TRUST_VIEWS });

  /** Each school's snapshot by school and date, with the cache version it was read at. */
  private readonly schools = new LRUCache<
    string,
    { version: number; at: number; value: Promise<SchoolSnapshot | null> }
  >({ max: SCHOOL_VIEWS });

  /**
   * The school's view for this person: names or counts as the profile allows
   * (`complianceViewFor`), or a 404. A counts view carries no person rows at all. The result is
   * shared with other requests for the same view: read it, never change it.
   */
  async forSchool(p: Principal, filters: Filters = {}): Promise<SchoolCompliance> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const snapshot = await this.snapshot(p.schoolId);
    const view = snapshot ? complianceViewFor(p, snapshot.settings) : null;
    if (!snapshot || !view) throw new NotFoundError();
    return snapshot.view(view, filters);
  }

  /** People overdue for anything (the Headteacher's home page). */
  async overduePeople(schoolId: string): Promise<number> {
    const snapshot = await this.snapshot(schoolId);
    if (!snapshot) throw new NotFoundError();
    return snapshot.overduePeople;
  }

  /**
   * The school's snapshot: kept while the school's cache version has not moved since it was
   * read (the version is read first, once per request), for today's date; otherwise read again
   * (concurrent requests share one read). Null for a school without a policy.
   */
  private snapshot(schoolId: string): Promise<SchoolSnapshot | null> {
    const day = ukDate(this.deps.clock.now());
    return this.deps.database
      .version(schoolId)
      .then((version) => this.snapshots(day, [{ schoolId, version }])[0]!);
  }

  /**
   * Each school's snapshot at (or after) the version given, read after the caller asked: kept
   * ones reused, the rest read together (`trainingStatusForSchools`, eight statements whatever
   * their number) and kept. In the order given.
   */
  private snapshots(
    day: string,
    wanted: readonly { schoolId: string; version: number }[],
  ): Promise<SchoolSnapshot | null>[] {
    const now = performance.now();
    const out: Promise<SchoolSnapshot | null>[] = new Array(wanted.length);
    const stale: number[] = [];
    wanted.forEach(({ schoolId, version }, i) => {
      const hit = this.schools.get(`${schoolId}:${day}`);
      if (hit && hit.version >= version && now - hit.at < SCHOOL_VIEW_MAX_AGE_MS)
        out[i] = hit.value;
      else stale.push(i);
    });
    if (stale.length === 0) return out;
    this.stats.reads += 1;
    this.stats.schoolsRead += stale.length;
    const ids = stale.map((i) => wanted[i]!.schoolId);
    const year = schoolYear(day);
    const read = Promise.all([
      this.deps.trainingStatusForSchools(ids),
      this.deps.acknowledgementRequiredSince(ids),
      this.deps.pupilsAndParentsForSchools?.(ids, {
        today: day,
        termKeys: [termOf(day).key, previousTerm(day).key],
        from: year.from,
        before: year.before,
      }),
    ]);
    for (const i of stale) {
      const { schoolId, version } = wanted[i]!;
      const key = `${schoolId}:${day}`;
      const value = read.then(([reports, since, outreach]) => {
        const report = reports.get(schoolId);
        return report
          ? new SchoolSnapshot(
              report,
              since.get(schoolId) ?? null,
              outreach?.get(schoolId) ?? null,
              this.deps.clock.now(),
            )
          : null;
      });
      const entry = { version, at: now, value };
      this.schools.set(key, entry);
      value.catch(() => {
        if (this.schools.peek(key) === entry) this.schools.delete(key);
      });
      out[i] = value;
    }
    return out;
  }

  /**
   * The trust's figures per school: counts and percentages, no names (an organisation admin).
   * Kept per trust and used while the trust's version and every school's are where they were
   * when the figures were worked out, on the same UK date (checked on every request: one shared
   * statement); the same object is returned then, so the route keeps its rendered page with it.
   * The result is shared: read it, never change it.
   */
  async forTrust(p: Principal): Promise<TrustCompliance> {
    if (p.kind !== 'org_admin') throw new NotFoundError();
    const organisationId = p.organisationId;
    const day = ukDate(this.deps.clock.now());
    const held = this.trusts.get(organisationId);
    const kept = held && (await held.catch(() => undefined));
    if (kept && kept.day === day && (await this.stillCurrent(organisationId, kept)))
      return kept.figures;
    // Another request may have started working them out meanwhile: shared if current for this one.
    const meanwhile = this.trusts.get(organisationId);
    if (meanwhile && meanwhile !== held) {
      const other = await meanwhile.catch(() => undefined);
      if (other && other.day === day && (await this.stillCurrent(organisationId, other)))
        return other.figures;
    }
    const basis = this.workOutTrust(organisationId, day);
    this.trusts.set(organisationId, basis);
    basis.catch(() => {
      if (this.trusts.peek(organisationId) === basis) this.trusts.delete(organisationId);
    });
    return (await basis).figures;
  }

  /** Whether kept figures are still current at the versions read in this request. */
  private async stillCurrent(organisationId: string, kept: TrustBasis): Promise<boolean> {
    const version = (id: string) => this.deps.database.version(id);
    const [trustVersion, ...versions] = await Promise.all([
      version(organisationId),
      ...kept.schoolIds.map(version),
    ]);
    return trustVersion! <= kept.trustVersion && versions.every((v, i) => v <= kept.versions[i]!);
  }

  /** The trust's figures (as `computeTrust`) with the versions they were worked out at. */
  private async workOutTrust(organisationId: string, day: string): Promise<TrustBasis> {
    // The trust's version before its schools and name are read (ADR 0018: version first).
    const trustVersion = await this.deps.database.version(organisationId);
    const { figures, schoolIds, versions } = await this.trustAt(organisationId, day);
    return { day, trustVersion, schoolIds, versions, figures };
  }

  /**
   * The trust's figures, worked out now (not kept: `forTrust` keeps them). See `trustAt`.
   */
  async computeTrust(organisationId: string): Promise<TrustCompliance> {
    return (await this.trustAt(organisationId, ukDate(this.deps.clock.now()))).figures;
  }

  /**
   * The trust's figures, worked out now: the schools and the trust (two statements), every
   * school's cache version (one), and each school's kept data unless its version moved (those
   * schools read together: eight statements). Each school's figures are worked out once per
   * kept snapshot, so a trust whose schools did not change costs three statements and no
   * counting.
   */
  private async trustAt(
    organisationId: string,
    day: string,
  ): Promise<{ figures: TrustCompliance; schoolIds: string[]; versions: number[] }> {
    const db = this.deps.database.db;
    const [schools, organisation] = await Promise.all([
      this.deps.people.listSchoolsInOrganisation(db, organisationId),
      this.deps.people.getOrganisation(db, organisationId),
    ]);
    const versions = await Promise.all(schools.map((s) => this.deps.database.version(s.id)));
    const snapshots = await Promise.all(
      this.snapshots(
        day,
        schools.map((s, i) => ({ schoolId: s.id, version: versions[i]! })),
      ),
    );
    const results = schools.map((s, i) => {
      const snapshot = snapshots[i];
      return {
        name: s.name,
        figures: snapshot ? { name: s.name, ...snapshot.figures } : null,
        pupilsAndParents: snapshot?.pupilsParentsFigures ?? null,
      };
    });
    const figures: TrustCompliance = {
      organisationName: organisation?.name ?? '',
      columns: [
        ...staffKinds.map((k) => ({ key: k as string, label: kindLabel(k) })),
        { key: ACKNOWLEDGEMENT, label: 'Policy acknowledged (current version)' },
      ],
      schools: results.flatMap((r) => (r.figures ? [r.figures] : [])),
      pupilsAndParents: results.flatMap((r) => (r.figures ? [r.pupilsAndParents] : [])),
      withoutPolicy: results.filter((r) => !r.figures).map((r) => r.name),
      asOf: new Date(),
    };
    return { figures, schoolIds: schools.map((s) => s.id), versions };
  }
}
