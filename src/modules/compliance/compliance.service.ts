import { LRUCache } from 'lru-cache';
import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../errors.ts';
import { roleLabels, type Principal, type StaffRole } from '../auth/index.ts';
import type { PolicySettings, PolicyService } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import {
  staffKinds,
  kindLabel,
  type TrainingService,
  type TrainingStatusReport,
} from '../training/index.ts';
import type { Services } from '../registry.ts';
import {
  ACKNOWLEDGEMENT,
  buildCompliance,
  schoolFigures,
  type Column,
  type ComplianceReport,
  type Filters,
  type SchoolFigures,
} from './compliance-view.ts';
import { complianceViewFor, type ComplianceView } from './compliance.policy.ts';

export interface ComplianceDeps {
  database: Pick<Database, 'db' | 'version'>;
  clock: Clock;
  policies: Pick<PolicyService, 'current' | 'currentOrNull'>;
  policyScope: Pick<Services['policyScope'], 'roleTitles'>;
  people: Pick<PeopleDirectory, 'listSchoolsInOrganisation' | 'getOrganisation'>;
  /**
   * Training's status report for schools' staff (`trainingStatusForSchools` in training's
   * index.ts): reused, not redone; a constant number of statements (eight) for one school or a
   * whole trust.
   */
  trainingStatusForSchools: (
    schoolIds: readonly string[],
  ) => ReturnType<TrainingService['statusForSchools']>;
}

export interface SchoolCompliance extends ComplianceReport {
  view: ComplianceView;
}

export interface TrustCompliance {
  organisationName: string;
  columns: Column[];
  schools: SchoolFigures[];
  /** Schools without a policy yet (nothing to measure against). */
  withoutPolicy: string[];
  /** When the figures were worked out (they are kept for TRUST_FIGURES_MS). */
  asOf: Date;
}

/**
 * How long a trust's figures are kept before they are worked out again: the trust's view is a
 * report, not a live list (its page says when the figures were worked out). Working them out is
 * eight statements for the whole trust.
 */
export const TRUST_FIGURES_MS = 30_000;

/**
 * A school's compliance data kept in memory by school and UK date (`ComplianceService.schools`,
 * at most SCHOOL_VIEWS, least recently used dropped). Used only after the school's cache
 * version (`cache_versions`, ADR 0018) has been read in this request and found no newer than
 * when the data was read: every table the view reads bumps it in the changing transaction
 * (training attendance through `training_latest`, sessions, due-again marks, acknowledgements
 * and their supersessions, versions marked minor, staff and their roles, the policy profile and
 * its versions: migrations 0022, 0048 and 0056), so a change committed through any process
 * shows on the next request. The date in the key makes "due soon" and "overdue" follow the
 * calendar. SCHOOL_VIEW_MAX_AGE_MS is a backstop only.
 */
export const SCHOOL_VIEWS = 200;
export const SCHOOL_VIEW_MAX_AGE_MS = 10 * 60_000;
/** Filtered views kept per school (filters are only the school's real roles, kinds and states). */
const VIEWS_PER_SCHOOL = 50;

/** One school's data for the compliance view, as read at one cache version. */
class SchoolSnapshot {
  private readonly views = new Map<string, SchoolCompliance>();

  constructor(
    readonly settings: PolicySettings,
    readonly report: TrainingStatusReport,
    readonly titles: Record<string, string>,
  ) {}

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
      built = view === 'names' ? { ...all, view } : { ...all, view, people: [] };
      if (this.views.size >= VIEWS_PER_SCHOOL) this.views.clear();
      this.views.set(key, built);
    }
    return built;
  }

  /** People overdue for anything (the Headteacher's home page), worked out once. */
  get overduePeople(): number {
    return this.view('counts', {}).overduePeople;
  }
}

/**
 * The compliance view (SPEC §3.8, issue 17 item 5): who is done, due soon and overdue, per kind
 * of training and for the current policy version's acknowledgement, by role (in the school's own
 * words, `people.roleTitles`) and by person; the trust's figures per school, never names.
 */
