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
import { ukDate } from '../../src/platform/clock.ts';

/**
 * The DPO receives a parent's letter withdrawing consent, records it on the pupil's register page
 * (a first attempt with nothing ticked shows the error summary), and the class consent card for
 * the next trip then lists the pupil under "Do not photograph or film". The other office pages
 * (check, changes, paper form, competence, class assignment) are visited too. Every page passes axe.
 */
describe('the DPO records a written withdrawal (browser)', () => {
  let env: E2eEnvironment;
  let session: BrowserSession;
  let pupil: { id: string; name: string; className: string; parentName: string };

  const visit = async (page: Page, label: string, action: () => Promise<unknown>) => {
    await navigate(page, action);
    await checkA11y(page, label);
  };
  /** The pupil's entry in the card's "Do not photograph or film" list. */
  const doNotPhotograph = (page: Page) =>
    page.locator('ul[aria-labelledby="do-not-photograph"] li', { hasText: pupil.name });

  beforeAll(async () => {
    env = await startE2e();
    const { ctx } = env;
    const school = (
      await ctx.services.database.pool.query<{ id: string }>(
        `SELECT id FROM schools WHERE slug = 'oakfield-primary'`,
      )
    ).rows[0]!;
    // A Year 3 pupil whose parents (everyone with parental responsibility) now agree to everything.
    const { rows } = await ctx.services.database.pool.query<{
      id: string;
      given_name: string;
      family_name: string;
      class_name: string;
      parent_id: string;
      parent_name: string;
    }>(
      `SELECT p.id, p.given_name, p.family_name, p.class_name, pa.id AS parent_id,
              pa.given_name || ' ' || pa.family_name AS parent_name
         FROM pupils p
         JOIN pupil_parents pp ON pp.pupil_id = p.id AND pp.parental_responsibility
         JOIN parents pa ON pa.id = pp.parent_id
        WHERE p.school_id = $1 AND p.class_name = '3 Ash'
          AND NOT EXISTS (SELECT 1 FROM pupil_competence_assessments c WHERE c.pupil_id = p.id)
        ORDER BY p.family_name, p.given_name LIMIT 1`,
      [school.id],
    );
    const row = rows[0]!;
    pupil = {
      id: row.id,
      name: `${row.given_name} ${row.family_name}`,
      className: row.class_name,
      parentName: row.parent_name,
    };
    const settings = await ctx.services.consent.settings(school.id);
    const keys = (
      await import('../../src/modules/consent/register/consent-rules.ts')
    ).consentKeysFor(settings);
    const reg = await ctx.services.consent.pupilRegister(school.id, pupil.id);
    for (const parent of reg.parents.filter((p) => p.parentalResponsibility)) {
      await ctx.services.consent.record(
        {
          schoolId: school.id,
          pupilId: pupil.id,
          decider: { kind: 'parent', parentId: parent.id },
          decisions: Object.fromEntries(keys.map((k) => [k, 'granted'])),
          method: 'paper_form',
          kind: 'form',
          decidedOn: ukDate(new Date()),
        },
        { kind: 'system', id: null },
      );
    }
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

  it('records a paper withdrawal and the class card then lists the pupil', async () => {
    const { page } = session;
    await signInStaff(page, 'dpo@oakfield.example');
    await checkA11y(page, 'Home');

    // Overview → the class's consent card before the withdrawal: the pupil may appear.
    await visit(page, 'Consent register', () =>
      page
        .locator('.govuk-service-navigation__item')
        .getByRole('link', { name: 'Consent', exact: true })
        .click(),
    );
    await expect(page.locator('main h1').textContent()).resolves.toBe('Consent register');
    await visit(page, 'Class matrix', () =>
      page.getByRole('link', { name: pupil.className, exact: true }).click(),
    );
    await expect(page.locator('main h1').textContent()).resolves.toBe(`Class ${pupil.className}`);
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: pupil.name }) });
    await expect(row.locator('td').first().textContent()).resolves.toContain('✓ Yes');

    await visit(page, 'Consent card (before)', () =>
      page.getByRole('link', { name: 'Consent card for trips and events' }).click(),
    );
    await expect(doNotPhotograph(page).count()).resolves.toBe(0);

    // The pupil's register page → record a written withdrawal.
    await visit(page, 'Class matrix (again)', () =>
      page.getByRole('link', { name: `Class ${pupil.className}` }).click(),
    );
    await visit(page, 'Pupil register', () =>
      page.getByRole('link', { name: pupil.name, exact: true }).click(),
    );
    await expect(page.locator('main h1').textContent()).resolves.toBe(pupil.name);
    await visit(page, 'Withdrawal form', () =>
      page.getByRole('button', { name: 'Record a written withdrawal' }).click(),
    );
    await expect(page.locator('main').textContent()).resolves.toContain('not retroactive');

    const [y, m, d] = ukDate(new Date()).split('-');
    await page.getByLabel(pupil.parentName).check();
    await page.getByLabel('Day', { exact: true }).fill(String(Number(d)));
    await page.getByLabel('Month', { exact: true }).fill(String(Number(m)));
    await page.getByLabel('Year', { exact: true }).fill(y!);
    await page.getByLabel('Letter', { exact: true }).check();
    await page
      .getByLabel('Note (optional)')
      .fill('Letter from the parent, handed in at the office');

    // Nothing ticked: the error summary, answers kept, nothing saved.
    await visit(page, 'Withdrawal form (error)', () =>
      page.getByRole('button', { name: 'Record the withdrawal' }).click(),
    );
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Choose what consent is withdrawn',
    );
    await expect(page.getByLabel('Note (optional)').inputValue()).resolves.toBe(
      'Letter from the parent, handed in at the office',
    );
    await expect(page.getByLabel(pupil.parentName).isChecked()).resolves.toBe(true);

    for (const box of await page.locator('input[name="withdraw"]').all()) await box.check();
    await visit(page, 'Pupil register (after)', () =>
      page.getByRole('button', { name: 'Record the withdrawal' }).click(),
    );
    expect(new URL(page.url()).pathname).toBe(`/consent/pupils/${pupil.id}`);
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Withdrawal recorded',
    );
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Written withdrawal, recorded');
    expect(main).toContain('Letter from the parent, handed in at the office');
    // History is kept: the original form is still listed below the withdrawal.
    expect(main.indexOf('Written withdrawal, recorded')).toBeLessThan(
      main.lastIndexOf('Form, recorded'),
    );

    // The class card now lists the pupil under "do not photograph", on the page and in the PDF.
    await visit(page, 'Class matrix (after)', () =>
      page.getByRole('link', { name: `Class ${pupil.className}` }).click(),
    );
    await visit(page, 'Consent card (after)', () =>
      page.getByRole('link', { name: 'Consent card for trips and events' }).click(),
    );
    await expect(doNotPhotograph(page).textContent()).resolves.toBe(
      `${pupil.name} – Consent refused or withdrawn`,
    );
    const pdf = await page.request.get(
      `/consent/classes/${encodeURIComponent(pupil.className)}/card.pdf`,
    );
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('passes axe on the check, changes, paper form, competence and class assignment pages', async () => {
    const { page } = session;
    await signInStaff(page, 'head@oakfield.example');
    await checkA11y(page, 'Home');
    // The Headteacher's "Consent" is a section (the register and the never-publish list).
    await visit(page, 'Consent section (Headteacher)', () =>
      page
        .locator('.govuk-service-navigation__item')
        .getByRole('link', { name: 'Consent', exact: true })
        .click(),
    );
    await visit(page, 'Consent register (Headteacher)', () =>
      page.locator('main').getByRole('link', { name: 'Consent', exact: true }).click(),
    );
    await visit(page, 'Check consent', () =>
      page.getByRole('link', { name: 'Check consent for several pupils' }).click(),
    );
    // Nothing chosen: the error summary.
    await visit(page, 'Check consent (errors)', () =>
      page.getByRole('button', { name: 'Check' }).click(),
    );
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Choose a class',
    );
    await page.getByLabel('Class', { exact: true }).selectOption(pupil.className);
    await page.getByLabel('School social media accounts').check();
    await page.getByLabel('Photos').check();
    await page
      .getByRole('group', { name: 'Would the pupils be named with it?' })
      .getByLabel('No')
      .check();
    await visit(page, 'Check consent (results)', () =>
      page.getByRole('button', { name: 'Check' }).click(),
    );
    await expect(page.locator('#results').count()).resolves.toBe(1);
    await expect(page.locator('main').textContent()).resolves.toContain(pupil.name);

    await visit(page, 'Consent changes', () => page.goto('/consent/changes'));
    await expect(page.locator('main h2').first().textContent()).resolves.toMatch(/records? since/);
    await visit(page, 'Paper form', () => page.goto(`/consent/pupils/${pupil.id}/paper-form`));
    await visit(page, 'Paper form (errors)', () =>
      page.getByRole('button', { name: 'Save the form' }).click(),
    );
    await expect(page.locator('.govuk-error-summary').count()).resolves.toBe(1);
    await visit(page, 'Competence', () => page.goto(`/consent/pupils/${pupil.id}/competence`));
    await visit(page, 'Classes taught by staff', () => page.goto('/staff/classes'));
    await expect(page.locator('main').textContent()).resolves.toContain('3 Ash, 3 Birch');
    await visit(page, 'Classes for one teacher', () =>
      page.getByRole('link', { name: /Change classes for Tara Lowe/ }).click(),
    );
    await expect(page.getByLabel('3 Ash', { exact: true }).isChecked()).resolves.toBe(true);
  });
});
