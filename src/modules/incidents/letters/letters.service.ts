import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Mailer } from '../../../platform/mail/mailer.ts';
import type { EvidenceStore } from '../../../platform/evidence/evidence-store.ts';
import { NotFoundError } from '../../../errors.ts';
import { formatDateInWords } from '../../../web/dates.ts';
import type { Principal } from '../../auth/index.ts';
import type { AuditService } from '../../audit/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { Jobs } from '../../registry.ts';
import type { IncidentsService, IncidentSummary } from '../incidents.service.ts';
import { guidanceFor, platformLabels } from '../guidance/guidance.defaults.ts';
import {
  defaultLetterTemplates,
  fillPlaceholders,
  isLetterTemplateKey,
  letterTemplateKeys,
  type LetterTemplateContent,
  type LetterTemplateKey,
  type PlaceholderValues,
} from './letters.defaults.ts';
import type {
  LetterListRow,
  LettersRepository,
  LetterTemplateVersionRow,
} from './letters.repository.ts';
import { canEditLetterTemplates } from './letters.policy.ts';
import type { LetterRequest, LetterTemplateInput } from './letters.forms.ts';
import { letterPdf } from './letter.pdf.ts';

/**
 * What a letter needs to know about its incident: `services.incidents.findVisible`'s summary
 * (which is null unless the viewer may open the case), the date it happened included.
 */
export type LetterIncident = IncidentSummary;

/** The part of the incidents service letters use (issue 14 contract). */
export type IncidentsForLetters = Pick<IncidentsService, 'findVisible' | 'recordEntry'>;

export interface LetterTemplate extends LetterTemplateContent {
  key: LetterTemplateKey;
  recipientHint: string;
  source: 'lanyard' | 'school';
  versionId: string | null;
  editedAt: Date | null;
  editedByName: string | null;
}

export interface LetterTemplateHistoryItem {
  editedAt: Date;
  editedByName: string;
  note: string;
}

/** A letter filled in but not yet made (the preview). */
export interface ComposedLetter {
  templateKey: LetterTemplateKey;
  templateVersionId: string | null;
  title: string;
  subject: string;
  body: string;
  schoolName: string;
  reference: string;
}

export type { LetterListRow };

/**
 * Letters about an incident (issue 14 item 7): the school's templates (Lanyard's wording until
 * the Headteacher or DSL saves their own; every edit kept), filled with the incident's facts and
 * the profile's clause, previewed, then made: the PDF and its words are kept with the incident
 * (an entry of kind `letter` in its chronology) and, when an address is given, emailed by a job
 * queued in the same transaction.
 */
