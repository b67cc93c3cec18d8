import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import type { Principal } from '../auth/index.ts';
import { canManageTraining, canViewTraining } from './training.policy.ts';
import { attendanceApiBody, idParams } from './training.forms.ts';

function staffSchool(p: Principal): string {
  if (p.kind !== 'staff') throw new NotFoundError();
  return p.schoolId;
}

const sessionSchema = z.object({
  id: z.uuid(),
  kind: z.string().meta({ description: 'The profile’s training kind (training.sessions.*)' }),
  audience: z.enum(['staff', 'pupils', 'parents']),
  className: z.string().nullable(),
  title: z.string(),
  startsAt: z.string(),
  place: z.string(),
  trainer: z.string(),
  capacity: z.number().nullable(),
});

/** Training in the JSON API: the sessions list and the register. */
export function trainingApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  api.add(app, {
    method: 'GET',
    url: '/api/v1/training/sessions',
    summary: 'The school’s training sessions from a year ago to a year ahead, soonest first',
    access: canViewTraining,
    response: z.object({ sessions: z.array(sessionSchema) }),
    handler: async ({ principal }) => {
      const sessions = await services.training.sessionsAround(staffSchool(principal));
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          kind: s.kind,
          audience: s.audience as 'staff' | 'pupils' | 'parents',
          className: s.className,
          title: s.title,
          startsAt: s.startsAt.toISOString(),
          place: s.place,
          trainer: s.trainer,
          capacity: s.capacity,
        })),
      };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/training/sessions/:id/attendance',
    summary:
      'Records the register of a staff session: the people listed attended, everyone else expected did not. At a staff induction session, anyone who has not acknowledged the current policy version is refused (422) while the profile says so (training.inductionNeedsAcknowledgement)',
    access: canManageTraining,
    params: idParams,
    body: attendanceApiBody,
    response: z.object({ attended: z.number(), absent: z.number() }),
    // Another school's session is a 404 before the body is looked at.
    authorise: async ({ principal, params }) => {
      await services.training.getSession(staffSchool(principal), params.id);
    },
    handler: async ({ principal, params, body }) => {
      const schoolId = staffSchool(principal);
      return services.training.recordAttendance(
        schoolId,
        { kind: 'staff', id: principal.kind === 'staff' ? principal.id : null },
        params.id,
        body.attended,
      );
    },
  });
}
