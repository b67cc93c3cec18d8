import { defineModule, type Services } from '../registry.ts';
import type { AttentionItem } from '../registry.ts';
import { TrainingRepository } from './training.repository.ts';
import { TrainingService } from './training.service.ts';
import { BookingRepository } from './booking/booking.repository.ts';
import { BookingService } from './booking/booking.service.ts';
import { trainingRoutes } from './training.routes.ts';
import { bookingRoutes } from './booking/booking.routes.ts';
import { trainingApi } from './training.api.ts';
import { AttendanceImportService } from './attendance/attendance-import.service.ts';
import { MaterialsService } from './sessions/materials.service.ts';
import { materialsRoutes } from './sessions/materials.routes.ts';
import { attendanceImportRoutes } from './attendance/attendance-import.routes.ts';
import { trainingJobs } from './training.jobs.ts';
import { canBookParentSessions, canManageTraining, canViewTraining } from './training.policy.ts';
import { kindLabel } from './training-status.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { TrainingAggregates } from './training.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Staff training in figures on a date (counts only): the governors’ monitoring report. */
    trainingAggregates: TrainingAggregates;
    /** Training sessions, the register, pupils' lessons, refresh marks and training status. */
    training: TrainingService;
    /** Parents' bookings at parents' e-safety meetings. */
    trainingBookings: BookingService;
    /** Attendance from CSV sign-in sheets, through the shared import pipeline. */
    trainingImports: AttendanceImportService;
    /** Sessions' materials (files), uploads and downloads audited. */
    trainingMaterials: MaterialsService;
  }
}

export const trainingModule = defineModule({
  name: 'training',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'audit'
      | 'policies'
      | 'peopleDirectory'
      | 'staffClasses'
      | 'acknowledgements'
      | 'events'
      | 'mailer'
      | 'config'
      | 'files'
      | 'jobs'
    >,
  ) => {
    const repository = new TrainingRepository();
    const training = new TrainingService({
      database: deps.database,
      repository,
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
      people: deps.peopleDirectory,
      staffClasses: deps.staffClasses,
      acknowledgements: deps.acknowledgements,
      mailer: deps.mailer,
      baseUrl: deps.config.baseUrl,
    });
    // A new policy version marks staff due again, in the publishing transaction (the outbox).
    deps.events.on('policy.version-published', (tx, schoolId, payload) =>
      training.onPolicyVersionPublished(tx, schoolId, payload.version).then(() => undefined),
    );
    return {
      trainingAggregates: new TrainingAggregates({ database: deps.database }),
      training,
      trainingBookings: new BookingService({
        database: deps.database,
        repository: new BookingRepository(),
        sessions: repository,
        audit: deps.audit,
        clock: deps.clock,
        people: deps.peopleDirectory,
      }),
      trainingMaterials: new MaterialsService({
        database: deps.database,
        repository,
        files: deps.files,
        audit: deps.audit,
        clock: deps.clock,
      }),
      trainingImports: new AttendanceImportService({
        database: deps.database,
        repository,
        audit: deps.audit,
        clock: deps.clock,
        policies: deps.policies,
        people: deps.peopleDirectory,
        acknowledgements: deps.acknowledgements,
        files: deps.files,
        jobs: deps.jobs,
      }),
    };
  },
  routes: [trainingRoutes, bookingRoutes, attendanceImportRoutes, materialsRoutes],
  api: [trainingApi],
  jobs: trainingJobs,
  navigation: [
    {
      href: '/training',
      text: 'Training',
      section: 'staff',
      description: 'Training you and your colleagues need to do, and sessions to book.',
      order: 75,
      visible: canViewTraining,
    },
    {
      href: '/parent-training',
      text: 'E-safety meetings',
      section: 'safeguarding',
      description: 'Book a place at a meeting about keeping children safe online.',
      order: 75,
      visible: canBookParentSessions,
    },
  ],
  attention: async (services, p) => {
    const items: AttentionItem[] = [];
    if (p.kind === 'parent') {
      const list = await services.trainingBookings.forParent(p);
      const open = list.filter((i) => !i.booking && (i.placesLeft === null || i.placesLeft > 0));
      if (open[0])
        items.push({
          title: 'Book a place at the e-safety meeting',
          detail: `${open[0].session.title}, ${formatDateInWords(open[0].session.startsAt)}.`,
          href: '/parent-training',
          tag: { text: 'Open', colour: 'blue' },
        });
      return items;
    }
    if (!canViewTraining(p) || p.kind !== 'staff') return items;
    if (!(await services.policies.currentOrNull(p.schoolId))) return items;
    const week = await services.training.upcoming(p.schoolId, 7);
    const relevant = week.filter((s) => s.audience === 'staff' || canManageTraining(p));
    if (relevant.length > 0)
      items.push({
        title: `${relevant.length} training ${relevant.length === 1 ? 'session' : 'sessions'} this week`,
        detail: relevant
          .slice(0, 3)
          .map((s) => `${s.title}, ${formatDateInWords(s.startsAt)}`)
          .join('; '),
        href: '/training',
        tag: { text: 'This week', colour: 'blue' },
      });
    const mine = await services.training.status(p.schoolId, [p.id]);
    const me = mine.people[0];
    if (me) {
      const overdue = mine.kinds.filter((k) => me.kinds[k]?.state === 'overdue');
      if (overdue.length > 0)
        items.push({
          title: 'Your training is overdue',
          detail: overdue.map((k) => kindLabel(k)).join(', '),
          href: '/training',
          tag: { text: 'Overdue', colour: 'red' },
        });
    }
    // Who else is overdue is the compliance module's one item ("N people overdue", linking to
    // the compliance view), not repeated here.
    return items;
  },
});
