import type { Locator, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { DEMO_PASSWORD, demoCredentials } from '../../src/demo/seed.ts';
import type { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { checkA11y, navigate, reloadUntil } from './e2e-browser.ts';

/**
 * Page objects for the browser tests. Every method that lands on a new page runs the axe check
 * for it before returning, so a test cannot visit a page without one.
 */

export interface ErrorLink {
  text: string;
  href: string;
}

/** What every Lanyard page has: the GOV.UK layout, the service navigation, sign-out. */
export class LanyardPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.locator('main h1');
  }

  get main(): Locator {
    return this.page.locator('main');
  }

  get errorSummary(): Locator {
    return this.page.locator('.govuk-error-summary');
  }

  /** The error summary's links, each pointing at the field it is about. */
  async errorLinks(): Promise<ErrorLink[]> {
    const links = this.errorSummary.locator('.govuk-error-summary__list a');
    const out: ErrorLink[] = [];
    for (const link of await links.all()) {
      out.push({
        text: ((await link.textContent()) ?? '').trim(),
        href: (await link.getAttribute('href')) ?? '',
      });
    }
    return out;
  }

  /** The inline error message GOV.UK components render under a field (`<id>-error`). */
  fieldError(id: string): Locator {
    return this.page.locator(`[id="${id}-error"]`);
  }

  /** The service navigation's items, in order. */
  async navItems(): Promise<string[]> {
    const items = await this.page.locator('.govuk-service-navigation__item').allTextContents();
    return items.map((t) => t.replace(/\s+/g, ' ').trim());
  }

  async check(label: string): Promise<void> {
    await checkA11y(this.page, label);
  }

  /** Follows a link in the service navigation. */
  async openNav(text: string): Promise<void> {
    const link = this.page
      .locator('.govuk-service-navigation__item')
      .getByRole('link', { name: text, exact: true });
    await navigate(this.page, () => link.click());
    await this.check(`${text} (navigation)`);
  }

  /**
   * Follows a section of the service navigation to the section's page, then one of the links it
   * lists (e.g. "Pupils and families", then "Pupils").
   */
  async openSection(section: string, entry: string): Promise<void> {
    await this.openNav(section);
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: entry, exact: true }).click(),
    );
    await this.check(`${entry} (from ${section})`);
  }

  async signOut(): Promise<SignedOutPage> {
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Sign out', exact: true }).click(),
    );
    const signedOut = new SignedOutPage(this.page);
    await signedOut.check('Signed out');
    return signedOut;
  }

  /** Opens a path in the address bar. */
  async goto(pathname: string, label = pathname): Promise<void> {
    await this.page.goto(pathname, { waitUntil: 'load' });
    await this.check(label);
  }
}

export class SignedOutPage extends LanyardPage {}

export class SignInPage extends LanyardPage {
  async open(next?: string): Promise<this> {
    await this.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in', 'Sign in');
    return this;
  }

  get email(): Locator {
    return this.page.locator('#email');
  }

  get password(): Locator {
    return this.page.locator('#password');
  }

  /** Fills in the form (blank values stay blank) and presses "Sign in". */
  async submit(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Sign in', exact: true }).click(),
    );
    await this.check(`Sign in as ${email || '(blank)'}: the next page`);
  }

  async followLinkSignIn(): Promise<LinkRequestPage> {
    await navigate(this.page, () =>
      this.page.getByRole('link', { name: 'Get a sign-in link by email' }).click(),
    );
    const next = new LinkRequestPage(this.page);
    await next.check('Get a sign-in link');
    return next;
  }
}

export class TwoFactorPage extends LanyardPage {
  async enter(code: string): Promise<void> {
    await this.page.locator('#code').fill(code);
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );
    await this.check('After the security code');
  }
}

export class LinkRequestPage extends LanyardPage {
  async request(email: string): Promise<void> {
    await this.page.locator('#email').fill(email);
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Send me a link', exact: true }).click(),
    );
    await this.check('Sign-in link requested');
  }
}

export class LinkContinuePage extends LanyardPage {
  async continue(): Promise<void> {
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );
    await this.check('After the sign-in link');
  }
}

export class DashboardPage extends LanyardPage {
  async open(): Promise<this> {
    await this.goto('/', 'Home');
    return this;
  }

  /** The "Needs your attention" list's item titles (staff). */
  async attentionItems(): Promise<string[]> {
    const items = await this.page
      .locator('.lanyard-attention .govuk-task-list__link')
      .allTextContents();
    return items.map((t) => t.trim());
  }

  /** The trust admin's "Schools" table, as rows of cell text. */
  async schoolsTable(): Promise<string[][]> {
    const table = this.page.locator('table', {
      has: this.page.locator('caption', { hasText: 'Schools' }),
    });
    const rows: string[][] = [];
    for (const row of await table.locator('tbody tr').all()) {
      rows.push((await row.locator('th, td').allTextContents()).map((t) => t.trim()));
    }
    return rows;
  }

  /** The parent's list of children (link texts). */
  async children(): Promise<string[]> {
    const items = await this.main.locator('ul.govuk-list li a').allTextContents();
    return items.map((t) => t.trim());
  }
}

