import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { staffOf } from '../../web/principal.ts';
import type { Principal, StaffPrincipal } from '../auth/index.ts';
import type { PolicyText } from '../policies/index.ts';
import { canEditPolicyText, canReadPolicyText } from './lifecycle.policy.ts';
import { guidanceForm, readTextEdit } from './lifecycle.forms.ts';

/** A signed-in person of a school: their school id (a trust admin gets a 404). */
function schoolIdOf(p: Principal | null): string {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

/**
 * The policy as a document (issue 16 item 1): the school's text with every rule linked to its
 * clause (`/policy/text`), a citation's link (`/policy/cite?section=4.15` → the clause), the
 * Headteacher's section and clause editor (a new version, substantive or minor), what changed
 * at a version, the public page (`/schools/:slug/policy`, no sign-in), and the parents' guidance
 * a parent acknowledges through their link (`/parent-guidance`).
 */
export async function lifecycleRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { policyText, policies } = services;

  app.get('/policy/text', { config: { access: canReadPolicyText } }, async (request, reply) => {
    const p = request.principal!;
    const schoolId = schoolIdOf(p);
    if (!(await policies.hasProfile(schoolId))) throw new NotFoundError();
    const doc = await policyText.document(schoolId);
    return reply.page('lifecycle/views/text.njk', {
      title: doc.text.title,
      doc,
      isStaff: p.kind === 'staff',
      canEdit: canEditPolicyText(p),
    });
  });

  const citeQuery = z.object({ section: z.string().trim().min(1).max(80) });
  app.get('/policy/cite', { config: { access: canReadPolicyText } }, async (request, reply) => {
    const schoolId = schoolIdOf(request.principal);
    const q = citeQuery.safeParse(request.query);
    if (!q.success || !(await policies.hasProfile(schoolId)))
      return reply.redirect('/policy/text', 303);
    const anchor = await policyText.anchorFor(schoolId, q.data.section);
    return reply.redirect(anchor ? `/policy/text#${anchor}` : '/policy/text', 303);
  });

  const renderEditor = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const { text, version } = await policyText.textOf(who.schoolId);
    return reply.page('lifecycle/views/edit.njk', {
      title: 'Edit the policy text',
      text,
      version,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/policy/text/edit', { config: { access: canEditPolicyText } }, async (request, reply) =>
    renderEditor(reply, staffOf(request.principal)),
  );

  formRoute(app, '/policy/text/edit', {
    access: canEditPolicyText,
    who: staffOf,
    authorise: async ({ who }): Promise<PolicyText> => (await policyText.textOf(who.schoolId)).text,
    form: (body: unknown, _request, found: PolicyText) => readTextEdit(body, found),
    act: ({ who, value }) => policyText.publish(who.schoolId, { kind: 'staff', id: who.id }, value),
    done: (result, { value }) => ({
      redirect: `/policy/text/versions/${result.version}`,
      flash: value.substantive
        ? `Version ${result.version} is published. Everyone who must acknowledge the policy is asked to read it again.`
        : `Version ${result.version} is published as a minor change. Nobody is asked to acknowledge it again.`,
    }),
    render: (reply, { who, values, errors }) => renderEditor(reply, who, values, errors),
  });

  const versionParams = z.object({ version: z.coerce.number().int().min(1).max(1_000_000) });
  app.get(
    '/policy/text/versions/:version',
    { config: { access: canReadPolicyText } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = versionParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { version } = params.data;
      const { row } = await policies.version(who.schoolId, version);
      const diff = await policyText.diffAt(who.schoolId, version);
      const kind = await services.acknowledgementRounds.versionKind(who.schoolId, row.id);
      return reply.page('lifecycle/views/version.njk', {
        title: `What changed in version ${version}`,
        version,
        row,
        diff,
        substantive: kind,
      });
    },
  );

  const slugParams = z.object({ slug: z.string().regex(/^[a-z0-9-]{1,100}$/) });
  app.get('/schools/:slug/policy', { config: { access: 'public' } }, async (request, reply) => {
    const params = slugParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const page = await policyText.publicPolicy(params.data.slug);
    return reply.page('lifecycle/views/public.njk', {
      title: `${page.school.name}: ${page.doc.text.title}`,
      ...page,
    });
  });

  // The parents' guidance (seed 001): a parent reads the school's policy and acknowledges it
  // through their signed-in link when the profile asks (training.parentsAcknowledgeGuidance,
  // or parents in people.mustAcknowledge).
  const parentOf = (p: Principal | null) => {
    if (!p || p.kind !== 'parent') throw new NotFoundError();
    return p;
  };
  const renderGuidance = async (
    reply: FastifyReply,
    who: { id: string; schoolId: string },
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    if (!(await policies.hasProfile(who.schoolId))) throw new NotFoundError();
    const asked = await services.acknowledgementRounds.parentsAsked(who.schoolId);
    const doc = await policyText.document(who.schoolId);
    const acknowledged = await services.acknowledgementRounds.hasAcknowledged(
      who.schoolId,
      'parent',
      who.id,
    );
    return reply.page('lifecycle/views/guidance.njk', {
      title: 'The school’s social media guidance',
      doc,
      asked,
      acknowledged,
      values,
      ...(errors ? { errors } : {}),
    });
  };
  const isParent = (p: Principal) => p.kind === 'parent';
  app.get('/parent-guidance', { config: { access: isParent } }, async (request, reply) =>
    renderGuidance(reply, parentOf(request.principal)),
  );
  formRoute(app, '/parent-guidance', {
    access: isParent,
    who: parentOf,
    form: guidanceForm,
    act: ({ who }) =>
      services.acknowledgements.acknowledge({ kind: 'parent', id: who.id, schoolId: who.schoolId }),
    done: (result) => ({
      redirect: '/parent-guidance',
      flash: result.already
        ? 'You had already confirmed you have read the guidance.'
        : 'Thank you. You have confirmed you have read the school’s social media guidance.',
    }),
    render: (reply, { who, values, errors }) => renderGuidance(reply, who, values, errors),
  });
}
