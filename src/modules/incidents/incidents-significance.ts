import type { Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { formatCitation, type PolicyService } from '../policies/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { TrainingService } from '../training/index.ts';
import type { IncidentRow, IncidentsRepository } from './incidents.repository.ts';
import type { CaseState } from './incidents.projection.ts';

/**
 * A significant incident (docs/incidents.md, "Significant incidents"): every safeguarding
 * concern (an indecent-image report, a report whose reporter feared for a child, a Prevent
 * concern, a case the DSL classifies so), and the types the school's profile lists in
 * `incidents.significantTypes`. The first time a case becomes one, a `significant` entry records
 * why; staff training is marked due again (training.refreshAfterIncidentOrChange) and the policy's
 * early review counts it (`IncidentsService.significantSince`, review.reviewAfterIncidents).
 */
export type SignificantReason =
  { reason: 'safeguarding' } | { reason: 'type'; incidentType: string; citation: string };

/** Entry kinds after which a case may have become significant. */
export const SIGNIFICANCE_CHANGES = new Set(['report', 'classification']);

/** Whether a case is significant by the school's rule, and why; null when it is not. */
export async function significanceOf(
  policies: Pick<PolicyService, 'current'>,
  state: CaseState,
): Promise<SignificantReason | null> {
  if (state.safeguarding) return { reason: 'safeguarding' };
  if (!state.incidentType) return null;
  const rule = (await policies.current(state.schoolId)).settings.incidents.significantTypes;
  return (rule.value as readonly string[]).includes(state.incidentType)
    ? { reason: 'type', incidentType: state.incidentType, citation: formatCitation(rule.citation) }
    : null;
}

/**
 * The first time a case becomes significant (its report, or a classification): a `significant`
 * entry with the reason, and — where the profile's training.refreshAfterIncidentOrChange is on
 * (TrainingService.markDueAgain reads it) — every active member of staff's training due again,
 * in the same transaction. The whole staff, not only those involved: the templates' refresh
 * rules cover all pupils, staff and parents after a significant incident, and who "is involved" in a
 * report is often not staff at all. Once per case: a later reclassification neither unmarks it
 * (the record stays as it was) nor marks it again. Null when nothing was added.
 */
export async function markIfSignificant(
  deps: {
    repository: IncidentsRepository;
    clock: Clock;
    people: Pick<PeopleDirectory, 'staffRoster'>;
    policies: Pick<PolicyService, 'current'>;
    training: () => Pick<TrainingService, 'markDueAgain'> | undefined;
  },
  tx: Tx,
  incident: IncidentRow,
  state: CaseState,
  actorStaffId: string | null,
): Promise<CaseState | null> {
  const { repository, clock, people } = deps;
  const why = await significanceOf(deps.policies, state);
  if (!why || (await repository.hasEntry(tx.db, incident.id, 'significant'))) return null;
  await repository.insertEntry(tx.db, {
    schoolId: incident.schoolId,
    incidentId: incident.id,
    at: clock.now(),
    actorStaffId,
    kind: 'significant',
    data: why,
  });
  const training = deps.training();
  if (training) {
    const roster = await people.staffRoster(tx.db, incident.schoolId);
    await training.markDueAgain(
      incident.schoolId,
      { reason: 'incident', reference: incident.id },
      roster.map((s) => s.id),
      { tx },
    );
  }
  return repository.refreshCase(tx.db, incident);
}
