import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkA11y,
  navigate,
  scrollWidth,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { signInStaff } from '../support/e2e-pages.ts';
import { formatDateTimeInWords } from '../../src/web/dates.ts';

/**
 * A parent on a phone (390 px wide) opens the consent form from the school's email, answers for
 * a child, checks the answers, confirms and sees the receipt; later, from a new emailed link and
 * with JavaScript off, comes back and withdraws consent to photos on the school website. Every
 * page passes axe.
 */

const PHONE = { width: 390, height: 844 };

/** Set E2E_SCREENSHOTS to a folder to keep a full-page screenshot of every page visited. */
const SHOTS = process.env.E2E_SCREENSHOTS;
let shot = 0;

describe('a parent completes and later changes the consent form (browser)', () => {
  let env: E2eEnvironment;
  let fx: SchoolFixture;
  let period: string;
  let child: { id: string; givenName: string; familyName: string };
  /** The receipt reference the parent was given, as printed ("K7M4-Q2PX"). */
  let given: string;
  const sessions: BrowserSession[] = [];

  const open = async (options: Parameters<E2eEnvironment['newSession']>[0] = {}) => {
    const session = await env.newSession({ viewport: PHONE, ...options });
    sessions.push(session);
    return session;
  };

  /** The school emails the parent their form link; returns its path. */
  const emailedLink = async (reason: 'invitation' | 'reminder') => {
    const since = env.ctx.sink.lastId();
    const sent = await env.ctx.services.consentForm.sendFormLink(fx.school.id, fx.parent.id, {
      reason,
      periodKey: period,
    });
    expect(sent).toBe('sent');
    const mail = await env.ctx.sink.waitFor(fx.parent.email!, { since, timeoutMs: 10_000 });
    expect(mail.text).toContain(child.givenName);
    const m = /https?:\/\/\S+?(\/sign-in\/link\/[A-Za-z0-9_-]+)/.exec(mail.text);
    if (!m) throw new Error(`no link in:\n${mail.text}`);
    return m[1]!;
  };

  const click = async (page: Page, label: string, action: () => Promise<unknown>) => {
    await navigate(page, action);
    await checkA11y(page, label);
    // Nothing wider than the viewport (a phone's for the parent).
    expect(await scrollWidth(page), `${label}: horizontal scrolling`).toBeLessThanOrEqual(
      page.viewportSize()?.width ?? PHONE.width,
    );
    if (SHOTS) {
      shot += 1;
      const name = `${String(shot).padStart(2, '0')}-${label.replace(/[^A-Za-z0-9]+/g, '-')}.png`;
      await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true });
    }
  };

  const openLink = async (page: Page, path: string) => {
    await page.goto(path, { waitUntil: 'load' });
    await checkA11y(page, 'Continue to sign in');
    await click(page, 'Photo consent (from the link)', () =>
      page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );
    expect(new URL(page.url()).pathname).toBe('/consent/family');
  };

  const heading = (page: Page) => page.locator('main h1').innerText();

  beforeAll(async () => {
    env = await startE2e();
    fx = await createSchool(env.ctx.services, {
      slug: 'e2e-avenue',
      pupils: 10,
      template: 'the-avenue-primary',
    });
    period = (await env.ctx.services.consent.recordablePeriods(fx.school.id))[0]!.key;
    child = fx.pupils[0]!;
  });
  afterAll(async () => {
    await env?.close();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });

  it('completes the form on a phone, checks the answers, confirms and sees the receipt', async () => {
    const { page } = await open();
    await openLink(page, await emailedLink('invitation'));
    expect(await heading(page)).toBe('Photos and videos of your children');
    const row = page.locator('.govuk-summary-list__row', { hasText: 'school year' }).first();
    expect(await row.innerText()).toContain('Not started');
    // Parents see no API link in the footer.
    expect(await page.locator('footer a[href="/api/v1/openapi.json"]').count()).toBe(0);

    // The home page says which forms are waiting, with a start button.
    await click(page, 'Home (forms waiting)', () =>
      page.getByRole('link', { name: 'Lanyard' }).first().click(),
    );
    const children = await env.ctx.services.consent.childrenOf(fx.school.id, fx.parent.id);
    const banner = page.locator('.govuk-notification-banner');
    expect(await banner.innerText()).toContain(
      children.length === 1
        ? `You have a consent form to fill in for ${child.givenName}`
        : 'You have consent forms to fill in for',
    );
    await click(page, `Form for ${child.givenName}`, () =>
      banner
        .getByRole('button', {
          name: children.length === 1 ? 'Start now' : `Start ${child.givenName}’s form`,
        })
        .click(),
    );
    expect(await heading(page)).toBe(`Photos and videos of ${child.givenName}`);

    // Sent with nothing answered: the error summary names each question.
    await click(page, 'Form with errors', () =>
      page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );
    const errors = page.locator('.govuk-error-summary__list a');
    expect(await errors.count()).toBe(16);
    expect(await errors.first().innerText()).toMatch(/^Select yes if we may use photos of /);

    // Yes to everything except naming in the local newspaper.
    const fields = await page
      .locator('input[type="radio"][value="yes"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).name));
    expect(fields).toHaveLength(16);
    for (const name of fields) {
      const value = name === 'local_newspapers-name' ? 'no' : 'yes';
      await page.locator(`input[name="${name}"][value="${value}"]`).check();
    }
    await click(page, 'Check your answers', () =>
      page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );
    expect(await heading(page)).toBe('Check your answers before sending');
    const newspaperName = page.locator('.govuk-summary-list__row', {
      hasText: `${child.givenName}’s name printed with a photo`,
    });
    expect(await newspaperName.count()).toBe(4);

    // Change one answer from the check page, then come back.
    await click(page, 'Change an answer', () =>
      page.getByRole('link', { name: /Change Photos of .* for School website$/ }).click(),
    );
    expect(new URL(page.url()).hash).toBe('#school_website-image');
    expect(await page.locator('#school_website-image').isChecked()).toBe(true);
    await click(page, 'Check your answers again', () =>
      page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );

    const since = env.ctx.sink.lastId();
    await click(page, 'Answers recorded', () =>
      page.getByRole('button', { name: 'Confirm and send', exact: true }).click(),
    );
    const panel = page.locator('.govuk-panel');
    expect(await panel.innerText()).toContain('Answers recorded');
    const recordId = /receipts\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    // A reference to read out over the phone, not the record's id.
    const reference = /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/.exec(await panel.innerText())?.[0];
    expect(reference).toBeDefined();
    expect(await page.locator('main').innerText()).not.toContain(recordId);
    expect(await page.locator('main').innerText()).toContain(
      `${child.givenName} ${child.familyName}`,
    );
    const { rows } = await env.ctx.services.database.pool.query<{ recorded_at: Date }>(
      'SELECT recorded_at FROM consent_records WHERE id = $1',
      [recordId],
    );
    const when = page.locator('.govuk-summary-list__row', { hasText: 'When' }).first();
    expect(await when.innerText()).toContain(formatDateTimeInWords(rows[0]!.recorded_at));
    const mail = await env.ctx.sink.waitFor(fx.parent.email!, { since, timeoutMs: 10_000 });
    expect(mail.text).toContain(`Receipt reference: ${reference}`);
    given = reference!;

    // The PDF and the JSON receipt download as files.
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download this receipt as a PDF' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe(`consent-receipt-${reference}.pdf`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download this receipt as data (JSON file)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`consent-receipt-${reference}.json`);
    const json = await page.request.get(`/consent/family/receipts/${recordId}.json`);
    expect(json.headers()['content-disposition']).toContain('attachment');
    const receipt = (await json.json()) as {
      jurisdiction: string;
      subject: { pupilId: string };
      purposes: { purpose: string; decisions: Record<string, string> }[];
    };
    expect(receipt.jurisdiction).toBe('UK');
    expect(receipt.subject.pupilId).toBe(child.id);
    expect(receipt.purposes.find((p) => p.purpose === 'local_newspapers')?.decisions).toEqual({
      image: 'granted',
      video: 'granted',
      name: 'refused',
    });
    const may = await env.ctx.services.consent.may({
      schoolId: fx.school.id,
      pupilId: child.id,
      purpose: 'school_website',
      mediaType: 'image',
    });
    expect(may.allowed).toBe(true);
  });

  it('comes back later from a new link, without JavaScript, and withdraws photos for the website', async () => {
    const { page } = await open({ javaScriptEnabled: false });
    await openLink(page, await emailedLink('reminder'));
    const row = page.locator('.govuk-summary-list__row', { hasText: 'school year' }).first();
    expect(await row.innerText()).toContain('Done');

    await click(page, 'Form with current answers', () =>
      page
        .getByRole('link', { name: new RegExp(`^View or change answers for ${child.givenName}`) })
        .click(),
    );
    expect(await page.locator('main').innerText()).toContain('withdraws your consent');
    expect(await page.locator('input[name="school_website-image"][value="yes"]').isChecked()).toBe(
      true,
    );
    expect(await page.locator('input[name="local_newspapers-name"][value="no"]').isChecked()).toBe(
      true,
    );
    await page.locator('input[name="school_website-image"][value="no"]').check();
    await click(page, 'Check your answers (withdrawal)', () =>
      page.getByRole('button', { name: 'Continue', exact: true }).click(),
    );
    const main = page.locator('main');
    expect(await main.innerText()).toContain('You are withdrawing consent');
    expect(await main.innerText()).toContain('does not undo what was published before');

    await click(page, 'Withdrawal recorded', () =>
      page.getByRole('button', { name: 'Confirm and send', exact: true }).click(),
    );
    expect(await page.locator('.govuk-panel').innerText()).toContain('Answers recorded');
    expect(await main.innerText()).toContain('Withdrawal of consent');
    expect(await main.innerText()).toMatch(/School website\s+Photos\s+No/);

    const may = await env.ctx.services.consent.may({
      schoolId: fx.school.id,
      pupilId: child.id,
      purpose: 'school_website',
      mediaType: 'image',
    });
    expect(may.allowed).toBe(false);
    // Printed, the receipt has no menus, links or buttons.
    await page.emulateMedia({ media: 'print' });
    expect(
      await page
        .locator('.govuk-service-navigation, footer, .lanyard-no-print')
        .evaluateAll((els) => els.filter((e) => getComputedStyle(e).display !== 'none').length),
    ).toBe(0);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/99-receipt-printed.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    const events = await env.ctx.services.events.list(fx.school.id, 'consent.changed');
    expect(events.at(-1)?.payload).toMatchObject({
      pupilId: child.id,
      changes: [{ key: 'school_website/image', before: true, after: false }],
    });
  });

  it('the office finds the receipt by the reference the parent reads out over the phone', async () => {
    const { page } = await open({ viewport: { width: 1280, height: 800 } });
    await signInStaff(page, fx.staff.office.email, TEST_PASSWORD);
    await click(page, 'Consent register (office)', () =>
      page
        .locator('.govuk-service-navigation__item')
        .getByRole('link', { name: 'Consent', exact: true })
        .click(),
    );
    await click(page, 'Find a consent receipt', () =>
      page.getByRole('link', { name: 'Find a receipt by its reference' }).click(),
    );
    await page.getByLabel('Receipt reference').fill('K7M4-Q2P0');
    await click(page, 'Find a consent receipt (error)', () =>
      page.getByRole('button', { name: 'Find receipt' }).click(),
    );
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('like K7M4-Q2PX');
    // Read out over the phone: lower case, with a space.
    await page.getByLabel('Receipt reference').fill(given.replace('-', ' ').toLowerCase());
    await click(page, 'Receipt found', () =>
      page.getByRole('button', { name: 'Find receipt' }).click(),
    );
    const main = page.locator('main');
    expect(await main.innerText()).toContain(`Receipt ${given}`);
    expect(await main.innerText()).toContain(`${child.givenName} ${child.familyName}`);
    await click(page, 'Pupil register (from the receipt)', () =>
      page.getByRole('link', { name: new RegExp(`consent record`) }).click(),
    );
    expect(new URL(page.url()).pathname).toBe(`/consent/pupils/${child.id}`);
    expect(await main.innerText()).toContain(given);
  });
});
