import type { Principal } from '../modules/auth/principal.ts';
import type { Services } from '../modules/registry.ts';

/**
 * A route's second access check, for rules the school's profile decides (e.g. "the consent
 * record keeper it names, by role or by responsibility"): asked with the principal after
 * `config.access` has let them in, by the same `onRequest` hook in app.ts, so before any of the
 * body is read; a route declaring it is refused (404) to anyone it does not admit, wherever the
 * route is registered.
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
