import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkA11y, navigate, startE2e, type E2eEnvironment } from '../support/e2e-browser.ts';
import { signInStaff } from '../support/e2e-pages.ts';

/**
 * The policy settings editor in chromium with JavaScript off (issue 15 item 1), axe on every
 * page: the Headteacher adds a step to a playbook, fills it in, moves it up, removes another
 * step (each button posts the whole form; the reason typed first is kept), saves, and reads the
 * change in words on the versions page. No setting's key or enum key is shown.
 */
const PLAYBOOK = 'incidents.playbooks.parent_defamation';
const LABEL = 'Steps when a parent posts defamatory or abusive comments';

describe('policy settings editor without JavaScript (browser)', () => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });

  const stepInputs = (page: Page) => page.locator(`input[name^="${PLAYBOOK}."][name$=".label"]`);
  const press = (page: Page, value: string) =>
    navigate(page, () => page.locator(`button[name="_action"][value="${value}"]`).click());

  it('adds, moves and removes a playbook step, then saves a version with the change in words', async () => {
    const session = await env.newSession({ javaScriptEnabled: false });
    try {
      const { page } = session;
      await signInStaff(page, 'head@oakfield.example');
      await navigate(page, () => page.goto('/policy/edit'));
      await checkA11y(page, 'Policy settings editor');
      const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      expect(text).toContain(LABEL);
      expect(text).not.toMatch(/\b(parent_defamation|never_full_names|non_consented|on_joining)\b/);
      expect(text).not.toMatch(/[{}]/);

      const before = await stepInputs(page).evaluateAll((els) =>
        els.map((e) => (e as HTMLInputElement).value),
      );
      expect(before.length).toBeGreaterThan(1);
      // A reason typed before the list buttons is kept through them.
      await page.locator('#note').fill('Agreed with the governors in December');

      await press(page, `add:${PLAYBOOK}`);
      expect(new URL(page.url()).pathname).toBe('/policy/edit');
      await checkA11y(page, 'Policy settings editor after adding a step');
      const n = before.length;
      await expect(stepInputs(page).count()).resolves.toBe(n + 1);
      const added = page.locator(`[id="${PLAYBOOK.replace(/\./g, '-')}-${n}-label"]`);
      await expect(added.inputValue()).resolves.toBe('');
      await added.fill('Invite the parent to meet the chair of governors');

      await press(page, `up:${PLAYBOOK}.${n}`);
      await checkA11y(page, 'Policy settings editor after moving a step up');
      await expect(
        page.locator(`[id="${PLAYBOOK.replace(/\./g, '-')}-${n - 1}-label"]`).inputValue(),
      ).resolves.toBe('Invite the parent to meet the chair of governors');

      await press(page, `remove:${PLAYBOOK}.0`);
      const now = await stepInputs(page).evaluateAll((els) =>
        els.map((e) => (e as HTMLInputElement).value),
      );
      expect(now).toEqual([
        ...before.slice(1, -1),
        'Invite the parent to meet the chair of governors',
        before[before.length - 1],
      ]);
      await expect(page.locator('#note').inputValue()).resolves.toBe(
        'Agreed with the governors in December',
      );
      await checkA11y(page, 'Policy settings editor after moving and removing');

      await navigate(page, () =>
        page.getByRole('button', { name: 'Save as a new version', exact: true }).click(),
      );
      expect(new URL(page.url()).pathname).toBe('/policy');
      await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toMatch(
        /Saved as version \d+ \(1 setting changed\)/,
      );
      await checkA11y(page, 'Policy page after saving');
      const policyText = await page.locator('main').innerText();
      expect(policyText).toContain('Invite the parent to meet the chair of governors');

      await navigate(page, () => page.goto('/policy/versions'));
      await checkA11y(page, 'Policy versions with their changes');
      const versions = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      expect(versions).toContain(`${LABEL}: step 1 “${before[0]!.slice(0, 20)}`);
      expect(versions).toContain('“Invite the parent to meet the chair of governors” added');
      expect(versions).toContain('Agreed with the governors in December');
      expect(versions).not.toMatch(/incidents\.|parent_defamation/);
    } finally {
      await session.close();
    }
  }, 240_000);
});
