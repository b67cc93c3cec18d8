import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { formRoute } from '../../web/form-route.ts';
import { canEditPolicy } from './policies.policy.ts';

function who(p: Principal | null) {
  if (!p || p.kind !== 'staff') throw new NotFoundError();
  return { sid: p.schoolId, actor: { kind: 'staff' as const, id: p.id } };
}

const giveForm = z.object({
  responsibilityKey: z
    .string({ error: 'Choose a responsibility' })
    .min(1, 'Choose a responsibility')
    .max(40),
  staffId: z.uuid({ error: 'Choose a member of staff' }),
});
const holderParams = z.object({ id: z.uuid() });

/**
 * The school's named responsibilities and who holds them (issue 15): the Headteacher gives and
 * takes them away; rules such as who may post on an account refer to them.
 */
export async function responsibilitiesRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const responsibilities = services.responsibilities;

  const render = async (
    reply: FastifyReply,
    sid: string,
    values: Record<string, unknown> = {},
    errors: FieldErrors = {},
  ) => {
    const overview = await responsibilities.overview(sid);
    return reply.page('policies/views/responsibilities.njk', {
      title: 'Responsibilities',
      overview,
      values,
      errors,
    });
  };

  app.get(
    '/policy/responsibilities',
    { config: { access: canEditPolicy } },
    async (request, reply) => render(reply, who(request.principal).sid),
  );

  formRoute(app, '/policy/responsibilities', {
    access: canEditPolicy,
    who,
    form: giveForm,
    act: ({ who: w, value }) => responsibilities.give(w.sid, w.actor, value),
    done: () => ({ redirect: '/policy/responsibilities', flash: 'Responsibility given.' }),
    render: (reply, { who: w, values, errors }) => render(reply, w.sid, values, errors),
  });

  formRoute(app, '/policy/responsibilities/:id/remove', {
    access: canEditPolicy,
    who,
    params: holderParams,
    form: z.object({}),
    act: ({ who: w, params }) => responsibilities.remove(w.sid, w.actor, params.id),
    done: () => ({ redirect: '/policy/responsibilities', flash: 'Responsibility taken away.' }),
  });
}
