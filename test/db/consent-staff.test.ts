import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock, ukDate } from '../../src/platform/clock.ts';
import { streamToBuffer } from '../../src/platform/files/file-store.ts';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import { csvCell, startOfUkDay } from '../../src/modules/consent/office/consent-office.service.ts';
import { stripPdf } from '../../src/platform/images/scan-sanitiser.ts';

/**
 * The office and DPO side of the consent register against PostgreSQL: the class matrix (refusal
 * wins, expiry, no record), class cards, changes since a date, the CSV export (with the formula
 * guard), paper forms with a scan, written withdrawals that keep the history, and teachers who see
 * their own classes only.
 */
describe('consent register: office and DPO (real PostgreSQL)', () => {
  let ctx: TestContext;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const clock = fixedClock('2026-06-10T09:00:00Z');
  const CLASS = 'Test Owls';
  const IMAGE = 'school_social_media/image';
  const VIDEO = 'school_social_media/video';
  const NAME = 'school_social_media/name';
  // A one-page PDF naming its author: what is stored is the same PDF without it.
  const PDF = Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj\ntrailer << /Root 1 0 R /Info 4 0 R >>\n4 0 obj << /Author (Jane Parent) >> endobj\n%%EOF\n',
  );

  /** Five pupils in one class, each with two parents who hold parental responsibility. */
  const kids: { id: string; name: string; mum: string; dad: string }[] = [];
  let otherClassPupil: string;
  let otherClass: string;

  const pool = () => ctx.services.database.pool;
  const reports = () => ctx.services.consentOffice;
  const staff = (fx: SchoolFixture, role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: fx.staff[role].id,
    schoolId: fx.school.id,
    roles: [role],
    name: `${role} Tester`,
  });
  const dpo = () => staff(A, 'dpo');

  const addParentOf = (pupilId: string, given: string, family: string) =>
    addParent(ctx.services, {
      schoolId: A.school.id,
      pupilId,
      givenName: given,
      familyName: family,
      email: `${given}.${family}@staff-a.test`.toLowerCase(),
    });

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'staff-a', pupils: 20 }),
      createSchool(ctx.services, { slug: 'staff-b', pupils: 4 }),
    ]);
    const names = ['Ada', 'Ben', 'Cat', 'Dev', 'Eve'];
    for (const [i, given] of names.entries()) {
      const pupil = A.pupils[i]!;
      await pool().query(
        `UPDATE pupils SET class_name = $2, given_name = $3, family_name = 'Owl' WHERE id = $1`,
        [pupil.id, CLASS, given],
      );
      kids.push({
        id: pupil.id,
        name: `${given} Owl`,
        mum: await addParentOf(pupil.id, `Mum${given}`, 'Owl'),
        dad: await addParentOf(pupil.id, `Dad${given}`, 'Owl'),
      });
    }
    const other = A.pupils.find((p, i) => i >= 5 && p.className && p.className !== CLASS)!;
    otherClassPupil = other.id;
    otherClass = other.className!;

    // Last school year (2025-26): Dev's mum agreed to everything. By November it has expired.
    await reports().recordPaperForm(dpo(), kids[3]!.id, {
      decider: { kind: 'parent', parentId: kids[3]!.mum },
      periodKey: '2025-26',
      decidedOn: '2026-06-01',
      method: 'paper_form',
      decisions: { [IMAGE]: 'granted', [VIDEO]: 'granted', [NAME]: 'granted' },
    });

    clock.set('2026-11-20T10:00:00Z');
    const all = { [IMAGE]: 'granted', [VIDEO]: 'granted', [NAME]: 'granted' };
    // Ada: everything, including her name.
    await reports().recordPaperForm(dpo(), kids[0]!.id, {
      decider: { kind: 'parent', parentId: kids[0]!.mum },
      decidedOn: '2026-09-05',
      method: 'paper_form',
      decisions: all,
    });
    // Ben: mum agrees to everything, dad refuses photos: refusal wins for photos only.
    await reports().recordPaperForm(dpo(), kids[1]!.id, {
      decider: { kind: 'parent', parentId: kids[1]!.mum },
      decidedOn: '2026-09-05',
      method: 'paper_form',
      decisions: all,
    });
    await reports().recordPaperForm(dpo(), kids[1]!.id, {
      decider: { kind: 'parent', parentId: kids[1]!.dad },
      decidedOn: '2026-09-06',
      method: 'letter',
      decisions: { [IMAGE]: 'refused' },
    });
    // Cat: photos yes, videos no, the name question not returned.
    await reports().recordPaperForm(dpo(), kids[2]!.id, {
      decider: { kind: 'parent', parentId: kids[2]!.dad },
      decidedOn: '2026-09-07',
      method: 'paper_form',
      decisions: { [IMAGE]: 'granted', [VIDEO]: 'refused', [NAME]: 'not_returned' },
    });
    // Eve: nothing at all.
  });
  afterAll(async () => ctx?.close());

  it('shows the matrix with refusal-wins, expired and missing consent as symbols and words', async () => {
    const m = await reports().classMatrix(dpo(), CLASS);
    expect(m.columns.map((c) => c.key)).toEqual([IMAGE, VIDEO, NAME]);
    expect(m.groups).toEqual([{ label: 'School social media accounts', span: 3 }]);
    const byName = new Map(m.rows.map((r) => [r.name, r.cells]));
    const cell = (name: string, i: number) => byName.get(name)![i]!;
    expect(m.rows.map((r) => r.name)).toEqual([
      'Ada Owl',
      'Ben Owl',
      'Cat Owl',
      'Dev Owl',
      'Eve Owl',
    ]);

    expect([0, 1, 2].map((i) => `${cell('Ada Owl', i).symbol} ${cell('Ada Owl', i).text}`)).toEqual(
      ['✓ Yes', '✓ Yes', '✓ Yes'],
    );
    // Refusal wins where the parents disagree; the other questions still follow the mum.
    expect(cell('Ben Owl', 0)).toMatchObject({ outcome: 'refused', symbol: '✗', text: 'No' });
    expect(cell('Ben Owl', 0).description).toMatch(/Parents disagree/);
    expect(cell('Ben Owl', 1)).toMatchObject({ outcome: 'granted', text: 'Yes' });
    expect(cell('Cat Owl', 1)).toMatchObject({ outcome: 'refused', text: 'No' });
    expect(cell('Cat Owl', 2)).toMatchObject({
      outcome: 'not_returned',
      symbol: '?',
      text: 'Not returned',
    });
    // Last year's consent has expired: not allowed, and the description says why.
    expect(cell('Dev Owl', 0)).toMatchObject({ outcome: 'expired', allowed: false, symbol: '–' });
    expect(cell('Dev Owl', 0).description).toMatch(/2025-26 ended/);
    expect(cell('Eve Owl', 0)).toMatchObject({ outcome: 'none', symbol: '–', text: 'None' });
    expect(cell('Eve Owl', 0).description).toMatch(
      /^Eve Owl, School social media accounts, photos: None\./,
    );

    expect(m.totals[0]).toEqual({
      granted: 2,
      refused: 1,
      notReturned: 0,
      missing: 2,
      notApplicable: 0,
    });
    expect(m.totals[1]).toEqual({
      granted: 2,
      refused: 1,
      notReturned: 0,
      missing: 2,
      notApplicable: 0,
    });
    // Naming is not applicable where photos are not allowed (Ben refused, Dev expired, Eve none).
    expect(m.totals[2]).toEqual({
      granted: 1,
      refused: 0,
      notReturned: 1,
      missing: 0,
      notApplicable: 3,
    });
  });

  it('lists on the class card who must not be photographed, and per use who must not appear', async () => {
    const card = await reports().classCard(dpo(), CLASS);
    expect(card.schoolDate).toBe('2026-11-20');
    expect(card.pupils).toBe(5);
    expect(card.doNotPhotograph).toEqual([
      { pupilId: kids[3]!.id, name: 'Dev Owl', restriction: 'Consent has expired' },
      { pupilId: kids[4]!.id, name: 'Eve Owl', restriction: 'No consent returned' },
    ]);
    const social = card.purposes.find((p) => p.key === 'school_social_media')!;
    expect(social.mustNotAppear).toEqual([
      { pupilId: kids[1]!.id, name: 'Ben Owl', restriction: 'Videos OK, no photos' },
      { pupilId: kids[2]!.id, name: 'Cat Owl', restriction: 'Photos OK, no videos' },
    ]);
    // Names need their own written permission (004 D); Ben and Cat are restricted above anyway.
    expect(social.mayBeNamed).toEqual(['Ada Owl']);
    expect(card.citations.withdrawal).toBe('003 §4.6');
  });

  it('records a paper form with its scan, which staff who may see the pupil can download', async () => {
    const before = await ctx.services.consent.pupilRegister(A.school.id, kids[4]!.id);
    expect(before.history).toHaveLength(0);
    const result = await reports().recordPaperForm(dpo(), kids[4]!.id, {
      decider: { kind: 'parent', parentId: kids[4]!.mum },
      decidedOn: '2026-11-19',
      method: 'paper_form',
      decisions: { [IMAGE]: 'granted', [VIDEO]: 'granted', [NAME]: 'refused' },
      note: 'Handed in at the office',
      evidence: { data: PDF, filename: 'eve-form.pdf' },
    });
    const file = await reports().evidence(staff(A, 'office'), result.recordId);
    expect(file.contentType).toBe('application/pdf');
    expect(file.filename).toBe('eve-form.pdf');
    const served = await streamToBuffer(file.stream);
    expect(served.equals(await stripPdf(PDF))).toBe(true);
    expect(served.toString('latin1')).not.toContain('Jane Parent');
    const reg = await reports().register(dpo(), kids[4]!.id);
    expect(reg.records).toHaveLength(1);
    expect(reg.records[0]).toMatchObject({
      decider: 'MumEve Owl',
      recordedBy: 'dpo Tester',
      methodLabel: 'Paper form',
      note: 'Handed in at the office',
      evidenceFilename: 'eve-form.pdf',
    });
    // Another school's DPO cannot fetch it: it looks missing.
    await expect(reports().evidence(staff(B, 'dpo'), result.recordId)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // A file that is not a PDF, JPEG or PNG is refused and nothing is saved.
    await expect(
      reports().recordPaperForm(dpo(), kids[4]!.id, {
        decider: { kind: 'parent', parentId: kids[4]!.mum },
        decidedOn: '2026-11-19',
        method: 'paper_form',
        decisions: { [IMAGE]: 'granted' },
        evidence: { data: Buffer.from('MZ not a scan'), filename: 'x.exe' },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await reports().register(dpo(), kids[4]!.id)).records).toHaveLength(1);
  });

  it('records a written withdrawal as a new record and keeps the history intact', async () => {
    const before = await reports().register(dpo(), kids[0]!.id);
    expect(before.records).toHaveLength(1);
    const original = before.records[0]!;
    clock.set('2026-11-21T08:30:00Z');
    await reports().recordWithdrawal(dpo(), kids[0]!.id, {
      decider: { kind: 'parent', parentId: kids[0]!.mum },
      decidedOn: '2026-11-20',
      method: 'letter',
      keys: [IMAGE, VIDEO, NAME],
      note: 'Letter from mum',
    });
    const after = await reports().register(dpo(), kids[0]!.id);
    expect(after.records).toHaveLength(2);
    expect(after.records[0]).toMatchObject({ kind: 'withdrawal', method: 'letter' });
    expect(after.records[0]!.decisions).toEqual({
      [IMAGE]: 'refused',
      [VIDEO]: 'refused',
      [NAME]: 'refused',
    });
    // The earlier statement is untouched.
    expect(after.records[1]).toMatchObject({ id: original.id, decisions: original.decisions });
    expect(after.current.every((c) => !c.allowed)).toBe(true);
    // The card now lists Ada under "do not photograph".
    const card = await reports().classCard(dpo(), CLASS);
    expect(card.doNotPhotograph.map((e) => [e.name, e.restriction])).toContainEqual([
      'Ada Owl',
      'Consent refused or withdrawn',
    ]);
    expect(card.purposes[0]!.mayBeNamed).toEqual([]);
    // Nothing chosen: refused with a field error, nothing saved.
    await expect(
      reports().recordWithdrawal(dpo(), kids[0]!.id, {
        decider: { kind: 'parent', parentId: kids[0]!.mum },
        decidedOn: '2026-11-20',
        method: 'letter',
        keys: [],
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await reports().register(dpo(), kids[0]!.id)).records).toHaveLength(2);
  });

  it('reports every record made since a date, newest first', async () => {
    const recent = await reports().changesSince(A.school.id, '2026-11-21');
    expect(recent.rows.map((r) => [r.pupilName, r.kind, r.method, r.decider])).toEqual([
      ['Ada Owl', 'withdrawal', 'Letter', 'MumAda Owl'],
    ]);
    expect(recent.rows[0]!.changes).toContain('School social media accounts – photos: No');
    expect(recent.rows[0]!.recordedBy).toBe('dpo Tester');
    const sinceNov = await reports().changesSince(A.school.id, '2026-11-01');
    expect(sinceNov.rows).toHaveLength(6);
    expect(sinceNov.rows.filter((r) => r.hasEvidence)).toHaveLength(1);
    const sinceJune = await reports().changesSince(A.school.id, '2026-06-01');
    expect(sinceJune.rows).toHaveLength(7);
    expect(sinceJune.rows.at(-1)).toMatchObject({ pupilName: 'Dev Owl', periodKey: '2025-26' });
    const limited = await reports().changesSince(A.school.id, '2026-06-01', 3);
    expect(limited).toMatchObject({ truncated: true });
    expect(limited.rows).toHaveLength(3);
    expect((await reports().changesSince(B.school.id, '2026-01-01')).rows).toEqual([]);
    // A UK day starts at midnight in London, in summer time too.
    expect(startOfUkDay('2026-06-01').toISOString()).toBe('2026-05-31T23:00:00.000Z');
    expect(startOfUkDay('2026-12-01').toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('exports one row per pupil and question, guarding against spreadsheet formulas', async () => {
    await pool().query(`UPDATE pupils SET given_name = $2 WHERE id = $1`, [
      kids[2]!.id,
      '=HYPERLINK("http://evil.test","Cat")',
    ]);
    const csv = await reports().exportCsv(A.school.id);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'MIS id,Given name,Family name,Year group,Class,Purpose,Media,Decision,Allowed now,Decided by,Date on form,Method,Period',
    );
    expect(lines).toHaveLength(1 + 20 * 3);
    const ben = lines.filter((l) => l.includes(',Ben,') || l.includes(`,Ben,Owl`));
    expect(ben).toHaveLength(3);
    expect(ben[0]).toContain(
      ',School social media accounts,Photos,No,No,DadBen Owl,2026-09-06,Letter,2026-27',
    );
    expect(ben[1]).toContain(',Videos,Yes,Yes,MumBen Owl,2026-09-05,Paper form,2026-27');
    const dev = lines.filter((l) => l.includes(',Dev,Owl,'));
    expect(dev[0]).toContain(',Photos,Expired,No,MumDev Owl,2026-06-01,Paper form,2025-26');
    // The formula is neutralised with a leading apostrophe (and quoted for its commas).
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"",""Cat"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a "quote", here')).toBe('"a ""quote"", here"');
    await pool().query(`UPDATE pupils SET given_name = 'Cat' WHERE id = $1`, [kids[2]!.id]);
  });

  it('shows teachers only their assigned classes, and audits the assignment', async () => {
    const teacher = staff(A, 'teacher');
    expect(await reports().visibleClasses(teacher)).toEqual([]);
    await expect(reports().classMatrix(teacher, CLASS)).rejects.toBeInstanceOf(NotFoundError);

    const head = { kind: 'staff' as const, id: A.staff.headteacher.id };
    const choices = await ctx.services.staffClasses.forStaff(A.school.id, teacher.id);
    expect(choices.choices).toContain(CLASS);
    await ctx.services.staffClasses.assign(A.school.id, head, teacher.id, [CLASS]);
    expect(await ctx.services.staffClasses.classesOf(A.school.id, teacher.id)).toEqual([CLASS]);
    const audit = await pool().query(
      `SELECT data FROM audit_events WHERE school_id = $1 AND action = 'staff.classes-assigned'`,
      [A.school.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.data).toMatchObject({ classes: [CLASS], added: [CLASS], removed: [] });

    expect((await reports().visibleClasses(teacher)).map((c) => c.className)).toEqual([CLASS]);
    expect((await reports().classMatrix(teacher, CLASS)).rows).toHaveLength(5);
    expect((await reports().classCard(teacher, CLASS)).pupils).toBe(5);
    expect((await reports().pupilFor(teacher, kids[0]!.id)).id).toBe(kids[0]!.id);
    await expect(reports().classMatrix(teacher, otherClass)).rejects.toBeInstanceOf(NotFoundError);
    await expect(reports().pupilFor(teacher, otherClassPupil)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(reports().register(teacher, otherClassPupil)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const overview = await reports().overview(teacher);
    expect(overview.classes.map((c) => c.className)).toEqual([CLASS]);
    expect(overview.pupils).toBe(5);
    // The batch check offers only their class too.
    expect((await reports().checkableClasses(teacher)).map((c) => c.className)).toEqual([CLASS]);
    await expect(
      reports().check(teacher, {
        className: otherClass,
        pupilIds: [],
        purpose: 'school_social_media',
        mediaType: 'image',
        named: false,
        on: ukDate(clock.now()),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);

    // Unknown classes and other schools' staff are refused.
    await expect(
      ctx.services.staffClasses.assign(A.school.id, head, teacher.id, ['No Such Class']),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      ctx.services.staffClasses.assign(B.school.id, head, teacher.id, []),
    ).rejects.toBeInstanceOf(NotFoundError);
    // A class name is per school: school B's teacher never sees school A's pupils.
    await expect(reports().pupilFor(staff(B, 'headteacher'), kids[0]!.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(reports().classMatrix(staff(B, 'headteacher'), CLASS)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('answers the batch check for a class or chosen pupils, with reason and clause', async () => {
    const results = await reports().check(dpo(), {
      className: CLASS,
      pupilIds: [],
      purpose: 'school_social_media',
      mediaType: 'video',
      named: false,
      on: ukDate(clock.now()),
    });
    expect(results.map((r) => [r.name, r.answer.allowed])).toEqual([
      ['Ada Owl', false],
      ['Ben Owl', true],
      ['Cat Owl', false],
      ['Dev Owl', false],
      ['Eve Owl', true],
    ]);
    expect(results.every((r) => r.answer.citation.length > 0 && r.answer.reason.length > 0)).toBe(
      true,
    );
    const named = await reports().check(dpo(), {
      className: CLASS,
      pupilIds: [kids[1]!.id, kids[4]!.id],
      purpose: 'school_social_media',
      mediaType: 'video',
      named: true,
      on: ukDate(clock.now()),
    });
    expect(named.map((r) => [r.name, r.answer.allowed])).toEqual([
      ['Ben Owl', true],
      ['Eve Owl', false],
    ]);
    expect(named[1]!.answer.reason).toMatch(/naming the pupil needs its own written permission/);
  });

  it('counts returned forms and refusals for the overview', async () => {
    const o = await reports().overview(dpo());
    expect(o.period.key).toBe('2026-27');
    expect(o.pupils).toBe(20);
    // Ada (withdrawn, still a returned form), Ben, Cat and Eve; Dev's form is last year's.
    expect(o.returned).toBe(4);
    expect(o.notReturned).toBe(16);
    expect(o.refusals).toEqual([
      // Ada withdrew everything, Ben's dad refused photos, Cat videos, Eve's name.
      { key: 'school_social_media', label: 'School social media accounts', refused: 4 },
    ]);
    expect(o.classes.find((c) => c.className === CLASS)).toEqual({
      className: CLASS,
      pupils: 5,
      returned: 4,
    });
  });

  it('counts a withdrawal recorded this afternoon when the batch check asks about today', async () => {
    const ask = () =>
      reports().check(dpo(), {
        className: CLASS,
        pupilIds: [kids[1]!.id],
        purpose: 'school_social_media',
        mediaType: 'video',
        named: false,
        on: ukDate(clock.now()),
      });
    clock.set('2026-11-25T09:00:00Z');
    expect((await ask())[0]!.answer.allowed).toBe(true);
    // After midday (UK time), Ben's mum withdraws videos by letter.
    clock.set('2026-11-25T15:00:00Z');
    await reports().recordWithdrawal(dpo(), kids[1]!.id, {
      decider: { kind: 'parent', parentId: kids[1]!.mum },
      decidedOn: '2026-11-25',
      method: 'letter',
      keys: [VIDEO],
    });
    clock.set('2026-11-25T15:05:00Z');
    expect((await ask())[0]!.answer).toMatchObject({ allowed: false, outcome: 'refused' });
  });
});
