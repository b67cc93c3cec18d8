import { LRUCache } from 'lru-cache';
import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { addDays, type PolicyHistory, type PolicyService } from '../policies/index.ts';
import type { PeopleAggregates, PeopleDirectory } from '../people/index.ts';
import {
  categoryLabels,
  incidentTypeLabels,
  riskLabels,
  type IncidentAggregates,
} from '../incidents/index.ts';
import {
  declarationKindShort,
  permissionStatusLabels,
  permissionTypeLabels,
  type ConductAggregates,
  type FilteringService,
} from '../conduct/index.ts';
import { kindLabel, type TrainingAggregates } from '../training/index.ts';
import type { ConsentAggregates } from '../consent/index.ts';
import type { PublishingAggregates } from '../publishing/index.ts';
import type { AcknowledgementAggregates } from '../acknowledgements/index.ts';
import { canSeeGovernorsReport } from './reports.policy.ts';
import { currentTerm, parsePeriod, periodChoices, type Period } from './reports-periods.ts';
import {
  buildReport,
  type IncidentAggregateRow,
  type RawFigures,
  type Report,
} from './reports-build.ts';

export interface ReportsDeps {
  database: Pick<Database, 'version' | 'db'>;
  clock: Clock;
  policies: Pick<PolicyService, 'currentOrNull'>;
  people: Pick<PeopleDirectory, 'listSchoolsInOrganisation' | 'getOrganisation'>;
  /** The school's name (the people service's cached read). */
  schoolName: (schoolId: string) => Promise<string>;
  /**
   * The latest annual filtering and monitoring review in the period, as recorded (issue 17 item
   * 7): shown in the school's own report only, never the trust's.
   */
  filtering: Pick<FilteringService, 'reviewForGovernors'>;
  /** The owning modules' aggregates (counts only; docs/policy-lifecycle.md). */
  figures: {
    incidents: Pick<IncidentAggregates, 'reportedBetween'>;
    consent: Pick<ConsentAggregates, 'coverageByYearGroup'>;
    publishing: Pick<PublishingAggregates, 'between'>;
    conduct: Pick<ConductAggregates, 'between'>;
    people: Pick<PeopleAggregates, 'pupilsOnRollDuring' | 'staffInPostOn'>;
    training: Pick<TrainingAggregates, 'staffOn'>;
    acknowledgements: Pick<AcknowledgementAggregates, 'staffAcknowledgedAt'>;
    policyHistory: Pick<PolicyHistory, 'at'>;
  };
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

type Rule = { value: boolean; citation?: unknown } | null;

export interface SchoolReportPage {
  schoolName: string;
  period: Period;
  periods: Period[];
  report: Report;
  /** The profile's rule that gives governors the report (its citation is shown). */
  rule: Rule;
}

/**
 * Reports kept in memory: at most this many (school, period, day, version), least recently
 * used dropped (docs/architecture.md, "In-process caches").
 */
export const REPORTS_KEPT = 500;
/** How long a kept report of a period that has not ended is used at most. */
export const OPEN_PERIOD_TTL_MS = 5 * 60_000;
/** … and of a period that has ended (its figures change only with a late correction). */
export const CLOSED_PERIOD_TTL_MS = 60 * 60_000;

/**
 * The governors' monitoring report (issue 16 item 4; `review.governorsMonitoringReport`):
 * anonymised figures for a school and a period, and the trust's figures per school and in total.
 * Counts only, from each owning module's aggregates; small numbers suppressed
 * (reports-suppression.ts). Training and acknowledgements stand at the end of the period (or
 * today, for a period not yet ended). The school's own report also shows the period's latest
 * annual filtering and monitoring review as it was recorded (its date, who recorded it, the
 * findings in their words).
 *
 * Kept: a school's built report per period and day, under the school's cache version (ADR
 * 0018): every table the aggregates read bumps it in the writing transaction, so the version
 * read after a request arrives moves with any change committed before it, through any process,
 * and the next request builds the report again. The profile's rule is kept the same way.
 */
export class ReportsService {
  constructor(private readonly deps: ReportsDeps) {}

  private readonly kept = new LRUCache<string, Promise<unknown>>({ max: REPORTS_KEPT });

  /** Reports built since start, and answers from memory (the benchmark's probe reads them). */
  readonly stats = { built: 0, kept: 0 };

  today(): string {
    return ukDate(this.deps.clock.now());
  }

  /** The period the query names, or the current term. */
  period(key: unknown): Period {
    return parsePeriod(key) ?? currentTerm(this.today());
  }

