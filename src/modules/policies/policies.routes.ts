import { readDateInput } from '../../web/date-input.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { ConflictError, NotFoundError, type FieldErrors } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { parseForm } from '../../web/forms.ts';
import { formRoute } from '../../web/form-route.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { canEditPolicy, canViewPolicy } from './policies.policy.ts';
import { adoptForm, editForm, reviewedForm } from './policies.forms.ts';
import { ruleGroups } from './policy-groups.ts';
import { displayGroups, displayValue, templateName } from './policy-display.ts';
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

/**
 * The review date from the GOV.UK date input (`nextReviewDate-day`, `-month`, `-year`) as
 * yyyy-mm-dd; the service checks that it is a real date in the future. All three blank: the
 * date is not changed.
 */
function reviewDateFrom(body: Record<string, unknown>): { value?: string; error?: string } {
  const r = readDateInput(body, 'nextReviewDate', 'the next review date');
  if ('error' in r) return r;
  return r.value === null ? {} : { value: r.value };
}

/** The review date's error under the date input's first field (GOV.UK error summary link). */
function withDateField(errors: Record<string, string>): Record<string, string> {
  if (!errors.nextReviewDate) return errors;
  const { nextReviewDate, ...rest } = errors;
  return { ...rest, 'nextReviewDate-day': nextReviewDate };
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

  const renderEdit = async (sid: string, extra: Record<string, unknown>) => {
    const current = await policies.current(sid);
    const rules = policies
      .rules(current.settings)
      .filter((r) => r.editable)
      .map((r) => ({
        ...r,
        sourceLabel: r.source,
        // Each choice in words (role titles, "Every year"), never its key.
        options: (r.editable?.options ?? []).map((o) => {
          const shown = displayValue(r.path, o, current.settings);
          return { value: o, text: 'text' in shown ? shown.text : o };
        }),
      }));
    const [year, month, day] = current.nextReviewDate.split('-');
    return {
      title: 'Change the policy settings',
      current,
      groups: ruleGroups(rules).map((g) => ({ ...g, id: `group-${g.key}` })),
      reviewParts: { day: String(Number(day)), month: String(Number(month)), year },
      ...extra,
    };
  };

  app.get('/policy/edit', { config: { access: canEditPolicy } }, async (request, reply) => {
    const sid = schoolId(request.principal);
    return reply.page('policies/views/edit.njk', await renderEdit(sid, { values: {} }));
  });

  /** The settings' answers (`group.rule` fields), the note and the review date's three fields. */
  const readEdit = (body: unknown) => {
    const form = parseForm(editForm, body);
    if (!form.ok)
      return { ok: false as const, errors: withDateField(form.errors), values: form.values };
    const raw = body as Record<string, unknown>;
    const reviewDate = reviewDateFrom(raw);
    if (reviewDate.error)
      return {
        ok: false as const,
        errors: { 'nextReviewDate-day': reviewDate.error },
        values: raw,
      };
    const answers: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw))
      if (k.includes('.') && typeof v === 'string') answers[k] = v;
    return {
      ok: true as const,
      value: {
        answers,
        note: form.value.note,
        expectedVersion: form.value.expectedVersion,
        nextReviewDate: reviewDate.value,
      },
    };
  };

  formRoute(app, '/policy/edit', {
    access: canEditPolicy,
    who: editor,
    form: readEdit,
    act: ({ who, value }) => policies.updateSettings(who.sid, who.actor, value),
    done: (result) => ({
      redirect: '/policy',
      flash: `Saved as version ${result.version} (${result.changed.length} setting${result.changed.length === 1 ? '' : 's'} changed).`,
    }),
    // Changed by someone else meanwhile (409): the settings as they are now, the message by the note.
    render: async (reply, { who, values, errors }) =>
      reply.page(
        'policies/views/edit.njk',
        await renderEdit(
          who.sid,
          reply.statusCode === 409
            ? { errors: { note: errors._form }, values: {} }
            : { errors: withDateField(errors), values },
        ),
      ),
  });

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
    const versions = await policies.versions(schoolId(request.principal));
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
      const { row, settings } = await policies.version(
        schoolId(request.principal),
        parsed.data.version,
      );
      return reply.page('policies/views/version.njk', {
        title: `Policy version ${row.version}`,
        row,
        groups: groupsInWords(policies, settings),
      });
    },
  );
}
