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
 * The policy lifecycle in chromium on the demo school (Oakfield: a reviewed policy with a
 * substantive new version, acknowledgements in progress), axe on every page: the public page
 * with no sign-in; the Headteacher reads the text, follows a citation to its clause, sees who is
 * missing and the review, and publishes a substantive new version with the text editor (the
 * error summary first), whose diff shows the words; a member of staff is asked again and
 * acknowledges on a phone-sized screen. No ids or keys on any page.
 */
describe('policy lifecycle pages (browser)', () => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });

  const visible = async (page: Page) =>
    (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  const noKeys = (text: string) => {
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(/\b(policy_version|pupil_class|policy_review)\b/);
    expect(text).not.toMatch(/[{}]/);
  };

  it('shows the public policy page with no sign-in', async () => {
    const session = await env.newSession();
    try {
      const { page } = session;
      await navigate(page, () => page.goto('/schools/oakfield-primary/policy'));
      await checkA11y(page, 'public policy page');
      const text = await visible(page);
      expect(text).toContain('Sacred Heart RC Primary School Social Media Policy');
      expect(text).toContain('report any concern about social media');
      expect(text).not.toContain('Put into practice by');
      noKeys(text);
    } finally {
      await session.close();
    }
  });

  it('the Headteacher reads the text, follows a citation, sees who is missing and publishes a substantive version', async () => {
    const session = await env.newSession();
    try {
      const { page } = session;
      await signInStaff(page, 'head@oakfield.example');
      for (const url of ['/policy/text', '/acknowledgements/missing', '/policy/reviews']) {
        await navigate(page, () => page.goto(url));
        await checkA11y(page, url);
        noKeys(await visible(page));
      }
      // The review, approved, links the version it published.
      await navigate(page, () => page.goto('/policy/reviews'));
      await checkA11y(page, 'reviews again');
      await navigate(page, () => page.locator('main table a').first().click());
      await checkA11y(page, 'a review');
      expect(await visible(page)).toContain('the chair of governors');
      // A citation opens the school's own wording at its clause.
      await navigate(page, () => page.goto('/policy/cite?section=4.15'));
      expect(new URL(page.url()).hash).toBe('#clause-4-15');
      await checkA11y(page, 'the text at a clause');
      await expect(page.locator('#clause-4-15').innerText()).resolves.toMatch(/^4\.15/);
      // Who is missing: the new version asks everyone again.
      await navigate(page, () => page.goto('/acknowledgements/missing'));
      await checkA11y(page, 'who is missing');
      expect(await visible(page)).toContain('Volunteer');

      // The editor: no kind of change chosen → the error summary first.
      await navigate(page, () => page.goto('/policy/text/edit'));
      await checkA11y(page, 'text editor');
      const clause = page.getByLabel('Clause 9.1', { exact: true });
      const words = await clause.inputValue();
      await clause.fill(`${words} Training includes how to report a concern.`);
      await page.getByLabel('Why is the policy changing?').fill('Training covers reporting');
      await navigate(page, () =>
        page.getByRole('button', { name: 'Publish the new version' }).click(),
      );
      await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain(
        'substantive change',
      );
      await checkA11y(page, 'text editor with errors');
      await page.getByLabel('A substantive change').check();
      await navigate(page, () =>
        page.getByRole('button', { name: 'Publish the new version' }).click(),
      );
      const diff = await visible(page);
      expect(diff).toContain('is published');
      expect(diff).toContain('Training includes how to report a concern.');
      expect(await page.locator('main ins').count()).toBeGreaterThan(0);
      await checkA11y(page, 'version diff');
      noKeys(diff);
    } finally {
      await session.close();
    }
  });

  it('a member of staff is asked again and acknowledges on a phone-sized screen', async () => {
    const session = await env.newSession({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = session;
      await signInStaff(page, 'support@oakfield.example');
      await navigate(page, () => page.goto('/acknowledge-policy'));
      await checkA11y(page, 'acknowledge page');
      expect(await visible(page)).toContain('superseded');
      await navigate(page, () =>
        page.getByRole('button', { name: 'Acknowledge the policy' }).click(),
      );
      await checkA11y(page, 'acknowledge with errors');
      await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain(
        'Tick the box',
      );
      await page.locator('input[name="confirm"]').check();
      await navigate(page, () =>
        page.getByRole('button', { name: 'Acknowledge the policy' }).click(),
      );
      await checkA11y(page, 'acknowledged');
      expect(await visible(page)).toContain('You have acknowledged the current policy');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await navigate(page, () => page.goto('/policy/text'));
      await checkA11y(page, 'policy text on a phone');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    } finally {
      await session.close();
    }
  });
});
