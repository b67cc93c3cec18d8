import { NotFoundError } from '../../../errors.ts';
import { formatCitation, type RuleValue } from '../../policies/index.ts';
import type { ConsentRepository } from '../register/consent.repository.ts';
import type { ConsentRecordKind } from '../register/consent.service.ts';
import {
  consentDecisionLabels,
  consentKindLabels,
  consentMethodLabels,
  parseConsentKey,
  type ConsentDecision,
  type ConsentMethod,
} from '../register/consent-rules.ts';
import { formatReceiptReference } from '../register/receipt-reference.ts';
import { formatDateInWords, formatDateTimeInWords } from '../../../web/dates.ts';
import type { ConsentFormDeps, FormPrincipal } from './consent-form.service.ts';

export interface ReceiptPurpose {
  key: string;
  label: string;
  rows: { kind: string; label: string; decision: string; decisionLabel: string }[];
}

/** What comes down because of a withdrawal, on one channel (from publishing's takedown). */
export interface ReceiptRemoval {
  channel: string;
  items: number;
  /** Taken down by Lanyard at once; otherwise by a person at the school by `dueAt`. */
  automatic: boolean;
  dueAt: Date | null;
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
  /** For a statement that refuses something: the posts showing the child that come down. */
  removals: ReceiptRemoval[];
}

/** One removal in words, as the receipt page says it: "2 posts on School website: …". */
export function removalInWords(r: ReceiptRemoval): string {
  const posts = `${r.items} ${r.items === 1 ? 'post' : 'posts'} on ${r.channel}`;
  if (r.automatic) return `${posts}: taken down straight away`;
  const them = r.items === 1 ? 'it' : 'them';
  return r.dueAt
    ? `${posts}: the school takes ${them} down by ${formatDateInWords(r.dueAt)}`
    : `${posts}: the school takes ${them} down`;
}

/** The sentence before the list of removals (the page, the PDF and the email say the same). */
export function removalsIntro(r: ConsentReceipt): string {
  return `These posts show ${r.pupil.givenName} where you no longer agree to it, so the school takes them down:`;
}

/** The sentence after it: withdrawal is not retroactive. */
export const REMOVALS_NOT_RETROACTIVE =
  'Nothing else changes: what was used before you withdrew stays as it was.';

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

/**
 * The receipts of online statements: the page, the PDF's and the JSON's contents, the office's
 * search by reference, and the confirmation email (sent once, by whichever of the attempt after
 * the commit and the job `consent.receipt-email` claims it first).
 */
export class ConsentReceipts {
  constructor(private readonly deps: ConsentFormDeps) {}

  /**
   * The confirmation email of an online statement: the receipt in plain text, to the decider's
   * address, once (the job `consent.receipt-email` and the attempt right after the commit both
   * call this; whichever claims it first sends it). Safe to run twice.
   */
  async sendReceiptEmail(schoolId: string, recordId: string): Promise<void> {
    const record = await this.deps.consentRepository.getRecord(
      this.deps.database.db,
      schoolId,
      recordId,
    );
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
              this.deps.database.db,
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
    const recordId = await this.deps.repository.recordIdByReference(
      this.deps.database.db,
      schoolId,
      reference,
    );
    if (!recordId) return null;
    const record = await this.deps.consentRepository.getRecord(
      this.deps.database.db,
      schoolId,
      recordId,
    );
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
      this.deps.database.db,
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
      consentRepository.pupilWithParents(this.deps.database.db, principal.schoolId, record.pupilId),
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
      removals:
        this.deps.removals &&
        (record.kind === 'withdrawal' || Object.values(record.decisions).includes('refused'))
          ? await this.deps.removals(principal.schoolId, record.pupilId, record.recordedAt)
          : [],
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
    // What comes down because of this statement (publishing's takedown tasks), as on the page.
    removals: r.removals.map((x) => ({
      channel: x.channel,
      posts: x.items,
      removedBy: x.automatic ? 'Lanyard, straight away' : 'the school',
      dueAt: x.dueAt ? x.dueAt.toISOString() : null,
      description: removalInWords(x),
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
  if (r.removals.length > 0) {
    lines.push('', removalsIntro(r));
    for (const x of r.removals) lines.push(`  - ${removalInWords(x)}`);
    lines.push(REMOVALS_NOT_RETROACTIVE);
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
