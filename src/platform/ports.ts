import net from 'node:net';

/**
 * A port Lanyard needs is taken. The message names the setting that chose the port, so the
 * person starting Lanyard knows which variable to change (not always PORT).
 */
export class PortInUseError extends Error {
  constructor(
    readonly variable: string,
    readonly port: number,
    what: string,
  ) {
    super(
      `Port ${port} for ${what} is already in use (another program, or another Lanyard, is ` +
        `listening on it). Stop that program or set ${variable} to a free port.`,
    );
  }
}

/** True when the error is a listen/connect failure because the address is taken. */
export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** Rejects with PortInUseError when something already listens on host:port. */
export async function ensurePortFree(
  port: number,
  variable: string,
  what: string,
  host = '127.0.0.1',
): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error) =>
      reject(isAddressInUse(error) ? new PortInUseError(variable, port, what) : error),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}
