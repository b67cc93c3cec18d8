import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../platform/metrics.ts';
import { runInRequest } from '../platform/request-context.ts';

/** Compares the Bearer token with the configured one in constant time (hashes of equal length). */
export function metricsTokenMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b) && given.length > 0;
}

/** The route's pattern (`/pupils/:id`) or `unmatched`: never the URL, its ids or its query. */
function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * Operability, on the root instance (called directly, not registered, so the hooks cover every
 * route): the request id for jobs a request enqueues, a latency histogram per route pattern, and
 * `GET /metrics` in Prometheus text format for a scraper holding METRICS_TOKEN. Without a token
 * configured there is no such route (404); a wrong or missing token is answered the same way.
 */
export function registerOperations(
  app: FastifyInstance,
  metrics: Metrics,
  config: { metricsToken: string | undefined },
): void {
  // Everything the handler awaits runs with the request's id (platform/request-context.ts):
  // entered on arrival (so the session check's cache version is reused by the page's shared
  // reads, ADR 0018) and again before the handler (a body being parsed can lose the context).
  app.addHook('onRequest', (request, _reply, done) => runInRequest(request.id, done));
  app.addHook('preHandler', (request, _reply, done) => runInRequest(request.id, done));

  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/assets/')) return;
    metrics.observeRequest(
      request.method,
      routeLabel(request),
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  const token = config.metricsToken;
  if (!token) return;
  app.get('/metrics', { config: { access: 'public' } }, async (request, reply) => {
    if (!metricsTokenMatches(request.headers.authorization, token)) return reply.callNotFound();
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}
