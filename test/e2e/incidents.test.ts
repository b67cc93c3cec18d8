import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, navigate, startE2e, type E2eEnvironment } from '../support/e2e-browser.ts';
import { LanyardPage, signInStaff, signInWithEmailLink } from '../support/e2e-pages.ts';
import { pdfText } from '../support/pdf-text.ts';

/**
 * Incidents in a real browser on the demo school (issue 14, "Tests"), axe on every page:
 * a parent reports a defamatory Facebook post with a screenshot through their link → the
 * Headteacher classifies it, works the school's ladder (with the platform's guidance) and makes
 * a warning letter, previewed, kept as a PDF and emailed → the PDF says what the letter says.
 * A pupil reports a nude image: no file can be given, anywhere, and the DSL sees the referral.
 * A teacher cannot open a safeguarding concern they did not report.
 */
describe('incidents: report, work the ladder, letter; image referral; who sees what (browser)', () => {
  let env: E2eEnvironment;
  let dir: string;
  let screenshot: string;

  const go = async (page: Page, label: string, action: () => Promise<unknown>) => {
    await navigate(page, action);
    await checkA11y(page, label);
  };
  const newestReport = async (kind: 'parent' | 'pupil') =>
    (
      await env.ctx.services.database.pool.query<{ id: string; reference: string }>(
        `SELECT i.id, i.reference FROM incidents i JOIN schools s ON s.id = i.school_id
          WHERE s.slug = 'oakfield-primary' AND i.reporter_kind = $1
          ORDER BY i.reported_at DESC, i.seq DESC LIMIT 1`,
        [kind],
      )
    ).rows[0]!;

  beforeAll(async () => {
    env = await startE2e({ workers: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-e2e-incidents-'));
    screenshot = path.join(dir, 'facebook-post.png');
    fs.writeFileSync(screenshot, png(320, 200));
  }, 300_000);

  afterAll(async () => {
    await env?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes a parent’s report of a defamatory post to a warning letter PDF', async () => {
    const family = await env.newSession();
    const head = await env.newSession();
    try {
      // 1. The parent reports the post through their link, with a screenshot.
      let page = family.page;
      await signInWithEmailLink(page, 'parent@oakfield.example', env.ctx.sink);
      await checkA11y(page, 'Parent home');
      const p = new LanyardPage(page);
      await p.goto('/report', 'Report a concern');
      await page.getByLabel('No', { exact: true }).check();
      await go(page, 'Report form', () => page.getByRole('button', { name: 'Continue' }).click());
      expect(await p.main.innerText()).toMatch(/keep/i);
      await page
        .getByLabel('What happened?')
        .fill(
          'A parent posted in the Oakfield Parents Facebook group that my son’s teacher is a bully and should be sacked. Other parents are joining in.',
        );
      await page.getByLabel('Platform or app (optional)').selectOption({ label: 'Facebook' });
      await page
        .getByLabel('Web address of the post or page (optional)')
        .fill('https://www.facebook.com/groups/oakfieldparents/posts/2209');
      await page.locator('input[name="reporterConcern"][value="no"]').check();
      await page.locator('#evidence').setInputFiles(screenshot);
      await go(page, 'Receipt', () => page.getByRole('button', { name: 'Send report' }).click());
      const report = await newestReport('parent');
      expect(await p.main.innerText()).toContain(report.reference);
      expect(
        (
          await env.ctx.services.database.pool.query(
            'SELECT sha256, size FROM incident_evidence WHERE incident_id = $1',
            [report.id],
          )
        ).rows,
      ).toHaveLength(1);

      // 2. The Headteacher classifies it and works the school's ladder.
      page = head.page;
      await signInStaff(page, 'head@oakfield.example');
      await checkA11y(page, 'Headteacher home');
      const h = new LanyardPage(page);
      await h.goto('/incidents', 'Case list');
      expect(await h.main.innerText()).toContain(report.reference);
      await go(page, 'Case page', () =>
        page
          .getByRole('link', { name: new RegExp(report.reference) })
          .first()
          .click(),
      );
      await page
        .getByLabel('Type', { exact: true })
        .selectOption({ label: 'A parent’s defamatory post or complaint on social media' });
      await page.getByLabel('Conduct: what they did or took part in').check();
      await page.getByLabel('Aggressive (violence, bullying, hate)').check();
      await page.locator('input[name="safeguarding"][value="no"]').check();
      await go(page, 'Classified', () =>
        page.getByRole('button', { name: 'Save classification' }).click(),
      );
      const step = async (key: string, outcome: string) => {
        const form = page.locator(`form[action$="/steps/${key}"]`);
        await form.locator('textarea[name="outcome"]').fill(outcome);
        await go(page, `Step ${key}`, () =>
          form.getByRole('button', { name: 'Record this step' }).click(),
        );
      };
      await step('keep_evidence', 'The parent’s screenshot is kept with the report.');
      // The platform step links to the school's guidance for Facebook.
      await go(page, 'Guidance for Facebook', () =>
        page.getByRole('link', { name: 'How to report it on Facebook' }).first().click(),
      );
      expect(await h.heading.innerText()).toBe('How to report on Facebook');
      await go(page, 'Case page again', () => page.goBack());
      await step('report_to_provider', 'Reported to Facebook from the post’s menu.');
      await step('request_removal', 'The parent was asked to remove it and has not.');

      // 3. A warning letter: chosen, checked, made, emailed and kept.
      await go(page, 'Letters', () =>
        page.getByRole('link', { name: 'Letters for this case' }).click(),
      );
      await go(page, 'Make a letter', () =>
        page.getByRole('button', { name: 'Make a letter' }).click(),
      );
      await page.getByLabel('Warning letter to a parent about their posts').check();
      await page.getByLabel('Who the letter is to').fill('Mr Wright');
      await page.getByLabel('Email address (optional)').fill('wright@example.com');
      await go(page, 'Letter preview', () =>
        page.getByRole('button', { name: 'Check the letter' }).click(),
      );
      const preview = await h.main.innerText();
      expect(preview).toContain('Dear Mr Wright,');
      expect(preview).toContain('https://www.facebook.com/groups/oakfieldparents/posts/2209');
      expect(preview).toContain(report.reference);
      const since = env.ctx.sink.lastId();
      await page.getByLabel(/I have checked the letter/).check();
      await go(page, 'Letter made', () =>
        page.getByRole('button', { name: 'Make and email the letter' }).click(),
      );
      expect(await h.main.innerText()).toContain('Warning letter to a parent about their posts');
      const href = await page
        .getByRole('link', { name: 'Download the letter (PDF)' })
        .getAttribute('href');
      const pdf = await page.request.get(new URL(href!, page.url()).toString());
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      const words = pdfText(await pdf.body());
      expect(words).toContain('Your posts about Oakfield Primary School on Facebook');
      expect(words).toContain('Dear Mr Wright,');
      expect(words).toContain('Helen Carter');
      expect(words).toContain(report.reference);
      // The school's own clause for this step (seed 003 at Oakfield: asking for removal).
      expect(words).toContain('The school’s social media policy says: “');
      expect(words).toMatch(/“[^”]+” \([^)]+\)\./);
      const mail = await env.ctx.sink.waitFor('wright@example.com', { since, timeoutMs: 15_000 });
      expect(pdfText(mail.attachments[0]!.content)).toContain('Dear Mr Wright,');

      // The pages that keep the school's words: letter templates and guidance.
      await h.goto('/incidents/letters/templates', 'Letter templates');
      await go(page, 'Letter template', () =>
        page.getByRole('link', { name: /Change.*Warning letter/ }).click(),
      );
      expect(await page.getByLabel('The letter', { exact: true }).inputValue()).toContain(
        '((policy clause))',
      );
      await h.goto('/incidents/guidance', 'Guidance list');
      await go(page, 'Guidance for WhatsApp', () =>
        page.getByRole('link', { name: 'WhatsApp' }).click(),
      );
      await go(page, 'Change guidance', () =>
        page.getByRole('button', { name: 'Change this guidance' }).click(),
      );
      await page.getByLabel('What you changed and why').fill('');
      await go(page, 'Guidance error', () =>
        page.getByRole('button', { name: 'Save guidance' }).click(),
      );
      expect(await h.errorSummary.innerText()).toContain('Say what you changed and why');

      // The chronology has the letter.
      await h.goto(`/incidents/${report.id}`, 'Case page with the letter');
      expect(await h.main.innerText()).toMatch(/letter/i);
    } finally {
      await family.close();
      await head.close();
    }
  }, 300_000);

  it('refuses any file for a pupil’s nude-image report, shows the DSL the referral, and keeps teachers out', async () => {
    const pupil = await env.newSession();
    const dsl = await env.newSession();
    const teacher = await env.newSession();
    try {
      // 1. The pupil says it is a nude image: no file input, the warning, the referral.
      let page = pupil.page;
      await signInWithEmailLink(page, 'pupil@oakfield.example', env.ctx.sink);
      const p = new LanyardPage(page);
      await p.goto('/report', 'Pupil report');
      await page.getByLabel('Yes, or I am not sure').check();
      await go(page, 'Image report', () => page.getByRole('button', { name: 'Continue' }).click());
      expect(await p.main.innerText()).toMatch(/Do not view, copy, print, share/);
      expect(await page.locator('input[type="file"]').count()).toBe(0);
      await page.getByLabel('I do not know').check();
      await page.getByLabel('I will not view, copy, share or keep the image').check();
      await go(page, 'Image receipt', () =>
        page.getByRole('button', { name: 'Tell the safeguarding lead' }).click(),
      );
      const report = await newestReport('pupil');
      expect(await p.main.innerText()).toContain(report.reference);
      // No route takes a file for it: the evidence page is not there for anyone.
      const refused = await page.request.get(`/incidents/${report.id}/evidence/add`);
      expect([404, 409]).toContain(refused.status());
      expect(await refused.text()).not.toContain('type="file"');

      // 2. The DSL sees the referral task and the case, with no file and no description.
      page = dsl.page;
      await signInStaff(page, 'dsl@oakfield.example');
      await checkA11y(page, 'DSL home');
      const d = new LanyardPage(page);
      await d.goto('/incidents', 'DSL case list');
      expect(await d.main.innerText()).toContain(report.reference);
      await d.goto(`/incidents/${report.id}`, 'Image referral case');
      const text = await d.main.innerText();
      expect(text).toContain('Record the referral you made');
      expect(await page.locator('input[type="file"]').count()).toBe(0);
      expect(
        (
          await env.ctx.services.database.pool.query(
            'SELECT 1 FROM incident_evidence WHERE incident_id = $1',
            [report.id],
          )
        ).rows,
      ).toHaveLength(0);

      // 3. A teacher who did not report it gets "page not found", as for a case that does not exist.
      page = teacher.page;
      await signInStaff(page, 'teacher@oakfield.example');
      const t = new LanyardPage(page);
      await t.goto(`/incidents/${report.id}`, 'Teacher refused');
      expect(await t.heading.innerText()).toMatch(/not found/i);
      expect(await t.main.innerText()).not.toContain(report.reference);
      const letters = await page.request.get(`/incidents/${report.id}/letters`);
      expect(letters.status()).toBe(404);
    } finally {
      await pupil.close();
      await dsl.close();
      await teacher.close();
    }
  }, 300_000);
});

/** A small real PNG (a grey "screenshot" with a dark band), built without an image library. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, y > 40 && y < 60 ? 0x33 : 0xdd);
    row[0] = 0;
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
