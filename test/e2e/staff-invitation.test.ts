import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  navigate,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { LanyardPage, SignInPage, signInStaff } from '../support/e2e-pages.ts';

/**
 * A new member of staff gets in (issue 9 item 3 follow-up): the Business Manager adds them, they
 * follow the emailed link, make a mistake on "Set your password" (error summary, nothing kept in
 * the password fields), set it, and sign in with it. axe runs on every page visited.
 */
describe('staff invitation: set your password (browser)', () => {
  let env: E2eEnvironment;
  const sessions: BrowserSession[] = [];

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    for (const s of sessions) await s.close().catch(() => undefined);
    await env?.close();
  });

  it('the Business Manager adds a member of staff; they set their password from the email and sign in', async () => {
    const manager = await env.newSession();
    sessions.push(manager);
    const bm = manager.page;
    await signInStaff(bm, 'business@oakfield.example');
    const staff = new LanyardPage(bm);
    await staff.goto('/staff/new', 'Add a member of staff');
    await expect(staff.main.textContent()).resolves.toContain(
      'We will email them a link to set their password',
    );
    const email = 'tomas.reyes@oakfield.example';
    const since = env.ctx.sink.lastId();
    await bm.getByLabel('First name').fill('Tomás');
    await bm.getByLabel('Last name').fill('Reyes');
    await bm.getByLabel('Email address').fill(email);
    await bm.getByLabel('Teacher', { exact: true }).check();
    await navigate(bm, () => bm.getByRole('button', { name: 'Add member of staff' }).click());
    await staff.check('Staff, after adding');
    await expect(bm.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'We have emailed them a link to set their password',
    );

    const mail = await env.ctx.sink.waitFor(email, { since, timeoutMs: 10_000 });
    const link = /https?:\/\/\S+?(\/set-password\/[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(link, mail.text).toBeDefined();

    // Their page says the invitation is waiting, in words.
    const row = staff.main.locator('tr', { hasText: email });
    await navigate(bm, () => row.getByRole('link', { name: /Change/ }).click());
    await staff.check('Change an account, invitation pending');
    await expect(staff.main.textContent()).resolves.toMatch(
      /Invitation sent on \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm), not yet accepted/,
    );

    const invited = await env.newSession();
    sessions.push(invited);
    const page = invited.page;
    const setPassword = new LanyardPage(page);
    await setPassword.goto(link!, 'Set your password');
    await expect(setPassword.heading.textContent()).resolves.toBe('Set your password');
    await expect(setPassword.main.textContent()).resolves.toContain(email);

    await page.getByLabel('Password', { exact: true }).fill('too short');
    await page.getByLabel('Enter your password again').fill('too short');
    await navigate(page, () => page.getByRole('button', { name: 'Set password' }).click());
    await setPassword.check('Set your password, with an error');
    expect(await setPassword.errorLinks()).toEqual([
      { text: 'Your password must be at least 12 characters', href: '#password' },
    ]);
    await expect(page.getByLabel('Password', { exact: true }).inputValue()).resolves.toBe('');

    const password = 'maple lantern orbit seventeen';
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Enter your password again').fill(password);
    await navigate(page, () => page.getByRole('button', { name: 'Set password' }).click());
    const signIn = new SignInPage(page);
    await signIn.check('Sign in, after setting a password');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Your password is set. Sign in',
    );
    await signIn.submit(email, password);
    expect(new URL(page.url()).pathname).toBe('/');
    await new LanyardPage(page).check('Home, first sign-in');

    // The link is used up.
    const again = await env.newSession();
    sessions.push(again);
    const used = new LanyardPage(again.page);
    await used.goto(link!, 'Set-password link already used');
    await expect(used.main.textContent()).resolves.toContain('already been used');
    await expect(used.main.textContent()).resolves.toContain('Headteacher or business manager');
  });
});
