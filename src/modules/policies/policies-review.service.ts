/**
 * The review dates: the annual review recorded (the next date from the profile's review cycle),
 * a review approved in the lifecycle module's transaction, and the reminder job that emails the
 * Headteacher(s) as the date comes near and once it has passed.
 */
import type { Tx } from '../../platform/db/database.ts';
import { ukDate } from '../../platform/clock.ts';
import { ValidationError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { addDays, addMonths, PolicyPart, type PolicyDeps } from './policies-shared.ts';
import type { PolicyVersions } from './policies-versions.service.ts';

export class PolicyReviews extends PolicyPart {
  constructor(
    deps: PolicyDeps,
    private readonly versions: PolicyVersions,
  ) {
    super(deps);
  }

  /** A review approved (issue 16 item 3): the next review date, in the caller's transaction. */
  async setNextReviewDateIn(tx: Tx, schoolId: string, nextReviewDate: string): Promise<void> {
    const profile = await this.lockProfile(tx, schoolId);
    await this.deps.repository.setCurrent(
      tx.db,
      profile.id,
      profile.currentVersion,
      nextReviewDate,
    );
  }

  /** The annual review is done: record it and set the next date from the review cycle. */
  async markReviewed(schoolId: string, actor: Actor, note: string): Promise<string> {
    const { database, repository, audit, clock } = this.deps;
    if (!note.trim())
      throw new ValidationError({
        reviewNote: 'Summarise the review (who took part, what changed)',
      });
    return database.transaction(async (tx) => {
      const profile = await this.lockProfile(tx, schoolId);
      const settings = await this.settingsIn(tx, schoolId, profile);
      const nextReviewDate = addMonths(ukDate(clock.now()), settings.review.cycleMonths.value);
      await repository.setCurrent(tx.db, profile.id, profile.currentVersion, nextReviewDate);
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.reviewed',
        entityType: 'policy_profile',
        entityId: profile.id,
        data: {
          version: profile.currentVersion,
          nextReviewDate,
          previousReviewDate: profile.nextReviewDate,
        },
      });
      return nextReviewDate;
    });
  }

  /**
   * The policy-review reminder job: emails each school's Headteacher(s) once when the review date
   * is within the profile's reminder window, and once more when it has passed.
   */
  async sendReviewReminders(onlySchoolId?: string): Promise<{ sent: number }> {
    const { database, repository, people, mailer, clock, baseUrl } = this.deps;
    const today = ukDate(clock.now());
    const horizon = addDays(today, 366);
    let sent = 0;
    for (const profile of await repository.profilesDueForReview(
      database.db,
      horizon,
      onlySchoolId,
    )) {
      const { settings } = await this.versions.current(profile.schoolId);
      const windowStart = addDays(
        profile.nextReviewDate,
        -settings.review.reminderDaysBefore.value,
      );
      if (today < windowStart) continue;
      const stage = today > profile.nextReviewDate ? 'overdue' : 'due-soon';
      const heads = await people.staffWithRole(database.db, profile.schoolId, 'headteacher');
      if (heads.length === 0) continue;
      const sentNow = await database.transaction(async (tx) => {
        if (
          !(await repository.recordReminder(tx.db, profile.schoolId, profile.nextReviewDate, stage))
        )
          return false;
        await this.deps.audit.record(tx, {
          schoolId: profile.schoolId,
          actor: { kind: 'system', id: null },
          action: 'policy.review-reminder-sent',
          entityType: 'policy_profile',
          entityId: profile.id,
          data: { stage, reviewDate: profile.nextReviewDate, recipients: heads.length },
        });
        return true;
      });
      if (!sentNow) continue;
      const school = await people.getSchool(database.db, profile.schoolId);
      for (const head of heads) {
        await mailer.send({
          to: head.email,
          subject:
            stage === 'overdue'
              ? `The social media policy review for ${school?.name ?? 'your school'} is overdue`
              : `The social media policy review for ${school?.name ?? 'your school'} is due on ${formatDateInWords(profile.nextReviewDate)}`,
          text: [
            `Dear ${head.givenName},`,
            '',
            stage === 'overdue'
              ? `The annual review of the social media policy was due on ${formatDateInWords(profile.nextReviewDate)} and has not been recorded.`
              : `The annual review of the social media policy is due on ${formatDateInWords(profile.nextReviewDate)}.`,
            `Reviewers named in the policy: ${settings.review.reviewers.value.join(', ')}.`,
            '',
            `Open the policy in Lanyard to review it: ${baseUrl}/policy`,
          ].join('\n'),
        });
        sent++;
      }
    }
    return { sent };
  }
}
