import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import { categoryLabels, incidentTypeLabels, riskLabels } from '../incidents/index.ts';
import {
  declarationKindShort,
  permissionStatusLabels,
  permissionTypeLabels,
} from '../conduct/index.ts';
import { kindLabel, type TrainingService } from '../training/index.ts';
import type { ReportsRepository } from './reports.repository.ts';
import { canSeeGovernorsReport } from './reports.policy.ts';
import { currentTerm, parsePeriod, periodChoices, type Period } from './reports-periods.ts';
import { buildReport, type RawFigures, type Report } from './reports-build.ts';

export interface ReportsDeps {
  database: Database;
  clock: Clock;
  repository: ReportsRepository;
  policies: Pick<PolicyService, 'current' | 'currentOrNull'>;
  people: Pick<PeopleDirectory, 'listSchoolsInOrganisation' | 'getOrganisation'>;
  /** The school's name (the people service's cached read). */
  schoolName: (schoolId: string) => Promise<string>;
  /** Training's status report (`trainingStatus` in training's index.ts). */
  trainingStatus: (schoolId: string) => ReturnType<TrainingService['status']>;
}

/** The words for the keys the aggregates return (never shown as keys). */
export const reportLabels = {
  category: categoryLabels as Record<string, string>,
  risk: riskLabels as Record<string, string>,
  incidentType: incidentTypeLabels as Record<string, string>,
  declaration: declarationKindShort as Record<string, string>,
  permission: permissionTypeLabels as Record<string, string>,
  permissionStatus: permissionStatusLabels as Record<string, string>,
  trainingKind: (k: string) => kindLabel(k as Parameters<typeof kindLabel>[0]),
};

export interface SchoolReportPage {
  schoolName: string;
  period: Period;
  periods: Period[];
  report: Report;
  /** The profile's rule that gives governors the report (its citation is shown). */
  rule: { value: boolean; citation?: unknown } | null;
}

/**
 * The governors' monitoring report (issue 16 item 4; `review.governorsMonitoringReport`): anonymised figures for a
 * school and a period, and the trust's figures per school and in total. Counts only; small
 * numbers suppressed (reports-suppression.ts).
 */
export class ReportsService {
  constructor(private readonly deps: ReportsDeps) {}

  today(): string {
    return ukDate(this.deps.clock.now());
  }

  /** The period the query names, or the current term. */
  period(key: unknown): Period {
    return parsePeriod(key) ?? currentTerm(this.today());
  }

  /** Whether this person may see the school's report now (the profile decides for governors). */
  async mayView(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    const current = await this.deps.policies.currentOrNull(p.schoolId);
    return canSeeGovernorsReport(
      p,
      current?.settings.review.governorsMonitoringReport.value ?? false,
    );
  }

  private async raw(schoolIds: string[], period: Period): Promise<Omit<RawFigures, 'training'>> {
    const db = this.deps.database.db;
    const r = this.deps.repository;
    const [incidents, consent, posts, conduct] = await Promise.all([
      r.incidents(db, schoolIds, period.from, period.until),
      r.consentCoverage(db, schoolIds, period.from, period.until),
      r.posts(db, schoolIds, period.from, period.until),
      r.conduct(db, schoolIds, period.from, period.until),
    ]);
    return { incidents, consent, posts, conduct };
  }

  private async training(schoolId: string): Promise<RawFigures['training']> {
    const status = await this.deps.trainingStatus(schoolId);
    const kinds = status.kinds.map((k) => {
      const counts = { done: 0, due_soon: 0, overdue: 0 };
      for (const person of status.people) {
        const s = person.kinds[k]?.state;
        if (s === 'done' || s === 'due_soon' || s === 'overdue') counts[s]++;
      }
      return { kind: k as string, ...counts };
    });
    const acknowledged = status.people.filter((p) => p.acknowledgedCurrent).length;
    return { kinds, staff: status.people.length, acknowledged };
  }

  /** The school's report for a period; a 404 for anyone the profile does not let see it. */
  async forSchool(p: Principal, periodKey: unknown): Promise<SchoolReportPage> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const current = await this.deps.policies.currentOrNull(p.schoolId);
    const rule = current?.settings.review.governorsMonitoringReport ?? null;
    if (!canSeeGovernorsReport(p, rule?.value ?? false)) throw new NotFoundError();
    const period = this.period(periodKey);
    const today = this.today();
    const schoolId = p.schoolId;
    // Kept per school, period and day (training's states are as of today), and checked against
    // the school's cache version (ADR 0018): every table the aggregates read bumps it, so a
    // change made anywhere shows on the next request.
    const report = await this.deps.database.cachedRead(
      `reports:governors:${schoolId}:${period.key}:${today}`,
      REPORT_TTL_MS,
      async () => {
        const [raw, training] = await Promise.all([
          this.raw([schoolId], period),
          current ? this.training(schoolId) : Promise.resolve(noTraining()),
        ]);
        return buildReport({ ...raw, training }, period, reportLabels);
      },
      schoolId,
    );
    return {
      schoolName: await this.deps.schoolName(schoolId),
      period,
      periods: periodChoices(today),
      report,
      rule: rule as SchoolReportPage['rule'],
    };
  }

  /** The trust's figures: the same report per school, and in total (aggregates only). */
  async forTrust(p: Principal, periodKey: unknown) {
    if (p.kind !== 'org_admin') throw new NotFoundError();
    const db = this.deps.database.db;
    const period = this.period(periodKey);
    const [schools, organisation] = await Promise.all([
      this.deps.people.listSchoolsInOrganisation(db, p.organisationId),
      this.deps.people.getOrganisation(db, p.organisationId),
    ]);
    const perSchool = await Promise.all(
      schools.map(async (s) => {
        const hasPolicy = !!(await this.deps.policies.currentOrNull(s.id));
        const [raw, training] = await Promise.all([
          this.raw([s.id], period),
          hasPolicy ? this.training(s.id) : Promise.resolve(noTraining()),
        ]);
        return { name: s.name, raw: { ...raw, training } };
      }),
    );
    const totalRaw = await this.raw(
      schools.map((s) => s.id),
      period,
    );
    const totalTraining = sumTraining(perSchool.map((s) => s.raw.training));
    return {
      organisationName: organisation?.name ?? '',
      period,
      periods: periodChoices(this.today()),
      total: buildReport({ ...totalRaw, training: totalTraining }, period, reportLabels),
      schools: perSchool.map((s) => ({
        name: s.name,
        report: buildReport(s.raw, period, reportLabels),
      })),
    };
  }
}

/** How long a built report is kept in memory at most (its school's version is checked first). */
export const REPORT_TTL_MS = 60_000;

const noTraining = (): RawFigures['training'] => ({ kinds: [], staff: 0, acknowledged: 0 });

function sumTraining(list: RawFigures['training'][]): RawFigures['training'] {
  const kinds = new Map<
    string,
    { kind: string; done: number; due_soon: number; overdue: number }
  >();
  for (const t of list)
    for (const k of t.kinds) {
      const acc = kinds.get(k.kind) ?? { kind: k.kind, done: 0, due_soon: 0, overdue: 0 };
      acc.done += k.done;
      acc.due_soon += k.due_soon;
      acc.overdue += k.overdue;
      kinds.set(k.kind, acc);
    }
  return {
    kinds: [...kinds.values()],
    staff: list.reduce((n, t) => n + t.staff, 0),
    acknowledged: list.reduce((n, t) => n + t.acknowledged, 0),
  };
}