  /** A value kept under `key` (which holds the version), or `load` shared by concurrent asks. */
  private keep<T>(key: string, ttl: number, load: () => Promise<T>): Promise<T> {
    const hit = this.kept.get(key) as Promise<T> | undefined;
    if (hit) {
      this.stats.kept++;
      return hit;
    }
    const value = load();
    this.kept.set(key, value, { ttl });
    value.catch(() => {
      if (this.kept.get(key) === value) this.kept.delete(key);
    });
    return value;
  }

  /** The school's rule `review.governorsMonitoringReport` (null without a profile). */
  private async rule(schoolId: string): Promise<Rule> {
    const version = await this.deps.database.version(schoolId);
    return this.keep(`rule:${schoolId}:${version}`, OPEN_PERIOD_TTL_MS, async () => {
      const current = await this.deps.policies.currentOrNull(schoolId);
      return (current?.settings.review.governorsMonitoringReport ?? null) as Rule;
    });
  }

  /** Whether this person may see the school's report now (the profile decides for governors). */
  async mayView(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canSeeGovernorsReport(p, (await this.rule(p.schoolId))?.value ?? false);
  }

  /** The day (and instant) the training and acknowledgement figures stand at. */
  private asOf(period: Period): { date: string; at: Date; today: boolean } {
    const today = this.today();
    const last = addDays(period.until, -1);
    if (last >= today) return { date: today, at: this.deps.clock.now(), today: true };
    return { date: last, at: ukMidnight(period.until), today: false };
  }

  /** Incidents, consent, posts and conduct of the period: four statements (five with pupils). */
  private async periodFigures(
    schoolIds: string[],
    period: Period,
  ): Promise<Omit<RawFigures, 'training'>> {
    const f = this.deps.figures;
    const { from, until } = period;
    const [incidents, consent, posts, conduct] = await Promise.all([
      f.incidents.reportedBetween(schoolIds, from, until),
      f.people
        .pupilsOnRollDuring(schoolIds, from, until)
        .then((pupils) => f.consent.coverageByYearGroup(schoolIds, from, until, pupils)),
      f.publishing.between(schoolIds, from, until),
      f.conduct.between(schoolIds, from, until),
    ]);
    return {
      incidents: incidentRows(incidents),
      consent: consent.map((c) => ({
        year_group: c.yearGroup,
        pupils: c.pupils,
        with_consent: c.withConsent,
      })),
      posts: {
        published: posts.published,
        published_posts: posts.publishedPosts,
        removed: posts.removed,
        takedowns_done: posts.takedownsDone,
        takedowns_open: posts.takedownsOpen,
      },
      conduct: conduct.map((c) => ({ what: c.what, key: c.key, state: c.state, n: c.count })),
    };
  }

  /**
   * Staff training and acknowledgement at the end of the period (today, if it has not ended):
   * the staff then in post, the policy version then current and its rules, the attendance and
   * acknowledgements recorded by then. Without a policy then: nothing to report.
   */
  private async trainingAt(schoolIds: string[], period: Period): Promise<RawFigures['training']> {
    const f = this.deps.figures;
    const when = this.asOf(period);
    const [policies, staff] = await Promise.all([
      f.policyHistory.at(schoolIds, when.at),
      f.people.staffInPostOn(schoolIds, when.date),
    ]);
    const perSchool = await Promise.all(
      schoolIds.map(async (schoolId) => {
        const policy = policies.get(schoolId);
        if (!policy) return noTraining(when);
        const inPost = staff.filter((s) => s.schoolId === schoolId);
        const [kinds, acknowledged] = await Promise.all([
          f.training.staffOn(schoolId, inPost, when.date, policy.settings.training),
          f.acknowledgements.staffAcknowledgedAt(
            schoolId,
            inPost.map((s) => s.id),
            when.at,
            policy.version,
          ),
        ]);
        return { kinds, staff: inPost.length, acknowledged, asOf: when.date, today: when.today };
      }),
    );
    return sumTraining(perSchool, when);
  }

  private async raw(schoolIds: string[], period: Period): Promise<RawFigures> {
    const [figures, training] = await Promise.all([
      this.periodFigures(schoolIds, period),
      this.trainingAt(schoolIds, period),
    ]);
    return { ...figures, training };
  }

  /** One school's figures for a period, kept under the school's version (see the class). */
  private async schoolRaw(schoolId: string, period: Period): Promise<RawFigures> {
    const version = await this.deps.database.version(schoolId);
    const when = this.asOf(period);
    return this.keep(
      `raw:${schoolId}:${period.key}:${when.date}:${version}`,
      when.today ? OPEN_PERIOD_TTL_MS : CLOSED_PERIOD_TTL_MS,
      async () => {
        this.stats.built++;
        return this.raw([schoolId], period);
      },
    );
  }

