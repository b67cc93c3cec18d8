import type { Database } from '../../../platform/db/database.ts';
import { ukDate, type Clock } from '../../../platform/clock.ts';
import type { Mailer } from '../../../platform/mail/mailer.ts';
import type { JobQueue } from '../../../platform/jobs/queue.ts';
import type { JobRegistry as JobPayloads } from '../../registry.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { systemActor, type Actor, type AuditService } from '../../audit/audit.service.ts';
import type { AuthService } from '../../auth/auth.service.ts';
import type { PeopleService } from '../../people/people.service.ts';
import type { PolicyService } from '../../policies/policies.service.ts';
import {
  formatCitation,
  type PolicySettings,
  type RuleValue,
} from '../../policies/policy-settings.ts';
import type { ConsentRepository } from '../register/consent.repository.ts';
import type { ConsentRecordKind, ConsentService } from '../register/consent.service.ts';
import {
  consentDecisionLabels,
  consentKeysFor,
  consentKindLabels,
  consentMethodLabels,
  parseConsentKey,
  recordablePeriods,
  type ConsentDecision,
  type ConsentMethod,
  type ConsentPeriod,
  type PupilConsentFacts,
} from '../register/consent-rules.ts';
import type { ConsentFormRepository, DraftKey } from './consent-form.repository.ts';
import { formatDateInWords, formatDateTimeInWords } from '../../../web/dates.ts';
import { formatReceiptReference } from '../register/receipt-reference.ts';
import {
  allQuestions,
  answersToDecisions,
  decisionsToAnswers,
  formQuestions,
} from './consent-form.forms.ts';

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

export interface ReceiptPurpose {
  key: string;
  label: string;
  rows: { kind: string; label: string; decision: string; decisionLabel: string }[];
}

export interface ConsentReceipt {
  recordId: string;
  /** The reference a person can read out over the phone, "K7M4-Q2PX". */
  reference: string;
  recordedAt: Date;
  decidedOn: string;
  kind: ConsentRecordKind;
  kindLabel: string;
  method: ConsentMethod;
  methodLabel: string;
  school: { id: string; name: string };
  pupil: { id: string; givenName: string; familyName: string };
  decider: { kind: 'parent' | 'pupil'; id: string; name: string };
  period: { key: string; label: string; validFrom: string; validUntil: string | null };
  policyVersion: number;
  purposes: ReceiptPurpose[];
  clauses: { text: string; citation: string }[];
}

const kindLabels: Record<ConsentRecordKind, string> = {
  form: 'Consent form',
  amendment: 'Change to consent',
  withdrawal: 'Withdrawal of consent',
  import: 'Imported record',
};

function periodLabel(key: string, validFrom: string): string {
  if (key === 'admission') return `From ${formatDateInWords(validFrom)} until changed`;
  const first = Number(key.slice(0, 4));
  return `${first} to ${first + 1} school year`;
}

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

/**
 * The parents' online consent form (issue 3 item 4): emailed one-time links, answers saved as
 * drafts per child, check answers, submit as a consent record (through ConsentService.record,
 * so it is audited and emits consent.changed), a confirmation email and a receipt, also as JSON.
 */
export class ConsentFormService {
  constructor(
    private readonly deps: {
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
    },
  ) {}

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
      const rows = await this.deps.consentRepository.childrenOfParent(
        this.db,
        principal.schoolId,
        principal.id,
      );
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

  /**
   * The confirmation email of an online statement: the receipt in plain text, to the decider's
   * address, once (the job `consent.receipt-email` and the attempt right after the commit both
   * call this; whichever claims it first sends it). Safe to run twice.
   */
  async sendReceiptEmail(schoolId: string, recordId: string): Promise<void> {
    const record = await this.deps.consentRepository.getRecord(this.db, schoolId, recordId);
    if (!record || record.method !== 'online_form') return;
    const principal: FormPrincipal =
      record.deciderKind === 'parent'
        ? { kind: 'parent', id: record.deciderParentId!, schoolId, name: '' }
        : { kind: 'pupil', id: record.pupilId, schoolId, name: '' };
    await this.deps.database.transaction(async (tx) => {
      const claimed = await this.deps.repository.claimReceiptEmail(
        tx.db,
        schoolId,
        recordId,
        this.deps.clock.now(),
      );
      if (claimed) await this.sendConfirmation(principal, recordId);
    });
  }

  /** The confirmation email: the receipt in plain text, to the decider's address. */
  private async sendConfirmation(principal: FormPrincipal, recordId: string): Promise<void> {
    const receipt = await this.receipt(principal, recordId);
    const to =
      principal.kind === 'parent'
        ? (await this.deps.people.parentRecord(principal.schoolId, principal.id)).parent.email
        : (
            await this.deps.consentRepository.pupilWithParents(
              this.db,
              principal.schoolId,
              principal.id,
            )
          )?.pupil.email;
    if (!to) return;
    await this.deps.mailer.send({
      to,
      subject: `Your answers about photos and videos of ${receipt.pupil.givenName} – ${receipt.school.name}`,
      text: receiptText(receipt, this.deps.baseUrl),
    });
  }

