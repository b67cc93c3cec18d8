import type { LoadedSession } from '../modules/auth/auth.service.ts';
import type { Principal } from '../modules/auth/principal.ts';

/**
 * Every route declares who may reach it (`config.access`); a route without one fails at start-up
 * (deny by default). A function is a named policy from a module's *.policy.ts.
 *  - 'public': anyone, signed in or not.
 *  - 'signed-in': anyone signed in, even before their second factor (sign-out).
 *  - 'second-factor': a signed-in person who still has to verify or set up their second factor.
 *  - (p) => boolean: signed in, second factor done, and the policy says yes; otherwise 404.
 */
export type Access = 'public' | 'signed-in' | 'second-factor' | ((principal: Principal) => boolean);

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** A public page that sets its own Cache-Control (revalidated by ETag), not no-store. */
    publicCache?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    lanyardSession: LoadedSession | null;
    viaApiToken: boolean;
  }
  interface FastifyReply {
    /** This response's script nonce for the Content Security Policy (src/app.ts). */
    cspNonce: string;
    /** Renders a page in the layout and sends it (as bytes: src/app.ts). */
    page(template: string, data?: Record<string, unknown>): Promise<FastifyReply>;
  }
}

export const signedIn = (_p: Principal): boolean => true;
