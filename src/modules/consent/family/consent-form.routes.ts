import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import { parseForm } from '../../../web/forms.ts';
import { formRoute } from '../../../web/form-route.ts';
import { staffOf } from '../../../web/principal.ts';
import {
  canRecordConsentAs,
  canUseOwnConsentForm,
  canViewAllConsentAs,
  mayReachConsentKeeping,
} from '../consent.policy.ts';
import { keeperAccess } from '../consent-keeper.ts';
import { consentReceiptPdf } from './consent-receipt.pdf.ts';
import { parseReceiptReference } from '../register/receipt-reference.ts';
import {
  answersSchema,
  childFormParams,
  parentParams,
  receiptParams,
} from './consent-form.forms.ts';
import { jsonReceipt, type FormPrincipal } from './consent-form.service.ts';

function formPrincipal(p: Principal | null): FormPrincipal {
  if (!p || (p.kind !== 'parent' && p.kind !== 'pupil')) throw new NotFoundError();
  return { kind: p.kind, id: p.id, schoolId: p.schoolId, name: p.name };
}

/** Bad ids look exactly like missing ones. */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new NotFoundError();
  return r.data;
}

const sendLinkForm = z.object({
  /** Where to go back to: a same-site consent or people page. */
  returnTo: z
    .string()
    .optional()
    .transform((v) =>
      v && /^\/(consent|parents|pupils)(\/[A-Za-z0-9_\-/]*)?$/.test(v) ? v : undefined,
    ),
});

const receiptQuery = z.object({ sent: z.enum(['1']).optional().catch(undefined) });

const referenceQuery = z.object({
  reference: z.string().max(100).optional().catch(undefined),
});

/**
 * The parents' (and competent pupils') consent form: the family page, one question page per
 * child, check answers, confirmation with the receipt and its JSON download; and the staff
 * button that emails a parent their link.
 */
