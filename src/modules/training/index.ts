/**
 * The training module's public surface (docs/architecture.md, "Boundaries"):
 * - `Services.training` (`TrainingService`): sessions, the register, pupils' lessons by class,
 *   `markDueAgain(schoolId, reason, staffIds)` (the incidents module calls it for a significant
 *   incident) and `status(schoolId)`, each person's done / due soon / overdue per kind;
 * - `trainingStatus(services, schoolId)`: the same status, for the compliance view;
 * - who may (policy functions) and the kinds' labels.
 */
import type { Services } from '../registry.ts';
import type { SchoolTrainingStatus, TrainingStatusReport } from './training.service.ts';
import { outreachForSchools, type OutreachRows } from './training-outreach.repository.ts';

export type {
  DueAgainReason,
  PersonTraining,
  SchoolTrainingStatus,
  TrainingService,
  TrainingStatusReport,
} from './training.service.ts';
export type { BookingService } from './booking/booking.service.ts';
export {
  kindLabel,
  kindStatus,
  stateLabels,
  staffKinds,
  termOf,
  trainingWindows,
  type KindStatus,
  type TrainingState,
  type TrainingWindows,
} from './training-status.ts';
/** A formula-injection-safe CSV cell (the compliance view's CSV uses it too). */
export { csvCell } from './training-csv.ts';
export {
  canBookParentSessions,
  canManageTraining,
  canMarkClassLessons,
  canViewTraining,
} from './training.policy.ts';

/** Per person and kind: done / due soon / overdue (and the policy acknowledgement). */
export function trainingStatus(
  services: Pick<Services, 'training'>,
  schoolId: string,
): Promise<TrainingStatusReport> {
  return services.training.status(schoolId);
}

/**
 * The same for several schools at once (a trust's compliance figures; no pupils' lessons): a
 * constant number of statements for the roster, attendance and marks whatever the number of
 * schools. Schools without a policy are not in the map; each report carries the school's current
 * policy settings.
 */
export function trainingStatusForSchools(
  services: Pick<Services, 'training'>,
  schoolIds: readonly string[],
): Promise<Map<string, SchoolTrainingStatus>> {
  return services.training.statusForSchools(schoolIds);
}

// A parent's training and bookings, a pupil's class lessons (subject access, issue 16 item 5).
export {
  trainingAboutPerson,
  type TrainingAboutPerson,
} from './training-subject-access.repository.ts';

// Retention and erasure (issue 16 item 6).
export {
  deleteTrainingBefore,
  forgetStaffTraining,
  forgetTrainingLatest,
  keepFormerStaffNamesInTraining,
  parentsWithTrainingRecords,
  staffWhoRecordedTraining,
  staffWithTrainingRecords,
} from './training-retention.repository.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { TrainingAggregates } from './training.aggregates.ts';

// Pupils' e-safety by class and the parents' meeting, for the compliance view (counts, no names).
export type { OutreachRows };

/**
 * For each school: its classes on roll today, the class lessons recorded for the given terms, and
 * the parents' e-safety sessions (not cancelled) from `from` to before `before` (UK dates) with
 * their bookings and attendance counted. Two statements for the lessons and meetings whatever the
 * number of schools, and one per school for its classes.
 */
export async function pupilsAndParentsForSchools(
  services: Pick<Services, 'database' | 'peopleDirectory'>,
  schoolIds: readonly string[],
  query: { today: string; termKeys: readonly string[]; from: string; before: string },
): Promise<Map<string, PupilsAndParentsRows>> {
  const db = services.database.db;
  const [rows, classes] = await Promise.all([
    outreachForSchools(db, schoolIds, query.termKeys, query.from, query.before),
    Promise.all(schoolIds.map((id) => services.peopleDirectory.classesOnRoll(db, id, query.today))),
  ]);
  const out = new Map<string, PupilsAndParentsRows>(
    schoolIds.map((id, i) => [id, { classes: classes[i]!, lessons: [], meetings: [] }]),
  );
  for (const l of rows.lessons) out.get(l.schoolId)?.lessons.push(l);
  for (const m of rows.meetings) out.get(m.schoolId)?.meetings.push(m);
  return out;
}

export interface PupilsAndParentsRows {
  classes: { className: string; pupils: number }[];
  lessons: OutreachRows['lessons'];
  meetings: OutreachRows['meetings'];
}
