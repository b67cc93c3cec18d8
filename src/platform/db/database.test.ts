import net from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Database, isDatabaseUnavailable } from './database.ts';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('isDatabaseUnavailable', () => {
  it('recognises a real refused connection, directly and wrapped as Drizzle wraps it', async () => {
    const port = await closedPort();
    const database = new Database(`postgres://lanyard@127.0.0.1:${port}/lanyard`);
    const error = await database.pool.query('SELECT 1').catch((e: unknown) => e);
    await database.close();
    expect(isDatabaseUnavailable(error)).toBe(true);
    const wrapped = new Error('Failed query: SELECT 1\nparams: ', { cause: error });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    expect(await database.ping()).toBe(false);
  });

  it('recognises PostgreSQL shutting down, crashed, starting up, and a dropped connection', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001'])
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), code).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    const aggregate = new AggregateError(
      [Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })],
      '',
    );
    expect(isDatabaseUnavailable(aggregate)).toBe(true);
  });

  it('does not mistake a bad query or a broken rule for an outage', () => {
    expect(
      isDatabaseUnavailable(
        Object.assign(new pg.DatabaseError('dup', 0, 'error'), { code: '23505' }),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new Error('Something else'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isDatabaseUnavailable(loop)).toBe(false);
  });
});