export class LettersService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: LettersRepository;
      audit: AuditService;
      clock: Clock;
      mailer: Mailer;
      /** The encrypted, checked store the PDFs are kept in (the evidence files' store). */
      store: EvidenceStore;
      jobs: Jobs;
      policies: PolicyService;
      peopleDirectory: PeopleDirectory;
      incidents: () => IncidentsForLetters;
    },
  ) {}

  // Templates ---------------------------------------------------------------------------------

  async templates(schoolId: string): Promise<LetterTemplate[]> {
    const rows = await this.deps.repository.templateVersions(this.deps.database.db, schoolId);
    const names = await this.staffNames(
      schoolId,
      rows.map((r) => r.editedBy),
    );
    return letterTemplateKeys.map((key) =>
      this.toTemplate(
        key,
        rows.find((r) => r.templateKey === key),
        names,
      ),
    );
  }

  async template(
    schoolId: string,
    key: string,
  ): Promise<{ template: LetterTemplate; history: LetterTemplateHistoryItem[] }> {
    if (!isLetterTemplateKey(key)) throw new NotFoundError();
    const rows = (
      await this.deps.repository.templateVersions(this.deps.database.db, schoolId)
    ).filter((r) => r.templateKey === key);
    const names = await this.staffNames(
      schoolId,
      rows.map((r) => r.editedBy),
    );
    return {
      template: this.toTemplate(key, rows[0], names),
      history: rows.map((r) => ({
        editedAt: r.editedAt,
        editedByName: names.get(r.editedBy) ?? 'A former member of staff',
        note: r.note,
      })),
    };
  }

  /** The Headteacher or DSL saves new wording for a template (a new version; the old kept). */
  async updateTemplate(p: Principal, key: string, input: LetterTemplateInput): Promise<void> {
    if (p.kind !== 'staff' || !canEditLetterTemplates(p) || !isLetterTemplateKey(key)) {
      throw new NotFoundError();
    }
    const { database, repository, audit, clock } = this.deps;
    await database.transaction(async (tx) => {
      const row = await repository.createTemplateVersion(tx.db, {
        schoolId: p.schoolId,
        templateKey: key,
        title: input.title,
        subject: input.subject,
        body: input.body,
        defaultAsk: input.defaultAsk,
        note: input.note,
        editedBy: p.id,
        editedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action: 'incidents.letter-template-updated',
        entityType: 'incident_letter_template',
        entityId: row.id,
        data: { templateKey: key },
      });
    });
  }

  /** Puts Lanyard's wording back (a new version: the school's earlier words stay in the history). */
  async restoreTemplate(p: Principal, key: string, note: string): Promise<void> {
    if (!isLetterTemplateKey(key)) throw new NotFoundError();
    const d = defaultLetterTemplates[key];
    await this.updateTemplate(p, key, {
      title: d.title,
      subject: d.subject,
      body: d.body,
      defaultAsk: d.defaultAsk,
      note,
    });
  }

  // Letters -----------------------------------------------------------------------------------

  /** The incident, if this person may work on its case (letters are case records): else 404. */
  async caseFor(viewer: Principal, incidentId: string): Promise<LetterIncident> {
    const incident = await this.deps.incidents().findVisible(viewer, incidentId);
    if (!incident || (incident.access !== 'manage' && incident.access !== 'work')) {
      throw new NotFoundError();
    }
    return incident;
  }

  /**
   * The case with the report's own facts for filling a letter (the summary carries the date it
   * happened, as the reporter gave it); else 404.
   */
  private async factsFor(viewer: Principal, incidentId: string): Promise<LetterIncident> {
    return this.caseFor(viewer, incidentId);
  }

  /** The letter filled in with the incident's facts, for the preview (nothing is kept). */
  async compose(
    viewer: Principal,
    incidentId: string,
    key: string,
    request: LetterRequest,
  ): Promise<ComposedLetter> {
    const incident = await this.factsFor(viewer, incidentId);
    if (!isLetterTemplateKey(key)) throw new NotFoundError();
    return this.fill(incident, key, request);
  }

  /**
   * Makes the letter: its PDF, the row that keeps it, the `letter` entry in the incident's
   * chronology and the audit event, in one transaction; the email (when an address is given) is
   * queued in it. Returns the letter's id.
   */
  async generate(
    viewer: Principal,
    incidentId: string,
    key: string,
    request: LetterRequest,
  ): Promise<string> {
    const incident = await this.factsFor(viewer, incidentId);
    if (viewer.kind !== 'staff' || !isLetterTemplateKey(key)) throw new NotFoundError();
    const { database, repository, audit, clock, jobs, store } = this.deps;
    const letter = await this.fill(incident, key, request);
    const createdAt = clock.now();
    const pdf = await letterPdf({ ...letter, createdAt });
    const id = crypto.randomUUID();
    // The file first (encrypted into a temporary file), the rows, then the file into place.
    const staged = await store.stage(
      `${incident.schoolId}/letters/${id}.pdf`,
      Readable.from([pdf]),
    );
    try {
      await database.transaction(async (tx) => {
        await repository.createLetter(tx.db, {
          id,
          schoolId: incident.schoolId,
          incidentId: incident.id,
          templateKey: key,
          templateVersionId: letter.templateVersionId,
          title: letter.title,
          recipientName: request.recipientName,
          recipientEmail: request.recipientEmail ?? null,
          subject: letter.subject,
          body: letter.body,
          storageKey: staged.key,
          pdfSha256: staged.sha256,
          pdfSize: staged.size,
          createdBy: viewer.id,
          createdAt,
        });
        await this.deps.incidents().recordEntry(tx, incident.id, viewer.id, 'letter', {
          letterId: id,
          templateKey: key,
          title: letter.title,
          recipientName: request.recipientName,
          emailed: request.recipientEmail !== undefined,
          pdfSha256: staged.sha256,
        });
        await audit.record(tx, {
          schoolId: incident.schoolId,
          actor: { kind: 'staff', id: viewer.id },
          action: 'incidents.letter-created',
          entityType: 'incident_letter',
          entityId: id,
          data: {
            incidentId: incident.id,
            templateKey: key,
            emailed: request.recipientEmail !== undefined,
          },
        });
        if (request.recipientEmail !== undefined) {
          await jobs.enqueue('incidents.letter-email', { letterId: id }, { tx });
        }
      });
    } catch (e) {
      await store.discard(staged);
      throw e;
    }
    await store.commit(staged);
    return id;
  }

  /** Sends the queued letter emails in this process now (after the answer has gone). */
  deliverQueuedLetters(): void {
    this.deps.jobs.runNow('incidents.letter-email', (d) => this.emailLetter(d.letterId));
  }

  /** The job: emails the letter with its PDF, once (the claim commits with the sending). */
  async emailLetter(letterId: string): Promise<void> {
    const { database, repository, clock, mailer, peopleDirectory } = this.deps;
    const letter = await repository.getById(database.db, letterId);
    if (!letter?.recipientEmail) return;
    const pdf = await this.readPdf(letter);
    const school = await peopleDirectory.getSchool(database.db, letter.schoolId);
    const schoolName = school?.name ?? 'the school';
    await database.transaction(async (tx) => {
      const claimed = await repository.claimEmail(tx.db, {
        letterId,
        schoolId: letter.schoolId,
        sentTo: letter.recipientEmail!,
        sentAt: clock.now(),
      });
      if (!claimed) return;
      await mailer.send({
        to: letter.recipientEmail!,
        subject: letter.subject,
        text: [
          `Dear ${letter.recipientName},`,
          '',
          `Please find attached a letter from ${schoolName}.`,
          '',
          'If you cannot open the attachment, please contact the school office.',
          '',
          schoolName,
        ].join('\n'),
        attachments: [
          { filename: letterFilename(letter), content: pdf, contentType: 'application/pdf' },
        ],
      });
    });
  }

  /** The letters of a case, newest first (without their PDFs). */
  async list(viewer: Principal, incidentId: string): Promise<LetterListRow[]> {
    const incident = await this.caseFor(viewer, incidentId);
    return this.deps.repository.listForIncident(
      this.deps.database.db,
      incident.schoolId,
      incident.id,
    );
  }

  /** One letter of a case (without its PDF). */
  async get(viewer: Principal, incidentId: string, letterId: string): Promise<LetterListRow> {
    const incident = await this.caseFor(viewer, incidentId);
    const letter = await this.deps.repository.getListRow(
      this.deps.database.db,
      incident.schoolId,
      letterId,
    );
    if (!letter || letter.incidentId !== incident.id) throw new NotFoundError();
    return letter;
  }

  /**
   * A letter's PDF for someone who may see its case: checked against the SHA-256 recorded when it
   * was made, and the download audited.
   */
  async pdf(viewer: Principal, letterId: string): Promise<{ filename: string; bytes: Buffer }> {
    if (viewer.kind !== 'staff') throw new NotFoundError();
    const { database, repository, audit } = this.deps;
    const letter = await repository.getById(database.db, letterId, viewer.schoolId);
    if (!letter) throw new NotFoundError();
    await this.caseFor(viewer, letter.incidentId);
    const bytes = await this.readPdf(letter);
    await database.transaction((tx) =>
      audit.record(tx, {
        schoolId: letter.schoolId,
        actor: { kind: 'staff', id: viewer.id },
        action: 'incidents.letter-downloaded',
        entityType: 'incident_letter',
        entityId: letter.id,
        data: { incidentId: letter.incidentId },
      }),
    );
    return { filename: letterFilename(letter), bytes };
  }

  /** The PDF from the store, decrypted and checked against its recorded SHA-256 and size. */
  private async readPdf(letter: {
    storageKey: string;
    pdfSha256: string;
    pdfSize: number;
  }): Promise<Buffer> {
    const stream = await this.deps.store.open(letter.storageKey, {
      sha256: letter.pdfSha256,
      size: letter.pdfSize,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  // Filling -----------------------------------------------------------------------------------

  private async fill(
    incident: LetterIncident,
    key: LetterTemplateKey,
    request: LetterRequest,
  ): Promise<ComposedLetter> {
    const { database, peopleDirectory, policies, clock } = this.deps;
    const [{ template }, school, heads, policy] = await Promise.all([
      this.template(incident.schoolId, key),
      peopleDirectory.getSchool(database.db, incident.schoolId),
      peopleDirectory.staffWithRole(database.db, incident.schoolId, 'headteacher'),
      policies.current(incident.schoolId),
    ]);
    const schoolName = school?.name ?? 'the school';
    const head = heads[0];
    const values: PlaceholderValues = {
      'school name': schoolName,
      'recipient name': request.recipientName,
      'letter date': formatDateInWords(clock.now()),
      'incident date': formatDateInWords(incident.occurredOn ?? incident.reportedAt),
      platform: platformInWords(incident.platform),
      'web address': incident.url ?? 'no web address was given',
      reference: incident.reference,
      'what we ask': request.ask ?? template.defaultAsk,
      'headteacher name': head ? `${head.givenName} ${head.familyName}` : 'The Headteacher',
      'policy clause': policyClause(
        policy.settings.incidents.playbooks,
        incident.incidentType,
        defaultLetterTemplates[key].clauseSteps,
      ),
    };
    return {
      templateKey: key,
      templateVersionId: template.versionId,
      title: template.title,
      subject: fillPlaceholders(template.subject, values),
      body: fillPlaceholders(template.body, values),
      schoolName,
      reference: incident.reference,
    };
  }

  private toTemplate(
    key: LetterTemplateKey,
    row: LetterTemplateVersionRow | undefined,
    names: Map<string, string>,
  ): LetterTemplate {
    const d = defaultLetterTemplates[key];
    const base = { key, recipientHint: d.recipientHint };
    if (!row) {
      return {
        ...base,
        title: d.title,
        subject: d.subject,
        body: d.body,
        defaultAsk: d.defaultAsk,
        source: 'lanyard',
        versionId: null,
        editedAt: null,
        editedByName: null,
      };
    }
    return {
      ...base,
      title: row.title,
      subject: row.subject,
      body: row.body,
      defaultAsk: row.defaultAsk,
      source: 'school',
      versionId: row.id,
      editedAt: row.editedAt,
      editedByName: names.get(row.editedBy) ?? 'A former member of staff',
    };
  }

  private async staffNames(schoolId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const names = await this.deps.peopleDirectory.displayNames(this.deps.database.db, schoolId, {
      staff: ids,
      parents: [],
      pupils: [],
    });
    return names.staff;
  }
}

/** The platform as a letter names it: "Facebook", the reporter's own words, or "social media". */
export function platformInWords(platform: string | null): string {
  const key = guidanceFor(platform);
  if (key && key !== 'ceop') return platformLabels[key].replace(/ \(formerly Twitter\)$/, '');
  if (!platform || platform === 'other' || platform === 'other_app' || platform === 'not_online') {
    return 'social media';
  }
  return platform;
}

type Playbooks = Record<
  string,
  {
    value: {
      key: string;
      label: string;
      citation: { seed: string | null; section: string; quote: string };
    }[];
    citation: { seed: string | null; section: string; quote: string };
  }
>;

/**
 * The school's own clause behind a letter: the first of the template's steps found in the case's
 * playbook (else the parents' defamation playbook), quoted from the profile. A step the school
 * or Lanyard set without a seed clause is given in its own words.
 */
export function policyClause(
  playbooks: Playbooks,
  incidentType: string | null,
  steps: readonly string[],
): string {
  const books = [incidentType, 'parent_defamation'].filter(
    (b): b is string => !!b && b in playbooks,
  );
  for (const book of books) {
    for (const key of steps) {
      const step = playbooks[book]!.value.find((s) => s.key === key);
      if (!step) continue;
      const c = step.citation;
      return c.seed !== null && c.quote
        ? `“${c.quote.replace(/[.;,]\s*$/, '')}” (${c.section}).`
        : `${step.label}.`;
    }
  }
  const rule = playbooks[books[0] ?? 'parent_defamation'];
  if (rule?.citation.seed && rule.citation.quote) {
    return `“${rule.citation.quote.replace(/[.;,]\s*$/, '')}” (${rule.citation.section}).`;
  }
  return 'the school will act on posts that harm members of its community.';
}

/** "warning-letter-to-a-parent-about-their-posts-2026-12-06.pdf" */
function letterFilename(letter: { createdAt: Date; title: string }): string {
  const day = letter.createdAt.toISOString().slice(0, 10);
  const kind = letter.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return `${kind}-${day}.pdf`;
}
