import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, navigate, startE2e, type E2eEnvironment } from '../support/e2e-browser.ts';
import { signInStaff } from '../support/e2e-pages.ts';
import { pdfText } from '../support/pdf-text.ts';

/**
 * The governors' monitoring report in chromium on the demo school (Oakfield: its profile gives
 * governors the report), axe on every page: a governor opens the report from the navigation, reads
 * this term's figures (charts with their tables, the school's clause, no names), chooses the school
 * year, and downloads the PDF, whose text has the same tables and no pupil's name. The trust admin
 * sees the figures per school and in total.
 */
describe("governors' monitoring report (browser)", () => {
  let env: E2eEnvironment;
  let names: string[];

  beforeAll(async () => {
    env = await startE2e();
    const { rows } = await env.ctx.services.database.pool.query<{ name: string }>(
      `SELECT given_name || ' ' || family_name AS name FROM pupils
       UNION SELECT given_name || ' ' || family_name FROM parents
       UNION SELECT given_name || ' ' || family_name FROM staff WHERE email <> 'governor@oakfield.example'`,
    );
    names = rows.map((r) => r.name);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a governor opens the report, chooses the year and downloads the PDF', async () => {
    const session = await env.newSession({ acceptDownloads: true });
    try {
      const { page } = session;
      await signInStaff(page, 'governor@oakfield.example');
      // The menu's "Policy and reports" leads to the section's page, which lists the report.
      await navigate(page, () =>
        page
          .locator('.govuk-service-navigation')
          .getByRole('link', { name: 'Policy and reports', exact: true })
          .click(),
      );
      await checkA11y(page, 'Policy and reports');
      await navigate(page, () =>
        page.locator('main').getByRole('link', { name: 'Governors’ report' }).click(),
      );
      await checkA11y(page, 'Governors’ report, this term');
      // The menu marks the section the report is in.
      await expect(
        page
          .locator('.govuk-service-navigation')
          .getByRole('link', { name: 'Policy and reports' })
          .getAttribute('aria-current'),
      ).resolves.toBe('true');
      const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      expect(main).toContain('Governors’ monitoring report');
      expect(main).toMatch(/Autumn term|Spring term|Summer term/);
      expect(main).toContain('Incidents by category (the 4Cs)');
      expect(main).toContain('Consent coverage by year group');
      expect(main).toContain('Posts published and taken down');
      expect(main).toMatch(/\d+ incidents were reported in this period/);
      for (const name of names) expect(main).not.toContain(name);
      expect(main).not.toMatch(
        /\b(pupil_on_pupil|parent_defamation|staff_regular|problems_found)\b/,
      );
      // Every chart is an image with a name and a description, followed by its table (a table
      // whose every figure is hidden has no chart).
      const charts = page.locator('svg[role="img"]');
      expect(await charts.count()).toBeGreaterThanOrEqual(1);
      for (const chart of await charts.all()) {
        await expect(chart.locator('title').textContent()).resolves.toContain('bar chart');
        await expect(chart.locator('desc').textContent()).resolves.toMatch(/\w+/);
      }
      expect(await page.locator('table.govuk-table').count()).toBeGreaterThanOrEqual(10);

      const year = await page
        .locator('#period option', { hasText: 'School year' })
        .first()
        .getAttribute('value');
      await page.getByLabel('Period').selectOption(year!);
      await navigate(page, () => page.getByRole('button', { name: 'Show this period' }).click());
      expect(page.url()).toMatch(/period=\d{4}-\d{2}$/);
      await checkA11y(page, 'Governors’ report, the school year');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download this report as a PDF (A4)' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^governors-report-\d{4}-\d{2}\.pdf$/);
      const pdf = fs.readFileSync((await download.path())!);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(pdf);
      expect(text).toContain('Governors’ monitoring report');
      expect(text).toContain('Incidents by category (the 4Cs)');
      expect(text).toContain('Oakfield');
      for (const name of names) expect(text).not.toContain(name);
    } finally {
      await session.close();
    }
  });
});
