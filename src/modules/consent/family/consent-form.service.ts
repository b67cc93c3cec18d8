import type { Database } from '../../../platform/db/database.ts';
import { ukDate, type Clock } from '../../../platform/clock.ts';
import type { Mailer } from '../../../platform/mail/mailer.ts';
import type { JobQueue } from '../../../platform/jobs/queue.ts';
import type { JobRegistry as JobPayloads } from '../../registry.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { systemActor, type Actor, type AuditService } from '../../audit/index.ts';
import type { AuthService } from '../../auth/index.ts';
import type { PeopleService } from '../../people/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import type { ConsentRepository } from '../register/consent.repository.ts';
import type { ConsentRecordKind, ConsentService } from '../register/consent.service.ts';
import {
  consentKeysFor,
  recordablePeriods,
  type ConsentPeriod,
  type PupilConsentFacts,
} from '../register/consent-rules.ts';
import type { ConsentFormRepository, DraftKey } from './consent-form.repository.ts';
import { formatDateTimeInWords } from '../../../web/dates.ts';
import { ConsentReceipts, type ReceiptRemoval } from './consent-receipts.ts';
import {
  allQuestions,
  answersToDecisions,
  decisionsToAnswers,
  formQuestions,
} from './consent-form.forms.ts';

export {
  jsonReceipt,
  receiptText,
  type ConsentReceipt,
  type ReceiptPurpose,
} from './consent-receipts.ts';

/** A parent, or a pupil deciding for themself: whoever is filling in the form. */
export interface FormPrincipal {
  kind: 'parent' | 'pupil';
  id: string;
  schoolId: string;
  name: string;
}

export type FormLinkReason = 'invitation' | 'reminder' | 'requested';
export type FormLinkResult = 'sent' | 'no-email' | 'no-children';
export type FormStatus = 'not_started' | 'in_progress' | 'done';

export const formStatusLabels: Record<FormStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  done: 'Done',
};

/** When the receipt email's job runs if the attempt right after the commit has not sent it (s). */
const RECEIPT_EMAIL_JOB_DELAY_S = 60;

/** How long an emailed form link lasts: a week, so a busy parent can open it at the weekend. */
export const FORM_LINK_TTL_MINUTES = 7 * 24 * 60;

function firstNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The latest decision per key by one decider in one period, from the register's facts. */
function ownDecisions(
  facts: PupilConsentFacts | undefined,
  decider: FormPrincipal,
  periodKey: string,
): {
  decisions: Record<string, string>;
  lastRecordId: string | null;
  lastDecidedOn: string | null;
  ids: Set<string>;
} {
  const mine = (facts?.records ?? [])
    .filter(
      (r) =>
        r.periodKey === periodKey &&
        (decider.kind === 'parent'
          ? r.deciderKind === 'parent' && r.deciderParentId === decider.id
          : r.deciderKind === 'pupil'),
    )
    .sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
  const decisions: Record<string, string> = {};
  for (const r of mine) Object.assign(decisions, r.decisions);
  const last = mine.at(-1);
  return {
    decisions,
    lastRecordId: last?.id ?? null,
    lastDecidedOn: last?.decidedOn ?? null,
    ids: new Set(mine.map((r) => r.id)),
  };
}

/** What the family's form and its receipts are built from. */
export interface ConsentFormDeps {
  database: Database;
  repository: ConsentFormRepository;
  consentRepository: ConsentRepository;
  consent: ConsentService;
  people: PeopleService;
  policies: PolicyService;
  auth: AuthService;
  audit: AuditService;
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  jobs: Pick<JobQueue<JobPayloads>, 'enqueue'>;
  /**
   * What comes down because of a statement (publishing's takedown, looked up when a receipt is
   * shown): by channel, for a withdrawal's receipt. Absent: the receipt says nothing about it.
   */
  removals?: (schoolId: string, pupilId: string, since: Date) => Promise<ReceiptRemoval[]>;
}

/**
 * The parents' online consent form (issue 3 item 4): emailed one-time links, answers saved as
 * drafts per child, check answers, submit as a consent record (through ConsentService.record,
 * so it is audited and emits consent.changed), a confirmation email and a receipt, also as JSON.
 */
export class ConsentFormService {
  private readonly receipts: ConsentReceipts;

  constructor(private readonly deps: ConsentFormDeps) {
    this.receipts = new ConsentReceipts(deps);
  }

  // Receipts (consent-receipts.ts)

  sendReceiptEmail(...a: Parameters<ConsentReceipts['sendReceiptEmail']>) {
    return this.receipts.sendReceiptEmail(...a);
  }
  receiptByReference(...a: Parameters<ConsentReceipts['receiptByReference']>) {
    return this.receipts.receiptByReference(...a);
  }
  receipt(...a: Parameters<ConsentReceipts['receipt']>) {
    return this.receipts.receipt(...a);
  }

