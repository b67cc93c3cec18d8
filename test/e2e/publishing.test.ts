import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  navigate,
  reloadUntil,
  startE2e,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import { LanyardPage, signInStaff } from '../support/e2e-pages.ts';
import { samplePhotos } from '../support/sample-photos.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';

/**
 * The whole publishing journey in a real browser on the demo school (issue 12, "Tests"): a
 * teacher drafts a post with a photo of a pupil (real face detection; the other faces are not
 * tagged) and the pupil's full name in the text → the Headteacher sees the failing check with
 * the school's clause and returns it → the teacher takes the name out and sends it again → the Headteacher
 * approves and publishes → the post is on the public news page, its photo the blurred copy (not
 * the original) → the pupil's parent withdraws consent on the family form → the takedown job
 * takes it off the news page → the takedown shows as done. axe runs on every page visited.
 */
describe('publishing: draft, check, approve, publish, withdraw, take down (browser)', () => {
  let env: E2eEnvironment;
  let schoolId: string;
  let child: { id: string; givenName: string; familyName: string };
  let parent: { id: string; email: string };
  let mediaId: string;
  let original: Buffer;
  const title = 'Sports morning in Year 3';

  const go = async (page: Page, label: string, action: () => Promise<unknown>) => {
    await navigate(page, action);
    await checkA11y(page, label);
  };

  beforeAll(async () => {
    env = await startE2e({ workers: true });
    const { services } = env.ctx;
    const pool = services.database.pool;
    const one = async <T>(q: string, params: unknown[]) =>
      (await pool.query<T & Record<string, unknown>>(q, params)).rows[0]!;
    schoolId = (
      await one<{ id: string }>(`SELECT id FROM schools WHERE slug = 'oakfield-primary'`, [])
    ).id;
    // The demo parent and their child, whose form for this year comes back today with a yes.
    parent = await one(`SELECT id, email FROM parents WHERE email = 'parent@oakfield.example'`, []);
    child = await one(
      `SELECT p.id, p.given_name AS "givenName", p.family_name AS "familyName"
         FROM pupils p JOIN pupil_parents pp ON pp.pupil_id = p.id
        WHERE pp.parent_id = $1 AND pp.parental_responsibility ORDER BY p.id LIMIT 1`,
      [parent.id],
    );
    const settings = await services.consent.settings(schoolId);
    const keys = consentKeysFor(settings);
    await services.consent.record(
      {
        schoolId,
        pupilId: child.id,
        decider: { kind: 'parent', parentId: parent.id },
        decisions: Object.fromEntries(keys.map((k) => [k, 'granted'])),
        method: 'paper_form',
        kind: 'form',
        decidedOn: new Date().toISOString().slice(0, 10),
      },
      { kind: 'system', id: null },
    );
    // A real photo from the Year 3 iPad; face 1 is the child, the others are not tagged.
    const teacher = await one<{ id: string }>(
      `SELECT id FROM staff WHERE email = 'teacher@oakfield.example'`,
      [],
    );
    const device = (await services.devices.listApproved(schoolId)).find(
      (d) => d.assetTag === 'OAK-IPAD-03',
    )!;
    const photo = (await samplePhotos()).find((p) => p.name === 'sample1.jpg')!;
    original = fs.readFileSync(photo.path);
    const [item] = await services.media.upload(
      schoolId,
      { kind: 'staff', id: teacher.id },
      {
        deviceId: device.id,
        deviceDescription: null,
        eventLabel: 'sports morning',
        swimwear: false,
      },
      [{ data: original, filename: 'IMG_3001.JPG' }],
    );
    expect(await services.media.ingest(item!.id)).toBe('ready');
    mediaId = item!.id;
    const view = await services.media.view(schoolId, mediaId);
    expect(view.faces.length).toBeGreaterThan(1);
    await services.media.linkFace(
      schoolId,
      { kind: 'staff', id: teacher.id },
      mediaId,
      view.faces[0]!.id,
      child.id,
    );
  }, 300_000);

  afterAll(async () => {
    await env?.close();
  });

  it('goes from a draft with a failing check to the news page, and comes down after a withdrawal', async () => {
    const fullName = `${child.givenName} ${child.familyName}`;
    const teacher = await env.newSession();
    const head = await env.newSession();
    const family = await env.newSession({ javaScriptEnabled: false });
    let postPath = '';
    try {
      // 1. The teacher drafts the post with the photo, naming the child in full, and sends it.
      let page = teacher.page;
      await signInStaff(page, 'teacher@oakfield.example');
      await checkA11y(page, 'Teacher home');
      const t = new LanyardPage(page);
      await t.goto('/posts/new', 'New post');
      await page.getByLabel('Title', { exact: true }).fill(title);
      await page
        .getByLabel('Text', { exact: true })
        .fill(`Well done to ${fullName} and everyone in Year 3 for a brilliant sports morning.`);
      await page.locator(`#media-${mediaId}`).check();
      await page.locator(`#alt-${mediaId}`).fill('Pupils running a relay race on the field');
      await page.getByLabel('School news page', { exact: true }).check();
      await go(page, 'Draft saved', () => page.getByRole('button', { name: 'Save draft' }).click());
      postPath = new URL(page.url()).pathname;
      expect(postPath).toMatch(/^\/posts\/[0-9a-f-]{36}$/);
      await go(page, 'Sent for approval', () =>
        page.getByRole('button', { name: 'Send for approval' }).click(),
      );

      // 2. The Headteacher sees it waiting on the home page, with the failing name check and
      //    the school's own clause.
      page = head.page;
      const home = await signInStaff(page, 'head@oakfield.example');
      await checkA11y(page, 'Headteacher home');
      expect(await home.attentionItems()).toContain(`Post waiting for approval: ${title}`);
      const h = new LanyardPage(page);
      await h.goto(postPath, 'Post waiting for approval');
      const checks = await page.locator('#checks').locator('..').innerText();
      expect(checks).toContain('4.12');
      expect(await page.locator('main').innerText()).toMatch(/full name/i);
      // It cannot be approved as it is: the Headteacher returns it with a comment.
      await page
        .getByLabel('What needs to change', { exact: true })
        .fill('Please take out the pupil’s full name: our policy never names a pupil in a photo.');
      await go(page, 'Returned', () =>
        page.getByRole('button', { name: 'Return to the author' }).click(),
      );

      // 3. The teacher takes the name out and sends it again.
      page = teacher.page;
      await t.goto(`${postPath}/edit`, 'Change the post');
      await page
        .getByLabel('Text', { exact: true })
        .fill('Well done to everyone in Year 3 for a brilliant sports morning.');
      await go(page, 'Draft changed', () =>
        page.getByRole('button', { name: 'Save draft' }).click(),
      );
      await go(page, 'Sent again', () =>
        page.getByRole('button', { name: 'Send for approval' }).click(),
      );

      // 4. The Headteacher approves and publishes it now.
      page = head.page;
      await h.goto(postPath, 'Post waiting again');
      await go(page, 'Approved', () => page.getByRole('button', { name: 'Approve' }).click());
      const publishNow = page.getByRole('button', { name: 'Publish now' });
      if (await publishNow.count()) await go(page, 'Published', () => publishNow.click());
      const pool = env.ctx.services.database.pool;
      const live = async () =>
        (
          await pool.query<{ id: string; state: string; sha: string | null }>(
            `SELECT p.id, p.state, i.rendition_sha256 AS sha FROM publications p
               JOIN posts po ON po.id = p.post_id
               LEFT JOIN publication_items i ON i.publication_id = p.id
              WHERE po.title = $1`,
            [title],
          )
        ).rows;
      for (let i = 0; i < 100 && (await live())[0]?.state !== 'live'; i++)
        await new Promise((r) => setTimeout(r, 200));
      const [pub] = await live();
      expect(pub?.state).toBe('live');

      // 5. On the public news page (no sign-in), its photo the blurred copy, not the original.
      page = family.page;
      const n = new LanyardPage(page);
      await n.goto('/news/oakfield-primary', 'News page');
      await go(page, 'News post', () => page.getByRole('link', { name: title }).click());
      const src = await page.locator('main img').first().getAttribute('src');
      expect(src).toBeTruthy();
      const image = await page.request.get(new URL(src!, page.url()).toString());
      expect(image.status()).toBe(200);
      const served = await image.body();
      const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
      expect(sha(served)).toBe(pub!.sha);
      expect(sha(served)).not.toBe(sha(original));
      expect(await page.locator('main').innerText()).not.toContain(fullName);

      // 6. The parent withdraws consent for the school's social media on the family form.
      const since = env.ctx.sink.lastId();
      const [period] = await env.ctx.services.consent.recordablePeriods(schoolId);
      expect(
        await env.ctx.services.consentForm.sendFormLink(schoolId, parent.id, {
          reason: 'reminder',
          periodKey: period!.key,
        }),
      ).toBe('sent');
      const mail = await env.ctx.sink.waitFor(parent.email, { since, timeoutMs: 10_000 });
      const link = /https?:\/\/\S+?(\/sign-in\/link\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      await page.goto(link, { waitUntil: 'load' });
      await checkA11y(page, 'Continue to sign in');
      await go(page, 'Family form', () =>
        page.getByRole('button', { name: 'Continue', exact: true }).click(),
      );
      await go(page, 'Current answers', () =>
        page
          .getByRole('link', {
            name: new RegExp(`^(View or change|Continue) answers for ${child.givenName}`),
          })
          .click(),
      );
      await page.locator('input[name="school_social_media-image"][value="no"]').check();
      await go(page, 'Check your answers', () =>
        page.getByRole('button', { name: 'Continue', exact: true }).click(),
      );
      await go(page, 'Withdrawal recorded', () =>
        page.getByRole('button', { name: 'Confirm and send', exact: true }).click(),
      );
      expect(await page.locator('main').innerText()).toContain('School news page');

      // 7. The takedown job takes it off the news page.
      await n.goto('/news/oakfield-primary', 'News page after the withdrawal');
      await reloadUntil(
        page,
        async () => !(await page.locator('main').innerText()).includes(title),
        { label: 'the post to leave the news page', timeoutMs: 60_000 },
      );
      await checkA11y(page, 'News page without the post');
      expect((await live())[0]?.state).toBe('removed');

      // 8. The Headteacher sees the takedown done.
      page = head.page;
      await h.goto('/posts/takedowns', 'Takedowns');
      const main = await page.locator('main').innerText();
      const done = main.slice(main.lastIndexOf('Done'));
      expect(done).toContain(title);
      expect(done).toContain('School news page');
      expect(main.slice(0, main.lastIndexOf('Done'))).not.toContain(title);
    } finally {
      await teacher.close();
      await head.close();
      await family.close();
    }
  }, 300_000);
});
