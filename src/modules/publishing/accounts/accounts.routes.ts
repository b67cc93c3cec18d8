import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { parseForm } from '../../../web/forms.ts';
import { formRoute } from '../../../web/form-route.ts';
import { readDateInput } from '../../../web/date-input.ts';
import { staffOf } from '../../../web/principal.ts';
import { formatDateInWords, formatDateTimeInWords } from '../../../web/dates.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { canEditSchoolDetails } from '../../people/index.ts';
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
  editableFields,
  parseEditForm,
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
    const [{ channels, canManage }, custodian, handlesTakedowns] = await Promise.all([
      accounts.list(principal),
      accounts.custodianRule(principal.schoolId),
      // The takedowns page, for whoever handles takedowns (the Headteacher, the custodian role,
      // anyone who keeps an account): reachable when nothing is due, too.
      services.takedowns.viewer(principal).then(
        () => true,
        () => false,
      ),
    ]);
    return reply.page('publishing/accounts/views/list.njk', {
      title: 'The school’s channels',
      channels,
      canManage,
      handlesTakedowns,
      canEditSchoolDetails: canEditSchoolDetails(principal),
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

  /** Only the manager may act; anyone else gets a 404, before the answers are read. */
  const mayManage = async ({ who }: { who: StaffPrincipal }) => {
    if (!(await accounts.canManage(who))) throw new NotFoundError();
  };
  const kindOf = (body: unknown) =>
    kindQuery.parse({ kind: ((body ?? {}) as Record<string, unknown>).kind }).kind;
  /** The generated signing secret, shown once on this answer only (never in a redirect, a cookie or a log). */
  const secretOnce = (reply: FastifyReply, channel: unknown, secret: string) =>
    reply.page('publishing/accounts/views/secret-once.njk', {
      title: 'Copy the signing secret now',
      channel,
      secret,
    });

  formRoute(app, '/channels', {
    access: mayReachChannels,
    who: staffOf,
    authorise: mayManage,
    // First the kind (the details asked depend on it), then the details.
    form: (body: unknown) => {
      const kind = kindOf(body);
      if (!kind) return { ok: false, errors: { kind: 'Select the kind of channel' } };
      return parseChannelForm(body);
    },
    act: ({ who, value }) => accounts.create(who, value),
    done: ({ channel, generatedSecret }) => {
      if (generatedSecret)
        return { page: (reply: FastifyReply) => secretOnce(reply, channel, generatedSecret) };
      return {
        redirect: `/channels/${channel.id}`,
        flash: `${channel.name} is added to the school’s channels.`,
      };
    },
    render: (reply, { who, values, errors, request }) =>
      renderNew(reply, who, kindOf(request.body), values, errors),
  });

  // ----- One channel -------------------------------------------------------------------------

  const renderDetail = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    id: string,
    errors?: FieldErrors,
  ) => {
    const detail = await accounts.detail(principal, id);
    const [custodian, staff, health] = await Promise.all([
      accounts.custodianRule(principal.schoolId),
      detail.canManage ? accounts.staffOptions(principal) : Promise.resolve([]),
      // The adapter's health, waited for 2 seconds at most and kept a few minutes.
      accounts
        .get(principal.schoolId, id)
        .then((row) => (row ? services.channelHealth.check(row) : null)),
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
      ...(health
        ? [
            row(
              'Connection',
              `${health.ok ? 'Connected' : `Not reachable: ${health.sentence}`} (checked ${formatDateTimeInWords(health.checkedAt)})`,
            ),
          ]
        : []),
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

  /** The channel's page again, with the message beside the field (`refusal`: for a 409). */
  const detailAgain =
    (refusal?: string) =>
    (
      reply: FastifyReply,
      { who, params, errors }: { who: StaffPrincipal; params: { id: string }; errors: FieldErrors },
    ) =>
      renderDetail(
        reply,
        who,
        params.id,
        refusal && reply.statusCode === 409 ? { [refusal]: errors._form! } : errors,
      );

  formRoute(app, '/channels/:id/credential', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    authorise: mayManage,
    form: credentialForm,
    act: ({ who, params, value }) => accounts.setCredential(who, params.id, value.credential),
    done: ({ generatedSecret }, { who, params }) => {
      if (generatedSecret)
        return {
          page: async (reply: FastifyReply) =>
            secretOnce(reply, await accounts.get(who.schoolId, params.id), generatedSecret),
        };
      return {
        redirect: `/channels/${params.id}`,
        flash: 'The new token is saved. The old one no longer works in Lanyard.',
      };
    },
    render: detailAgain(),
  });

  formRoute(app, '/channels/:id/posters', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    authorise: mayManage,
    form: posterForm,
    act: ({ who, params, value }) => accounts.addPoster(who, params.id, value.staffId),
    done: (name, { params }) => ({
      redirect: `/channels/${params.id}`,
      flash: `${name} may now post to this channel.`,
    }),
    render: detailAgain(),
  });

  formRoute(app, '/channels/:id/posters/remove', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    authorise: mayManage,
    form: posterForm,
    act: ({ who, params, value }) => accounts.removePoster(who, params.id, value.staffId),
    done: (_, { params }) => ({
      redirect: `/channels/${params.id}`,
      flash: 'They may no longer post to this channel.',
    }),
    render: (reply, { who, params, errors }) =>
      renderDetail(reply, who, params.id, {
        posters: reply.statusCode === 409 ? errors._form! : 'Select who may no longer post',
      }),
  });

  formRoute(app, '/channels/:id/deactivate', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    authorise: mayManage,
    form: deactivateForm,
    act: ({ who, params }) => accounts.setActive(who, params.id, false),
    done: (channel, { params }) => ({
      redirect: `/channels/${params.id}`,
      flash: `${channel.name} is no longer used. New posts cannot go to it.`,
    }),
    render: detailAgain('stop'),
  });

  formRoute(app, '/channels/:id/reactivate', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    authorise: mayManage,
    form: z.object({}),
    act: ({ who, params }) => accounts.setActive(who, params.id, true),
    done: (channel, { params }) => ({
      redirect: `/channels/${params.id}`,
      flash: `${channel.name} is in use again.`,
    }),
    render: detailAgain('reactivate'),
  });

  // ----- Changing a channel's details ------------------------------------------------------

  const renderEdit = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    id: string,
    values: Record<string, unknown> | null,
    errors?: FieldErrors,
  ) => {
    const [detail, purposes, row] = await Promise.all([
      accounts.detail(principal, id),
      accounts.purposes(principal.schoolId),
      accounts.get(principal.schoolId, id),
    ]);
    const shown: Record<string, unknown> = values ?? {
      name: detail.name,
      platform: detail.platform,
      handle: detail.handle,
      endpointUrl: detail.endpointUrl,
      category: row?.category ?? null,
      purposeKey: detail.purposeKey,
      audience: detail.audience,
      comments: detail.comments,
      moderation: detail.moderation,
      maxLength: detail.maxLength === null ? '' : String(detail.maxLength),
      maxImages: detail.maxImages === null ? '' : String(detail.maxImages),
    };
    return reply.page('publishing/accounts/views/edit.njk', {
      title: `Change the details of ${detail.name}`,
      channel: detail,
      labels,
      fields: editableFields[detail.kind] ?? [],
      values: shown,
      purposeItems: purposes.map((x) => ({
        value: x.key,
        text: x.label,
        checked: shown.purposeKey === x.key,
      })),
      audienceItems: audiences.map((a) => ({
        value: a,
        text: audienceLabels[a],
        checked: shown.audience === a,
      })),
      commentItems: commentOptions.map((c) => ({
        value: c,
        text: commentLabels[c],
        checked: shown.comments === c,
      })),
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/channels/:id/edit',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const principal = await manager(request.principal);
      return renderEdit(reply, principal, channelId(request.params), null);
    },
  );

  formRoute(app, '/channels/:id/edit', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    // The manager, and the channel (its kind decides which fields are asked, never the answers).
    authorise: async ({ who, params }) => {
      await mayManage({ who });
      const row = await accounts.get(who.schoolId, params.id);
      if (!row) throw new NotFoundError();
      return row;
    },
    form: (body: unknown, _request: unknown, found: { kind: string }) =>
      parseEditForm(found.kind, body),
    act: ({ who, params, value }) => accounts.update(who, params.id, value),
    done: ({ channel, changed }, { params }) => ({
      redirect: `/channels/${params.id}`,
      flash: changed.length ? `The details of ${channel.name} are saved.` : 'Nothing was changed.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderEdit(reply, who, params.id, values, errors),
  });

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

  formRoute(app, '/channels/:id/handover', {
    access: mayReachChannels,
    who: staffOf,
    params: idParams,
    authorise: mayManage,
    // The fields and the GOV.UK date input, every problem at once.
    form: (body: unknown) => {
      const answers = (body ?? {}) as Record<string, unknown>;
      const form = parseForm(handoverForm, answers);
      const date = readDateInput(answers, 'on', 'the date of the hand-over');
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      if ('error' in date) errors['on-day'] = date.error;
      if (!form.ok || 'error' in date) return { ok: false, errors, values: answers };
      return { ok: true, value: { ...form.value, on: date.value } };
    },
    act: ({ who, params, value }) => accounts.handOver(who, params.id, value),
    done: ({ toName }, { params }) => ({
      redirect: `/channels/${params.id}`,
      flash: `The hand-over to ${toName} is recorded. ${toName} now keeps the credentials.`,
    }),
    render: (reply, { who, params, values, errors }) =>
      renderHandover(reply, who, params.id, values, errors),
  });
}

/** "Social media account" → "social media account"; "WordPress website" and "Bluesky account" keep their names. */
function lowerFirstWordUnlessName(label: string): string {
  return /^(WordPress|Bluesky)\b/.test(label)
    ? label
    : label.charAt(0).toLowerCase() + label.slice(1);
}
