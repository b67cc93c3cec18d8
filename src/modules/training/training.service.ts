import type { ClassLessonRow, SessionRow } from './training.repository.ts';
import type { TrainingDeps } from './training-shared.ts';
import { TrainingSessions } from './training-sessions.service.ts';
import { TrainingAttendance } from './training-attendance.service.ts';
import { TrainingReports } from './training-report.service.ts';
import { TrainingReminders } from './training-reminders.service.ts';

export type { ClassLessonRow, SessionRow };
export type {
  DueAgainReason,
  PersonTraining,
  SchoolTrainingStatus,
  TrainingDeps,
  TrainingStatusReport,
} from './training-shared.ts';

/**
 * Training sessions, the register, pupils' lessons by class, "due again" marks and each
 * person's training status (SPEC §3.8; issue 17 items 3, 4, 6). Every rule from the school's
 * current profile (`training.*`).
 *
 * This class is the module's one public surface (`Services.training`); the work is done by its
 * parts, one per concern (training-sessions, training-attendance, training-report and
 * training-reminders .service.ts), which share one deps object and what is in
 * training-shared.ts. Each method here hands its call to the part that owns it.
 */
export class TrainingService {
  private readonly sessions: TrainingSessions;
  private readonly attendance: TrainingAttendance;
  private readonly reports: TrainingReports;
  private readonly reminders: TrainingReminders;

  constructor(deps: TrainingDeps) {
    this.sessions = new TrainingSessions(deps);
    this.attendance = new TrainingAttendance(deps, this.sessions);
    this.reports = new TrainingReports(deps);
    this.reminders = new TrainingReminders(deps, this.reports);
  }

  /** The profile's training rules (`training.*`) for the school. */
  settings(...a: Parameters<TrainingSessions['settings']>) {
    return this.sessions.settings(...a);
  }

  // Sessions and pupils' lessons by class (training-sessions.service.ts)

  schedule(...a: Parameters<TrainingSessions['schedule']>) {
    return this.sessions.schedule(...a);
  }
  getSession(...a: Parameters<TrainingSessions['getSession']>) {
    return this.sessions.getSession(...a);
  }
  /** Sessions from a year ago to a year ahead, soonest first. */
  sessionsAround(...a: Parameters<TrainingSessions['sessionsAround']>) {
    return this.sessions.sessionsAround(...a);
  }
  /** Sessions starting in the next `days` days. */
  upcoming(...a: Parameters<TrainingSessions['upcoming']>) {
    return this.sessions.upcoming(...a);
  }
  /** The classes this person may mark: their own (teachers), or every class. */
  classesFor(...a: Parameters<TrainingSessions['classesFor']>) {
    return this.sessions.classesFor(...a);
  }
  markClassLesson(...a: Parameters<TrainingSessions['markClassLesson']>) {
    return this.sessions.markClassLesson(...a);
  }
  classLessons(...a: Parameters<TrainingSessions['classLessons']>) {
    return this.sessions.classLessons(...a);
  }

  // The register and the "due again" marks (training-attendance.service.ts)

  /** Who is expected at a staff session, whether they attended and acknowledged the policy. */
  register(...a: Parameters<TrainingAttendance['register']>) {
    return this.attendance.register(...a);
  }
  /** Takes the register for a staff session (in the room, or from an import); in `tx` if given. */
  recordAttendance(...a: Parameters<TrainingAttendance['recordAttendance']>) {
    return this.attendance.recordAttendance(...a);
  }
  /** A significant incident or a new policy version makes these staff's training due again. */
  markDueAgain(...a: Parameters<TrainingAttendance['markDueAgain']>) {
    return this.attendance.markDueAgain(...a);
  }
  /** The outbox listener: a new policy version makes every active member of staff due again. */
  onPolicyVersionPublished(...a: Parameters<TrainingAttendance['onPolicyVersionPublished']>) {
    return this.attendance.onPolicyVersionPublished(...a);
  }

  // Status (training-report.service.ts)

  /** Every active member of staff's state per kind, and pupils' e-safety by class this term. */
  status(...a: Parameters<TrainingReports['status']>) {
    return this.reports.status(...a);
  }
  /** `status` for several schools at once, without the pupils' lessons. */
  statusForSchools(...a: Parameters<TrainingReports['statusForSchools']>) {
    return this.reports.statusForSchools(...a);
  }

  // Reminders, the daily job (training-reminders.service.ts)

  sendReminders(...a: Parameters<TrainingReminders['sendReminders']>) {
    return this.reminders.sendReminders(...a);
  }
}
