import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { isStaff, type Principal, type StaffPrincipal } from '../../auth/index.ts';
import { formRoute } from '../../../web/form-route.ts';
import { formatDateTimeInWords } from '../../../web/dates.ts';
import { choosePupilQuery, restrictionForm } from './restrictions.forms.ts';

const idParams = z.object({ id: z.uuid() });

function staffOf(p: Principal | null): StaffPrincipal {
  if (!isStaff(p)) throw new NotFoundError();
  return p;
}

/**
 * The "never publish" pages (issue 15): the pupils under a restriction, and one pupil's
 * restriction with its history. Only the roles the policy names (`people.publicationRestrictionSetters`)
 * reach them; anyone else gets a 404, and sees only "Do not publish" on the consent pages.
 */
export async function restrictionRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const restrictions = services.consentRestrictions;

  app.get('/consent/restrictions', { config: { access: isStaff } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const list = await restrictions.list(p);
    const roll = await restrictions.pupilsOnRoll(p);
    const restricted = new Set(list.map((x) => x.pupilId));
    return reply.page('consent/restrictions/views/restrictions.njk', {
      title: 'Pupils who must never be published',
      list: list.map((x) => ({ ...x, sinceText: formatDateTimeInWords(x.since) })),
      pupils: roll
        .filter((x) => !restricted.has(x.id))
        .map((x) => ({
          value: x.id,
          text: `${x.familyName}, ${x.givenName}${x.className ? ` (${x.className})` : ''}`,
        })),
    });
  });

  /** The list page's "choose a pupil" form (GET, so it works without JavaScript). */
  app.get(
    '/consent/restrictions/choose',
    { config: { access: isStaff } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      await restrictions.assertManager(p);
      const parsed = choosePupilQuery.safeParse(request.query);
      if (!parsed.success) return reply.redirect('/consent/restrictions', 303);
      return reply.redirect(`/consent/restrictions/pupils/${parsed.data.pupilId}`, 303);
    },
  );

  const renderPupil = async (
    reply: FastifyReply,
    p: StaffPrincipal,
    id: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const view = await restrictions.view(p, id);
    if (!view.mayManage) throw new NotFoundError();
    return reply.page('consent/restrictions/views/restriction-pupil.njk', {
      title: `Publishing restriction: ${view.pupil.givenName} ${view.pupil.familyName}`,
      view,
      sinceText: view.since ? formatDateTimeInWords(view.since) : '',
      history: (view.history ?? []).map((h) => ({
        ...h,
        whenText: formatDateTimeInWords(h.recordedAt),
      })),
      values,
      errors,
    });
  };

  app.get(
    '/consent/restrictions/pupils/:id',
    { config: { access: isStaff } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      return renderPupil(reply, p, parsed.data.id, {});
    },
  );

  formRoute(app, '/consent/restrictions/pupils/:id', {
    access: isStaff,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      const view = await restrictions.view(who, params.id);
      if (!view.mayManage) throw new NotFoundError();
    },
    form: restrictionForm,
    act: ({ who, params, value }) =>
      restrictions.set(who, params.id, {
        restricted: value.restricted === 'yes',
        reason: value.reason,
      }),
    done: (_, { params, value }) => ({
      redirect: `/consent/restrictions/pupils/${params.id}`,
      flash:
        value.restricted === 'yes'
          ? 'The pupil will not be published. Anything already published with them is being taken down.'
          : 'The restriction is lifted. The pupil’s consent decides again.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderPupil(reply, who, params.id, values, errors),
  });
}