/**
 * The code an authenticator app would show for a demo account, never one already used: Lanyard
 * refuses a code from a 30-second step it has already accepted, and accepts the next step's code
 * (one step of clock drift), so a second sign-in within the same step uses the next step's code
 * and a third waits for the clock.
 */
const lastStepUsed = new Map<string, number>();

export async function nextTotpCode(email: string): Promise<string> {
  const secret = demoCredentials.find((c) => c.email === email)?.totpSecret;
  if (!secret) throw new Error(`${email} has no second factor in the demo data`);
  const totp = new TOTP({
    secret: Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  for (;;) {
    const current = Math.floor(Date.now() / 30_000);
    const step = Math.max(current, (lastStepUsed.get(email) ?? -1) + 1);
    if (step <= current + 1) {
      lastStepUsed.set(email, step);
      return totp.generate({ timestamp: step * 30_000 });
    }
    await new Promise((r) => setTimeout(r, (current + 1) * 30_000 - Date.now() + 50));
  }
}

/** Signs a member of staff in; enters the security code when the second-factor page appears. */
export async function signInStaff(
  page: Page,
  email: string,
  password = DEMO_PASSWORD,
): Promise<DashboardPage> {
  const signIn = await new SignInPage(page).open();
  await signIn.submit(email, password);
  if (new URL(page.url()).pathname === '/sign-in/two-factor') {
    await new TwoFactorPage(page).enter(await nextTotpCode(email));
  }
  return new DashboardPage(page);
}

/**
 * Signs a parent or pupil in with an emailed one-time link: asks for the link, reads it from the
 * SMTP sink, opens it and presses Continue.
 */
export async function signInWithEmailLink(
  page: Page,
  email: string,
  sink: SmtpSink,
): Promise<DashboardPage> {
  const since = sink.lastId();
  const signIn = await new SignInPage(page).open();
  const request = await signIn.followLinkSignIn();
  await request.request(email);
  const mail = await sink.waitFor(email, { since, timeoutMs: 10_000 });
  const link = /https?:\/\/\S+?(\/sign-in\/link\/[A-Za-z0-9_-]+)/.exec(mail.text);
  if (!link) throw new Error(`No sign-in link in the email to ${email}:\n${mail.text}`);
  // The email uses BASE_URL; the test server listens elsewhere, so open the same path here.
  const continuePage = new LinkContinuePage(page);
  await continuePage.goto(link[1]!, 'Continue to sign in');
  await continuePage.continue();
  return new DashboardPage(page);
}

export interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class ImportPage extends LanyardPage {
  async open(): Promise<this> {
    await this.goto('/imports/pupils', 'Import pupils');
    return this;
  }

  get fileInput(): Locator {
    return this.page.locator('input[type="file"][name="file"]');
  }

  /** Chooses the file (or none) and presses "Upload and check". */
  async upload(file: UploadFile | null): Promise<void> {
    if (file) await this.fileInput.setInputFiles(file);
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Upload and check', exact: true }).click(),
    );
    await this.check(file ? `Uploaded ${file.name}` : 'Upload with no file');
  }
}

export class ImportStatusPage extends LanyardPage {
  get status(): Locator {
    return this.main.locator('.govuk-tag').first();
  }

  async statusText(): Promise<string> {
    return ((await this.status.textContent()) ?? '').trim();
  }

  /** Reloads until the status tag reads one of `texts` (the jobs run in the background). */
  async waitForStatus(texts: string[], timeoutMs = 25_000): Promise<string> {
    let seen = '';
    await reloadUntil(
      this.page,
      async () => {
        seen = await this.statusText();
        return texts.includes(seen);
      },
      { timeoutMs, label: `the import status to be ${texts.join(' or ')}` },
    );
    return seen;
  }

  /** A summary list of counts ("New pupils" → "20"); the first list on the page. */
  async counts(): Promise<Record<string, string>> {
    const list = this.main.locator('.govuk-summary-list').first();
    const out: Record<string, string> = {};
    for (const row of await list.locator('.govuk-summary-list__row').all()) {
      const key = ((await row.locator('.govuk-summary-list__key').textContent()) ?? '').trim();
      const value = ((await row.locator('.govuk-summary-list__value').textContent()) ?? '').trim();
      out[key] = value;
    }
    return out;
  }

  /** Presses "Confirm import", first answering "Does this file list every pupil on roll?". */
  async confirm(roll?: 'Yes, it is the whole roll' | 'No, it is a partial list'): Promise<void> {
    if (roll) await this.page.getByLabel(roll, { exact: true }).check();
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Confirm import', exact: true }).click(),
    );
    await this.check('Import confirmed');
  }
}

export class PolicyEditPage extends LanyardPage {
  async open(): Promise<this> {
    await this.goto('/policy/edit', 'Change the policy settings');
    return this;
  }

  async save(): Promise<void> {
    await navigate(this.page, () =>
      this.page.getByRole('button', { name: 'Save as a new version', exact: true }).click(),
    );
    await this.check('Policy settings saved');
  }
}