  // The form

  private get db() {
    return this.deps.database.db;
  }

  private today(): string {
    return ukDate(this.deps.clock.now());
  }

  /**
   * The periods a family can answer for now: the current one, and next year's while the school's
   * renewal campaign for it is open.
   */
  private async visiblePeriods(
    schoolId: string,
    settings: PolicySettings,
  ): Promise<ConsentPeriod[]> {
    const periods = recordablePeriods(settings, this.today());
    if (periods.length < 2) return periods;
    const open = new Set(await this.deps.repository.openCampaignPeriods(this.db, schoolId));
    return periods.filter((p, i) => i === 0 || open.has(p.key));
  }

  /** The children this person may answer for: a parent's children, or a competent pupil. */
  private async childrenFor(principal: FormPrincipal, settings: PolicySettings) {
    const today = this.today();
    if (principal.kind === 'parent') {
      const rows = await this.deps.consent.childrenOf(principal.schoolId, principal.id);
      return rows.filter((c) => c.leavingDate === null || c.leavingDate > today);
    }
    const family = await this.deps.consentRepository.pupilWithParents(
      this.db,
      principal.schoolId,
      principal.id,
    );
    if (!family) return [];
    const { pupil } = family;
    if (pupil.leavingDate !== null && pupil.leavingDate <= today) return [];
    if (!settings.consent.competentPupilMayConsent.value) return [];
    const facts = await this.facts(principal.schoolId, [pupil.id]);
    if (!facts.get(pupil.id)?.competent) return [];
    return [
      {
        id: pupil.id,
        givenName: pupil.givenName,
        familyName: pupil.familyName,
        yearGroup: pupil.yearGroup,
        className: pupil.className,
        leavingDate: pupil.leavingDate,
      },
    ];
  }

  private facts(schoolId: string, pupilIds: string[]) {
    return this.deps.consentRepository.factsFor(this.db, schoolId, pupilIds, this.deps.clock.now());
  }

