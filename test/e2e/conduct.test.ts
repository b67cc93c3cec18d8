import type { Page } from 'playwright-core';
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
 * Conduct in chromium on the demo school, with axe on every page: the teacher declares a friend
 * request (the error summary first) and asks for a permission; the Headteacher reads and answers
 * the declaration; the ICT Technician signs off the network request, records a filtering check;
 * the Headteacher grants it. No ids, keys or raw JSON on any page; nothing scrolls sideways at
 * 390 px.
 */
describe('conduct pages (browser)', () => {
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
    expect(text).not.toMatch(/\b(friend_request|awaiting_|school_network_social_media|logo_use)\b/);
    expect(text).not.toMatch(/[{}]/);
  };

  it('a teacher declares a friend request and asks for permission', async () => {
    const session = await env.newSession({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = session;
      await signInStaff(page, 'teacher@oakfield.example');
      for (const url of [
        '/conduct',
        '/conduct/declarations',
        '/conduct/declarations/new',
        '/conduct/permissions',
      ]) {
        await navigate(page, () => page.goto(url));
        await checkA11y(page, url);
        noKeys(await visible(page));
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      }
      // The teacher holds the demo's reminder permission.
      expect(await visible(page)).toContain('Post a reminder for parents');

      await navigate(page, () => page.goto('/conduct/declarations/new'));
      await checkA11y(page, 'Choose a declaration');
      await navigate(page, () =>
        page.getByRole('link', { name: /friend or follow request/i }).click(),
      );
      await checkA11y(page, 'Friend request form');
      await page.getByLabel('Which app or website was it on?').fill('Instagram');
      await navigate(page, () => page.getByRole('button', { name: 'Send declaration' }).click());
      await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain(
        'Select who the request came from',
      );
      await checkA11y(page, 'Friend request form with errors');
      await page.getByLabel('A former pupil', { exact: true }).check();
      await page.getByLabel('If a former pupil: their name').fill('Jordan Pike');
      await page.getByLabel('I blocked them').check();
      await navigate(page, () => page.getByRole('button', { name: 'Send declaration' }).click());
      const text = await visible(page);
      expect(text).toContain('Your declaration is recorded');
      expect(text).toContain('A former pupil: Jordan Pike');
      noKeys(text);
      await checkA11y(page, 'Declaration');

      await navigate(page, () => page.goto('/conduct/permissions/new'));
      await checkA11y(page, 'Ask for permission');
      await page.getByLabel('Use the school’s name or logo').check();
      await page.getByLabel('Why do you need it?').fill('The logo on our class charity poster.');
      await navigate(page, () => page.getByRole('button', { name: 'Send request' }).click());
      // Oakfield's own rule: the ICT Technician signs off logo requests before the Headteacher.
      expect(await visible(page)).toContain('Waiting for ICT sign-off');
      await checkA11y(page, 'Permission request');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    } finally {
      await session.close();
    }
  });

  it('the Headteacher answers, the ICT Technician signs off and records a check, the Headteacher grants', async () => {
    const head = await env.newSession({ viewport: { width: 1280, height: 900 } });
    const ict = await env.newSession({ viewport: { width: 1280, height: 900 } });
    try {
      await signInStaff(head.page, 'head@oakfield.example');
      await checkA11y(head.page, 'Head home');
      expect(await visible(head.page)).toContain('Declarations to read');
      await navigate(head.page, () => head.page.goto('/conduct/declarations'));
      await checkA11y(head.page, 'Declarations to read');
      noKeys(await visible(head.page));
      await navigate(head.page, () =>
        head.page.locator('table a', { hasText: /./ }).first().click(),
      );
      await checkA11y(head.page, 'Declaration to answer');
      noKeys(await visible(head.page));
      await head.page.getByLabel('Your response').fill('Thank you. Keep them blocked.');
      await navigate(head.page, () =>
        head.page.getByRole('button', { name: 'Record response' }).click(),
      );
      expect(await visible(head.page)).toContain('Thank you. Keep them blocked.');
      await checkA11y(head.page, 'Declaration answered');

      await signInStaff(ict.page, 'ict@oakfield.example');
      expect(await visible(ict.page)).toContain('Permission requests to sign off');
      await navigate(ict.page, () => ict.page.goto('/conduct/permissions'));
      await checkA11y(ict.page, 'ICT permissions');
      await navigate(ict.page, () =>
        ict.page.getByRole('link', { name: 'Use the school’s name or logo' }).first().click(),
      );
      await checkA11y(ict.page, 'Logo request');
      await ict.page.getByLabel('Yes, sign it off').check();
      await navigate(ict.page, () =>
        ict.page.getByRole('button', { name: 'Record sign-off' }).click(),
      );
      expect(await visible(ict.page)).toContain('Signed off by ICT');
      await checkA11y(ict.page, 'Signed off');
      const requestUrl = ict.page.url();

      await navigate(ict.page, () => ict.page.goto('/conduct/filtering'));
      await checkA11y(ict.page, 'Filtering');
      expect(await visible(ict.page)).toContain(
        'A check that filtering and monitoring work is due',
      );
      noKeys(await visible(ict.page));
      await navigate(ict.page, () =>
        ict.page.getByRole('button', { name: 'Record a check or review' }).click(),
      );
      await checkA11y(ict.page, 'Filtering check form');
      await ict.page.getByLabel('A check that filtering and monitoring work').check();
      await ict.page.getByLabel('Working as expected').check();
      await ict.page
        .getByLabel('What was checked and what was found')
        .fill('Test pages blocked on a pupil login.');
      await navigate(ict.page, () => ict.page.getByRole('button', { name: 'Save' }).click());
      expect(await visible(ict.page)).toContain('The check is recorded');
      await checkA11y(ict.page, 'Filtering after a check');
      expect(await visible(ict.page)).not.toContain('is due');
      for (const url of ['/conduct/filtering/provision', '/conduct/filtering/exceptions/new']) {
        await navigate(ict.page, () => ict.page.goto(url));
        await checkA11y(ict.page, url);
      }

      await navigate(head.page, () => head.page.goto(requestUrl));
      await checkA11y(head.page, 'Request to decide');
      await head.page.getByLabel('Yes, grant it').check();
      await navigate(head.page, () =>
        head.page.getByRole('button', { name: 'Record decision' }).click(),
      );
      const trail = await visible(head.page);
      expect(trail).toContain('The permission is granted.');
      expect(trail).toMatch(/Asked for.*Signed off by ICT.*Granted/);
      noKeys(trail);
      await checkA11y(head.page, 'Granted request');
      await navigate(head.page, () => head.page.goto('/conduct/filtering'));
      await checkA11y(head.page, 'Filtering (Headteacher)');
    } finally {
      await head.close();
      await ict.close();
    }
  });
  it('fits a phone for the Headteacher and the ICT Technician', async () => {
    for (const [email, urls] of [
      [
        'head@oakfield.example',
        ['/conduct/declarations', '/conduct/permissions', '/conduct/filtering'],
      ],
      ['ict@oakfield.example', ['/conduct/permissions', '/conduct/filtering']],
    ] as const) {
      const session = await env.newSession({ viewport: { width: 390, height: 844 } });
      try {
        const { page } = session;
        await signInStaff(page, email);
        await checkA11y(page, `${email} home at 390`);
        for (const url of urls) {
          await navigate(page, () => page.goto(url));
          await checkA11y(page, `${url} at 390`);
          noKeys(await visible(page));
          expect(await scrollWidth(page), url).toBeLessThanOrEqual(390);
        }
      } finally {
        await session.close();
      }
    }
  });
});
