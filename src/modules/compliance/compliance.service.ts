import type { Database } from '../../platform/db/database.ts';
import { NotFoundError } from '../../errors.ts';
import { roleLabels, type Principal, type StaffRole } from '../auth/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import { staffKinds, kindLabel, type TrainingService } from '../training/index.ts';
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
  database: Database;
  policies: Pick<PolicyService, 'current' | 'currentOrNull'>;
  policyScope: Pick<Services['policyScope'], 'roleTitles'>;
  people: Pick<PeopleDirectory, 'listSchoolsInOrganisation' | 'getOrganisation'>;
  /**
   * Training's status report for schools' staff (`trainingStatusForSchools` in training's
   * index.ts): reused, not redone; a constant number of statements for a trust.
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
 * How long a trust's figures are kept before they are worked out again: 50 schools' rosters,
 * attendance and acknowledgements are a few hundred milliseconds of database work on a busy
 * machine, and the trust's view is a report, not a live list. A school's own view is never kept.
 */
export const TRUST_FIGURES_MS = 30_000;

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
   * (`complianceViewFor`), or a 404. A counts view carries no person rows at all.
   */
  async forSchool(p: Principal, filters: Filters = {}): Promise<SchoolCompliance> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const policy = await this.deps.policies.currentOrNull(p.schoolId);
    const view = policy ? complianceViewFor(p, policy.settings) : null;
    if (!view) throw new NotFoundError();
    const [report, titles] = await Promise.all([
      this.staffStatus(p.schoolId),
      this.roleTitles(p.schoolId),
    ]);
    const built = buildCompliance(report, titles, filters);
    return view === 'names' ? { ...built, view } : { ...built, view, people: [] };
  }

  /** People overdue for anything (the Headteacher's home page). */
  async overduePeople(schoolId: string): Promise<number> {
    return buildCompliance(await this.staffStatus(schoolId), {}).overduePeople;
  }

  /**
   * Training's status for one school's staff, without the pupils' lessons by class (not part of
   * this view): six statements rather than eight.
   */
  private async staffStatus(schoolId: string) {
    const report = (await this.deps.trainingStatusForSchools([schoolId])).get(schoolId);
    if (!report) throw new NotFoundError();
    return report;
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
