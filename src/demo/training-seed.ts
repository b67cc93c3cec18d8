import { sql } from 'drizzle-orm';
import type { Services } from '../container.ts';
import { ukDate } from '../platform/clock.ts';
import { TrainingRepository } from '../modules/training/training.repository.ts';
import { BookingRepository } from '../modules/training/booking/booking.repository.ts';
import { AcknowledgementsRepository } from '../modules/acknowledgements/acknowledgements.repository.ts';
import { termOf } from '../modules/training/training-status.ts';

const DAY = 86_400_000;
/** How long ago Oakfield's first policy version was published (before last year's training). */
const POLICY_AGE_DAYS = 400;

/** A UK afternoon (about 3:45pm) `days` from now. */
function afternoon(now: Date, days: number): Date {
  const d = new Date(now.getTime() + days * DAY);
  d.setUTCHours(15, 45, 0, 0);
  return d;
}

/**
 * Oakfield's year of training (docs/training.md): induction for everyone, last year's regular
 * training missed by three people (overdue), spotting pupils at risk for some, a staff session
 * this week, last year's and this year's parents' e-safety meeting (this one with bookings; the
 * demo parent has not booked yet), this term's e-safety lesson in the demo teacher's classes,
 * and the policy acknowledged by everyone but the volunteer and the governor.
 */
export async function seedDemoTraining(services: Services): Promise<void> {
  const db = services.database.db;
  const school = await services.peopleDirectory.getSchoolBySlug(db, 'oakfield-primary');
  if (!school) return;
  const roster = await services.peopleDirectory.staffRoster(db, school.id);
  const byRole = (role: string) => roster.filter((s) => s.roles.includes(role)).map((s) => s.id);
  const head = byRole('headteacher')[0]!;
  const dsl = byRole('dsl')[0]!;
  const teacher = byRole('teacher')[0]!;
  const notAcknowledged = new Set([...byRole('volunteer'), ...byRole('governor')]);
  const now = services.clock.now();
  const repo = new TrainingRepository();
  const bookings = new BookingRepository();
  const acknowledgements = new AcknowledgementsRepository();

  await services.database.transaction(async (tx) => {
    const current = await services.policies.currentVersionLocked(tx, school.id);
    // Oakfield has had its policy since before last year's training: its first version was
    // published over a year ago, not on the day the demo is seeded (acknowledgements of it, and
    // the induction that needs them, come after it).
    const adopted = new Date(now.getTime() - POLICY_AGE_DAYS * DAY);
    await tx.db.execute(sql`
      UPDATE policy_profile_versions SET created_at = ${adopted.toISOString()}::timestamptz
       WHERE school_id = ${school.id} AND version = ${current.version}`);
    await tx.db.execute(sql`
      UPDATE policy_profiles SET created_at = ${adopted.toISOString()}::timestamptz
       WHERE school_id = ${school.id}`);
    await acknowledgements.insertMany(
      tx.db,
      roster
        .filter((s) => !notAcknowledged.has(s.id))
        .map((s, i) => ({
          schoolId: school.id,
          personKind: 'staff',
          personId: s.id,
          className: null,
          policyVersionId: current.versionId,
          policyVersion: current.version,
          // Read before their induction (300 days ago), as the induction rule asks.
          acknowledgedAt: new Date(now.getTime() - (310 + i) * DAY),
          recordedBy: s.id,
        })),
    );

    const session = (
      kind: string,
      audience: string,
      title: string,
      days: number,
      place: string,
      trainer: string,
      capacity: number | null = null,
    ) => ({
      schoolId: school.id,
      kind,
      audience,
      className: null,
      title,
      startsAt: afternoon(now, days),
      place,
      trainer,
      capacity,
      createdBy: dsl,
    });
    const [induction, regular, atRisk, , , parentsNext] = await repo.insertSessions(tx.db, [
      session(
        'staff_induction',
        'staff',
        'Social media and online safety: induction',
        -300,
        'Staff room',
        'Designated Safeguarding Lead',
      ),
      session(
        'staff_regular',
        'staff',
        'Annual social media policy training',
        -330,
        'School hall',
        'Designated Safeguarding Lead',
      ),
      session(
        'at_risk_identification',
        'staff',
        'Spotting pupils at risk online',
        -200,
        'Library',
        'Local authority safeguarding team',
      ),
      session(
        'staff_regular',
        'staff',
        'Annual social media policy training',
        4,
        'School hall',
        'Designated Safeguarding Lead',
      ),
      session(
        'parents_esafety',
        'parents',
        'Keeping children safe online: parents’ meeting',
        -340,
        'School hall',
        'Designated Safeguarding Lead',
        80,
      ),
      session(
        'parents_esafety',
        'parents',
        'Keeping children safe online: parents’ meeting',
        21,
        'School hall',
        'Designated Safeguarding Lead',
        60,
      ),
    ]);
    // A session's register lists only the staff who had started by then.
    const attendance = (s: typeof induction, attended: (id: string) => boolean) =>
      repo.upsertAttendance(
        tx.db,
        roster
          .filter((p) => p.startDate === null || p.startDate <= ukDate(s!.startsAt))
          .map((p) => ({
            schoolId: school.id,
            sessionId: s!.id,
            kind: s!.kind,
            personKind: 'staff',
            personId: p.id,
            attended: attended(p.id),
            attendedOn: ukDate(s!.startsAt),
            source: 'room',
            recordedBy: dsl,
            recordedAt: s!.startsAt,
          })),
      );
    // Everyone inducted (after acknowledging); three missed last year's regular training.
    const missedRegular = new Set([
      ...byRole('volunteer'),
      ...byRole('governor'),
      ...byRole('support_staff'),
    ]);
    await attendance(induction, (id) => !notAcknowledged.has(id));
    await attendance(regular, (id) => !missedRegular.has(id));
    const atRiskGroup = new Set([head, dsl, teacher, ...byRole('support_staff')]);
    await attendance(atRisk, (id) => atRiskGroup.has(id));

    // Parents' bookings for the coming meeting (the demo parent's own is left to do).
    const parents = (await services.peopleDirectory.parentRoster(tx.db, school.id))
      .filter((p) => p.email && p.email !== 'parent@oakfield.example')
      .slice(0, 14);
    for (const [i, p] of parents.entries()) {
      await bookings.create(tx.db, {
        schoolId: school.id,
        sessionId: parentsNext!.id,
        parentId: p.id,
        places: 1 + (i % 2),
        bookedAt: new Date(now.getTime() - (10 - (i % 7)) * DAY),
      });
    }

    // This term's e-safety lesson, marked by the demo teacher in one of their classes.
    const classes = await services.staffClasses.classesOf(school.id, teacher);
    const taughtOn = ukDate(new Date(now.getTime() - 6 * DAY));
    if (classes[0] && termOf(taughtOn).key === termOf(ukDate(now)).key) {
      await repo.insertClassLesson(tx.db, {
        schoolId: school.id,
        className: classes[0],
        termKey: termOf(taughtOn).key,
        taughtOn,
        topic: 'Who to tell when something online worries you',
        taughtBy: teacher,
        recordedAt: new Date(now.getTime() - 6 * DAY),
      });
    }
    await services.audit.record(tx, {
      schoolId: school.id,
      actor: { kind: 'system', id: null },
      action: 'demo.training-seeded',
      entityType: 'school',
      entityId: school.id,
      data: { sessions: 6, bookings: parents.length },
    });
  });
}
