import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { ApiRegistry } from '../../../web/api-registry.ts';
import { staffOf } from '../../../web/principal.ts';
import {
  addableKinds,
  audiences,
  parseChannelForm,
  parseEditForm,
  commentOptions,
} from './accounts.forms.ts';
import { canViewChannels, mayReachChannels } from './accounts.policy.ts';
import type { ChannelView } from './accounts.service.ts';

/** A channel in the API: never its token or secret, only whether one is set, when and by whom. */
const channelSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['news', 'social', 'newsletter', 'webhook', 'wordpress', 'bluesky']),
  name: z.string(),
  platform: z.string().nullable(),
  handle: z.string().nullable(),
  purposeKey: z.string(),
  purposeLabel: z.string(),
  audience: z.string(),
  comments: z.string(),
  moderation: z.string().nullable(),
  custodianId: z.uuid().nullable(),
  custodianName: z.string().nullable(),
  endpointUrl: z
    .string()
    .nullable()
    .meta({ description: 'Webhooks; null unless you manage channels' }),
  credential: z.object({
    set: z.boolean(),
    setAt: z.string().nullable(),
    setByName: z.string().nullable(),
  }),
  maxLength: z.number().int().nullable(),
  maxImages: z.number().int().nullable(),
  active: z.boolean(),
  posters: z.number().int(),
  createdAt: z.string(),
});

function toJson(c: ChannelView): z.input<typeof channelSchema> {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    platform: c.platform,
    handle: c.handle,
    purposeKey: c.purposeKey,
    purposeLabel: c.purposeLabel,
    audience: c.audience,
    comments: c.comments,
    moderation: c.moderation,
    custodianId: c.custodianId,
    custodianName: c.custodianName,
    endpointUrl: c.endpointUrl,
    credential: {
      set: c.credential.set,
      setAt: c.credential.setAt?.toISOString() ?? null,
      setByName: c.credential.setByName,
    },
    maxLength: c.maxLength,
    maxImages: c.maxImages,
    active: c.active,
    posters: c.posters,
    createdAt: c.createdAt.toISOString(),
  };
}

/** What adding a channel takes (never an account password). */
const channelBody = z.object({
  kind: z.enum(addableKinds),
  name: z.string().max(200),
  platform: z.string().max(200).optional(),
  handle: z.string().max(200).optional(),
  purposeKey: z.string().max(100).meta({ description: 'A consent purpose key of the profile' }),
  audience: z.enum(audiences),
  comments: z.enum(commentOptions),
  moderation: z.string().max(1000).optional(),
  custodianId: z.uuid().optional(),
  endpointUrl: z.string().max(4000).optional(),
  credential: z.string().max(4000).optional().meta({
    description: 'An API token, or a webhook’s signing secret; never an account password',
  }),
  category: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'A WordPress site’s category for posts, by its name on the site' }),
  maxLength: z.number().int().optional(),
  maxImages: z.number().int().optional(),
});

/** What changing a channel takes: every editable detail, as on the page (absent: unchanged). */
const channelEditBody = z.object({
  name: z.string().max(200).optional(),
  platform: z.string().max(200).nullable().optional(),
  handle: z.string().max(200).nullable().optional(),
  purposeKey: z.string().max(100).optional(),
  audience: z.enum(audiences).optional(),
  comments: z.enum(commentOptions).optional(),
  moderation: z.string().max(1000).nullable().optional(),
  endpointUrl: z.string().max(4000).nullable().optional().meta({ description: 'Webhooks only' }),
  category: z.string().max(200).nullable().optional().meta({ description: 'WordPress only' }),
  maxLength: z.number().int().nullable().optional(),
  maxImages: z.number().int().nullable().optional(),
});

const idParams = z.object({ id: z.uuid() });

