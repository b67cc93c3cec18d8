/**
 * The compliance view's pure part: from training's status report (`trainingStatus`, one per
 * school) to who is done, due soon and overdue, per kind of training and for the current policy
 * version's acknowledgement, by person and by role; and a school's figures for the trust (counts
 * and percentages, no names). No database here; `compliance-view.test.ts` is its table of cases.
 */
import { addDays } from '../policies/index.ts';
import {
  kindLabel,
  stateLabels,
  type PersonTraining,
  type TrainingState,
  type TrainingStatusReport,
} from '../training/index.ts';

export const ACKNOWLEDGEMENT = 'acknowledgement';
export const complianceStates = ['done', 'due_soon', 'overdue'] as const;
export type ComplianceState = (typeof complianceStates)[number];

export interface Column {
  /** A kind of training (`training.sessions.*`) or `acknowledgement`. */
  key: string;
  label: string;
}

export interface Cell {
  state: TrainingState;
  dueOn: string | null;
}

export interface Counts {
  done: number;
  due_soon: number;
  overdue: number;
  not_required: number;
  /** Done as a whole percentage of those it is required of (null when nobody). */
  percentDone: number | null;
}

export interface PersonRow {
  name: string;
  email: string;
  roles: { key: string; title: string }[];
  cells: Record<string, Cell>;
}

export interface RoleSummary {
  role: string;
  title: string;
  people: number;
  counts: Record<string, Counts>;
}

export interface Filters {
  role?: string;
  kind?: string;
  status?: ComplianceState;
}

export interface ComplianceReport {
  today: string;
  policyVersion: number;
  /** Days before its due date that training shows as due soon (`training.dueSoonDays`). */
  dueSoonDays: number;
  /** Every column the school's view could show (for the filter), and those shown. */
  allColumns: Column[];
  columns: Column[];
  /** The roles held in the school, in the school's words (for the filter). */
  roles: { key: string; title: string }[];
  people: PersonRow[];
  byRole: RoleSummary[];
  totals: { people: number; counts: Record<string, Counts> };
  /** People with anything overdue (every column, whatever the filters). */
  overduePeople: number;
}

/**
 * Training's status report with, for the acknowledgement column, the day the version everyone
 * must acknowledge was published (`requiredSince`, a UK date; null or left out when not known).
 */
export type ComplianceInput = TrainingStatusReport & { requiredSince?: string | null };

/**
 * The acknowledgement of the version everyone must have acknowledged: done; otherwise due
 * `withinDays` (the profile's `training.acknowledgeWithinDays`) after the later of the person's
 * start and that version's publication (nobody can acknowledge a version before it exists, and a
 * new starter has their first weeks), due soon until then and overdue after. Without either
 * date: overdue, with no date.
 */
export function acknowledgementCell(
  p: PersonTraining,
  today: string,
  withinDays: number,
  requiredSince: string | null = null,
): Cell {
  if (p.acknowledgedCurrent) return { state: 'done', dueOn: null };
  const from =
    p.startDate && requiredSince
      ? p.startDate > requiredSince
        ? p.startDate
        : requiredSince
      : (p.startDate ?? requiredSince);
  const dueOn = from ? addDays(from, withinDays) : null;
  if (dueOn && dueOn >= today) return { state: 'due_soon', dueOn };
  return { state: 'overdue', dueOn };
}

export function columnsOf(report: Pick<TrainingStatusReport, 'kinds' | 'policyVersion'>): Column[] {
  return [
    ...report.kinds.map((k) => ({ key: k as string, label: kindLabel(k) })),
    { key: ACKNOWLEDGEMENT, label: `Policy acknowledged (version ${report.policyVersion})` },
  ];
}

function cellsOf(p: PersonTraining, report: ComplianceInput): Record<string, Cell> {
  const cells: Record<string, Cell> = {};
  for (const k of report.kinds) {
    const s = p.kinds[k];
    if (s) cells[k] = { state: s.state, dueOn: s.state === 'done' ? null : s.dueOn };
  }
  cells[ACKNOWLEDGEMENT] = acknowledgementCell(
    p,
    report.today,
    report.acknowledgeWithinDays,
    report.requiredSince,
  );
  return cells;
}

export function countCells(cells: readonly (Cell | undefined)[]): Counts {
  const c: Counts = { done: 0, due_soon: 0, overdue: 0, not_required: 0, percentDone: null };
  for (const cell of cells) if (cell) c[cell.state] += 1;
  const required = c.done + c.due_soon + c.overdue;
  c.percentDone = required === 0 ? null : Math.round((100 * c.done) / required);
  return c;
}

