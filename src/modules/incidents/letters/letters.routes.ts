import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { staffOf } from '../../../web/principal.ts';
import { canEditLetterTemplates, mayReachCaseLetters } from './letters.policy.ts';
import {
  letterConfirmForm,
  letterRequestForm,
  letterTemplateForm,
  restoreLetterTemplateForm,
} from './letters.forms.ts';
import {
  defaultLetterTemplates,
  isLetterTemplateKey,
  letterTemplateKeys,
  paragraphsOf,
  placeholders,
} from './letters.defaults.ts';
import type { LetterIncident } from './letters.service.ts';

const idParams = z.object({ id: z.uuid() });
const letterParams = z.object({ id: z.uuid(), letterId: z.uuid() });
const keyParams = z.object({ key: z.enum(letterTemplateKeys) });
const placeholderList = Object.entries(placeholders).map(([name, meaning]) => ({ name, meaning }));

/**
 * Letters about an incident (issue 14 item 7): the school's templates (Head/DSL), and for a case
 * a letter chosen, filled in, previewed, then made (PDF kept, entry in the chronology, emailed).
 */
export async function letterRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const letters = services.incidentLetters;

  // Templates -------------------------------------------------------------------------------
  app.get(
    '/incidents/letters/templates',
    { config: { access: canEditLetterTemplates } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      return reply.page('incidents/letters/views/templates.njk', {
        title: 'Letter templates',
        templates: await letters.templates(who.schoolId),
        placeholders: placeholderList,
      });
    },
  );

  const renderTemplate = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    key: (typeof letterTemplateKeys)[number],
    values?: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const { template, history } = await letters.template(who.schoolId, key);
    return reply.page('incidents/letters/views/template-edit.njk', {
      title: `Change the letter: ${template.title}`,
      template,
      history,
      values: values ?? template,
      placeholders: placeholderList,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/incidents/letters/templates/:key',
    { config: { access: canEditLetterTemplates } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = keyParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      return renderTemplate(reply, who, params.data.key);
    },
  );

  formRoute(app, '/incidents/letters/templates/:key', {
    access: canEditLetterTemplates,
    who: staffOf,
    params: keyParams,
    form: letterTemplateForm,
    act: ({ who, params, value }) => letters.updateTemplate(who, params.key, value),
    done: () => ({
      redirect: '/incidents/letters/templates',
      flash: 'The letter is saved. New letters use your words; letters already made keep theirs.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderTemplate(reply, who, params.key, values, errors),
  });

  formRoute(app, '/incidents/letters/templates/:key/restore', {
    access: canEditLetterTemplates,
    who: staffOf,
    params: keyParams,
    form: restoreLetterTemplateForm,
    act: ({ who, params, value }) => letters.restoreTemplate(who, params.key, value.note),
    done: () => ({
      redirect: '/incidents/letters/templates',
      flash: 'Lanyard’s wording is back. The school’s earlier words are kept in the history.',
    }),
    render: (reply, { who, params, errors }) =>
      renderTemplate(reply, who, params.key, undefined, {
        restoreNote: errors.note ?? errors._form ?? 'Say why',
      }),
  });

  // A case's letters ------------------------------------------------------------------------
  app.get(
    '/incidents/:id/letters',
    { config: { access: mayReachCaseLetters } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const incident = await letters.caseFor(who, params.data.id);
      return reply.page('incidents/letters/views/case-letters.njk', {
        title: `Letters for ${incident.reference}`,
        incident,
        letters: await letters.list(who, incident.id),
        templates: await letters.templates(who.schoolId),
        canEditTemplates: canEditLetterTemplates(who),
      });
    },
  );

  const renderNew = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    incident: LetterIncident,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const templates = await letters.templates(who.schoolId);
    const chosen = templates.find((t) => t.key === values.template);
    return reply.page('incidents/letters/views/new.njk', {
      title: `Make a letter for ${incident.reference}`,
      incident,
      values,
      chosen,
      templateItems: templates.map((t) => ({
        value: t.key,
        text: t.title,
        hint: { text: defaultLetterTemplates[t.key].recipientHint },
        checked: values.template === t.key,
      })),
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/incidents/:id/letters/new',
    { config: { access: mayReachCaseLetters } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const incident = await letters.caseFor(who, params.data.id);
      const query = request.query as Record<string, unknown>;
      const template = isLetterTemplateKey(query.template) ? query.template : undefined;
      return renderNew(reply, who, incident, template ? { template } : {});
    },
  );

  // Preview: the letter filled in, with a button that makes it (nothing kept yet).
  formRoute(app, '/incidents/:id/letters/preview', {
    access: mayReachCaseLetters,
    who: staffOf,
    params: idParams,
    authorise: ({ who, params }) => letters.caseFor(who, params.id),
    form: letterRequestForm,
    act: ({ who, found, value }) => {
      const { template, ...request } = value;
      return letters.compose(who, found.id, template, request);
    },
    done: (letter, { found, value }) => ({
      page: (reply: FastifyReply) =>
        reply.page('incidents/letters/views/preview.njk', {
          title: `Check the letter before you make it`,
          incident: found,
          letter,
          paragraphs: paragraphsOf(letter.body),
          values: value,
        }),
    }),
    render: (reply, { who, found, values, errors }) => renderNew(reply, who, found, values, errors),
  });

  formRoute(app, '/incidents/:id/letters', {
    access: mayReachCaseLetters,
    who: staffOf,
    params: idParams,
    authorise: ({ who, params }) => letters.caseFor(who, params.id),
    form: letterConfirmForm,
    act: ({ who, found, value }) => {
      const { template, confirm: _confirm, ...request } = value;
      return letters.generate(who, found.id, template, request);
    },
    done: (letterId, { found, value }) => ({
      redirect: `/incidents/${found.id}/letters/${letterId}`,
      flash: value.recipientEmail
        ? `The letter is made and kept with ${found.reference}. It is being emailed to ${value.recipientEmail}.`
        : `The letter is made and kept with ${found.reference}. Download it to print and send.`,
    }),
    render: (reply, { who, found, values, errors }) => renderNew(reply, who, found, values, errors),
    onResponse: async () => letters.deliverQueuedLetters(),
  });

  app.get(
    '/incidents/:id/letters/:letterId',
    { config: { access: mayReachCaseLetters } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = letterParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const incident = await letters.caseFor(who, params.data.id);
      const letter = await letters.get(who, incident.id, params.data.letterId);
      return reply.page('incidents/letters/views/letter.njk', {
        title: letter.title,
        incident,
        letter,
        paragraphs: paragraphsOf(letter.body),
      });
    },
  );

  app.get(
    '/incidents/:id/letters/:letterId/pdf',
    { config: { access: mayReachCaseLetters } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const params = letterParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      // The letter must belong to this case (a letter id under another case is a 404).
      await letters.get(who, params.data.id, params.data.letterId);
      const { filename, bytes } = await letters.pdf(who, params.data.letterId);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(bytes);
    },
  );
}
