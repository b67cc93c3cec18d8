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
import { jobNames, type JobPayloads } from './jobs.ts';
import { AuditRepository } from './modules/audit/audit.repository.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { AuditCheckpoints } from './modules/audit/audit-checkpoints.ts';
import { AuthRepository } from './modules/auth/auth.repository.ts';
import { AuthService } from './modules/auth/auth.service.ts';
import { PeopleRepository } from './modules/people/people.repository.ts';
import { PeopleService } from './modules/people/people.service.ts';
import { ImportRepository } from './modules/people/import.repository.ts';
import { ImportService } from './modules/people/import.service.ts';
import { PolicyRepository } from './modules/policies/policies.repository.ts';
import { PolicyService } from './modules/policies/policies.service.ts';
import { DashboardService } from './modules/dashboard/dashboard.service.ts';
import { LocalFileStore, type FileStore } from './platform/files/file-store.ts';
import { ImageProcessor } from './platform/images/image-processor.ts';
import { ScanSanitiser } from './platform/images/scan-sanitiser.ts';
import { UploadSlotsRepository } from './modules/media/upload-slots.repository.ts';
import { UploadSlotsService } from './modules/media/upload-slots.service.ts';
import { BlazeFaceDetector, type FaceDetector } from './platform/faces/face-detector.ts';
import { DevicesRepository } from './modules/devices/devices.repository.ts';
import { DevicesService } from './modules/devices/devices.service.ts';
import { MediaRepository } from './modules/media/media.repository.ts';
import { MediaService } from './modules/media/media.service.ts';
import { EventsRepository } from './modules/events/events.repository.ts';
import { EventsService } from './modules/events/events.service.ts';
import { ConsentRepository } from './modules/consent/consent.repository.ts';
import { ConsentService } from './modules/consent/consent.service.ts';
import { ConsentRegisterCache } from './modules/consent/consent-register-cache.ts';
import { ConsentImportRepository } from './modules/consent/consent-import.repository.ts';
import { ConsentImportService } from './modules/consent/consent-import.service.ts';
import { ConsentCampaignRepository } from './modules/consent/consent-campaign.repository.ts';
import { ConsentCampaignService } from './modules/consent/consent-campaign.service.ts';
import { ConsentFormRepository } from './modules/consent/consent-form.repository.ts';
import { ConsentFormService } from './modules/consent/consent-form.service.ts';
import { ConsentReportsRepository } from './modules/consent/consent-reports.repository.ts';
import { ConsentReportsService } from './modules/consent/consent-reports.service.ts';
import { StaffClassesRepository } from './modules/people/staff-classes.repository.ts';
import { StaffClassesService } from './modules/people/staff-classes.service.ts';
import { serializeError, throttled } from './platform/logger.ts';
import { Metrics } from './platform/metrics.ts';

export type Jobs = JobQueue<JobPayloads>;

