import { randomNonce } from './platform/crypto.ts';
import path from 'node:path';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { cachingCookieSigner } from './web/cookie-signer.ts';
import fastifyFormbody from '@fastify/formbody';
import helmet from 'helmet';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import nunjucks from 'nunjucks';
import type { Config } from './config.ts';
import type { ModuleDefinition, NavigationEntry, Services } from './modules/registry.ts';
import { modules as allModules } from './container.ts';
import { AppError, ValidationError } from './errors.ts';
import { loggerOptions } from './platform/logger.ts';
import { isDatabaseUnavailable } from './platform/db/database.ts';
import { healthUrls } from './web/health.ts';
import { refuseHostileInput } from './web/hostile-input.ts';
import { postgresRateLimitStore } from './web/rate-limit-store.ts';
import { apiRateLimit } from './web/api-rate-limit.ts';
import { registerOperations } from './web/metrics.routes.ts';
import type { Access } from './web/access.ts';
import type { SchoolAccess } from './web/school-access.ts';
import { configureNunjucks, rootDir, templateDirs } from './web/views.ts';
import { hiddenByProfile, navigationFor } from './web/navigation.ts';
import { sectionRoutes } from './web/navigation.routes.ts';
import {
  lingerThenClose,
  registerUploads,
  uploadFilesAllowed,
  UPLOADS_AT_ONCE_PER_PERSON,
} from './web/uploads.ts';
import { errorList } from './web/forms.ts';
import { SESSION_COOKIE } from './modules/auth/auth.routes.ts';
import { apiRoutes } from './web/api.ts';
import { healthRoutes } from './web/health.ts';
import { devRoutes } from './web/dev.routes.ts';

