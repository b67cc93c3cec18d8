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
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';

/**
 * Pages that must fit the screen (issue 9 items 6 and 8), in chromium at a desktop width
 * (1280 px) and a phone width (390 px), each with an axe check: the wide consent grids of a
 * school with five uses (Riverside, John Clifford template), the policy page, the second-factor
 * page and the trust admin's dashboard.
 */

const WIDTHS = [1280, 390] as const;

describe('pages fit the screen (browser)', () => {
  let env: E2eEnvironment;
  const sessions: BrowserSession[] = [];

  const open = async (width: number) => {
    const session = await env.newSession({
      viewport: { width, height: width === 390 ? 844 : 900 },
    });
    sessions.push(session);
    return session;
  };

  /** Opens a page, runs axe, and measures: the page never scrolls sideways. */
  const visit = async (session: BrowserSession, url: string, label: string) => {
    const { page } = session;
    await navigate(page, () => page.goto(url));
    await checkA11y(page, label);
    const width = page.viewportSize()!.width;
    expect(await scrollWidth(page), `${label}: the page scrolls sideways`).toBeLessThanOrEqual(
      width,
    );
    return page;
  };

  beforeAll(async () => {
    env = await startE2e({ env: { LOGIN_RATE_LIMIT: '10000' } });
  });
  afterAll(async () => {
    await env?.close();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });

  for (const width of WIDTHS) {
    it(`the consent grids of a school with five uses fit at ${width} px`, async () => {
      const session = await open(width);
      const { page } = session;
      await signInStaff(page, 'head@riverside.example');
      const { rows } = await env.ctx.services.database.pool.query<{ id: string; cls: string }>(
        `SELECT p.id, p.class_name AS cls FROM pupils p JOIN schools s ON s.id = p.school_id
         WHERE s.slug = 'riverside-primary' AND p.class_name IS NOT NULL
         ORDER BY p.class_name, p.family_name LIMIT 1`,
      );
      const { id, cls } = rows[0]!;
      const klass = encodeURIComponent(cls);

      const grid = await visit(session, `/consent/classes/${klass}`, `Class matrix at ${width}`);
      if (width === 1280) {
        // The whole table fits its column: nothing hidden to the right.
        const region = grid.locator('.lanyard-matrix-table .lanyard-table-scroll');
        await expect(region.isVisible()).resolves.toBe(true);
        const [sw, cw] = await region.evaluate((e) => [e.scrollWidth, e.clientWidth]);
        expect(sw).toBeLessThanOrEqual(cw);
        await expect(grid.locator('.lanyard-matrix-cards').isVisible()).resolves.toBe(false);
        await expect(grid.locator('.lanyard-matrix th[colspan]').count()).resolves.toBe(5);
      } else {
        // On a phone: one card per pupil, every answer readable without scrolling sideways.
        await expect(grid.locator('.lanyard-matrix-table').isVisible()).resolves.toBe(false);
        const cards = grid.locator('.lanyard-matrix-cards .govuk-summary-card');
        await expect(cards.count()).resolves.toBeGreaterThan(3);
        await expect(cards.first().textContent()).resolves.toMatch(/Photos: [✓✗?–]/);
      }

      await visit(session, `/consent/pupils/${id}`, `Pupil's consent at ${width}`);
      await visit(session, `/consent/classes/${klass}/card`, `Consent card at ${width}`);
      const [y, m, d] = new Date().toISOString().slice(0, 10).split('-');
      await visit(
        session,
        `/consent/check?class=${klass}&purpose=school_website&mediaType=image&named=yes&at-day=${d}&at-month=${m}&at-year=${y}&check=1`,
        `Check results at ${width}`,
      );
      await visit(
        session,
        '/consent/changes?since-day=1&since-month=1&since-year=2020',
        `Changes at ${width}`,
      );
      await visit(session, '/consent/campaigns', `Campaigns at ${width}`);
    });

    it(`the policy page and its edit page read in words and fit at ${width} px`, async () => {
      const session = await open(width);
      await signInStaff(session.page, 'head@riverside.example');
      const policy = await visit(session, '/policy', `Policy at ${width}`);
      const main = (await policy.locator('main').textContent()) ?? '';
      expect(main).toContain('1 September');
      expect(main).toContain('Photos and videos');
      expect(main).not.toMatch(/month: |image; video|business_manager/);
      // No setting shows a key (publicity_poster, photo_opportunity_only), a field's name
      // (posterResponsibilities) or a raw object (issue 15's lists and structured rules).
      expect(main).not.toMatch(/\b[a-z]+(_[a-z0-9]+)+\b|\bkey: |[{}]/);
      expect(main).not.toMatch(/\b(accountKind|mayBlock|mayFollow|posterResponsibilities)\b/);
      expect(main).toContain('Whom the account may follow: Official accounts only');
      // The contents list moves focus to its group.
      await policy.getByRole('link', { name: 'Policy review', exact: true }).click();
      expect(new URL(policy.url()).hash).toBe('#group-review');
      await visit(session, '/policy/edit', `Policy settings at ${width}`);
      await visit(session, '/policy/versions/1', `Policy version 1 at ${width}`);
      // Start and switch (issue 15 item 3): the starting points and what a switch would change.
      await visit(session, '/policy/switch', `Policy starting points at ${width}`);
      const preview = await visit(
        session,
        '/policy/switch/preview?templateKey=sacred-heart-rochdale',
        `Policy switch preview at ${width}`,
      );
      expect((await preview.locator('main').textContent()) ?? '').not.toMatch(
        /\b[a-z]+(_[a-z0-9]+)+\b|[{}]/,
      );
      await visit(session, '/policy/responsibilities', `Responsibilities at ${width}`);
    });
  }

  it('the second-factor page says nobody is signed in yet, and fits a phone', async () => {
    const session = await open(390);
    const { page } = session;
    await navigate(page, () => page.goto('/sign-in'));
    await checkA11y(page, 'Sign in');
    await page.locator('#email').fill('dsl@oakfield.example');
    await page.locator('#password').fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
    expect(new URL(page.url()).pathname).toBe('/sign-in/two-factor');
    await new LanyardPage(page).check('Second factor at 390');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain('Signed in as');
    expect(body).toContain('You are not signed in until you enter the code');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    // Cancel sign-in ends the half-made session.
    await navigate(page, () => page.getByRole('button', { name: 'Cancel sign-in' }).click());
    await new LanyardPage(page).check('After cancelling sign-in');
    await navigate(page, () => page.goto('/'));
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await checkA11y(page, 'Sign in again');
  });

  for (const width of WIDTHS) {
    it(`the trust admin's dashboard shows the trust and fits at ${width} px`, async () => {
      const session = await open(width);
      await signInStaff(session.page, 'trust@northway.example');
      const home = await visit(session, '/', `Trust dashboard at ${width}`);
      await expect(home.locator('.lanyard-school').textContent()).resolves.toBe(
        'Northway Learning Trust',
      );
      // A table to compare schools on a wide screen, one card per school on a phone.
      const shown = home.locator(width === 1280 ? 'main table' : 'main .lanyard-matrix-cards');
      await expect(shown.isVisible()).resolves.toBe(true);
      const figures = (await shown.textContent()) ?? '';
      expect(figures).toContain('With a consent form');
      expect(figures).toMatch(/Oakfield Primary School[\s\S]*\d+ \(\d+%\)/);
    });
  }
});
