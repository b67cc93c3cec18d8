import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  navigate,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import {
  DashboardPage,
  ImportPage,
  ImportStatusPage,
  LanyardPage,
  signInStaff,
  type UploadFile,
} from '../support/e2e-pages.ts';

/**
 * The pupil import through the page, as the office does it: upload the SIMS export, watch the
 * check run (a pg-boss job in this process), read the preview, confirm, see the result. Then the
 * ways it goes wrong: no file, a file that is not a CSV, a CSV without the columns we need, and a
 * CSV with a bad row. axe runs on every page.
 */

const fixtures = path.resolve(import.meta.dirname, '../fixtures/imports');
const sims = fs.readFileSync(path.join(fixtures, 'sims-pupils.csv'));

const csv = (name: string, buffer: Buffer): UploadFile => ({ name, mimeType: 'text/csv', buffer });

/** A real PNG (1×1 pixel) with a .csv name. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('pupil import through the page (browser)', () => {
  let env: E2eEnvironment;
  let session: BrowserSession;

  beforeAll(async () => {
    env = await startE2e({ workers: true });
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

  async function openImport(): Promise<ImportPage> {
    const dashboard = new DashboardPage(session.page);
    await dashboard.openSection('Pupils and families', 'Import');
    const importPage = new ImportPage(session.page);
    await expect(importPage.heading.textContent()).resolves.toBe('Import pupils');
    return importPage;
  }

  it('uploads the SIMS export, shows progress then the preview, confirms and shows the result', async () => {
    const { page } = session;
    const importPage = await openImport();
    await expect(
      importPage.main.getByText('No files have been imported yet.').count(),
    ).resolves.toBe(1);

    await importPage.upload(csv('sims-pupils.csv', sims));
    expect(new URL(page.url()).pathname).toMatch(/^\/imports\/pupils\/[0-9a-f-]{36}$/);
    const status = new ImportStatusPage(page);
    // The page is titled with the file's own name.
    await expect(status.heading.textContent()).resolves.toBe('sims-pupils.csv');

    // The preview job polls every 2 s, so the first page almost always shows the check waiting
    // or running; if the job was quicker, the preview is already there.
    const first = await status.statusText();
    expect(['Checking', 'Ready to confirm']).toContain(first);
    if (first === 'Checking') {
      await expect(
        status.main.getByRole('heading', { name: 'Checking the file' }).count(),
      ).resolves.toBe(1);
      await expect(status.main.getByRole('button', { name: 'Refresh' }).count()).resolves.toBe(1);
    }

    await status.waitForStatus(['Ready to confirm']);
    await expect(
      status.main.getByRole('heading', { name: 'What will change' }).count(),
    ).resolves.toBe(1);
    await expect(status.main.textContent()).resolves.toContain(
      'Lanyard checked 20 rows and found no problems',
    );
    const counts = await status.counts();
    expect(counts['Pupils in the file']).toBe('20');
    expect(counts['New pupils']).toBe('20');
    expect(counts['New parents and carers']).toBe('34');
    // The demo school's 301 generated pupils are not in this file: the preview says so and asks
    // whether the file is the whole roll (issue 9: a partial file used to flag them all).
    expect(
      Number(counts['Pupils on roll who are not in the file']?.replace(/,/g, '')),
    ).toBeGreaterThan(250);
    await expect(status.main.locator('.govuk-warning-text').textContent()).resolves.toContain(
      'If it is a partial list, nobody is marked',
    );

    // The dashboard lists it as waiting for confirmation.
    const dashboard = new DashboardPage(page);
    await dashboard.openNav('Home');
    expect((await dashboard.attentionItems()).join('\n')).toMatch(/Confirm the pupil import/);
    await navigate(page, () =>
      dashboard.main.getByRole('link', { name: /Confirm the pupil import/ }).click(),
    );
    await status.check('Import preview, from the dashboard');

    // Confirming without answering the question shows the error summary; nothing is saved.
    await status.confirm();
    expect(await status.errorLinks()).toEqual([
      {
        text: 'Select whether the file lists every pupil on roll or only some pupils',
        href: '#roll',
      },
    ]);
    await status.confirm('No, it is a partial list');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Import confirmed',
    );
    await status.waitForStatus(['Imported']);
    await expect(status.main.locator('.govuk-panel').textContent()).resolves.toMatch(
      /Import complete\s+20 pupils imported/,
    );
    const done = await status.counts();
    expect(done['New pupils']).toBe('20');
    expect(done['Marked as possibly left']).toBe('0');
    await expect(status.main.textContent()).resolves.toContain(
      'The file was a partial list, so nobody was marked as possibly left.',
    );

    // The new pupils are in the list.
    await status.openSection('Pupils and families', 'Pupils');
    await page.locator('#q').fill('Ashworth');
    await navigate(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    const list = new LanyardPage(page);
    await list.check('Pupils search after the import');
    await expect(list.main.getByRole('link', { name: 'Ashworth, Elsie' }).count()).resolves.toBe(1);

    // And the import is listed as done.
    const again = await new ImportPage(page).open();
    const recent = again.main.locator('table', {
      has: page.getByRole('columnheader', { name: 'Uploaded' }),
    });
    const row = recent.locator('tbody tr').first();
    await expect(row.getByRole('link').textContent()).resolves.toBe('sims-pupils.csv');
    await expect(row.textContent()).resolves.toMatch(/Imported\s*20 new, 0 updated/);
  });

  it('submitting with no file shows the error summary, linked to the file field', async () => {
    const { page } = session;
    const importPage = await openImport();
    await importPage.upload(null);
    expect(new URL(page.url()).pathname).toBe('/imports/pupils');
    await expect(page.title()).resolves.toMatch(/^Error: /);
    expect(await importPage.errorLinks()).toEqual([{ text: 'Select a CSV file', href: '#file' }]);
    await expect(importPage.fieldError('file').textContent()).resolves.toContain(
      'Select a CSV file',
    );
    // GOV.UK Frontend moves focus to the summary; its link moves focus to the field.
    await expect(
      page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')),
    ).resolves.toBe(true);
    await importPage.errorSummary.getByRole('link', { name: 'Select a CSV file' }).click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('file');
  });

  it('a picture renamed to .csv is refused with a clear message', async () => {
    const { page } = session;
    const importPage = await openImport();
    await importPage.upload({ name: 'pupils.csv', mimeType: 'text/csv', buffer: png });
    const status = new ImportStatusPage(page);
    await expect(status.statusText()).resolves.toBe('Not imported');
    await expect(
      status.main.getByRole('heading', { name: 'This file cannot be imported' }).count(),
    ).resolves.toBe(1);
    await expect(status.main.locator('.govuk-warning-text').textContent()).resolves.toMatch(/CSV/);
    await expect(status.main.getByRole('button', { name: 'Confirm import' }).count()).resolves.toBe(
      0,
    );
  });

  it('a CSV without the columns we need is refused, naming them', async () => {
    const { page } = session;
    const importPage = await openImport();
    await importPage.upload(csv('names.csv', Buffer.from('Forename,Surname\nAda,Lovelace\n')));
    const status = new ImportStatusPage(page);
    await status.waitForStatus(['Not imported']);
    await expect(
      status.main.getByRole('heading', { name: 'This file cannot be imported' }).count(),
    ).resolves.toBe(1);
    const message = (await status.main.locator('.govuk-warning-text').textContent()) ?? '';
    expect(message).toContain('missing');
    expect(message).toContain('date of birth');
    await expect(status.main.getByRole('button', { name: 'Confirm import' }).count()).resolves.toBe(
      0,
    );
  });

  it('a CSV with a bad row lists the problem by line and column', async () => {
    const { page } = session;
    const lines = sims.toString('utf8').split('\n');
    lines[2] = lines[2]!.replace('03/02/2021', '31/02/2021');
    const importPage = await openImport();
    await importPage.upload(csv('bad-date.csv', Buffer.from(lines.join('\n'))));
    const status = new ImportStatusPage(page);
    await status.waitForStatus(['Not imported']);
    await expect(
      status.main.getByRole('heading', { name: 'The file has 1 problem' }).count(),
    ).resolves.toBe(1);
    const problems = status.main.locator('table', {
      has: page.locator('caption', { hasText: 'Problems in the file' }),
    });
    const cells = (await problems.locator('tbody tr').first().locator('td').allTextContents()).map(
      (t) => t.trim(),
    );
    expect(cells[0]).toBe('3');
    expect(cells[1]).toContain('DOB');
    await expect(status.main.getByRole('button', { name: 'Confirm import' }).count()).resolves.toBe(
      0,
    );
  });
});