  /**
   * The school office's search: the receipt with this reference (as typed: "k7m4 q2px" will do)
   * in the staff member's school, or null when there is none. The caller has checked that they
   * may see the whole register. Staff see it as the decider does, with the pupil's register page.
   */
  async receiptByReference(schoolId: string, reference: string): Promise<ConsentReceipt | null> {
    const recordId = await this.deps.repository.recordIdByReference(this.db, schoolId, reference);
    if (!recordId) return null;
    const record = await this.deps.consentRepository.getRecord(this.db, schoolId, recordId);
    if (!record) return null;
    return this.buildReceipt(
      record.deciderKind === 'parent'
        ? { kind: 'parent', id: record.deciderParentId!, schoolId, name: '' }
        : { kind: 'pupil', id: record.pupilId, schoolId, name: '' },
      record,
    );
  }

  /** A receipt, for the person who made the statement only (anyone else: NotFoundError). */
  async receipt(principal: FormPrincipal, recordId: string): Promise<ConsentReceipt> {
    const record = await this.deps.consentRepository.getRecord(
      this.db,
      principal.schoolId,
      recordId,
    );
    const mine =
      record &&
      (principal.kind === 'parent'
        ? record.deciderKind === 'parent' && record.deciderParentId === principal.id
        : record.deciderKind === 'pupil' && record.pupilId === principal.id);
    if (!record || !mine) throw new NotFoundError();
    return this.buildReceipt(principal, record);
  }

  private async buildReceipt(
    principal: FormPrincipal,
    record: NonNullable<Awaited<ReturnType<ConsentRepository['getRecord']>>>,
  ): Promise<ConsentReceipt> {
    const { consentRepository, people, policies } = this.deps;
    const [family, schoolName, versions] = await Promise.all([
      consentRepository.pupilWithParents(this.db, principal.schoolId, record.pupilId),
      people.schoolName(principal.schoolId),
      policies.versions(principal.schoolId),
    ]);
    if (!family) throw new NotFoundError();
    const deciderName =
      principal.kind === 'parent'
        ? (family.parents.find((p) => p.id === principal.id) ?? null)
        : null;
    // The version the statement was checked against, stored with it; for records made before
    // that was stored, the version in force when it was recorded.
    const inForce = versions
      .filter((v) => v.createdAt.getTime() <= record.recordedAt.getTime())
      .sort((a, b) => b.version - a.version)[0];
    const policyVersion =
      record.policyVersion ??
      (inForce ?? versions.sort((a, b) => a.version - b.version)[0])?.version;
    const settings =
      policyVersion === undefined
        ? await this.deps.consent.settings(principal.schoolId)
        : (await policies.version(principal.schoolId, policyVersion)).settings;

    const byPurpose = new Map<string, ReceiptPurpose>();
    for (const purpose of settings.consent.purposes.value) {
      byPurpose.set(purpose.key, { key: purpose.key, label: purpose.label, rows: [] });
    }
    for (const [key, decision] of Object.entries(record.decisions)) {
      const parsed = parseConsentKey(key);
      if (!parsed) continue;
      let group = byPurpose.get(parsed.purpose);
      if (!group) {
        group = { key: parsed.purpose, label: parsed.purpose.replace(/_/g, ' '), rows: [] };
        byPurpose.set(parsed.purpose, group);
      }
      group.rows.push({
        kind: parsed.kind,
        label: consentKindLabels[parsed.kind],
        decision,
        decisionLabel: consentDecisionLabels[decision as ConsentDecision] ?? decision,
      });
    }
    const order = ['image', 'video', 'name'];
    for (const g of byPurpose.values())
      g.rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));

    const c = settings.consent;
    const clause = (text: string, rule: RuleValue<unknown>) => ({
      text,
      citation: formatCitation(rule.citation),
    });
    const clauses = [
      clause(
        c.model.value === 'annual'
          ? 'Consent is asked for at the start of each school year and lasts for that school year.'
          : 'Consent lasts from when it is given until it is changed.',
        c.model,
      ),
      clause('Each use of pictures is asked about separately.', c.purposes),
      ...(c.separateConsentPerMediaType.value
        ? [
            clause(
              'You can agree to photos but not videos, or the reverse.',
              c.separateConsentPerMediaType,
            ),
          ]
        : []),
      ...(record.deciderKind === 'pupil'
        ? [
            clause(
              'A pupil the school has assessed as able to understand decides for themself.',
              c.competentPupilMayConsent,
            ),
          ]
        : []),
      clause(
        'You can withdraw or change your consent at any time, in writing: this online form counts.',
        c.withdrawalMustBeInWriting,
      ),
      clause(
        'Withdrawing does not undo what was used before, but it applies straight away to anything not yet published.',
        c.withdrawalRetroactive,
      ),
      ...(c.takedownWherePracticable.value
        ? [
            clause(
              'Where it reasonably can, the school removes earlier posts when consent is withdrawn.',
              c.takedownWherePracticable,
            ),
          ]
        : []),
      ...(c.namedPhotoNeedsWrittenPermission.value
        ? [
            clause(
              'Printing a child’s name with a photo needs its own permission.',
              c.namedPhotoNeedsWrittenPermission,
            ),
          ]
        : []),
    ];

    return {
      recordId: record.id,
      reference: formatReceiptReference(record.receiptReference),
      recordedAt: record.recordedAt,
      decidedOn: record.decidedOn,
      kind: record.kind as ConsentRecordKind,
      kindLabel: kindLabels[record.kind as ConsentRecordKind] ?? record.kind,
      method: record.method as ConsentMethod,
      methodLabel: consentMethodLabels[record.method as ConsentMethod] ?? record.method,
      school: { id: principal.schoolId, name: schoolName },
      pupil: {
        id: family.pupil.id,
        givenName: family.pupil.givenName,
        familyName: family.pupil.familyName,
      },
      decider:
        record.deciderKind === 'parent'
          ? {
              kind: 'parent',
              id: record.deciderParentId!,
              name: deciderName
                ? `${deciderName.givenName} ${deciderName.familyName}`
                : principal.name,
            }
          : {
              kind: 'pupil',
              id: family.pupil.id,
              name: `${family.pupil.givenName} ${family.pupil.familyName}`,
            },
      period: {
        key: record.periodKey,
        label: periodLabel(record.periodKey, record.validFrom),
        validFrom: record.validFrom,
        validUntil: record.validUntil,
      },
      policyVersion: policyVersion ?? 1,
      purposes: [...byPurpose.values()].filter((g) => g.rows.length > 0),
      clauses,
    };
  }
}

