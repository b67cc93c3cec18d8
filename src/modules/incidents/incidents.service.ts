import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Principal, StaffPrincipal } from '../auth/index.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { TrainingService } from '../training/index.ts';
import { READ_TTL_MS, todayIn } from '../people/index.ts';
import type { AttentionItem, Jobs } from '../registry.ts';
import type {
  CaseCursor,
  CaseFilters,
  CaseRow,
  IncidentRow,
  IncidentsRepository,
  ListScope,
} from './incidents.repository.ts';
import { caseAccess, mayOpenCase, type CaseAccess } from './incidents.policy.ts';
import type { ImageReportInput, ReportInput } from './incidents.forms.ts';
import type { CaseState } from './incidents.projection.ts';
import { markIfSignificant, SIGNIFICANCE_CHANGES } from './incidents-significance.ts';
import { isReportRecipient, scopeOf, type RecipientDeps } from './incidents-recipients.ts';

export type { CaseRow, IncidentRow, CaseFilters, CaseCursor };

import type { EvidenceAttacher, ReportFile } from './incidents-contracts.ts';

export type { EvidenceAttacher, ReportFile };

/** What B and C get for a case the viewer may open. */
export interface IncidentSummary {
  id: string;
  schoolId: string;
  reference: string;
  reportedAt: Date;
  status: 'open' | 'closed';
  incidentType: string | null;
  platform: string | null;
  url: string | null;
  /** The date it happened as the reporter gave it (YYYY-MM-DD), if they did. */
  occurredOn: string | null;
  safeguarding: boolean;
  indecentImage: boolean;
  access: Exclude<CaseAccess, 'report' | null>;
}

/** The reporter's view: the status of their report, nothing of the case. */
export interface ReportStatus {
  id: string;
  reference: string;
  reportedAt: Date;
  indecentImage: boolean;
  status: 'received' | 'in_progress' | 'closed';
}

export const reportStatusLabels: Record<ReportStatus['status'], string> = {
  received: 'Received',
  in_progress: 'Being dealt with',
  closed: 'Closed',
};

export interface IncidentsDeps {
  database: Database;
  repository: IncidentsRepository;
  audit: AuditService;
  clock: Clock;
  policies: PolicyService;
  people: PeopleDirectory;
  jobs: Jobs;
  mailer: Mailer;
  baseUrl: string;
  /** The evidence store, once wired (looked up when a report has files). */
  evidence: () => EvidenceAttacher | undefined;
  /** Training (wired after incidents): a significant incident makes staff training due again. */
  training: () => Pick<TrainingService, 'markDueAgain'> | undefined;
  /** Who holds the profile's named responsibilities (`incidents.reportToResponsibilities`). */
  responsibilities?: RecipientDeps['responsibilities'];
}

const actorOf = (p: Principal): Actor => ({
  kind: p.kind === 'org_admin' ? 'org_admin' : p.kind,
  id: p.id,
});

function reporterOf(p: Principal): {
  kind: 'staff' | 'parent' | 'pupil';
  id: string;
  schoolId: string;
} {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return { kind: p.kind, id: p.id, schoolId: p.schoolId };
}

export const factsOf = (c: CaseRow | CaseState) => ({
  schoolId: c.schoolId,
  safeguarding: c.safeguarding,
  reporterKind: c.reporterKind,
  reporterId: c.reporterId,
  assignedStaffIds: c.assignedStaffIds,
  deputyStaffIds: c.deputyStaffIds,
});

/**
 * Incidents (SPEC §3.6, issue 14): reports, the case projection and who may see what. Every
 * change is one transaction: the entry, the refreshed case row and the audit event. The case
 * actions (classify, steps …) are `CaseActionsService` (cases/), built on `recordEntry`.
 */
