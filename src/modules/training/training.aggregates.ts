import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import type { PolicySettings } from '../policies/index.ts';
import { trainingAttendance, trainingDueAgain } from './training.tables.ts';
import { kindStatus, staffKinds, trainingWindows } from './training-status.ts';

/** One kind of staff training on a date: how many were done, due soon and overdue. */
export interface TrainingKindCount {
  kind: string;
  done: number;
  due_soon: number;
  overdue: number;
}

/**
 * Staff training in figures as it stood on a date (the governors' monitoring report, issue 16
 * item 4): the same rules as the training status (`kindStatus`), applied on that date to the
 * attendance recorded on or before it, the "due again" marks made on or before it, and the
 * rules given (the policy version current then), for the staff given (those in post then, from
 * PeopleDirectory's aggregates). Two statements; counts only.
 */
export class TrainingAggregates {
  constructor(private readonly deps: { database: Pick<Database, 'db'> }) {}

  async staffOn(
    schoolId: string,
    staff: readonly { id: string; startDate: string | null }[],
    date: string,
    rules: PolicySettings['training'],
  ): Promise<TrainingKindCount[]> {
    const db = this.deps.database.db;
    const [latest, marks] = await Promise.all([
      db.execute<{ person_id: string; kind: string; last: string }>(sql`
        SELECT person_id, kind, max(attended_on)::text AS last FROM ${trainingAttendance}
         WHERE school_id = ${schoolId} AND person_kind = 'staff' AND attended
           AND attended_on <= ${date}::date
         GROUP BY person_id, kind`),
      db.execute<{ staff_id: string; kind: string; marked_on: string }>(sql`
        SELECT staff_id, kind, marked_on::text AS marked_on FROM ${trainingDueAgain}
         WHERE school_id = ${schoolId} AND marked_on <= ${date}::date`),
    ]);
    const last = new Map(latest.rows.map((r) => [`${r.person_id}:${r.kind}`, r.last]));
    const marksBy = new Map<string, string[]>();
    for (const m of marks.rows) {
      const key = `${m.staff_id}:${m.kind}`;
      marksBy.set(key, [...(marksBy.get(key) ?? []), m.marked_on]);
    }
    const windows = trainingWindows(rules);
    return staffKinds.map((kind) => {
      const counts: TrainingKindCount = { kind, done: 0, due_soon: 0, overdue: 0 };
      for (const s of staff) {
        const { state } = kindStatus({
          requirement: rules.sessions[kind].value,
          lastAttended: last.get(`${s.id}:${kind}`) ?? null,
          dueAgain: (marksBy.get(`${s.id}:${kind}`) ?? []).map((markedOn) => ({
            reason: '',
            reference: '',
            markedOn,
          })),
          startDate: s.startDate,
          today: date,
          windows,
        });
        if (state === 'done' || state === 'due_soon' || state === 'overdue') counts[state]++;
      }
      return counts;
    });
  }
}
