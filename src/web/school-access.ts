import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../modules/auth/principal.ts';
import type { Services } from '../modules/registry.ts';
import { lingerThenClose } from './uploads.ts';

/**
 * A route's second access check, for rules the school's profile decides (e.g. "the consent
 * record keeper it names, by role or by responsibility"): asked with the principal after
 * `config.access` has let them in, still in `onRequest`, so before any of the body is read.
 * It must answer from kept per-school reads (`Database.cachedRead`, checked against the school's
 * cache version), as it runs on every request to the route. False is a 404, like `access`.
 */
export type SchoolAccess = (services: Services, principal: Principal) => Promise<boolean>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's check that needs the school's data (web/school-access.ts). */
    schoolAccess?: SchoolAccess;
  }
}

/**
 * Applies `config.schoolAccess` to the routes of the plugin it is called in (app.ts checks
 * `config.access` only): an `onRequest` hook, so it runs after the app's own access check and
 * before the body is parsed (preParsing, preValidation). A refusal answers exactly as the app's
 * access check does: 404 (problem JSON on /api/), the rest of the body thrown away as it arrives.
 */
export function schoolAccessGate(app: FastifyInstance, services: Services): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const check = request.routeOptions.config.schoolAccess;
    if (!check || reply.sent) return;
    const principal = request.principal;
    // The app's access check has already refused anyone not signed in (or with a second
    // factor still to enter); a route with a school check is never public.
    if (principal && principal.kind !== 'org_admin' && (await check(services, principal))) return;
    lingerThenClose(request, reply);
    if (request.url.startsWith('/api/'))
      return reply
        .status(404)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Not found', status: 404 });
    if (principal && principal.kind !== 'org_admin')
      (request as unknown as { schoolName: string }).schoolName = await services.people.schoolName(
        principal.schoolId,
      );
    return reply.status(404).page('errors/not-found.njk');
  });
}