export interface Platform {
  config: Config;
  database: Database;
  clock: Clock;
  mailer: Mailer;
  mailSink: SmtpSink | undefined;
  jobs: Jobs;
  /** Prometheus metrics of this process (served at /metrics when METRICS_TOKEN is set). */
  metrics: Metrics;
  secretBox: SecretBox;
  /** Where uploaded files live (local disk under DATA_DIR/files by default). */
  files: FileStore;
  /** Every image operation (the only user of sharp). */
  images: ImageProcessor;
  /** Finds faces in photos (BlazeFace over an image pyramid). */
  faces: FaceDetector;
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
    const jobs: Jobs = new JobQueue<JobPayloads>(url, jobNames, {
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

export interface Repositories {
  audit: AuditRepository;
  auth: AuthRepository;
  people: PeopleRepository;
  imports: ImportRepository;
  policies: PolicyRepository;
  events: EventsRepository;
  consent: ConsentRepository;
  consentImports: ConsentImportRepository;
  consentCampaigns: ConsentCampaignRepository;
  consentForm: ConsentFormRepository;
  consentReports: ConsentReportsRepository;
  staffClasses: StaffClassesRepository;
  devices: DevicesRepository;
  media: MediaRepository;
}

export function createRepositories(): Repositories {
  return {
    audit: new AuditRepository(),
    auth: new AuthRepository(),
    people: new PeopleRepository(),
    imports: new ImportRepository(),
    policies: new PolicyRepository(),
    events: new EventsRepository(),
    consent: new ConsentRepository(),
    consentImports: new ConsentImportRepository(),
    consentCampaigns: new ConsentCampaignRepository(),
    consentForm: new ConsentFormRepository(),
    consentReports: new ConsentReportsRepository(),
    staffClasses: new StaffClassesRepository(),
    devices: new DevicesRepository(),
    media: new MediaRepository(),
  };
}

export interface Services {
  config: Config;
  database: Database;
  clock: Clock;
  jobs: Jobs;
  metrics: Metrics;
  mailSink: SmtpSink | undefined;
  audit: AuditService;
  auth: AuthService;
  people: PeopleService;
  imports: ImportService;
  policies: PolicyService;
  dashboard: DashboardService;
  events: EventsService;
  consent: ConsentService;
  consentImports: ConsentImportService;
  consentCampaigns: ConsentCampaignService;
  consentForm: ConsentFormService;
  consentReports: ConsentReportsService;
  staffClasses: StaffClassesService;
  devices: DevicesService;
  media: MediaService;
  /** The file store: uploads stream into its temporary files (web/uploads.ts). */
  files: FileStore;
  /** Uploads running now, per person, counted across processes (web/uploads.ts). */
  uploadSlots: UploadSlotsService;
}

/** Wires every service by hand; each constructor takes only what it uses. */
export function createServices(
  platform: Platform,
  repos: Repositories = createRepositories(),
): Services {
  const { config, database, clock, mailer, jobs } = platform;
  const audit: AuditService = new AuditService({
    database,
    repository: repos.audit,
    clock,
    checkpoints: new AuditCheckpoints(platform.files, config.sessionSecret),
    names: (schoolId, ids) => people.displayNames(schoolId, ids),
  });
  const auth = new AuthService({
    database,
    repository: repos.auth,
    people: repos.people,
    audit,
    clock,
    mailer,
    secretBox: platform.secretBox,
    jobs,
    config: {
      sessionTtlHours: config.sessionTtlHours,
      linkTtlMinutes: config.linkTtlMinutes,
      loginMaxAttempts: config.loginMaxAttempts,
      baseUrl: config.baseUrl,
    },
  });
  const policies = new PolicyService({
    database,
    repository: repos.policies,
    people: repos.people,
    audit,
    clock,
    mailer,
    baseUrl: config.baseUrl,
  });
  const people = new PeopleService({
    database,
    repository: repos.people,
    staffClasses: repos.staffClasses,
    audit,
    clock,
    policies,
    jobs,
  });
  const imports = new ImportService({
    database,
    repository: repos.imports,
    audit,
    clock,
    jobs,
    filesDir: path.join(config.dataDir, 'imports'),
  });
  const events = new EventsService({ database, repository: repos.events, clock });
  const consentCache = new ConsentRegisterCache(config.consentCachePupils);
  platform.metrics.watchCache('consent-register', () => consentCache.stats);
  const consent = new ConsentService({
    database,
    repository: repos.consent,
    audit,
    events,
    policies,
    clock,
    files: platform.files,
    scans: new ScanSanitiser(platform.images),
    evidenceMaxBytes: config.uploadMaxBytes,
    cache: consentCache,
  });
  const consentForm = new ConsentFormService({
    database,
    repository: repos.consentForm,
    consentRepository: repos.consent,
    consent,
    people,
    policies,
    auth,
    audit,
    mailer,
    clock,
    baseUrl: config.baseUrl,
    jobs,
  });
  const staffClasses = new StaffClassesService({
    database,
    repository: repos.staffClasses,
    audit,
    clock,
  });
  const consentReports = new ConsentReportsService({
    database,
    repository: repos.consentReports,
    consent,
    staffClasses,
    clock,
  });
  const devices = new DevicesService({
    database,
    repository: repos.devices,
    audit,
    clock,
    policies,
  });
  const media = new MediaService({
    database,
    repository: repos.media,
    audit,
    clock,
    jobs,
    files: platform.files,
    images: platform.images,
    faces: platform.faces,
    policies,
    devices,
    people: repos.people,
    consent,
    uploadMaxBytes: config.uploadMaxBytes,
  });
  const consentImports = new ConsentImportService({
    database,
    repository: repos.consentImports,
    consent,
    audit,
    clock,
  });
  const consentCampaigns = new ConsentCampaignService({
    database,
    repository: repos.consentCampaigns,
    consent,
    forms: consentForm,
    audit,
    clock,
  });
  const dashboard = new DashboardService({
    database,
    people: repos.people,
    imports: repos.imports,
    policies,
    consent,
    media,
    devices,
    consentCampaigns,
    staffClasses,
    clock,
  });
  return {
    config,
    database,
    clock,
    jobs,
    metrics: platform.metrics,
    mailSink: platform.mailSink,
    audit,
    auth,
    people,
    imports,
    policies,
    dashboard,
    events,
    consent,
    consentForm,
    consentReports,
    staffClasses,
    devices,
    media,
    consentImports,
    consentCampaigns,
    files: platform.files,
    uploadSlots: new UploadSlotsService({ database, repository: new UploadSlotsRepository() }),
  };
}