export class ComplianceService {
  constructor(private readonly deps: ComplianceDeps) {}

  /** Each trust's figures while fresh (one computation at a time per trust, shared). */
  private readonly trustFigures = new Map<
    string,
    { at: number; figures: Promise<TrustCompliance> }
  >();

  /** Each school's snapshot by school and date, with the cache version it was read at. */
  private readonly schools = new LRUCache<
    string,
    { version: number; at: number; value: Promise<SchoolSnapshot | null> }
  >({ max: SCHOOL_VIEWS });

  /** The school's titles for its staff roles, falling back to Lanyard's names. */
  async roleTitles(schoolId: string): Promise<Record<string, string>> {
    const own: Partial<Record<StaffRole, string>> =
      (await this.deps.policyScope.roleTitles(schoolId)) ?? {};
    return Object.fromEntries(
      (Object.keys(roleLabels) as StaffRole[]).map((r) => [r, own[r] ?? roleLabels[r]]),
    );
  }

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
    const key = `${schoolId}:${ukDate(this.deps.clock.now())}`;
    return this.deps.database.version(schoolId).then((version) => {
      const now = performance.now();
      const hit = this.schools.get(key);
      if (hit && hit.version >= version && now - hit.at < SCHOOL_VIEW_MAX_AGE_MS) return hit.value;
      const value = this.readSnapshot(schoolId);
      const entry = { version, at: now, value };
      this.schools.set(key, entry);
      value.catch(() => {
        if (this.schools.peek(key) === entry) this.schools.delete(key);
      });
      return value;
    });
  }

  /**
   * Training's status for one school's staff, without the pupils' lessons (not part of this
   * view), its policy and role titles: eight statements.
   */
  private async readSnapshot(schoolId: string): Promise<SchoolSnapshot | null> {
    const [policy, reports, titles] = await Promise.all([
      this.deps.policies.currentOrNull(schoolId),
      this.deps.trainingStatusForSchools([schoolId]),
      this.roleTitles(schoolId),
    ]);
    const report = reports.get(schoolId);
    if (!policy || !report) return null;
    return new SchoolSnapshot(policy.settings, report, titles);
  }

  /**
   * The trust's figures per school: counts and percentages, no names (an organisation admin).
   * Kept for TRUST_FIGURES_MS per trust; requests meanwhile share one computation.
   */
  async forTrust(p: Principal): Promise<TrustCompliance> {
    if (p.kind !== 'org_admin') throw new NotFoundError();
    const now = Date.now();
    const held = this.trustFigures.get(p.organisationId);
    if (held && now - held.at < TRUST_FIGURES_MS) return held.figures;
    const figures = this.computeTrust(p.organisationId);
    if (this.trustFigures.size > 1_000) this.trustFigures.clear();
    this.trustFigures.set(p.organisationId, { at: now, figures });
    figures.catch(() => this.trustFigures.delete(p.organisationId));
    return figures;
  }

  /** The trust's figures, worked out now: a constant number of statements for the schools. */
  async computeTrust(organisationId: string): Promise<TrustCompliance> {
    const db = this.deps.database.db;
    const [schools, organisation] = await Promise.all([
      this.deps.people.listSchoolsInOrganisation(db, organisationId),
      this.deps.people.getOrganisation(db, organisationId),
    ]);
    const reports = await this.deps.trainingStatusForSchools(schools.map((s) => s.id));
    const results = schools.map((s) => {
      const report = reports.get(s.id);
      return { name: s.name, figures: report ? schoolFigures(s.name, report) : null };
    });
    return {
      organisationName: organisation?.name ?? '',
      columns: [
        ...staffKinds.map((k) => ({ key: k as string, label: kindLabel(k) })),
        { key: ACKNOWLEDGEMENT, label: 'Policy acknowledged (current version)' },
      ],
      schools: results.flatMap((r) => (r.figures ? [r.figures] : [])),
      withoutPolicy: results.filter((r) => !r.figures).map((r) => r.name),
      asOf: new Date(),
    };
  }
}
