import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkA11y,
  navigate,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { signInStaff } from '../support/e2e-pages.ts';

/**
 * The DSL stops a pupil ever being published (issue 15): from "Never publish" in the navigation,
 * chooses the pupil, first forgets the reason (the error summary), then saves; the office's consent
 * page for the pupil then says only "Do not publish". The office prints the parents'
 * photography notice for an event. Every page passes axe.
 */
describe('never publish a pupil, and the event notice (browser)', () => {
  let env: E2eEnvironment;
  let session: BrowserSession;
  let pupil: { id: string; name: string; label: string };
  const REASON = 'Adopted: the court order says no images may be published';

  const visit = async (page: Page, label: string, action: () => Promise<unknown>) => {
    await navigate(page, action);
    await checkA11y(page, label);
  };

  beforeAll(async () => {
    env = await startE2e();
    const { rows } = await env.ctx.services.database.pool.query<{
      id: string;
      given_name: string;
      family_name: string;
      class_name: string | null;
    }>(
      `SELECT p.id, p.given_name, p.family_name, p.class_name FROM pupils p
         JOIN schools s ON s.id = p.school_id AND s.slug = 'oakfield-primary'
        WHERE p.leaving_date IS NULL AND p.class_name = '3 Birch'
        ORDER BY p.family_name, p.given_name LIMIT 1`,
    );
    const r = rows[0]!;
    pupil = {
      id: r.id,
      name: `${r.given_name} ${r.family_name}`,
      label: `${r.family_name}, ${r.given_name}${r.class_name ? ` (${r.class_name})` : ''}`,
    };
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    session = await env.newSession();
  });
  afterEach(async () => {
    await session.close();
  });

  it('the DSL restricts a pupil; the office then sees only "Do not publish"', async () => {
    const { page } = session;
    await signInStaff(page, 'dsl@oakfield.example');
    await visit(page, 'Never publish list', () =>
      page.getByRole('link', { name: 'Never publish', exact: true }).click(),
    );
    await expect(page.locator('main h1').textContent()).resolves.toBe(
      'Pupils who must never be published',
    );
    await page.getByLabel('Restrict another pupil').selectOption({ label: pupil.label });
    await visit(page, 'Restriction form', () =>
      page.getByRole('button', { name: 'Continue' }).click(),
    );
    await expect(page.locator('main h1').textContent()).resolves.toBe('Publishing restriction');

    // No reason: the error summary, nothing saved.
    await page.getByLabel('No, never publish this pupil').check();
    await visit(page, 'Restriction form (error)', () =>
      page.getByRole('button', { name: 'Save' }).click(),
    );
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Say why this pupil must never be published',
    );

    await page.getByLabel('No, never publish this pupil').check();
    await page.getByLabel('Reason').fill(REASON);
    await visit(page, 'Restriction saved', () =>
      page.getByRole('button', { name: 'Save' }).click(),
    );
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'will not be published',
    );
    await expect(page.locator('main').textContent()).resolves.toContain(REASON);
    await visit(page, 'Never publish list (after)', () =>
      page.getByRole('link', { name: 'Back to pupils who must never be published' }).click(),
    );
    await expect(page.locator('main table').textContent()).resolves.toContain(pupil.name);

    // The office sees the pupil's consent page: "Do not publish", never the reason.
    const office = await env.newSession();
    try {
      await signInStaff(office.page, 'office@oakfield.example');
      await visit(office.page, 'Consent page of the restricted pupil', () =>
        office.page.goto(`${env.baseUrl}/consent/pupils/${pupil.id}`),
      );
      const main = (await office.page.locator('main').textContent()) ?? '';
      expect(main).toContain('Do not publish');
      expect(main).not.toContain('court order');
    } finally {
      await office.close();
    }
  });

  it('the office prints the parents’ photography notice for an event', async () => {
    const { page } = session;
    await signInStaff(page, 'office@oakfield.example');
    await visit(page, 'Event notices', () => page.goto(`${env.baseUrl}/policy/event-notices`));
    await expect(page.locator('main h1').textContent()).resolves.toBe(
      'Photos and filming at events',
    );
    await visit(page, 'Event notice', () =>
      page
        .getByRole('link', { name: /Print a notice/ })
        .first()
        .click(),
    );
    await page.getByLabel('Name of the event (optional)').fill('Year 2 nativity');
    await visit(page, 'Event notice (named)', () =>
      page.getByRole('button', { name: 'Update the notice' }).click(),
    );
    await expect(page.locator('#notice-heading').textContent()).resolves.toBe(
      'Photos and filming at Year 2 nativity',
    );
  });
});
