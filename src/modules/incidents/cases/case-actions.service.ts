import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import type { Tx } from '../../../platform/db/database.ts';
import { formatCitation, type IncidentType, type PlaybookStep } from '../../policies/index.ts';
import type { IncidentsService } from '../incidents.service.ts';
import { factsOf, isUuid } from '../incidents.service.ts';
import {
  canManageIncidents,
  canNameDeputies,
  caseAccess,
  mayBeGivenCases,
  mayOpenCase,
} from '../incidents.policy.ts';
import type { CorrectableField, ReferralTarget } from '../incidents.forms.ts';

type Need = 'manage' | 'work' | 'dsl';

/**
 * What the DSL, the Headteacher and the staff they give a case do with it (issue 14 items 4, 6,
 * 9): each action is one entry (`IncidentsService.recordEntry`), the case row rebuilt and one
 * audit event, in one transaction. The audit event holds ids and keys, never the words.
 */
export class CaseActionsService {
  constructor(private readonly incidents: IncidentsService) {}

  private get deps() {
    return this.incidents.deps;
  }

  /** The school's playbook for a type (`incidents.playbooks.<type>`), with its citation. */
  async playbook(
    schoolId: string,
    type: string | null,
  ): Promise<{ steps: PlaybookStep[]; citation: string } | null> {
    if (!type) return null;
    const current = await this.deps.policies.current(schoolId);
    const rule = (
      current.settings.incidents.playbooks as Record<
        string,
        { value: PlaybookStep[]; citation: Parameters<typeof formatCitation>[0] }
      >
    )[type];
    if (!rule) return null;
    return { steps: rule.value, citation: formatCitation(rule.citation) };
  }

  /** The profile's rules the case page shows: the grid, the police decision, keeping evidence. */
  async rules(schoolId: string) {
    const { incidents } = (await this.deps.policies.current(schoolId)).settings;
    return {
      categoriesGrid: incidents.categoriesGrid.value,
      victimDecidesPolice: incidents.victimDecidesPolice.value,
      victimDecidesPoliceCitation: formatCitation(incidents.victimDecidesPolice.citation),
      keepEvidence: incidents.keepEvidence.value,
      keepEvidenceCitation: formatCitation(incidents.keepEvidence.citation),
      indecentImagesCitation: formatCitation(incidents.indecentImagesPoliceOnly.citation),
    };
  }

  /** Staff who may be given a case (not governors or volunteers), by name. */
  async assignable(schoolId: string) {
    const roster = await this.deps.people.staffRoster(this.deps.database.db, schoolId);
    return roster.filter((s) => mayBeGivenCases(s.roles));
  }

