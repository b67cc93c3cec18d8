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
import { checkForm, exceptionForm, provisionForm } from './filtering/filtering.forms.ts';
import type {
  CheckRow,
  ExceptionRow,
  FilteringSchedule,
  ProvisionRow,
} from './filtering/filtering.service.ts';

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

const provisionSchema = z.object({
  id: z.string(),
  filteringProvider: z.string(),
  monitoringProvider: z.string(),
  blockedCategories: z.array(z.string()),
  alertRecipients: z.string(),
  notes: z.string(),
  recordedAt: z.string(),
});
const provisionOut = (r: ProvisionRow) => ({
  id: r.id,
  filteringProvider: r.filteringProvider,
  monitoringProvider: r.monitoringProvider,
  blockedCategories: r.blockedCategories,
  alertRecipients: r.alertRecipients,
  notes: r.notes,
  recordedAt: r.recordedAt.toISOString(),
});
const exceptionSchema = z.object({
  id: z.string(),
  description: z.string(),
  permissionId: z.string().nullable(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  recordedAt: z.string(),
});
const exceptionOut = (r: ExceptionRow) => ({
  id: r.id,
  description: r.description,
  permissionId: r.permissionId,
  startsOn: r.startsOn,
  endsOn: r.endsOn,
  recordedAt: r.recordedAt.toISOString(),
});
const checkSchema = z.object({
  id: z.string(),
  kind: z.enum(['check', 'review']),
  checkedOn: z.string(),
  outcome: z.enum(['working', 'problems_found']),
  findings: z.string(),
  actions: z.string(),
  recordedAt: z.string(),
});
const checkOut = (r: CheckRow) => ({
  id: r.id,
  kind: r.kind as 'check' | 'review',
  checkedOn: r.checkedOn,
  outcome: r.outcome as 'working' | 'problems_found',
  findings: r.findings,
  actions: r.actions,
  recordedAt: r.recordedAt.toISOString(),
});
const scheduleSchema = z.object({
  lastCheckOn: z.string().nullable(),
  lastReviewOn: z.string().nullable(),
  nextCheckDue: z.string(),
  nextReviewDue: z.string(),
  checkOverdue: z.boolean(),
  reviewOverdue: z.boolean(),
  checkEveryDays: z.number(),
  reviewEveryDays: z.number(),
});
const scheduleOut = (s: FilteringSchedule) => ({ ...s });

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
      await declarations.responder(principal, params.id);
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
    summary: 'A step in a permission’s trail: ICT sign-off, grant, refuse or withdraw',
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

  // Filtering and monitoring records (the profile's ICT role records; the Headteacher and the
  // DSL read). The same service calls as the pages: anyone else gets a 404 before a 400.
  const filtering = services.conductFiltering;
  const recorderOnly = async (principal: Parameters<typeof filtering.mayRecord>[0]) => {
    if (!(await filtering.mayRecord(principal))) throw new NotFoundError();
  };

  api.add(app, {
    method: 'GET',
    url: '/api/v1/conduct/filtering',
    summary:
      'The school’s filtering and monitoring records: the provision, exceptions, checks and reviews, and when the next are due',
    access: canUseConduct,
    response: z.object({
      provision: provisionSchema.nullable(),
      exceptions: z.array(exceptionSchema),
      checks: z.array(checkSchema),
      schedule: scheduleSchema,
    }),
    handler: async ({ principal }) => {
      const o = await filtering.overview(principal);
      return {
        provision: o.provision ? provisionOut(o.provision) : null,
        exceptions: o.exceptions.map(exceptionOut),
        checks: o.checks.map(checkOut),
        schedule: scheduleOut(o.schedule),
      };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/filtering/provision',
    summary: 'Record the filtering and monitoring provision (a new row; the newest is current)',
    access: canUseConduct,
    body: provisionForm.partial(),
    response: provisionSchema,
    handler: async ({ principal, body }) => {
      await recorderOnly(principal);
      return provisionOut(await filtering.recordProvision(principal, strict(provisionForm, body)));
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/filtering/exceptions',
    summary: 'Record an exception to the filtering, on the granted permission that allowed it',
    access: canUseConduct,
    body: z.object({
      description: z.string().optional(),
      permissionId: z.string().optional(),
      startsOn: z.string().optional(),
      endsOn: z.string().optional(),
    }),
    response: exceptionSchema,
    handler: async ({ principal, body }) => {
      await recorderOnly(principal);
      return exceptionOut(
        await apiFields(() => filtering.addException(principal, strict(exceptionForm, body))),
      );
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/conduct/filtering/checks',
    summary: 'Record a check that filtering and monitoring work, or the annual review',
    access: canUseConduct,
    body: z.object({
      kind: z.string().optional(),
      checkedOn: z.string().optional(),
      outcome: z.string().optional(),
      findings: z.string().optional(),
      actions: z.string().optional(),
    }),
    response: checkSchema,
    handler: async ({ principal, body }) => {
      await recorderOnly(principal);
      return checkOut(
        await apiFields(() => filtering.addCheck(principal, strict(checkForm, body))),
      );
    },
  });
}

/**
 * The filtering service names a date's error by the page's first date field (`checkedOn-day`);
 * the API's body has one field (`checkedOn`), so its problem JSON names that.
 */
async function apiFields<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const errors: Record<string, string> = {};
    for (const [k, v] of Object.entries(error.fieldErrors)) errors[k.replace(/-day$/, '')] = v;
    throw new ValidationError(errors, error.message);
  }
}

/** The full rules for a body read loosely: a ValidationError (problem JSON, 400) if not met. */
function strict<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path.join('.') || 'body'] ??= issue.message;
  throw new ValidationError(errors, 'The body is not valid');
}
