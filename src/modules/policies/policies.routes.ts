import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { ConflictError, NotFoundError, type FieldErrors } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { parseForm } from '../../web/forms.ts';
import { formRoute } from '../../web/form-route.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { policyEditorRoutes } from './policy-editor.routes.ts';
import { describeChanges } from './policy-diff.ts';
import { canEditPolicy, canViewPolicy } from './policies.policy.ts';
import { adoptForm, reviewedForm } from './policies.forms.ts';
import { displayGroups, templateName } from './policy-display.ts';
import type { PolicySettings } from './policy-settings.ts';

function schoolId(p: Principal | null): string {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

/** The policy pages' groups of settings, in words (policy-display.ts). */
function groupsInWords(
  policies: Services['policies'],
  settings: PolicySettings,
): ReturnType<typeof displayGroups> {
  return displayGroups(policies.rules(settings), settings);
}

function actorOf(p: Principal) {
  return { kind: 'staff' as const, id: p.id };
}

/** The policy profile pages: view with citations, choose a template, edit settings, versions, review. */
export async function policyRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const policies = services.policies;

  app.get('/policy', { config: { access: canViewPolicy } }, async (request, reply) => {
    const sid = schoolId(request.principal);
    if (!(await policies.hasProfile(sid))) {
      return reply.page('policies/views/choose-template.njk', {
        title: 'Choose a policy template',
        templates: policies.templates(),
        canChoose: canEditPolicy(request.principal!),
      });
    }
    const current = await policies.current(sid);
    return reply.page('policies/views/policy.njk', {
      title: 'Social media policy',
      current,
      templateName: templateName(current.templateKey),
      groups: groupsInWords(policies, current.settings),
      canEdit: canEditPolicy(request.principal!),
      today: services.people.today(),
    });
  });

  /** The school and the audit actor of the person changing the policy. */
  const editor = (p: Principal | null) => ({ sid: schoolId(p), actor: actorOf(p!) });

  const renderChoose = (reply: FastifyReply, errors: FieldErrors) =>
    reply.page('policies/views/choose-template.njk', {
      title: 'Choose a policy template',
      templates: policies.templates(),
      canChoose: true,
      errors,
    });

  formRoute(app, '/policy/adopt', {
    access: canEditPolicy,
    who: editor,
    form: adoptForm,
    act: async ({ who, value }) => {
      try {
        await policies.adopt(who.sid, value.templateKey, who.actor);
      } catch (error) {
        // Already set up (by someone else meanwhile): the same page as for a first adoption.
        if (!(error instanceof ConflictError)) throw error;
      }
    },
    done: () => ({
      redirect: '/policy',
      flash: 'The policy profile is set up. Review its settings below.',
    }),
    render: (reply, { errors }) => renderChoose(reply, errors),
  });

  policyEditorRoutes(app, services);

  formRoute(app, '/policy/reviewed', {
    access: canEditPolicy,
    who: editor,
    // The note is optional: anything that is not one counts as none.
    form: (body: unknown) => {
      const form = parseForm(reviewedForm, body);
      return { ok: true as const, value: form.ok ? form.value.reviewNote : '' };
    },
    act: ({ who, value }) => policies.markReviewed(who.sid, who.actor, value),
    done: (next) => ({
      redirect: '/policy',
      flash: `Review recorded. The next review is due on ${formatDateInWords(next)}.`,
    }),
    render: async (reply, { who, errors }) => {
      const current = await policies.current(who.sid);
      return reply.page('policies/views/policy.njk', {
        title: 'Social media policy',
        current,
        templateName: templateName(current.templateKey),
        groups: groupsInWords(policies, current.settings),
        canEdit: true,
        errors,
        today: services.people.today(),
      });
    },
  });

  app.get('/policy/versions', { config: { access: canViewPolicy } }, async (request, reply) => {
    const versions = await policies.versionsWithChanges(schoolId(request.principal));
    return reply.page('policies/views/versions.njk', { title: 'Policy versions', versions });
  });

  app.get(
    '/policy/versions/:version',
    { config: { access: canViewPolicy } },
    async (request, reply) => {
      const parsed = z
        .object({ version: z.coerce.number().int().positive().max(1_000_000) })
        .safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const sid = schoolId(request.principal);
      const { row, settings } = await policies.version(sid, parsed.data.version);
      // What this version changed, in words (the version before it is always stored).
      const before = row.version > 1 ? await policies.version(sid, row.version - 1) : null;
      return reply.page('policies/views/version.njk', {
        title: `Policy version ${row.version}`,
        row,
        changes: before ? describeChanges(before.settings, settings) : [],
        groups: groupsInWords(policies, settings),
      });
    },
  );
}
