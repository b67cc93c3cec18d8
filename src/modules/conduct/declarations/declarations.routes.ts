import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { staffOf } from '../../../web/principal.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { canUseConduct, type DeclarationKind } from '../conduct.policy.ts';
import {
  actionLabels,
  declarationForms,
  declarationKindLabels,
  declarationKindShort,
  declarationKinds,
  presenceLabels,
  requestFromLabels,
  reviewForm,
  type DeclarationInput,
} from './declarations.forms.ts';

const idParams = z.object({ id: z.uuid() });
const kindParams = z.object({ kind: z.enum(declarationKinds) });

export const declarationStatusTags: Record<string, { text: string; classes: string }> = {
  awaiting_review: { text: 'Waiting to be read', classes: 'govuk-tag--yellow' },
  reviewed: { text: 'Response given', classes: 'govuk-tag--green' },
};

const labels = {
  kinds: declarationKindLabels,
  short: declarationKindShort,
  from: requestFromLabels,
  actions: actionLabels,
  presence: presenceLabels,
  status: declarationStatusTags,
};

/** Declarations: make one, see one's own, and (the profile's reviewer) read and respond. */
export async function declarationRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const declarations = services.conductDeclarations;

  app.get(
    '/conduct/declarations',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const [own, isReviewer, offered] = await Promise.all([
        declarations.listOwn(who),
        declarations.isReviewer(who),
        declarations.kindsOffered(who.schoolId),
      ]);
      const review = isReviewer ? await declarations.listForReview(who) : null;
      return reply.page('conduct/views/declarations.njk', {
        title: 'Declarations',
        own,
        review: review?.rows ?? null,
        names: review ? Object.fromEntries(review.names) : {},
        offered,
        labels,
      });
    },
  );

  app.get(
    '/conduct/declarations/new',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const offered = await declarations.kindsOffered(who.schoolId);
      return reply.page('conduct/views/declaration-choose.njk', {
        title: 'Make a declaration',
        offered,
        labels,
      });
    },
  );

  const renderForm = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    kind: DeclarationKind,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const offered = await declarations.kindsOffered(who.schoolId);
    const entry = offered.find((o) => o.kind === kind);
    if (!entry) throw new NotFoundError();
    const choices =
      kind === 'online_presence'
        ? { pupils: [], parents: [] }
        : await declarations.choices(who.schoolId);
    return reply.page('conduct/views/declaration-new.njk', {
      title: declarationKindShort[kind],
      kind,
      rule: entry.rule,
      values,
      choices,
      labels,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/conduct/declarations/new/:kind',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const parsed = kindParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      return renderForm(reply, who, parsed.data.kind, {});
    },
  );

  formRoute(app, '/conduct/declarations/new/:kind', {
    access: canUseConduct,
    who: staffOf,
    params: kindParams,
    authorise: async ({ who, params }) => {
      const offered = await declarations.kindsOffered(who.schoolId);
      if (!offered.some((o) => o.kind === params.kind)) throw new NotFoundError();
      return params.kind;
    },
    form: (body: unknown, _request, kind: DeclarationKind) => {
      const parsed = declarationForms[kind].safeParse(body ?? {});
      if (parsed.success)
        return { ok: true as const, value: { kind, value: parsed.data } as DeclarationInput };
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues)
        errors[String(issue.path[0] ?? '_form')] ??= issue.message;
      return { ok: false as const, errors };
    },
    act: ({ who, value }) => declarations.declare(who, value),
    done: (row) => ({
      redirect: `/conduct/declarations/${row.id}`,
      flash: 'Your declaration is recorded. It has been sent to be read.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderForm(reply, who, params.kind, values, errors),
  });

  const renderView = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    id: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const view = await declarations.view(who, id);
    return reply.page('conduct/views/declaration.njk', {
      title: declarationKindShort[view.declaration.kind as DeclarationKind] ?? 'Declaration',
      view,
      labels,
      values,
      incidentsAvailable: declarations.incidentsAvailable(),
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/conduct/declarations/:id',
    { config: { access: canUseConduct } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      return renderView(reply, who, parsed.data.id);
    },
  );

  formRoute(app, '/conduct/declarations/:id/review', {
    access: canUseConduct,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await declarations.responder(who, params.id);
    },
    form: reviewForm,
    act: ({ who, params, value }) => declarations.review(who, params.id, value.response),
    done: (_row, { params }) => ({
      redirect: `/conduct/declarations/${params.id}`,
      flash: 'Your response is recorded and the person who made the declaration has been told.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderView(reply, who, params.id, values, errors),
  });

  if (declarations.incidentsAvailable()) {
    formRoute(app, '/conduct/declarations/:id/incident', {
      access: canUseConduct,
      who: staffOf,
      params: idParams,
      authorise: async ({ who, params }) => {
        await declarations.responder(who, params.id);
      },
      form: z.object({}),
      act: ({ who, params }) => declarations.openIncident(who, params.id),
      done: (r) => ({
        redirect: `/incidents/${r.incidentId}`,
        flash: 'An incident has been opened from the declaration.',
      }),
    });
  }
}