  private draftKey(principal: FormPrincipal, pupilId: string, periodKey: string): DraftKey {
    return {
      schoolId: principal.schoolId,
      pupilId,
      deciderKind: principal.kind,
      deciderId: principal.id,
      periodKey,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Links

  /**
   * Emails a parent a one-time link to their consent form: plain and friendly, naming the school
   * and their children's first names only. Audited (`consent.form-link-sent`). Returns
   * 'no-email' or 'no-children' (nothing sent) when there is no one to write to or about.
   */
  async sendFormLink(
    schoolId: string,
    parentId: string,
    options: { reason: FormLinkReason; periodKey: string },
    actor: Actor = systemActor,
  ): Promise<FormLinkResult> {
    const { parent } = await this.deps.people.parentRecord(schoolId, parentId);
    const settings = await this.deps.consent.settings(schoolId);
    const period = recordablePeriods(settings, this.today()).find(
      (p) => p.key === options.periodKey,
    );
    if (!period) throw new ValidationError({ periodKey: 'Choose this school year or the next' });
    const children = await this.childrenFor(
      { kind: 'parent', id: parentId, schoolId, name: '' },
      settings,
    );
    if (children.length === 0) return 'no-children';
    if (!parent.email) return 'no-email';
    const expiresAt = new Date(this.deps.clock.now().getTime() + FORM_LINK_TTL_MINUTES * 60_000);
    const url = await this.deps.database.transaction(async (tx) => {
      const link = await this.deps.auth.createSignInLink(tx.db, {
        schoolId,
        principalKind: 'parent',
        principalId: parentId,
        nextPath: '/consent/family',
        ttlMinutes: FORM_LINK_TTL_MINUTES,
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor,
        action: 'consent.form-link-sent',
        entityType: 'parent',
        entityId: parentId,
        data: { reason: options.reason, periodKey: period.key, children: children.length },
      });
      return link;
    });
    const school = await this.deps.people.schoolName(schoolId);
    const names = firstNames(children.map((c) => c.givenName));
    const opening: Record<FormLinkReason, string> = {
      invitation: `It is time to tell us about photos and videos of ${names}${period.validUntil ? ` for the ${period.label}` : ''}.`,
      reminder: `This is a friendly reminder: we have not yet had your answers about photos and videos of ${names}.`,
      requested: `Here is the link to your photo and video consent form for ${names}, as asked.`,
    };
    await this.deps.mailer.send({
      to: parent.email,
      subject: `Photos and videos of ${names}: your consent form from ${school}`,
      text: [
        `Hello ${parent.givenName},`,
        '',
        opening[options.reason],
        '',
        `The form asks where ${school} may use pictures of your ${children.length === 1 ? 'child' : 'children'}: for example on the classroom wall, on the website or in the local paper. You can say yes to some and no to others. It takes about five minutes and works on a phone.`,
        '',
        'Open your form:',
        url,
        '',
        `The link works once and lasts until ${formatDateTimeInWords(expiresAt)}. If it has expired, open it anyway and ask for a new one.`,
        `Until we have your answers we will not use pictures of ${children.length === 1 ? 'your child' : 'your children'}. You can change your answers at any time.`,
        '',
        school,
      ].join('\n'),
    });
    return 'sent';
  }

  // -------------------------------------------------------------------------------------------
  // Pages

  /** The family page: each child with their status per period, or why a pupil cannot decide. */
  async family(principal: FormPrincipal) {
    const settings = await this.deps.consent.settings(principal.schoolId);
    const [periods, children] = await Promise.all([
      this.visiblePeriods(principal.schoolId, settings),
      this.childrenFor(principal, settings),
    ]);
    const ids = children.map((c) => c.id);
    const [facts, drafts] = await Promise.all([
      this.facts(principal.schoolId, ids),
      this.deps.repository.draftsFor(
        this.db,
        principal.schoolId,
        principal.kind,
        principal.id,
        ids,
      ),
    ]);
    const keys = consentKeysFor(settings);
    return {
      settings,
      periods,
      pupilMayDecide: settings.consent.competentPupilMayConsent.value,
      children: children.map((child) => ({
        child,
        periods: periods.map((period) => {
          const own = ownDecisions(facts.get(child.id), principal, period.key);
          const answered = keys.filter(
            (k) => own.decisions[k] === 'granted' || own.decisions[k] === 'refused',
          ).length;
          const hasDraft = drafts.some((d) => d.pupilId === child.id && d.periodKey === period.key);
          // Someone else with a say (the other parent, or the pupil) has answered for this period.
          const othersAnswered = (facts.get(child.id)?.records ?? []).some(
            (r) => r.periodKey === period.key && !own.ids.has(r.id),
          );
          const status: FormStatus =
            hasDraft || (answered > 0 && answered < keys.length)
              ? 'in_progress'
              : answered === keys.length
                ? 'done'
                : 'not_started';
          return {
            period,
            status,
            statusLabel: formStatusLabels[status],
            lastDecidedOn: own.lastDecidedOn,
            lastRecordId: own.lastRecordId,
            othersAnswered,
          };
        }),
      })),
    };
  }

  /**
   * The forms this person still has to fill in or finish, for their home page: each child and
   * period they have started and not sent, or that nobody has answered yet (a form the other
   * parent has returned is not waiting for this one; they can still answer from the family
   * page). A competent pupil's own form counts.
   */
  async formsWaiting(principal: FormPrincipal) {
    const family = await this.family(principal);
    const waiting = family.children.flatMap((entry) =>
      entry.periods
        .filter(
          (p) => p.status === 'in_progress' || (p.status === 'not_started' && !p.othersAnswered),
        )
        .map((p) => ({
          child: entry.child,
          period: p.period,
          started: p.status === 'in_progress',
          href: `/consent/family/${entry.child.id}/${encodeURIComponent(p.period.key)}`,
        })),
    );
    const names = [...new Set(waiting.map((w) => w.child.givenName))];
    return {
      waiting,
      /** "Amelia", "Amelia and Noah": whose forms are waiting. */
      names: firstNames(names),
      showPeriods: family.periods.length > 1,
      /** Whether this person answers for anyone at all (a parent's children, or themself). */
      answersForSomeone: family.children.length > 0,
    };
  }

  /**
   * One child's form for one period: the questions, the answers to prefill (the unconfirmed
   * draft, else this person's current answers) and what they said before. Someone else's child,
   * another school's pupil or a period not open is a NotFoundError, exactly like a missing one.
   */
  async childForm(principal: FormPrincipal, pupilId: string, periodKey: string) {
    const settings = await this.deps.consent.settings(principal.schoolId);
    const [periods, children] = await Promise.all([
      this.visiblePeriods(principal.schoolId, settings),
      this.childrenFor(principal, settings),
    ]);
    const child = children.find((c) => c.id === pupilId);
    const period = periods.find((p) => p.key === periodKey);
    if (!child || !period) throw new NotFoundError();
    const [facts, draft] = await Promise.all([
      this.facts(principal.schoolId, [pupilId]),
      this.deps.repository.getDraft(this.db, this.draftKey(principal, pupilId, periodKey)),
    ]);
    const f = facts.get(pupilId);
    const own = ownDecisions(f, principal, periodKey);
    const groups = formQuestions(settings, child.givenName);
    const previous = decisionsToAnswers(groups, own.decisions);
    const c = settings.consent;
    return {
      child,
      period,
      settings,
      groups,
      previous,
      values: draft ? { ...draft.answers } : { ...previous },
      draft: draft ?? null,
      hasPrevious: own.lastRecordId !== null,
      lastRecordId: own.lastRecordId,
      lastDecidedOn: own.lastDecidedOn,
      /** A parent's answers do not decide while the child, assessed as competent, decides. */
      childDecides:
        principal.kind === 'parent' && c.competentPupilMayConsent.value && (f?.competent ?? false),
      /** Whether the school takes down earlier posts after a withdrawal, where it can. */
      takedown: c.takedownWherePracticable.value,
    };
  }

  /** Saves one child's answers (all questions answered: the route validated them) as a draft. */
  async saveDraft(
    principal: FormPrincipal,
    pupilId: string,
    periodKey: string,
    answers: Record<string, string>,
  ): Promise<void> {
    const form = await this.childForm(principal, pupilId, periodKey);
    const clean: Record<string, string> = {};
    const errors: Record<string, string> = {};
    for (const q of allQuestions(form.groups)) {
      const a = answers[q.field];
      if (a === 'yes' || a === 'no') clean[q.field] = a;
      else errors[q.field] = q.required;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await this.deps.repository.upsertDraft(
      this.db,
      this.draftKey(principal, pupilId, periodKey),
      clean,
      this.deps.clock.now(),
    );
  }

  /**
   * Check answers: the draft's answers per question, and which differ from what this person said
   * before. Null when there is no draft (the route sends them back to the questions).
   */
  async checkAnswers(principal: FormPrincipal, pupilId: string, periodKey: string) {
    const form = await this.childForm(principal, pupilId, periodKey);
    if (!form.draft) return null;
    const answers = form.draft.answers;
    const missing = allQuestions(form.groups).filter(
      (q) => answers[q.field] !== 'yes' && answers[q.field] !== 'no',
    );
    const withdrawn = allQuestions(form.groups).filter(
      (q) => form.previous[q.field] === 'yes' && answers[q.field] === 'no',
    );
    return { ...form, answers, complete: missing.length === 0, withdrawn };
  }

  /**
   * Confirms the draft: records it in the register (method online form; a withdrawal when it
   * turns an earlier yes into no, an amendment when it changes anything else), deletes the
   * draft, and emails the receipt. Returns the record id, or null when there was no draft.
   */
  async submit(
    principal: FormPrincipal,
    pupilId: string,
    periodKey: string,
  ): Promise<string | null> {
    const check = await this.checkAnswers(principal, pupilId, periodKey);
    if (!check) return null;
    if (!check.complete) {
      throw new ValidationError(
        Object.fromEntries(
          allQuestions(check.groups)
            .filter((q) => check.answers[q.field] !== 'yes' && check.answers[q.field] !== 'no')
            .map((q) => [q.field, q.required]),
        ),
      );
    }
    const decisions = answersToDecisions(check.groups, check.answers);
    const facts = await this.facts(principal.schoolId, [pupilId]);
    const before = ownDecisions(facts.get(pupilId), principal, periodKey).decisions;
    const changed = Object.entries(decisions).filter(([k, v]) => before[k] !== v);
    const kind: ConsentRecordKind =
      Object.keys(before).length === 0
        ? 'form'
        : changed.some(([k, v]) => v === 'refused' && before[k] === 'granted')
          ? 'withdrawal'
          : changed.length > 0
            ? 'amendment'
            : 'form';
    const result = await this.deps.consent.record(
      {
        schoolId: principal.schoolId,
        pupilId,
        periodKey: check.period.key,
        decider:
          principal.kind === 'parent'
            ? { kind: 'parent', parentId: principal.id }
            : { kind: 'pupil' },
        decisions,
        method: 'online_form',
        kind,
        decidedOn: this.today(),
      },
      { kind: principal.kind, id: principal.id },
      {
        // The receipt email is a job committed with the record: if the mail server is down, or
        // the process stops before it sends, the job sends it a minute later (and retries).
        inTransaction: (tx, recordId) =>
          this.deps.jobs
            .enqueue(
              'consent.receipt-email',
              { recordId, schoolId: principal.schoolId },
              { tx, startAfter: RECEIPT_EMAIL_JOB_DELAY_S },
            )
            .then(() => undefined),
      },
    );
    await this.deps.repository.deleteDraft(this.db, this.draftKey(principal, pupilId, periodKey));
    // The decision is committed: a mail server that is down must not turn it into an error page.
    // The confirmation page shows the same receipt, and it can be downloaded at any time.
    await this.sendReceiptEmail(principal.schoolId, result.recordId).catch(() => undefined);
    return result.recordId;
  }
}