export class IncidentsService {
  constructor(readonly deps: IncidentsDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---------------------------------------------------------------------------------------
  // Reporting

  /** A report of a concern, with its people and its evidence files, in one transaction. */
  async reportConcern(
    p: Principal,
    input: ReportInput,
    files: readonly ReportFile[] = [],
  ): Promise<{ id: string; reference: string }> {
    const reporter = reporterOf(p);
    const { database, repository, audit, clock, jobs, people } = this.deps;
    const evidence = files.length > 0 ? this.deps.evidence() : undefined;
    if (files.length > 0 && !evidence)
      throw new ValidationError({
        evidence: 'Files cannot be added yet: send the report without them',
      });
    // Pupils and staff named from the roll must be of this school (others are refused).
    const [pupils, staffRows] = await Promise.all([
      people.pupilsByIds(this.db, reporter.schoolId, input.pupils),
      input.staff.length
        ? people.staffRoster(this.db, reporter.schoolId)
        : Promise.resolve([] as { id: string }[]),
    ]);
    if (pupils.length !== new Set(input.pupils).size)
      throw new ValidationError({ pupils: 'Choose pupils from the list' });
    const staffIds = new Set(staffRows.map((s) => s.id));
    if (input.staff.some((id) => !staffIds.has(id)))
      throw new ValidationError({ staff: 'Choose staff from the list' });
    const now = clock.now();
    return database.transaction(async (tx) => {
      const incident = await this.insertReport(tx, reporter, now, {
        whatHappened: input.whatHappened,
        platform: input.platform ?? null,
        url: input.url ?? null,
        occurredOn: input.occurredOn ?? null,
        occurredTime: input.occurredTime ?? null,
        occurredWhere: input.occurredWhere ?? null,
        reporterConcern: input.reporterConcern === 'yes',
        indecentImage: false,
      });
      const person = (v: {
        personKind: string;
        part?: string | undefined;
        pupilId?: string;
        staffId?: string;
        name?: string;
      }) => ({
        schoolId: reporter.schoolId,
        incidentId: incident.id,
        personKind: v.personKind,
        pupilId: v.pupilId ?? null,
        staffId: v.staffId ?? null,
        name: v.name ?? null,
        part: v.part ?? 'other',
        addedAt: now,
      });
      await repository.insertPeople(tx.db, [
        ...input.pupils.map((id) =>
          person({ personKind: 'pupil', pupilId: id, part: input.pupilPart }),
        ),
        ...input.staff.map((id) =>
          person({ personKind: 'staff', staffId: id, part: input.staffPart }),
        ),
        ...input.named
          .filter((n) => n.name && n.kind)
          .map((n) => person({ personKind: n.kind!, name: n.name!, part: n.part })),
      ]);
      const entryData = {
        people: input.pupils.length + input.staff.length + input.named.filter((n) => n.name).length,
        files: files.length,
      };
      await this.recordEntry(
        tx,
        incident.id,
        reporter.kind === 'staff' ? reporter.id : null,
        'report',
        entryData,
      );
      if (evidence) {
        await evidence.attach(tx, {
          schoolId: reporter.schoolId,
          incidentId: incident.id,
          uploader: { kind: reporter.kind, id: reporter.id },
          files: [...files],
          statedAt: [input.occurredOn, input.occurredTime].filter(Boolean).join(' ') || null,
          statedPlace: input.occurredWhere ?? null,
        });
      }
      await audit.record(tx, {
        schoolId: reporter.schoolId,
        actor: actorOf(p),
        action: 'incidents.reported',
        entityType: 'incident',
        entityId: incident.id,
        data: {
          reference: incident.reference,
          ...entryData,
          concern: input.reporterConcern === 'yes',
        },
      });
      await jobs.enqueue(
        'incidents.alert',
        { schoolId: reporter.schoolId, incidentId: incident.id },
        { tx },
      );
      return { id: incident.id, reference: incident.reference };
    });
  }

  /**
   * A suspected nude or semi-nude image of a child (UKCIS advice; issue 14 item 2): only the
   * fact, who reported it and the referral to the DSL are kept. No description, no address, no
   * file: `canAddEvidence` is false for it forever.
   */
  async reportIndecentImage(
    p: Principal,
    input: ImageReportInput,
  ): Promise<{ id: string; reference: string }> {
    const reporter = reporterOf(p);
    const { database, audit, clock, jobs } = this.deps;
    const now = clock.now();
    return database.transaction(async (tx) => {
      const incident = await this.insertReport(tx, reporter, now, {
        whatHappened: null,
        platform: null,
        url: null,
        occurredOn: null,
        occurredTime: null,
        occurredWhere: null,
        reporterConcern: true,
        indecentImage: true,
      });
      const actor = reporter.kind === 'staff' ? reporter.id : null;
      await this.recordEntry(tx, incident.id, actor, 'report', { indecentImage: true });
      await this.recordEntry(tx, incident.id, actor, 'referral', {
        to: 'dsl',
        adultInvolved: input.adultInvolved,
      });
      await audit.record(tx, {
        schoolId: reporter.schoolId,
        actor: actorOf(p),
        action: 'incidents.image-referral-reported',
        entityType: 'incident',
        entityId: incident.id,
        data: { reference: incident.reference, adultInvolved: input.adultInvolved },
      });
      await jobs.enqueue(
        'incidents.alert',
        { schoolId: reporter.schoolId, incidentId: incident.id },
        { tx },
      );
      return { id: incident.id, reference: incident.reference };
    });
  }

  private async insertReport(
    tx: Tx,
    reporter: { kind: string; id: string; schoolId: string },
    now: Date,
    fields: Omit<
      IncidentRow,
      'id' | 'schoolId' | 'seq' | 'reference' | 'reportedAt' | 'reporterKind' | 'reporterId'
    >,
  ): Promise<IncidentRow> {
    const seq = await this.deps.repository.nextSeq(tx.db, reporter.schoolId);
    return this.deps.repository.insertIncident(tx.db, {
      schoolId: reporter.schoolId,
      seq,
      reference: `INC-${String(seq).padStart(4, '0')}`,
      reportedAt: now,
      reporterKind: reporter.kind,
      reporterId: reporter.id,
      ...fields,
    });
  }

  /** The status of one of the viewer's own reports (or of a case they may open); else 404. */
  async receipt(viewer: Principal, incidentId: string): Promise<ReportStatus> {
    if (viewer.kind === 'org_admin') throw new NotFoundError();
    const row = await this.deps.repository.getCase(this.db, viewer.schoolId, incidentId);
    if (!row || !caseAccess(viewer, factsOf(row), await this.isReportRecipient(viewer)))
      throw new NotFoundError();
    return statusOf(row);
  }

  /** The viewer's own reports, newest first: status only. */
  async myReports(viewer: Principal): Promise<ReportStatus[]> {
    if (viewer.kind === 'org_admin') return [];
    const rows = await this.deps.repository.reportsBy(
      this.db,
      viewer.schoolId,
      viewer.kind,
      viewer.id,
    );
    return rows.map(statusOf);
  }

  // ---------------------------------------------------------------------------------------
  // What the evidence store and the letters call (docs/incidents.md, "Service methods")

  /** The case if the viewer may open it (DSL, Headteacher, deputies, assignees), else null. */
  async findVisible(viewer: Principal, incidentId: string): Promise<IncidentSummary | null> {
    if (viewer.kind === 'org_admin' || !isUuid(incidentId)) return null;
    const [row, incident] = await Promise.all([
      this.deps.repository.getCase(this.db, viewer.schoolId, incidentId),
      this.deps.repository.getIncident(this.db, viewer.schoolId, incidentId),
    ]);
    if (!row || !incident) return null;
    const access = caseAccess(viewer, factsOf(row), await this.isReportRecipient(viewer));
    if (!mayOpenCase(access)) return null;
    return {
      id: row.incidentId,
      schoolId: row.schoolId,
      reference: row.reference,
      reportedAt: row.reportedAt,
      status: row.status as 'open' | 'closed',
      incidentType: row.incidentType,
      platform: incident.platform,
      url: incident.url,
      occurredOn: incident.occurredOn,
      safeguarding: row.safeguarding,
      indecentImage: row.indecentImage,
      access: access as 'manage' | 'work',
    };
  }

  /**
   * Whether the viewer may add evidence to this case: they may open it, and it is not an
   * indecent-image report (never, for anyone, by any route).
   */
  async canAddEvidence(viewer: Principal, incidentId: string): Promise<boolean> {
    const found = await this.findVisible(viewer, incidentId);
    return !!found && !found.indecentImage;
  }

  /**
   * Appends an entry to an incident's chronology and rebuilds its case row, inside the caller's
   * transaction (the caller records its own audit event). The case row is locked first, so
   * entries of one case are written one after the other. Evidence is refused for an
   * indecent-image report whoever asks.
   */
  async recordEntry(
    tx: Tx,
    incidentId: string,
    actorStaffId: string | null,
    kind: string,
    data: Record<string, unknown>,
  ): Promise<CaseState> {
    const { repository, clock } = this.deps;
    const incident = await repository.getIncidentById(tx.db, incidentId);
    if (!incident) throw new NotFoundError();
    if (incident.indecentImage && kind === 'evidence_added')
      throw new ConflictError(
        'No file can be kept for a report of a nude or semi-nude image of a child.',
      );
    await repository.lockCase(tx.db, incident.schoolId, incident.id);
    await repository.insertEntry(tx.db, {
      schoolId: incident.schoolId,
      incidentId: incident.id,
      at: clock.now(),
      actorStaffId,
      kind,
      data,
    });
    const state = await repository.refreshCase(tx.db, incident);
    if (!SIGNIFICANCE_CHANGES.has(kind)) return state;
    return (await markIfSignificant(this.deps, tx, incident, state, actorStaffId)) ?? state;
  }

  // ---------------------------------------------------------------------------------------
  // Reads for the case pages

  /**
   * How many cases became significant since a time, and when the latest did (incidents-
   * significance.ts): the policy's early review (review.reviewAfterIncidents). Counts only.
   */
  async significantSince(schoolId: string, since: Date) {
    return this.deps.repository.significantSince(this.db, schoolId, since);
  }

  /** A page of the cases the viewer may open, newest first (one statement). */
  async listCases(
    viewer: StaffPrincipal,
    filters: CaseFilters,
    after?: CaseCursor,
    limit = 50,
  ): Promise<{ rows: CaseRow[]; next: CaseCursor | null }> {
    const rows = await this.deps.repository.listCases(
      this.db,
      viewer.schoolId,
      await this.scopeOf(viewer),
      filters,
      after,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      rows: page,
      next:
        rows.length > limit && last
          ? { reportedAt: last.cursorAt, incidentId: last.incidentId }
          : null,
    };
  }

  /**
   * `listCases` as the API's JSON; the first page kept (ADR 0018: managers share it, others a
   * personal read); later pages read each time (kept, each cursor would push shared reads out).
   */
  async listCasesRendered<T>(
    viewer: StaffPrincipal,
    q: { filters: CaseFilters; after?: CaseCursor | undefined; limit: number; purpose: string },
    render: (page: { rows: CaseRow[]; next: CaseCursor | null }) => T,
  ): Promise<T> {
    const load = async () => render(await this.listCases(viewer, q.filters, q.after, q.limit));
    if (q.after) return load();
    const scope = await this.scopeOf(viewer);
    const whose = scope.kind === 'all' ? 'all' : `${scope.kind}:${viewer.id}`;
    const key = `incidents-list:${viewer.schoolId}:${whose}:${JSON.stringify(q)}`;
    const read = scope.kind === 'all' ? 'cachedRead' : 'cachedPersonalRead';
    return this.deps.database[read](key, READ_TTL_MS, load, viewer.schoolId);
  }

  /** Everything the case page shows, or a 404 for anyone who may not open it. */
  async caseFor(viewer: Principal, incidentId: string) {
    if (viewer.kind === 'org_admin' || !isUuid(incidentId)) throw new NotFoundError();
    const { repository } = this.deps;
    const row = await repository.getCase(this.db, viewer.schoolId, incidentId);
    const access = row
      ? caseAccess(viewer, factsOf(row), await this.isReportRecipient(viewer))
      : null;
    if (!row || !mayOpenCase(access)) throw new NotFoundError();
    const [incident, entries, people] = await Promise.all([
      repository.getIncident(this.db, viewer.schoolId, incidentId),
      repository.entries(this.db, viewer.schoolId, incidentId),
      repository.people(this.db, viewer.schoolId, incidentId),
    ]);
    if (!incident) throw new NotFoundError();
    return { access: access as 'manage' | 'work', row, incident, entries, people };
  }

  /** Every entry of every case naming this pupil (DSL and Headteacher: the route checks). */
  async pupilChronology(viewer: StaffPrincipal, pupilId: string) {
    const pupil = await this.deps.people.getPupil(this.db, viewer.schoolId, pupilId);
    if (!pupil) throw new NotFoundError();
    const rows = await this.deps.repository.pupilChronology(this.db, viewer.schoolId, pupilId);
    const recipient = await this.isReportRecipient(viewer);
    return {
      pupil,
      rows: rows.filter((r) => mayOpenCase(caseAccess(viewer, factsOf(r.case), recipient))),
    };
  }

  /** A holder of an incidents.reportToResponsibilities (incidents-recipients.ts). */
  isReportRecipient(p: Principal): Promise<boolean> {
    return isReportRecipient(this.deps, p);
  }

  private scopeOf(p: StaffPrincipal): Promise<ListScope> {
    return scopeOf(this.deps, p);
  }

  /** The home page's items: new reports, referrals to make, open cases and overdue steps. */
  async attention(p: Principal): Promise<AttentionItem[]> {
    if (p.kind !== 'staff') return [];
    const scope = await this.scopeOf(p);
    const manage = scope.kind !== 'worker';
    const today = todayIn(this.deps.clock);
    const c = await this.deps.repository.counts(this.db, p.schoolId, scope, today);
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    const items: AttentionItem[] = [];
    if (c.referrals > 0 && p.roles.includes('dsl'))
      items.push({
        title: n(c.referrals, 'referral to make now', 'referrals to make now'),
        detail: 'A report of a nude or semi-nude image of a child: record the referral you made.',
        href: '/incidents?view=referrals',
        tag: { text: 'Urgent', colour: 'red' },
      });
    if (c.unclassified > 0)
      items.push({
        title: n(c.unclassified, 'new report', 'new reports'),
        detail: 'Read and classify them.',
        href: '/incidents?view=new',
        tag: { text: 'New', colour: 'orange' },
      });
    if (c.overdue > 0)
      items.push({
        title: n(c.overdue, 'case with a step overdue', 'cases with a step overdue'),
        detail: 'The next step was due before today.',
        href: '/incidents?view=overdue',
        tag: { text: 'Overdue', colour: 'red' },
      });
    if (c.open > 0)
      items.push({
        title: n(c.open, 'open case', 'open cases'),
        detail: manage ? 'Incidents still being dealt with.' : 'Cases you are working on.',
        href: '/incidents',
        tag: { text: 'Open', colour: 'blue' },
      });
    return items;
  }

  // ---------------------------------------------------------------------------------------
  // Alerts

  /**
   * The email to the profile's `incidents.reportTo` roles who may see the case (the DSL always
   * for a safeguarding concern): that a report needs attention, who sent it, a link. Never what
   * it is about.
   */
  async sendAlert(schoolId: string, incidentId: string): Promise<number> {
    const { repository, people, policies, mailer, baseUrl } = this.deps;
    const row = await repository.getCase(this.db, schoolId, incidentId);
    if (!row) return 0;
    const current = await policies.current(schoolId);
    const roles = new Set<string>(current.settings.incidents.reportTo.value);
    if (row.safeguarding) roles.add('dsl');
    const recipients = new Map<string, { email: string }>();
    // The holders of the profile's incidents.reportToResponsibilities, for any report but a
    // safeguarding concern (caseAccess gives them the case).
    const keys = current.settings.incidents.reportToResponsibilities.value;
    if (!row.safeguarding && keys.length > 0 && this.deps.responsibilities) {
      const holders = new Set(await this.deps.responsibilities.holdersOf(schoolId, keys));
      for (const s of await people.staffRoster(this.db, schoolId))
        if (holders.has(s.id)) recipients.set(s.id, { email: s.email });
    }
    for (const role of roles) {
      for (const s of await people.staffWithRole(this.db, schoolId, role)) {
        const principal: Principal = {
          kind: 'staff',
          id: s.id,
          schoolId,
          roles: [role as never],
          name: '',
        };
        if (caseAccess(principal, factsOf(row)) === 'manage')
          recipients.set(s.id, { email: s.email });
      }
    }
    const names = await people.displayNames(this.db, schoolId, {
      staff: row.reporterKind === 'staff' ? [row.reporterId] : [],
      parents: row.reporterKind === 'parent' ? [row.reporterId] : [],
      pupils: row.reporterKind === 'pupil' ? [row.reporterId] : [],
    });
    const who =
      (row.reporterKind === 'staff'
        ? names.staff
        : row.reporterKind === 'parent'
          ? names.parents
          : names.pupils
      ).get(row.reporterId) ?? 'someone at the school';
    const by =
      { staff: 'a member of staff', parent: 'a parent', pupil: 'a pupil' }[row.reporterKind] ??
      'someone';
    for (const r of recipients.values()) {
      await mailer.send({
        to: r.email,
        subject: row.indecentImage
          ? `A report needs your attention today (${row.reference})`
          : `A new report needs your attention (${row.reference})`,
        text: [
          `A new report needs your attention. It was sent by ${who} (${by}).`,
          `Sign in to read it: ${baseUrl}/incidents/${row.incidentId}`,
          'This email says nothing about what the report is about, on purpose.',
        ].join('\n\n'),
      });
    }
    return recipients.size;
  }
}

function statusOf(row: CaseRow): ReportStatus {
  return {
    id: row.incidentId,
    reference: row.reference,
    reportedAt: row.reportedAt,
    indecentImage: row.indecentImage,
    status: row.status === 'closed' ? 'closed' : row.classifiedAt ? 'in_progress' : 'received',
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => uuidPattern.test(s);
