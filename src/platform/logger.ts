import type { FastifyServerOptions } from 'fastify';

/**
 * Pino options shared by the web server, workers and CLI. Request logs carry method, route and
 * status only: no query strings (sign-in tokens), bodies, cookies or personal data.
 */
export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        '*.password',
        '*.token',
        '*.email',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { method: string; routeOptions?: { url?: string }; url: string; id: string }) {
        return {
          id: req.id,
          method: req.method,
          route: req.routeOptions?.url ?? req.url.split('?')[0],
        };
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode };
      },
    },
  };
}
