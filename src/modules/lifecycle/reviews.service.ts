import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import type { IncidentsService } from '../incidents/index.ts';
import { addMonths, type PolicyService } from '../policies/index.ts';
import type { LifecycleRepository, PolicyReviewRow } from './lifecycle.repository.ts';

export type { PolicyReviewRow };

/** Whether the profile asks for an early review now, and why (counts only, no names). */
export interface EarlyReview {
  due: boolean;
  /** The profile's rule (review.reviewAfterIncidents) is on. */
  ruleOn: boolean;
  significantIncidents: number;
  since: Date | null;
}

const realDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) &&
  !Number.isNaN(Date.parse(s)) &&
  new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/**
 * Policy reviews (issue 16 item 3): a review record (who met, when, what was decided, which
 * versions it published), approved by one of the profile's reviewers (review.reviewers), which
 * sets the next review date (the review cycle from the meeting, or the date they choose); and
 * the early review the profile asks for after significant incidents (review.reviewAfterIncidents).
 */
export class PolicyReviewService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: LifecycleRepository;
      policies: Pick<PolicyService, 'current' | 'setNextReviewDateIn'>;
      /** The named responsibilities a member of staff holds now (review.reviewerResponsibilities). */
      responsibilitiesHeld: (schoolId: string, staffId: string) => Promise<string[]>;
      /** Read lazily: incidents are wired after the policies. */
      incidents: () => Pick<IncidentsService, 'significantSince'>;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  async list(schoolId: string): Promise<PolicyReviewRow[]> {
    return this.deps.repository.reviews(this.deps.database.db, schoolId);
  }

  async get(schoolId: string, id: string): Promise<PolicyReviewRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError();
    const row = await this.deps.repository.review(this.deps.database.db, schoolId, id);
    if (!row) throw new NotFoundError();
    return row;
  }

  /**
   * Whether this person reviews the policy: one of their roles is a reviewer role of the profile
   * (review.reviewers), or they hold one of its reviewer responsibilities now
   * (review.reviewerResponsibilities, e.g. an E-Safety Co-ordinator).
   */
  async isReviewer(p: StaffPrincipal): Promise<boolean> {
    const { settings } = await this.deps.policies.current(p.schoolId);
    const reviewers = settings.review.reviewers.value as string[];
    if (p.roles.some((r) => reviewers.includes(r))) return true;
    const keys = settings.review.reviewerResponsibilities.value;
    if (keys.length === 0) return false;
    const held = await this.deps.responsibilitiesHeld(p.schoolId, p.id);
    return keys.some((k) => held.includes(k));
  }

  /**
   * The early review: with review.reviewAfterIncidents on, any significant incident reported since
   * the last approved review (or in the last year, before any) makes a review due now.
   */
  async earlyReview(schoolId: string): Promise<EarlyReview> {
    const { settings } = await this.deps.policies.current(schoolId);
    const ruleOn = settings.review.reviewAfterIncidents.value;
    const last = await this.deps.repository.lastApproved(this.deps.database.db, schoolId);
    const since =
      last?.approvedAt ?? new Date(this.deps.clock.now().getTime() - 365 * 24 * 3600 * 1000);
    const { count } = await this.deps.incidents().significantSince(schoolId, since);
    return { due: ruleOn && count > 0, ruleOn, significantIncidents: count, since };
  }

  /** Records a review meeting (a reviewer of the profile). */
  async record(
    who: StaffPrincipal,
    input: {
      reason: 'scheduled' | 'early';
      metOn: string;
      attendees: string;
      decisions: string;
      versions: number[];
    },
  ): Promise<PolicyReviewRow> {
    if (!(await this.isReviewer(who))) throw new NotFoundError();
    const today = ukDate(this.deps.clock.now());
    const current = await this.deps.policies.current(who.schoolId);
    const errors: FieldErrors = {};
    if (!realDate(input.metOn)) errors.metOn = 'Enter a real date for the meeting';
    else if (input.metOn > today) errors.metOn = 'The meeting date must be today or in the past';
    if (!input.attendees.trim()) errors.attendees = 'Say who met to review the policy';
    if (!input.decisions.trim()) errors.decisions = 'Say what the review decided';
    const bad = input.versions.find((v) => !Number.isInteger(v) || v < 1 || v > current.version);
    if (bad !== undefined) errors.versions = `There is no version ${bad} of the policy`;
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const { database, repository, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const row = await repository.insertReview(tx.db, {
        schoolId: who.schoolId,
        reason: input.reason,
        metOn: input.metOn,
        attendees: input.attendees.trim(),
        decisions: input.decisions.trim(),
        versions: [...new Set(input.versions)].sort((a, b) => a - b),
        recordedBy: who.id,
        recordedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'policy.review-recorded',
        entityType: 'policy_review',
        entityId: row.id,
        data: { reason: input.reason, metOn: input.metOn, versions: row.versions },
      });
      return row;
    });
  }

  /**
   * A reviewer approves the review: the next review date is the cycle from the meeting (or the
   * date chosen, in the future), set on the profile in the same transaction. Once only.
   */
  async approve(
    who: StaffPrincipal,
    id: string,
    input: { nextReviewDate?: string | undefined },
  ): Promise<string> {
    const review = await this.get(who.schoolId, id);
    if (!(await this.isReviewer(who))) throw new NotFoundError();
    const { settings } = await this.deps.policies.current(who.schoolId);
    const today = ukDate(this.deps.clock.now());
    const next = input.nextReviewDate?.trim()
      ? input.nextReviewDate.trim()
      : addMonths(review.metOn, settings.review.cycleMonths.value);
    if (!realDate(next)) throw new ValidationError({ nextReviewDate: 'Enter a real date' });
    if (next <= today)
      throw new ValidationError({ nextReviewDate: 'The next review date must be in the future' });
    const { database, repository, policies, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const locked = await repository.reviewForUpdate(tx.db, who.schoolId, id);
      if (!locked) throw new NotFoundError();
      if (locked.approvedAt) throw new ConflictError('This review has already been approved.');
      await repository.approveReview(tx.db, who.schoolId, id, {
        approvedBy: who.id,
        approvedAt: clock.now(),
        nextReviewDate: next,
      });
      await policies.setNextReviewDateIn(tx, who.schoolId, next);
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'policy.review-approved',
        entityType: 'policy_review',
        entityId: id,
        data: { nextReviewDate: next },
      });
      return next;
    });
  }
}
