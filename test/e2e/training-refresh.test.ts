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
 * Refresh rules in chromium on the demo school (issue 17 item 4, 003 §9.7), axe on every page: a
 * teacher whose regular training was done reports a concern that a child may be at risk (a
 * significant incident from its report); their own training page then says the training is due
 * again after a significant incident, on a phone-sized screen, with no ids or keys; the
 * Headteacher's compliance view lists them as due soon.
 */
describe('training due again after a significant incident (browser)', () => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2e();
    // The teacher attended regular training yesterday, so nothing is due for them until a new
    // significant incident.
    const { rows } = await env.ctx.services.database.pool.query<{
      id: string;
      school_id: string;
      email: string;
    }>('SELECT id, school_id, email FROM staff WHERE email IN ($1, $2)', [
      'teacher@oakfield.example',
      'business@oakfield.example',
    ]);
    const teacher = rows.find((r) => r.email === 'teacher@oakfield.example')!;
    // The demo's earlier marks (its own significant incident, a policy version made when the
    // demo was seeded or cloned, which can be today) are dated before that attendance, so only
    // the incident reported below can make the training due again.
    await env.ctx.services.database.pool.query(
      `UPDATE training_due_again SET marked_on = LEAST(marked_on, CURRENT_DATE - 2),
              marked_at = LEAST(marked_at, now() - interval '2 days')
        WHERE staff_id = $1`,
      [teacher.id],
    );
    const manager = rows.find((r) => r.email === 'business@oakfield.example')!;
    const session = await env.ctx.services.training.schedule(
      {
        kind: 'staff',
        id: manager.id,
        schoolId: manager.school_id,
        roles: ['business_manager'],
        name: 'Business Manager',
      },
      {
        kind: 'staff_regular',
        title: 'Regular social media training (catch-up)',
        startsAt: new Date(Date.now() - 86_400_000),
        place: 'Staff room',
        trainer: 'The DSL',
        className: null,
        capacity: null,
      },
    );
    await env.ctx.services.training.recordAttendance(
      teacher.school_id,
      { kind: 'staff', id: manager.id },
      session.id,
      [teacher.id],
    );
  });
  afterAll(async () => {
    await env?.close();
  });

  const visible = async (page: Page) =>
    (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  const noKeys = (text: string) => {
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(/\b(staff_regular|due_soon|policy_version|incident:)\b/);
    expect(text).not.toMatch(/[{}]/);
  };
  const regularRow = (page: Page) =>
    page
      .locator('.govuk-summary-list__row')
      .filter({ hasText: 'Regular social media training for staff' })
      .innerText();

  it('a teacher reports a child at risk; their regular training is due again, and the Headteacher sees it', async () => {
    const staff = await env.newSession({ viewport: { width: 390, height: 844 } });
    const head = await env.newSession();
    try {
      const { page } = staff;
      await signInStaff(page, 'teacher@oakfield.example');
      await navigate(page, () => page.goto('/training'));
      await checkA11y(page, 'Training before');
      const before = await regularRow(page);
      expect(before).not.toContain('after a significant incident');
      expect(before).toContain('Done');

      await navigate(page, () => page.goto('/report/concern'));
      await checkA11y(page, 'Report a concern (staff)');
      await page
        .getByLabel('What happened?')
        .fill('A pupil in 3 Ash says an adult online asked them for photos.');
      await page.locator('input[name="reporterConcern"][value="yes"]').check();
      await navigate(page, () => page.getByRole('button', { name: 'Send report' }).click());
      expect(await visible(page)).toMatch(/INC-\d{4}/);
      await checkA11y(page, 'Receipt for the report');

      await navigate(page, () => page.goto('/training'));
      const after = (await regularRow(page)).replace(/\s+/g, ' ');
      expect(after).toContain('Due again after a significant incident');
      expect(after).toContain('Due soon');
      const text = await visible(page);
      noKeys(text);
      expect(text).not.toContain('asked them for photos');
      await checkA11y(page, 'Training due again');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);

      const h = head.page;
      await signInStaff(h, 'head@oakfield.example');
      await navigate(h, () => h.goto('/compliance?kind=staff_regular&status=due_soon'));
      await checkA11y(h, 'Compliance: regular training due soon');
      const row = (
        await h
          .locator('tr')
          .filter({ has: h.locator('th', { hasText: 'Tara Lowe' }) })
          .innerText()
      ).replace(/\s+/g, ' ');
      expect(row).toContain('Due soon');
      noKeys(await visible(h));
    } finally {
      await staff.close();
      await head.close();
    }
  });
});
