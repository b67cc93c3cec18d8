import { csvCell } from '../training/index.ts';
import type { Column, ComplianceReport, Counts } from './compliance-view.ts';
import { stateText } from './compliance-view.ts';
import type { TrustCompliance } from './compliance.service.ts';
import {
  classLessonStates,
  type PupilsAndParents,
  type PupilsParentsFigures,
} from './pupils-parents-view.ts';

type WithPupilsAndParents = ComplianceReport & { pupilsAndParents?: PupilsAndParents | null };

/**
 * The section on pupils and parents below the staff's rows, after a blank line: a row per class
 * (this term's lesson and last term's) and a line for the parents' meeting (counts, no names).
 */
function pupilsParentsRows(pp: PupilsAndParents | null | undefined): unknown[][] {
  if (!pp) return [];
  const rows: unknown[][] = [];
  if (pp.pupils) {
    rows.push(
      [],
      [`${pp.pupils.label}: ${pp.pupils.term.label}`],
      ['Class', 'Pupils', 'This term', 'Taught on', `Last term (${pp.pupils.previousTerm.label})`],
      ...pp.pupils.classes.map((c) => [
        c.className,
        c.pupils,
        classLessonStates[c.state].text,
        c.taughtOn ?? '',
        c.previousTaughtOn ?? 'No lesson recorded',
      ]),
    );
  }
  if (pp.parents) {
    const m = pp.parents;
    rows.push(
      [],
      [`${m.label}: school year from ${m.yearFrom} to ${m.yearTo}`],
      [
        'Held',
        'Held on',
        'Planned for',
        'Bookings',
        'Places booked',
        'Parents and carers attended',
      ],
      [m.held ? 'Yes' : 'No', m.heldOn ?? '', m.nextOn ?? '', m.bookings, m.places, m.attended],
    );
  }
  return rows;
}

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
export function peopleCsv(report: WithPupilsAndParents): string {
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
    ...pupilsParentsRows(report.pupilsAndParents),
  ]);
}

/** A row per role (the counts view, for governors): no names. */
export function rolesCsv(report: WithPupilsAndParents): string {
  return csv([
    ['Role', 'People', ...countHeader(report.columns)],
    ...report.byRole.map((r) => [r.title, r.people, ...countCells(report.columns, r.counts)]),
    ['Everyone', report.totals.people, ...countCells(report.columns, report.totals.counts)],
    ...pupilsParentsRows(report.pupilsAndParents),
  ]);
}

/** A row per school (the trust): counts and percentages, never a name. */
export function trustCsv(trust: TrustCompliance): string {
  return csv([
    ['School', 'Staff', 'People overdue', ...countHeader(trust.columns), ...pupilsParentsHeader],
    ...trust.schools.map((s, i) => [
      s.name,
      s.staff,
      s.overduePeople,
      ...countCells(trust.columns, s.counts),
      ...pupilsParentsCounts(trust.pupilsAndParents?.[i]),
    ]),
  ]);
}

/** The trust's columns on pupils and parents: counts only (blank where the profile does not ask). */
const pupilsParentsHeader = [
  "Pupils' e-safety this term: classes done",
  "Pupils' e-safety this term: classes due",
  "Pupils' e-safety this term: classes overdue",
  "Parents' e-safety meeting this school year: held",
  "Parents' e-safety meeting: date",
  "Parents' e-safety meeting: bookings",
  "Parents' e-safety meeting: parents and carers attended",
];

function pupilsParentsCounts(f: PupilsParentsFigures | null | undefined): unknown[] {
  const c = f?.classes;
  const m = f?.meeting;
  return [
    c?.done ?? '',
    c?.due ?? '',
    c?.overdue ?? '',
    m ? (m.held ? 'Yes' : 'No') : '',
    m?.on ?? '',
    m?.bookings ?? '',
    m?.attended ?? '',
  ];
}