/**
 * The receipt as a JSON document, after the Kantara Initiative Consent Receipt (v1.1): who
 * collected consent (the school, the controller), from whom, about whom, how, when, and the
 * decision per purpose and media type, with the policy version and clauses it rests on.
 */
export function jsonReceipt(r: ConsentReceipt) {
  return {
    version: 'lanyard-consent-receipt-1 (after Kantara Consent Receipt 1.1)',
    jurisdiction: 'UK',
    consentTimestamp: Math.floor(r.recordedAt.getTime() / 1000),
    timestamp: r.recordedAt.toISOString(),
    decidedOn: r.decidedOn,
    collectionMethod: r.method,
    collectionMethodDescription:
      r.method === 'online_form'
        ? 'Online consent form, reached by a one-time link emailed by the school'
        : r.methodLabel,
    consentReceiptID: r.recordId,
    receiptReference: r.reference,
    recordKind: r.kind,
    language: 'en-GB',
    controller: { name: r.school.name, id: r.school.id, role: 'data controller' },
    subject: { firstName: r.pupil.givenName, pupilId: r.pupil.id },
    decider:
      r.decider.kind === 'parent'
        ? {
            kind: 'parent',
            parentId: r.decider.id,
            name: r.decider.name,
            capacity: 'person with parental responsibility',
          }
        : {
            kind: 'pupil',
            pupilId: r.decider.id,
            name: r.decider.name,
            capacity: 'pupil assessed as competent',
          },
    period: r.period,
    policy: { version: r.policyVersion, clauses: r.clauses },
    purposes: r.purposes.map((p) => ({
      purpose: p.key,
      label: p.label,
      decisions: Object.fromEntries(p.rows.map((row) => [row.kind, row.decision])),
    })),
    sensitive: false,
    termination:
      'Withdraw or change at any time through the school; withdrawal is not retroactive but takes effect at once for anything not yet published.',
  };
}

/**
 * The receipt as the plain text of the confirmation email: the time in UK local time in words,
 * the reference to quote to the school, what the policy means in plain words (no clause
 * numbers), and links to the receipt page (to print), its PDF and its JSON.
 */
export function receiptText(r: ConsentReceipt, baseUrl: string): string {
  const receiptUrl = `${baseUrl}/consent/family/receipts/${r.recordId}`;
  const lines = [
    `Thank you. ${r.school.name} has recorded your answers about photos and videos of ${r.pupil.givenName}.`,
    '',
    `Receipt reference: ${r.reference}`,
    'Quote this reference if you contact the school about these answers.',
    '',
    `For: ${r.pupil.givenName} ${r.pupil.familyName}`,
    `Given by: ${r.decider.name}`,
    `When: ${formatDateTimeInWords(r.recordedAt)}`,
    `Period: ${r.period.label}`,
    `Type: ${r.kindLabel} (${r.methodLabel.toLowerCase()})`,
    '',
    'Your answers:',
  ];
  for (const p of r.purposes) {
    lines.push(`${p.label}:`);
    for (const row of p.rows) lines.push(`  - ${row.label}: ${row.decisionLabel}`);
  }
  lines.push('', 'What this means (from the school’s photo and video policy):');
  for (const c of r.clauses) lines.push(`  - ${c.text}`);
  lines.push(
    '',
    'You can change your answers or withdraw consent at any time from your consent form:',
    `${baseUrl}/consent/family`,
    '',
    `See or print this receipt: ${receiptUrl}`,
    `Download it as a PDF: ${receiptUrl}.pdf`,
    `Download it as data (JSON): ${receiptUrl}.json`,
    '',
    r.school.name,
  );
  return lines.join('\n');
}
