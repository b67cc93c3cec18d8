import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { formRoute } from '../../web/form-route.ts';
import { canEditPolicy } from './policies.policy.ts';
import { templateName } from './policy-display.ts';

function schoolId(p: Principal | null): string {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

const previewQuery = z.object({ templateKey: z.string().min(1).max(80) });

export const switchForm = z.object({
  templateKey: z
    .string({ error: 'Choose a starting point' })
    .min(1, 'Choose a starting point')
    .max(80),
  expectedVersion: z.coerce.number().int().positive(),
  note: z.string().max(2000, 'Use 2,000 characters or fewer').default(''),
});

/**
 * Switching the policy to another starting point (issue 15 item 3): choose one of Lanyard's
 * defaults or the five templates, read what would change in words, then confirm; the switch is a
 * new version of the profile. The Headteacher only.
 */
export async function policySwitchRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const switcher = services.policySwitch;
  const policies = services.policies;

  app.get('/policy/switch', { config: { access: canEditPolicy } }, async (request, reply) => {
    const sid = schoolId(request.principal);
    const current = await policies.current(sid);
    return reply.page('policies/views/switch-choose.njk', {
      title: 'Switch to another starting point',
      current: templateName(current.templateKey),
      currentKey: current.templateKey,
      points: switcher.startingPoints(),
      errors: {},
    });
  });

  const renderPreview = async (
    reply: FastifyReply,
    sid: string,
    templateKey: string,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) => {
    const preview = await switcher.preview(sid, templateKey);
    return reply.page('policies/views/switch-preview.njk', {
      title: `What would change: ${preview.to.name}`,
      preview,
      fromName: templateName(preview.from.key),
      values,
      errors,
    });
  };

  app.get(
    '/policy/switch/preview',
    { config: { access: canEditPolicy } },
    async (request, reply) => {
      const sid = schoolId(request.principal);
      const parsed = previewQuery.safeParse(request.query);
      if ((request.query as Record<string, unknown>)?.templateKey === undefined)
        return reply.redirect('/policy/switch', 303);
      if (
        !parsed.success ||
        !switcher.startingPoints().some((t) => t.key === parsed.data.templateKey)
      ) {
        const current = await policies.current(sid);
        return reply.status(400).page('policies/views/switch-choose.njk', {
          title: 'Switch to another starting point',
          current: templateName(current.templateKey),
          currentKey: current.templateKey,
          points: switcher.startingPoints(),
          errors: { templateKey: 'Choose a starting point' },
        });
      }
      return renderPreview(reply, sid, parsed.data.templateKey, {});
    },
  );

  formRoute(app, '/policy/switch', {
    access: canEditPolicy,
    who: (p) => ({ sid: schoolId(p), actor: { kind: 'staff' as const, id: p!.id } }),
    form: switchForm,
    act: ({ who, value }) =>
      switcher.switchTo(who.sid, who.actor, {
        templateKey: value.templateKey,
        expectedVersion: value.expectedVersion,
        note: value.note,
      }),
    done: (result) => ({
      redirect: '/policy',
      flash: `The policy now follows its new starting point (version ${result.version}, ${result.changes.length} ${result.changes.length === 1 ? 'change' : 'changes'}).`,
    }),
    render: (reply, { who, values, errors }) =>
      renderPreview(reply, who.sid, String(values.templateKey ?? ''), values, errors),
  });
}
