import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { conciseLogStream, loggerOptions, serializeError, throttled } from './logger.ts';

describe('serializeError', () => {
  it('keeps class, PostgreSQL code and constraint, drops messages, details and parameters', () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      constraint: 'staff_email_key',
      table: 'staff',
      detail: 'Key (email)=(zoe.obrien@family.example) already exists.',
    });
    class DrizzleQueryError extends Error {
      constructor(
        readonly query: string,
        readonly params: unknown[],
        override readonly cause: unknown,
      ) {
        super(`Failed query: ${query}\nparams: ${params.join(',')}`);
      }
    }
    const wrapped = new DrizzleQueryError(
      'insert into staff (email) values ($1)',
      ['zoe.obrien@family.example'],
      pg,
    );
    const out = serializeError(wrapped);
    const text = JSON.stringify(out);
    expect(out.type).toBe('DrizzleQueryError');
    expect(out.cause).toMatchObject({
      code: '23505',
      constraint: 'staff_email_key',
      table: 'staff',
    });
    expect(text).not.toContain('zoe');
    expect(text).not.toContain('Failed query');
    expect(text).not.toContain('already exists');
    expect(out.stack).toMatch(/^\s+at /);
  });
});

/** Feeds real pino output (Fastify's request log shape) through the development formatter. */
function formatted(write: (log: pino.Logger) => void): string[] {
  const lines: string[] = [];
  const stream = conciseLogStream({ write: (t: string) => lines.push(t) });
  const options = loggerOptions('info', 'production') as pino.LoggerOptions;
  const log = pino(options, stream);
  write(log);
  return lines.join('').split('\n').filter(Boolean);
}

const request = (route: string, id = 'req-1') => ({
  id,
  method: 'GET',
  url: `${route.replace(':id', '42')}?token=secret-token`,
  routeOptions: { url: route },
});

describe('the development log', () => {
  it('writes one short line per request: time, method, route pattern, status, duration', () => {
    const lines = formatted((log) => {
      const child = log.child({ reqId: 'req-1' });
      child.info({ req: request('/pupils/:id') }, 'incoming request');
      child.info({ res: { statusCode: 200 }, responseTime: 12.4 }, 'request completed');
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d GET \/pupils\/:id 200 12 ms$/);
    expect(lines.join()).not.toContain('secret-token');
    expect(lines.join()).not.toContain('/pupils/42');
  });

  it('leaves out static files and health checks unless they fail', () => {
    const lines = formatted((log) => {
      const a = log.child({ reqId: 'a' });
      a.info({ req: request('/assets/*', 'a') }, 'incoming request');
      a.info({ res: { statusCode: 200 }, responseTime: 1 }, 'request completed');
      const b = log.child({ reqId: 'b' });
      b.info({ req: request('/healthz', 'b') }, 'incoming request');
      b.info({ res: { statusCode: 200 }, responseTime: 1 }, 'request completed');
      const c = log.child({ reqId: 'c' });
      c.info({ req: request('/readyz', 'c') }, 'incoming request');
      c.info({ res: { statusCode: 503 }, responseTime: 2 }, 'request completed');
    });
    expect(lines).toEqual([expect.stringMatching(/ GET \/readyz 503 2 ms$/)]);
  });

  it('writes other messages with their level and the error class and code, never its message', () => {
    const lines = formatted((log) => {
      const error = Object.assign(new Error('duplicate key value (email)=(ann@example.com)'), {
        code: '23505',
      });
      log.error({ err: error }, 'request failed');
      log.warn('database unavailable');
    });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d ERROR request failed \(Error 23505\)$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN database unavailable$/);
    expect(lines.join()).not.toContain('ann@example.com');
  });

  it('is JSON, one object per line, outside development', () => {
    expect('stream' in (loggerOptions('info', 'production') as object)).toBe(false);
    expect('stream' in (loggerOptions('info', 'development') as object)).toBe(true);
  });
});

describe('throttled', () => {
  it('passes each message once a window, then says how many were held back', () => {
    let t = 0;
    const out: string[] = [];
    const report = throttled(
      (m) => out.push(m),
      60_000,
      () => t,
    );
    for (let i = 0; i < 30; i++) {
      report('job queue error: Error ECONNREFUSED');
      t += 2_000; // pg-boss polls every 2 s
    }
    report('job queue error: DatabaseError 57P03');
    expect(out).toEqual([
      'job queue error: Error ECONNREFUSED',
      'job queue error: DatabaseError 57P03',
    ]);
    report('job queue error: Error ECONNREFUSED');
    expect(out[2]).toBe(
      'job queue error: Error ECONNREFUSED (and 29 more like it in the last 60 s)',
    );
  });
});