const countsBy = (rows: PersonRow[], columns: Column[]) =>
  Object.fromEntries(columns.map((c) => [c.key, countCells(rows.map((r) => r.cells[c.key]))]));

/**
 * The school's view. Role and kind narrow everything (the people, the columns, the summary by
 * role); status narrows the list of people to those with a shown column in that state.
 */
export function buildCompliance(
  report: ComplianceInput,
  titles: Record<string, string>,
  filters: Filters = {},
): ComplianceReport {
  const allColumns = columnsOf(report);
  const columns = filters.kind ? allColumns.filter((c) => c.key === filters.kind) : allColumns;
  const title = (r: string) => titles[r] ?? r;
  const everyone: PersonRow[] = report.people.map((p) => ({
    name: p.name,
    email: p.email,
    roles: p.roles.map((r) => ({ key: r, title: title(r) })),
    cells: cellsOf(p, report),
  }));
  const overduePeople = everyone.filter((p) =>
    Object.values(p.cells).some((c) => c.state === 'overdue'),
  ).length;
  const roleKeys = [...new Set(report.people.flatMap((p) => p.roles))].sort((a, b) =>
    title(a).localeCompare(title(b)),
  );
  const inRole = filters.role
    ? everyone.filter((p) => p.roles.some((r) => r.key === filters.role))
    : everyone;
  const people = filters.status
    ? inRole.filter((p) => columns.some((c) => p.cells[c.key]?.state === filters.status))
    : inRole;
  const byRole = roleKeys
    .filter((r) => !filters.role || r === filters.role)
    .map((r) => {
      const holders = everyone.filter((p) => p.roles.some((x) => x.key === r));
      return {
        role: r,
        title: title(r),
        people: holders.length,
        counts: countsBy(holders, columns),
      };
    });
  return {
    today: report.today,
    policyVersion: report.policyVersion,
    dueSoonDays: report.windows.dueSoonDays,
    allColumns,
    columns,
    roles: roleKeys.map((r) => ({ key: r, title: title(r) })),
    people,
    byRole,
    totals: { people: inRole.length, counts: countsBy(inRole, columns) },
    overduePeople,
  };
}

/** One school's figures for the trust: counts and percentages per column, never a name. */
export interface SchoolFigures {
  name: string;
  staff: number;
  overduePeople: number;
  counts: Record<string, Counts>;
}

/**
 * What `buildCompliance(report, {})` says of the school as a whole (its totals and people with
 * anything overdue), counted straight from the states without building the view's rows: the
 * trust's figures count every person of 50 schools. `compliance-view.test.ts` checks the two agree.
 */
export function schoolFigures(name: string, report: ComplianceInput): SchoolFigures {
  const kinds = report.kinds;
  const tallies = kinds.map(() => ({ done: 0, due_soon: 0, overdue: 0, not_required: 0 }));
  const ack = { done: 0, due_soon: 0, overdue: 0, not_required: 0 };
  // Due soon until `acknowledgeWithinDays` after the later of their start and the version's
  // publication (the same for everyone in the school): kept by start date.
  const dueSoonByStart = new Map<string, boolean>();
  let overduePeople = 0;
  for (const p of report.people) {
    let overdue = false;
    for (let i = 0; i < kinds.length; i++) {
      const s = p.kinds[kinds[i]!];
      if (!s) continue;
      tallies[i]![s.state] += 1;
      if (s.state === 'overdue') overdue = true;
    }
    if (p.acknowledgedCurrent) ack.done += 1;
    else {
      let soon = dueSoonByStart.get(p.startDate ?? '');
      if (soon === undefined) {
        soon =
          acknowledgementCell(p, report.today, report.acknowledgeWithinDays, report.requiredSince)
            .state === 'due_soon';
        dueSoonByStart.set(p.startDate ?? '', soon);
      }
      if (soon) ack.due_soon += 1;
      else {
        ack.overdue += 1;
        overdue = true;
      }
    }
    if (overdue) overduePeople += 1;
  }
  const counts: Record<string, Counts> = {};
  kinds.forEach((k, i) => (counts[k] = withPercent(tallies[i]!)));
  counts[ACKNOWLEDGEMENT] = withPercent(ack);
  return { name, staff: report.people.length, overduePeople, counts };
}

function withPercent(c: Omit<Counts, 'percentDone'>): Counts {
  const required = c.done + c.due_soon + c.overdue;
  return { ...c, percentDone: required === 0 ? null : Math.round((100 * c.done) / required) };
}

export const stateText = (s: TrainingState): string => stateLabels[s].text;