/** The school's channels in the JSON API (and so in the OpenAPI document). */
export function accountsApi(app: FastifyInstance, api: ApiRegistry, services: Services): void {
  api.add(app, {
    method: 'GET',
    url: '/api/v1/channels',
    summary:
      'The school’s channels (news page, social media accounts, newsletter, webhooks): purpose, audience, comments, custodian. Tokens and secrets are never returned',
    access: canViewChannels,
    response: z.object({ channels: z.array(channelSchema) }),
    handler: async ({ principal }) => {
      const { channels } = await services.channelAccounts.list(principal);
      return { channels: channels.map(toJson) };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/channels',
    summary:
      'Add a channel (the profile’s credential custodian and the Headteacher; anyone else gets 404). A webhook needs its signing secret (whsec_…); it is stored encrypted and never returned',
    access: mayReachChannels,
    // Documented as channelBody; read only after the caller is known to manage channels (a
    // refused caller gets the same 404 whatever they send, never a 400 about the body).
    body: channelBody.catch((ctx) => ctx.value as z.output<typeof channelBody>),
    response: channelSchema,
    handler: async ({ principal, body: sent }) => {
      const staff = staffOf(principal);
      if (!(await services.channelAccounts.canManage(staff))) throw new NotFoundError();
      const parsed = channelBody.safeParse(sent ?? {});
      if (!parsed.success) {
        const errors: Record<string, string> = {};
        for (const issue of parsed.error.issues)
          errors[issue.path.join('.') || 'body'] ??= issue.message;
        throw new ValidationError(errors, 'The body is not valid');
      }
      const body = parsed.data;
      if (body.kind === 'webhook' && !body.credential)
        throw new ValidationError(
          { credential: 'Send the webhook’s signing secret (whsec_ followed by base64)' },
          'The body is not valid',
        );
      const form = parseChannelForm({
        ...body,
        maxLength: body.maxLength === undefined ? undefined : String(body.maxLength),
        maxImages: body.maxImages === undefined ? undefined : String(body.maxImages),
      });
      if (!form.ok) throw new ValidationError(form.errors, 'The body is not valid');
      const { channel } = await services.channelAccounts.create(staff, form.value);
      const { channels } = await services.channelAccounts.list(staff);
      return toJson(channels.find((c) => c.id === channel.id)!);
    },
  });

  api.add(app, {
    method: 'PATCH',
    url: '/api/v1/channels/:id',
    summary:
      'Change a channel’s details (the profile’s credential custodian and the Headteacher; anyone else gets 404). Fields left out stay as they are; tokens and custodians have their own pages',
    access: mayReachChannels,
    params: idParams,
    // Documented as channelEditBody; read only after the caller is known to manage channels.
    body: channelEditBody.catch((ctx) => ctx.value as z.output<typeof channelEditBody>),
    response: channelSchema,
    handler: async ({ principal, params, body: sent }) => {
      const staff = staffOf(principal);
      if (!(await services.channelAccounts.canManage(staff))) throw new NotFoundError();
      const row = await services.channelAccounts.get(staff.schoolId, params.id);
      if (!row) throw new NotFoundError();
      const parsed = channelEditBody.safeParse(sent ?? {});
      if (!parsed.success) {
        const errors: Record<string, string> = {};
        for (const issue of parsed.error.issues)
          errors[issue.path.join('.') || 'body'] ??= issue.message;
        throw new ValidationError(errors, 'The body is not valid');
      }
      // The current details with the changes sent, read as the page's form reads them.
      const b = parsed.data;
      const text = (v: string | null | undefined, current: string | null) =>
        v === undefined ? (current ?? '') : (v ?? '');
      const count = (v: number | null | undefined, current: number | null) =>
        v === undefined ? (current === null ? '' : String(current)) : v === null ? '' : String(v);
      const form = parseEditForm(row.kind, {
        name: b.name ?? row.name,
        platform: text(b.platform, row.platform),
        handle: text(b.handle, row.handle),
        purposeKey: b.purposeKey ?? row.purposeKey,
        audience: b.audience ?? row.audience,
        comments: b.comments ?? row.comments,
        moderation: text(b.moderation, row.moderation),
        endpointUrl: text(b.endpointUrl, row.endpointUrl),
        category: text(b.category, row.category),
        maxLength: count(b.maxLength, row.maxLength),
        maxImages: count(b.maxImages, row.maxImages),
      });
      if (!form.ok) throw new ValidationError(form.errors, 'The body is not valid');
      await services.channelAccounts.update(staff, params.id, form.value);
      const { channels } = await services.channelAccounts.list(staff);
      const channel = channels.find((c) => c.id === params.id);
      if (!channel) throw new NotFoundError();
      return toJson(channel);
    },
  });
}
