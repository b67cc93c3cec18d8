import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, navigate, startE2e, type E2eEnvironment } from '../support/e2e-browser.ts';
import { signInStaff } from '../support/e2e-pages.ts';
import { unzipEntries } from '../support/unzip.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Subject access in chromium on the demo school, with axe on every page: the DPO sees the demo's
 * open request on the home page, logs a new one (the error summary first), downloads the bundle
 * (a ZIP whose index names the pupil) and opens the retention page and the erasure search. No ids
 * or keys on any page.
 */
describe('subject access (browser)', () => {
  let env: E2eEnvironment;
  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });

  const visible = async (page: Page) =>
    (await page.locator('main').innerText()).replace(/\s+/g, ' ');

  it('the DPO logs a request and downloads the bundle', async () => {
    const { rows } = await env.ctx.services.database.pool.query<{ g: string; f: string }>(
      `SELECT p.given_name AS g, p.family_name AS f FROM pupils p JOIN schools s ON s.id = p.school_id
       WHERE s.slug = 'oakfield-primary' ORDER BY p.family_name, p.given_name LIMIT 1`,
    );
    const pupil = rows[0]!;
    const name = `${pupil.g} ${pupil.f}`;
    const session = await env.newSession();
    try {
      const { page } = session;
      await signInStaff(page, 'dpo@oakfield.example');
      await navigate(page, () => page.goto('/'));
      expect(await visible(page)).toMatch(
        /Subject access request about .+ Due .+ \(2[01] days left\)/,
      );
      await checkA11y(page, 'DPO home page');

      await navigate(page, () => page.goto('/subject-access'));
      await checkA11y(page, 'Subject access requests');
      await navigate(page, () => page.getByRole('button', { name: 'Log a request' }).click());
      await checkA11y(page, 'Log a request: find');
      await page.getByLabel('Who is the request about?').fill(pupil.f);
      await navigate(page, () => page.getByRole('button', { name: 'Find' }).click());
      await checkA11y(page, 'Log a request: the form');
      await navigate(page, () => page.getByRole('button', { name: 'Log the request' }).click());
      const summary = await page.locator('.govuk-error-summary').innerText();
      expect(summary).toContain('Select who the request is about');
      expect(summary).toContain('Enter the date the request was received');
      await checkA11y(page, 'Log a request with errors');

      await page.getByLabel(`${name} (pupil)`).check();
      await page.getByLabel('Name of the person who asked').fill('Mrs Example');
      await page.getByLabel('A parent of the pupil').check();
      await page.getByLabel('Day').fill('1');
      await page.getByLabel('Month').fill('12');
      await page.getByLabel('Year').fill('2026');
      await page.getByLabel('Yes', { exact: true }).check();
      await page.getByLabel('If you have: how did you check it?').fill('Known parent');
      await navigate(page, () => page.getByRole('button', { name: 'Log the request' }).click());
      const text = await visible(page);
      expect(text).toContain(`Subject access request about ${name}`);
      expect(text).toContain('1 January 2027');
      expect(text).not.toMatch(UUID);
      await checkA11y(page, 'The request');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download the bundle' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^subject-access-.+\.zip$/);
      const file = await download.path();
      const entries = unzipEntries(fs.readFileSync(file));
      const index = entries.get('index.html')!.toString('utf8');
      expect(index).toContain(`Information held about ${name}`);
      expect(index).toContain('Consent to photographs and videos');
      expect(JSON.parse(entries.get('data.json')!.toString('utf8')).subject.name).toBe(name);

      await navigate(page, () => page.reload());
      expect(await visible(page)).toContain('What the last bundle held');
      await checkA11y(page, 'The request after the bundle');

      await navigate(page, () => page.goto('/retention'));
      expect(await visible(page)).toContain('IRMS Information Management Toolkit for Schools');
      await checkA11y(page, 'Retention');
      await navigate(page, () => page.goto('/subject-access/erasure'));
      await checkA11y(page, 'Erasure: who is it about?');
      await page.getByLabel('Name').fill(pupil.f);
      await navigate(page, () => page.getByRole('button', { name: 'Find' }).click());
      await checkA11y(page, 'Erasure: find');
      await navigate(page, () => page.getByRole('link', { name: `${name} (pupil)` }).click());
      expect(await visible(page)).toContain('Kept, and why');
      await checkA11y(page, 'Erasure: preview');
    } finally {
      await session.close();
    }
  });
});
