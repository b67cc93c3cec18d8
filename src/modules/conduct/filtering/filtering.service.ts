import { ukDate } from '../../../platform/clock.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import { addDays, type PolicyRole, type PolicySettings } from '../../policies/index.ts';
import { canRecordFiltering, canViewFiltering } from '../conduct.policy.ts';
import { actorOf, settingsOf, staffOnly, type ConductDeps } from '../conduct-deps.ts';
import type { PermissionsService } from '../permissions/permissions.service.ts';
import type { CheckInput, ExceptionInput, ProvisionInput } from './filtering.forms.ts';
import type {
  CheckRow,
  ExceptionRow,
  FilteringRepository,
  ProvisionRow,
} from './filtering.repository.ts';

export type { CheckRow, ExceptionRow, ProvisionRow };

/** When the next check and the next review are due (yyyy-mm-dd; today when never done). */
export interface FilteringSchedule {
  lastCheckOn: string | null;
  lastReviewOn: string | null;
  nextCheckDue: string;
  nextReviewDue: string;
  checkOverdue: boolean;
  reviewOverdue: boolean;
  checkEveryDays: number;
  reviewEveryDays: number;
}

/**
 * An annual review of the filtering and monitoring provision as recorded: the day, the outcome,
 * the findings and actions in the words of whoever recorded it, and their name as the school
 * keeps it (null when the school no longer holds it).
 */
export interface FilteringReviewRecord {
  checkedOn: string;
  outcome: 'working' | 'problems_found';
  findings: string;
  actions: string;
  recordedBy: string | null;
}

/**
 * The filtering and monitoring part of the governors' report: the provision, the latest annual
 * review (with who recorded it), the year's checks and the schedule.
 */
export interface FilteringReviewSummary {
  provision: {
    filteringProvider: string;
    monitoringProvider: string;
    blockedCategories: string[];
    recordedOn: string;
  } | null;
  lastReview: FilteringReviewRecord | null;
  checksInLastYear: number;
  checksWithProblemsInLastYear: number;
  exceptionsInForce: number;
  schedule: FilteringSchedule;
}

/**
 * Filtering and monitoring records (SPEC §3.7; the DfE filtering and monitoring standards): the
 * profile's ICT role (`roles.ictSignOffRole`) records the provision, the exceptions (each linked
 * to the permission that allowed it) and each check and review; how often is the profile's
 * (`conduct.filteringCheckEveryDays`, `conduct.filteringReviewEveryDays`).
 */
export class FilteringService {
  constructor(
    private readonly deps: ConductDeps & {
      repository: FilteringRepository;
      permissions: PermissionsService;
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async ictRole(schoolId: string): Promise<PolicyRole> {
    return (await settingsOf(this.deps, schoolId)).roles.ictSignOffRole.value;
  }

  async mayView(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canViewFiltering(p, await this.ictRole(p.schoolId));
  }

  async mayRecord(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canRecordFiltering(p, await this.ictRole(p.schoolId));
  }

  async schedule(schoolId: string, settings?: PolicySettings): Promise<FilteringSchedule> {
    const s = settings ?? (await settingsOf(this.deps, schoolId));
    const [check, review] = await Promise.all([
      this.deps.repository.latest(this.db, schoolId, 'check'),
      this.deps.repository.latest(this.db, schoolId, 'review'),
    ]);
    const today = ukDate(this.deps.clock.now());
    const checkEveryDays = s.conduct.filteringCheckEveryDays.value;
    const reviewEveryDays = s.conduct.filteringReviewEveryDays.value;
    // A review checks everything a check does, so it counts as a check too.
    const lastCheckOn = [check?.checkedOn, review?.checkedOn].filter(Boolean).sort().at(-1) ?? null;
    const lastReviewOn = review?.checkedOn ?? null;
    const nextCheckDue = lastCheckOn ? addDays(lastCheckOn, checkEveryDays) : today;
    const nextReviewDue = lastReviewOn ? addDays(lastReviewOn, reviewEveryDays) : today;
    return {
      lastCheckOn,
      lastReviewOn,
      nextCheckDue,
      nextReviewDue,
      checkOverdue: nextCheckDue <= today,
      reviewOverdue: nextReviewDue <= today,
      checkEveryDays,
      reviewEveryDays,
    };
  }

  async overview(p: Principal) {
    const who = staffOnly(p);
    if (!(await this.mayView(who))) throw new NotFoundError();
    const settings = await settingsOf(this.deps, who.schoolId);
    const [provision, exceptions, checks, schedule] = await Promise.all([
      this.deps.repository.currentProvision(this.db, who.schoolId),
      this.deps.repository.exceptions(this.db, who.schoolId),
      this.deps.repository.checks(this.db, who.schoolId),
      this.schedule(who.schoolId, settings),
    ]);
    const names = await this.deps.people.displayNames(this.db, who.schoolId, {
      staff: [
        ...(provision ? [provision.recordedBy] : []),
        ...checks.map((c) => c.recordedBy),
        ...exceptions.map((e) => e.recordedBy),
      ],
      parents: [],
      pupils: [],
    });
    return {
      provision,
      exceptions,
      checks,
      schedule,
      names: names.staff,
      canRecord: canRecordFiltering(who, settings.roles.ictSignOffRole.value),
      ictRole: settings.roles.ictSignOffRole.value,
      checkRule: settings.conduct.filteringCheckEveryDays,
      reviewRule: settings.conduct.filteringReviewEveryDays,
    };
  }

  async currentProvision(p: Principal): Promise<ProvisionRow | undefined> {
    const who = staffOnly(p);
    if (!(await this.mayView(who))) throw new NotFoundError();
    return this.deps.repository.currentProvision(this.db, who.schoolId);
  }

  private async recorder(p: Principal) {
    const who = staffOnly(p);
    if (!(await this.mayRecord(who))) throw new NotFoundError();
    return who;
  }

  async recordProvision(p: Principal, input: ProvisionInput): Promise<ProvisionRow> {
    const who = await this.recorder(p);
    return this.deps.database.transaction(async (tx) => {
      const row = await this.deps.repository.addProvision(tx.db, {
        schoolId: who.schoolId,
        ...input,
        recordedBy: who.id,
        recordedAt: this.deps.clock.now(),
      });
      await this.deps.audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.filtering-provision-recorded',
        entityType: 'filtering_provision',
        entityId: row.id,
        data: { categories: input.blockedCategories.length },
      });
      return row;
    });
  }

