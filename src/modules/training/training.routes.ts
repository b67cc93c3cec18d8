import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { staffActor, staffOf } from '../../web/principal.ts';
import { canManageTraining, canMarkClassLessons, canViewTraining } from './training.policy.ts';
import {
  attendanceForm,
  idParams,
  readClassLessonForm,
  readScheduleForm,
} from './training.forms.ts';
import {
  audienceLabels,
  kindAudience,
  kindLabel,
  stateLabels,
  trainingSessionKeys,
} from './training-status.ts';
import type { SessionRow } from './training.service.ts';
import { statusCsv } from './training-csv.ts';

/** What a page shows of a session (never its enum keys). */
export function sessionView(s: SessionRow) {
  return {
    ...s,
    kindLabel: kindLabel(s.kind),
    audienceLabel:
      s.audience === 'pupils' && s.className
        ? `Class ${s.className}`
        : (audienceLabels[s.audience as keyof typeof audienceLabels] ?? 'Staff'),
  };
}

/** Training pages for staff: sessions, the register, everyone's training, pupils' lessons. */
export async function trainingRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const training = services.training;

  app.get('/training', { config: { access: canViewTraining } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const [sessions, mine] = await Promise.all([
      training.sessionsAround(who.schoolId),
      training.status(who.schoolId, [who.id]),
    ]);
    const now = Date.now();
    const me = mine.people[0];
    return reply.page('training/views/training.njk', {
      title: 'Training',
      upcoming: sessions.filter((s) => s.startsAt.getTime() >= now - 3_600_000).map(sessionView),
      past: sessions
        .filter((s) => s.startsAt.getTime() < now - 3_600_000)
        .reverse()
        .slice(0, 30)
        .map(sessionView),
      myKinds: me
        ? mine.kinds.map((k) => ({
            label: kindLabel(k),
            status: me.kinds[k]!,
            tag: stateLabels[me.kinds[k]!.state],
          }))
        : [],
      acknowledged: me?.acknowledgedCurrent ?? false,
      canManage: canManageTraining(who),
      canMarkLessons: canMarkClassLessons(who),
    });
  });

  // Scheduling.
  const renderNew = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const classes = await training.classesFor(who);
    return reply.page('training/views/new-session.njk', {
      title: 'Schedule a training session',
      values,
      kindItems: trainingSessionKeys.map((k) => ({
        value: k,
        text: kindLabel(k),
        hint: { text: `For ${audienceLabels[kindAudience[k]].toLowerCase()}` },
        checked: values.kind === k,
      })),
      classItems: [
        { value: '', text: 'Not a class lesson' },
        ...classes.map((c) => ({ value: c, text: c, selected: values.className === c })),
      ],
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/training/sessions/new',
    { config: { access: canManageTraining } },
    async (request, reply) => renderNew(reply, staffOf(request.principal), {}),
  );

  formRoute(app, '/training/sessions', {
    access: canManageTraining,
    who: staffOf,
    form: readScheduleForm,
    act: ({ who, value }) => training.schedule(who, value),
    done: (session) => ({
      redirect: `/training/sessions/${session.id}`,
      flash: `${session.title} is scheduled.`,
    }),
    render: (reply, { who, values, errors }) => renderNew(reply, who, values, errors),
  });

  // One session.
  app.get(
    '/training/sessions/:id',
    { config: { access: canViewTraining } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const { id } = parseId(request.params);
      const session = await training.getSession(who.schoolId, id);
      const manage = canManageTraining(who);
      const [bookings, register, files] = await Promise.all([
        manage && session.audience === 'parents'
          ? services.trainingBookings.bookings(who.schoolId, session.id)
          : Promise.resolve([]),
        manage && session.audience === 'staff'
          ? training.register(who.schoolId, session)
          : Promise.resolve([]),
        services.trainingMaterials.list(who.schoolId, session.id),
      ]);
      return reply.page('training/views/session.njk', {
        title: session.title,
        session: sessionView(session),
        canManage: manage,
        bookings,
        placesBooked: bookings.reduce((n, b) => n + b.places, 0),
        attendedCount: register.filter((r) => r.attended).length,
        expectedCount: register.length,
        materials: files,
      });
    },
  );

  // The register, taken in the room on a phone or tablet (a list of large checkboxes).
  const renderRegister = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    sessionId: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const session = await training.getSession(who.schoolId, sessionId);
    const register = await training.register(who.schoolId, session);
    const settings = await training.settings(who.schoolId);
    const induction =
      session.kind === 'staff_induction' && settings.inductionNeedsAcknowledgement.value;
    const ticked = values.attended
      ? new Set([values.attended].flat().map(String))
      : new Set(register.filter((r) => r.attended).map((r) => r.id));
    return reply.page('training/views/register.njk', {
      title: `Register: ${session.title}`,
      session: sessionView(session),
      induction,
      inductionRule: settings.inductionNeedsAcknowledgement,
      items: register.map((r) => ({
        value: r.id,
        text: r.name,
        checked: ticked.has(r.id),
        hint:
          induction && !r.acknowledged
            ? { text: 'Has not acknowledged the current policy yet: cannot be marked as inducted' }
            : undefined,
      })),
      notAcknowledged: induction ? register.filter((r) => !r.acknowledged).length : 0,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/training/sessions/:id/register',
    { config: { access: canManageTraining } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const { id } = parseId(request.params);
      const session = await training.getSession(who.schoolId, id);
      if (session.audience !== 'staff') throw new NotFoundError();
      return renderRegister(reply, who, id, {});
    },
  );

  formRoute(app, '/training/sessions/:id/register', {
    access: canManageTraining,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      const session = await training.getSession(who.schoolId, params.id);
      if (session.audience !== 'staff') throw new NotFoundError();
      return session;
    },
    form: attendanceForm,
    act: ({ who, params, value }) =>
      training.recordAttendance(who.schoolId, staffActor(who), params.id, value.attended),
    done: (result, { params }) => ({
      redirect: `/training/sessions/${params.id}`,
      flash: `The register is saved: ${result.attended} attended, ${result.absent} did not.`,
    }),
    render: (reply, { who, params, values, errors }) =>
      renderRegister(reply, who, params.id, values, errors),
  });

  // Everyone's training (those who run training).
  app.get('/training/status', { config: { access: canManageTraining } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const report = await training.status(who.schoolId);
    return reply.page('training/views/status.njk', {
      title: 'Everyone’s training',
      report,
      kindLabels: Object.fromEntries(report.kinds.map((k) => [k, kindLabel(k)])),
      stateLabels,
    });
  });

  // The same as CSV (formula-injection safe: training-csv.ts).
  app.get(
    '/training/status.csv',
    { config: { access: canManageTraining } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const report = await training.status(who.schoolId);
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="training-${report.today}.csv"`)
        .header('Cache-Control', 'private, no-store')
        .send(statusCsv(report));
    },
  );

  // Pupils' e-safety lessons by class.
  const renderLessons = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const [classes, report] = await Promise.all([
      training.classesFor(who),
      training.status(who.schoolId, []),
    ]);
    const lessons = await training.classLessons(who.schoolId, report.term.key);
    const byClass = new Map(lessons.map((l) => [l.className, l]));
    return reply.page('training/views/lessons.njk', {
      title: 'Pupils’ e-safety lessons',
      term: report.term,
      classes: classes.map((c) => ({ className: c, lesson: byClass.get(c) ?? null })),
      classItems: classes
        .filter((c) => !byClass.has(c))
        .map((c) => ({ value: c, text: c, checked: values.className === c })),
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/training/lessons',
    { config: { access: canMarkClassLessons } },
    async (request, reply) => renderLessons(reply, staffOf(request.principal), {}),
  );

  formRoute(app, '/training/lessons', {
    access: canMarkClassLessons,
    who: staffOf,
    form: readClassLessonForm,
    act: ({ who, value }) => training.markClassLesson(who, value),
    done: (result, { value }) => ({
      redirect: '/training/lessons',
      flash: `The ${result.term} e-safety lesson for ${value.className} is marked as taught.`,
    }),
    render: (reply, { who, values, errors }) => renderLessons(reply, who, values, errors),
  });
}

function parseId(params: unknown): { id: string } {
  const r = idParams.safeParse(params);
  if (!r.success) throw new NotFoundError();
  return r.data;
}
