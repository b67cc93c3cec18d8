import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  navigate,
  scrollWidth,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { LanyardPage, signInStaff } from '../support/e2e-pages.ts';

/**
 * The channels pages in chromium as the demo Business Manager (the school's credential
 * custodian): the list, adding a social account (with the error summary first), authorising a
 * poster, recording a hand-over, adding a webhook whose secret is shown once. Every page passes
 * axe; the list and a channel fit a phone; nothing needs JavaScript.
 */
describe('the school’s channels (browser)', () => {
  let env: E2eEnvironment;
  const sessions: BrowserSession[] = [];

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });

  it('a custodian adds and looks after the school’s accounts, with JavaScript off', async () => {
    const session = await env.newSession({ javaScriptEnabled: false });
    sessions.push(session);
    const { page } = session;
    await signInStaff(page, 'business@oakfield.example');
    const view = new LanyardPage(page);
    const click = (name: string) =>
      navigate(page, () => page.getByRole('button', { name, exact: true }).click());

    // The menu's "Posts and photos" lists the channels with what they are, without JavaScript.
    await view.openNav('Posts and photos');
    await expect(view.heading.textContent()).resolves.toBe('Posts and photos');
    await expect(view.main.textContent()).resolves.toContain(
      'The school’s website and social media accounts that posts go to.',
    );
    await navigate(page, () =>
      view.main.getByRole('link', { name: 'Channels', exact: true }).click(),
    );
    await view.check('Channels');
    await expect(view.heading.textContent()).resolves.toBe('The school’s channels');
    await expect(view.main.textContent()).resolves.toContain('School news page');

    await navigate(page, () => page.getByRole('button', { name: 'Add a channel' }).click());
    await view.check('Add a channel: the kind');
    await page.getByLabel('Social media account').check();
    await click('Continue');
    await view.check('Add a social media account');

    // Nothing filled in: the error summary, each link to its field.
    await click('Add channel');
    await view.check('Add a social media account with errors');
    const links = await view.errorLinks();
    expect(links).toEqual(
      expect.arrayContaining([
        { text: 'Enter a name for the channel', href: '#name' },
        { text: 'Enter the platform, for example Facebook', href: '#platform' },
        { text: 'Select what the channel is used for', href: '#purposeKey' },
      ]),
    );
    for (const l of links) expect(await page.locator(l.href).count(), l.href).toBe(1);

    await page.getByLabel('Name', { exact: true }).fill('School Instagram');
    await page.getByLabel('Platform', { exact: true }).fill('Instagram');
    await page.getByLabel('The account’s name on the platform').fill('@oakfieldprimary');
    await page.locator('input[name="purposeKey"]').first().check();
    await page.getByLabel('Only followers the school has approved').check();
    await page.getByLabel('Comments are on and moderated').check();
    await page
      .getByLabel('How comments are moderated, and by whom')
      .fill('The office reads comments every morning and hides any that name a pupil.');
    await click('Add channel');
    await view.check('A social media account');
    await expect(view.heading.textContent()).resolves.toBe('School Instagram');
    const main = (await view.main.textContent()) ?? '';
    expect(main).toContain('2,200 characters');
    expect(main).toContain('Only followers the school has approved');
    expect(main).not.toMatch(/school_|approved_followers|on_moderated/);

    // Authorise a poster, then record a hand-over.
    await page.getByLabel('Authorise someone to post').selectOption({ index: 1 });
    await click('Authorise');
    await view.check('A channel with a poster');
    await expect(view.main.textContent()).resolves.toContain('may now post to this channel');
    await navigate(page, () =>
      page.getByRole('link', { name: 'Record a hand-over of the credentials' }).click(),
    );
    await view.check('Record a hand-over');
    await click('Record the hand-over');
    await view.check('Record a hand-over with errors');
    expect((await view.errorLinks()).map((l) => l.text)).toEqual(
      expect.arrayContaining([
        'Select who now keeps the credentials',
        'Enter why the credentials were handed over',
      ]),
    );
    const headOption = await page
      .locator('#toStaffId option')
      .filter({ hasText: /.+/ })
      .evaluateAll((options) =>
        options
          .map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' }))
          .filter((o) => o.value),
      );
    // The Headteacher always may keep them.
    const heads = await env.ctx.services.database.pool.query<{ id: string }>(
      "SELECT s.id FROM staff s JOIN staff_roles r ON r.staff_id = s.id WHERE s.email = 'head@oakfield.example' AND r.role = 'headteacher'",
    );
    const head = headOption.find((o) => o.value === heads.rows[0]!.id)!;
    await page.locator('#toStaffId').selectOption(head.value);
    await page
      .getByLabel('Why were they handed over?')
      .fill('Business Manager on leave for a week');
    await click('Record the hand-over');
    await view.check('A channel after a hand-over');
    const after = (await view.main.textContent()) ?? '';
    expect(after).toContain(`${head.text.trim()} now keeps the credentials`);
    expect(after).toContain('Business Manager on leave for a week');

    // A webhook: the signing secret Lanyard made is shown once.
    await navigate(page, () => page.goto('/channels/new?kind=webhook'));
    await view.check('Add a webhook');
    await page.getByLabel('Name', { exact: true }).fill('Trust website');
    await page.getByLabel('Address to send posts to').fill('https://trust.example/lanyard');
    await page.locator('input[name="purposeKey"]').first().check();
    await click('Add channel');
    await view.check('The signing secret, once');
    const secret = (await page.locator('#secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await navigate(page, () => page.getByRole('button', { name: 'I have copied it' }).click());
    await view.check('A webhook channel');
    expect((await page.content()).includes(secret)).toBe(false);
    await expect(view.main.textContent()).resolves.toContain(
      'It is encrypted and is never shown again',
    );
  });

  it('a custodian gives the news page the school’s colour and logo, with JavaScript off', async () => {
    const session = await env.newSession({ javaScriptEnabled: false });
    sessions.push(session);
    const { page } = session;
    await signInStaff(page, 'business@oakfield.example');
    const view = new LanyardPage(page);
    await view.goto('/channels', 'Channels, with the news page appearance link');
    await navigate(page, () =>
      view.main.getByRole('link', { name: 'News page appearance', exact: true }).click(),
    );
    await view.check('News page appearance');
    await expect(view.heading.textContent()).resolves.toBe('News page appearance');
    // The demo's crest is there already, with its alt text.
    await expect(view.main.getByAltText('Oakfield Primary School logo').count()).resolves.toBe(1);

    // Too light for white writing: the error summary, linked to the field.
    await page.getByLabel('Colour', { exact: true }).fill('#ffdd00');
    await navigate(page, () =>
      page.getByRole('button', { name: 'Save the news page appearance' }).click(),
    );
    await view.check('News page appearance with errors');
    const links = await view.errorLinks();
    expect(links).toHaveLength(1);
    expect(links[0]!.href).toBe('#colour');
    expect(links[0]!.text).toContain('too light for the white writing on it');

    await page.getByLabel('Colour', { exact: true }).fill('#0b3d91');
    await navigate(page, () =>
      page.getByRole('button', { name: 'Save the news page appearance' }).click(),
    );
    await view.check('News page appearance saved');
    await expect(view.main.textContent()).resolves.toContain('#0b3d91');

    // The public news page in that colour, the logo beside the name; axe passes on it too.
    await view.goto('/news/oakfield-primary', 'News page in the school’s colour');
    const band = await page
      .locator('.govuk-generic-header')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(band).toBe('rgb(11, 61, 145)');
    const logo = page.locator('header img.lanyard-news-logo');
    await expect(logo.getAttribute('alt')).resolves.toBe('Oakfield Primary School logo');
    expect(
      await logo.evaluate((img) => (img as HTMLImageElement).naturalHeight),
    ).toBeLessThanOrEqual(120);
  });

  it('fits a phone', async () => {
    const session = await env.newSession({ viewport: { width: 390, height: 844 } });
    sessions.push(session);
    const { page } = session;
    await signInStaff(page, 'business@oakfield.example');
    await navigate(page, () => page.goto('/channels'));
    await checkA11y(page, 'Channels at 390');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    await navigate(page, () => page.locator('main table a').first().click());
    await checkA11y(page, 'A channel at 390');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
  });
});
