import { csvCell } from '../training/index.ts';
import type { Column, ComplianceReport, Counts } from './compliance-view.ts';
import { stateText } from './compliance-view.ts';
import type { TrustCompliance } from './compliance.service.ts';

/**
 * The compliance view as CSV. Every cell goes through training's `csvCell` (formula-injection
 * safe: a cell starting with = + - @ tab or CR gets a leading apostrophe; quotes, commas and line
 * breaks are quoted), the same writer as everyone's training CSV.
 */
const csv = (rows: unknown[][]): string =>
  rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

const pct = (c: Counts | undefined) => (c?.percentDone === null || !c ? '' : `${c.percentDone}%`);

const countHeader = (columns: Column[]) =>
  columns.flatMap((c) => [
    `${c.label}: done`,
    `${c.label}: due soon`,
    `${c.label}: overdue`,
    `${c.label}: % done`,
  ]);
const countCells = (columns: Column[], counts: Record<string, Counts>) =>
  columns.flatMap((c) => {
    const n = counts[c.key];
    return [n?.done ?? 0, n?.due_soon ?? 0, n?.overdue ?? 0, pct(n)];
  });

/** A row per person (names view): roles in the school's words, state and due date per column. */
export function peopleCsv(report: ComplianceReport): string {
  return csv([
    ['Name', 'Email', 'Role', ...report.columns.flatMap((c) => [c.label, `${c.label}: due`])],
    ...report.people.map((p) => [
      p.name,
      p.email,
      p.roles.map((r) => r.title).join('; '),
      ...report.columns.flatMap((c) => {
        const cell = p.cells[c.key];
        return cell ? [stateText(cell.state), cell.dueOn ?? ''] : ['', ''];
      }),
    ]),
  ]);
}

/** A row per role (the counts view, for governors): no names. */
export function rolesCsv(report: ComplianceReport): string {
  return csv([
    ['Role', 'People', ...countHeader(report.columns)],
    ...report.byRole.map((r) => [r.title, r.people, ...countCells(report.columns, r.counts)]),
    ['Everyone', report.totals.people, ...countCells(report.columns, report.totals.counts)],
  ]);
}

/** A row per school (the trust): counts and percentages, never a name. */
export function trustCsv(trust: TrustCompliance): string {
  return csv([
    ['School', 'Staff', 'People overdue', ...countHeader(trust.columns)],
    ...trust.schools.map((s) => [
      s.name,
      s.staff,
      s.overduePeople,
      ...countCells(trust.columns, s.counts),
    ]),
  ]);
}