  /** Granted permissions an exception may rest on (social media on the network or devices). */
  async permissionsForExceptions(p: Principal) {
    const who = await this.recorder(p);
    const rows = (await this.deps.permissions.granted(who.schoolId)).filter(
      (r) => r.type === 'school_network_social_media' || r.type === 'school_device_social_media',
    );
    const names = await this.deps.people.displayNames(this.db, who.schoolId, {
      staff: rows.map((r) => r.staffId),
      parents: [],
      pupils: [],
    });
    return rows.map((r) => ({
      ...r,
      staffName: names.staff.get(r.staffId) ?? 'A member of staff',
    }));
  }

  async addException(p: Principal, input: ExceptionInput): Promise<ExceptionRow> {
    const who = await this.recorder(p);
    if (input.permissionId) {
      const perm = await this.deps.permissions.get(who.schoolId, input.permissionId);
      if (!perm || perm.status !== 'granted')
        throw new ValidationError({ permissionId: 'Select a permission that has been granted' });
    }
    if (input.endsOn && input.endsOn < input.startsOn)
      throw new ValidationError({
        'endsOn-day': 'The end date must be on or after the start date',
      });
    return this.deps.database.transaction(async (tx) => {
      const row = await this.deps.repository.addException(tx.db, {
        schoolId: who.schoolId,
        description: input.description,
        permissionId: input.permissionId ?? null,
        startsOn: input.startsOn,
        endsOn: input.endsOn ?? null,
        recordedBy: who.id,
        recordedAt: this.deps.clock.now(),
      });
      await this.deps.audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.filtering-exception-recorded',
        entityType: 'filtering_exception',
        entityId: row.id,
        data: { permissionId: row.permissionId },
      });
      return row;
    });
  }

  async addCheck(p: Principal, input: CheckInput): Promise<CheckRow> {
    const who = await this.recorder(p);
    if (input.checkedOn > ukDate(this.deps.clock.now()))
      throw new ValidationError({
        'checkedOn-day': 'The date of the check must be today or in the past',
      });
    return this.deps.database.transaction(async (tx) => {
      const row = await this.deps.repository.addCheck(tx.db, {
        schoolId: who.schoolId,
        ...input,
        recordedBy: who.id,
        recordedAt: this.deps.clock.now(),
      });
      await this.deps.audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action:
          input.kind === 'review'
            ? 'conduct.filtering-review-recorded'
            : 'conduct.filtering-check-recorded',
        entityType: 'filtering_check',
        entityId: row.id,
        data: { outcome: input.outcome },
      });
      return row;
    });
  }

  /**
   * The filtering and monitoring part of the governors' report (SPEC §3.9; issue 17 item 7: the
   * review feeds the report): the provision, the latest annual review (in `period`, when given:
   * ISO dates, `until` not included) with its findings and who recorded it, the year's checks and
   * the schedule. The findings are the reviewer's own words, for the school's governors; the
   * trust's view of the report does not show them.
   */
  async reviewForGovernors(
    schoolId: string,
    period?: { from: string; until: string },
  ): Promise<FilteringReviewSummary> {
    const repo = this.deps.repository;
    const [provision, review, checks, exceptions, schedule] = await Promise.all([
      repo.currentProvision(this.db, schoolId),
      period
        ? repo.latestReviewBetween(this.db, schoolId, period.from, period.until)
        : repo.latest(this.db, schoolId, 'review'),
      repo.checks(this.db, schoolId, 500),
      repo.exceptions(this.db, schoolId),
      this.schedule(schoolId),
    ]);
    const today = ukDate(this.deps.clock.now());
    const yearAgo = addDays(today, -365);
    const lastYear = checks.filter((c) => c.checkedOn > yearAgo);
    const names = review
      ? await this.deps.people.displayNames(this.db, schoolId, {
          staff: [review.recordedBy],
          parents: [],
          pupils: [],
        })
      : null;
    return {
      provision: provision
        ? {
            filteringProvider: provision.filteringProvider,
            monitoringProvider: provision.monitoringProvider,
            blockedCategories: provision.blockedCategories,
            recordedOn: ukDate(provision.recordedAt),
          }
        : null,
      lastReview: review
        ? {
            checkedOn: review.checkedOn,
            outcome: review.outcome === 'problems_found' ? 'problems_found' : 'working',
            findings: review.findings,
            actions: review.actions,
            recordedBy: names?.staff.get(review.recordedBy) ?? null,
          }
        : null,
      checksInLastYear: lastYear.length,
      checksWithProblemsInLastYear: lastYear.filter((c) => c.outcome === 'problems_found').length,
      exceptionsInForce: exceptions.filter(
        (e) => e.startsOn <= today && (!e.endsOn || e.endsOn >= today),
      ).length,
      schedule,
    };
  }
}
