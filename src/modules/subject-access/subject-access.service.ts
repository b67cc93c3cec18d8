import type { Readable } from 'node:stream';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { ukDate } from '../../platform/clock.ts';
import { formatDateInWords } from '../../web/dates.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import type { EvidenceStore } from '../../platform/evidence/evidence-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { AttentionItem } from '../registry.ts';
import type { SubjectAccessRepository, SubjectAccessRow } from './subject-access.repository.ts';
import type { LogRequestInput } from './subject-access.forms.ts';
import { addCalendarMonths, daysUntil, dueDateFor } from './subject-access.dates.ts';
import { canHandleSubjectAccess, canViewSubjectAccess } from './subject-access.policy.ts';
import { gatherBundle } from './subject-access.gather.ts';
import { bundleZip } from './subject-access.zip.ts';

export type { SubjectAccessRow };

/** A request with its subject's name and the date it is due now (extended or not). */
export interface SubjectAccessView extends SubjectAccessRow {
  subjectName: string;
  due: string;
  daysLeft: number;
}

export interface SubjectAccessDeps {
  database: Database;
  repository: SubjectAccessRepository;
  audit: AuditService;
  clock: Clock;
  people: PeopleDirectory;
  files: FileStore;
  evidence: EvidenceStore;
}

/**
 * Subject access requests (UK GDPR Art. 15, SPEC §3.10): the DPO logs a request with its due
 * date (one calendar month), extends it with a reason, produces the bundle (streamed ZIP, each
 * production recorded and audited) and closes it. The Headteacher sees the list.
 */
