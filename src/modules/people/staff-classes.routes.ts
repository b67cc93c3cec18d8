import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { parseForm } from '../../web/forms.ts';
import { staffOf, staffActor } from '../../web/principal.ts';
import { canAssignClasses } from './staff-classes.policy.ts';

const idParams = z.object({ id: z.uuid() });

/** The ticked classes: a checkbox group arrives as one string, several, or none. */
const assignClassesForm = z.object({
  classes: z
    .union([z.string().max(60), z.array(z.string().max(60)).max(100)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

/** The Headteacher or office assigns classes to teachers and support staff. */
export async function staffClassesRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  app.get('/staff/classes', { config: { access: canAssignClasses } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const people = await services.staffClasses.list(p.schoolId);
    return reply.page('people/views/staff-classes-list.njk', {
      title: 'Classes taught by staff',
      people,
    });
  });

  app.get(
    '/staff/:id/classes',
    { config: { access: canAssignClasses } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const view = await services.staffClasses.forStaff(p.schoolId, params.data.id);
      return reply.page('people/views/staff-classes.njk', {
        title: `Classes: ${view.staff.givenName} ${view.staff.familyName}`,
        ...view,
        chosen: view.assigned,
      });
    },
  );

  formRoute(app, '/staff/:id/classes', {
    access: canAssignClasses,
    who: staffOf,
    params: idParams,
    // Anything that is not a list of class names gets one message, with nothing ticked.
    form: (body: unknown) => {
      const parsed = parseForm(assignClassesForm, body);
      return parsed.ok
        ? parsed
        : { ok: false as const, errors: { classes: 'Choose classes from the list' }, values: {} };
    },
    act: ({ who, params, value }) =>
      services.staffClasses.assign(who.schoolId, staffActor(who), params.id, value.classes),
    done: () => ({ redirect: '/staff/classes', flash: 'Classes saved.' }),
    render: async (reply, { who, params, values, errors }) => {
      const view = await services.staffClasses.forStaff(who.schoolId, params.id);
      const chosen = values.classes;
      return reply.page('people/views/staff-classes.njk', {
        title: `Classes: ${view.staff.givenName} ${view.staff.familyName}`,
        ...view,
        chosen: chosen === undefined ? [] : Array.isArray(chosen) ? chosen : [chosen],
        errors,
      });
    },
  });
}
