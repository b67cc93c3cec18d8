import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { z } from 'zod';
import { formRoute } from '../../../web/form-route.ts';
import type { Principal } from '../../auth/index.ts';
import { staffOf, staffActor } from '../../../web/principal.ts';
import { formatCitation } from '../../policies/index.ts';
import {
  canManageConsentAs,
  canRecordConsentAs,
  canViewAllConsentAs,
  mayReachConsentKeeping,
  type ConsentKeeper,
} from '../consent.policy.ts';
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
  /**
   * The profile's record keeper for this person; anyone who may not do `may` gets a 404 (the
   * routes let any member of staff in: the keeper may be a role or a responsibility).
   */
  const keeperFor = async (
    p: Principal,
    may: (p: Principal, keeper: ConsentKeeper) => boolean,
  ): Promise<ConsentKeeper> => {
    const keeper = await services.consentKeeper.keeperFor(p);
    if (!may(p, keeper)) throw new NotFoundError();
    return keeper;
  };

  const renderList = async (
    reply: FastifyReply,
    schoolId: string,
    principal: Principal,
    errors?: FieldErrors,
    values: Record<string, unknown> = {},
  ) => {
    const [campaigns, settings, periods, keeper] = await Promise.all([
      services.consentCampaigns.list(schoolId),
      services.consent.settings(schoolId),
      services.consentCampaigns.startablePeriods(schoolId),
      services.consentKeeper.keeperFor(principal),
    ]);
    return reply.page('consent/views/campaign-list.njk', {
      title: 'Consent campaigns',
      campaigns,
      periods,
      values,
      canStart: canManageConsentAs(principal, keeper),
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
    { config: { access: mayReachConsentKeeping } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      await keeperFor(principal, canViewAllConsentAs);
      const { schoolId } = principal;
      return renderList(reply, schoolId, principal);
    },
  );

  formRoute(app, '/consent/campaigns', {
    access: mayReachConsentKeeping,
    who: staffOf,
    authorise: async ({ who }) => {
      await keeperFor(who, canManageConsentAs);
    },
    form: startCampaignSchema,
    act: ({ who, value }) =>
      services.consentCampaigns.startNow(who.schoolId, staffActor(who), value.periodKey),
    done: (started) => ({
      redirect: `/consent/campaigns/${started.campaignId}`,
      flash: `${started.created ? 'Campaign started' : 'Campaign brought up to date'}. ${sentMessage(started.invitations.sent === 1 ? 'form' : 'forms', started.invitations)}`,
    }),
    render: (reply, { who, values, errors }) =>
      renderList(reply, who.schoolId, who, errors, values),
  });

  const renderChaser = async (
    reply: FastifyReply,
    schoolId: string,
    principal: Principal,
    id: string,
    errors?: FieldErrors,
  ) => {
    const [chaser, keeper] = await Promise.all([
      services.consentCampaigns.chaser(schoolId, id),
      services.consentKeeper.keeperFor(principal),
    ]);
    return reply.page('consent/views/campaign-chaser.njk', {
      title: `Consent forms not returned: ${chaser.campaign.periodKey}`,
      ...chaser,
      canRemind: canRecordConsentAs(principal, keeper) && !chaser.campaign.closedAt,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/consent/campaigns/:id',
    { config: { access: mayReachConsentKeeping } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      await keeperFor(principal, canViewAllConsentAs);
      const { schoolId } = principal;
      return renderChaser(reply, schoolId, principal, campaignId(request.params));
    },
  );

  formRoute(app, '/consent/campaigns/:id/reminders', {
    access: mayReachConsentKeeping,
    who: staffOf,
    params: campaignParamsSchema,
    authorise: async ({ who }) => {
      await keeperFor(who, canRecordConsentAs);
    },
    form: z.object({}),
    act: ({ who, params }) =>
      services.consentCampaigns.remindNow(who.schoolId, staffActor(who), params.id),
    done: (sent, { params }) => ({
      redirect: `/consent/campaigns/${params.id}`,
      flash: sentMessage(sent.sent === 1 ? 'reminder' : 'reminders', sent),
    }),
    // Closed meanwhile (409): the message beside the button.
    render: (reply, { who, params, errors }) =>
      renderChaser(reply, who.schoolId, who, params.id, {
        remind: Object.values(errors).join(' '),
      }),
  });
}
