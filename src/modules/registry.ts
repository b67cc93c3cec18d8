import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../platform/db/database.ts';
import type { Clock } from '../platform/clock.ts';
import type { SecretBox } from '../platform/crypto.ts';
import type { Mailer } from '../platform/mail/mailer.ts';
import type { SmtpSink } from '../platform/mail/smtp-sink.ts';
import type { JobQueue } from '../platform/jobs/queue.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { FileStore } from '../platform/files/file-store.ts';
import type { ImageProcessor } from '../platform/images/image-processor.ts';
import type { FaceDetector } from '../platform/faces/face-detector.ts';
import type { ApiRegistry } from '../web/api-registry.ts';
import type { Principal } from './auth/principal.ts';

/**
 * How a module plugs into Lanyard (docs/architecture.md, "Adding a module").
 *
 * Each `modules/<name>/<name>.module.ts` exports one `ModuleDefinition`; the composition root
 * (`src/container.ts`) builds the app from the list of them, by hand, in order. A module adds its
 * services to `ServiceRegistry` and its jobs to `JobRegistry` by declaration merging, from its
 * own folder:
 *
 *     declare module '../registry.ts' {
 *       interface ServiceRegistry { devices: DevicesService }
 *     }
 *
 * so this file imports no module and no module imports the composition root: there is no cycle
 * between the job registry, the services and the container.
 */

/** Every module's services, by name (each module adds its own; see above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServiceRegistry {}

/** Every job's name and payload (each module adds its own in `<name>.jobs.ts`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobRegistry {}

/** The job queue, typed by every module's jobs. */
export type Jobs = JobQueue<JobRegistry>;

/** What the platform gives every module: technology, never another module's code. */
export interface Core {
  config: Config;
  database: Database;
  clock: Clock;
  mailer: Mailer;
  /** The development mail sink, when this process started one (the outbox page). */
  mailSink: SmtpSink | undefined;
  jobs: Jobs;
  /** Prometheus metrics of this process (served at /metrics when METRICS_TOKEN is set). */
  metrics: Metrics;
  secretBox: SecretBox;
  /** Where uploaded files live (local disk under DATA_DIR/files by default). */
  files: FileStore;
  /** Every image operation (the only user of sharp). */
  images: ImageProcessor;
  /** Finds faces in photos. */
  faces: FaceDetector;
  /** What every module puts on this person's home page (built from the module list). */
  attention(p: Principal): Promise<AttentionItem[]>;
}

/** Everything a route, a job or another module's `wire` can be given. */
export type Services = Core & ServiceRegistry;

/** A Fastify plugin of a module's pages (registered with the services and the configuration). */
export type ModuleRoutes = (
  app: FastifyInstance,
  options: { services: Services; config: Config },
) => Promise<void>;

/** A module's JSON API routes, described once in the shared OpenAPI registry. */
export type ModuleApi = (
  app: FastifyInstance,
  api: ApiRegistry,
  services: Services,
  config: Config,
) => void;

/** One job: what runs it, and its schedule if it is periodic (cron, UK time). */
export interface JobDefinition<N extends keyof JobRegistry> {
  run(services: Services, data: JobRegistry[N], jobId: string): Promise<void>;
  cron?: string;
}

export type JobDefinitions = { [N in keyof JobRegistry]?: JobDefinition<N> };

/**
 * The sections of the service navigation, in the order the top bar shows them (after Home). Their
 * names and words are in `src/web/navigation.ts` (`navigationSections`).
 */
export type NavigationSection =
  | 'pupils-and-families'
  | 'consent'
  | 'posts-and-photos'
  | 'safeguarding'
  | 'staff'
  | 'policy-and-reports';

/**
 * An entry of the service navigation, shown to whoever `visible` admits. The top bar shows its
 * section; a section with one entry this person can open links straight to the entry, one with
 * several to the section's page, which lists them with their descriptions.
 */
export interface NavigationEntry {
  href: string;
  text: string;
  /** Which section of the top bar it belongs to. */
  section: NavigationSection;
  /** One sentence, plain English: what is there (shown under the link on the section's page). */
  description: string;
  /** Position within its section (lower first). */
  order: number;
  visible(p: Principal): boolean;
  /**
   * For an entry the school's profile decides (e.g. the governors' report, shown to governors
   * only when `review.governorsMonitoringReport` says so): asked before a page is rendered, only
   * for those `visible` admits; the entry shows if it answers true. Keep it a kept read (checked
   * against the school's cache version), as every page asks it.
   */
  shownBy?(services: Services, p: Principal): Promise<boolean>;
}

/** Something on a person's home page that needs them. */
export interface AttentionItem {
  title: string;
  detail: string;
  href: string;
  tag: { text: string; colour: 'red' | 'orange' | 'blue' | 'grey' };
}

export interface ModuleDefinition {
  /** The folder's name. */
  name: string;
  /**
   * Builds the module's services from what it names in its parameter's type (a `Pick` of
   * `Services`). Modules are wired in the list's order; using a service that is not built yet
   * is a start-up error naming both modules. A service may be used lazily (inside a function
   * called later), which is how two modules that need each other are wired.
   */
  wire(deps: Services): Partial<ServiceRegistry>;
  /** Page routes (Fastify plugins); each route declares its access (ADR 0003). */
  routes?: readonly ModuleRoutes[];
  /** JSON API routes under /api/v1. */
  api?: readonly ModuleApi[];
  /** Background jobs, with schedules (defined in `<name>.jobs.ts`). */
  jobs?: JobDefinitions;
  navigation?: readonly NavigationEntry[];
  /** What this module puts on a person's home page ("needs your attention"). */
  attention?(services: Services, p: Principal): Promise<AttentionItem[]>;
}

/** Identity, for type checking a module's definition where it is written. */
export function defineModule<const D extends ModuleDefinition>(definition: D): D {
  return definition;
}

/** Identity, for type checking a module's jobs where they are written. */
export function defineJobs<J extends JobDefinitions>(jobs: J): J {
  return jobs;
}
