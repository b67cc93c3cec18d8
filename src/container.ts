import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import { Database } from './platform/db/database.ts';
import {
  DataFolderLockedError,
  lockDataFolder,
  runningEmbeddedUrl,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from './platform/db/embedded.ts';
import { runMigrations } from './platform/db/migrate.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { SecretBox } from './platform/crypto.ts';
import { SmtpMailer, type Mailer } from './platform/mail/mailer.ts';
import { OnDemandSinkMailer, SmtpSink } from './platform/mail/smtp-sink.ts';
import { findRunningServer, type RunningServer } from './platform/server-file.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { LocalFileStore } from './platform/files/file-store.ts';
import { ImageProcessor } from './platform/images/image-processor.ts';
import { BlazeFaceDetector, type FaceDetector } from './platform/faces/face-detector.ts';
import { serializeError, throttled } from './platform/logger.ts';
import { Metrics } from './platform/metrics.ts';
import type { Principal } from './modules/auth/principal.ts';
import { READ_TTL_MS } from './modules/people/index.ts';
import type {
  AttentionItem,
  Core,
  JobRegistry,
  ModuleDefinition,
  Services,
} from './modules/registry.ts';
import { eventsModule } from './modules/events/events.module.ts';
import { auditModule } from './modules/audit/audit.module.ts';
import { policiesModule } from './modules/policies/policies.module.ts';
import { authModule } from './modules/auth/auth.module.ts';
import { peopleModule } from './modules/people/people.module.ts';
import { devicesModule } from './modules/devices/devices.module.ts';
import { consentModule } from './modules/consent/consent.module.ts';
import { mediaModule } from './modules/media/media.module.ts';
import { conductModule } from './modules/conduct/conduct.module.ts';
import { dashboardModule } from './modules/dashboard/dashboard.module.ts';
import { publishingModule } from './modules/publishing/publishing.module.ts';
import { incidentsModule } from './modules/incidents/incidents.module.ts';
import { acknowledgementsModule } from './modules/acknowledgements/acknowledgements.module.ts';
import { trainingModule } from './modules/training/training.module.ts';
import { subjectAccessModule } from './modules/subject-access/subject-access.module.ts';
import { lifecycleModule } from './modules/lifecycle/lifecycle.module.ts';
import { complianceModule } from './modules/compliance/compliance.module.ts';
import { reportsModule } from './modules/reports/reports.module.ts';

import type { Jobs } from './modules/registry.ts';

export type { Jobs, Services } from './modules/registry.ts';

/** The technology every module is given (`Core`), and what started it. */
export interface Platform extends Omit<Core, 'attention'> {
  embedded: EmbeddedServer | undefined;
  /** CLI commands: the running server this process attached to (its database and mail sink). */
  attachedTo: RunningServer | undefined;
  /** Stops everything the platform started, in order. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Run pg-boss maintenance and cron (the worker role); web-only processes only send jobs. */
  supervise: boolean;
  clock?: Clock;
  /** Use this SMTP sink (tests) instead of starting one. */
  mailSink?: SmtpSink;
  log?: (message: string) => void;
  /**
   * CLI commands: when a Lanyard server runs on this data folder, use its embedded PostgreSQL and
   * its development mail sink (see platform/server-file.ts) instead of starting (or refusing to
   * start) their own; without a server and without SMTP_URL, mail goes to a sink on a free port
   * started only if a message is sent. Never starts job supervision (see `supervise`).
   */
  attachToRunningServer?: boolean;
  /** Use this face detector (tests) instead of BlazeFace. */
  faces?: FaceDetector;
}

/** Starts the technology: database (embedded unless DATABASE_URL), migrations, mail, jobs. */
export async function createPlatform(config: Config, options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => undefined);
  const closers: (() => Promise<void> | void)[] = [];
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  const attachedTo = options.attachToRunningServer ? findRunningServer(config.dataDir) : undefined;
  try {
    if (!url && attachedTo?.embeddedPgPort) {
      url = runningEmbeddedUrl(config.dataDir, attachedTo.embeddedPgPort);
    } else if (!url) {
      try {
        const release = lockDataFolder(config.dataDir);
        closers.push(release);
        embedded = await startEmbeddedPostgres({
          dataDir: config.dataDir,
          port: config.embeddedPgPort,
          // A server restarts its database if it dies; a CLI command just fails.
          supervise: !options.attachToRunningServer,
          report: log,
        });
        closers.push(() => embedded!.stop());
        url = embedded.url;
      } catch (error) {
        if (!(error instanceof DataFolderLockedError) || !options.attachToRunningServer)
          throw error;
        // A server still starting up holds the folder but has not written its file yet.
        url = runningEmbeddedUrl(config.dataDir, config.embeddedPgPort);
      }
    }
    await runMigrations(url);
    const database = new Database(url, { max: 20 });
    closers.push(() => database.close());

    let mailSink = options.mailSink;
    let mailer: Mailer;
    if (config.smtpUrl) {
      mailer = new SmtpMailer(config.smtpUrl, config.mailFrom);
    } else if (mailSink) {
      mailer = new SmtpMailer(mailSink.url, config.mailFrom);
    } else if (attachedTo?.smtpSinkUrl) {
      // Beside a running server: its sink, so the mail shows on its outbox page.
      mailer = new SmtpMailer(attachedTo.smtpSinkUrl, config.mailFrom);
    } else if (options.attachToRunningServer) {
      mailer = new OnDemandSinkMailer(config.mailFrom, log);
    } else {
      mailSink = new SmtpSink();
      await mailSink.start(config.smtpSinkPort, 'SMTP_SINK_PORT');
      const sink = mailSink;
      closers.push(() => sink.stop());
      log(`Development mail sink listening on ${sink.url}`);
      mailer = new SmtpMailer(mailSink.url, config.mailFrom);
    }
    closers.push(() => mailer.close());

    const jobErrors = throttled(log, 60_000);
    const metrics = new Metrics();
    // Every process's jobs, from the shared queue (a separate worker has no /metrics of its own).
    metrics.watchJobStates(async () => {
      const { rows } = await database.pool.query<{ name: string; state: string; count: number }>(
        'SELECT name, state::text AS state, count(*)::int AS count FROM pgboss.job GROUP BY 1, 2',
      );
      return rows;
    });
    const jobs: Jobs = new JobQueue<JobRegistry>(url, jobNames, {
      supervise: options.supervise,
      schedule: options.supervise,
      // Class and code only: a failed query's message carries its parameters.
      // While the database is away every poll fails: one line a minute per kind of error.
      onError: (e) => jobErrors(`job queue error: ${serializeError(e).message}`),
      // A failed job: its name, id, the request that enqueued it and the error's class/code.
      onJob: (run) => {
        metrics.observeJob(run);
        if (run.outcome === 'failed')
          log(
            `job failed: ${run.name} ${run.id}${run.requestId ? ` (request ${run.requestId})` : ''}: ${run.error ?? 'Error'}`,
          );
      },
    });
    await jobs.start();
    closers.push(() => jobs.stop());

    if (config.dataDir) fs.mkdirSync(path.join(config.dataDir, 'files'), { recursive: true });

    const images = new ImageProcessor();
    return {
      config,
      database,
      clock: options.clock ?? systemClock,
      mailer,
      mailSink,
      jobs,
      metrics,
      secretBox: new SecretBox(config.sessionSecret),
      files: LocalFileStore.inDataDir(config.dataDir),
      images,
      // Scaling the pyramid with sharp costs ~25 ms per 12 MP photo; plain JavaScript ~140 ms.
      faces:
        options.faces ??
        new BlazeFaceDetector({ resize: (img, w, h) => images.resizeRaw(img, w, h) }),
      embedded,
      attachedTo,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    throw error;
  }
}

/**
 * The modules, in the order they are wired (a module's `wire` may use the services of those
 * before it; audit and policies use people lazily). Adding a module: its folder, and one line
 * here (docs/architecture.md, "Adding a module").
 */
export const modules = [
  eventsModule,
  auditModule,
  policiesModule,
  peopleModule,
  authModule,
  devicesModule,
  consentModule,
  mediaModule,
  conductModule,
  publishingModule,
  incidentsModule,
  acknowledgementsModule,
  trainingModule,
  subjectAccessModule,
  lifecycleModule,
  complianceModule,
  reportsModule,
  dashboardModule,
] as const satisfies readonly ModuleDefinition[];

const moduleList: readonly ModuleDefinition[] = modules;

/** Every job name of every module (the queue creates one pg-boss queue each). */
export const jobNames = moduleList.flatMap((m) =>
  Object.keys(m.jobs ?? {}),
) as (keyof JobRegistry)[];

/** The periodic jobs (cron, UK time), from the modules' job definitions. */
export const jobSchedules = moduleList.flatMap((m) =>
  Object.entries(m.jobs ?? {}).flatMap(([name, job]) =>
    job?.cron ? [{ name: name as keyof JobRegistry, cron: job.cron }] : [],
  ),
);

export type JobHandlers = {
  [N in keyof JobRegistry]: (data: JobRegistry[N], jobId: string) => Promise<void>;
};

/** Every module's job handlers, bound to the services. */
export function jobHandlers(services: Services): JobHandlers {
  const handlers: Record<string, (data: never, jobId: string) => Promise<void>> = {};
  for (const module of moduleList) {
    for (const [name, job] of Object.entries(module.jobs ?? {})) {
      if (!job) continue;
      if (handlers[name]) throw new Error(`Two modules define the job ${name}`);
      const run = job.run as (s: Services, data: unknown, jobId: string) => Promise<void>;
      handlers[name] = (data, jobId) => run(services, data, jobId);
    }
  }
  return handlers as unknown as JobHandlers;
}

// Every job in the registry has a definition in some module's `<name>.jobs.ts`: if one has not,
// this line fails to compile and the error names it.
type DefinedJobs = (typeof modules)[number] extends infer M
  ? M extends { jobs: infer J }
    ? keyof J
    : never
  : never;
type UndefinedJobs = Exclude<keyof JobRegistry, DefinedJobs>;
export const everyJobDefined: [UndefinedJobs] extends [never]
  ? true
  : { undefined: UndefinedJobs } = true;

/**
 * Wires every module's services, in the list's order, each from what it names. A module that
 * uses a service not built yet fails here, at start-up, naming both.
 */
export function createServices(
  platform: Platform,
  list: readonly ModuleDefinition[] = moduleList,
): Services {
  const built: Record<string, unknown> = {
    config: platform.config,
    database: platform.database,
    clock: platform.clock,
    mailer: platform.mailer,
    mailSink: platform.mailSink,
    jobs: platform.jobs,
    metrics: platform.metrics,
    secretBox: platform.secretBox,
    files: platform.files,
    images: platform.images,
    faces: platform.faces,
  };
  let wiring = '';
  const services = new Proxy(built, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target) && wiring)
        throw new Error(
          `Module ${wiring} uses "${key}" before it is wired: put the module that provides it earlier in the list in src/container.ts`,
        );
      return target[key as string];
    },
  }) as unknown as Services;
  const attentionOf = async (p: Principal) => {
    const items: AttentionItem[] = [];
    for (const m of list) if (m.attention) items.push(...(await m.attention(services, p)));
    return items;
  };
  // The home page's items, kept per person and checked against the school's cache version (ADR
  // 0018 addendum): every table a module's `attention` reads bumps it (migration 0022 and later),
  // so a change made anywhere shows on the next home page. The key holds the person's roles and
  // the clock's minute, so items that depend on the date or time (a step overdue, a filtering
  // check due) are never more than a minute behind the clock, nor 5 s behind the database.
  built.attention = (p: Principal) =>
    p.kind === 'org_admin'
      ? attentionOf(p)
      : platform.database.cachedPersonalRead(
          `attention:${p.schoolId}:${p.kind}:${p.id}:${p.kind === 'staff' ? [...p.roles].sort().join(',') : ''}:${Math.floor(platform.clock.now().getTime() / 60_000)}`,
          READ_TTL_MS,
          () => attentionOf(p),
          p.schoolId,
        );
  for (const module of list) {
    wiring = module.name;
    const provided = module.wire(services);
    wiring = '';
    for (const [key, value] of Object.entries(provided)) {
      if (key in built) throw new Error(`Module ${module.name} provides "${key}" twice`);
      built[key] = value;
    }
  }
  // Routes and jobs get the plain object (the checks above are for wiring only).
  return built as unknown as Services;
}