export async function consentFormRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const forms = services.consentForm;
  // The staff routes here (finding a receipt, emailing a parent their link) are the record
  // keeper's too: staff pass `access`, then the keeper rule is asked before the body is read.
  const childUrl = (pupilId: string, periodKey: string) =>
    `/consent/family/${pupilId}/${encodeURIComponent(periodKey)}`;

  app.get(
    '/consent/family',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const family = await forms.family(who);
      return reply.page('consent/views/family-index.njk', {
        title:
          who.kind === 'parent' ? 'Photos and videos of your children' : 'Photos and videos of you',
        who,
        ...family,
      });
    },
  );

  const renderChild = async (
    request: FastifyRequest,
    extra: { errors?: Record<string, string>; values?: Record<string, unknown> } = {},
  ) => {
    const who = formPrincipal(request.principal);
    const { pupilId, periodKey } = parsed(childFormParams, request.params);
    const form = await forms.childForm(who, pupilId, periodKey);
    return {
      title: `Photos and videos of ${form.child.givenName}`,
      who,
      ...form,
      ...(extra.values ? { values: extra.values } : {}),
      errors: extra.errors,
      action: childUrl(pupilId, periodKey),
    };
  };

  app.get(
    '/consent/family/:pupilId/:periodKey',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) =>
      reply.page('consent/views/family-child.njk', await renderChild(request)),
  );

  formRoute(app, '/consent/family/:pupilId/:periodKey', {
    access: canUseOwnConsentForm,
    who: formPrincipal,
    params: childFormParams,
    // The questions are this child's form's (the school's consent kinds).
    authorise: ({ who, params }) => forms.childForm(who, params.pupilId, params.periodKey),
    form: (
      body: unknown,
      _request: FastifyRequest,
      form: { groups: Parameters<typeof answersSchema>[0] },
    ) => parseForm(answersSchema(form.groups), body),
    act: ({ who, params, value }) =>
      forms.saveDraft(who, params.pupilId, params.periodKey, value as Record<string, string>),
    done: (_, { params }) => ({ redirect: `${childUrl(params.pupilId, params.periodKey)}/check` }),
    render: async (reply, { request, values, errors }) =>
      reply.page('consent/views/family-child.njk', await renderChild(request, { errors, values })),
  });

  app.get(
    '/consent/family/:pupilId/:periodKey/check',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const { pupilId, periodKey } = parsed(childFormParams, request.params);
      const check = await forms.checkAnswers(who, pupilId, periodKey);
      if (!check) return reply.redirect(childUrl(pupilId, periodKey), 303);
      return reply.page('consent/views/family-check.njk', {
        title: 'Check your answers before sending',
        who,
        ...check,
        formUrl: childUrl(pupilId, periodKey),
        action: `${childUrl(pupilId, periodKey)}/check`,
      });
    },
  );

  formRoute(app, '/consent/family/:pupilId/:periodKey/check', {
    access: canUseOwnConsentForm,
    who: formPrincipal,
    params: childFormParams,
    form: z.object({}),
    act: ({ who, params }) => forms.submit(who, params.pupilId, params.periodKey),
    done: (recordId, { params }) => ({
      redirect: recordId
        ? `/consent/family/receipts/${recordId}?sent=1`
        : childUrl(params.pupilId, params.periodKey),
    }),
    // The school's questions changed since the answers were saved: ask again.
    render: async (reply, { request, errors }) =>
      reply.page('consent/views/family-child.njk', await renderChild(request, { errors })),
  });

  app.get(
    '/consent/family/receipts/:recordId',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const { recordId } = parsed(receiptParams, request.params);
      const receipt = await forms.receipt(who, recordId);
      const { sent } = receiptQuery.parse(request.query);
      return reply.page('consent/views/family-receipt.njk', {
        title: sent ? 'Answers recorded' : 'Your consent receipt',
        who,
        receipt,
        sent: sent === '1',
      });
    },
  );

  app.get(
    '/consent/family/receipts/:recordId.json',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const { recordId } = parsed(receiptParams, request.params);
      const receipt = await forms.receipt(who, recordId);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="consent-receipt-${receipt.reference}.json"`,
        )
        .header('cache-control', 'no-store')
        .send(JSON.stringify(jsonReceipt(receipt), null, 2));
    },
  );

  app.get(
    '/consent/family/receipts/:recordId.pdf',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const { recordId } = parsed(receiptParams, request.params);
      const receipt = await forms.receipt(who, recordId);
      const pdf = await consentReceiptPdf(receipt, services.clock.now());
      return reply
        .header('content-type', 'application/pdf')
        .header(
          'content-disposition',
          `attachment; filename="consent-receipt-${receipt.reference}.pdf"`,
        )
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  /**
   * The school office finds a receipt by the reference a parent reads out over the phone, and
   * goes on to the pupil's register page. Only those who see the whole register.
   */
  app.get(
    '/consent/receipts',
    {
      config: {
        access: mayReachConsentKeeping,
        schoolAccess: keeperAccess(canViewAllConsentAs),
      },
    },
    async (request, reply) => {
      const p = request.principal!;
      if (p.kind !== 'staff') throw new NotFoundError();
      const { reference } = referenceQuery.parse(request.query);
      const page = { title: 'Find a consent receipt', reference: reference ?? '' };
      if (reference === undefined) return reply.page('consent/views/receipt-search.njk', page);
      const stored = parseReceiptReference(reference);
      if (!stored) {
        return reply.status(400).page('consent/views/receipt-search.njk', {
          ...page,
          errors: {
            reference: reference.trim()
              ? 'Enter the receipt reference as it is printed on the receipt: 8 letters and numbers, like K7M4-Q2PX'
              : 'Enter the receipt reference',
          },
        });
      }
      const receipt = await forms.receiptByReference(p.schoolId, stored);
      return reply.page('consent/views/receipt-search.njk', {
        ...page,
        receipt,
        notFound: !receipt,
      });
    },
  );

  formRoute(app, '/consent/parents/:parentId/send-link', {
    access: mayReachConsentKeeping,
    config: { schoolAccess: keeperAccess(canRecordConsentAs) },
    who: staffOf,
    params: parentParams,
    // Only where to go back to; anything else there is ignored.
    form: (body: unknown) => {
      const form = parseForm(sendLinkForm, body);
      return { ok: true as const, value: form.ok ? form.value.returnTo : undefined };
    },
    act: async ({ who, params }) => {
      const [period] = await services.consent.recordablePeriods(who.schoolId);
      const result = await forms.sendFormLink(
        who.schoolId,
        params.parentId,
        { reason: 'requested', periodKey: period!.key },
        { kind: 'staff', id: who.id },
      );
      const { parent } = await services.people.parentRecord(who.schoolId, params.parentId);
      return { result, name: `${parent.givenName} ${parent.familyName}` };
    },
    done: ({ result, name }, { params, value: returnTo }) => ({
      redirect: returnTo || `/parents/${params.parentId}`,
      flash:
        result === 'sent'
          ? `We have emailed ${name} a link to their consent form.`
          : result === 'no-email'
            ? `${name} has no email address, so no link was sent. Give them a paper form instead.`
            : `${name} has no children at the school they have parental responsibility for, so no link was sent.`,
    }),
  });
}
