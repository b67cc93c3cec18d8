import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { flash } from '../../web/flash.ts';
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

  app.post(
    '/staff/:id/classes',
    { config: { access: canAssignClasses } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const render = async (chosen: string[], errors: Record<string, string>) => {
        const view = await services.staffClasses.forStaff(p.schoolId, params.data.id);
        return reply.status(400).page('people/views/staff-classes.njk', {
          title: `Classes: ${view.staff.givenName} ${view.staff.familyName}`,
          ...view,
          chosen,
          errors,
        });
      };
      const parsed = parseForm(assignClassesForm, request.body);
      if (!parsed.ok) return render([], { classes: 'Choose classes from the list' });
      try {
        await services.staffClasses.assign(
          p.schoolId,
          staffActor(p),
          params.data.id,
          parsed.value.classes,
        );
      } catch (e) {
        if (e instanceof ValidationError) return render(parsed.value.classes, e.fieldErrors);
        throw e;
      }
      flash(reply, 'Classes saved.');
      return reply.redirect('/staff/classes', 303);
    },
  );
}
