import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError, NotFoundError } from '../../src/errors.ts';
import type { Actor } from '../../src/modules/audit/audit.service.ts';
import { ImportRepository, type LinkWrite } from '../../src/modules/people/import.repository.ts';
import { ImportService } from '../../src/modules/people/import.service.ts';
import { pupilSearchText } from '../../src/modules/people/people.repository.ts';
import { parseMisFile } from '../../src/modules/people/mis-import/mis-parse.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { importPupilsCommand } from '../../src/cli/import-pupils.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/imports');
const sims = fs.readFileSync(path.join(fixtures, 'sims-pupils.csv'));
const arbor = fs.readFileSync(path.join(fixtures, 'arbor-students.csv'));

/** Replaces text on one line of a CSV (the first line containing `lineMatch`). */
function editLine(file: Buffer, lineMatch: string, from: string, to: string): Buffer {
  const lines = file.toString('utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(lineMatch));
  if (i < 0) throw new Error(`no line has ${lineMatch}`);
  lines[i] = lines[i]!.replace(from, to);
  return Buffer.from(lines.join('\n'));
}

function dropLine(file: Buffer, lineMatch: string): Buffer {
  return Buffer.from(
    file
      .toString('utf8')
      .split('\n')
      .filter((l) => !l.includes(lineMatch))
      .join('\n'),
  );
}

describe('pupil import from an MIS export (real PostgreSQL)', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestServices();
  });
  afterAll(async () => ctx?.close());

  const staffActor = (fx: SchoolFixture): Actor => ({ kind: 'staff', id: fx.staff.office.id });

  async function newSchool(): Promise<SchoolFixture> {
    // One generated pupil who is not in the fixtures: every import marks them as possibly left.
    return createSchool(ctx.services, { pupils: 1 });
  }

  /** upload → preview job → confirm → commit job, as the web and the worker do it. */
  async function runImport(fx: SchoolFixture, data: Buffer, filename = 'pupils.csv') {
    const imports = ctx.services.imports;
    const actor = staffActor(fx);
    const id = await imports.upload(fx.school.id, actor, { filename, data });
    const previewed = await imports.preview(id);
    if (previewed?.status !== 'previewed') return { id, view: await imports.get(fx.school.id, id) };
    await imports.requestCommit(fx.school.id, actor, id, { wholeRoll: true });
    await imports.commit(id, actor.id);
    return { id, view: await imports.get(fx.school.id, id) };
  }

  /** Everything an import can touch for a school, in a stable order. */
  async function snapshot(schoolId: string) {
    const q = (text: string) =>
      ctx.services.database.pool.query(text, [schoolId]).then((r) => r.rows);
    return {
      pupils: await q(
        `SELECT id, mis_id, given_name, family_name, preferred_given_name, preferred_family_name,
           date_of_birth::text, year_group, class_name,
           admission_date::text, leaving_date::text, email, possibly_left_at, search_text, updated_at
         FROM pupils WHERE school_id = $1 ORDER BY mis_id`,
      ),
      parents: await q(
        `SELECT id, mis_id, given_name, family_name, email, phone, updated_at
         FROM parents WHERE school_id = $1 ORDER BY id`,
      ),
      links: await q(
        `SELECT pupil_id, parent_id, relationship, parental_responsibility
         FROM pupil_parents WHERE school_id = $1 ORDER BY pupil_id, parent_id`,
      ),
    };
  }

  async function auditActions(schoolId: string, action: string) {
    const { rows } = await ctx.services.database.pool.query(
      `SELECT data FROM audit_events WHERE school_id = $1 AND action = $2 ORDER BY seq`,
      [schoolId, action],
    );
    return rows.map((r: { data: Record<string, unknown> }) => r.data);
  }

  /** The import files in the FileStore (never on the web process's own disk). */
  async function storedFiles(): Promise<string[]> {
    expect(fs.existsSync(path.join(ctx.dataDir, 'imports'))).toBe(false);
    const keys: string[] = [];
    for await (const f of ctx.services.files.list('imports')) keys.push(f.key);
    return keys.sort();
  }

  it('imports the SIMS fixture: pupils, parents and links', async () => {
    const fx = await newSchool();
    const parsed = parseMisFile(sims);
    if (!parsed.ok) throw new Error('fixture should parse');
    const contactIds = new Set(parsed.rows.flatMap((r) => r.contacts.map((c) => c.misId)));

    const { id, view } = await runImport(fx, sims, 'sims-pupils.csv');
    expect(view.status).toBe('committed');
    expect(view.filename).toBe('sims-pupils.csv');
    expect(view.summary?.counts).toMatchObject({
      rows: 20,
      newPupils: 20,
      updatedPupils: 0,
      possiblyLeft: 1, // the factory's pupil
      newParents: contactIds.size,
      newLinks: parsed.stats.contacts,
      removedLinks: 0,
    });
    expect(view.progressDone).toBe(view.progressTotal);

    const snap = await snapshot(fx.school.id);
    expect(snap.pupils).toHaveLength(21);
    const elsie = snap.pupils.find((p) => p.mis_id === 'J823401224100')!;
    expect(elsie).toMatchObject({
      given_name: 'Elsie',
      family_name: 'Ashworth',
      date_of_birth: '2020-09-14',
      class_name: 'Nursery',
      preferred_given_name: null,
      preferred_family_name: null,
      possibly_left_at: null,
    });
    // The Preferred Forename is kept beside the legal one, and found by a search.
    expect(snap.pupils.find((p) => p.given_name === 'Siobhán')).toMatchObject({
      preferred_given_name: 'Shiv',
      preferred_family_name: null,
    });
    expect(snap.pupils.filter((p) => p.preferred_given_name !== null)).toHaveLength(4);
    for (const p of snap.pupils) {
      expect(p.search_text).toBe(
        pupilSearchText({
          givenName: p.given_name,
          familyName: p.family_name,
          misId: p.mis_id,
          preferredGivenName: p.preferred_given_name,
          preferredFamilyName: p.preferred_family_name,
        }),
      );
    }
    expect(snap.pupils.find((p) => p.given_name === 'Siobhán')!.search_text).toContain('shiv');
    const elsieParents = snap.links.filter((l) => l.pupil_id === elsie.id);
    expect(elsieParents).toHaveLength(2);
    expect(elsieParents.every((l) => l.parental_responsibility)).toBe(true);
    const stepfather = snap.parents.find((p) => p.family_name === 'Hale')!;
    expect(snap.links.find((l) => l.parent_id === stepfather.id)).toMatchObject({
      relationship: 'Stepfather',
      parental_responsibility: false,
    });
    // The factory pupil was not deleted, only flagged.
    const missing = snap.pupils.find((p) => p.id === fx.pupils[0]!.id)!;
    expect(missing.possibly_left_at).not.toBeNull();

    const audit = await auditActions(fx.school.id, 'people.imported');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ newPupils: 20, possiblyLeft: 1 });
    expect(JSON.stringify(audit[0])).not.toMatch(/Ashworth|Elsie/);
    expect((await storedFiles()).filter((f) => f.includes(id))).toEqual([]);
  });

  it('changes nothing when the same file is imported twice', async () => {
    const fx = await newSchool();
    await runImport(fx, sims);
    const before = await snapshot(fx.school.id);

    const second = await runImport(fx, sims);
    expect(second.view.status).toBe('committed');
    const zero = {
      newPupils: 0,
      updatedPupils: 0,
      reappearedPupils: 0,
      possiblyLeft: 0,
      newParents: 0,
      updatedParents: 0,
      newLinks: 0,
      updatedLinks: 0,
      removedLinks: 0,
    };
    expect(second.view.preview?.counts).toMatchObject({
      ...zero,
      unchangedPupils: 20,
      alreadyPossiblyLeft: 1,
    });
    expect(second.view.summary?.counts).toMatchObject(zero);
    expect(await snapshot(fx.school.id)).toEqual(before);
    const audit = await auditActions(fx.school.id, 'people.imported');
    expect(audit[1]).toMatchObject(zero);
  });

  it('matches Arbor contacts without ids by email, so a second import changes nothing', async () => {
    const fx = await newSchool();
    const first = await runImport(fx, arbor, 'arbor.csv');
    expect(first.view.summary?.counts.newPupils).toBe(20);
    const before = await snapshot(fx.school.id);
    const second = await runImport(fx, arbor, 'arbor.csv');
    expect(second.view.summary?.counts).toMatchObject({
      newPupils: 0,
      updatedPupils: 0,
      newParents: 0,
      updatedParents: 0,
      newLinks: 0,
      removedLinks: 0,
    });
    expect(await snapshot(fx.school.id)).toEqual(before);
  });

  it('keeps two contacts who share a family email as two parents, and siblings share them', async () => {
    const fx = await newSchool();
    const csv = Buffer.from(
      [
        'pupil_id,given_name,family_name,date_of_birth,year_group,parent_1_given_name,parent_1_family_name,parent_1_email,parent_2_given_name,parent_2_family_name,parent_2_email',
        'S-1,Ann,Shaw,2017-03-01,3,Kate,Shaw,shaws@example.com,Rob,Shaw,shaws@example.com',
        'S-2,Ben,Shaw,2019-05-02,1,Rob,Shaw,SHAWS@example.com,Kate,Shaw,shaws@example.com',
      ].join('\n'),
    );
    const first = await runImport(fx, csv, 'shaw.csv');
    expect(first.view.summary?.counts).toMatchObject({ newPupils: 2, newParents: 2, newLinks: 4 });
    const before = await snapshot(fx.school.id);
    const second = await runImport(fx, csv, 'shaw.csv');
    expect(second.view.summary?.counts).toMatchObject({
      newParents: 0,
      updatedParents: 0,
      newLinks: 0,
      removedLinks: 0,
    });
    expect(await snapshot(fx.school.id)).toEqual(before);
    // Kate changes her surname: same email, new name, still the same record.
    const renamed = Buffer.from(csv.toString('utf8').replaceAll('Kate,Shaw', 'Kate,Moss'));
    const third = await runImport(fx, renamed, 'shaw.csv');
    expect(third.view.summary?.counts).toMatchObject({ newParents: 0, updatedParents: 1 });
    const after = await snapshot(fx.school.id);
    expect(after.parents.map((p) => p.id).sort()).toEqual(before.parents.map((p) => p.id).sort());
  });

  it('updates only the pupil whose row changed', async () => {
    const fx = await newSchool();
    await runImport(fx, sims);
    const before = await snapshot(fx.school.id);
    const changed = editLine(sims, 'U823401222104', ',1W,', ',2W,');

    const { view } = await runImport(fx, changed);
    expect(view.preview?.counts).toMatchObject({
      updatedPupils: 1,
      newPupils: 0,
      unchangedPupils: 19,
    });
    expect(view.preview?.samples.updatedPupils).toEqual([
      {
        line: 6,
        misId: 'U823401222104',
        name: 'Arjun Patel',
        changes: [{ field: 'Class', from: '1W', to: '2W' }],
      },
    ]);
    const after = await snapshot(fx.school.id);
    for (const p of after.pupils) {
      const old = before.pupils.find((b) => b.id === p.id)!;
      if (p.mis_id === 'U823401222104') {
        expect(p.class_name).toBe('2W');
        expect(p.updated_at.getTime()).toBeGreaterThan(old.updated_at.getTime());
      } else {
        expect(p).toEqual(old);
      }
    }
    expect(after.parents).toEqual(before.parents);
    expect(after.links).toEqual(before.links);
  });

  it('shows a changed, added or removed preferred name as a change, and stores it', async () => {
    const fx = await newSchool();
    await runImport(fx, sims);
    // Oliver is known as Olly; Elsie gets a preferred name; Barnaby's is taken away.
    let changed = editLine(sims, 'Olly', ',Olly,', ',Ollie,');
    changed = editLine(changed, 'J823401224100', ',Elsie,,', ',Elsie,Elsa,');
    changed = editLine(changed, 'Barney', ',Barney,', ',,');
    const { view } = await runImport(fx, changed);
    expect(view.preview?.counts).toMatchObject({ updatedPupils: 3, unchangedPupils: 17 });
    const changes = Object.fromEntries(
      (view.preview?.samples.updatedPupils ?? []).map((u) => [u.name, u.changes]),
    );
    expect(changes).toMatchObject({
      'Oliver Pemberton': [{ field: 'Preferred first name', from: 'Olly', to: 'Ollie' }],
      'Elsie Ashworth': [{ field: 'Preferred first name', from: null, to: 'Elsa' }],
      'Barnaby Thistlewood': [{ field: 'Preferred first name', from: 'Barney', to: null }],
    });
    const after = await snapshot(fx.school.id);
    const known = (given: string) => after.pupils.find((p) => p.given_name === given);
    expect(known('Oliver')?.preferred_given_name).toBe('Ollie');
    expect(known('Elsie')?.preferred_given_name).toBe('Elsa');
    expect(known('Barnaby')?.preferred_given_name).toBeNull();
    // The same file again changes nothing.
    const again = await runImport(fx, changed);
    expect(again.view.preview?.counts).toMatchObject({ updatedPupils: 0, unchangedPupils: 20 });
  });

  it('flags a pupil missing from the file as possibly left, never deletes, and clears it on return', async () => {
    const fx = await newSchool();
    await runImport(fx, sims);
    const without = dropLine(sims, 'Y823401224101');

    const { view } = await runImport(fx, without);
    expect(view.summary?.counts).toMatchObject({
      possiblyLeft: 1,
      alreadyPossiblyLeft: 1,
      rows: 19,
    });
    expect(view.preview?.samples.possiblyLeft).toEqual([
      { line: null, misId: 'Y823401224101', name: 'Chidi Okafor' },
    ]);
    let snap = await snapshot(fx.school.id);
    const chidi = snap.pupils.find((p) => p.mis_id === 'Y823401224101')!;
    expect(chidi.possibly_left_at).not.toBeNull();
    expect(snap.links.some((l) => l.pupil_id === chidi.id)).toBe(true);
    const awaiting = await ctx.services.imports.listRecent(fx.school.id);
    expect(awaiting[0]?.status).toBe('committed');

    const back = await runImport(fx, sims);
    expect(back.view.summary?.counts).toMatchObject({ reappearedPupils: 1, updatedPupils: 0 });
    snap = await snapshot(fx.school.id);
    expect(snap.pupils.find((p) => p.mis_id === 'Y823401224101')!.possibly_left_at).toBeNull();
  });

  it('refuses a file with row errors: nothing changes and it cannot be committed', async () => {
    const fx = await newSchool();
    await runImport(fx, sims);
    const before = await snapshot(fx.school.id);
    let bad = editLine(sims, 'U823401222104', '08/07/2018', '31/02/2018');
    bad = editLine(bad, 'H823401222105', 'H823401222105', 'U823401222104'); // duplicate UPN

    const { id, view } = await runImport(fx, bad);
    expect(view.status).toBe('rejected');
    expect(view.fileError).toBeNull();
    expect(view.preview?.canCommit).toBe(false);
    expect(view.preview?.counts).toBeNull();
    const errors = view.preview?.errors ?? [];
    expect(errors.find((e) => e.line === 6 && e.column === 'DOB')?.message).toMatch(/31\/02\/2018/);
    expect(errors.filter((e) => e.column === 'UPN').map((e) => e.line)).toEqual([6, 7]);
    await expect(
      ctx.services.imports.requestCommit(fx.school.id, staffActor(fx), id, { wholeRoll: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    // Even if the job runs, it does nothing.
    await ctx.services.imports.commit(id, null);
    expect((await ctx.services.imports.get(fx.school.id, id)).status).toBe('rejected');
    expect(await snapshot(fx.school.id)).toEqual(before);
  });

  it('commits all or nothing: a failure after the pupils are written leaves no change', async () => {
    const fx = await newSchool();
    await runImport(fx, sims);
    const before = await snapshot(fx.school.id);
    const auditBefore = await auditActions(fx.school.id, 'people.imported');

    class FailingRepository extends ImportRepository {
      override async upsertLinks(
        db: Db,
        schoolId: string,
        rows: readonly LinkWrite[],
      ): Promise<number> {
        void db;
        void schoolId;
        void rows;
        throw new Error('simulated failure after the pupils step');
      }
    }
    const failing = new ImportService({
      database: ctx.services.database,
      repository: new FailingRepository(),
      audit: ctx.services.audit,
      clock: ctx.services.clock,
      jobs: ctx.services.jobs,
      files: ctx.services.files,
    });
    // New pupils, a changed pupil, a changed link and a pupil gone: every step has work to do.
    let changed = editLine(sims, 'U823401222104', ',1W,', ',2W,');
    changed = editLine(changed, 'H823401222105', 'Grandmother,No', 'Grandmother,Yes');
    changed = dropLine(changed, 'Y823401224101');
    changed = Buffer.concat([
      changed,
      Buffer.from(
        '\nZ823401299999,009999,Newcomer,Nell,,F,01/01/2019,Year 2,2S,01/09/2025,,7001,Nora,Newcomer,Mother,Yes,nora@example.com,07700 900999,,,,,,,',
      ),
    ]);
    const actor = staffActor(fx);
    const id = await failing.upload(fx.school.id, actor, { filename: 'x.csv', data: changed });
    const previewed = await failing.preview(id);
    expect(previewed?.preview?.counts).toMatchObject({
      newPupils: 1,
      updatedPupils: 1,
      notInFile: 1,
      possiblyLeft: 0,
    });
    await failing.requestCommit(fx.school.id, actor, id, { wholeRoll: true });
    await expect(failing.commit(id, actor.id)).rejects.toThrow('simulated failure');

    const view = await ctx.services.imports.get(fx.school.id, id);
    expect(view.status).toBe('failed');
    expect(view.fileError).toMatch(/nothing was changed/);
    expect(await snapshot(fx.school.id)).toEqual(before);
    expect(await auditActions(fx.school.id, 'people.imported')).toEqual(auditBefore);

    // "Try again" with a working service applies it, once.
    await ctx.services.imports.requestCommit(fx.school.id, actor, id, { wholeRoll: true });
    await ctx.services.imports.commit(id, actor.id);
    await ctx.services.imports.commit(id, actor.id); // the job delivered twice
    const done = await ctx.services.imports.get(fx.school.id, id);
    expect(done.status).toBe('committed');
    expect(done.summary?.counts).toMatchObject({ newPupils: 1, updatedPupils: 1, updatedLinks: 1 });
    expect(await auditActions(fx.school.id, 'people.imported')).toHaveLength(
      auditBefore.length + 1,
    );
  });

  it('rejects a 50 MB binary file renamed .csv without storing it or changing anything', async () => {
    const fx = await newSchool();
    const before = await snapshot(fx.school.id);
    const filesBefore = await storedFiles();
    const binary = crypto.randomBytes(50 * 1024 * 1024);
    const id = await ctx.services.imports.upload(fx.school.id, staffActor(fx), {
      filename: 'pupils.csv',
      data: binary,
    });
    const view = await ctx.services.imports.get(fx.school.id, id);
    expect(view.status).toBe('rejected');
    expect(view.fileError).toMatch(/CSV/);
    expect(view.sizeBytes).toBe(binary.length);
    expect(await ctx.services.imports.preview(id)).toMatchObject({ status: 'rejected' });
    expect(await storedFiles()).toEqual(filesBefore);
    expect(await snapshot(fx.school.id)).toEqual(before);
    expect(await auditActions(fx.school.id, 'people.import-uploaded')).toEqual([
      { sizeBytes: binary.length, status: 'rejected' },
    ]);
  });

  it('gives bad files a clear message: wrong encoding, missing columns', async () => {
    const fx = await newSchool();
    // Siobhán and Zoë as single Latin-1 bytes: not valid UTF-8.
    const asLatin1 = Buffer.from(sims.toString('utf8'), 'latin1');
    const enc = await runImport(fx, asLatin1);
    expect(enc.view.status).toBe('rejected');
    expect(enc.view.fileError).toMatch(/UTF-8/);

    const noDob = Buffer.from(sims.toString('utf8').replace('DOB,', 'Birthday,'));
    const cols = await runImport(fx, noDob);
    expect(cols.view.status).toBe('rejected');
    expect(cols.view.fileError).toMatch(/missing/i);
    expect((await snapshot(fx.school.id)).pupils).toHaveLength(1);
  });

  it("gives 404 for another school's import", async () => {
    const a = await newSchool();
    const b = await newSchool();
    const { id } = await runImport(a, sims);
    await expect(ctx.services.imports.get(b.school.id, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      ctx.services.imports.requestCommit(b.school.id, staffActor(b), id, { wholeRoll: true }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await ctx.services.imports.listRecent(b.school.id)).toEqual([]);
  });

  it('lists a clean preview as awaiting confirmation until it is confirmed', async () => {
    const fx = await newSchool();
    const actor = staffActor(fx);
    const id = await ctx.services.imports.upload(fx.school.id, actor, {
      filename: 'a.csv',
      data: sims,
    });
    await ctx.services.imports.preview(id);
    const repo = new ImportRepository();
    expect(await repo.awaitingConfirmation(ctx.services.database.db, fx.school.id)).toEqual([
      expect.objectContaining({ id, filename: 'a.csv' }),
    ]);
    await ctx.services.imports.requestCommit(fx.school.id, actor, id, { wholeRoll: true });
    await ctx.services.imports.requestCommit(fx.school.id, actor, id, { wholeRoll: true }); // pressed twice: harmless
    expect(await repo.awaitingConfirmation(ctx.services.database.db, fx.school.id)).toEqual([]);
    await ctx.services.imports.commit(id, actor.id);

    // An older preview cannot be confirmed once a newer file has been imported.
    const older = await ctx.services.imports.upload(fx.school.id, actor, {
      filename: 'older.csv',
      data: dropLine(sims, 'Y823401224101'),
    });
    const newer = await ctx.services.imports.upload(fx.school.id, actor, {
      filename: 'newer.csv',
      data: sims,
    });
    await ctx.services.imports.preview(older);
    await ctx.services.imports.preview(newer);
    await ctx.services.imports.requestCommit(fx.school.id, actor, newer, { wholeRoll: true });
    await ctx.services.imports.commit(newer, actor.id);
    expect(await repo.awaitingConfirmation(ctx.services.database.db, fx.school.id)).toEqual([]);
    await expect(
      ctx.services.imports.requestCommit(fx.school.id, actor, older, { wholeRoll: true }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('runs from the CLI through the same methods, with progress', async () => {
    const fx = await newSchool();
    const file = path.join(ctx.dataDir, 'cli-sims.csv');
    fs.writeFileSync(file, sims);
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s), isTTY: false },
    };
    const dry = await importPupilsCommand(
      ctx.services,
      { file, school: fx.school.slug, yes: false },
      io,
    );
    expect(dry).toBe(0);
    expect(out.join('')).toMatch(/Run again with --yes/);
    expect(err.join('')).toMatch(/\[#+-*\] +\d+% checking rows/);
    expect((await snapshot(fx.school.id)).pupils).toHaveLength(1);

    const applied = await importPupilsCommand(
      ctx.services,
      { file, school: fx.school.slug, yes: true },
      io,
    );
    expect(applied).toBe(0);
    expect(out.join('')).toMatch(/Imported cli-sims\.csv/);
    // The apply's progress reaches the bar too.
    expect(err.join('')).toMatch(/\[#+-*\] +\d+% saving changes/);
    expect((await snapshot(fx.school.id)).pupils).toHaveLength(21);
    // Without --whole-roll the file is a partial list: the pupil not in it is not flagged.
    expect(out.join('')).toMatch(/A partial list: nobody was marked as possibly left/);
    const flaggedNow = async () =>
      (await snapshot(fx.school.id)).pupils.filter((p) => p.possibly_left_at !== null).length;
    expect(await flaggedNow()).toBe(0);
    out.length = 0;
    expect(
      await importPupilsCommand(
        ctx.services,
        { file, school: fx.school.slug, yes: true, wholeRoll: true },
        io,
      ),
    ).toBe(0);
    expect(out.join('')).toMatch(/Marked as possibly left: +1\n/);
    expect(await flaggedNow()).toBe(1);

    const badFile = path.join(ctx.dataDir, 'cli-bad.csv');
    fs.writeFileSync(badFile, editLine(sims, 'U823401222104', '08/07/2018', '31/02/2018'));
    err.length = 0;
    expect(
      await importPupilsCommand(
        ctx.services,
        { file: badFile, school: fx.school.slug, yes: true },
        io,
      ),
    ).toBe(1);
    expect(err.join('')).toMatch(/line 6, DOB:/);
    expect(
      await importPupilsCommand(ctx.services, { file, school: 'no-such-school', yes: true }, io),
    ).toBe(2);
  });

  it('resumes imports a crash left checking or saving: the jobs are queued again, as the confirmer', async () => {
    const fx = await newSchool();
    const imports = ctx.services.imports;
    const actor = staffActor(fx);
    const jobsFor = async (name: string, importId: string) =>
      (
        await ctx.services.database.pool.query(
          `SELECT data FROM pgboss.job WHERE name = $1 AND data->>'importId' = $2`,
          [name, importId],
        )
      ).rows as { data: { importId: string; actorId?: string | null } }[];
    // Left "checking": uploaded, its job lost with the process that had it.
    const checking = await imports.upload(
      fx.school.id,
      actor,
      { filename: 'a.csv', data: sims },
      { queue: false },
    );
    // Left "saving": confirmed (as the whole roll) and killed before the commit finished.
    const saving = await imports.upload(
      fx.school.id,
      actor,
      { filename: 'b.csv', data: sims },
      { queue: false },
    );
    await imports.preview(saving);
    await imports.requestCommit(fx.school.id, actor, saving, { wholeRoll: true, queue: false });
    expect(await jobsFor('people.import-preview', checking)).toEqual([]);
    expect(await jobsFor('people.import-commit', saving)).toEqual([]);

    const resumed = await imports.resumeInterrupted();
    expect(resumed.previews).toBeGreaterThanOrEqual(1);
    expect(resumed.commits).toBeGreaterThanOrEqual(1);
    expect((await jobsFor('people.import-preview', checking)).map((j) => j.data)).toEqual([
      { importId: checking },
    ]);
    expect((await jobsFor('people.import-commit', saving)).map((j) => j.data)).toEqual([
      { importId: saving, actorId: actor.id },
    ]);

    // The queued jobs do what the lost ones would have done, once.
    await imports.commit(saving, actor.id);
    await imports.commit(saving, actor.id);
    expect((await imports.get(fx.school.id, saving)).status).toBe('committed');
    expect((await imports.get(fx.school.id, saving)).summary?.counts).toMatchObject({
      possiblyLeft: 1,
    });
    const done = await ctx.services.database.pool.query(
      `SELECT actor_id FROM audit_events WHERE action = 'people.imported' AND entity_id = $1`,
      [saving],
    );
    expect(done.rows).toEqual([{ actor_id: actor.id }]);
    expect((await imports.preview(checking))?.status).toBe('previewed');

    // A job that started and then went silent (its worker died while others live on): the
    // minutely resume queues it again once it has shown no sign of life for 30 s; lost three
    // times, the import fails cleanly and its stored file goes.
    const lost = await imports.upload(
      fx.school.id,
      actor,
      { filename: 'c.csv', data: sims },
      { queue: false },
    );
    const silent = (attempts: number) =>
      ctx.services.database.pool.query(
        `UPDATE pupil_imports SET status = 'previewing', attempts = $2,
           heartbeat_at = now() - interval '2 minutes' WHERE id = $1`,
        [lost, attempts],
      );
    await silent(0);
    await imports.resumeInterrupted({ everything: false });
    expect(await jobsFor('people.import-preview', lost)).toHaveLength(1);
    await imports.resumeInterrupted({ everything: false }); // just queued again: not lost yet
    expect(await jobsFor('people.import-preview', lost)).toHaveLength(1);
    await silent(3);
    expect((await imports.resumeInterrupted({ everything: false })).failed).toBe(1);
    const failed = await imports.get(fx.school.id, lost);
    expect(failed.status).toBe('rejected');
    expect(failed.fileError).toMatch(/Upload it again/);
    expect(await ctx.services.files.exists(imports.fileKey(failed))).toBe(false);
  });

  it('commits a 2,000-pupil file quickly', async () => {
    const fx = await newSchool();
    const header =
      'pupil_id,given_name,family_name,date_of_birth,year_group,class,parent_1_id,parent_1_given_name,parent_1_family_name,parent_1_email,parent_1_phone,parent_1_relationship,parent_1_parental_responsibility,parent_2_id,parent_2_given_name,parent_2_family_name,parent_2_email,parent_2_phone,parent_2_relationship,parent_2_parental_responsibility';
    const lines = [header];
    for (let i = 0; i < 2000; i++) {
      const family = Math.floor(i / 2) * 2 === i || i % 5 !== 0 ? i : i - 1; // some siblings
      const year = String(1 + (i % 6));
      lines.push(
        [
          `P-${100000 + i}`,
          `Child${i}`,
          `Family${family}`,
          `201${5 + (i % 4)}-0${1 + (i % 9)}-1${i % 9}`,
          year,
          `${year}A`,
          `C-${family}-1`,
          `Mum${family}`,
          `Family${family}`,
          `mum${family}@example.com`,
          '07700 900000',
          'Mother',
          'Yes',
          `C-${family}-2`,
          `Dad${family}`,
          `Family${family}`,
          `dad${family}@example.com`,
          '',
          'Father',
          'Yes',
        ].join(','),
      );
    }
    const data = Buffer.from(lines.join('\n'));
    const imports = ctx.services.imports;
    const actor = staffActor(fx);
    const t0 = performance.now();
    const id = await imports.upload(fx.school.id, actor, { filename: 'big.csv', data });
    const previewed = await imports.preview(id);
    const t1 = performance.now();
    expect(previewed?.preview?.counts?.newPupils).toBe(2000);
    await imports.requestCommit(fx.school.id, actor, id, { wholeRoll: true });
    await imports.commit(id, actor.id);
    const t2 = performance.now();
    const view = await imports.get(fx.school.id, id);
    expect(view.status).toBe('committed');
    expect(view.summary?.counts.newLinks).toBe(4000);
    // Re-import: nothing changes.
    const t3 = performance.now();
    const again = await runImport(fx, data, 'big.csv');
    const t4 = performance.now();
    expect(again.view.summary?.counts).toMatchObject({
      newPupils: 0,
      updatedPupils: 0,
      newLinks: 0,
      newParents: 0,
    });
    console.log(
      `2,000 pupils: upload+preview ${(t1 - t0).toFixed(0)} ms, commit ${(t2 - t1).toFixed(0)} ms, ` +
        `second import end to end ${(t4 - t3).toFixed(0)} ms`,
    );
    expect(t2 - t1).toBeLessThan(10_000);
  });
});
