import net from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { explainStartupError } from './main.ts';
import { PortInUseError } from './platform/ports.ts';

describe('explainStartupError', () => {
  it('names the setting whose port clashed, not PORT for every clash', () => {
    const sink = explainStartupError(
      new PortInUseError('SMTP_SINK_PORT', 2525, 'the development mail sink'),
    );
    expect(sink).toBe(
      'Port 2525 for the development mail sink is already in use (another program, or another ' +
        'Lanyard, is listening on it). Stop that program or set SMTP_SINK_PORT to a free port.',
    );
    const raw = Object.assign(new Error('listen EADDRINUSE: address already in use :::2525'), {
      code: 'EADDRINUSE',
    });
    expect(explainStartupError(raw)).not.toContain('PORT');
  });

  it('says the database cannot be reached, with its code and not the connection string', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const client = new pg.Client(`postgres://lanyard:s3cret-password@127.0.0.1:${port}/lanyard`);
    const error = await client.connect().catch((e: unknown) => e);
    const message = explainStartupError(error);
    expect(message).toMatch(/^Lanyard cannot reach its database \(Error ECONNREFUSED\)\./);
    expect(message).not.toContain('s3cret');
  });
});
