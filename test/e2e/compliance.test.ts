import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkA11y,
  navigate,
  scrollWidth,
  startE2e,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { signInStaff } from '../support/e2e-pages.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The compliance view in chromium on the demo trust, axe on every page: the Headteacher follows
 * "N people overdue" from the home page, filters by role without JavaScript, and prints the page
 * (no menus or filters); a governor sees figures by role and no names; the trust admin sees each
 * school's figures and not one name of Oakfield's staff.
 */
describe('compliance pages (browser)', () => {
  let env: E2eEnvironment;
  let oakfieldStaff: string[];

  beforeAll(async () => {
    env = await startE2e();
    const { rows } = await env.ctx.services.database.pool.query<{ name: string }>(
      `SELECT s.given_name || ' ' || s.family_name AS name FROM staff s
       JOIN schools sc ON sc.id = s.school_id WHERE sc.name LIKE 'Oakfield%'`,
    );
    oakfieldStaff = rows.map((r) => r.name);
    expect(oakfieldStaff.length).toBeGreaterThan(5);
  });
  afterAll(async () => {
    await env?.close();
  });

  const visible = async (page: Page) =>
    (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  const noKeys = (text: string) => {
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(
      /\b(staff_regular|staff_induction|at_risk_identification|acknowledgement|due_soon|not_required|business_manager|support_staff)\b/,
    );
    expect(text).not.toMatch(/[{}]/);
  };

  it('the Headteacher follows “people overdue”, filters without JavaScript and prints', async () => {
    const session = await env.newSession({ javaScriptEnabled: false });
    try {
      const { page } = session;
      await signInStaff(page, 'head@oakfield.example');
      const item = page.getByRole('link', { name: /people overdue|person overdue/ });
      await navigate(page, () => item.first().click());
      expect(page.url()).toContain('/compliance?status=overdue');
      await checkA11y(page, 'Compliance, overdue');
      let text = await visible(page);
      noKeys(text);
      expect(text).toContain('By role');
      expect(text).toContain('By person');
      expect(text).toContain('Overdue');
      expect(text).toMatch(/\d+% done/);
      // The volunteer and the governor have not acknowledged the policy (the demo).
      expect(text).toMatch(/Volunteer/);

      await page.locator('#role').selectOption({ label: 'Volunteer' });
      await page.locator('#status').selectOption({ label: 'Any' });
      await navigate(page, () => page.getByRole('button', { name: 'Show' }).click());
      expect(page.url()).toContain('role=volunteer');
      await checkA11y(page, 'Compliance, volunteers');
      text = await visible(page);
      noKeys(text);
      const rows = await page.locator('table').nth(1).locator('tbody tr').count();
      expect(rows).toBeGreaterThan(0);
      const csvHref = await page
        .getByRole('link', { name: /spreadsheet \(CSV\)/ })
        .getAttribute('href');
      expect(csvHref).toBe('/compliance.csv?role=volunteer');

      await page.emulateMedia({ media: 'print' });
      expect(
        await page
          .locator('.govuk-service-navigation, footer, .lanyard-no-print, form[role="search"]')
          .evaluateAll((els) => els.filter((e) => getComputedStyle(e).display !== 'none').length),
      ).toBe(0);
      expect(
        await page
          .locator('.lanyard-table-scroll')
          .first()
          .evaluate((e) => getComputedStyle(e).overflowX),
      ).toBe('visible');
      await page.emulateMedia({ media: 'screen' });
    } finally {
      await session.close();
    }
  });

  it('a governor sees figures by role and no names, on a phone-sized screen', async () => {
    const session = await env.newSession({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = session;
      await signInStaff(page, 'governor@oakfield.example');
      await navigate(page, () => page.goto('/compliance'));
      await checkA11y(page, 'Compliance, governor');
      const text = await visible(page);
      noKeys(text);
      expect(text).toContain('You see figures by role');
      expect(text).not.toContain('By person');
      for (const name of oakfieldStaff) expect(text).not.toContain(name);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    } finally {
      await session.close();
    }
  });

  it('the trust admin sees each school’s figures and no name', async () => {
    const session = await env.newSession();
    try {
      const { page } = session;
      await signInStaff(page, 'trust@northway.example');
      await navigate(page, () => page.getByRole('link', { name: 'Training compliance' }).click());
      expect(new URL(page.url()).pathname).toBe('/trust/compliance');
      await checkA11y(page, 'Trust compliance');
      const text = await visible(page);
      noKeys(text);
      expect(text).toContain('Oakfield');
      expect(text).toMatch(/\d+% done/);
      for (const name of oakfieldStaff) expect(text).not.toContain(name);
      const html = await page.content();
      for (const name of oakfieldStaff) expect(html).not.toContain(name);
    } finally {
      await session.close();
    }
  });
});
