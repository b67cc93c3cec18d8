import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, startE2e, type E2eEnvironment } from '../support/e2e-browser.ts';
import { LanyardPage, signInStaff } from '../support/e2e-pages.ts';
import { samplePhotos } from '../support/sample-photos.ts';

/**
 * The face-tagging picker in a real browser, without JavaScript, on the demo school (issue 9
 * item 4, issue 10 item 2): a teacher of two classes is offered their own pupils first, each with
 * class and year, same-name pupils told apart; a GET search finds pupils of their classes and
 * nobody else; the faces-versus-tags warning reads as plain English. Face detection is real
 * (BlazeFace on a group photo). axe runs on every page.
 */
describe('tagging the right child (browser, no JavaScript)', () => {
  let env: E2eEnvironment;
  let itemId: string;
  let outsider: { givenName: string; familyName: string };
  let twin: { givenName: string; familyName: string };
  const teacherClasses = ['3 Ash', '3 Birch'];

  beforeAll(async () => {
    env = await startE2e();
    const { services } = env.ctx;
    const pool = services.database.pool;
    const one = async <T>(sql: string, params: unknown[]) =>
      (await pool.query<T & Record<string, unknown>>(sql, params)).rows[0]!;
    const school = await one<{ id: string }>(`SELECT id FROM schools WHERE slug = $1`, [
      'oakfield-primary',
    ]);
    const teacher = await one<{ id: string }>(`SELECT id FROM staff WHERE email = $1`, [
      'teacher@oakfield.example',
    ]);
    expect(await services.staffClasses.classesOf(school.id, teacher.id)).toEqual(teacherClasses);
    outsider = await one(
      `SELECT given_name AS "givenName", family_name AS "familyName" FROM pupils
       WHERE school_id = $1 AND class_name <> ALL($2::text[]) AND leaving_date IS NULL
         AND NOT EXISTS (SELECT 1 FROM pupils q WHERE q.school_id = $1
                           AND q.class_name = ANY($2::text[]) AND q.family_name = pupils.family_name)
       ORDER BY family_name LIMIT 1`,
      [school.id, teacherClasses],
    );
    // A second pupil with exactly the name of one in 3 Birch, in 3 Ash, born another year.
    twin = await one(
      `SELECT given_name AS "givenName", family_name AS "familyName" FROM pupils
       WHERE school_id = $1 AND class_name = '3 Birch' AND leaving_date IS NULL
       ORDER BY family_name LIMIT 1`,
      [school.id],
    );
    await pool.query(
      `INSERT INTO pupils (school_id, mis_id, given_name, family_name, date_of_birth, year_group,
                           class_name, search_text)
       VALUES ($1, 'E2E-TWIN-1', $2, $3, '2016-01-20', '3', '3 Ash', $4)`,
      [school.id, twin.givenName, twin.familyName, `${twin.givenName} ${twin.familyName}`],
    );
    const [device] = await services.devices.listApproved(school.id);
    const photo = (await samplePhotos()).find((p) => p.name === 'sample1.jpg')!;
    const [item] = await services.media.upload(
      school.id,
      { kind: 'staff', id: teacher.id },
      { deviceId: device!.id, deviceDescription: null, eventLabel: 'sports day', swimwear: false },
      [{ data: fs.readFileSync(photo.path), filename: 'IMG_2041.JPG' }],
    );
    expect(await services.media.ingest(item!.id)).toBe('ready');
    itemId = item!.id;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('offers the teacher’s pupils first with class and year, and finds nobody else', async () => {
    const session = await env.newSession({ javaScriptEnabled: false });
    try {
      const { page } = session;
      await signInStaff(page, 'teacher@oakfield.example');
      const item = new LanyardPage(page);
      await item.goto(`/media/${itemId}`, 'Tagging page');
      const faces = await page.locator('main ol.govuk-list--number > li').count();
      expect(faces).toBeGreaterThan(1);
      await expect(page.locator('.govuk-warning-text').first().textContent()).resolves.toContain(
        `This photo has ${faces} faces and no pupils tagged yet.`,
      );

      // The likely pupils: the teacher's two classes, each option with class and year.
      const select = page.getByLabel('Pupil in face 1', { exact: true });
      const groups = await select
        .locator('optgroup')
        .evaluateAll((els) => els.map((e) => e.getAttribute('label')));
      expect(groups).toEqual(['3 Ash, Year 3 (your class)', '3 Birch, Year 3 (your class)']);
      const options = (await select.locator('option').allTextContents()).map((t) => t.trim());
      const pupils = options.filter((o) => o !== 'Not linked to a pupil');
      expect(pupils.length).toBeGreaterThan(10);
      for (const o of pupils) expect(o).toMatch(/ \(3 (Ash|Birch), Year 3(, born [^)]+)?\)$/);
      const name = `${outsider.givenName} ${outsider.familyName}`;
      expect(pupils.some((o) => o.startsWith(`${name} (`))).toBe(false);
      // The two pupils called the same are told apart by their date of birth.
      const same = pupils.filter((o) => o.startsWith(`${twin.givenName} ${twin.familyName} (`));
      expect(same).toHaveLength(2);
      expect(same).toContain(
        `${twin.givenName} ${twin.familyName} (3 Ash, Year 3, born January 2016)`,
      );

      // Searching for a pupil of another class finds nobody (a GET form, no JavaScript).
      await page.getByLabel('Name', { exact: true }).fill(outsider.familyName);
      await navigate(page, () => page.getByRole('button', { name: 'Find pupils' }).click());
      await item.check('Tagging page, search outside the classes');
      expect(new URL(page.url()).searchParams.get('q')).toBe(outsider.familyName);
      await expect(page.locator('#found').textContent()).resolves.toContain('No pupils found');
      expect(await page.locator('main').textContent()).not.toContain(name);

      // Searching within the classes adds the matches after the likely pupils.
      await page.getByLabel('Name', { exact: true }).fill(twin.familyName);
      await navigate(page, () => page.getByRole('button', { name: 'Find pupils' }).click());
      await item.check('Tagging page, search');
      const found = await page
        .getByLabel('Pupil in face 1', { exact: true })
        .locator('optgroup')
        .last()
        .getAttribute('label');
      expect(found).toBe(`Pupils matching “${twin.familyName}”`);

      // Link face 1 to the twin in 3 Ash; the page then names them with class, year and birth.
      const label = `${twin.givenName} ${twin.familyName} (3 Ash, Year 3, born January 2016)`;
      await page.getByLabel('Pupil in face 1', { exact: true }).selectOption({ label });
      await navigate(page, () =>
        page.getByRole('button', { name: 'Save face 1', exact: true }).click(),
      );
      await item.check('Tagging page, face 1 linked');
      await expect(page.locator('#face-1 h3').textContent()).resolves.toContain(label);
      // The search is kept after saving, and the warning counts in words.
      expect(new URL(page.url()).searchParams.get('q')).toBe(twin.familyName);
      await expect(page.locator('.govuk-warning-text').first().textContent()).resolves.toContain(
        `This photo has ${faces} faces but only 1 pupil is tagged.`,
      );
    } finally {
      await session.close();
    }
  });
});