/** Every route with its declared access, for the authorisation-matrix tests. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    lanyardRoutes: RegisteredRoute[];
  }
}

export function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

function problem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
) {
  return reply
    .status(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra });
}

/** Builds the Fastify instance with every plugin and module; never listens itself. */
export async function buildApp(
  services: Services,
  config: Config,
  options: {
    logStream?: { write(line: string): void };
    /** The modules whose routes, API and navigation this app serves (all of them by default). */
    modules?: readonly ModuleDefinition[];
  } = {},
): Promise<FastifyInstance> {
  const modules: readonly ModuleDefinition[] = options.modules ?? allModules;
  const navigation = modules.flatMap((m) => m.navigation ?? []);
  const trust = config.trustProxy;
  const app = Fastify({
    logger: options.logStream
      ? { ...(loggerOptions(config.logLevel) as object), stream: options.logStream }
      : config.env === 'test'
        ? false
        : loggerOptions(config.logLevel, config.env),
    // The client's address (rate limits, sign-in throttling) is the TCP peer unless TRUST_PROXY
    // names the proxies whose X-Forwarded-For may be believed.
    // A hop count trusts that many proxies nearest to Lanyard, whoever they are (Fastify itself
    // ignores a number): only for a Lanyard that can be reached through its proxies alone.
    trustProxy: typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Deny by default: a route that does not say who may reach it is a start-up error.
  const routes: RegisteredRoute[] = [];
  app.decorate('lanyardRoutes', routes);
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: Access; schoolAccess?: SchoolAccess };
    if (route.url.startsWith('/assets')) {
      route.config = { ...config, access: 'public' };
      return;
    }
    if (!config.access)
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access policy`);
    // The school's check is asked only after a role check has let someone in (below).
    if (config.schoolAccess && typeof config.access !== 'function')
      throw new Error(
        `Route ${String(route.method)} ${route.url} has a school access check without a role check`,
      );
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, access: config.access });
    }
  });

  // Security headers, built once (helmet's middleware on the raw response of every request;
  // @fastify/helmet rebuilt it on every request, about 0.1 ms each). The Content Security Policy
  // is written here in full: only scripts and styles from Lanyard itself, plus the one inline
  // script GOV.UK Frontend's page template carries (it marks the page as having JavaScript),
  // allowed by a nonce made afresh for each request.
  const securityHeaders = helmet({
    contentSecurityPolicy: false,
    strictTransportSecurity: config.cookieSecure,
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  const cspBefore =
    "default-src 'self';base-uri 'self';font-src 'self';form-action 'self';" +
    "frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self' 'nonce-";
  const cspAfter =
    "';script-src-attr 'none';style-src 'self'" +
    (config.cookieSecure ? ';upgrade-insecure-requests' : '');
  app.decorateReply('cspNonce', '');
  app.addHook('onRequest', (request, reply, done) => {
    reply.cspNonce = randomNonce();
    reply.raw.setHeader('Content-Security-Policy', cspBefore + reply.cspNonce + cspAfter);
    securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  await app.register(fastifyCookie, { secret: cachingCookieSigner(config.sessionSecret) });
  await app.register(fastifyFormbody);
  // Multipart bodies: files stream to temporary files, per-route limits, uploads per person.
  await registerUploads(
    app,
    services.files,
    services.uploadSlots,
    (request, reply) => {
      const detail = `You are already uploading ${UPLOADS_AT_ONCE_PER_PERSON} times at once. Wait for one to finish, then try again.`;
      if (isApi(request)) return problem(reply, 429, 'Too many uploads at once', detail);
      return reply.status(429).page('errors/error.njk', {
        title: 'Too many uploads at once',
        detail,
        status: 429,
      });
    },
    // A forged upload from a signed-in person's browser is refused before a byte of it is stored.
    (request, token) =>
      request.viaApiToken
        ? Promise.resolve(null)
        : new Promise((resolve) => {
            const body = request.body;
            request.body = token === undefined ? {} : { _csrf: token };
            const verdict = (error: Error | null) => {
              request.body = body;
              resolve(error);
            };
            const reply = {
              unsignCookie: (value: string) => request.unsignCookie(value),
              send: (error: Error) => verdict(error),
            } as unknown as FastifyReply;
            app.csrfProtection(request, reply, () => verdict(null));
          }),
  );
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: config.cookieSecure,
    },
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = req.headers['x-csrf-token'];
      return fromBody ?? (typeof header === 'string' ? header : undefined);
    },
  });
  // Counters in PostgreSQL: a limit counts an address's requests across every process. If the
  // database cannot be reached the limit is skipped (the request fails on its own anyway).
  await app.register(fastifyRateLimit, {
    global: false,
    store: postgresRateLimitStore(services.auth),
    skipOnError: true,
  });
  await app.register(fastifyStatic, {
    root: path.join(rootDir, 'public'),
    prefix: '/assets/',
    maxAge: config.env === 'production' ? '1d' : 0,
    index: false,
  });
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: templateDirs,
    options: {
      onConfigure: configureNunjucks,
      autoescape: true,
      noCache: config.env === 'development',
    },
  });

  // Request ids for the jobs a request enqueues, latency per route pattern, GET /metrics.
  registerOperations(app, services.metrics, config);

  app.decorateRequest('principal', null);
  app.decorateRequest('lanyardSession', null);
  app.decorateRequest('viaApiToken', false);

  // Pages show the school's name in the header; look it up before rendering.
  app.addHook('preHandler', async (request) => {
    const p = request.principal;
    if (p && !isApi(request)) {
      // A trust admin sees the trust's name where staff see their school's.
      (request as unknown as { schoolName: string }).schoolName =
        p.kind === 'org_admin'
          ? await services.people.organisationName(p.organisationId)
          : await services.people.schoolName(p.schoolId);
      // Staff pages name roles by the school's own titles (people.roleTitles, issue 15).
      if (p.kind === 'staff') {
        (request as unknown as { roleTitles?: unknown }).roleTitles =
          await services.policyScope.roleTitles(p.schoolId);
      }
      // Navigation entries the school's profile decides (NavigationEntry.shownBy).
      (request as unknown as { hiddenNavigation?: unknown }).hiddenNavigation =
        await hiddenByProfile(navigation, services, p);
    }
  });

  app.decorateReply(
    'page',
    function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const request = this.request;
      const p = request.principal;
      const path = request.url.split('?')[0] ?? '/';
      const errors = data.errors as Record<string, string> | undefined;
      const rendered = this.viewAsync(template, {
        schoolName: (request as unknown as { schoolName?: string }).schoolName,
        roleTitles: (request as unknown as { roleTitles?: unknown }).roleTitles ?? undefined,
        ...data,
        principal: p,
        secondFactorPending: request.lanyardSession?.secondFactor ?? null,
        navigation: request.lanyardSession?.secondFactor
          ? []
          : navigationFor(
              navigation,
              p,
              path,
              (request as unknown as { hiddenNavigation?: ReadonlySet<NavigationEntry> })
                .hiddenNavigation,
            ),
        currentPath: path,
        csrfToken: this.generateCsrf(),
        cspNonce: this.cspNonce,
        errorList: errorList(errors),
        isDevelopment: config.env === 'development',
        flash: request.cookies.lanyard_flash
          ? request.unsignCookie(request.cookies.lanyard_flash).value
          : null,
      });
      // Sent as bytes, encoded once: a rendered page is a string of many joined pieces, and sent
      // as a string Fastify measures it (flattening it) and the socket encodes it again; a large
      // page (the compliance view's 81 kB) spent a fifth of its time there (ADR 0035).
      return rendered.then(
        (html) => this.send(Buffer.from(html, 'utf8')),
        (error: unknown) => this.send(error),
      );
    },
  );

  // /api/ is rate-limited per client address before any token is looked up (429 problem JSON).
  app.addHook('onRequest', apiRateLimit(app, config.apiRateLimit));

  // Who is asking: a session cookie, or a Bearer API token on /api/.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/')) return;
    // Health checks never read a session: /healthz answers while the process lives, database or not.
    if (healthUrls.has(request.routeOptions.url ?? '')) return;
    if (request.cookies.lanyard_flash) reply.clearCookie('lanyard_flash', { path: '/' });
    const auth = request.headers.authorization;
    if (isApi(request) && auth?.startsWith('Bearer ')) {
      const principal = await services.auth.principalForApiToken(auth.slice(7).trim());
      if (!principal) return problem(reply, 401, 'Invalid API token');
      request.principal = principal;
      request.viaApiToken = true;
      return;
    }
    const raw = request.cookies[SESSION_COOKIE];
    if (!raw) return;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return;
    const loaded = await services.auth.loadSession(unsigned.value);
    if (!loaded) return;
    request.lanyardSession = loaded;
    request.principal = loaded.principal;
  });

  // Who may: the route's declared access, checked here, in onRequest, before any of the body is
  // read (multipart and form bodies are parsed later, before preHandler): someone who may not
  // send it never has a byte of it buffered or stored. What they still send is thrown away as it
  // arrives, and the connection is closed soon after the answer (lingerThenClose).
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    const refuse = () => {
      lingerThenClose(request, reply);
      return reply;
    };
    const session = request.lanyardSession;
    const principal = request.principal;
    if (!principal) {
      if (isApi(request))
        return problem(refuse(), 401, 'Sign in required', 'Sign in or send an API token.');
      const next = encodeURIComponent(request.url);
      return refuse().redirect(`/sign-in?next=${next}`, 303);
    }
    if (access === 'signed-in') return;
    if (access === 'second-factor') {
      if (!session?.secondFactor) return refuse().redirect('/', 303);
      return;
    }
    if (session?.secondFactor) {
      if (isApi(request)) return problem(refuse(), 401, 'Second factor required');
      return refuse().redirect(
        session.secondFactor === 'enrol' ? '/account/two-factor/set-up' : '/sign-in/two-factor',
        303,
      );
    }
    // A route whose rule the school's profile decides (e.g. the consent record keeper) also has
    // `schoolAccess`, answered from kept per-school reads (web/school-access.ts); never public,
    // never for a trust's admin.
    const schoolAccess = request.routeOptions.config.schoolAccess;
    if (
      !access(principal) ||
      (schoolAccess &&
        (principal.kind === 'org_admin' || !(await schoolAccess(services, principal))))
    ) {
      if (isApi(request)) return problem(refuse(), 404, 'Not found');
      if (principal.kind !== 'org_admin')
        (request as unknown as { schoolName: string }).schoolName =
          await services.people.schoolName(principal.schoolId);
      return refuse().status(404).page('errors/not-found.njk');
    }
  });

  // CSRF on every state-changing request (here the body is parsed: the token may be a field).
  app.addHook('preHandler', async (request, reply) => {
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (unsafe && !request.viaApiToken && !request.is404) {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
      });
    }
  });

  // Hostile characters (NUL, controls, bidi overrides) in any query, path or body: 400, once.
  app.addHook('preHandler', refuseHostileInput);

  // Nothing but the static assets may be kept by a browser or a proxy: pages and JSON carry
  // pupils' names and consent decisions.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/assets/')) return;
    // The public news page (no personal data): revalidated with its ETag (`config.publicCache`).
    if (request.routeOptions.config.publicCache && reply.hasHeader('cache-control')) return;
    if (!/no-store/.test(String(reply.getHeader('cache-control') ?? '')))
      reply.header('cache-control', 'no-store');
  });

  app.setNotFoundHandler({ preHandler: async () => undefined }, async (request, reply) => {
    if (isApi(request)) return problem(reply, 404, 'Not found');
    return reply.status(404).page('errors/not-found.njk');
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // The database is stopped, restarting or unreachable: nothing is wrong with the request.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable'); // class and codes only (serializeError)
      reply.header('retry-after', '30').header('cache-control', 'no-store');
      if (isApi(request))
        return problem(
          reply,
          503,
          'Service unavailable',
          'Lanyard cannot reach its database at the moment. Nothing you had saved has been lost. Try again in a few minutes.',
        );
      return reply.status(503).page('errors/unavailable.njk', {
        title: 'Sorry, the service is unavailable',
      });
    }
    let status = error instanceof AppError ? error.status : (error.statusCode ?? 500);
    let title =
      error instanceof AppError ? error.title : 'Sorry, there is a problem with the service';
    let detail: string | undefined = error instanceof AppError ? error.message : undefined;
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      status = 403;
      title = 'This form has expired';
      detail = 'Go back, reload the page and try again.';
    } else if (
      error.code === 'FST_REQ_FILE_TOO_LARGE' ||
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
    ) {
      status = 413;
      title = 'The file is too large';
      detail = `Files must be smaller than ${Math.round(config.uploadMaxBytes / 1024 / 1024)} MB.`;
    } else if (
      error.code === 'FST_FILES_LIMIT' ||
      error.code === 'FST_PARTS_LIMIT' ||
      error.code === 'FST_FIELDS_LIMIT'
    ) {
      // Each route's multipart limits (web/uploads.ts): most take no file at all.
      status = 413;
      const files = uploadFilesAllowed(request);
      title = files === 0 ? 'This form does not take files' : 'Too many files';
      detail =
        files === 0
          ? 'Send the form without a file.'
          : `Upload at most ${files} ${files === 1 ? 'file' : 'files'} at once.`;
    } else if (status === 429) {
      title = 'Too many attempts';
      detail = 'Wait a minute, then try again.';
    } else if (status >= 400 && status < 500 && !(error instanceof AppError)) {
      title = 'There is a problem with the request';
      detail = error.message;
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed'); // serializeError: no message, no values
    if (isApi(request)) {
      const extra = error instanceof ValidationError ? { errors: error.fieldErrors } : {};
      return problem(reply, status, title, detail, extra);
    }
    if (status === 404) return reply.status(404).page('errors/not-found.njk');
    return reply.status(status).page('errors/error.njk', { title, detail, status });
  });

  await app.register(healthRoutes, { services });
  for (const module of modules)
    for (const routes of module.routes ?? []) await app.register(routes, { services, config });
  // The sections of the service navigation: a page each listing its entries (web/navigation.ts).
  await app.register(sectionRoutes(navigation));
  await app.register(apiRoutes, { services, config, modules });
  if (config.env === 'development' && services.mailSink)
    await app.register(devRoutes, { services });

  return app;
}
