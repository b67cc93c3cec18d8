import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { pdfText } from '../support/pdf-text.ts';
import { NotFoundError } from '../../src/errors.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';
import type { ReportInput } from '../../src/modules/incidents/incidents.forms.ts';

/**
 * Letters and platform guidance (issue 14 items 7 and 8) on real PostgreSQL, the real file store
 * with the evidence encryption, and the real SMTP sink.
 */
describe('incident letters and guidance (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let incidentId: string;
  let reference: string;

  const as = (f: SchoolFixture, role: StaffRole): Principal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const report = (over: Partial<ReportInput> = {}): ReportInput => ({
    whatHappened: 'A parent posted that Mr Jones “should be sacked” and named him.',
    platform: 'facebook',
    url: 'https://www.facebook.com/groups/oakfieldparents/posts/123',
    occurredOn: '2026-10-03',
    occurredTime: undefined,
    occurredWhere: 'The parents’ Facebook group',
    reporterConcern: 'no',
    pupils: [],
    pupilPart: undefined,
    staff: [],
    staffPart: undefined,
    named: [],
    ...over,
  });
  const count = async (table: string, where = 'true') => {
    const r = await ctx.services.database.db.execute(
      sql.raw(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`),
    );
    return (r.rows[0] as { n: number }).n;
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 4, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { pupils: 4 }),
    ]);
    const parent: Principal = {
      kind: 'parent',
      id: fx.parent.id,
      schoolId: fx.school.id,
      name: 'Parent',
    };
    ({ id: incidentId, reference } = await ctx.services.incidents.reportConcern(parent, report()));
    await ctx.services.incidentCases.classify(as(fx, 'headteacher') as never, incidentId, {
      incidentType: 'parent_defamation',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: 'no',
    });
  });
  afterAll(async () => ctx?.close());

  it('offers Lanyard’s three letters until the school words its own', async () => {
    const templates = await ctx.services.incidentLetters.templates(fx.school.id);
    expect(templates.map((t) => [t.key, t.source])).toEqual([
      ['parent_warning', 'lanyard'],
      ['platform_removal', 'lanyard'],
      ['meeting_invitation', 'lanyard'],
    ]);
  });

  it('fills a letter with the incident’s facts and the school’s own clause (seed 001)', async () => {
    const letter = await ctx.services.incidentLetters.compose(
      as(fx, 'headteacher'),
      incidentId,
      'parent_warning',
      { recipientName: 'Mr Smith' },
    );
    expect(letter.subject).toBe(`Your posts about ${fx.school.name} on Facebook`);
    expect(letter.body).toContain('Dear Mr Smith,');
    expect(letter.body).toContain('on or around 3 October 2026');
    expect(letter.body).toContain('https://www.facebook.com/groups/oakfieldparents/posts/123');
    expect(letter.body).toContain(reference);
    expect(letter.body).toContain('headteacher Tester');
    // 001: "If required set out the school's concerns to you in writing …"
    expect(letter.body).toContain('If required set out the school');
    expect(letter.body).not.toMatch(/\(\([a-z ]+\)\)/);
  });

  it('shows no case to staff who may not open it, nor to another school (404)', async () => {
    const letters = ctx.services.incidentLetters;
    for (const p of [as(fx, 'teacher'), as(fx, 'office'), as(other, 'headteacher')]) {
      await expect(
        letters.compose(p, incidentId, 'parent_warning', { recipientName: 'X' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(letters.list(p, incidentId)).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  let letterId: string;
  it('makes the letter: PDF encrypted in the store, an entry of kind letter, audited, emailed once', async () => {
    const letters = ctx.services.incidentLetters;
    const since = ctx.sink.lastId();
    letterId = await letters.generate(as(fx, 'headteacher'), incidentId, 'parent_warning', {
      recipientName: 'Mr Smith',
      recipientEmail: 'j.smith@example.com',
      ask: 'remove the post today.',
    });
    const entries = await ctx.services.database.db.execute(
      sql`SELECT kind, data FROM incident_entries WHERE incident_id = ${incidentId} AND kind = 'letter'`,
    );
    expect(entries.rows).toHaveLength(1);
    expect((entries.rows[0] as { data: Record<string, unknown> }).data).toMatchObject({
      letterId,
      templateKey: 'parent_warning',
      recipientName: 'Mr Smith',
      emailed: true,
    });
    expect(
      await count(
        'audit_events',
        `action = 'incidents.letter-created' AND entity_id = '${letterId}'`,
      ),
    ).toBe(1);

    // At rest the file is ciphertext: a copy of the file store alone shows nothing.
    const [row] = (await letters.list(as(fx, 'headteacher'), incidentId)).filter(
      (l) => l.id === letterId,
    );
    const raw: Buffer[] = [];
    for await (const c of await ctx.platform.files.stream(row!.storageKey)) raw.push(c as Buffer);
    const stored = Buffer.concat(raw);
    expect(stored.includes(Buffer.from('%PDF'))).toBe(false);
    expect(stored.includes(Buffer.from('Smith'))).toBe(false);

    // The job sends it with the PDF attached, once.
    await letters.emailLetter(letterId);
    await letters.emailLetter(letterId);
    const mail = await ctx.sink.waitFor('j.smith@example.com', { since });
    expect(mail.subject).toBe(`Your posts about ${fx.school.name} on Facebook`);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.contentType).toBe('application/pdf');
    const words = pdfText(mail.attachments[0]!.content);
    expect(words).toContain('Dear Mr Smith,');
    expect(words).toContain('remove the post today.');
    expect(
      ctx.sink.messages.filter((m) => m.id > since && m.to.includes('j.smith@example.com')),
    ).toHaveLength(1);
    expect((await letters.get(as(fx, 'headteacher'), incidentId, letterId)).emailedTo).toBe(
      'j.smith@example.com',
    );
  });

  it('gives the PDF back checked and audited; a changed file is refused', async () => {
    const letters = ctx.services.incidentLetters;
    const { bytes, filename } = await letters.pdf(as(fx, 'headteacher'), letterId);
    expect(filename).toMatch(
      /^warning-letter-to-a-parent-about-their-posts-\d{4}-\d{2}-\d{2}\.pdf$/,
    );
    expect(pdfText(bytes)).toContain(reference);
    expect(
      await count(
        'audit_events',
        `action = 'incidents.letter-downloaded' AND entity_id = '${letterId}'`,
      ),
    ).toBe(1);
    await expect(letters.pdf(as(fx, 'teacher'), letterId)).rejects.toBeInstanceOf(NotFoundError);

    // One byte of the stored file changed: the download is refused, nothing is handed on.
    const row = await letters.get(as(fx, 'headteacher'), incidentId, letterId);
    const file = path.join(ctx.dataDir, 'files', ...row.storageKey.split('/'));
    const original = fs.readFileSync(file);
    const changed = Buffer.from(original);
    changed[changed.length - 40] = changed[changed.length - 40]! ^ 0xff;
    fs.writeFileSync(file, changed);
    try {
      await expect(letters.pdf(as(fx, 'headteacher'), letterId)).rejects.toThrow(/changed/);
    } finally {
      fs.writeFileSync(file, original);
    }
    expect(pdfText((await letters.pdf(as(fx, 'headteacher'), letterId)).bytes)).toContain(
      reference,
    );
    await expect(letters.pdf(as(other, 'headteacher'), letterId)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  /** A statement straight to PostgreSQL (not through Drizzle, which wraps the error). */
  const direct = async (text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: ctx.database.url });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  };

  it('keeps letters and their emails append-only (trigger)', async () => {
    await expect(
      direct(`UPDATE incident_letters SET body = 'changed' WHERE id = $1`, [letterId]),
    ).rejects.toThrow(/append-only/);
    await expect(direct(`DELETE FROM incident_letters WHERE id = $1`, [letterId])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      direct(`DELETE FROM incident_letter_emails WHERE letter_id = $1`, [letterId]),
    ).rejects.toThrow(/append-only/);
    await expect(direct(`TRUNCATE incident_letter_template_versions CASCADE`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('lets the Headteacher or DSL reword a template; each edit kept, new letters use it', async () => {
    const letters = ctx.services.incidentLetters;
    const { template } = await letters.template(fx.school.id, 'meeting_invitation');
    await expect(
      letters.updateTemplate(as(fx, 'teacher'), 'meeting_invitation', { ...template, note: 'x' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await letters.updateTemplate(as(fx, 'dsl'), 'meeting_invitation', {
      ...template,
      body: 'Dear ((recipient name)),\n\nPlease come in to see ((headteacher name)) about ((reference)).',
      note: 'Shorter',
    });
    await letters.updateTemplate(as(fx, 'headteacher'), 'meeting_invitation', {
      ...template,
      body: 'Dear ((recipient name)),\n\nPlease come and see me about ((reference)) on ((platform)).',
      note: 'Mention the platform',
    });
    const after = await letters.template(fx.school.id, 'meeting_invitation');
    expect(after.template.source).toBe('school');
    expect(after.history.map((h) => h.note)).toEqual(['Mention the platform', 'Shorter']);
    const composed = await letters.compose(as(fx, 'dsl'), incidentId, 'meeting_invitation', {
      recipientName: 'Mrs Smith',
    });
    expect(composed.body).toBe(
      `Dear Mrs Smith,\n\nPlease come and see me about ${reference} on Facebook.`,
    );
    // Other schools keep Lanyard's wording.
    expect((await letters.template(other.school.id, 'meeting_invitation')).template.source).toBe(
      'lanyard',
    );
    // The letter made before keeps its words.
    expect((await letters.get(as(fx, 'headteacher'), incidentId, letterId)).body).toContain(
      'If required set out the school',
    );
  });

  it('shows Lanyard’s guidance until the school saves its own, with history; restores it', async () => {
    const guidance = ctx.services.incidentGuidance;
    const pages = await guidance.pages(fx.school.id);
    expect(pages.map((p) => p.platform)).toEqual([
      'facebook',
      'instagram',
      'tiktok',
      'x',
      'youtube',
      'snapchat',
      'whatsapp',
      'ceop',
    ]);
    expect(pages.every((p) => p.source === 'lanyard')).toBe(true);
    const input = {
      summary: 'Our own words.',
      steps: ['Screenshot it', 'Report it from the post’s menu'],
      links: [{ text: 'Help', url: 'https://www.facebook.com/help/' }],
      note: 'Simpler for our parents',
    };
    await expect(guidance.update(as(fx, 'teacher'), 'facebook', input)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(guidance.update(as(fx, 'dsl'), 'myspace', input)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await guidance.update(as(fx, 'dsl'), 'facebook', input);
    let { page, history } = await guidance.page(fx.school.id, 'facebook');
    expect(page).toMatchObject({ source: 'school', summary: 'Our own words.', steps: input.steps });
    expect(page.editedByName).toBe('dsl Tester');
    expect(history).toHaveLength(1);
    expect((await guidance.page(other.school.id, 'facebook')).page.source).toBe('lanyard');

    await guidance.restoreDefault(as(fx, 'headteacher'), 'facebook', 'Back to Lanyard');
    ({ page, history } = await guidance.page(fx.school.id, 'facebook'));
    expect(page.source).toBe('lanyard');
    expect(page.steps[1]).toMatch(/three dots/);
    expect(history.map((h) => [h.note, h.restoredDefault])).toEqual([
      ['Back to Lanyard', true],
      ['Simpler for our parents', false],
    ]);
    expect(await count('audit_events', `action LIKE 'incidents.guidance-%'`)).toBe(2);
    await expect(direct(`DELETE FROM incident_guidance_versions`)).rejects.toThrow(/append-only/);
  });
});
