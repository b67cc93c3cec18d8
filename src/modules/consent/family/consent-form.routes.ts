import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import { parseForm } from '../../../web/forms.ts';
import { flash } from '../../../web/flash.ts';
import { canRecordConsent, canUseOwnConsentForm, canViewAllConsent } from '../consent.policy.ts';
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

  app.post(
    '/consent/family/:pupilId/:periodKey',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const { pupilId, periodKey } = parsed(childFormParams, request.params);
      const form = await forms.childForm(who, pupilId, periodKey);
      const result = parseForm(answersSchema(form.groups), request.body);
      if (!result.ok) {
        return reply
          .status(400)
          .page(
            'consent/views/family-child.njk',
            await renderChild(request, { errors: result.errors, values: result.values }),
          );
      }
      await forms.saveDraft(who, pupilId, periodKey, result.value as Record<string, string>);
      return reply.redirect(`${childUrl(pupilId, periodKey)}/check`, 303);
    },
  );

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

  app.post(
    '/consent/family/:pupilId/:periodKey/check',
    { config: { access: canUseOwnConsentForm } },
    async (request, reply) => {
      const who = formPrincipal(request.principal);
      const { pupilId, periodKey } = parsed(childFormParams, request.params);
      let recordId: string | null;
      try {
        recordId = await forms.submit(who, pupilId, periodKey);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // The school's questions changed since the answers were saved: ask again.
        return reply
          .status(400)
          .page(
            'consent/views/family-child.njk',
            await renderChild(request, { errors: error.fieldErrors }),
          );
      }
      if (!recordId) return reply.redirect(childUrl(pupilId, periodKey), 303);
      return reply.redirect(`/consent/family/receipts/${recordId}?sent=1`, 303);
    },
  );

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
    { config: { access: canViewAllConsent } },
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

  app.post(
    '/consent/parents/:parentId/send-link',
    { config: { access: canRecordConsent } },
    async (request, reply) => {
      const p = request.principal!;
      if (p.kind !== 'staff') throw new NotFoundError();
      const { parentId } = parsed(parentParams, request.params);
      const form = parseForm(sendLinkForm, request.body);
      const [period] = await services.consent.recordablePeriods(p.schoolId);
      const result = await forms.sendFormLink(
        p.schoolId,
        parentId,
        { reason: 'requested', periodKey: period!.key },
        { kind: 'staff', id: p.id },
      );
      const { parent } = await services.people.parentRecord(p.schoolId, parentId);
      const name = `${parent.givenName} ${parent.familyName}`;
      flash(
        reply,
        result === 'sent'
          ? `We have emailed ${name} a link to their consent form.`
          : result === 'no-email'
            ? `${name} has no email address, so no link was sent. Give them a paper form instead.`
            : `${name} has no children at the school they have parental responsibility for, so no link was sent.`,
      );
      return reply.redirect((form.ok && form.value.returnTo) || `/parents/${parentId}`, 303);
    },
  );
}
