import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  type FieldErrors,
} from '../../../errors.ts';
import { parseForm } from '../../../web/forms.ts';
import { flash } from '../../../web/flash.ts';
import { readDateInput } from '../../../web/date-input.ts';
import { staffOf } from '../../../web/principal.ts';
import { formatDateInWords, formatDateTimeInWords } from '../../../web/dates.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { canViewChannels, mayReachChannels } from './accounts.policy.ts';
import {
  addableKinds,
  audienceLabels,
  audiences,
  parseChannelForm,
  commentLabels,
  commentOptions,
  credentialForm,
  deactivateForm,
  handoverForm,
  kindHints,
  kindLabels,
  posterForm,
  type AddableKind,
} from './accounts.forms.ts';
import type { AccountsService } from './accounts.service.ts';

const idParams = z.object({ id: z.uuid() });
const kindQuery = z.object({ kind: z.enum(addableKinds).optional().catch(undefined) });

/** Words for the page: every key the templates show, as a label. */
const labels = { kind: kindLabels, audience: audienceLabels, comments: commentLabels };

const eventLabels: Record<string, string> = {
  'publication.published': 'Post sent',
  'publication.removed': 'Removal sent',
};

/**
 * The school's channels (SPEC §3.3): the list and each channel (staff who may draft), adding a
 * channel, its token or secret, the people authorised to post and credential hand-overs (the
 * profile's credential custodian and the Headteacher; anyone else gets a 404).
 */
