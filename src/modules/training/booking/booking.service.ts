import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { AuditService } from '../../audit/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { SessionRow, TrainingRepository } from '../training.repository.ts';
import type { BookingRepository, BookingRow } from './booking.repository.ts';

export type { BookingRow };

export interface ParentPerson {
  id: string;
  schoolId: string;
}

/**
 * Parents book places at the parents' e-safety meeting through their signed-in link (the
 * profile's training rules, SPEC §3.8): places are counted under a lock on the session, so two
 * parents booking the last place at once cannot both have it. Cancelling keeps the booking,
 * marked cancelled.
 */
export class BookingService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: BookingRepository;
      sessions: TrainingRepository;
      audit: AuditService;
      clock: Clock;
      people: Pick<PeopleDirectory, 'displayNames'>;
    },
  ) {}

  /** Parents' sessions still to come, with this parent's booking and the places left. */
  async forParent(parent: ParentPerson) {
    const { database, repository, sessions, clock } = this.deps;
    const now = clock.now();
    const [upcoming, mine] = await Promise.all([
      sessions.sessionsBetween(
        database.db,
        parent.schoolId,
        now,
        new Date(now.getTime() + 400 * 86_400_000),
        'parents',
      ),
      repository.activeFor(database.db, parent.schoolId, parent.id),
    ]);
    const booked = new Map(mine.map((b) => [b.sessionId, b]));
    return Promise.all(
      upcoming.map(async (s) => ({
        session: s,
        booking: booked.get(s.id) ?? null,
        placesLeft:
          s.capacity === null
            ? null
            : s.capacity - (await repository.placesTaken(database.db, parent.schoolId, s.id)),
      })),
    );
  }

  private async openParentsSession(schoolId: string, sessionId: string): Promise<SessionRow> {
    const s = await this.deps.sessions.getSession(this.deps.database.db, schoolId, sessionId);
    if (!s || s.audience !== 'parents' || s.cancelledAt) throw new NotFoundError();
    return s;
  }

  /** A parent may see (and book) only their own school's parents' sessions: anything else 404. */
  async sessionForParent(parent: ParentPerson, sessionId: string): Promise<SessionRow> {
    return this.openParentsSession(parent.schoolId, sessionId);
  }

  async book(parent: ParentPerson, sessionId: string, places: number): Promise<BookingRow> {
    const { database, repository, sessions, audit, clock } = this.deps;
    await this.openParentsSession(parent.schoolId, sessionId);
    return database.transaction(async (tx) => {
      const session = await sessions.getSessionForUpdate(tx.db, parent.schoolId, sessionId);
      if (!session) throw new NotFoundError();
      if (session.startsAt.getTime() <= clock.now().getTime())
        throw new ValidationError({
          places: 'This meeting has already started, so it cannot be booked',
        });
      const mine = await repository.activeFor(tx.db, parent.schoolId, parent.id);
      if (mine.some((b) => b.sessionId === sessionId))
        throw new ValidationError({ places: 'You have already booked this meeting' });
      if (session.capacity !== null) {
        const taken = await repository.placesTaken(tx.db, parent.schoolId, sessionId);
        const left = session.capacity - taken;
        if (left <= 0) throw new ValidationError({ places: 'Sorry, this meeting is full' });
        if (places > left)
          throw new ValidationError({
            places: `Only ${left} ${left === 1 ? 'place is' : 'places are'} left: choose ${left} or fewer`,
          });
      }
      const booking = await repository.create(tx.db, {
        schoolId: parent.schoolId,
        sessionId,
        parentId: parent.id,
        places,
        bookedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: parent.schoolId,
        actor: { kind: 'parent', id: parent.id },
        action: 'training.place-booked',
        entityType: 'training_session',
        entityId: sessionId,
        data: { places },
      });
      return booking;
    });
  }

  async cancel(parent: ParentPerson, sessionId: string): Promise<void> {
    const { database, repository, audit, clock } = this.deps;
    await this.openParentsSession(parent.schoolId, sessionId);
    await database.transaction(async (tx) => {
      const cancelled = await repository.cancel(
        tx.db,
        parent.schoolId,
        sessionId,
        parent.id,
        clock.now(),
      );
      if (!cancelled) throw new ValidationError({ places: 'You have no booking for this meeting' });
      await audit.record(tx, {
        schoolId: parent.schoolId,
        actor: { kind: 'parent', id: parent.id },
        action: 'training.booking-cancelled',
        entityType: 'training_session',
        entityId: sessionId,
        data: { places: cancelled.places },
      });
    });
  }

  /** Who has booked a session, by name (staff pages). */
  async bookings(schoolId: string, sessionId: string) {
    const { database, repository, people } = this.deps;
    const rows = await repository.activeForSession(database.db, schoolId, sessionId);
    const names = await people.displayNames(database.db, schoolId, {
      staff: [],
      parents: rows.map((r) => r.parentId),
      pupils: [],
    });
    return rows
      .map((r) => ({ ...r, name: names.parents.get(r.parentId) ?? 'A parent' }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
