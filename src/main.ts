import type { FastifyInstance } from 'fastify';
import { ConflictError, ValidationError } from './errors.ts';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createPlatform, createServices } from './container.ts';
import { buildApp } from './app.ts';
import { jobHandlers, jobNames, jobSchedules } from './container.ts';
import { DataFolderLockedError, leaveSignalsToCaller } from './platform/db/embedded.ts';
import { MissingJobHandlerError } from './platform/jobs/queue.ts';
import { isAddressInUse, PortInUseError } from './platform/ports.ts';
import { isDatabaseUnavailable } from './platform/db/database.ts';
import { advertiseServer } from './platform/server-file.ts';
import { seedDemoSchool, demoCredentials, printDemoCredentials } from './demo/seed.ts';
import { serializeError } from './platform/logger.ts';

export type ProcessRole = 'all' | 'web' | 'worker';

function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** Runs Lanyard: web, worker or both in one process (the default for `npm start`). */
export async function runServer(role: ProcessRole, config: Config = loadConfig()): Promise<void> {
  const started = performance.now();
  const platform = await createPlatform(config, { supervise: role !== 'web', log: say });
  const services = createServices(platform);
  let app: FastifyInstance | undefined;
  let stopping = false;
  const closeFirst: (() => void)[] = [];

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: finishing requests and jobs, then stopping.`);
    const force = setTimeout(() => {
      say('Shutdown took too long; exiting.');
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      for (const close of closeFirst) close(); // CLI commands no longer attach to this process
      if (app) await app.close(); // stop accepting, wait for requests in flight
      await platform.close(); // jobs (graceful), pool, mail, embedded PostgreSQL, lock
      say('Stopped cleanly.');
      process.exit(0);
    } catch (error) {
      say(`Error while stopping: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  leaveSignalsToCaller(); // this process stops the embedded PostgreSQL itself, last
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const handlers = jobHandlers(services);
    const missing = jobNames.filter((n) => typeof handlers[n] !== 'function');
    if (missing.length > 0)
      throw new MissingJobHandlerError(`No handler registered for job(s): ${missing.join(', ')}`);

    // Uploads a crash interrupted: batches committed just before it get their files moved into
    // place, then the temporary files of processes that are gone are removed (not an hour later).
    const recovered = await services.media.recoverUploads();
    const swept = await services.files.sweepAbandonedTemp();
    if (recovered.batches > 0 || swept > 0)
      say(
        `Recovered ${recovered.batches} interrupted upload(s); removed ${swept} temporary file(s) left by a stopped process.`,
      );

    let seeded = false;
    if (config.demoSeed && role !== 'worker') seeded = await seedDemoSchool(services);

    if (role !== 'web' && config.jobs) {
      await platform.jobs.work(handlers);
      // Imports a killed process left half-way resume now, not when their job expires.
      const resumed = await services.imports.resumeInterrupted();
      if (resumed.previews + resumed.commits > 0)
        say(`Resumed ${resumed.commits + resumed.previews} interrupted pupil import(s).`);
      const consents = await services.consentImports.resumeInterrupted();
      if (consents.previews + consents.commits > 0)
        say(`Resumed ${consents.commits + consents.previews} interrupted consent import(s).`);
      const attendance = await services.trainingImports.resumeInterrupted();
      if (attendance.previews + attendance.commits > 0)
        say(
          `Resumed ${attendance.commits + attendance.previews} interrupted attendance import(s).`,
        );
      const staffLists = await services.staffImports.resumeInterrupted();
      if (staffLists.previews + staffLists.commits > 0)
        say(`Resumed ${staffLists.commits + staffLists.previews} interrupted staff import(s).`);
      for (const s of jobSchedules) await platform.jobs.schedule(s.name, s.cron, {});
    }
    if (role !== 'worker') {
      app = await buildApp(services, config);
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (error) {
        if (isAddressInUse(error)) throw new PortInUseError('PORT', config.port, 'the web server');
        throw error;
      }
    }
    // CLI commands on this data folder attach to this process's database and mail sink.
    const unadvertise = advertiseServer(config.dataDir, {
      role,
      embeddedPgPort: platform.embedded?.port,
      smtpSinkUrl: platform.mailSink?.url,
      baseUrl: app ? config.baseUrl : undefined,
    });
    closeFirst.push(unadvertise);
    const ms = Math.round(performance.now() - started);
    say(
      `Lanyard (${role}) is ready in ${ms} ms${platform.embedded ? ' on the embedded PostgreSQL in ' + config.dataDir : ''}.`,
    );
    if (app) say(`Open ${config.baseUrl}`);
    if (config.demoSeed && role !== 'worker') {
      if (seeded) say('Seeded the demo school.');
      printDemoCredentials(say, demoCredentials);
    }
    if (process.send) process.send({ ready: true, ms });
  } catch (error) {
    for (const close of closeFirst) close();
    await app?.close().catch(() => undefined);
    await platform.close().catch(() => undefined);
    throw error;
  }
}

/** "DrizzleQueryError, DatabaseError 23505 (staff_email_key)": never the message. */
function describeError(error: unknown): string {
  const outer = serializeError(error);
  const cause = outer.cause as { message?: string; constraint?: string } | undefined;
  const inner = cause?.message ? `, ${cause.message}` : '';
  return `${outer.message}${inner}${cause?.constraint ? ` (${cause.constraint})` : ''}`;
}

function loadConfigQuietly(): Config | undefined {
  try {
    return loadConfig();
  } catch {
    return undefined;
  }
}

export function explainStartupError(error: unknown): string {
  if (error instanceof ValidationError) return Object.values(error.fieldErrors).join('\n');
  if (
    error instanceof ConflictError ||
    error instanceof DataFolderLockedError ||
    error instanceof ConfigError ||
    error instanceof MissingJobHandlerError ||
    error instanceof PortInUseError
  ) {
    return error.message;
  }
  const e = error as NodeJS.ErrnoException;
  // Every port Lanyard binds is wrapped in PortInUseError naming its setting; this is a fallback.
  if (e?.code === 'EADDRINUSE') return `A port is already in use: ${e.message}.`;
  if (isDatabaseUnavailable(error))
    return (
      `Lanyard cannot reach its database (${describeError(error)}). ` +
      (loadConfigQuietly()?.databaseUrl
        ? 'Check that the PostgreSQL server in DATABASE_URL is running and reachable.'
        : 'Start Lanyard again: it starts its embedded PostgreSQL (EMBEDDED_PG_PORT) itself.')
    );
  // A failed query's message holds its parameters (names, email addresses): class and code only.
  const query = error instanceof Error && /Query|Database/.test(error.constructor.name);
  const pg = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (query || typeof pg === 'string')
    return `Lanyard could not start: a database query failed (${describeError(error)}).`;
  return `Lanyard could not start: ${e?.message ?? String(error)}`;
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  const role = (process.argv[2] ?? 'all') as ProcessRole;
  if (!['all', 'web', 'worker'].includes(role)) {
    say('Usage: main.ts [all|web|worker]');
    process.exit(2);
  }
  runServer(role).catch((error: unknown) => {
    process.stderr.write(`${explainStartupError(error)}\n`);
    process.exit(1);
  });
}