  /** The school's report for a period; a 404 for anyone the profile does not let see it. */
  async forSchool(p: Principal, periodKey: unknown): Promise<SchoolReportPage> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const schoolId = p.schoolId;
    const rule = await this.rule(schoolId);
    if (!canSeeGovernorsReport(p, rule?.value ?? false)) throw new NotFoundError();
    const period = this.period(periodKey);
    const today = this.today();
    const version = await this.deps.database.version(schoolId);
    const when = this.asOf(period);
    const report = await this.keep(
      `report:${schoolId}:${period.key}:${when.date}:${version}`,
      when.today ? OPEN_PERIOD_TTL_MS : CLOSED_PERIOD_TTL_MS,
      async () => {
        const [raw, filtering] = await Promise.all([
          this.schoolRaw(schoolId, period),
          this.deps.filtering.reviewForGovernors(schoolId, period),
        ]);
        return buildReport(raw, period, reportLabels, { filteringReview: filtering.lastReview });
      },
    );
    return {
      schoolName: await this.deps.schoolName(schoolId),
      period,
      periods: periodChoices(today),
      report,
      rule,
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
      schools.map(async (s) => ({ name: s.name, raw: await this.schoolRaw(s.id, period) })),
    );
    // The total's period figures over every school at once (a median is not a sum of medians).
    const totalFigures = await this.periodFigures(
      schools.map((s) => s.id),
      period,
    );
    const totalTraining = sumTraining(
      perSchool.map((s) => s.raw.training),
      this.asOf(period),
    );
    return {
      organisationName: organisation?.name ?? '',
      period,
      periods: periodChoices(this.today()),
      total: buildReport({ ...totalFigures, training: totalTraining }, period, reportLabels),
      schools: perSchool.map((s) => ({
        name: s.name,
        report: buildReport(s.raw, period, reportLabels),
      })),
    };
  }
}

/** Midnight at the start of a UK date, as an instant. */
function ukMidnight(isoDate: string): Date {
  // Noon UTC is on the same UK date; step back by the UK offset of that day at midnight.
  const guess = new Date(`${isoDate}T00:00:00Z`);
  for (const offsetHours of [0, 1]) {
    const at = new Date(guess.getTime() - offsetHours * 3_600_000);
    if (ukDate(at) === isoDate && ukDate(new Date(at.getTime() - 1)) !== isoDate) return at;
  }
  return guess;
}

/** The report's grouping rows from the incidents module's groups (see IncidentAggregateRow). */
export function incidentRows(figures: {
  groups: {
    category: string | null;
    risk: string | null;
    incidentType: string | null;
    status: string | null;
    count: number;
    closed: number;
  }[];
  medianSecondsToClose: number | null;
  longestSecondsToClose: number | null;
}): IncidentAggregateRow[] {
  const none = { median_s: null, longest_s: null };
  const blank = { category: null, risk: null, incident_type: null, status: null };
  const add = (m: Map<string, IncidentAggregateRow>, key: string, row: IncidentAggregateRow) => {
    const had = m.get(key);
    if (had) {
      had.n += row.n;
      had.closed += row.closed;
    } else m.set(key, row);
  };
  const grid = new Map<string, IncidentAggregateRow>();
  const types = new Map<string, IncidentAggregateRow>();
  const statuses = new Map<string, IncidentAggregateRow>();
  let n = 0;
  let closed = 0;
  for (const g of figures.groups) {
    n += g.count;
    closed += g.closed;
    const counts = { n: g.count, closed: g.closed, ...none };
    add(grid, `${g.category}|${g.risk}`, {
      ...blank,
      category: g.category,
      risk: g.risk,
      g: 3,
      ...counts,
    });
    add(types, `${g.incidentType}`, { ...blank, incident_type: g.incidentType, g: 13, ...counts });
    add(statuses, `${g.status}`, { ...blank, status: g.status, g: 14, ...counts });
  }
  return [
    ...grid.values(),
    ...types.values(),
    ...statuses.values(),
    {
      ...blank,
      g: 15,
      n,
      closed,
      median_s: figures.medianSecondsToClose,
      longest_s: figures.longestSecondsToClose,
    },
  ];
}

const noTraining = (when: { date: string; today: boolean }): RawFigures['training'] => ({
  kinds: [],
  staff: 0,
  acknowledged: 0,
  asOf: when.date,
  today: when.today,
});

function sumTraining(
  list: RawFigures['training'][],
  when: { date: string; today: boolean },
): RawFigures['training'] {
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
    asOf: when.date,
    today: when.today,
  };
}
