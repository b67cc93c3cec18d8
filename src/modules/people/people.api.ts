import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import type { Principal } from '../auth/index.ts';
import type { PupilRow } from './people.repository.ts';
import { staffRoles } from '../auth/index.ts';
import { staffOf } from '../../web/principal.ts';
import { pupilApiBody, pupilApiPatch, staffApiBody, staffApiPatch } from './people.forms.ts';
import { canListPupils, canManagePupils, canManageStaff } from './people.policy.ts';

const idParams = z.object({ id: z.uuid() });

export const pupilSchema = z.object({
  id: z.uuid(),
  /** Null for parents and pupils: the school's MIS id is not theirs to see. */
  misId: z.string().nullable(),
  givenName: z.string(),
  familyName: z.string(),
  /** The names the pupil is known by, from the MIS; null when the legal one. */
  preferredGivenName: z.string().nullable(),
  preferredFamilyName: z.string().nullable(),
  dateOfBirth: z.string(),
  yearGroup: z.string(),
  className: z.string().nullable(),
  admissionDate: z.string().nullable(),
  leavingDate: z.string().nullable(),
  possiblyLeft: z.boolean(),
});

export function toPupil(
  p: Pick<
    PupilRow,
    | 'id'
    | 'givenName'
    | 'familyName'
    | 'preferredGivenName'
    | 'preferredFamilyName'
    | 'dateOfBirth'
    | 'yearGroup'
    | 'className'
    | 'admissionDate'
    | 'leavingDate'
    | 'possiblyLeftAt'
  > & { misId: string | null },
) {
  return {
    id: p.id,
    misId: p.misId,
    givenName: p.givenName,
    familyName: p.familyName,
    preferredGivenName: p.preferredGivenName,
    preferredFamilyName: p.preferredFamilyName,
    dateOfBirth: p.dateOfBirth,
    yearGroup: p.yearGroup,
    className: p.className,
    admissionDate: p.admissionDate,
    leavingDate: p.leavingDate,
    possiblyLeft: p.possiblyLeftAt !== null,
  };
}

function schoolOf(p: Principal): string {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

const staffSchema = z.object({
  id: z.uuid(),
  givenName: z.string(),
  familyName: z.string(),
  email: z.string(),
  jobTitle: z.string().nullable(),
  roles: z.array(z.enum(staffRoles)),
  active: z.boolean(),
  startDate: z.string().nullable(),
  leaveDate: z.string().nullable(),
  /** Their line manager (another member of staff of the school), or null. */
  lineManager: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});

function toStaff(s: {
  id: string;
  givenName: string;
  familyName: string;
  email: string;
  jobTitle: string | null;
  roles: string[];
  active: boolean;
  startDate: string | null;
  leaveDate: string | null;
  lineManagerId: string | null;
  lineManagerName?: string | null;
}): z.input<typeof staffSchema> {
  return {
    id: s.id,
    givenName: s.givenName,
    familyName: s.familyName,
    email: s.email,
    jobTitle: s.jobTitle,
    roles: [...s.roles].sort() as z.input<typeof staffSchema>['roles'],
    active: s.active,
    startDate: s.startDate,
    leaveDate: s.leaveDate,
    lineManager: s.lineManagerId
      ? { id: s.lineManagerId, name: s.lineManagerName ?? 'A former member of staff' }
      : null,
  };
}

/**
 * Managing pupils and staff through the JSON API (registered by web/api.ts, so they are in the
 * OpenAPI document): the same PeopleService methods and policy functions as the pages.
 */
export function peopleApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  api.add(app, {
    method: 'GET',
    url: '/api/v1/pupils',
    summary: 'List pupils on roll (search, filter, paginate)',
    access: canListPupils,
    query: z.object({
      q: z.string().max(100).optional(),
      yearGroup: z.string().max(3).optional(),
      className: z.string().max(60).optional(),
      includeLeavers: z.enum(['true', 'false']).optional(),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
    }),
    response: z.object({
      page: z.number(),
      pages: z.number(),
      total: z.number(),
      pupils: z.array(pupilSchema),
    }),
    handler: async ({ principal, query }) => {
      const scope = await services.people.classScope(principal);
      const result = await services.people.listPupils(
        schoolOf(principal),
        {
          q: query.q,
          yearGroup: query.yearGroup,
          className: query.className,
          includeLeavers: query.includeLeavers === 'true',
          classNames: scope ?? undefined,
        },
        query.page,
      );
      return {
        page: result.page,
        pages: result.pages,
        total: result.total,
        pupils: result.rows.map(toPupil),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/pupils/:id',
    summary: 'One pupil (staff who may list pupils, the pupil’s parents, the pupil)',
    access: (p) => p.kind !== 'org_admin',
    params: z.object({ id: z.uuid() }),
    response: pupilSchema.extend({
      parents: z.array(
        z.object({
          id: z.uuid(),
          givenName: z.string(),
          familyName: z.string(),
          relationship: z.string().nullable(),
          parentalResponsibility: z.boolean(),
        }),
      ),
    }),
    handler: async ({ principal, params }) => {
      const record = await services.people.pupilRecord(principal, params.id);
      return {
        ...toPupil(record.pupil),
        parents: record.parents.map((c) => ({
          id: c.id,
          givenName: c.givenName,
          familyName: c.familyName,
          relationship: c.relationship,
          parentalResponsibility: c.parentalResponsibility,
        })),
      };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/pupils',
    summary: 'Add a pupil (Headteacher, DPO, office); without misId Lanyard makes one up',
    access: canManagePupils,
    body: pupilApiBody,
    response: pupilSchema,
    handler: async ({ principal, body }) =>
      toPupil(await services.people.addPupil(staffOf(principal), body)),
  });

  api.add(app, {
    method: 'PATCH',
    url: '/api/v1/pupils/:id',
    summary:
      'Change a pupil: details, or a leaving date (the record and its history are kept); only the fields sent change',
    access: canManagePupils,
    params: idParams,
    body: pupilApiPatch,
    response: pupilSchema,
    handler: async ({ principal, params, body }) =>
      toPupil(await services.people.updatePupil(staffOf(principal), params.id, body)),
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/staff/:id',
    summary: 'One member of staff with their roles (Headteacher, Business Manager)',
    access: canManageStaff,
    params: idParams,
    response: staffSchema,
    handler: async ({ principal, params }) =>
      toStaff(await services.people.staffMember(staffOf(principal).schoolId, params.id)),
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/staff',
    summary:
      'Add a member of staff with roles (Headteacher; Business Manager for roles other than Headteacher, DSL and DPO); they are emailed a link to set their password',
    access: canManageStaff,
    body: staffApiBody,
    response: staffSchema,
    handler: async ({ principal, body }) => {
      const added = await services.people.addStaff(staffOf(principal), body);
      // The invitation email is a job enqueued with the row; this process sends it at once.
      services.auth.deliverQueuedStaffInvitations();
      return toStaff(added);
    },
  });

  api.add(app, {
    method: 'PATCH',
    url: '/api/v1/staff/:id',
    summary:
      'Change a member of staff: details, roles, active (false deactivates, true reactivates), line manager (lineManagerId: another member of staff of the school, or null), or leave date (leaveDate: today or earlier deactivates them; a later date keeps them active until that day; null clears a future one)',
    access: canManageStaff,
    params: idParams,
    body: staffApiPatch,
    response: staffSchema,
    handler: async ({ principal, params, body }) =>
      toStaff(await services.people.updateStaff(staffOf(principal), params.id, body)),
  });
}
