import type { Database } from '../../../platform/db/database.ts';
import { ukDate, type Clock } from '../../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import { systemActor, type Actor, type AuditService } from '../../audit/index.ts';
import { addDays } from '../../policies/index.ts';
import { formatCitation, type PolicySettings } from '../../policies/index.ts';
import type { ConsentService } from '../register/consent.service.ts';
import {
  academicYear,
  academicYearOf,
  recordablePeriods,
  type ConsentPeriod,
} from '../register/consent-rules.ts';
import type { CampaignRow, ConsentCampaignRepository } from './consent-campaign.repository.ts';

/**
 * The yearly campaign opens this many days before the academic year starts (a yearly
 * `consent.model`: consent is obtained "at the beginning of each academic year"; two weeks gives families the end of the
 * summer holiday to answer, and forms for the next year may be recorded from then — the register
 * accepts this year and next).
 */
export const CAMPAIGN_OPENS_DAYS_BEFORE = 14;
/**
 * …and the daily job still opens it up to this many days after the year started (a server that
 * was down on the day catches up). A school that joins later starts its campaign by hand.
 */
export const CAMPAIGN_LATE_START_DAYS = 30;
/** "Send reminders now" skips parents emailed within the last hour (a double click). */
const MANUAL_REMINDER_GAP_MS = 60 * 60 * 1000;

/** How a campaign sends a parent their form (ConsentFormService.sendFormLink). */
export interface FormLinkSender {
  sendFormLink(
    schoolId: string,
    parentId: string,
    options: { reason: 'invitation' | 'reminder'; periodKey: string },
    actor?: Actor,
  ): Promise<'sent' | 'no-email' | 'no-children'>;
}

export interface SendCounts {
  sent: number;
  noEmail: number;
  failed: number;
}

const emptyCounts = (): SendCounts => ({ sent: 0, noEmail: 0, failed: 0 });

/**
 * Year rollover and the renewal campaign (issue 3 item 7). Yearly consents expire by date (their
 * valid_until): the rollover job records that, and opens the next year's campaign — the form to
 * every parent with parental responsibility of every pupil on roll, one email per parent — with
 * reminders to parents whose children have no returned form, and a chaser list for the office.
 * Every step is safe to run twice: one campaign per school and period, one request per parent,
 * and only unsent requests are sent.
 */
