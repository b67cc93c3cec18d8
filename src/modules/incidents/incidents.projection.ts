/**
 * The case projection (`incident_cases`): the current state of an incident folded from its
 * report and its entries, in order. Pure, so the same function rebuilds a case in the
 * transaction of each entry and in the unit test.
 */

export interface ReportFacts {
  incidentId: string;
  schoolId: string;
  reference: string;
  reportedAt: Date;
  reporterKind: string;
  reporterId: string;
  reporterConcern: boolean;
  indecentImage: boolean;
}

export interface EntryFacts {
  at: Date;
  kind: string;
  data: Record<string, unknown>;
}

export interface CaseState {
  incidentId: string;
  schoolId: string;
  reference: string;
  reportedAt: Date;
  reporterKind: string;
  reporterId: string;
  status: 'open' | 'closed';
  classifiedAt: Date | null;
  incidentType: string | null;
  category: string | null;
  risk: string | null;
  safeguarding: boolean;
  indecentImage: boolean;
  assignedStaffIds: string[];
  deputyStaffIds: string[];
  stepsDone: number;
  nextStepDue: string | null;
  outcome: string | null;
  closedAt: Date | null;
  entryCount: number;
  updatedAt: Date;
}

/** Types that are always a safeguarding concern, whatever the classification says. */
const alwaysSafeguarding = new Set(['radicalisation']);

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function foldCase(report: ReportFacts, entries: readonly EntryFacts[]): CaseState {
  const state: CaseState = {
    incidentId: report.incidentId,
    schoolId: report.schoolId,
    reference: report.reference,
    reportedAt: report.reportedAt,
    reporterKind: report.reporterKind,
    reporterId: report.reporterId,
    status: 'open',
    classifiedAt: null,
    incidentType: null,
    category: null,
    risk: null,
    safeguarding: report.reporterConcern || report.indecentImage,
    indecentImage: report.indecentImage,
    assignedStaffIds: [],
    deputyStaffIds: [],
    stepsDone: 0,
    nextStepDue: null,
    outcome: null,
    closedAt: null,
    entryCount: entries.length,
    updatedAt: report.reportedAt,
  };
  const stepsDone = new Set<string>();
  for (const e of entries) {
    if (e.at > state.updatedAt) state.updatedAt = e.at;
    const d = e.data;
    switch (e.kind) {
      case 'classification':
        state.classifiedAt ??= e.at;
        state.incidentType = str(d.incidentType);
        state.category = str(d.category);
        state.risk = str(d.risk);
        state.safeguarding = d.safeguarding === true;
        if ('reviewBy' in d) state.nextStepDue = str(d.reviewBy);
        break;
      case 'assignment':
        state.assignedStaffIds = strings(d.staffIds);
        break;
      case 'restricted':
        state.deputyStaffIds = strings(d.staffIds);
        break;
      case 'step':
        if (typeof d.stepKey === 'string') stepsDone.add(d.stepKey);
        if ('nextStepDue' in d) state.nextStepDue = str(d.nextStepDue);
        break;
      case 'closed':
        state.status = 'closed';
        state.outcome = str(d.outcome);
        state.closedAt = e.at;
        break;
      case 'reopened':
        state.status = 'open';
        state.outcome = null;
        state.closedAt = null;
        break;
    }
  }
  state.stepsDone = stepsDone.size;
  // Never less than the report and the type make it: an indecent-image report, a report whose
  // reporter feared for a child's safety until the DSL decides otherwise, a Prevent concern.
  if (report.indecentImage) state.safeguarding = true;
  if (state.incidentType && alwaysSafeguarding.has(state.incidentType)) state.safeguarding = true;
  return state;
}
