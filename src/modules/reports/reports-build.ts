import { yearGroupLabel } from '../../web/views/format.ts';
import type { Period } from './reports-periods.ts';
import { cellOf, percentCell, suppressColumn, type Cell } from './reports-suppression.ts';
import { formatDateInWords } from '../../web/dates.ts';

/**
 * The rows the report is built from: what the owning modules' aggregates return (counts only),
 * in the shapes below (reports.service.ts turns them into these).
 */
export type IncidentAggregateRow = {
  category: string | null;
  risk: string | null;
  incident_type: string | null;
  status: string | null;
  /** Which grouping the row belongs to: 3 category × risk, 13 type, 14 status, 15 all. */
  g: number;
  n: number;
  closed: number;
  median_s: number | null;
  longest_s: number | null;
};

export type ConsentAggregateRow = {
  year_group: string;
  pupils: number;
  with_consent: number;
};

export type PostsAggregateRow = {
  published: number;
  published_posts: number;
  removed: number;
  takedowns_done: number;
  takedowns_open: number;
};

export type ConductAggregateRow = {
  what: 'declaration' | 'permission' | 'filtering';
  key: string;
  state: string;
  n: number;
};

/** What the aggregates return for one school (or a trust's schools together). */
export interface RawFigures {
  incidents: IncidentAggregateRow[];
  consent: ConsentAggregateRow[];
  posts: PostsAggregateRow;
  conduct: ConductAggregateRow[];
  training: {
    kinds: { kind: string; done: number; due_soon: number; overdue: number }[];
    staff: number;
    acknowledged: number;
    /** The day the figures stand at (ISO date): the period's last day, or today if it is later. */
    asOf: string;
    /** Whether that day is today (the period has not ended). */
    today: boolean;
  };
}

export interface ReportRow {
  label: string;
  cells: Cell[];
}

/** One table of the report; `chart` names the column drawn as a bar chart beside it. */
export interface ReportTable {
  id: string;
  title: string;
  /** A sentence or two saying what the table shows, for everyone (and the chart's description). */
  summary: string;
  rowHeader: string;
  columns: string[];
  rows: ReportRow[];
  total?: Cell[];
  chart: { column: number; unit: 'count' | 'percent' } | null;
}

/**
 * A record shown as it was kept (not a figure): label and value pairs, the values in the words of
 * whoever recorded it. Only in a school's own report.
 */
export interface ReportRecord {
  id: string;
  title: string;
  items: { label: string; value: string }[];
}

export interface ReportSection {
  id: string;
  title: string;
  note?: string;
  /** Records shown before the tables (the latest filtering and monitoring review). */
  records?: ReportRecord[];
  tables: ReportTable[];
}

/** The latest annual filtering and monitoring review in the period, as recorded. */
export interface FilteringReviewForReport {
  checkedOn: string;
  outcome: 'working' | 'problems_found';
  findings: string;
  actions: string;
  /** Who recorded it, by the name the school keeps (null when it no longer holds it). */
  recordedBy: string | null;
}

export interface Report {
  period: Period;
  incidentsTotal: Cell;
  sections: ReportSection[];
}

export interface Labels {
  category: Record<string, string>;
  risk: Record<string, string>;
  incidentType: Record<string, string>;
  declaration: Record<string, string>;
  permission: Record<string, string>;
  permissionStatus: Record<string, string>;
  trainingKind: (k: string) => string;
}

const CATEGORIES = ['content', 'contact', 'conduct', 'commerce'];
const RISKS = ['aggressive', 'sexual', 'values', 'commercial'];
const label = (map: Record<string, string>, key: string | null, none: string) =>
  key === null ? none : (map[key] ?? 'Another kind');

