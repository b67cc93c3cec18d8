import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  navigate,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { LanyardPage, signInStaff } from '../support/e2e-pages.ts';

/**
 * Managing pupils through the pages, as the office does it (issue 9 item 3): add a pupil (a
 * mistake first, shown in the error summary with the answers kept), then record their leaving
 * date; the record stays, with the date in words. axe runs on every page visited.
 */
describe('managing pupils and staff through the pages (browser)', () => {
  let env: E2eEnvironment;
  let session: BrowserSession;

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    session = await env.newSession();
    await signInStaff(session.page, 'office@oakfield.example');
  });
  afterEach(async () => {
    await session.close();
  });

  it('adds a pupil, then records that they left; the record is kept', async () => {
    const { page } = session;
    const pupils = new LanyardPage(page);
    await pupils.openSection('Pupils and families', 'Pupils');
    await navigate(page, () => page.getByRole('button', { name: 'Add a pupil' }).click());
    const form = new LanyardPage(page);
    await form.check('Add a pupil');
    await expect(form.heading.textContent()).resolves.toBe('Add a pupil');

    // A mistake: no last name, and 31 February.
    await page.getByLabel('First name').fill('Wren');
    await page.locator('#dateOfBirth-day').fill('31');
    await page.locator('#dateOfBirth-month').fill('2');
    await page.locator('#dateOfBirth-year').fill('2019');
    await page.getByLabel('Year group').selectOption({ label: 'Year 2' });
    await navigate(page, () => page.getByRole('button', { name: 'Add pupil' }).click());
    await form.check('Add a pupil, with errors');
    expect(await form.errorLinks()).toEqual([
      { text: 'Enter the pupil’s last name', href: '#familyName' },
      { text: 'Date of birth must be a real date', href: '#dateOfBirth' },
    ]);
    await expect(page.getByLabel('First name').inputValue()).resolves.toBe('Wren');
    await expect(page.locator('#dateOfBirth-day').inputValue()).resolves.toBe('31');

    await page.getByLabel('Last name').fill('Hollingsworth');
    await page.locator('#dateOfBirth-day').fill('28');
    await page.getByLabel('Class (optional)').fill('2A');
    await page.locator('#admissionDate-day').fill('4');
    await page.locator('#admissionDate-month').fill('9');
    await page.locator('#admissionDate-year').fill('2023');
    await navigate(page, () => page.getByRole('button', { name: 'Add pupil' }).click());
    const record = new LanyardPage(page);
    await record.check('The new pupil');
    await expect(record.heading.textContent()).resolves.toBe('Wren Hollingsworth');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Wren Hollingsworth added.',
    );
    const summary = (await record.main.locator('.govuk-summary-list').textContent()) ?? '';
    expect(summary.replace(/\s+/g, ' ')).toContain('Date of birth 28 February 2019');
    expect(summary.replace(/\s+/g, ' ')).toContain('Admission date 4 September 2023');
    const pupilUrl = new URL(page.url()).pathname;

    // Record a leaving date.
    await navigate(page, () => page.getByRole('link', { name: 'Record a leaving date' }).click());
    const leaving = new LanyardPage(page);
    await leaving.check('Record a leaving date');
    await navigate(page, () => page.getByRole('button', { name: 'Record leaving date' }).click());
    await leaving.check('Record a leaving date, with an error');
    expect(await leaving.errorLinks()).toEqual([
      { text: 'Enter the leaving date', href: '#leavingDate' },
    ]);
    await page.locator('#leavingDate-day').fill('1');
    await page.locator('#leavingDate-month').fill('9');
    await page.locator('#leavingDate-year').fill('2026');
    await navigate(page, () => page.getByRole('button', { name: 'Record leaving date' }).click());
    await record.check('The pupil after leaving');
    expect(new URL(page.url()).pathname).toBe(pupilUrl);
    await expect(record.main.textContent()).resolves.toContain(
      'Left on 1 September 2026. The record and its history are kept.',
    );

    // Off the roll, still found among leavers.
    await pupils.goto('/pupils?q=Hollingsworth', 'Pupils search');
    await expect(
      pupils.main.getByRole('link', { name: 'Hollingsworth, Wren' }).count(),
    ).resolves.toBe(0);
    await pupils.goto('/pupils?q=Hollingsworth&leavers=yes', 'Pupils search with leavers');
    await expect(
      pupils.main.getByRole('link', { name: 'Hollingsworth, Wren' }).count(),
    ).resolves.toBe(1);
  });

  it('the Business Manager adds a member of staff, changes their roles and deactivates them', async () => {
    // This session signed in as the office: start again as the Business Manager.
    await session.close();
    session = await env.newSession();
    const bm = session.page;
    await signInStaff(bm, 'business@oakfield.example');
    const staff = new LanyardPage(bm);
    await staff.openSection('Staff', 'Staff');
    // Headteacher accounts are not theirs to change.
    const headRow = staff.main.locator('tr', { hasText: 'head@oakfield.example' });
    await expect(headRow.getByRole('link', { name: /Change/ }).count()).resolves.toBe(0);
    await navigate(bm, () => bm.getByRole('button', { name: 'Add a member of staff' }).click());
    const form = new LanyardPage(bm);
    await form.check('Add a member of staff');
    // Roles they may not give are not offered.
    await expect(bm.getByLabel('Designated Safeguarding Lead').count()).resolves.toBe(0);
    await bm.getByLabel('First name').fill('Priya');
    await bm.getByLabel('Last name').fill('Nair');
    await bm.getByLabel('Email address').fill('priya.nair@oakfield.example');
    await navigate(bm, () => bm.getByRole('button', { name: 'Add member of staff' }).click());
    await form.check('Add a member of staff, with an error');
    expect(await form.errorLinks()).toEqual([{ text: 'Select at least one role', href: '#roles' }]);
    await bm.getByLabel('Teacher', { exact: true }).check();
    await navigate(bm, () => bm.getByRole('button', { name: 'Add member of staff' }).click());
    await staff.check('Staff, after adding');
    const row = staff.main.locator('tr', { hasText: 'priya.nair@oakfield.example' });
    await expect(row.textContent()).resolves.toContain('Teacher');
    await navigate(bm, () => row.getByRole('link', { name: /Change/ }).click());
    await form.check('Change an account');
    await bm.getByLabel('Support staff').check();
    await navigate(bm, () => bm.getByRole('button', { name: 'Save', exact: true }).click());
    await staff.check('Staff, after changing roles');
    await expect(row.textContent()).resolves.toMatch(
      /Teacher.*Support staff|Support staff.*Teacher/,
    );
    await navigate(bm, () => row.getByRole('link', { name: /Change/ }).click());
    await form.check('Change an account, again');
    await navigate(bm, () => bm.getByRole('button', { name: 'Deactivate account' }).click());
    await staff.check('Staff, after deactivating');
    await expect(row.textContent()).resolves.toContain('Deactivated');
  });
});
