import type { FastifyServerOptions } from 'fastify';

/** PostgreSQL error fields that name things, never values (pg's `detail`, `where` hold values). */
const PG_NAME_FIELDS = ['code', 'constraint', 'table', 'column', 'schema', 'routine'] as const;

/**
 * The one serializer for every logged error: its class, code and the stack frames, never its
 * message. Messages carry values: a failed Drizzle query's message holds the SQL parameters
 * (search text, email addresses, pupils' names) and pg's `detail` the row. Causes are followed
 * (Drizzle wraps the pg error), so the PostgreSQL code and constraint name are kept.
 */
export function serializeError(
  error: unknown,
  depth = 0,
): { [key: string]: unknown; type: string; message: string; stack: string } {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null))
    return { type: typeof error, message: typeof error, stack: '' };
  const e = error as Error & Record<string, unknown>;
  const type =
    e.constructor?.name && e.constructor.name !== 'Object' ? e.constructor.name : 'Error';
  const out: { [key: string]: unknown; type: string; message: string; stack: string } = {
    type,
    // Not the error's own message (it may hold values): its class and code.
    message: typeof e.code === 'string' ? `${type} ${e.code}` : type,
    stack: '',
  };
  if (typeof e.name === 'string' && e.name !== out.type) out.name = e.name;
  for (const field of PG_NAME_FIELDS) {
    const v = e[field];
    if (typeof v === 'string' || typeof v === 'number') out[field] = v;
  }
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (typeof e.stack === 'string') {
    const frames = e.stack.split('\n').filter((line) => /^\s+at /.test(line));
    out.stack = frames.slice(0, 15).join('\n');
  }
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

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
      err: serializeError,
      error: serializeError,
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