export class ConsentCampaignService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: ConsentCampaignRepository;
      consent: ConsentService;
      forms: FormLinkSender;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  private today(): string {
    return ukDate(this.deps.clock.now());
  }

  /**
   * The campaign period the daily job should have open on `today` under a yearly model: the next
   * year from CAMPAIGN_OPENS_DAYS_BEFORE days before it starts, the current year until
   * CAMPAIGN_LATE_START_DAYS after it started; otherwise none.
   */
  static campaignPeriodFor(settings: PolicySettings, today: string): ConsentPeriod | null {
    if (settings.consent.model.value !== 'annual') return null;
    const current = academicYearOf(settings, today);
    const next = academicYear(settings, Number(current.key.slice(0, 4)) + 1);
    if (today >= addDays(next.validFrom, -CAMPAIGN_OPENS_DAYS_BEFORE)) return next;
    if (today < addDays(current.validFrom, CAMPAIGN_LATE_START_DAYS)) return current;
    return null;
  }

  /** The daily `consent.rollover` job, for every school (or one). */
  async rollover(onlySchoolId?: string): Promise<{
    campaignsStarted: number;
    periodsExpired: number;
    invitations: SendCounts;
  }> {
    const { repository, database } = this.deps;
    const out = { campaignsStarted: 0, periodsExpired: 0, invitations: emptyCounts() };
    for (const schoolId of await repository.schoolIds(database.db, onlySchoolId)) {
      const settings = await this.deps.consent.settings(schoolId);
      if (settings.consent.model.value !== 'annual') continue;
      const today = this.today();
      if (await this.recordExpiry(schoolId, settings, today)) out.periodsExpired++;
      const period = ConsentCampaignService.campaignPeriodFor(settings, today);
      if (!period) continue;
      const result = await this.ensureCampaign(schoolId, settings, period, systemActor);
      if (result.created) out.campaignsStarted++;
      if (!result.campaign.closedAt) {
        add(out.invitations, await this.sendInvitations(result.campaign));
      }
    }
    return out;
  }

  /**
   * Once the previous academic year has ended: audit `consent.period-expired` with counts (the
   * records themselves expire by their valid_until and are never rewritten) and close that
   * year's campaign. Once per school and period.
   */
  private async recordExpiry(
    schoolId: string,
    settings: PolicySettings,
    today: string,
  ): Promise<boolean> {
    const { repository, database, audit, clock } = this.deps;
    const current = academicYearOf(settings, today);
    const previous = academicYear(settings, Number(current.key.slice(0, 4)) - 1);
    const db = database.db;
    const campaign = await repository.getByPeriod(db, schoolId, previous.key);
    const counts = await repository.periodCounts(db, schoolId, previous.key);
    if (!campaign && counts.records === 0) return false; // nothing of that year in Lanyard
    return database.transaction(async (tx) => {
      await repository.lockSchool(tx.db, schoolId);
      const seen = await audit.listForSchool(
        schoolId,
        { action: 'consent.period-expired', entityType: 'consent_period' },
        1,
        100,
      );
      if (seen.rows.some((r) => r.entityId === previous.key)) return false;
      const closed = campaign ? await repository.close(tx.db, campaign.id, clock.now()) : false;
      await audit.record(tx, {
        schoolId,
        actor: systemActor,
        action: 'consent.period-expired',
        entityType: 'consent_period',
        entityId: previous.key,
        data: {
          periodKey: previous.key,
          endedOn: previous.validUntil,
          records: counts.records,
          pupils: counts.pupils,
          campaignClosed: closed,
          rule: formatCitation(settings.consent.model.citation),
        },
      });
      return true;
    });
  }

  /**
   * The campaign for a period, created if missing (audited `consent.campaign-started` with
   * counts), with one request for every parent with parental responsibility of a pupil on roll
   * (parents of pupils who joined since are added).
   */
  private async ensureCampaign(
    schoolId: string,
    settings: PolicySettings,
    period: ConsentPeriod,
    actor: Actor,
  ): Promise<{ campaign: CampaignRow; created: boolean; added: number }> {
    const { repository, database, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      await repository.lockSchool(tx.db, schoolId);
      const now = clock.now();
      const today = ukDate(now);
      let campaign = await repository.getByPeriod(tx.db, schoolId, period.key);
      const created = !campaign;
      if (!campaign) {
        campaign = await repository.create(tx.db, {
          schoolId,
          periodKey: period.key,
          validFrom: period.validFrom,
          validUntil: period.validUntil,
          startedAt: now,
          startedBy: actor.kind === 'staff' ? actor.id : null,
          reminderDays: settings.consent.renewalReminderDays.value,
        });
        if (!campaign) throw new ConflictError('The campaign was started at the same moment');
      }
      if (campaign.closedAt) return { campaign, created: false, added: 0 };
      const roll = await repository.rollAndParents(tx.db, schoolId, today);
      const added = await repository.addRequests(tx.db, schoolId, campaign.id, roll.parentIds);
      if (created || added > 0) {
        await audit.record(tx, {
          schoolId,
          actor,
          action: created ? 'consent.campaign-started' : 'consent.campaign-extended',
          entityType: 'consent_campaign',
          entityId: campaign.id,
          data: {
            periodKey: period.key,
            pupilsOnRoll: roll.pupils,
            parents: roll.parentIds.length,
            requestsAdded: added,
            reminderDays: settings.consent.renewalReminderDays.value,
          },
        });
      }
      return { campaign, created, added };
    });
  }

  /** Sends the form to every parent of the campaign not yet sent it (one email per parent). */
  private async sendInvitations(campaign: CampaignRow): Promise<SendCounts> {
    const { repository, database, clock, forms } = this.deps;
    const counts = emptyCounts();
    const claimed = await repository.claimUnsent(database.db, campaign.id, clock.now());
    for (const request of claimed) {
      let result: Awaited<ReturnType<FormLinkSender['sendFormLink']>> | 'failed';
      try {
        result = await forms.sendFormLink(campaign.schoolId, request.parentId, {
          reason: 'invitation',
          periodKey: campaign.periodKey,
        });
      } catch {
        result = 'failed';
      }
      if (result === 'sent') counts.sent++;
      else {
        // Left unsent: the next run tries again (an email address may have been added).
        await repository.unclaimInvitation(database.db, request.id);
        if (result === 'failed') counts.failed++;
        else counts.noEmail++;
      }
    }
    return counts;
  }

  /**
   * The daily `consent.renewal-reminders` job: for each open campaign, completes the requests of
   * parents whose children all have a returned form, and reminds the others whose last email was
   * at least `consent.renewalReminderDays` days ago.
   */
  async sendReminders(onlySchoolId?: string): Promise<{ reminded: SendCounts; completed: number }> {
    const { repository, database } = this.deps;
    const out = { reminded: emptyCounts(), completed: 0 };
    for (const campaign of await repository.openCampaigns(database.db, onlySchoolId)) {
      const settings = await this.deps.consent.settings(campaign.schoolId);
      const days = settings.consent.renewalReminderDays.value;
      const now = this.deps.clock.now();
      const r = await this.remind(campaign, new Date(now.getTime() - days * 86_400_000));
      add(out.reminded, r.reminded);
      out.completed += r.completed;
    }
    return out;
  }

  private async remind(
    campaign: CampaignRow,
    cutoff: Date,
  ): Promise<{ reminded: SendCounts; completed: number }> {
    const { repository, database, clock, forms } = this.deps;
    const now = clock.now();
    const today = ukDate(now);
    const completed = await repository.completeReturned(database.db, campaign, now, today);
    const reminded = emptyCounts();
    const due = await repository.claimReminders(database.db, campaign, cutoff, now, today);
    for (const request of due) {
      let result: Awaited<ReturnType<FormLinkSender['sendFormLink']>> | 'failed';
      try {
        result = await forms.sendFormLink(campaign.schoolId, request.parentId, {
          reason: 'reminder',
          periodKey: campaign.periodKey,
        });
      } catch {
        result = 'failed';
      }
      if (result === 'sent') reminded.sent++;
      else {
        await repository.unclaimReminder(database.db, request.id, request.previous);
        if (result === 'failed') reminded.failed++;
        else reminded.noEmail++;
      }
    }
    return { reminded, completed };
  }

  // -------------------------------------------------------------------------------------------
  // The office's pages

  /** The periods a campaign may be started for by hand today. */
  async startablePeriods(schoolId: string): Promise<ConsentPeriod[]> {
    return this.deps.consent.recordablePeriods(schoolId);
  }

  /**
   * "Start renewal campaign now" (the admission model, or a school joining mid-year): the same
   * as the job, for a period that may be recorded today. Starting an open campaign again sends
   * the form to parents of pupils who joined since.
   */
  async startNow(
    schoolId: string,
    actor: Actor,
    periodKey: string,
  ): Promise<{ campaignId: string; created: boolean; invitations: SendCounts }> {
    const settings = await this.deps.consent.settings(schoolId);
    const period = recordablePeriods(settings, this.today()).find((p) => p.key === periodKey);
    if (!period) throw new ValidationError({ periodKey: 'Choose a school year from the list' });
    const result = await this.ensureCampaign(schoolId, settings, period, actor);
    if (result.campaign.closedAt) {
      throw new ValidationError({ periodKey: 'The campaign for this period has closed' });
    }
    const invitations = await this.sendInvitations(result.campaign);
    return { campaignId: result.campaign.id, created: result.created, invitations };
  }

  /** "Send reminders now": every parent still waited on, except those emailed in the last hour. */
  async remindNow(schoolId: string, actor: Actor, campaignId: string): Promise<SendCounts> {
    const { repository, database, audit, clock } = this.deps;
    const campaign = await repository.get(database.db, schoolId, campaignId);
    if (!campaign) throw new NotFoundError();
    if (campaign.closedAt) throw new ConflictError('This campaign has closed.');
    const result = await this.remind(
      campaign,
      new Date(clock.now().getTime() - MANUAL_REMINDER_GAP_MS),
    );
    await database.transaction(async (tx) => {
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'consent.reminders-sent',
        entityType: 'consent_campaign',
        entityId: campaign.id,
        data: { ...result.reminded, completed: result.completed },
      });
    });
    return result.reminded;
  }

  async list(schoolId: string) {
    return this.deps.repository.listWithProgress(this.deps.database.db, schoolId, this.today());
  }

  /** The campaign for a period (open or closed), or null when none has been started. */
  async forPeriod(schoolId: string, periodKey: string) {
    return (
      (await this.deps.repository.getByPeriod(this.deps.database.db, schoolId, periodKey)) ?? null
    );
  }

  /** The chaser list: pupils on roll with no returned form, by class, with parents and reminders. */
  async chaser(schoolId: string, campaignId: string) {
    const { repository, database } = this.deps;
    const campaign = await repository.get(database.db, schoolId, campaignId);
    if (!campaign) throw new NotFoundError();
    const today = this.today();
    const [progress, pupils, settings] = await Promise.all([
      repository.progress(database.db, campaign, today),
      repository.chaserList(database.db, campaign, today),
      this.deps.consent.settings(schoolId),
    ]);
    const classes = new Map<string, typeof pupils>();
    for (const p of pupils) {
      const key = p.className ?? 'No class';
      classes.set(key, [...(classes.get(key) ?? []), p]);
    }
    return {
      campaign,
      progress,
      classes: [...classes.entries()].map(([name, list]) => ({ name, pupils: list })),
      missing: pupils.length,
      reminderDays: settings.consent.renewalReminderDays.value,
      reminderCitation: formatCitation(settings.consent.renewalReminderDays.citation),
    };
  }
}

function add(into: SendCounts, more: SendCounts): void {
  into.sent += more.sent;
  into.noEmail += more.noEmail;
  into.failed += more.failed;
}