export async function accountsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const accounts: AccountsService = services.channelAccounts;

  /** The manager, or a 404 (the route let any member of staff in; the profile decides). */
  const manager = async (p: unknown): Promise<StaffPrincipal> => {
    const principal = staffOf(p as StaffPrincipal);
    if (!(await accounts.canManage(principal))) throw new NotFoundError();
    return principal;
  };
  const channelId = (params: unknown): string => {
    const parsed = idParams.safeParse(params);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data.id;
  };

  app.get('/channels', { config: { access: canViewChannels } }, async (request, reply) => {
    const principal = staffOf(request.principal);
    const [{ channels, canManage }, custodian] = await Promise.all([
      accounts.list(principal),
      accounts.custodianRule(principal.schoolId),
    ]);
    return reply.page('publishing/accounts/views/list.njk', {
      title: 'The school’s channels',
      channels,
      canManage,
      custodian,
      labels,
    });
  });

  // ----- Adding a channel: first the kind, then its details --------------------------------

  const renderNew = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    kind: AddableKind | undefined,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    if (!kind) {
      return reply.page('publishing/accounts/views/choose-kind.njk', {
        title: 'Add a channel',
        kindItems: addableKinds.map((k) => ({
          value: k,
          text: kindLabels[k],
          hint: { text: kindHints[k] },
        })),
        ...(errors ? { errors } : {}),
      });
    }
    const [purposes, staff, custodian, defaultCustodian] = await Promise.all([
      accounts.purposes(principal.schoolId),
      accounts.staffOptions(principal),
      accounts.custodianRule(principal.schoolId),
      accounts.defaultCustodian(principal.schoolId),
    ]);
    const chosenCustodian = (values.custodianId as string | undefined) ?? defaultCustodian?.id;
    return reply.page('publishing/accounts/views/new.njk', {
      title: `Add a ${lowerFirstWordUnlessName(kindLabels[kind]!.split(' (')[0]!)}`,
      kind,
      kindLabel: kindLabels[kind],
      values,
      custodian,
      purposeItems: purposes.map((x) => ({
        value: x.key,
        text: x.label,
        checked: values.purposeKey === x.key,
      })),
      audienceItems: audiences.map((a) => ({
        value: a,
        text: audienceLabels[a],
        checked: (values.audience ?? 'public') === a,
      })),
      commentItems: commentOptions.map((c) => ({
        value: c,
        text: commentLabels[c],
        checked: (values.comments ?? 'off') === c,
      })),
      custodianItems: staff.map((s) => ({
        value: s.id,
        text: s.name,
        selected: s.id === chosenCustodian,
      })),
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/channels/new', { config: { access: mayReachChannels } }, async (request, reply) => {
    const principal = await manager(request.principal);
    const { kind } = kindQuery.parse(request.query ?? {});
    return renderNew(reply, principal, kind, {});
  });

  app.post('/channels', { config: { access: mayReachChannels } }, async (request, reply) => {
    const principal = await manager(request.principal);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { kind } = kindQuery.parse({ kind: body.kind });
    if (!kind)
      return renderNew(reply.status(400), principal, undefined, body, {
        kind: 'Select the kind of channel',
      });
    const form = parseChannelForm(body);
    if (!form.ok) return renderNew(reply.status(400), principal, kind, form.values, form.errors);
    try {
      const { channel, generatedSecret } = await accounts.create(principal, form.value);
      if (generatedSecret) {
        // Shown once, on this answer only (never in a redirect, a cookie or a log).
        return reply.page('publishing/accounts/views/secret-once.njk', {
          title: 'Copy the signing secret now',
          channel,
          secret: generatedSecret,
        });
      }
      flash(reply, `${channel.name} is added to the school’s channels.`);
      return reply.redirect(`/channels/${channel.id}`, 303);
    } catch (e) {
      if (e instanceof ValidationError)
        return renderNew(reply.status(400), principal, kind, body, e.fieldErrors);
      throw e;
    }
  });

  // ----- One channel -------------------------------------------------------------------------

  const renderDetail = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    id: string,
    errors?: FieldErrors,
  ) => {
    const detail = await accounts.detail(principal, id);
    const [custodian, staff] = await Promise.all([
      accounts.custodianRule(principal.schoolId),
      detail.canManage ? accounts.staffOptions(principal) : Promise.resolve([]),
    ]);
    const posting = new Set(detail.posterList.map((x) => x.staffId));
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    const c = detail.credential;
    const credentialText = c.set
      ? `Set on ${formatDateTimeInWords(c.setAt)}${c.setByName ? ` by ${c.setByName}` : ''}. It is encrypted and is never shown again.`
      : detail.kind === 'news' || detail.kind === 'newsletter'
        ? 'Not needed'
        : 'Not set';
    const summaryRows = [
      ...(detail.platform ? [row('Platform', detail.platform)] : []),
      ...(detail.handle ? [row('Account name', detail.handle)] : []),
      ...(detail.endpointUrl ? [row('Address posts are sent to', detail.endpointUrl)] : []),
      row('Needs consent for', detail.purposeLabel),
      row('Who can see the posts', audienceLabels[detail.audience] ?? 'Not recorded'),
      row(
        'Comments',
        `${commentLabels[detail.comments] ?? 'Not recorded'}${detail.moderation ? `: ${detail.moderation}` : ''}`,
      ),
      row('Keeps the credentials', detail.custodianName ?? 'Nobody yet'),
      row('Token or secret', credentialText),
      row(
        'Longest post',
        detail.maxLength ? `${detail.maxLength.toLocaleString('en-GB')} characters` : 'No limit',
      ),
      row('Most photos in a post', detail.maxImages ? String(detail.maxImages) : 'No limit'),
      row('Added', formatDateInWords(detail.createdAt)),
    ];
    return reply.page('publishing/accounts/views/show.njk', {
      title: detail.name,
      channel: detail,
      custodian,
      labels,
      eventLabels,
      summaryRows,
      posterItems: [
        { value: '', text: 'Select a member of staff' },
        ...staff.filter((s) => !posting.has(s.id)).map((s) => ({ value: s.id, text: s.name })),
      ],
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/channels/:id', { config: { access: canViewChannels } }, async (request, reply) => {
    return renderDetail(reply, staffOf(request.principal), channelId(request.params));
  });

  app.post(
    '/channels/:id/credential',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      const id = channelId(request.params);
      const form = parseForm(credentialForm, request.body);
      if (!form.ok) return renderDetail(reply.status(400), principal, id, form.errors);
      try {
        const { generatedSecret } = await accounts.setCredential(
          principal,
          id,
          form.value.credential,
        );
        if (generatedSecret) {
          const channel = await accounts.get(principal.schoolId, id);
          return reply.page('publishing/accounts/views/secret-once.njk', {
            title: 'Copy the signing secret now',
            channel,
            secret: generatedSecret,
          });
        }
      } catch (e) {
        if (e instanceof ValidationError)
          return renderDetail(reply.status(400), principal, id, e.fieldErrors);
        throw e;
      }
      flash(reply, 'The new token is saved. The old one no longer works in Lanyard.');
      return reply.redirect(`/channels/${id}`, 303);
    },
  );

  app.post(
    '/channels/:id/posters',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      const id = channelId(request.params);
      const form = parseForm(posterForm, request.body);
      if (!form.ok) return renderDetail(reply.status(400), principal, id, form.errors);
      try {
        const name = await accounts.addPoster(principal, id, form.value.staffId);
        flash(reply, `${name} may now post to this channel.`);
      } catch (e) {
        if (e instanceof ValidationError)
          return renderDetail(reply.status(400), principal, id, e.fieldErrors);
        throw e;
      }
      return reply.redirect(`/channels/${id}`, 303);
    },
  );

  app.post(
    '/channels/:id/posters/remove',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      const id = channelId(request.params);
      const form = parseForm(posterForm, request.body);
      if (!form.ok)
        return renderDetail(reply.status(400), principal, id, {
          posters: 'Select who may no longer post',
        });
      try {
        await accounts.removePoster(principal, id, form.value.staffId);
      } catch (e) {
        if (e instanceof ConflictError)
          return renderDetail(reply.status(409), principal, id, { posters: e.message });
        throw e;
      }
      flash(reply, 'They may no longer post to this channel.');
      return reply.redirect(`/channels/${id}`, 303);
    },
  );

  app.post(
    '/channels/:id/deactivate',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      const id = channelId(request.params);
      const form = parseForm(deactivateForm, request.body);
      if (!form.ok) return renderDetail(reply.status(400), principal, id, form.errors);
      try {
        const channel = await accounts.setActive(principal, id, false);
        flash(reply, `${channel.name} is no longer used. New posts cannot go to it.`);
      } catch (e) {
        if (e instanceof ConflictError)
          return renderDetail(reply.status(409), principal, id, { stop: e.message });
        throw e;
      }
      return reply.redirect(`/channels/${id}`, 303);
    },
  );

  app.post(
    '/channels/:id/reactivate',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      const id = channelId(request.params);
      try {
        const channel = await accounts.setActive(principal, id, true);
        flash(reply, `${channel.name} is in use again.`);
      } catch (e) {
        if (e instanceof ConflictError)
          return renderDetail(reply.status(409), principal, id, { reactivate: e.message });
        throw e;
      }
      return reply.redirect(`/channels/${id}`, 303);
    },
  );

  // ----- Hand-over of the credentials ----------------------------------------------------

  const renderHandover = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    id: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const [detail, staff, custodian] = await Promise.all([
      accounts.detail(principal, id),
      accounts.staffOptions(principal),
      accounts.custodianRule(principal.schoolId),
    ]);
    return reply.page('publishing/accounts/views/handover.njk', {
      title: `Hand over the credentials of ${detail.name}`,
      channel: detail,
      custodian,
      values,
      staffItems: [
        { value: '', text: 'Select a member of staff' },
        ...staff
          .filter((s) => s.id !== detail.custodianId)
          .map((s) => ({ value: s.id, text: s.name, selected: values.toStaffId === s.id })),
      ],
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/channels/:id/handover',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      return renderHandover(reply, principal, channelId(request.params), {});
    },
  );

  app.post(
    '/channels/:id/handover',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      const id = channelId(request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const form = parseForm(handoverForm, body);
      const date = readDateInput(body, 'on', 'the date of the hand-over');
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      if ('error' in date) errors['on-day'] = date.error;
      if (!form.ok || 'error' in date)
        return renderHandover(reply.status(400), principal, id, body, errors);
      try {
        const { toName } = await accounts.handOver(principal, id, {
          ...form.value,
          on: date.value,
        });
        flash(
          reply,
          `The hand-over to ${toName} is recorded. ${toName} now keeps the credentials.`,
        );
      } catch (e) {
        if (e instanceof ValidationError)
          return renderHandover(reply.status(400), principal, id, body, e.fieldErrors);
        throw e;
      }
      return reply.redirect(`/channels/${id}`, 303);
    },
  );
}

/** "Social media account" → "social media account"; "WordPress website" and "Bluesky account" keep their names. */
function lowerFirstWordUnlessName(label: string): string {
  return /^(WordPress|Bluesky)\b/.test(label)
    ? label
    : label.charAt(0).toLowerCase() + label.slice(1);
}