  /**
   * One action: lock the case, check who may (404 otherwise), check the case's state, append
   * the entry and the audit event.
   */
  private async act(
    who: StaffPrincipal,
    incidentId: string,
    need: Need,
    kind: string,
    build: (
      c: {
        status: string;
        incidentType: string | null;
        indecentImage: boolean;
        safeguarding: boolean;
      },
      tx: Tx,
    ) => Promise<Record<string, unknown>> | Record<string, unknown>,
    audit: { action: string; data?: (d: Record<string, unknown>) => Record<string, unknown> },
  ): Promise<void> {
    if (!isUuid(incidentId)) throw new NotFoundError();
    const { database, repository } = this.deps;
    await database.transaction(async (tx) => {
      const row = await repository.lockCase(tx.db, who.schoolId, incidentId);
      const access = row
        ? caseAccess(who, factsOf(row), await this.incidents.isReportRecipient(who))
        : null;
      if (!row || !mayOpenCase(access)) throw new NotFoundError();
      if (need === 'manage' && access !== 'manage') throw new NotFoundError();
      if (need === 'dsl' && !canNameDeputies(who)) throw new NotFoundError();
      const data = await build(row, tx);
      await this.incidents.recordEntry(tx, incidentId, who.id, kind, data);
      await this.deps.audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: audit.action,
        entityType: 'incident',
        entityId: incidentId,
        data: { reference: row.reference, ...(audit.data ? audit.data(data) : {}) },
      });
    });
  }

  private open(c: { status: string }) {
    if (c.status !== 'open') throw new ConflictError('This case is closed. Reopen it first.');
  }

  async classify(
    who: StaffPrincipal,
    id: string,
    v: {
      incidentType: IncidentType;
      category?: string | undefined;
      risk?: string | undefined;
      safeguarding: 'yes' | 'no';
      reviewBy?: string | undefined;
    },
  ): Promise<void> {
    const rules = await this.rules(who.schoolId);
    if (rules.categoriesGrid && (!v.category || !v.risk))
      throw new ValidationError({
        ...(v.category ? {} : { category: 'Select contact, conduct, content or commerce' }),
        ...(v.risk ? {} : { risk: 'Select the kind of risk' }),
      });
    await this.act(
      who,
      id,
      'manage',
      'classification',
      (c) => {
        this.open(c);
        return {
          incidentType: v.incidentType,
          category: v.category ?? null,
          risk: v.risk ?? null,
          safeguarding: v.safeguarding === 'yes',
          ...(v.reviewBy ? { reviewBy: v.reviewBy } : {}),
        };
      },
      {
        action: 'incidents.classified',
        data: (d) => ({
          incidentType: d.incidentType,
          category: d.category,
          risk: d.risk,
          safeguarding: d.safeguarding,
        }),
      },
    );
  }

  async assign(who: StaffPrincipal, id: string, staffIds: string[]): Promise<void> {
    const allowed = new Set((await this.assignable(who.schoolId)).map((s) => s.id));
    if (staffIds.some((s) => !allowed.has(s)))
      throw new ValidationError({ staffIds: 'Choose staff from the list' });
    await this.act(
      who,
      id,
      'manage',
      'assignment',
      (c) => {
        this.open(c);
        return { staffIds: [...new Set(staffIds)] };
      },
      { action: 'incidents.assigned', data: (d) => ({ staffIds: d.staffIds }) },
    );
  }

  async restrict(who: StaffPrincipal, id: string, deputyIds: string[]): Promise<void> {
    const allowed = new Set((await this.assignable(who.schoolId)).map((s) => s.id));
    if (deputyIds.some((s) => !allowed.has(s)))
      throw new ValidationError({ deputyIds: 'Choose staff from the list' });
    await this.act(who, id, 'dsl', 'restricted', () => ({ staffIds: [...new Set(deputyIds)] }), {
      action: 'incidents.deputies-named',
      data: (d) => ({ staffIds: d.staffIds }),
    });
  }

  async recordStep(
    who: StaffPrincipal,
    id: string,
    stepKey: string,
    v: { outcome: string; nextStepDue?: string | undefined },
  ): Promise<void> {
    await this.act(
      who,
      id,
      'work',
      'step',
      async (c) => {
        this.open(c);
        const book = await this.playbook(who.schoolId, c.incidentType);
        const step = book?.steps.find((s) => s.key === stepKey);
        if (!step) throw new NotFoundError();
        return {
          stepKey: step.key,
          label: step.label,
          citation: formatCitation(step.citation),
          outcome: v.outcome,
          ...(v.nextStepDue ? { nextStepDue: v.nextStepDue } : {}),
        };
      },
      { action: 'incidents.step-recorded', data: (d) => ({ stepKey: d.stepKey }) },
    );
  }

  /**
   * Someone found to be involved after the report (a pupil the parent named, now found on the
   * roll): a row of `incident_people` and an entry, so the pupil's chronology shows the case.
   */
  async addPerson(
    who: StaffPrincipal,
    id: string,
    v: { pupilId?: string | undefined; staffId?: string | undefined; part: string },
  ): Promise<void> {
    const db = this.deps.database.db;
    if (!!v.pupilId === !!v.staffId)
      throw new ValidationError({ pupilId: 'Choose a pupil or a member of staff' });
    if (v.pupilId && !(await this.deps.people.getPupil(db, who.schoolId, v.pupilId)))
      throw new ValidationError({ pupilId: 'Choose a pupil from the list' });
    if (
      v.staffId &&
      !(await this.deps.people
        .getStaffById(db, v.staffId)
        .then((s) => s?.schoolId === who.schoolId))
    )
      throw new ValidationError({ staffId: 'Choose a member of staff from the list' });
    await this.act(
      who,
      id,
      'work',
      'person_added',
      async (c, tx) => {
        if (c.indecentImage)
          throw new ConflictError(
            'A report of a nude or semi-nude image keeps only the fact: nothing is added to it.',
          );
        await this.deps.repository.insertPeople(tx.db, [
          {
            schoolId: who.schoolId,
            incidentId: id,
            personKind: v.pupilId ? 'pupil' : 'staff',
            pupilId: v.pupilId ?? null,
            staffId: v.staffId ?? null,
            name: null,
            part: v.part,
            addedAt: this.deps.clock.now(),
          },
        ]);
        return { pupilId: v.pupilId ?? null, staffId: v.staffId ?? null, part: v.part };
      },
      {
        action: 'incidents.person-added',
        data: (d) => ({ pupilId: d.pupilId, staffId: d.staffId, part: d.part }),
      },
    );
  }

  async addNote(who: StaffPrincipal, id: string, text: string): Promise<void> {
    await this.act(who, id, 'work', 'note', () => ({ text }), { action: 'incidents.note-added' });
  }

  async correct(
    who: StaffPrincipal,
    id: string,
    v: { field: CorrectableField; value: string; reason: string },
  ): Promise<void> {
    await this.act(
      who,
      id,
      'work',
      'correction',
      (c) => {
        if (c.indecentImage)
          throw new ConflictError(
            'A report of a nude or semi-nude image keeps only the fact: nothing is added to it.',
          );
        return { field: v.field, value: v.value, reason: v.reason };
      },
      { action: 'incidents.corrected', data: (d) => ({ field: d.field }) },
    );
  }

  async recordWishes(who: StaffPrincipal, id: string, text: string): Promise<void> {
    await this.act(who, id, 'work', 'victim_wishes', () => ({ text }), {
      action: 'incidents.wishes-recorded',
    });
  }

  /**
   * The decision about the police: the victim's own where the profile leaves it to them
   * (`incidents.victimDecidesPolice`), otherwise the school's, with the victim's wishes beside it.
   */
  async recordPolice(
    who: StaffPrincipal,
    id: string,
    v: { decision: 'report' | 'not_report'; note?: string | undefined },
  ): Promise<void> {
    const rules = await this.rules(who.schoolId);
    await this.act(
      who,
      id,
      'work',
      'police_decision',
      () => ({
        decision: v.decision,
        decidedBy: rules.victimDecidesPolice ? 'victim' : 'school',
        citation: rules.victimDecidesPoliceCitation,
        ...(v.note ? { note: v.note } : {}),
      }),
      {
        action: 'incidents.police-decision-recorded',
        data: (d) => ({ decision: d.decision, decidedBy: d.decidedBy }),
      },
    );
  }

  /** The DSL's onward referral of an indecent-image report (police, social care, CEOP). */
  async recordReferral(
    who: StaffPrincipal,
    id: string,
    v: { to: ReferralTarget; reference?: string | undefined },
  ): Promise<void> {
    if (!canManageIncidents(who)) throw new NotFoundError();
    await this.act(
      who,
      id,
      'manage',
      'referral',
      () => ({ to: v.to, ...(v.reference ? { reference: v.reference } : {}) }),
      {
        action: 'incidents.referral-recorded',
        data: (d) => ({ to: d.to }),
      },
    );
  }

  async close(who: StaffPrincipal, id: string, outcome: string): Promise<void> {
    const now = this.deps.clock.now();
    const row = await this.deps.repository.getCase(this.deps.database.db, who.schoolId, id);
    const reportedAt = row?.reportedAt;
    await this.act(
      who,
      id,
      'manage',
      'closed',
      (c) => {
        this.open(c);
        return {
          outcome,
          resolvedSeconds: reportedAt
            ? Math.max(0, Math.round((now.getTime() - reportedAt.getTime()) / 1000))
            : null,
        };
      },
      { action: 'incidents.closed', data: (d) => ({ resolvedSeconds: d.resolvedSeconds }) },
    );
  }

  async reopen(who: StaffPrincipal, id: string, reason: string): Promise<void> {
    await this.act(
      who,
      id,
      'manage',
      'reopened',
      (c) => {
        if (c.status !== 'closed') throw new ConflictError('This case is already open.');
        return { reason };
      },
      { action: 'incidents.reopened' },
    );
  }
}
