import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkA11y,
  navigate,
  scrollWidth,
  startE2e,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { signInStaff, signInWithEmailLink } from '../support/e2e-pages.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Training in chromium on the demo school, axe on every page: the teacher marks a class's termly
 * e-safety lesson (the error summary first); the Business Manager schedules an induction, takes
 * its register on a phone-sized screen and is refused for the volunteer who has not acknowledged
 * the policy; the demo parent books a place at the parents' meeting. No ids, keys or raw JSON on
 * any page; nothing scrolls sideways at 390 px.
 */
describe('training pages (browser)', () => {
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
    expect(text).not.toMatch(
      /\b(staff_regular|staff_induction|pupils_esafety|parents_esafety|at_risk_identification|due_soon|policy_version)\b/,
    );
    expect(text).not.toMatch(/[{}]/);
  };

  it('a teacher marks a class’s termly e-safety lesson', async () => {
    const session = await env.newSession({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = session;
      await signInStaff(page, 'teacher@oakfield.example');
      for (const url of ['/training', '/acknowledge-policy', '/training/lessons']) {
        await navigate(page, () => page.goto(url));
        await checkA11y(page, url);
        noKeys(await visible(page));
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      }
      const className = await page.locator('input[name="className"]').first().getAttribute('value');
      expect(className).toBeTruthy();
      await page.locator('input[name="className"]').first().check();
      const today = new Date();
      await page.locator('#taughtOn-day').fill(String(today.getDate()));
      await page.locator('#taughtOn-month').fill(String(today.getMonth() + 1));
      await page.locator('#taughtOn-year').fill(String(today.getFullYear()));
      await navigate(page, () => page.getByRole('button', { name: 'Mark as taught' }).click());
      await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain(
        'Say what the lesson covered',
      );
      await checkA11y(page, 'Lesson form with errors');
      await page.getByLabel('What did the lesson cover?').fill('Passwords and privacy settings');
      await navigate(page, () => page.getByRole('button', { name: 'Mark as taught' }).click());
      const text = await visible(page);
      expect(text).toContain(`e-safety lesson for ${className} is marked as taught`);
      expect(text).toContain('Passwords and privacy settings');
      await checkA11y(page, 'Lessons after marking');
    } finally {
      await session.close();
    }
  });

  it('the Business Manager schedules an induction and cannot mark the volunteer inducted before they acknowledge', async () => {
    const session = await env.newSession({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = session;
      await signInStaff(page, 'business@oakfield.example');
      for (const url of [
        '/training',
        '/training/status',
        '/training/sessions/new',
        '/training/imports',
      ]) {
        await navigate(page, () => page.goto(url));
        await checkA11y(page, url);
        noKeys(await visible(page));
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      }
      await navigate(page, () => page.goto('/training/sessions/new'));
      await checkA11y(page, 'Schedule a session');
      await page.getByLabel('Social media policy training for new staff').check();
      await page.getByLabel('Title', { exact: true }).fill('Induction for new volunteers');
      const today = new Date();
      await page.locator('#date-day').fill(String(today.getDate()));
      await page.locator('#date-month').fill(String(today.getMonth() + 1));
      await page.locator('#date-year').fill(String(today.getFullYear()));
      await page.getByLabel('Start time').fill('09:00');
      await page.getByLabel('Place', { exact: true }).fill('Staff room');
      await page.getByLabel('Who runs it').fill('Designated Safeguarding Lead');
      await navigate(page, () => page.getByRole('button', { name: 'Schedule session' }).click());
      expect(await visible(page)).toContain('Induction for new volunteers is scheduled');
      await checkA11y(page, 'Session');
      noKeys(await visible(page));

      await navigate(page, () => page.getByRole('button', { name: 'Take the register' }).click());
      await checkA11y(page, 'Register');
      expect(await visible(page)).toContain(
        'cannot be marked as inducted until they have acknowledged',
      );
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      const boxes = page.locator('input[name="attended"]');
      expect(await boxes.count()).toBe(10);
      // Seven have not acknowledged the demo's new substantive version (the Head, DSL and teacher have); tick one.
      const hinted = page.locator('.govuk-checkboxes__item', { hasText: 'Has not acknowledged' });
      expect(await hinted.count()).toBe(7);
      await hinted.first().locator('input').check();
      await navigate(page, () => page.getByRole('button', { name: 'Save the register' }).click());
      await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain(
        'cannot be marked as inducted until they have acknowledged the current version of the policy',
      );
      await checkA11y(page, 'Register refused');
      // Untick them and mark someone who has acknowledged.
      await hinted.first().locator('input').uncheck();
      await page
        .locator('.govuk-checkboxes__item', { hasNotText: 'Has not acknowledged' })
        .first()
        .locator('input')
        .check();
      await navigate(page, () => page.getByRole('button', { name: 'Save the register' }).click());
      expect(await visible(page)).toContain('The register is saved: 1 attended, 9 did not.');
      await checkA11y(page, 'Session after the register');
    } finally {
      await session.close();
    }
  });

  it('the demo parent books a place at the parents’ e-safety meeting', async () => {
    const session = await env.newSession();
    try {
      const { page } = session;
      await signInWithEmailLink(page, 'parent@oakfield.example', env.ctx.sink);
      await navigate(page, () => page.goto('/parent-training'));
      await checkA11y(page, 'Parents’ meetings');
      noKeys(await visible(page));
      await page.getByLabel('How many places?').selectOption('2');
      await navigate(page, () => page.getByRole('button', { name: /^Book places for/ }).click());
      const text = await visible(page);
      expect(text).toContain('Your 2 places are booked');
      expect(text).toContain('You have booked 2 places');
      await checkA11y(page, 'Booked');
      await navigate(page, () => page.getByRole('button', { name: /Cancel my booking/ }).click());
      expect(await visible(page)).toContain('Your booking is cancelled');
      await checkA11y(page, 'Cancelled');
    } finally {
      await session.close();
    }
  });
});
