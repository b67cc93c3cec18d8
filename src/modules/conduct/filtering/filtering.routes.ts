import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { staffOf } from '../../../web/principal.ts';
import { dateInputValues } from '../../../web/date-input.ts';
import { ukDate } from '../../../platform/clock.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { canUseConduct } from '../conduct.policy.ts';
import { permissionTypeLabels } from '../permissions/permissions.forms.ts';
import {
  checkForm,
  checkKindLabels,
  checkOutcomeLabels,
  exceptionForm,
  filteringCategories,
  provisionForm,
  withDateInputs,
  type CheckInput,
  type ExceptionInput,
} from './filtering.forms.ts';

const labels = {
  kinds: checkKindLabels,
  outcomes: checkOutcomeLabels,
  types: permissionTypeLabels,
};

/** Filtering and monitoring records: the ICT role records; the Headteacher and DSL read. */
export async function filteringRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const filtering = services.conductFiltering;
  const mayRecord = async ({ who }: { who: StaffPrincipal }) => {
    if (!(await filtering.mayRecord(who))) throw new NotFoundError();
  };

  app.get('/conduct/filtering', { config: { access: canUseConduct } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const overview = await filtering.overview(who);
    return reply.page('conduct/views/filtering.njk', {
      title: 'Web filtering and monitoring',
      ...overview,
      names: Object.fromEntries(overview.names),
      labels,
    });
  });

  const renderProvision = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown> | null,
    errors?: FieldErrors,
  ) => {
    const current = await filtering.currentProvision(who);
    const v = values ?? (current ? { ...current } : {});
    const chosen = new Set(
      ([] as unknown[]).concat(v.blockedCategories ?? []).map((x) => String(x)),
    );
    return reply.page('conduct/views/filtering-provision.njk', {
      title: 'Filtering and monitoring provision',
      values: v,
      categoryItems: [...new Set([...filteringCategories, ...chosen])].map((c) => ({
        value: c,
        text: c,
        checked: chosen.has(c),
      })),
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/conduct/filtering/provision',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      await mayRecord({ who });
      return renderProvision(reply, who, null);
    },
  );

  formRoute(app, '/conduct/filtering/provision', {
    access: canUseConduct,
    who: staffOf,
    authorise: mayRecord,
    form: provisionForm,
    act: ({ who, value }) => filtering.recordProvision(who, value),
    done: () => ({
      redirect: '/conduct/filtering',
      flash: 'The filtering and monitoring provision is recorded.',
    }),
    render: (reply, { who, values, errors }) => renderProvision(reply, who, values, errors),
  });

  const renderException = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const permissions = await filtering.permissionsForExceptions(who);
    return reply.page('conduct/views/filtering-exception.njk', {
      title: 'Record a filtering exception',
      values,
      permissions,
      labels,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/conduct/filtering/exceptions/new',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      await mayRecord({ who });
      return renderException(reply, who, dateInputValues('startsOn', ukDate(services.clock.now())));
    },
  );

  formRoute(app, '/conduct/filtering/exceptions', {
    access: canUseConduct,
    who: staffOf,
    authorise: mayRecord,
    form: withDateInputs(exceptionForm, [
      { name: 'startsOn', what: 'the date it starts', required: true },
      { name: 'endsOn', what: 'the date it ends', required: false },
    ]),
    act: ({ who, value }) => filtering.addException(who, value as ExceptionInput),
    done: () => ({ redirect: '/conduct/filtering', flash: 'The exception is recorded.' }),
    render: (reply, { who, values, errors }) => renderException(reply, who, values, errors),
  });

  const renderCheck = (
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) =>
    reply.page('conduct/views/filtering-check.njk', {
      title: 'Record a check or review',
      values,
      labels,
      ...(errors ? { errors } : {}),
    });

  app.get(
    '/conduct/filtering/checks/new',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      await mayRecord({ who });
      return renderCheck(reply, dateInputValues('checkedOn', ukDate(services.clock.now())));
    },
  );

  formRoute(app, '/conduct/filtering/checks', {
    access: canUseConduct,
    who: staffOf,
    authorise: mayRecord,
    form: withDateInputs(checkForm, [
      { name: 'checkedOn', what: 'the date of the check', required: true },
    ]),
    act: ({ who, value }) => filtering.addCheck(who, value as CheckInput),
    done: (row) => ({
      redirect: '/conduct/filtering',
      flash: row.kind === 'review' ? 'The annual review is recorded.' : 'The check is recorded.',
    }),
    render: (reply, { values, errors }) => renderCheck(reply, values, errors),
  });
}
