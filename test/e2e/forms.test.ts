import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import {
  checkA11y,
  navigate,
  scrollWidth,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import {
  DashboardPage,
  LanyardPage,
  nextTotpCode,
  PolicyEditPage,
  SignInPage,
  signInStaff,
} from '../support/e2e-pages.ts';

/**
 * Forms and layout in a real browser: GOV.UK error summaries (focus moves to the summary, each
 * link moves focus to its field), a phone-width screen, and the service with JavaScript off.
 */

const MOBILE_WIDTH = 390;

describe('forms, small screens and no JavaScript (browser)', () => {
  let env: E2eEnvironment;
  const sessions: BrowserSession[] = [];

  const open = async (options: Parameters<E2eEnvironment['newSession']>[0] = {}) => {
    const session = await env.newSession(options);
    sessions.push(session);
    return session;
  };
  const activeId = (s: BrowserSession) => s.page.evaluate(() => document.activeElement?.id ?? '');
  const summaryHasFocus = (s: BrowserSession) =>
    s.page.evaluate(
      () => document.activeElement?.classList.contains('govuk-error-summary') ?? false,
    );

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });

  it('the axe check reports violations it finds', async () => {
    const { page } = await open();
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Bad page</title></head><body><main>' +
        '<h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input id="x">' +
        '</main></body></html>',
    );
    const error = await checkA11y(page, 'A page built to fail').then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toContain('A page built to fail');
    expect(error?.message).toMatch(/\[critical\] image-alt/);
    expect(error?.message).toMatch(/label/);

    // With JavaScript off, axe checks a copy of the page: it still finds them.
    const noJs = (await open({ javaScriptEnabled: false })).page;
    await noJs.setContent('<!doctype html><html lang="en"><body><img src="x.gif"></body></html>');
    const noJsError = await checkA11y(noJs, 'A page built to fail, no JavaScript').then(
      () => null,
      (e: Error) => e,
    );
    expect(noJsError?.message).toContain('JavaScript off');
    expect(noJsError?.message).toMatch(/\[critical\] image-alt/);
  });

  it('the sign-in form submitted empty shows the error summary, and its links reach the fields', async () => {
    const session = await open();
    const { page } = session;
    const signIn = await new SignInPage(page).open();
    await signIn.submit('', '');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expect(page.title()).resolves.toBe('Error: Sign in – Lanyard');
    await expect(signIn.errorSummary.getByRole('heading').textContent()).resolves.toContain(
      'There is a problem',
    );
    expect(await signIn.errorLinks()).toEqual([
      { text: 'Enter your email address', href: '#email' },
      { text: 'Enter your password', href: '#password' },
    ]);
    await expect(signIn.fieldError('email').textContent()).resolves.toContain(
      'Enter your email address',
    );
    await expect(signIn.fieldError('password').textContent()).resolves.toContain(
      'Enter your password',
    );
    await expect(signIn.email.getAttribute('aria-describedby')).resolves.toContain('email-error');

    // Focus moves to the summary so screen readers announce it; each link focuses its field.
    await expect(summaryHasFocus(session)).resolves.toBe(true);
    await signIn.errorSummary.getByRole('link', { name: 'Enter your password' }).click();
    await expect(activeId(session)).resolves.toBe('password');
    await signIn.errorSummary.getByRole('link', { name: 'Enter your email address' }).click();
    await expect(activeId(session)).resolves.toBe('email');

    // A badly formed address and then a wrong password each get their own message.
    await signIn.submit('not-an-email', 'x');
    expect(await signIn.errorLinks()).toEqual([
      {
        text: 'Enter an email address in the correct format, like name@example.com',
        href: '#email',
      },
    ]);
    await expect(signIn.email.inputValue()).resolves.toBe('not-an-email');
    await signIn.submit('office@oakfield.example', 'not-the-password');
    expect(await signIn.errorLinks()).toEqual([
      { text: 'The email address or password is not right', href: '#email' },
    ]);

    // Then the right password still works.
    await signIn.submit('office@oakfield.example', DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('a wrong security code shows the error summary on the code page', async () => {
    const session = await open();
    const { page } = session;
    const signIn = await new SignInPage(page).open();
    await signIn.submit('head@oakfield.example', DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/sign-in/two-factor');
    await page.locator('#code').fill('12345');
    await navigate(page, () => page.getByRole('button', { name: 'Continue' }).click());
    const codePage = new LanyardPage(page);
    await codePage.check('Security code with an error');
    expect(await codePage.errorLinks()).toEqual([
      { text: 'The code must be 6 digits', href: '#code' },
    ]);
    await expect(summaryHasFocus(session)).resolves.toBe(true);
    await codePage.errorSummary.getByRole('link').first().click();
    await expect(activeId(session)).resolves.toBe('code');
  });

  it('the policy edit page with a bad value shows the error summary', async () => {
    const session = await open();
    const { page } = session;
    await signInStaff(page, 'head@oakfield.example');
    const edit = await new PolicyEditPage(page).open();
    await expect(edit.heading.textContent()).resolves.toBe('Change the policy settings');

    const numberField = edit.main.locator('input[inputmode="numeric"]').first();
    const numberId = (await numberField.getAttribute('id'))!;
    expect(numberId).toBeTruthy();
    const original = await numberField.inputValue();
    await numberField.fill('lots');
    // The review date is a GOV.UK date input (day, month, year), prefilled with the current date.
    await expect(page.locator('#nextReviewDate-year').inputValue()).resolves.toMatch(/^\d{4}$/);
    await page.locator('#nextReviewDate-day').fill('1');
    await page.locator('#nextReviewDate-month').fill('1');
    await page.locator('#nextReviewDate-year').fill('2001');
    await page.locator('#note').fill('');
    await edit.save();

    expect(new URL(page.url()).pathname).toBe('/policy/edit');
    await expect(page.title()).resolves.toMatch(/^Error: /);
    const links = await edit.errorLinks();
    const hrefs = links.map((l) => l.href);
    expect(hrefs).toEqual(expect.arrayContaining([`#${numberId}`, '#nextReviewDate-day', '#note']));
    expect(links.find((l) => l.href === '#note')?.text).toBe(
      'Say why the policy is changing (this goes in the version history)',
    );
    expect(links.find((l) => l.href === '#nextReviewDate-day')?.text).toBe(
      'The next review date must be in the future',
    );
    // Every summary link points at a field that is on the page, with its inline message.
    for (const { href, text } of links) {
      const id = href.slice(1);
      await expect(page.locator(`[id="${id}"]`).count()).resolves.toBe(1);
      // A date input's message belongs to the whole date (its fieldset), not to the day field.
      const field = id === 'nextReviewDate-day' ? 'nextReviewDate' : id;
      await expect(edit.fieldError(field).textContent()).resolves.toContain(text);
    }
    // What was typed is kept.
    await expect(numberField.inputValue()).resolves.toBe('lots');
    await expect(summaryHasFocus(session)).resolves.toBe(true);
    await edit.errorSummary.getByRole('link', { name: links[0]!.text }).click();
    await expect(activeId(session)).resolves.toBe(links[0]!.href.slice(1));

    // Corrected, it saves as a new version.
    await numberField.fill(original);
    await page.locator('#nextReviewDate-day').fill('31');
    await page.locator('#nextReviewDate-month').fill('1');
    await page.locator('#nextReviewDate-year').fill('2099');
    await page.locator('#note').fill('Agreed at the governors’ meeting.');
    await edit.save();
    expect(new URL(page.url()).pathname).toBe('/policy');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toMatch(
      /Saved as version \d+ \(\d+ settings? changed\)/,
    );
    // The new review date is shown in words.
    await expect(page.locator('main').textContent()).resolves.toContain('31 January 2099');
  });

  it(`sign-in and the dashboard fit a ${MOBILE_WIDTH} px wide screen without scrolling sideways`, async () => {
    const session = await open({
      viewport: { width: MOBILE_WIDTH, height: 844 },
      deviceScaleFactor: 3,
      hasTouch: true,
      isMobile: true,
    });
    const { page } = session;
    const signIn = await new SignInPage(page).open();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);
    await signIn.submit('', '');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);
    await signIn.submit('dpo@oakfield.example', DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/sign-in/two-factor');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);
    await page.locator('#code').fill(await nextTotpCode('dpo@oakfield.example'));
    await navigate(page, () => page.getByRole('button', { name: 'Continue' }).click());
    const dashboard = new DashboardPage(page);
    await dashboard.check(`Dashboard at ${MOBILE_WIDTH} px`);
    await expect(dashboard.heading.textContent()).resolves.toContain('Good to see you, Priya');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);

    // The navigation collapses behind a Menu button, which opens it.
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu.isVisible()).resolves.toBe(true);
    await menu.click();
    await expect(
      page
        .locator('.govuk-service-navigation')
        .getByRole('link', { name: 'Pupils and families', exact: true })
        .isVisible(),
    ).resolves.toBe(true);
    await dashboard.check(`Dashboard at ${MOBILE_WIDTH} px, menu open`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);
  });

  it('without JavaScript a member of staff signs in, opens Pupils, searches and signs out', async () => {
    const session = await open({ javaScriptEnabled: false });
    const { page } = session;
    const signIn = await new SignInPage(page).open();
    // GOV.UK Frontend did not start: the body never got its js-enabled class.
    await expect(page.locator('body').getAttribute('class')).resolves.not.toContain('js-enabled');

    await signIn.submit('', '');
    expect(await signIn.errorLinks()).toHaveLength(2);

    await signIn.submit('dsl@oakfield.example', DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/sign-in/two-factor');
    await page.locator('#code').fill(await nextTotpCode('dsl@oakfield.example'));
    await navigate(page, () => page.getByRole('button', { name: 'Continue' }).click());
    const dashboard = new DashboardPage(page);
    await dashboard.check('Dashboard without JavaScript');
    await expect(
      dashboard.main.getByRole('heading', { name: 'Needs your attention' }).count(),
    ).resolves.toBe(1);

    await dashboard.openSection('Pupils and families', 'Pupils');
    expect(new URL(page.url()).pathname).toBe('/pupils');
    const pupils = new LanyardPage(page);
    await expect(pupils.heading.textContent()).resolves.toBe('Pupils');
    await expect(pupils.main.locator('caption').first().textContent()).resolves.toMatch(
      /Pupils \(\d+\)/,
    );
    const firstPupil = pupils.main.locator('tbody tr th a').first();
    const name = ((await firstPupil.textContent()) ?? '').trim();
    const familyName = name.split(',')[0]!;

    // The search is a plain GET form.
    await page.locator('#q').fill(familyName);
    await navigate(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    await pupils.check('Pupil search without JavaScript');
    expect(new URL(page.url()).searchParams.get('q')).toBe(familyName);
    await expect(pupils.main.getByRole('link', { name }).count()).resolves.toBeGreaterThan(0);

    // A pupil's record.
    await navigate(page, () => pupils.main.getByRole('link', { name }).first().click());
    await pupils.check('Pupil record without JavaScript');
    await expect(pupils.heading.textContent()).resolves.toBeTruthy();

    const signedOut = await pupils.signOut();
    await expect(signedOut.heading.textContent()).resolves.toBe('You have signed out');
  });
});
