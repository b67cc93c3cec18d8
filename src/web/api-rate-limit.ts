import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientKey } from '../modules/auth/sign-in-throttle.ts';

/**
 * The limit on /api/: at most `perMinute` requests a minute from one client address (an IPv6
 * client by its /64), counted in PostgreSQL by @fastify/rate-limit's store (web/rate-limit-store),
 * so every web process counts the same requests. It runs before the API token is looked up, so
 * guessing tokens is limited too. Beyond it: 429, RFC 9457 problem JSON, with Retry-After.
 * `perMinute` 0 switches it off.
 */
export function apiRateLimit(
  app: FastifyInstance,
  perMinute: number,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const limit =
    perMinute > 0
      ? app.createRateLimit({
          max: perMinute,
          timeWindow: 60_000,
          keyGenerator: (request) => `api ${clientKey(request.ip)}`,
        })
      : undefined;
  return async (request, reply) => {
    if (!limit || !request.url.startsWith('/api/')) return undefined;
    const result = await limit(request);
    if (result.isAllowed || !result.isExceeded) return undefined;
    const seconds = Math.max(1, result.ttlInSeconds);
    return reply
      .status(429)
      .header('retry-after', String(seconds))
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: 'Too many requests',
        status: 429,
        detail: `This client has sent more than ${perMinute} requests in a minute. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
      });
  };
}
