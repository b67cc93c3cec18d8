import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import { staffOf } from '../../../web/principal.ts';
import { canEditGuidance, canReadGuidance } from './guidance.policy.ts';
import {
  guidanceForm,
  guidanceFormValues,
  maxGuidanceLinks,
  restoreGuidanceForm,
} from './guidance.forms.ts';
import { guidancePlatforms, lanyardGuidanceCheckedOn } from './guidance.defaults.ts';

const platformParams = z.object({ platform: z.enum(guidancePlatforms) });

/** Staff, or a parent or pupil signed in through their link: the school they belong to. */
function readerOf(p: Principal | null | undefined): { schoolId: string; principal: Principal } {
  if (!p || !canReadGuidance(p) || p.kind === 'org_admin') throw new NotFoundError();
  return { schoolId: p.schoolId, principal: p };
}

/** The platform guidance pages (issue 14 item 8): read by everyone in the school, kept by Head/DSL. */
export async function guidanceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const guidance = services.incidentGuidance;

  app.get(
    '/incidents/guidance',
    { config: { access: canReadGuidance } },
    async (request, reply) => {
      const { schoolId, principal } = readerOf(request.principal);
      return reply.page('incidents/guidance/views/list.njk', {
        title: 'How to report on each platform',
        pages: await guidance.pages(schoolId),
        canEdit: canEditGuidance(principal),
      });
    },
  );

  app.get(
    '/incidents/guidance/:platform',
    { config: { access: canReadGuidance } },
    async (request, reply) => {
      const { schoolId, principal } = readerOf(request.principal);
      const params = platformParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { page, history } = await guidance.page(schoolId, params.data.platform);
      return reply.page('incidents/guidance/views/page.njk', {
        title:
          page.platform === 'ceop' ? 'How to report to CEOP' : `How to report on ${page.label}`,
        page,
        history,
        canEdit: canEditGuidance(principal),
        lanyardCheckedOn: lanyardGuidanceCheckedOn,
      });
    },
  );

  const renderEdit = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    platform: (typeof guidancePlatforms)[number],
    values?: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const { page } = await guidance.page(who.schoolId, platform);
    return reply.page('incidents/guidance/views/edit.njk', {
      title: `Change the guidance for ${page.label}`,
      page,
      values: values ?? guidanceFormValues(page),
      linkNumbers: Array.from({ length: maxGuidanceLinks }, (_, i) => i + 1),
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/incidents/guidance/:platform/edit',
    { config: { access: canEditGuidance } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = platformParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      return renderEdit(reply, who, params.data.platform);
    },
  );

  formRoute(app, '/incidents/guidance/:platform', {
    access: canEditGuidance,
    who: staffOf,
    params: platformParams,
    form: guidanceForm,
    act: ({ who, params, value }) => guidance.update(who, params.platform, value),
    done: (_r, { params }) => ({
      redirect: `/incidents/guidance/${params.platform}`,
      flash: 'The guidance is saved. Everyone in the school now sees your words.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderEdit(reply, who, params.platform, values, errors),
  });

  formRoute(app, '/incidents/guidance/:platform/restore', {
    access: canEditGuidance,
    who: staffOf,
    params: platformParams,
    form: restoreGuidanceForm,
    act: ({ who, params, value }) => guidance.restoreDefault(who, params.platform, value.note),
    done: (_r, { params }) => ({
      redirect: `/incidents/guidance/${params.platform}`,
      flash: 'Lanyard’s guidance is back on this page. Your earlier words are kept in its history.',
    }),
    render: (reply, { who, params, errors }) =>
      renderEdit(reply, who, params.platform, undefined, {
        restoreNote: errors.note ?? errors._form ?? 'Say why',
      }),
  });
}
