/**
 * Incident letters and platform guidance over HTTP (issue 14 items 7 and 8): the forms through
 * formRoute (error summary, answers kept, nothing changed), the preview before a letter is made,
 * the letter page and its PDF, the emailed copy, and who reaches what (404 for everyone else).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';
import { pdfText } from '../support/pdf-text.ts';
import type { Principal } from '../../src/modules/auth/principal.ts';

describe('incident letters and guidance pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  let teacher: Browser;
  let parent: Browser;
  let incidentId: string;
  let reference: string;

  const count = async (table: string) =>
    Number(
      (
        await ctx.services.database.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${table} WHERE school_id = $1`,
          [fx.school.id],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2, template: 'the-avenue-primary' });
    const reporter: Principal = {
      kind: 'parent',
      id: fx.parent.id,
      schoolId: fx.school.id,
      name: 'Parent',
    };
    ({ id: incidentId, reference } = await ctx.services.incidents.reportConcern(reporter, {
      whatHappened: 'Posts calling the Headteacher a liar.',
      platform: 'facebook',
      url: 'https://www.facebook.com/groups/parents/posts/9',
      occurredOn: '2026-11-12',
      occurredTime: undefined,
      occurredWhere: undefined,
      reporterConcern: 'no',
      pupils: [],
      pupilPart: undefined,
      staff: [],
      staffPart: undefined,
      named: [],
    }));
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    parent = new Browser(app);
    await signInWithLink(parent, ctx, fx.parent.email!);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists the platforms for everyone of the school, parents included; edits only for Head/DSL', async () => {
    for (const b of [head, teacher, parent]) {
      const list = await b.get('/incidents/guidance');
      expect(list.statusCode).toBe(200);
      for (const name of [
        'Facebook',
        'Instagram',
        'TikTok',
        'YouTube',
        'Snapchat',
        'WhatsApp',
        'CEOP',
      ])
        expect(list.body).toContain(name);
    }
    const page = await parent.get('/incidents/guidance/tiktok');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('How to report on TikTok');
    expect(page.body).toContain('href="https://support.tiktok.com/en/safety-hc/report-a-problem"');
    expect(page.body).toContain('last checked');
    expect(page.body).not.toContain('Change this guidance');
    expect((await head.get('/incidents/guidance/tiktok')).body).toContain('Change this guidance');
    expect((await teacher.get('/incidents/guidance/tiktok/edit')).statusCode).toBe(404);
    expect((await head.get('/incidents/guidance/myspace')).statusCode).toBe(404);
  });

  it('re-renders a bad guidance edit with the error summary, changing nothing; saves a good one', async () => {
    const form = {
      summary: 'Our words for TikTok.',
      steps: '1. Screenshot the video\n2. Press and hold, then Report',
      link1Text: 'TikTok help',
      link1Url: 'javascript:alert(1)',
      note: '',
    };
    const bad = await head.post('/incidents/guidance/tiktok', form, {
      csrfFrom: '/incidents/guidance/tiktok/edit',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Enter a web address starting with https://');
    expect(bad.body).toContain('Say what you changed and why');
    expect(bad.body).toContain('Our words for TikTok.');
    expect(await count('incident_guidance_versions')).toBe(0);
    // A teacher's post is a 404 whatever it says.
    const refused = await teacher.post(
      '/incidents/guidance/tiktok',
      { ...form, link1Url: 'https://www.tiktok.com/', note: 'x' },
      { csrfFrom: '/incidents/guidance' },
    );
    expect(refused.statusCode).toBe(404);
    const good = await head.post(
      '/incidents/guidance/tiktok',
      { ...form, link1Url: 'https://support.tiktok.com/', note: 'Simpler steps' },
      { csrfFrom: '/incidents/guidance/tiktok/edit' },
    );
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toBe('/incidents/guidance/tiktok');
    const page = await parent.get('/incidents/guidance/tiktok');
    expect(page.body).toContain('Screenshot the video');
    expect(page.body).toContain('Written by the school');
    expect(page.body).not.toContain('Simpler steps'); // the history is for the editors
    expect((await head.get('/incidents/guidance/tiktok')).body).toContain('Simpler steps');
  });

  it('previews a letter filled with the case’s facts before anything is kept', async () => {
    const form = await head.get(`/incidents/${incidentId}/letters/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Warning letter to a parent about their posts');
    const bad = await head.post(`/incidents/${incidentId}/letters/preview`, {
      template: 'parent_warning',
      recipientName: '',
      recipientEmail: 'not-an-address',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter who the letter is to');
    expect(bad.body).toContain('Enter an email address in the correct format');
    const preview = await head.post(`/incidents/${incidentId}/letters/preview`, {
      template: 'parent_warning',
      recipientName: 'Mr Smith',
      recipientEmail: 'smith@example.com',
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Check the letter before you make it');
    expect(preview.body).toContain('Dear Mr Smith,');
    expect(preview.body).toContain('12 November 2026');
    expect(preview.body).toContain('https://www.facebook.com/groups/parents/posts/9');
    expect(preview.body).toContain(reference);
    expect(preview.body).not.toMatch(/\(\([a-z ]+\)\)/);
    expect(await count('incident_letters')).toBe(0);
  });

  it('makes the letter once confirmed: kept with the case, its PDF, and the email', async () => {
    const fields = {
      template: 'parent_warning',
      recipientName: 'Mr Smith',
      recipientEmail: 'smith@example.com',
    };
    const unconfirmed = await head.post(`/incidents/${incidentId}/letters`, fields);
    expect(unconfirmed.statusCode).toBe(400);
    expect(await count('incident_letters')).toBe(0);
    const since = ctx.sink.lastId();
    const made = await head.post(`/incidents/${incidentId}/letters`, { ...fields, confirm: 'yes' });
    expect(made.statusCode).toBe(303);
    const location = String(made.headers.location);
    expect(location).toMatch(new RegExp(`^/incidents/${incidentId}/letters/[0-9a-f-]{36}$`));
    const page = await head.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('It is being emailed to smith@example.com');
    expect(page.body).toContain('Download the letter (PDF)');
    const pdf = await head.get(`${location}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(String(pdf.headers['content-disposition'])).toMatch(
      /^attachment; filename="warning-letter/,
    );
    expect(pdfText(pdf.rawPayload)).toContain('Dear Mr Smith,');
    const mail = await ctx.sink.waitFor('smith@example.com', { since });
    expect(mail.attachments[0]!.contentType).toBe('application/pdf');
    expect(pdfText(mail.attachments[0]!.content)).toContain(reference);
    // The case's letters list; the reporter and a teacher get 404 for all of it.
    expect((await head.get(`/incidents/${incidentId}/letters`)).body).toContain('Mr Smith');
    for (const b of [teacher, parent]) {
      expect((await b.get(`/incidents/${incidentId}/letters`)).statusCode).toBe(404);
      expect((await b.get(location)).statusCode).toBe(404);
      expect((await b.get(`${location}/pdf`)).statusCode).toBe(404);
    }
    // Without the CSRF token nothing is made.
    const before = await count('incident_letters');
    const forged = await head.post(
      `/incidents/${incidentId}/letters`,
      { ...fields, confirm: 'yes' },
      { csrf: false },
    );
    expect(forged.statusCode).toBe(403);
    expect(await count('incident_letters')).toBe(before);
  });

  it('lets the Headteacher reword a template, refusing placeholders Lanyard cannot fill', async () => {
    const page = await head.get('/incidents/letters/templates/parent_warning');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('((policy clause))');
    const bad = await head.post('/incidents/letters/templates/parent_warning', {
      title: 'Warning',
      subject: 'About ((pupil name))',
      body: 'Dear ((recipient name)),',
      defaultAsk: 'remove it',
      note: 'Shorter',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('((pupil name)), which Lanyard cannot fill in');
    expect(await count('incident_letter_template_versions')).toBe(0);
    const good = await head.post('/incidents/letters/templates/parent_warning', {
      title: 'Warning',
      subject: 'About ((platform))',
      body: 'Dear ((recipient name)),\n\nPlease ((what we ask))',
      defaultAsk: 'remove it.',
      note: 'Shorter',
    });
    expect(good.statusCode).toBe(303);
    const list = await head.get('/incidents/letters/templates');
    expect(list.body).toContain('The school’s own, changed by headteacher Tester');
    expect((await teacher.get('/incidents/letters/templates')).statusCode).toBe(404);
    // Lanyard's wording back, as a new version (the school's kept in the history).
    const emptyWhy = await head.post('/incidents/letters/templates/parent_warning/restore', {
      note: '',
    });
    expect(emptyWhy.statusCode).toBe(400);
    expect(emptyWhy.body).toContain('Say why');
    const restored = await head.post('/incidents/letters/templates/parent_warning/restore', {
      note: 'The long version after all',
    });
    expect(restored.statusCode).toBe(303);
    const edit = await head.get('/incidents/letters/templates/parent_warning');
    expect(edit.body).toContain('We recognise that parents may have concerns');
    expect(edit.body).toContain('The long version after all');
    expect(edit.body).toContain('Shorter');
    expect(await count('incident_letter_template_versions')).toBe(2);
  });
});
