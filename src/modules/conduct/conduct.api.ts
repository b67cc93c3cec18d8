import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { permissionTypeKeys } from '../policies/index.ts';
import { canUseConduct } from './conduct.policy.ts';
import {
  declarationKinds,
  friendRequestForm,
  onlinePresenceForm,
  reviewForm,
  socialContactForm,
} from './declarations/declarations.forms.ts';
import type { DeclarationRow } from './declarations/declarations.service.ts';
import { requestPermissionForm } from './permissions/permissions.forms.ts';
import type { PermissionRow } from './permissions/permissions.service.ts';
import { permissionStatuses } from './permissions/permission-states.ts';

const idParams = z.object({ id: z.uuid() });

const decisionBody = z
  .object({
    decision: z.enum(['signed_off', 'sign_off_refused', 'granted', 'refused', 'withdrawn'], {
      error: 'Select the decision',
    }),
    reason: z.string().trim().max(2000).optional().default(''),
  })
  .superRefine((v, ctx) => {
    if ((v.decision === 'refused' || v.decision === 'sign_off_refused') && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Say why it is refused' });
  });

const declarationSchema = z.object({
  id: z.string(),
  kind: z.enum(declarationKinds),
  platform: z.string().nullable(),
  subjectKind: z.string().nullable(),
  actionTaken: z.string().nullable(),
  details: z.string(),
  declaredAt: z.string(),
  status: z.enum(['awaiting_review', 'reviewed']),
  response: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});
const declarationOut = (d: DeclarationRow) => ({
  id: d.id,
  kind: d.kind as (typeof declarationKinds)[number],
  platform: d.platform,
  subjectKind: d.subjectKind,
  actionTaken: d.actionTaken,
  details: d.details,
  declaredAt: d.declaredAt.toISOString(),
  status: d.status as 'awaiting_review' | 'reviewed',
  response: d.response,
  reviewedAt: d.reviewedAt?.toISOString() ?? null,
});

const permissionSchema = z.object({
  id: z.string(),
  type: z.enum(permissionTypeKeys),
  reason: z.string(),
  status: z.enum(permissionStatuses),
  requestedAt: z.string(),
  grantedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
const permissionOut = (p: PermissionRow) => ({
  id: p.id,
  type: p.type as (typeof permissionTypeKeys)[number],
  reason: p.reason,
  status: p.status as (typeof permissionStatuses)[number],
  requestedAt: p.requestedAt.toISOString(),
  grantedAt: p.grantedAt?.toISOString() ?? null,
  expiresAt: p.expiresAt?.toISOString() ?? null,
});

const declarationBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('friend_request'), value: friendRequestForm }),
  z.object({ kind: z.literal('social_contact'), value: socialContactForm }),
  z.object({ kind: z.literal('online_presence'), value: onlinePresenceForm }),
]);

/**
 * Declarations and permissions in the JSON API: make and list one's own, and decide (the
 * reviewer, the decider, the ICT role: the same rules as the pages, from the profile).
 */
export function conductApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  const declarations = services.conductDeclarations;
  const permissions = services.conductPermissions;

  api.add(app, {
    method: 'GET',
    url: '/api/v1/conduct/declarations',
    summary:
      'Your own declarations (the reviewer: add ?all=true for every declaration of the school)',
    access: canUseConduct,
    query: z.object({ all: z.enum(['true', 'false']).optional() }),
    response: z.object({ declarations: z.array(declarationSchema) }),
    handler: async ({ principal, query }) => {
      const rows =
        query.all === 'true'
          ? (await declarations.listForReview(principal)).rows
          : await declarations.listOwn(principal);
      return { declarations: rows.map(declarationOut) };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/declarations',
    summary: 'Make a declaration (only the kinds the school’s policy asks for)',
    access: canUseConduct,
    body: declarationBody,
    response: declarationSchema,
    handler: async ({ principal, body }) =>
      declarationOut(await declarations.declare(principal, body)),
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/declarations/:id/review',
    summary: 'The reviewer’s response to a declaration',
    access: canUseConduct,
    params: idParams,
    // Read loosely, checked once the reviewer is known to see it (404 before any 400).
    body: reviewForm.partial(),
    response: declarationSchema,
    handler: async ({ principal, params, body }) => {
      if (!(await declarations.isReviewer(principal))) throw new NotFoundError();
      await declarations.view(principal, params.id);
      const { response } = strict(reviewForm, body);
      await declarations.review(principal, params.id, response);
      return declarationOut((await declarations.view(principal, params.id)).declaration);
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/conduct/permissions',
    summary: 'Your own permission requests, and whether each is held now',
    access: canUseConduct,
    response: z.object({
      permissions: z.array(permissionSchema.extend({ held: z.boolean() })),
    }),
    handler: async ({ principal }) => ({
      permissions: (await permissions.listOwn(principal)).map((p) => ({
        ...permissionOut(p),
        held: p.held,
      })),
    }),
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/permissions',
    summary: 'Ask for a permission (the kinds, deciders and sign-offs are the school’s policy)',
    access: canUseConduct,
    body: requestPermissionForm,
    response: permissionSchema,
    handler: async ({ principal, body }) =>
      permissionOut(await permissions.request(principal, body)),
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/permissions/:id/decisions',
    summary: 'A step in a permission’s trail: network sign-off, grant, refuse or withdraw',
    access: canUseConduct,
    params: idParams,
    // Read loosely, checked once the person is known to see the request (404 before any 400).
    body: z.object({
      decision: z
        .enum(['signed_off', 'sign_off_refused', 'granted', 'refused', 'withdrawn'])
        .optional(),
      reason: z.string().max(2000).optional(),
    }),
    response: permissionSchema,
    handler: async ({ principal, params, body }) => {
      await permissions.view(principal, params.id);
      const { decision, reason } = strict(decisionBody, body);
      return permissionOut(await permissions.decide(principal, params.id, decision, reason));
    },
  });
}

/** The full rules for a body read loosely: a ValidationError (problem JSON, 400) if not met. */
function strict<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path.join('.') || 'body'] ??= issue.message;
  throw new ValidationError(errors, 'The body is not valid');
}
