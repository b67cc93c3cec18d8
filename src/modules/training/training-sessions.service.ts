/**
 * What is taught and when: training sessions (scheduled, read one by one or a year either side,
 * the week ahead) and pupils' e-safety lessons marked by class, once per class and term.
 */
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import type { ClassLessonRow, SessionRow } from './training.repository.ts';
import type { ScheduleSessionInput } from './training.forms.ts';
import { canMarkAnyClass } from './training.policy.ts';
import { kindAudience, termOf } from './training-status.ts';
import { TrainingPart } from './training-shared.ts';

export class TrainingSessions extends TrainingPart {
  // Sessions.

  async schedule(who: StaffPrincipal, input: ScheduleSessionInput): Promise<SessionRow> {
    const { database, repository, audit, people } = this.deps;
    const audience = kindAudience[input.kind];
    if (audience === 'pupils') {
      const classes = await people.classesOnRoll(database.db, who.schoolId, this.today());
      if (!input.className || !classes.some((c) => c.className === input.className))
        throw new ValidationError({ className: 'Choose the class this lesson is for' });
    }
    if (input.startsAt.getTime() < this.deps.clock.now().getTime() - 366 * 86_400_000)
      throw new ValidationError({ date: 'The date must be within the last year or in the future' });
    return database.transaction(async (tx) => {
      const session = await repository.createSession(tx.db, {
        schoolId: who.schoolId,
        kind: input.kind,
        audience,
        className: audience === 'pupils' ? input.className : null,
        title: input.title,
        startsAt: input.startsAt,
        place: input.place,
        trainer: input.trainer,
        capacity: audience === 'parents' ? input.capacity : null,
        createdBy: who.id,
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'training.session-scheduled',
        entityType: 'training_session',
        entityId: session.id,
        data: { kind: input.kind, audience, startsAt: input.startsAt.toISOString() },
      });
      return session;
    });
  }

  async getSession(schoolId: string, id: string): Promise<SessionRow> {
    const s = await this.deps.repository.getSession(this.deps.database.db, schoolId, id);
    if (!s) throw new NotFoundError();
    return s;
  }

  /** Sessions from a year ago to a year ahead, soonest first. */
  async sessionsAround(schoolId: string, audience?: string): Promise<SessionRow[]> {
    const now = this.deps.clock.now().getTime();
    return this.deps.repository.sessionsBetween(
      this.deps.database.db,
      schoolId,
      new Date(now - 366 * 86_400_000),
      new Date(now + 366 * 86_400_000),
      audience,
    );
  }

  /** Sessions starting in the next `days` days. */
  async upcoming(schoolId: string, days = 7, audience?: string): Promise<SessionRow[]> {
    const now = this.deps.clock.now();
    return this.deps.repository.sessionsBetween(
      this.deps.database.db,
      schoolId,
      new Date(now.getTime() - 2 * 3_600_000),
      new Date(now.getTime() + days * 86_400_000),
      audience,
    );
  }

  // Pupils' e-safety lessons by class.

  /** The classes this person may mark: their own (teachers), or every class (those who run training). */
  async classesFor(who: StaffPrincipal): Promise<string[]> {
    if (canMarkAnyClass(who)) {
      const classes = await this.deps.people.classesOnRoll(
        this.deps.database.db,
        who.schoolId,
        this.today(),
      );
      return classes.map((c) => c.className);
    }
    return this.deps.staffClasses.classesOf(who.schoolId, who.id);
  }

  async markClassLesson(
    who: StaffPrincipal,
    input: { className: string; taughtOn: string; topic: string },
  ): Promise<{ term: string }> {
    const { database, repository, audit, clock } = this.deps;
    const classes = await this.classesFor(who);
    if (!classes.includes(input.className))
      throw new ValidationError({ className: 'Choose one of your classes' });
    if (input.taughtOn > this.today())
      throw new ValidationError({ taughtOn: 'The lesson must have been taught today or earlier' });
    const term = termOf(input.taughtOn);
    return database.transaction(async (tx) => {
      const row = await repository.insertClassLesson(tx.db, {
        schoolId: who.schoolId,
        className: input.className,
        termKey: term.key,
        taughtOn: input.taughtOn,
        topic: input.topic,
        taughtBy: who.id,
        recordedAt: clock.now(),
      });
      if (!row)
        throw new ValidationError({
          className: `The ${term.label} e-safety lesson for ${input.className} is already marked`,
        });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'training.class-lesson-marked',
        entityType: 'training_class_lesson',
        entityId: row.id,
        data: { className: input.className, term: term.key, taughtOn: input.taughtOn },
      });
      return { term: term.label };
    });
  }

  async classLessons(schoolId: string, termKey?: string): Promise<ClassLessonRow[]> {
    return this.deps.repository.classLessons(this.deps.database.db, schoolId, termKey);
  }
}
