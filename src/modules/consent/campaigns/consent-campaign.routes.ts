import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../registry.ts';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  type FieldErrors,
} from '../../../errors.ts';
import { flash } from '../../../web/flash.ts';
import { parseForm } from '../../../web/forms.ts';
import type { Principal } from '../../auth/index.ts';
import { staffOf, staffActor } from '../../../web/principal.ts';
import { formatCitation } from '../../policies/index.ts';
import { canManageConsent, canRecordConsent, canViewAllConsent } from '../consent.policy.ts';
import { campaignParamsSchema, startCampaignSchema } from './consent-campaign.forms.ts';
import {
  CAMPAIGN_LATE_START_DAYS,
  CAMPAIGN_OPENS_DAYS_BEFORE,
  type SendCounts,
} from './consent-campaign.service.ts';

function campaignId(params: unknown): string {
  const parsed = campaignParamsSchema.safeParse(params);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data.id;
}

function sentMessage(what: string, c: SendCounts): string {
  const parts = [`${c.sent} ${what} sent`];
  if (c.noEmail) parts.push(`${c.noEmail} not sent: no email address`);
  if (c.failed) parts.push(`${c.failed} could not be sent and will be tried again`);
  return `${parts.join('; ')}.`;
}

/** Renewal campaigns: the list with progress, starting one by hand, the chaser list. */
export async function consentCampaignRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const renderList = async (
    reply: FastifyReply,
    schoolId: string,
    principal: Principal,
    errors?: FieldErrors,
    values: Record<string, unknown> = {},
  ) => {
    const [campaigns, settings, periods] = await Promise.all([
      services.consentCampaigns.list(schoolId),
      services.consent.settings(schoolId),
      services.consentCampaigns.startablePeriods(schoolId),
    ]);
    return reply.page('consent/views/campaign-list.njk', {
      title: 'Consent campaigns',
      campaigns,
      periods,
      values,
      canStart: canManageConsent(principal),
      annual: settings.consent.model.value === 'annual',
      modelCitation: formatCitation(settings.consent.model.citation),
      reminderDays: settings.consent.renewalReminderDays.value,
      reminderCitation: formatCitation(settings.consent.renewalReminderDays.citation),
      opensDaysBefore: CAMPAIGN_OPENS_DAYS_BEFORE,
      lateStartDays: CAMPAIGN_LATE_START_DAYS,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/consent/campaigns',
    { config: { access: canViewAllConsent } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const { schoolId } = principal;
      return renderList(reply, schoolId, principal);
    },
  );

  app.post(
    '/consent/campaigns',
    { config: { access: canManageConsent } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const { schoolId } = principal;
      const actor = staffActor(principal);
      const form = parseForm(startCampaignSchema, request.body);
      if (!form.ok)
        return renderList(reply.status(400), schoolId, principal, form.errors, form.values);
      try {
        const started = await services.consentCampaigns.startNow(
          schoolId,
          actor,
          form.value.periodKey,
        );
        flash(
          reply,
          `${started.created ? 'Campaign started' : 'Campaign brought up to date'}. ${sentMessage(started.invitations.sent === 1 ? 'form' : 'forms', started.invitations)}`,
        );
        return reply.redirect(`/consent/campaigns/${started.campaignId}`, 303);
      } catch (e) {
        if (e instanceof ValidationError) {
          return renderList(reply.status(400), schoolId, principal, e.fieldErrors, form.value);
        }
        throw e;
      }
    },
  );

  const renderChaser = async (
    reply: FastifyReply,
    schoolId: string,
    principal: Principal,
    id: string,
    errors?: FieldErrors,
  ) => {
    const chaser = await services.consentCampaigns.chaser(schoolId, id);
    return reply.page('consent/views/campaign-chaser.njk', {
      title: `Consent forms not returned: ${chaser.campaign.periodKey}`,
      ...chaser,
      canRemind: canRecordConsent(principal) && !chaser.campaign.closedAt,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/consent/campaigns/:id',
    { config: { access: canViewAllConsent } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const { schoolId } = principal;
      return renderChaser(reply, schoolId, principal, campaignId(request.params));
    },
  );

  app.post(
    '/consent/campaigns/:id/reminders',
    { config: { access: canRecordConsent } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const { schoolId } = principal;
      const actor = staffActor(principal);
      const id = campaignId(request.params);
      try {
        const sent = await services.consentCampaigns.remindNow(schoolId, actor, id);
        flash(reply, sentMessage(sent.sent === 1 ? 'reminder' : 'reminders', sent));
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        return renderChaser(reply.status(409), schoolId, principal, id, { remind: e.message });
      }
      return reply.redirect(`/consent/campaigns/${id}`, 303);
    },
  );
}
