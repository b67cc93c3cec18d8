import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  navigate,
  scrollWidth,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { LanyardPage, signInStaff } from '../support/e2e-pages.ts';

const MOBILE_WIDTH = 390;
const SECTIONS = [
  'Home',
  'Pupils and families',
  'Consent',
  'Posts and photos',
  'Safeguarding',
  'Staff',
  'Policy and reports',
];

/**
 * The Headteacher's menu, grouped into sections (web/navigation.ts): one row at desktop width,
 * a section's page lists its entries, the section of the page is marked, and it all works at
 * 390 px wide with and without JavaScript. axe runs on every page visited.
 */
describe('the service navigation in sections (browser)', () => {
  let env: E2eEnvironment;
  const sessions: BrowserSession[] = [];

  beforeAll(async () => {
    env = await startE2e();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });
  afterAll(async () => {
    await env?.close();
  });

  const menu = (session: BrowserSession) => session.page.locator('.govuk-service-navigation');
  const menuLink = (session: BrowserSession, name: string) =>
    menu(session).getByRole('link', { name, exact: true });

  it('shows the Headteacher seven items on one row, and a section leads to its entries', async () => {
    const session = await env.newSession({ viewport: { width: 1280, height: 800 } });
    sessions.push(session);
    const { page } = session;
    const home = await signInStaff(page, 'head@oakfield.example');
    expect(await home.navItems()).toEqual(SECTIONS);
    await expect(menuLink(session, 'Home').getAttribute('aria-current')).resolves.toBe('page');
    // One row: every item starts at the same height.
    const tops = await menu(session)
      .locator('.govuk-service-navigation__item')
      .evaluateAll((items) => items.map((i) => Math.round(i.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);

    // Safeguarding → its page: each entry a link with what is there; the section is this page.
    await home.openNav('Safeguarding');
    expect(new URL(page.url()).pathname).toBe('/section/safeguarding');
    await expect(home.heading.textContent()).resolves.toBe('Safeguarding');
    await expect(home.main.textContent()).resolves.toContain(
      'Concerns and incidents reported to the school, and what is being done about each.',
    );
    await expect(menuLink(session, 'Safeguarding').getAttribute('aria-current')).resolves.toBe(
      'page',
    );
    await expect(menuLink(session, 'Home').getAttribute('aria-current')).resolves.toBeNull();

    // An entry's page (and one below it) keeps its section marked.
    await navigate(page, () =>
      home.main.getByRole('link', { name: 'Incidents', exact: true }).click(),
    );
    await home.check('Incidents (from Safeguarding)');
    expect(new URL(page.url()).pathname).toBe('/incidents');
    await expect(menuLink(session, 'Safeguarding').getAttribute('aria-current')).resolves.toBe(
      'true',
    );
    // The device register is reached from the photo library, and is in "Posts and photos".
    await home.goto('/devices', 'School devices');
    await expect(menuLink(session, 'Posts and photos').getAttribute('aria-current')).resolves.toBe(
      'true',
    );
    await expect(
      menuLink(session, 'Safeguarding').getAttribute('aria-current'),
    ).resolves.toBeNull();
  });

  it('a section the person cannot open is not found', async () => {
    const session = await env.newSession();
    sessions.push(session);
    const { page } = session;
    await signInStaff(page, 'volunteer@oakfield.example');
    const response = await page.goto('/section/pupils-and-families');
    expect(response?.status()).toBe(404);
    await new LanyardPage(page).check('Pupils and families, as a volunteer (not found)');
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`fits ${MOBILE_WIDTH} px wide ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      const session = await env.newSession({
        viewport: { width: MOBILE_WIDTH, height: 844 },
        deviceScaleFactor: 2,
        hasTouch: true,
        isMobile: true,
        javaScriptEnabled,
      });
      sessions.push(session);
      const { page } = session;
      const home = await signInStaff(page, 'head@oakfield.example');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);
      const button = menu(session).getByRole('button', { name: 'Menu' });
      if (javaScriptEnabled) {
        // The menu folds behind its button, which opens it.
        await expect(menuLink(session, 'Staff').isVisible()).resolves.toBe(false);
        await button.click();
      } else {
        await expect(button.isVisible()).resolves.toBe(false);
      }
      await expect(menuLink(session, 'Policy and reports').isVisible()).resolves.toBe(true);
      await home.check(`Home at ${MOBILE_WIDTH} px, menu showing`);
      await home.openNav('Staff');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE_WIDTH);
      await navigate(page, () =>
        home.main.getByRole('link', { name: 'Training', exact: true }).click(),
      );
      await home.check(`Training at ${MOBILE_WIDTH} px`);
      expect(new URL(page.url()).pathname).toBe('/training');
    });
  }
});
