import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * The audit log as the demo Headteacher reads it in chromium, at 1280 and 390 px: names and
 * sentences in the table, the stored entry only when its details element is opened, the last
 * checkpoint, no axe violations, no sideways scrolling.
 */
describe('the audit log page (browser)', () => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2e();
    await env.ctx.services.audit.checkpoint('manual');
  });
  afterAll(async () => {
    await env?.close();
  });

  for (const width of [1280, 390]) {
    it(`reads as words and fits at ${width} px`, async () => {
      const session = await env.newSession({
        viewport: { width, height: width === 390 ? 844 : 900 },
      });
      try {
        const { page } = session;
        await signInStaff(page, 'head@oakfield.example');
        await navigate(page, () => page.goto('/audit'));
        await checkA11y(page, `Audit log at ${width}`);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(width);

        await expect(page.locator('#checkpoint').textContent()).resolves.toMatch(
          /^Last checkpoint: \d{1,2} [A-Z][a-z]+ \d{4} at [^,]+, [\d,]+ entries\./,
        );
        const rows = page.locator('table.lanyard-audit tbody tr');
        expect(await rows.count()).toBeGreaterThan(3);
        const who = await page
          .locator('table.lanyard-audit tbody td:nth-child(2)')
          .allTextContents();
        const what = await page.locator('.lanyard-audit__summary').allTextContents();
        for (const text of [...who, ...what]) {
          expect(text.trim()).not.toBe('');
          expect(text).not.toMatch(UUID);
          expect(text).not.toMatch(/[{}]/);
        }
        // The stored entry is there for whoever needs it, behind a details element.
        const raw = page.locator('table.lanyard-audit pre.lanyard-data').first();
        await expect(raw.isVisible()).resolves.toBe(false);
        await page.locator('table.lanyard-audit details summary').first().click();
        await expect(raw.isVisible()).resolves.toBe(true);
        expect(JSON.parse((await raw.textContent()) ?? '')).toMatchObject({
          entry: expect.any(Number),
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        await checkA11y(page, `Audit log with an entry opened at ${width}`);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
      } finally {
        await session.close();
      }
    });
  }
});
