import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../registry.ts';
import type { FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { staffOf } from '../../web/principal.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { canRecordClassAgreement, canSeeWhoIsMissing } from './rounds.policy.ts';
import { classAgreementForm } from './rounds.forms.ts';

const groupLabels: Record<string, string> = {
  staff: 'Staff',
  governors: 'Governor',
  volunteers: 'Volunteer',
  parents: 'Parent or carer',
};

/**
 * Who has not acknowledged the policy (`/acknowledgements/missing`, the Headteacher and DSL;
 * the compliance view links here) and a teacher's record of their class's agreement
 * (`/acknowledge-policy/class`). Issue 16 item 2.
 */
export async function roundRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { acknowledgementRounds, staffClasses } = services;

  app.get(
    '/acknowledgements/missing',
    { config: { access: canSeeWhoIsMissing } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const missing = await acknowledgementRounds.whoIsMissing(who.schoolId);
      return reply.page('acknowledgements/views/missing.njk', {
        title: 'Who has not acknowledged the policy',
        missing,
        groupLabels,
      });
    },
  );

  const renderClass = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const classes = await staffClasses.classesOf(who.schoolId, who.id);
    const version = await services.acknowledgements.currentVersion(who.schoolId);
    return reply.page('acknowledgements/views/class-agreement.njk', {
      title: 'Record your class’s agreement to the policy',
      classes,
      version,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/acknowledge-policy/class',
    { config: { access: canRecordClassAgreement } },
    async (request, reply) => renderClass(reply, staffOf(request.principal)),
  );

  formRoute(app, '/acknowledge-policy/class', {
    access: canRecordClassAgreement,
    who: staffOf,
    form: classAgreementForm,
    act: ({ who, value }) =>
      acknowledgementRounds.recordClassAgreement(
        { id: who.id, schoolId: who.schoolId },
        value.className,
      ),
    done: (result, { value }) => ({
      redirect: '/acknowledge-policy/class',
      flash: result.already
        ? `${value.className}’s agreement to version ${result.version} was already recorded.`
        : `${value.className}’s agreement to version ${result.version} of the policy is recorded.`,
    }),
    render: (reply, { who, values, errors }) => renderClass(reply, who, values, errors),
  });
}
