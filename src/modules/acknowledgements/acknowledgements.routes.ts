import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../registry.ts';
import type { FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { staffOf } from '../../web/principal.ts';
import { canAcknowledgePolicy } from './acknowledgements.policy.ts';
import { acknowledgeForm } from './acknowledgements.forms.ts';
import { valueInWords } from '../policies/index.ts';

/**
 * Staff read a summary of the school's current policy version (the policies module's page shows
 * the whole profile) and confirm they have read and understood it.
 */
export async function acknowledgementRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const { acknowledgements, policies } = services;

  const render = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const current = await policies.currentOrNull(who.schoolId);
    const version = current ? await policies.version(who.schoolId, current.version) : null;
    const history = await acknowledgements.history(who.schoolId, 'staff', who.id);
    // Current when it is of the version asked for or a later one, not superseded (a minor
    // version asks nobody again; issue 16).
    const done = current
      ? await services.acknowledgementRounds.hasAcknowledged(who.schoolId, 'staff', who.id)
      : false;
    const superseded = await services.acknowledgementRounds.supersededIds(
      who.schoolId,
      history.map((h) => h.id),
    );
    // Whom the policy covers and the personal conduct statements staff confirm with it, in
    // the school's words (`people.appliesTo`, `people.conductStatements`; issue 15).
    const people = current?.settings.people;
    return reply.page('acknowledgements/views/acknowledge.njk', {
      title: 'Acknowledge the social media policy',
      current,
      appliesTo: people
        ? valueInWords('people.appliesTo', people.appliesTo.value, current.settings)
        : '',
      mustAcknowledge: people
        ? valueInWords('people.mustAcknowledge', people.mustAcknowledge.value, current.settings)
        : '',
      conductStatements: people ? people.conductStatements.value.map((c) => c.text) : [],
      versionRow: version?.row ?? null,
      done,
      history: history.map((h) => ({ ...h, superseded: superseded.has(h.id) })),
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/acknowledge-policy',
    { config: { access: canAcknowledgePolicy } },
    async (request, reply) => render(reply, staffOf(request.principal)),
  );

  formRoute(app, '/acknowledge-policy', {
    access: canAcknowledgePolicy,
    who: staffOf,
    form: acknowledgeForm,
    act: ({ who }) =>
      acknowledgements.acknowledge({ kind: 'staff', id: who.id, schoolId: who.schoolId }),
    done: (result) => ({
      redirect: '/acknowledge-policy',
      flash: result.already
        ? `You had already acknowledged version ${result.version} of the policy.`
        : `Thank you. You have acknowledged version ${result.version} of the policy.`,
    }),
    render: (reply, { who, values, errors }) => render(reply, who, values, errors),
  });
}
