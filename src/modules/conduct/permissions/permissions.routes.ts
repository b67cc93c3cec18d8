import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import {
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldErrors,
} from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { staffOf } from '../../../web/principal.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { canUseConduct } from '../conduct.policy.ts';
import {
  decisionStepLabels,
  permissionStatusLabels,
  type PermissionStatus,
} from './permission-states.ts';
import {
  decideForm,
  permissionTypeLabels,
  requestPermissionForm,
  signOffForm,
  withdrawForm,
} from './permissions.forms.ts';

const idParams = z.object({ id: z.uuid() });

const statusColours: Record<PermissionStatus, string> = {
  awaiting_sign_off: 'govuk-tag--yellow',
  awaiting_decision: 'govuk-tag--yellow',
  awaiting_parent: 'govuk-tag--yellow',
  granted: 'govuk-tag--green',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--grey',
  expired: 'govuk-tag--grey',
};
const labels = {
  types: permissionTypeLabels,
  status: permissionStatusLabels,
  statusColours,
  steps: decisionStepLabels,
};

/** Permission requests: ask, "my permissions", and the ICT sign-off and the decision. */
export async function permissionRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const permissions = services.conductPermissions;

  app.get('/conduct/permissions', { config: { access: canUseConduct } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const [own, waiting] = await Promise.all([
      permissions.listOwn(who),
      permissions.waitingFor(who),
    ]);
    return reply.page('conduct/views/permissions.njk', {
      title: 'My permissions',
      held: own.filter((p) => p.held),
      others: own.filter((p) => !p.held),
      waiting: { signOff: waiting.signOff, decide: waiting.decide },
      names: Object.fromEntries(waiting.names),
      labels,
    });
  });

  // The pupils a person may name: only those their pupil scope shows (a teacher: their classes).
  const namedPhotoChoicesFor = async (who: StaffPrincipal) => {
    const [choices, scope] = await Promise.all([
      permissions.namedPhotoChoices(who.schoolId),
      services.staffClasses.scopeOf(who),
    ]);
    return { ...choices, pupils: choices.pupils.filter((p) => scope.includes(p)) };
  };

  const renderNew = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const [types, choices] = await Promise.all([
      permissions.typesOffered(who.schoolId),
      namedPhotoChoicesFor(who),
    ]);
    return reply.page('conduct/views/permission-new.njk', {
      title: 'Ask for permission',
      types,
      choices,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/conduct/permissions/new',
    { config: { access: canUseConduct } },
    async (request, reply) => renderNew(reply, staffOf(request.principal), {}),
  );

  formRoute(app, '/conduct/permissions', {
    access: canUseConduct,
    who: staffOf,
    form: requestPermissionForm,
    act: async ({ who, value }) => {
      if (value.pupilId) {
        const { pupils } = await namedPhotoChoicesFor(who);
        if (!pupils.some((p) => p.id === value.pupilId))
          throw new ValidationError({ pupilId: 'Select the pupil to be named' });
      }
      return permissions.request(who, value);
    },
    done: (row) => ({
      redirect: `/conduct/permissions/${row.id}`,
      flash:
        row.status === 'granted'
          ? 'The consent register already holds the parent’s permission, so this is granted.'
          : 'Your request has been sent. You will get an email when it has an answer.',
    }),
    render: (reply, { who, values, errors }) => renderNew(reply, who, values, errors),
  });

  const renderView = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    id: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const view = await permissions.view(who, id);
    return reply.page('conduct/views/permission.njk', {
      title: view.typeLabel,
      view,
      labels,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/conduct/permissions/:id',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      return renderView(reply, staffOf(request.principal), parsed.data.id);
    },
  );

  // Each step: only whoever may take it now sees the record at all (404 otherwise).
  const step = <S extends z.ZodType<{ reason: string }>>(
    path: string,
    form: S,
    may: (v: Awaited<ReturnType<typeof permissions.view>>['may']) => boolean,
    stepOf: (
      value: z.output<S>,
    ) => 'signed_off' | 'sign_off_refused' | 'granted' | 'refused' | 'withdrawn',
    message: (value: z.output<S>) => string,
  ) =>
    formRoute(app, `/conduct/permissions/:id/${path}`, {
      access: canUseConduct,
      who: staffOf,
      params: idParams,
      authorise: async ({ who, params }) => {
        const view = await permissions.view(who, params.id);
        // Their own request, of a kind their role decides: they see it, someone else decides.
        if (path === 'decide' && view.ownRequest && !view.may.decide)
          throw new ForbiddenError(
            'You asked for this permission, so you cannot decide it: someone else must.',
          );
        if (!may(view.may)) throw new NotFoundError();
      },
      form,
      act: ({ who, params, value }) =>
        permissions.decide(who, params.id, stepOf(value), (value as { reason: string }).reason),
      done: (_row, { params, value }) => ({
        redirect: `/conduct/permissions/${params.id}`,
        flash: message(value),
      }),
      render: (reply, { who, params, values, errors }) =>
        renderView(reply, who, params.id, values, errors),
    });

  step(
    'sign-off',
    signOffForm,
    (m) => m.signOff,
    (v) => v.decision,
    (v) =>
      v.decision === 'signed_off'
        ? 'Signed off. The request now goes for a decision.'
        : 'The sign-off is refused, so the request is refused.',
  );
  step(
    'decide',
    decideForm,
    (m) => m.decide,
    (v) => v.decision,
    (v) => (v.decision === 'granted' ? 'The permission is granted.' : 'The permission is refused.'),
  );
  step(
    'withdraw',
    withdrawForm,
    (m) => m.withdraw,
    () => 'withdrawn',
    () => 'The permission is withdrawn.',
  );

  formRoute(app, '/conduct/permissions/:id/check-consent', {
    access: canUseConduct,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      const view = await permissions.view(who, params.id);
      if (!view.may.checkConsent) throw new NotFoundError();
    },
    form: z.object({}),
    act: ({ who, params }) => permissions.checkConsent(who, params.id),
    done: (r, { params }) => ({
      redirect: `/conduct/permissions/${params.id}`,
      flash: r.granted
        ? 'The consent register holds the parent’s permission, so this is granted.'
        : 'The consent register does not hold the parent’s permission yet.',
    }),
  });
}
