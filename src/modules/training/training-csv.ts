import { csvCell } from '../../platform/csv.ts';
import type { TrainingStatusReport } from './training.service.ts';
import { kindLabel, stateLabels } from './training-status.ts';

/** A formula-injection-safe CSV cell (platform/csv.ts), kept under this name for its users. */
export { csvCell };

/** Everyone's training as CSV: a row per person, a column pair per kind (state, due date). */
export function statusCsv(report: TrainingStatusReport): string {
  const header = [
    'Name',
    'Email',
    ...report.kinds.flatMap((k) => [kindLabel(k), `${kindLabel(k)}: due`]),
    `Acknowledged policy version ${report.policyVersion}`,
  ];
  const rows = report.people.map((p) => [
    p.name,
    p.email,
    ...report.kinds.flatMap((k) => {
      const s = p.kinds[k];
      return s ? [stateLabels[s.state].text, s.state === 'done' ? '' : (s.dueOn ?? '')] : ['', ''];
    }),
    p.acknowledgedCurrent ? 'Yes' : 'No',
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
