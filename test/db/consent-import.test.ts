import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { ConflictError } from '../../src/errors.ts';
import { importConsentsCommand } from '../../src/cli/import-consents.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

const fixtures = path.join(import.meta.dirname, '../fixtures/consent');

describe('consent import from a spreadsheet', () => {
  const clock = fixedClock('2026-11-22T09:00:00Z');
  let ctx: TestContext;
  let fx: SchoolFixture;
  const office = () => ({ kind: 'staff' as const, id: fx.staff.dpo.id });
  /** Each pupil with a parent who holds parental responsibility (and, where there is one, a linked carer who does not). */
  let families: {
    pupilId: string;
    misId: string;
    parentEmail: string;
    parentId: string;
    parentMisId: string | null;
  }[];

  const count = async (sql: string) =>
    Number((await ctx.services.database.pool.query<{ n: string }>(sql, [fx.school.id])).rows[0]!.n);
  const records = () => count('SELECT count(*) AS n FROM consent_records WHERE school_id = $1');
  const events = () =>
    count(
      "SELECT count(*) AS n FROM domain_events WHERE school_id = $1 AND type = 'consent.changed'",
    );
  const audits = (action: string) =>
    count(`SELECT count(*) AS n FROM audit_events WHERE school_id = $1 AND action = '${action}'`);

  /** upload → the preview job, as the web and the worker do it. */
  const upload = async (csv: string | Buffer, filename = 'consents.csv') => {
    const id = await ctx.services.consentImports.upload(fx.school.id, office(), {
      filename,
      data: Buffer.isBuffer(csv) ? csv : Buffer.from(csv),
    });
    await ctx.services.consentImports.preview(id);
    return id;
  };

  const HEADER =
    'UPN,Pupil name,Parent email,Date on form,Method,school_social_media image,school_social_media video,school_social_media name';
  const row = (i: number, image: string, video: string, name: string, date = '04/09/2026') =>
    `${families[i]!.misId},Someone,${families[i]!.parentEmail},${date},paper form,${image},${video},${name}`;
  const goodFile = () =>
    [
      HEADER,
      row(0, 'Yes', 'No', 'No'),
      row(1, 'Y', 'Y', 'Y'),
      row(2, 'granted', 'refused', ''),
      row(3, 'not returned', 'not returned', 'not returned', ''),
    ].join('\r\n');

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    fx = await createSchool(ctx.services, { slug: 'consent-import', pupils: 12 });
    families = [];
    for (const p of fx.pupils) {
      const reg = await ctx.services.consent.pupilRegister(fx.school.id, p.id);
      const parent = reg.parents.find((x) => x.parentalResponsibility && x.email);
      if (!parent) continue;
      const misId = fx.parents.find((x) => x.id === parent.id)?.misId ?? null;
      families.push({
        pupilId: p.id,
        misId: p.misId,
        parentEmail: parent.email!,
        parentId: parent.id,
        parentMisId: misId,
      });
    }
    expect(families.length).toBeGreaterThan(6);
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('lists every row problem in the preview and records nothing', async () => {
    // A carer linked to pupil 4 without parental responsibility.
    const carer = fx.parents.find(
      (p) =>
        p.email && !families.some((f) => f.parentId === p.id) && p.id !== families[4]!.parentId,
    )!;
    await ctx.services.database.pool.query(
      `INSERT INTO pupil_parents (school_id, pupil_id, parent_id, relationship, parental_responsibility)
       VALUES ($1, $2, $3, 'Step-parent', false) ON CONFLICT (pupil_id, parent_id) DO UPDATE SET parental_responsibility = false`,
      [fx.school.id, families[4]!.pupilId, carer.id],
    );
    const csv = [
      HEADER,
      row(0, 'Yes', 'No', 'No'),
      `NOSUCHPUPIL,X,${families[1]!.parentEmail},04/09/2026,paper form,Yes,Yes,Yes`,
      `${families[4]!.misId},X,${carer.email},04/09/2026,paper form,Yes,Yes,Yes`,
      row(2, 'Yes', 'No', 'No', '31/02/2026'),
      row(3, 'perhaps', 'No', 'No'),
      row(5, 'Yes', 'No', 'No', '01/01/2027'),
    ].join('\n');
    const id = await upload(csv);
    const view = await ctx.services.consentImports.get(fx.school.id, id);
    expect(view.status).toBe('rejected');
    const p = view.preview!;
    expect(p.canCommit).toBe(false);
    const byLine = new Map(p.errors.map((e) => [e.line, e.message]));
    expect(byLine.get(3)).toMatch(/No pupil with the id “NOSUCHPUPIL”/);
    expect(byLine.get(4)).toMatch(/does not hold parental responsibility/);
    expect(byLine.get(5)).toMatch(/isn’t a real date/);
    expect(byLine.get(6)).toMatch(/“perhaps” isn’t an answer/);
    expect(byLine.get(7)).toMatch(/in the future/);
    expect(byLine.has(2)).toBe(false);
    expect(p.rowsWithErrors).toBe(5);
    await expect(ctx.services.consentImports.confirm(fx.school.id, office(), id)).rejects.toThrow(
      ConflictError,
    );
    expect(await records()).toBe(0);
  });

  it('reports a column for a purpose the policy does not have', async () => {
    const csv = `UPN,Parent email,Date,school_website image,school_social_media image\n${families[0]!.misId},${families[0]!.parentEmail},04/09/2026,Yes,Yes\n`;
    const view = await ctx.services.consentImports.get(fx.school.id, await upload(csv));
    expect(view.status).toBe('rejected');
    expect(view.preview!.errors[0]).toMatchObject({ line: 1, column: 'school_website image' });
    expect(view.preview!.errors[0]!.message).toMatch(/not in the school’s policy/);
    expect(await records()).toBe(0);
  });

  it('refuses files that are not CSV text, in the wrong encoding, or without the columns', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(200, 7),
    ]);
    const binary = await ctx.services.consentImports.get(fx.school.id, await upload(png, 'x.csv'));
    expect(binary.status).toBe('rejected');
    expect(binary.fileError).toMatch(/PNG picture, not a CSV file/);

    const latin1 = fs.readFileSync(path.join(fixtures, 'latin1.csv'));
    const enc = await ctx.services.consentImports.get(fx.school.id, await upload(latin1));
    expect(enc.fileError).toMatch(/isn't saved as "CSV UTF-8"/);

    const missing = await ctx.services.consentImports.get(
      fx.school.id,
      await upload('Name,Class\nAda,3B\n'),
    );
    expect(missing.fileError).toMatch(/missing columns we need: a pupil id/);
    expect(await records()).toBe(0);
  });

  it('records a clean file in one go, and the same file twice changes nothing', async () => {
    const id = await upload(goodFile());
    const view = await ctx.services.consentImports.get(fx.school.id, id);
    expect(view.status).toBe('previewed');
    expect(view.preview!.counts).toEqual({
      statements: 4,
      newStatements: 4,
      unchangedStatements: 0,
      pupils: 4,
    });
    expect(await records()).toBe(0); // nothing until confirmed
    const eventsBefore = await events();

    const done = await ctx.services.consentImports.confirm(fx.school.id, office(), id);
    expect(done.status).toBe('committed');
    expect(done.summary).toMatchObject({ newStatements: 4, pupils: 4 });
    expect(await records()).toBe(4);
    // Pupils 0, 1 and 2 now may appear somewhere; pupil 3's "not returned" changes nothing.
    expect(await events()).toBe(eventsBefore + 3);
    expect(await audits('consent.imported')).toBe(1);
    const may = await ctx.services.consent.may({
      schoolId: fx.school.id,
      pupilId: families[0]!.pupilId,
      purpose: 'school_social_media',
      mediaType: 'image',
    });
    expect(may.allowed).toBe(true);
    const video = await ctx.services.consent.may({
      schoolId: fx.school.id,
      pupilId: families[0]!.pupilId,
      purpose: 'school_social_media',
      mediaType: 'video',
    });
    expect(video.allowed).toBe(false);
    // Confirming twice is harmless.
    await ctx.services.consentImports.confirm(fx.school.id, office(), id);
    expect(await records()).toBe(4);

    const again = await ctx.services.consentImports.get(fx.school.id, await upload(goodFile()));
    expect(again.preview!.counts).toMatchObject({ newStatements: 0, unchangedStatements: 4 });
    const eventsMid = await events();
    await ctx.services.consentImports.confirm(fx.school.id, office(), again.id);
    expect(await records()).toBe(4);
    expect(await events()).toBe(eventsMid);
  });

  it('adds a new record for a changed row only, with a consent.changed event', async () => {
    clock.set('2026-11-23T10:00:00Z'); // a later statement (the latest one counts)
    const csv = [
      HEADER,
      row(0, 'No', 'No', 'No'), // changed: photos withdrawn
      row(1, 'Y', 'Y', 'Y'),
      row(2, 'granted', 'refused', ''),
      row(3, 'not returned', 'not returned', 'not returned', ''),
    ].join('\n');
    const id = await upload(csv);
    const view = await ctx.services.consentImports.get(fx.school.id, id);
    expect(view.preview!.counts).toMatchObject({ newStatements: 1, unchangedStatements: 3 });
    const before = await events();
    await ctx.services.consentImports.confirm(fx.school.id, office(), id);
    expect(await records()).toBe(5);
    expect(await events()).toBe(before + 1);
    const last = (await ctx.services.events.list(fx.school.id, 'consent.changed')).at(-1)!;
    expect(last.payload).toMatchObject({
      pupilId: families[0]!.pupilId,
      periodKey: '2026-27',
      changes: [{ key: 'school_social_media/image', before: true, after: false }],
    });
    const may = await ctx.services.consent.may({
      schoolId: fx.school.id,
      pupilId: families[0]!.pupilId,
      purpose: 'school_social_media',
      mediaType: 'image',
    });
    expect(may.allowed).toBe(false);
  });

  it('is all or nothing: a problem found at commit time rolls every row back', async () => {
    const csv = [HEADER, row(6, 'Yes', 'Yes', 'Yes'), row(7, 'Yes', 'Yes', 'Yes')].join('\n');
    const id = await upload(csv);
    expect((await ctx.services.consentImports.get(fx.school.id, id)).status).toBe('previewed');
    // Between preview and confirm, the second parent loses parental responsibility.
    await ctx.services.database.pool.query(
      'UPDATE pupil_parents SET parental_responsibility = false WHERE pupil_id = $1 AND parent_id = $2',
      [families[7]!.pupilId, families[7]!.parentId],
    );
    const before = await records();
    await expect(ctx.services.consentImports.confirm(fx.school.id, office(), id)).rejects.toThrow(
      /parental responsibility/,
    );
    expect(await records()).toBe(before);
    const view = await ctx.services.consentImports.get(fx.school.id, id);
    expect(view.status).toBe('rejected');
  });

  it('accepts parent MIS ids, a period column and a competent pupil', async () => {
    const f = families.find((x, i) => i >= 8 && x.parentMisId)!;
    const csv = [
      'MIS id,Parent MIS id,Period,Date,Method,School social media photos,School social media videos',
      `${f.misId},${f.parentMisId},2027/28,01/11/2026,letter,yes,no`,
    ].join('\n');
    const view = await ctx.services.consentImports.get(fx.school.id, await upload(csv));
    expect(view.status).toBe('previewed');
    expect(view.preview!.statements[0]).toMatchObject({
      periodKey: '2027-28',
      method: 'letter',
      decisions: { 'school_social_media/image': 'granted', 'school_social_media/video': 'refused' },
    });

    const pupil = families[9]!;
    const notAssessed = await ctx.services.consentImports.get(
      fx.school.id,
      await upload(
        `UPN,Decided by,Date,school_social_media image\n${pupil.misId},pupil,01/11/2026,yes\n`,
      ),
    );
    expect(notAssessed.preview!.errors[0]!.message).toMatch(/has not been assessed/);
    await ctx.services.consent.assessCompetence(
      { schoolId: fx.school.id, pupilId: pupil.pupilId, competent: true, assessedOn: '2026-10-01' },
      { staffId: fx.staff.dpo.id },
    );
    const assessed = await ctx.services.consentImports.get(
      fx.school.id,
      await upload(
        `UPN,Decided by,Date,school_social_media image\n${pupil.misId},pupil,01/11/2026,yes\n`,
      ),
    );
    expect(assessed.status).toBe('previewed');
    expect(assessed.preview!.statements[0]!.decider).toEqual({ kind: 'pupil' });
  });

  it('runs from the command line: a preview, then --yes records it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'consent-cli-')), 'c.csv');
    fs.writeFileSync(
      file,
      `UPN,Parent email,Date on form,school_social_media video\n${families[10]!.misId},${families[10]!.parentEmail},02/11/2026,yes\n`,
    );
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return {
        out,
        err,
        io: {
          stdout: { write: (t: string) => out.push(t) },
          stderr: { write: (t: string) => err.push(t) },
        },
      };
    };
    const before = await records();
    const dry = io();
    const args = { file, school: fx.school.slug, yes: false };
    expect(await importConsentsCommand(ctx.services, args, dry.io)).toBe(0);
    expect(dry.out.join('')).toMatch(/Statements to record: +1/);
    expect(await records()).toBe(before);
    const real = io();
    expect(await importConsentsCommand(ctx.services, { ...args, yes: true }, real.io)).toBe(0);
    expect(real.out.join('')).toMatch(/Statements recorded: +1/);
    expect(await records()).toBe(before + 1);
    const bad = io();
    fs.writeFileSync(file, 'UPN,Class\nX,3B\n');
    expect(await importConsentsCommand(ctx.services, { ...args, yes: true }, bad.io)).toBe(1);
    expect(bad.err.join('')).toMatch(/cannot be imported/);
    expect(await importConsentsCommand(ctx.services, { ...args, school: 'nope' }, bad.io)).toBe(2);
  });
});
