/**
 * Each person's training status: per kind of staff training done, due soon or overdue (from the
 * latest attendance in `training_latest` and the due-again marks), with the policy
 * acknowledgement, for one school (with pupils' lessons by class this term) or several at once.
 */
import { staffKinds, staffTraining, termOf, trainingWindows } from './training-status.ts';
import {
  TrainingPart,
  type SchoolTrainingStatus,
  type TrainingStatusReport,
} from './training-shared.ts';

export class TrainingReports extends TrainingPart {
  /**
   * Every active member of staff's state per kind of staff training (done, due soon, overdue),
   * with the policy acknowledgement, and pupils' e-safety by class this term: five statements
   * whatever the school's size (roster, latest attendance per person and kind, due-again marks,
   * acknowledgements, class lessons).
   */
  async status(schoolId: string, onlyStaffIds?: readonly string[]): Promise<TrainingStatusReport> {
    const { database, repository, people, acknowledgements, policies } = this.deps;
    const db = database.db;
    const today = this.today();
    const current = await policies.current(schoolId);
    const settings = current.settings.training;
    const term = termOf(today);
    const [rosterAll, latest, marks, classes, lessons] = await Promise.all([
      people.staffRoster(db, schoolId),
      repository.latestAttendance(db, schoolId, 'staff', onlyStaffIds),
      repository.dueAgainFor(db, schoolId, onlyStaffIds),
      onlyStaffIds ? Promise.resolve([]) : people.classesOnRoll(db, schoolId, today),
      onlyStaffIds ? Promise.resolve([]) : repository.classLessons(db, schoolId, term.key),
    ]);
    const roster = onlyStaffIds ? rosterAll.filter((s) => onlyStaffIds.includes(s.id)) : rosterAll;
    const acknowledged = await acknowledgements.acknowledgedCurrent(
      schoolId,
      roster.map((s) => s.id),
    );
    const kinds = staffKinds;
    const peopleOut = staffTraining(roster, latest, marks, acknowledged, settings, today);
    const lessonBy = new Map(lessons.map((l) => [l.className, l]));
    return {
      today,
      policyVersion: current.version,
      kinds: [...kinds],
      people: peopleOut,
      classes: classes.map((c) => ({ ...c, lesson: lessonBy.get(c.className) ?? null })),
      term,
      windows: trainingWindows(settings),
      acknowledgeWithinDays: settings.acknowledgeWithinDays.value,
    };
  }

  /**
   * `status` for several schools (a trust's compliance figures, a school's compliance view)
   * without the pupils' lessons, in a constant number of statements whatever the number of
   * schools: the current policies (`PolicyService.currentForSchools`), the roster, latest
   * attendance and due-again marks of every school in one statement each, and the
   * acknowledgements through their own module (`acknowledgedCurrentForSchools`: its rules on
   * substantive and minor versions, not copied). Schools without a policy are left out. Each
   * school's report carries the policy settings it followed (the compliance view's access rule
   * and role titles read them: no further statement).
   */
  async statusForSchools(schoolIds: readonly string[]): Promise<Map<string, SchoolTrainingStatus>> {
    const { database, repository, people, acknowledgements, policies } = this.deps;
    const db = database.db;
    const today = this.today();
    const term = termOf(today);
    const out = new Map<string, SchoolTrainingStatus>();
    if (schoolIds.length === 0) return out;
    const currents = await policies.currentForSchools(schoolIds);
    const withPolicy = schoolIds.filter((id) => currents.has(id));
    if (withPolicy.length === 0) return out;
    const [roster, latest, marks, acknowledged] = await Promise.all([
      people.staffRosterForSchools(db, withPolicy),
      repository.latestAttendanceForSchools(db, withPolicy, 'staff'),
      repository.dueAgainForSchools(db, withPolicy),
      acknowledgements.acknowledgedCurrentForSchools(withPolicy, currents),
    ]);
    const bySchool = <T extends { schoolId: string }>(rows: T[]) => {
      const m = new Map<string, T[]>();
      for (const r of rows) {
        const list = m.get(r.schoolId);
        if (list) list.push(r);
        else m.set(r.schoolId, [r]);
      }
      return m;
    };
    const rosters = bySchool(roster);
    const latests = bySchool(latest);
    const markRows = bySchool(marks);
    for (const schoolId of withPolicy) {
      const current = currents.get(schoolId)!;
      out.set(schoolId, {
        today,
        policyVersion: current.version,
        kinds: [...staffKinds],
        people: staffTraining(
          rosters.get(schoolId) ?? [],
          latests.get(schoolId) ?? [],
          markRows.get(schoolId) ?? [],
          acknowledged.get(schoolId) ?? new Set(),
          current.settings.training,
          today,
        ),
        classes: [],
        term,
        windows: trainingWindows(current.settings.training),
        acknowledgeWithinDays: current.settings.training.acknowledgeWithinDays.value,
        settings: current.settings,
      });
    }
    return out;
  }
}
