import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  navigate,
  reloadUntil,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { DashboardPage, LanyardPage, signInStaff } from '../support/e2e-pages.ts';
import { samplePhotos, type SamplePhoto } from '../support/sample-photos.ts';

/**
 * The media library in a real browser on the demo school, with the ingest job running in this
 * process (sharp and BlazeFace for real): a teacher uploads a group photo, waits for the face
 * boxes, links a face to a pupil, and makes the publishable copy with the other faces blurred.
 * axe runs on every page.
 */
describe('media library (browser)', () => {
  let env: E2eEnvironment;
  let session: BrowserSession | undefined;
  let photo: SamplePhoto;

  beforeAll(async () => {
    env = await startE2e({ workers: true });
    photo = (await samplePhotos()).find((p) => p.name === 'sample1.jpg')!;
  });
  afterAll(async () => {
    await env?.close();
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  async function uploadAsTeacher(javaScriptEnabled: boolean): Promise<LanyardPage> {
    session = await env.newSession({ javaScriptEnabled });
    const { page } = session;
    await signInStaff(page, 'teacher@oakfield.example');
    const dashboard = new DashboardPage(page);
    await dashboard.openSection('Posts and photos', 'Photos and videos');
    const library = new LanyardPage(page);
    await expect(library.heading.textContent()).resolves.toBe('Photos and videos');
    await navigate(page, () =>
      page.getByRole('button', { name: 'Upload photos and videos', exact: true }).click(),
    );
    const upload = new LanyardPage(page);
    await upload.check('Upload photos and videos');
    await page.locator('input[type="file"][name="files"]').setInputFiles({
      name: 'IMG_2041.JPG',
      mimeType: 'image/jpeg',
      buffer: fs.readFileSync(photo.path),
    });
    const device = page.getByLabel('Device they were taken on');
    const office = await device
      .locator('option', { hasText: 'Office camera' })
      .getAttribute('value');
    await device.selectOption(office!);
    await page.getByLabel('Event', { exact: true }).fill('sports day');
    await navigate(page, () => page.getByRole('button', { name: 'Upload', exact: true }).click());
    const item = new LanyardPage(page);
    await item.check('Uploaded photo');
    expect(new URL(page.url()).pathname).toMatch(/^\/media\/[0-9a-f-]{36}$/);
    await expect(item.heading.textContent()).resolves.toBe('sports day');
    // The ingest job (pg-boss, in this process) finds the faces; the page says to refresh.
    await reloadUntil(
      page,
      async () => (await page.locator('svg[data-face-overlay]').count()) > 0,
      {
        timeoutMs: 45_000,
        label: 'the face boxes',
      },
    );
    return item;
  }

  it('uploads a group photo, shows numbered face boxes, tags a face and blurs the rest', async () => {
    const item = await uploadAsTeacher(true);
    const { page } = session!;
    const boxes = page.locator('svg[data-face-overlay] rect[data-face]');
    const faces = await boxes.count();
    expect(faces).toBeGreaterThanOrEqual(photo.faces.length);
    // The same boxes as a numbered list, each with its own form (works without JavaScript).
    await expect(page.locator('main ol.govuk-list--number > li').count()).resolves.toBe(faces);
    await expect(page.locator('.govuk-warning-text').first().textContent()).resolves.toContain(
      `This photo has ${faces} faces and no pupils tagged yet.`,
    );

    // Link face 1 to the first pupil in the list.
    const select = page.getByLabel('Pupil in face 1', { exact: true });
    const firstPupil = await select.locator('option').nth(1).textContent();
    await select.selectOption({ index: 1 });
    await navigate(page, () =>
      page.getByRole('button', { name: 'Save face 1', exact: true }).click(),
    );
    await item.check('Face 1 linked');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'The face is linked to the pupil.',
    );
    await expect(page.locator('#face-1 h3').textContent()).resolves.toContain(firstPupil!.trim());

    // The publishable copy for the school's social media.
    await page
      .getByLabel('Where will it be used?')
      .selectOption({ label: 'School social media accounts' });
    await navigate(page, () =>
      page.getByRole('button', { name: 'Make publishable copy', exact: true }).click(),
    );
    const rendition = new LanyardPage(page);
    await rendition.check('Publishable copy');
    await expect(rendition.heading.textContent()).resolves.toBe(
      'Publishable copy for School social media accounts',
    );
    const summary = (await page.locator('main p.govuk-body').first().textContent()) ?? '';
    const blurred = Number(/(\d+) of (\d+)/.exec(summary)?.[1]);
    expect(summary).toContain(`of ${faces}`);
    // Every face not linked to a consented pupil is blurred: at least all the others.
    expect(blurred).toBeGreaterThanOrEqual(faces - 1);
    const rows = page.locator('main table tbody tr');
    await expect(rows.count()).resolves.toBe(faces);
    // The copy itself: a JPEG the browser loaded, served to staff only.
    const src = await page.locator('image[data-rendition]').getAttribute('href');
    const res = await page.request.get(src!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/jpeg');
    expect((await res.body()).subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(res.headers()['cache-control']).toContain('no-store');
  });

  it('lets the Headteacher approve a device and review quarantine, archive and retention pages', async () => {
    session = await env.newSession();
    const { page } = session;
    await signInStaff(page, 'head@oakfield.example');
    const devices = new LanyardPage(page);
    await devices.goto('/devices', 'School devices');
    const approve = page.getByRole('button', { name: 'Approve Year 6 iPad (OAK-IPAD-06)' });
    await navigate(page, () => approve.click());
    await devices.check('Device approved');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Year 6 iPad is approved',
    );
    for (const [path, title] of [
      ['/media/quarantine', 'Quarantine'],
      ['/media/archive', 'Archived photos and videos'],
      ['/media/retention', 'Media retention reports'],
    ] as const) {
      const p = new LanyardPage(page);
      await p.goto(path, title);
      await expect(p.heading.textContent()).resolves.toBe(title);
    }
  });

  it('works without JavaScript: the plain form uploads and the tagging forms post', async () => {
    const item = await uploadAsTeacher(false);
    const { page } = session!;
    await page.getByLabel('Left edge').fill('20');
    await page.getByLabel('Top edge').fill('20');
    await page.getByLabel('Width', { exact: true }).fill('60');
    await page.getByLabel('Height', { exact: true }).fill('60');
    const before = await page.locator('svg[data-face-overlay] rect[data-face]').count();
    await navigate(page, () =>
      page.getByRole('button', { name: 'Add face box', exact: true }).click(),
    );
    await item.check('Face box added');
    await expect(page.locator('svg[data-face-overlay] rect[data-face]').count()).resolves.toBe(
      before + 1,
    );
    // A box outside the photo: the error summary, with the answers kept.
    await page.getByLabel('Left edge').fill('5000');
    await page.getByLabel('Top edge').fill('20');
    await page.getByLabel('Width', { exact: true }).fill('60');
    await page.getByLabel('Height', { exact: true }).fill('60');
    await navigate(page, () =>
      page.getByRole('button', { name: 'Add face box', exact: true }).click(),
    );
    await item.check('Face box refused');
    await expect(item.errorSummary.textContent()).resolves.toContain(
      'The left edge must be less than',
    );
    await expect(page.getByLabel('Left edge').inputValue()).resolves.toBe('5000');
  });
});