export class SubjectAccessService {
  constructor(private readonly deps: SubjectAccessDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  private today(): string {
    return ukDate(this.deps.clock.now());
  }

  private async names(schoolId: string, rows: SubjectAccessRow[]) {
    const names = await this.deps.people.displayNames(this.db, schoolId, {
      staff: [],
      pupils: rows.flatMap((r) => (r.pupilId ? [r.pupilId] : [])),
      parents: rows.flatMap((r) => (r.parentId ? [r.parentId] : [])),
    });
    const today = this.today();
    return rows.map((r): SubjectAccessView => {
      const due = r.extendedDueOn ?? r.dueOn;
      return {
        ...r,
        subjectName:
          (r.pupilId ? names.pupils.get(r.pupilId) : names.parents.get(r.parentId ?? '')) ?? '',
        due,
        daysLeft: daysUntil(today, due),
      };
    });
  }

  async list(p: StaffPrincipal): Promise<SubjectAccessView[]> {
    if (!canViewSubjectAccess(p)) throw new NotFoundError();
    return this.names(p.schoolId, await this.deps.repository.list(this.db, p.schoolId));
  }

  async view(p: StaffPrincipal, id: string): Promise<SubjectAccessView> {
    if (!canViewSubjectAccess(p)) throw new NotFoundError();
    const row = await this.deps.repository.get(this.db, p.schoolId, id);
    if (!row) throw new NotFoundError();
    return (await this.names(p.schoolId, [row]))[0]!;
  }

  /** Pupils and parents of the school whose name matches, for choosing the request's subject. */
  async findSubjects(p: StaffPrincipal, q: string) {
    if (!canHandleSubjectAccess(p)) throw new NotFoundError();
    const term = q.trim().toLowerCase();
    if (term.length < 2) return [];
    const [pupils, parents] = await Promise.all([
      this.deps.people.pupilRoster(this.db, p.schoolId),
      this.deps.people.parentRoster(this.db, p.schoolId),
    ]);
    const match = (x: { givenName: string; familyName: string }) =>
      `${x.givenName} ${x.familyName}`.toLowerCase().includes(term);
    return [
      ...pupils.filter(match).map((x) => ({
        value: `pupil:${x.id}`,
        text: `${x.givenName} ${x.familyName} (pupil)`,
      })),
      ...parents.filter(match).map((x) => ({
        value: `parent:${x.id}`,
        text: `${x.givenName} ${x.familyName} (parent or carer)`,
      })),
    ]
      .sort((a, b) => a.text.localeCompare(b.text))
      .slice(0, 50);
  }

  async log(p: StaffPrincipal, input: LogRequestInput): Promise<SubjectAccessRow> {
    if (!canHandleSubjectAccess(p)) throw new NotFoundError();
    const [kind, subjectId] = input.subject.split(':') as ['pupil' | 'parent', string];
    const { database, repository, audit, clock, people } = this.deps;
    const exists =
      kind === 'pupil'
        ? await people.getPupil(this.db, p.schoolId, subjectId)
        : await people.getParent(this.db, p.schoolId, subjectId);
    if (!exists) throw new ValidationError({ subject: 'Select who the request is about' });
    if (input.receivedOn > this.today())
      throw new ValidationError({
        receivedOn: 'The date the request was received must be today or in the past',
      });
    return database.transaction(async (tx) => {
      const row = await repository.create(tx.db, {
        schoolId: p.schoolId,
        subjectKind: kind,
        pupilId: kind === 'pupil' ? subjectId : null,
        parentId: kind === 'parent' ? subjectId : null,
        requesterName: input.requesterName,
        requesterRelationship: input.requesterRelationship,
        receivedOn: input.receivedOn,
        identityChecked: input.identityChecked === 'yes',
        identityMethod: input.identityChecked === 'yes' ? input.identityMethod : null,
        dueOn: dueDateFor(input.receivedOn),
        status: 'open',
        loggedBy: p.id,
        loggedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action: 'subject-access.logged',
        entityType: 'subject_access_request',
        entityId: row.id,
        data: { subjectKind: kind, subjectId, receivedOn: row.receivedOn, dueOn: row.dueOn },
      });
      return row;
    });
  }

  /** Art. 12(3): extended by one or two further months (from the first due date), with why. */
  async extend(
    p: StaffPrincipal,
    id: string,
    months: 1 | 2,
    reason: string,
  ): Promise<SubjectAccessRow> {
    return this.change(p, id, 'subject-access.extended', (row) => {
      const extendedDueOn = addCalendarMonths(row.dueOn, months);
      return {
        values: { extendedDueOn, extensionReason: reason },
        data: { extendedDueOn, months },
      };
    });
  }

  async close(p: StaffPrincipal, id: string, note: string): Promise<SubjectAccessRow> {
    return this.change(p, id, 'subject-access.closed', () => ({
      values: {
        status: 'closed',
        closedAt: this.deps.clock.now(),
        closedBy: p.id,
        closingNote: note,
      },
      data: {},
    }));
  }

  private async change(
    p: StaffPrincipal,
    id: string,
    action: string,
    make: (row: SubjectAccessRow) => {
      values: Partial<SubjectAccessRow>;
      data: Record<string, unknown>;
    },
  ): Promise<SubjectAccessRow> {
    if (!canHandleSubjectAccess(p)) throw new NotFoundError();
    const { database, repository, audit } = this.deps;
    return database.transaction(async (tx) => {
      const row = await repository.getForUpdate(tx.db, p.schoolId, id);
      if (!row) throw new NotFoundError();
      if (row.status !== 'open') throw new ConflictError('This request is already closed.');
      const { values, data } = make(row);
      await repository.update(tx.db, p.schoolId, id, values);
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action,
        entityType: 'subject_access_request',
        entityId: id,
        data,
      });
      return { ...row, ...values };
    });
  }

  /**
   * The bundle: everything held about the request's subject, gathered and redacted, recorded as
   * produced (counts per kind, audited) in one transaction, then streamed as a ZIP.
   */
  async produce(
    p: StaffPrincipal,
    id: string,
  ): Promise<{ filename: string; stream: Readable; counts: Record<string, number> }> {
    if (!canHandleSubjectAccess(p)) throw new NotFoundError();
    const { database, repository, audit, clock } = this.deps;
    const row = await repository.get(this.db, p.schoolId, id);
    if (!row) throw new NotFoundError();
    const subject = {
      kind: row.subjectKind as 'pupil' | 'parent',
      id: (row.pupilId ?? row.parentId)!,
    };
    const bundle = await gatherBundle(this.db, this.deps, p.schoolId, subject);
    const counts: Record<string, number> = Object.fromEntries(
      bundle.sections.map((s) => [s.key, s.rows.length]),
    );
    counts.files = bundle.files.length;
    const now = clock.now();
    await database.transaction(async (tx) => {
      const locked = await repository.getForUpdate(tx.db, p.schoolId, id);
      if (!locked) throw new NotFoundError();
      await repository.update(tx.db, p.schoolId, id, {
        lastProducedAt: now,
        timesProduced: locked.timesProduced + 1,
        lastProducedCounts: counts,
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action: 'subject-access.bundle-produced',
        entityType: 'subject_access_request',
        entityId: id,
        data: { counts },
      });
    });
    const filename = `subject-access-${bundle.subject.name.replace(/[^A-Za-z0-9]+/g, '-')}-${ukDate(now)}.zip`;
    return { filename, stream: bundleZip(bundle, now), counts };
  }

  /** The DPO's home page: open requests with their due dates, the nearest first. */
  async attention(p: StaffPrincipal): Promise<AttentionItem[]> {
    if (!canHandleSubjectAccess(p)) return [];
    const open = await this.deps.repository.listOpen(this.db, p.schoolId);
    if (!open.length) return [];
    return (await this.names(p.schoolId, open)).map((r) => ({
      title: `Subject access request about ${r.subjectName}`,
      detail:
        r.daysLeft < 0
          ? `Overdue: it was due ${formatDue(r.due)}`
          : `Due ${formatDue(r.due)} (${r.daysLeft} ${r.daysLeft === 1 ? 'day' : 'days'} left)`,
      href: `/subject-access/${r.id}`,
      tag:
        r.daysLeft < 0
          ? { text: 'Overdue', colour: 'red' as const }
          : r.daysLeft <= 7
            ? { text: 'Due soon', colour: 'orange' as const }
            : { text: 'Open', colour: 'blue' as const },
    }));
  }
}

const formatDue = (iso: string) => formatDateInWords(iso);
