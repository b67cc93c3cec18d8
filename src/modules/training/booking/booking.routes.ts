import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import type { Principal } from '../../auth/index.ts';
import { canBookParentSessions } from '../training.policy.ts';
import { bookingForm, idParams } from '../training.forms.ts';
import type { ParentPerson } from './booking.service.ts';

/** The signed-in parent (through their link); anyone else gets a 404. */
function parentOf(p: Principal | null): ParentPerson {
  if (!p || p.kind !== 'parent') throw new NotFoundError();
  return { id: p.id, schoolId: p.schoolId };
}

/** Parents' pages: the school's e-safety meetings, booking and cancelling a place. */
export async function bookingRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const bookings = services.trainingBookings;

  const render = async (
    reply: FastifyReply,
    parent: ParentPerson,
    errors?: { sessionId: string; errors: FieldErrors },
  ) => {
    const list = await bookings.forParent(parent);
    return reply.page('training/views/parent-sessions.njk', {
      title: 'E-safety meetings for parents',
      sessions: list,
      errorFor: errors?.sessionId ?? null,
      ...(errors ? { errors: errors.errors } : {}),
    });
  };

  app.get(
    '/parent-training',
    { config: { access: canBookParentSessions } },
    async (request, reply) => render(reply, parentOf(request.principal)),
  );

  formRoute(app, '/parent-training/:id/book', {
    access: canBookParentSessions,
    who: parentOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await bookings.sessionForParent(who, params.id);
    },
    form: bookingForm,
    act: ({ who, params, value }) => bookings.book(who, params.id, value.places),
    done: (booking) => ({
      redirect: '/parent-training',
      flash: `Your ${booking.places === 1 ? 'place is' : `${booking.places} places are`} booked.`,
    }),
    render: (reply, { who, params, errors }) =>
      render(reply, who, { sessionId: params.id, errors: prefixed(params.id, errors) }),
  });

  formRoute(app, '/parent-training/:id/cancel', {
    access: canBookParentSessions,
    who: parentOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await bookings.sessionForParent(who, params.id);
    },
    form: z.object({}),
    act: ({ who, params }) => bookings.cancel(who, params.id),
    done: () => ({ redirect: '/parent-training', flash: 'Your booking is cancelled.' }),
    render: (reply, { who, params, errors }) =>
      render(reply, who, { sessionId: params.id, errors: prefixed(params.id, errors) }),
  });
}

/** Errors keyed to the session's own field, so the summary links to the right form. */
function prefixed(sessionId: string, errors: FieldErrors): FieldErrors {
  const message = errors.places ?? errors._form ?? Object.values(errors)[0] ?? 'Try again';
  return { [`places-${sessionId}`]: message };
}
