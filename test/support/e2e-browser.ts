import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { buildApp } from '../../src/app.ts';
import { jobHandlers } from '../../src/container.ts';
import { createTestServices, type TestContext } from './db.ts';

/**
 * Browser tests (ARCHITECTURE.md §Tests): the real app on 127.0.0.1 with the demo school, driven
 * by Debian's chromium through playwright-core. One browser per test file, a fresh context (and
 * cookie jar) per test, and an axe check on every page the test visits.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** WCAG 2.2 AA, as the accessibility statement promises. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// ---------------------------------------------------------------------------------------------
// Server and browser

export interface E2eEnvironment {
  ctx: TestContext;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (no cookies) with one page, tracked for axe. */
  newSession(options?: BrowserContextOptions): Promise<BrowserSession>;
  close(): Promise<void>;
}

export interface E2eOptions {
  /** Start pg-boss workers in this process (imports need the preview and commit jobs). */
  workers?: boolean;
  env?: Record<string, string>;
}

/**
 * Real services on a fresh database with the demo trust seeded, the app listening on an
 * ephemeral port, and chromium with its own temporary profile folder.
 */
export async function startE2e(options: E2eOptions = {}): Promise<E2eEnvironment> {
  // Every sign-in in a file comes from 127.0.0.1: lift the per-IP limit so it never trips.
  // The demo trust, seeded once for the tier (test/setup/global-setup.ts) and cloned here.
  const ctx = await createTestServices({
    env: { LOGIN_RATE_LIMIT: '10000', ...options.env },
    demo: true,
  });
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-e2e-chromium-'));
  try {
    if (options.workers) await ctx.platform.jobs.work(jobHandlers(ctx.services));
    app = await buildApp(ctx.services, ctx.config);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    browser = await launchBrowser(userDataDir);
    const sessions = new Set<BrowserSession>();
    const started = { ctx, app, browser };
    return {
      ...started,
      baseUrl,
      newSession: async (contextOptions = {}) => {
        const context = await started.browser.newContext({
          baseURL: baseUrl,
          viewport: { width: 1024, height: 768 },
          locale: 'en-GB',
          timezoneId: 'Europe/London',
          ...contextOptions,
        });
        const session = await BrowserSession.open(context, {
          javaScriptEnabled: contextOptions.javaScriptEnabled ?? true,
        });
        sessions.add(session);
        return session;
      },
      close: async () => {
        for (const s of sessions) await s.context.close().catch(() => undefined);
        await started.browser.close().catch(() => undefined);
        await started.app.close().catch(() => undefined);
        await ctx.close();
        fs.rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await ctx.close().catch(() => undefined);
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Debian's chromium, never a downloaded one. `chromium.launch` gives each browser its own
 * temporary profile; the folder passed here is where chromium keeps its crash dumps and cache.
 */
export async function launchBrowser(userDataDir: string): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`No chromium at ${CHROMIUM_PATH}: install Debian's chromium package`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, `--disk-cache-dir=${path.join(userDataDir, 'cache')}`],
    env: {
      ...process.env,
      HOME: userDataDir,
      XDG_CONFIG_HOME: userDataDir,
      XDG_CACHE_HOME: userDataDir,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Sessions: every page visited must get an axe check

interface Visit {
  url: string;
  checked: boolean;
  /** Milliseconds since the session opened, for the failure report. */
  at: number;
}

const sessionsByPage = new WeakMap<Page, BrowserSession>();

/**
 * One browser context and its page. Records every document the page loads, server errors and
 * script errors; `close()` fails the test if a visited page had no axe check or anything went
 * wrong in the browser.
 */
export class BrowserSession {
  readonly visits: Visit[] = [];
  readonly problems: string[] = [];
  /** What happened to this page, in order (navigations, loads, checks), for a failure report. */
  readonly events: string[] = [];
  private readonly opened = Date.now();

  private mirror: Page | undefined;
  private mirrorHtml = '';

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly javaScriptEnabled: boolean,
  ) {}

  static async open(
    context: BrowserContext,
    { javaScriptEnabled = true } = {},
  ): Promise<BrowserSession> {
    const page = await context.newPage();
    const session = new BrowserSession(context, page, javaScriptEnabled);
    sessionsByPage.set(page, session);
    page.on('domcontentloaded', () => {
      session.visits.push({ url: page.url(), checked: false, at: session.elapsed() });
      session.note(`domcontentloaded ${page.url()}`);
    });
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame())
        session.note(`navigation request ${request.method()} ${request.url()}`);
    });
    page.on('response', (response) => {
      const request = response.request();
      if (request.isNavigationRequest() && response.status() >= 500) {
        session.problems.push(`${response.status()} from ${request.method()} ${response.url()}`);
      }
    });
    page.on('pageerror', (error) => session.problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      // A 4xx form page (400 with an error summary) logs "Failed to load resource": expected.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        session.problems.push(`console error: ${message.text()}`);
      }
    });
    return session;
  }

  /**
   * With JavaScript off, nothing can run in the page, not even axe (its run waits on timers and
   * promises that never fire). The page's DOM is then exactly the HTML the server sent, so axe
   * checks a copy: the same HTML at the same address, with the same viewport and the real
   * stylesheets, in a page of its own where scripts are stripped and blocked.
   */
  async mirrorOf(page: Page): Promise<Page> {
    if (!this.mirror) {
      const browser = this.context.browser();
      if (!browser) throw new Error('No browser for the axe mirror page');
      const mirrorContext = await browser.newContext({
        viewport: page.viewportSize(),
        locale: 'en-GB',
        javaScriptEnabled: true,
      });
      this.mirror = await mirrorContext.newPage();
      await this.mirror.route('**/*', async (route) => {
        const type = route.request().resourceType();
        if (type === 'document') {
          await route.fulfill({
            status: 200,
            contentType: 'text/html; charset=utf-8',
            body: this.mirrorHtml,
          });
        } else if (type === 'script') {
          await route.abort();
        } else {
          await route.continue();
        }
      });
    }
    this.mirrorHtml = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
    if (page.url().startsWith('about:')) await this.mirror.setContent(this.mirrorHtml);
    else await this.mirror.goto(page.url(), { waitUntil: 'load' });
    return this.mirror;
  }

  elapsed(): number {
    return Date.now() - this.opened;
  }

  note(event: string): void {
    this.events.push(`${this.elapsed()} ms: ${event}`);
  }

  /**
   * Called by checkA11y: the current document has been checked, and so have any unchecked visits
   * to the same address since the last check (what a person sees there is this document). Once,
   * in CI under load, a post's page was reported unchecked although the publishing test checks
   * after every action, and it did not happen again in runs here; the page's events are now kept
   * so that such a report shows its cause.
   */
  markChecked(label: string): void {
    const url = this.page.url();
    for (let i = this.visits.length - 1; i >= 0; i--) {
      const visit = this.visits[i]!;
      if (visit.checked) break;
      if (visit.url === url) visit.checked = true;
    }
    this.note(`axe checked (${label}) ${url}`);
  }

  /** Closes the context; throws if a page was visited without an axe check, or errors happened. */
  async close(): Promise<void> {
    await this.mirror
      ?.context()
      .close()
      .catch(() => undefined);
    await this.context.close().catch(() => undefined);
    const unchecked = this.visits.filter((v) => !v.checked).map((v) => `  - ${v.url} (${v.at} ms)`);
    const report: string[] = [];
    if (unchecked.length)
      report.push(
        `Pages visited without an axe check:\n${unchecked.join('\n')}\n` +
          `What happened in this page:\n  ${this.events.join('\n  ')}`,
      );
    if (this.problems.length)
      report.push(`Problems in the browser:\n  - ${this.problems.join('\n  - ')}`);
    if (report.length) throw new Error(report.join('\n'));
  }
}

