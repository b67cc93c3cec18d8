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
 * status only: no query strings (sign-in tokens), bodies, cookies or personal data. In
 * development the lines are short and human (see conciseLogStream); otherwise one JSON object
 * per line, for a log collector.
 */
export function loggerOptions(
  level: string,
  env: 'development' | 'test' | 'production' = 'production',
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(env === 'development' ? { stream: conciseLogStream(process.stdout) } : {}),
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

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Requests not worth a line in development: static files and health checks. */
const QUIET_ROUTES = /^\/(assets\/|healthz$|readyz$)/;

/**
 * Development's log: pino's JSON lines, rewritten as one short line per request
 * (`14:02:07 GET /pupils/:id 200 12 ms`, the route pattern, never the address with its ids or
 * query) and one per message (`14:02:09 WARN database unavailable (DatabaseError 57P01)`), so the
 * start-up banner stays readable. Static files and health checks are not listed unless they fail.
 */
export function conciseLogStream(out: { write(text: string): unknown }): {
  write(line: string): void;
} {
  /** "GET /route" of requests under way, by request id (bounded: an aborted request never completes). */
  const underWay = new Map<string, string>();
  const clock = (ms: unknown) =>
    new Date(typeof ms === 'number' ? ms : Date.now()).toLocaleTimeString('en-GB', {
      hour12: false,
    });
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line.endsWith('\n') ? line : `${line}\n`);
        return;
      }
      const reqId = typeof entry.reqId === 'string' ? entry.reqId : undefined;
      const req = entry.req as { method?: string; route?: string } | undefined;
      if (entry.msg === 'incoming request' && reqId && req) {
        underWay.set(reqId, `${req.method ?? ''} ${req.route ?? ''}`);
        if (underWay.size > 1000) underWay.delete(underWay.keys().next().value!);
        return;
      }
      if (entry.msg === 'request completed' && reqId) {
        const what = underWay.get(reqId) ?? 'request';
        underWay.delete(reqId);
        const status = (entry.res as { statusCode?: number } | undefined)?.statusCode ?? 0;
        if (status < 400 && QUIET_ROUTES.test(what.split(' ')[1] ?? '')) return;
        const ms = typeof entry.responseTime === 'number' ? Math.round(entry.responseTime) : '?';
        out.write(`${clock(entry.time)} ${what} ${status} ${ms} ms\n`);
        return;
      }
      const level = LEVELS[entry.level as number] ?? 'INFO';
      const err = entry.err as
        | { type?: string; code?: string; cause?: { code?: string; cause?: { code?: string } } }
        | undefined;
      const code = err?.code ?? err?.cause?.code ?? err?.cause?.cause?.code;
      const cause = err ? ` (${[err.type, code].filter(Boolean).join(' ')})` : '';
      const where = reqId && underWay.has(reqId) ? ` [${underWay.get(reqId)}]` : '';
      out.write(`${clock(entry.time)} ${level} ${String(entry.msg ?? '')}${cause}${where}\n`);
    },
  };
}

/**
 * Passes each distinct message on at most once per `windowMs`; the next one after a quiet spell
 * says how many were held back. For errors that repeat on every poll (a job queue while the
 * database is away) so they do not bury everything else.
 */
export function throttled(
  report: (message: string) => void,
  windowMs: number,
  now: () => number = () => performance.now(),
): (message: string) => void {
  const last = new Map<string, { at: number; held: number }>();
  return (message) => {
    const t = now();
    const seen = last.get(message);
    if (seen && t - seen.at < windowMs) {
      seen.held++;
      return;
    }
    const held = seen?.held ?? 0;
    if (last.size > 100) last.clear();
    last.set(message, { at: t, held: 0 });
    report(
      held > 0
        ? `${message} (and ${held} more like it in the last ${Math.round(windowMs / 1000)} s)`
        : message,
    );
  };
}