/** One column of counts with a total (suppression rules 1 and 2). */
function countTable(
  base: Omit<ReportTable, 'rows' | 'total' | 'columns' | 'chart' | 'summary'> & {
    column: string;
    summaryOf?: (total: Cell) => string;
  },
  entries: [string, number][],
): ReportTable {
  const cells = suppressColumn(
    entries.map(([, n]) => n),
    true,
  );
  const total = cellOf(entries.reduce((n, [, v]) => n + v, 0));
  const rows = entries.map(([l], i) => ({ label: l, cells: [cells[i]!] }));
  return {
    id: base.id,
    title: base.title,
    rowHeader: base.rowHeader,
    columns: [base.column],
    rows,
    total: [total],
    chart: { column: 0, unit: 'count' },
    summary: summarise(rows, total, base.summaryOf),
  };
}

/** The words beside a chart: the total and the largest group, never a suppressed value. */
function summarise(rows: ReportRow[], total: Cell, lead?: (total: Cell) => string): string {
  const first = lead ? lead(total) : `${capital(total.text)} in all.`;
  const shown = rows.filter((r) => !r.cells[0]!.suppressed && r.cells[0]!.value > 0);
  if (total.value === 0 && !total.suppressed) return `${first}`.trim();
  if (shown.length === 0)
    return `${first} Each group has fewer than 5, so the numbers are not shown.`;
  const top = shown.reduce((a, b) => (b.cells[0]!.value > a.cells[0]!.value ? b : a));
  const hidden = rows.filter((r) => r.cells[0]!.suppressed).length;
  return (
    `${first} The largest group is ${lowerFirst(top.label)} (${top.cells[0]!.text}).` +
    (hidden === 1
      ? ' One group is not shown (fewer than 5).'
      : hidden > 1
        ? ` ${hidden} groups are not shown: fewer than 5, or hidden so that a small group cannot be worked out from the total.`
        : '')
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string) => s;

/** Year groups in school order: nursery, reception, then Year 1 to Year 13, then anything else. */
export function yearGroupOrder(a: string, b: string): number {
  const rank = (y: string) => {
    const l = y.toLowerCase();
    if (l.startsWith('n')) return -2;
    if (l === 'r' || l.startsWith('reception')) return -1;
    const m = /(\d+)/.exec(l);
    return m ? Number(m[1]) : 100;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

const days = (seconds: number | null) =>
  seconds === null
    ? 'none'
    : `${(seconds / 86400).toLocaleString('en-GB', { maximumFractionDigits: 1 })} days`;

/** The filtering section's words and record for the period's latest review (a school's report). */
function filteringReviewPart(
  review: FilteringReviewForReport | null | undefined,
): Pick<ReportSection, 'note' | 'records'> {
  // Undefined: a report that does not show records (the trust's view: figures only).
  if (review === undefined) return {};
  if (review === null)
    return { note: 'No annual review of filtering and monitoring was recorded in this period.' };
  const on = formatDateInWords(review.checkedOn);
  return {
    note: `The annual review of filtering and monitoring on ${on}, as it was recorded.`,
    records: [
      {
        id: 'filtering-review',
        title: 'The latest annual review of filtering and monitoring',
        items: [
          { label: 'Date', value: on },
          { label: 'Recorded by', value: review.recordedBy ?? 'A former member of staff' },
          {
            label: 'Outcome',
            value: review.outcome === 'problems_found' ? 'Problems found' : 'Working as expected',
          },
          { label: 'Findings', value: review.findings },
          ...(review.actions.trim() ? [{ label: 'Actions', value: review.actions }] : []),
        ],
      },
    ],
  };
}

/**
 * The report's sections from the raw aggregates, with every small number suppressed. A school's
 * own report passes `filteringReview` (the period's latest review, or null for none); the
 * trust's view leaves it out.
 */
export function buildReport(
  raw: RawFigures,
  period: Period,
  labels: Labels,
  extra: { filteringReview?: FilteringReviewForReport | null } = {},
): Report {
  const overall = raw.incidents.find((r) => r.g === 15);
  const total = overall?.n ?? 0;
  const byCategory = new Map<string | null, number>();
  const grid = new Map<string, number>();
  for (const r of raw.incidents.filter((r) => r.g === 3)) {
    byCategory.set(r.category, (byCategory.get(r.category) ?? 0) + r.n);
    grid.set(`${r.category}:${r.risk}`, r.n);
  }
  const categoryEntries: [string, number][] = [
    ...CATEGORIES.map((c): [string, number] => [
      label(labels.category, c, ''),
      byCategory.get(c) ?? 0,
    ]),
    ['Not yet classified', byCategory.get(null) ?? 0],
  ];
  const typeRows = raw.incidents
    .filter((r) => r.g === 13)
    .map((r): [string, number] => [
      label(labels.incidentType, r.incident_type, 'Not yet classified'),
      r.n,
    ])
    .sort((a, b) => b[1] - a[1]);
  const statusOf = (s: string) => raw.incidents.find((r) => r.g === 14 && r.status === s)?.n ?? 0;
  // The same cells as the outcome table (its total is shown, so rule 2 applies to the note too).
  const [closedCell, openCell] = suppressColumn([statusOf('closed'), statusOf('open')], true) as [
    Cell,
    Cell,
  ];
  const closed = overall?.closed ?? 0;
  const gridTable: ReportTable = {
    id: 'incidents-grid',
    title: 'The 4Cs grid: category by kind of risk',
    rowHeader: 'Category',
    columns: RISKS.map((r) => label(labels.risk, r, '')),
    rows: CATEGORIES.map((c) => ({
      label: label(labels.category, c, ''),
      cells: RISKS.map((r) => cellOf(grid.get(`${c}:${r}`) ?? 0)),
    })),
    chart: null,
    summary:
      'Each classified incident counted once, by its category and its kind of risk (the 4Cs of Keeping Children Safe in Education). No totals are shown, so a small cell cannot be worked out.',
  };
  const timeTable: ReportTable = {
    id: 'incidents-time',
    title: 'Time to resolve',
    rowHeader: 'Measure',
    columns: ['Value'],
    rows:
      closed >= 5
        ? [
            { label: 'Incidents closed', cells: [cellOf(closed)] },
            {
              label: 'Median time from report to closing',
              cells: [{ value: 0, text: days(overall?.median_s ?? null), suppressed: false }],
            },
            {
              label: 'Longest time from report to closing',
              cells: [{ value: 0, text: days(overall?.longest_s ?? null), suppressed: false }],
            },
          ]
        : [{ label: 'Incidents closed', cells: [cellOf(closed)] }],
    chart: null,
    summary:
      closed >= 5
        ? `Of the incidents reported in this period, ${cellOf(closed).text} are closed. Half were closed within ${days(overall?.median_s ?? null)}; the longest took ${days(overall?.longest_s ?? null)}.`
        : 'Fewer than 5 incidents reported in this period are closed, so the times are not shown.',
  };

  const consentRows = [...raw.consent].sort((a, b) => yearGroupOrder(a.year_group, b.year_group));
  const pupils = consentRows.reduce((n, r) => n + r.pupils, 0);
  const withConsent = consentRows.reduce((n, r) => n + r.with_consent, 0);
  const consentTable: ReportTable = {
    id: 'consent',
    title: 'Consent coverage by year group',
    rowHeader: 'Year group',
    columns: ['Pupils on roll', 'With a consent form in force', 'Coverage'],
    rows: consentRows.map((r) => ({
      label: yearGroupLabel(r.year_group),
      cells: [cellOf(r.pupils), cellOf(r.with_consent), percentCell(r.with_consent, r.pupils)],
    })),
    total: [cellOf(pupils), cellOf(withConsent), percentCell(withConsent, pupils)],
    chart: { column: 2, unit: 'percent' },
    summary:
      pupils === 0
        ? 'No pupils were on roll in this period.'
        : `${percentCell(withConsent, pupils).text === 'not shown' ? 'Coverage across the school is not shown (a small number).' : `${percentCell(withConsent, pupils).text} of pupils on roll had a consent form in force.`}` +
          lowestYear(consentRows),
  };

  const p = raw.posts;
  const postsTable: ReportTable = {
    id: 'posts',
    title: 'Posts published and taken down',
    rowHeader: 'What happened',
    columns: ['Number'],
    rows: [
      { label: 'Posts published', cells: [cellOf(p.published_posts)] },
      { label: 'Publications to the school’s channels', cells: [cellOf(p.published)] },
      { label: 'Publications taken down', cells: [cellOf(p.removed)] },
      { label: 'Takedowns after a change of consent: done', cells: [cellOf(p.takedowns_done)] },
      {
        label: 'Takedowns after a change of consent: still open',
        cells: [cellOf(p.takedowns_open)],
      },
    ],
    chart: { column: 0, unit: 'count' },
    summary: `${capital(cellOf(p.published_posts).text)} posts were published (${cellOf(p.published).text} publications across the school’s channels) and ${cellOf(p.removed).text} publications were taken down.`,
  };

  const t = raw.training;
  const asOfWords = formatDateInWords(t.asOf);
  const trainingTable: ReportTable = {
    id: 'training',
    title: `Staff training on ${asOfWords}`,
    rowHeader: 'Training',
    columns: ['Done', 'Due soon', 'Overdue', 'Up to date'],
    rows: t.kinds.map((k) => ({
      label: labels.trainingKind(k.kind),
      cells: [
        cellOf(k.done),
        cellOf(k.due_soon),
        cellOf(k.overdue),
        percentCell(k.done + k.due_soon, k.done + k.due_soon + k.overdue),
      ],
    })),
    chart: { column: 3, unit: 'percent' },
    summary:
      t.staff === 0
        ? 'No staff training to report.'
        : `Of ${cellOf(t.staff).text} staff in post on ${asOfWords}, for each kind of training required then: how many had done it, were due soon or were overdue. Up to date means done or due soon.`,
  };
  const ackTable: ReportTable = {
    id: 'acknowledgements',
    title: `The policy acknowledged, on ${asOfWords}`,
    rowHeader: 'Staff',
    columns: ['Number'],
    rows: [
      { label: 'Acknowledged the version then required', cells: [cellOf(t.acknowledged)] },
      { label: 'Not yet acknowledged', cells: [cellOf(t.staff - t.acknowledged)] },
    ],
    total: [cellOf(t.staff)],
    chart: { column: 0, unit: 'count' },
    summary:
      t.staff === 0
        ? 'No staff to report.'
        : `${capital(percentCell(t.acknowledged, t.staff).text === 'not shown' ? 'A share not shown (a small number)' : percentCell(t.acknowledged, t.staff).text)} of staff in post on ${asOfWords} had acknowledged the version of the policy then required.`,
  };
  // countTable applies rules 1 and 2 to the acknowledgement figures too.
  const ack = countTable(
    {
      id: ackTable.id,
      title: ackTable.title,
      rowHeader: ackTable.rowHeader,
      column: 'Number',
      summaryOf: () => ackTable.summary,
    },
    ackTable.rows.map((r, i): [string, number] => [
      r.label,
      i === 0 ? t.acknowledged : t.staff - t.acknowledged,
    ]),
  );
  ack.summary = ackTable.summary;

  const conduct = (what: ConductAggregateRow['what']) => raw.conduct.filter((r) => r.what === what);
  const sumBy = (rows: ConductAggregateRow[], key: (r: ConductAggregateRow) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + r.n);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  const declarations = countTable(
    {
      id: 'declarations',
      title: 'Staff declarations, by kind',
      rowHeader: 'Declaration',
      column: 'Declarations',
      summaryOf: (c) => `${capital(c.text)} declarations were made by staff.`,
    },
    sumBy(conduct('declaration'), (r) => label(labels.declaration, r.key, '')),
  );
  const permissions = countTable(
    {
      id: 'permissions',
      title: 'Permission requests, by what was asked',
      rowHeader: 'Request',
      column: 'Requests',
      summaryOf: (c) => `${capital(c.text)} permission requests were made by staff.`,
    },
    sumBy(conduct('permission'), (r) => label(labels.permission, r.key, '')),
  );
  const permissionStates = countTable(
    {
      id: 'permission-states',
      title: 'Permission requests, by where they stand',
      rowHeader: 'Where it stands',
      column: 'Requests',
      summaryOf: (c) => `${capital(c.text)} permission requests in all.`,
    },
    sumBy(conduct('permission'), (r) => label(labels.permissionStatus, r.state, '')),
  );
  const filteringLabel = (r: ConductAggregateRow) =>
    `${r.key === 'review' ? 'Reviews' : 'Checks'}: ${r.state === 'problems_found' ? 'problems found' : 'working as expected'}`;
  const filtering = countTable(
    {
      id: 'filtering',
      title: 'Filtering and monitoring checks and reviews',
      rowHeader: 'Record',
      column: 'Number',
      summaryOf: (c) =>
        `${capital(c.text)} filtering and monitoring checks and reviews were recorded.`,
    },
    sumBy(conduct('filtering'), filteringLabel),
  );

  return {
    period,
    incidentsTotal: cellOf(total),
    sections: [
      {
        id: 'incidents',
        title: 'Incidents reported',
        note: `${capital(cellOf(total).text)} incidents were reported in this period (${openCell.text} still open, ${closedCell.text} closed).`,
        tables: [
          countTable(
            {
              id: 'incidents-category',
              title: 'Incidents by category (the 4Cs)',
              rowHeader: 'Category',
              column: 'Incidents',
              summaryOf: (c) => `${capital(c.text)} incidents in all.`,
            },
            categoryEntries,
          ),
          gridTable,
          countTable(
            {
              id: 'incidents-type',
              title: 'Incidents by type',
              rowHeader: 'Type',
              column: 'Incidents',
              summaryOf: (c) => `${capital(c.text)} incidents in all.`,
            },
            typeRows,
          ),
          countTable(
            {
              id: 'incidents-outcome',
              title: 'Incidents by outcome',
              rowHeader: 'Outcome',
              column: 'Incidents',
              summaryOf: (c) => `${capital(c.text)} incidents in all.`,
            },
            [
              ['Closed', statusOf('closed')],
              ['Still open', statusOf('open')],
            ],
          ),
          timeTable,
        ],
      },
      { id: 'consent', title: 'Consent', tables: [consentTable] },
      { id: 'posts', title: 'Posts', tables: [postsTable] },
      {
        id: 'training',
        title: 'Training and acknowledgement',
        note: t.today
          ? `This period has not ended: these figures are as they stand today (${asOfWords}).`
          : `These figures are as they stood at the end of the period, on ${asOfWords}: the staff then in post, the training they had done by then and the policy version then current.`,
        tables: [trainingTable, ack],
      },
      {
        id: 'conduct',
        title: 'Declarations and permissions',
        tables: [declarations, permissions, permissionStates],
      },
      {
        id: 'filtering',
        title: 'Filtering and monitoring',
        ...filteringReviewPart(extra.filteringReview),
        tables: [filtering],
      },
    ],
  };
}

function lowestYear(rows: ConsentAggregateRow[]): string {
  const shown = rows
    .map((r) => ({ r, c: percentCell(r.with_consent, r.pupils) }))
    .filter((x) => !x.c.suppressed);
  if (shown.length < 2) return '';
  const low = shown.reduce((a, b) => (b.c.value < a.c.value ? b : a));
  const high = shown.reduce((a, b) => (b.c.value > a.c.value ? b : a));
  if (high.c.value === low.c.value) return ' Every year group is the same.';
  return ` The lowest is ${yearGroupLabel(low.r.year_group)} (${low.c.text}).`;
}
