import type { FastifyInstance } from 'fastify';
import type { Services } from '../registry.ts';
import { formRoute } from '../../web/form-route.ts';
import { parseForm } from '../../web/forms.ts';
import { staffOf, staffActor } from '../../web/principal.ts';
import { canEditSchoolDetails } from './people.policy.ts';
import { schoolContactsForm } from './school-details.forms.ts';

const TITLE = 'School contact details';

/** The Headteacher keeps the school's own published contact details. */
export async function schoolDetailsRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  app.get('/school', { config: { access: canEditSchoolDetails } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const contacts = await services.schoolDetails.contacts(p.schoolId);
    return reply.page('people/views/school-details.njk', {
      title: TITLE,
      school: contacts,
      values: contacts,
    });
  });

  formRoute(app, '/school', {
    access: canEditSchoolDetails,
    who: staffOf,
    form: (body: unknown) => parseForm(schoolContactsForm, body),
    act: ({ who, value }) =>
      services.schoolDetails.setContacts(who.schoolId, staffActor(who), value),
    done: () => ({ redirect: '/school', flash: 'Contact details saved.' }),
    render: async (reply, { who, values, errors }) => {
      const contacts = await services.schoolDetails.contacts(who.schoolId);
      return reply.page('people/views/school-details.njk', {
        title: TITLE,
        school: contacts,
        values,
        errors,
      });
    },
  });
}