/**
 * Runs the action (a click or a form submission) and waits for the page it leads to: the next
 * document's load event, after any redirects.
 */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('domcontentloaded', { timeout: 20_000 }), action()]);
  await page.waitForLoadState('load');
}

// ---------------------------------------------------------------------------------------------
// Accessibility

/**
 * Pages already found clean in this test file, by what axe would see: the viewport and the live
 * DOM, with per-request values (CSRF token, CSP nonce, one-time link tokens) blanked out. The
 * sign-in page looks the same for every role; checking it once per file is enough.
 */
const cleanPages = new Set<string>();

async function pageKey(page: Page): Promise<string> {
  const html = (await page.content())
    .replace(/(name="_csrf"[^>]*value=")[^"]*"/g, '$1"')
    .replace(/\snonce="[^"]*"/g, '')
    .replace(/\/sign-in\/link\/[A-Za-z0-9_-]{20,}/g, '/sign-in/link/TOKEN');
  const size = page.viewportSize();
  return crypto
    .createHash('sha256')
    .update(`${size?.width}x${size?.height}\n${html}`)
    .digest('hex');
}

/**
 * Runs axe (WCAG 2.0, 2.1 and 2.2 A and AA) on the page as it is now and fails with a readable
 * list of violations: rule, impact, help text, and each offending element with axe's summary.
 * A page identical to one already found clean in this file is not analysed again.
 */
export async function checkA11y(page: Page, label: string): Promise<void> {
  const session = sessionsByPage.get(page);
  const key = await pageKey(page);
  if (cleanPages.has(key)) {
    session?.markChecked(label);
    return;
  }
  const target = session && !session.javaScriptEnabled ? await session.mirrorOf(page) : page;
  // Legacy mode runs axe.run in the page itself (there are no cross-origin frames to reach),
  // instead of finishing the run in a new blank page: several times faster. Only violations are
  // collected. `options()` replaces the run options, so it comes before `withTags()`.
  const results = await new AxeBuilder({ page: target })
    .options({ resultTypes: ['violations'] })
    .withTags(AXE_TAGS)
    .setLegacyMode(true)
    .analyze();
  session?.markChecked(label);
  if (results.violations.length === 0) {
    cleanPages.add(key);
    return;
  }
  const lines = [
    `${label} (${page.url()}${target === page ? '' : ', JavaScript off'}): ` +
      `${results.violations.length} accessibility violation(s)`,
  ];
  for (const v of results.violations) {
    lines.push(`- [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes.slice(0, 5)) {
      lines.push(`    at ${node.target.join(' ')}`);
      lines.push(`      ${node.html.slice(0, 200)}`);
      if (node.failureSummary) {
        lines.push(...node.failureSummary.split('\n').map((l) => `      ${l.trim()}`));
      }
    }
    if (v.nodes.length > 5) lines.push(`    … and ${v.nodes.length - 5} more`);
  }
  throw new Error(lines.join('\n'));
}

/** The width the document scrolls to: more than the viewport means horizontal scrolling. */
export async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => (document.scrollingElement ?? document.documentElement).scrollWidth);
}

/**
 * Waits until `check` returns true, reloading the page between tries (a person pressing F5).
 * Every reloaded page is a page visited, so each one gets its axe check.
 */
export async function reloadUntil(
  page: Page,
  check: () => Promise<boolean>,
  { timeoutMs = 25_000, intervalMs = 750, label = 'the page to change' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    await page.reload({ waitUntil: 'load' });
    await checkA11y(page, `${label} (reloaded)`);
  }
}
