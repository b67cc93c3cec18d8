import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import type { RecordConsentInput } from '../../src/modules/consent/register/consent.service.ts';
import { stripPdf } from '../../src/platform/images/scan-sanitiser.ts';

/**
 * The consent register against PostgreSQL: records are append-only and keep their history, each
 * change is audited and emits `consent.changed` in the same transaction, bad input changes
 * nothing (files included), and another school's pupil is simply not there.
 */
describe('consent register (real PostgreSQL)', () => {
  let ctx: TestContext;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const clock = fixedClock('2026-10-01T09:00:00Z');
  const IMAGE = 'school_social_media/image';
  const VIDEO = 'school_social_media/video';
  const NAME = 'school_social_media/name';
  // A one-page PDF naming its author: what is stored is the same PDF without it.
  const PDF = Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj\ntrailer << /Root 1 0 R /Info 4 0 R >>\n4 0 obj << /Author (Jane Parent) >> endobj\n%%EOF\n',
  );

  /** A pupil with two parents who hold parental responsibility and a carer who does not. */
  let family: { pupilId: string; mum: string; dad: string; carer: string };
  let office: { kind: 'staff'; id: string };

  const pool = () => ctx.services.database.pool;
  const count = async (sql: string, values: unknown[] = []) =>
    Number((await pool().query<{ n: string }>(sql, values)).rows[0]!.n);
  const snapshot = async (schoolId: string) => ({
    records: await count('SELECT count(*) AS n FROM consent_records WHERE school_id = $1', [
      schoolId,
    ]),
    audit: await count(
      "SELECT count(*) AS n FROM audit_events WHERE school_id = $1 AND action LIKE 'consent.%'",
      [schoolId],
    ),
    events: await count('SELECT count(*) AS n FROM domain_events WHERE school_id = $1', [schoolId]),
    competence: await count(
      'SELECT count(*) AS n FROM pupil_competence_assessments WHERE school_id = $1',
      [schoolId],
    ),
  });
  const noTempFiles = async () => ctx.platform.files.sweepTemp(new Date(Date.now() + 3_600_000));
  const committedFiles = async () => {
    const keys: string[] = [];
    for await (const f of ctx.platform.files.list()) keys.push(f.key);
    return keys;
  };
  const form = (over: Partial<RecordConsentInput> = {}): RecordConsentInput => ({
    schoolId: A.school.id,
    pupilId: family.pupilId,
    decider: { kind: 'parent', parentId: family.mum },
    decisions: { [IMAGE]: 'granted', [VIDEO]: 'granted' },
    method: 'paper_form',
    kind: 'form',
    decidedOn: '2026-09-28',
    ...over,
  });

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'consent-a', pupils: 12 }),
      createSchool(ctx.services, { slug: 'consent-b', pupils: 4 }),
    ]);
    office = { kind: 'staff', id: A.staff.office.id };
    const pupilId = A.pupils[3]!.id;
    const add = (given: string, relationship: string, pr: boolean) =>
      addParent(ctx.services, {
        schoolId: A.school.id,
        pupilId,
        givenName: given,
        familyName: 'Consent-Test',
        email: `${given.toLowerCase()}@consent-a.test`,
        relationship,
        parentalResponsibility: pr,
      });
    family = {
      pupilId,
      mum: await add('Maria', 'Mother', true),
      dad: await add('Daniel', 'Father', true),
      carer: await add('Carla', 'Step-parent', false),
    };
  });
  afterAll(async () => ctx?.close());

  it('records a form: the row, an audit entry and a consent.changed event in one transaction', async () => {
    clock.set('2026-10-01T09:00:00Z');
    const before = await snapshot(A.school.id);
    const result = await ctx.services.consent.record(form(), office);
    expect(result.periodKey).toBe('2026-27');
    expect(result.changes.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: IMAGE, before: false, after: true },
      { key: VIDEO, before: false, after: true },
    ]);
    const after = await snapshot(A.school.id);
    expect(after).toEqual({
      ...before,
      records: before.records + 1,
      audit: before.audit + 1,
      events: before.events + 1,
    });

    const row = (
      await pool().query(`SELECT *, xmin::text AS xid FROM consent_records WHERE id = $1`, [
        result.recordId,
      ])
    ).rows[0];
    expect(row).toMatchObject({
      school_id: A.school.id,
      pupil_id: family.pupilId,
      period_key: '2026-27',
      valid_from: expect.anything(),
      decider_kind: 'parent',
      decider_parent_id: family.mum,
      decisions: { [IMAGE]: 'granted', [VIDEO]: 'granted' },
      method: 'paper_form',
      kind: 'form',
      recorded_by_kind: 'staff',
      recorded_by_id: A.staff.office.id,
    });
    const audit = (
      await pool().query(
        `SELECT action, entity_type, entity_id, data, xmin::text AS xid FROM audit_events
         WHERE school_id = $1 AND entity_id = $2`,
        [A.school.id, result.recordId],
      )
    ).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'consent.form-recorded',
      entity_type: 'consent_record',
      data: expect.objectContaining({ pupilId: family.pupilId, periodKey: '2026-27' }),
    });
    const events = await ctx.services.events.list(A.school.id, 'consent.changed');
    const event = events.find(
      (e) => (e.payload as { recordId: string }).recordId === result.recordId,
    )!;
    expect(event.payload).toMatchObject({
      pupilId: family.pupilId,
      periodKey: '2026-27',
      changes: expect.arrayContaining([{ key: IMAGE, before: false, after: true }]),
    });
    // The same transaction wrote all three rows.
    const eventXid = (
      await pool().query<{ xid: string }>(
        `SELECT xmin::text AS xid FROM domain_events WHERE id = $1`,
        [event.id],
      )
    ).rows[0]!.xid;
    expect(new Set([row.xid, audit[0].xid, eventXid]).size).toBe(1);

    const answer = await ctx.services.consent.may({
      schoolId: A.school.id,
      pupilId: family.pupilId,
      purpose: 'school_social_media',
      mediaType: 'image',
    });
    expect(answer).toMatchObject({
      allowed: true,
      outcome: 'granted',
      recordIds: [result.recordId],
    });
    expect(answer.citation).toBe('003 §4.1');
  });

  it('never overwrites: a withdrawal is a new record, history is kept, and it is not retroactive', async () => {
    clock.set('2026-11-20T10:00:00Z');
    const first = (
      await pool().query<{ id: string }>(
        `SELECT id FROM consent_records WHERE pupil_id = $1 ORDER BY recorded_at`,
        [family.pupilId],
      )
    ).rows[0]!.id;
    const withdrawal = await ctx.services.consent.record(
      form({
        decisions: { [IMAGE]: 'refused' },
        method: 'letter',
        kind: 'withdrawal',
        decidedOn: '2026-11-19',
        note: 'Letter from Mrs Consent-Test',
      }),
      office,
    );
    // Photos flip from allowed to not allowed; videos are untouched.
    expect(withdrawal.changes).toEqual([{ key: IMAGE, before: true, after: false }]);
    const events = await ctx.services.events.list(A.school.id, 'consent.changed');
    expect(events.at(-1)!.payload).toMatchObject({
      recordId: withdrawal.recordId,
      changes: [{ key: IMAGE, before: true, after: false }],
    });
    const audit = await ctx.services.audit.listForSchool(
      A.school.id,
      { action: 'consent.withdrawn' },
      1,
    );
    expect(audit.rows.map((r) => r.entityId)).toContain(withdrawal.recordId);

    const register = await ctx.services.consent.pupilRegister(A.school.id, family.pupilId);
    expect(register.history.map((h) => h.record.id)).toEqual([withdrawal.recordId, first]);
    expect(register.history[1]!.record.decisions).toEqual({
      [IMAGE]: 'granted',
      [VIDEO]: 'granted',
    });
    expect(register.position.get(IMAGE)).toMatchObject({ allowed: false, outcome: 'refused' });
    expect(register.position.get(VIDEO)).toMatchObject({ allowed: true });

    const may = (at?: Date) =>
      ctx.services.consent.may({
        schoolId: A.school.id,
        pupilId: family.pupilId,
        purpose: 'school_social_media',
        mediaType: 'image',
        ...(at ? { at } : {}),
      });
    expect((await may()).allowed).toBe(false);
    // Before the withdrawal reached the school, the consent stood (003 §4.6).
    expect(await may(new Date('2026-11-01T12:00:00Z'))).toMatchObject({
      allowed: true,
      recordIds: [first],
    });

    // The table refuses to be rewritten.
    await expect(
      pool().query(`UPDATE consent_records SET decisions = '{}'::jsonb WHERE id = $1`, [first]),
    ).rejects.toThrow();
    await expect(
      pool().query(`DELETE FROM consent_records WHERE id = $1`, [first]),
    ).rejects.toThrow();
    await expect(pool().query(`TRUNCATE consent_records CASCADE`)).rejects.toThrow();
    const kept = await pool().query(`SELECT decisions FROM consent_records WHERE id = $1`, [first]);
    expect(kept.rows[0].decisions).toEqual({ [IMAGE]: 'granted', [VIDEO]: 'granted' });
  });

  it('follows a refusal when the two parents disagree, and ignores a carer without parental responsibility', async () => {
    clock.set('2026-11-21T10:00:00Z');
    await ctx.services.consent.record(
      form({
        decider: { kind: 'parent', parentId: family.dad },
        decisions: { [VIDEO]: 'refused' },
        method: 'online_form',
        kind: 'amendment',
        decidedOn: '2026-11-21',
      }),
      { kind: 'parent', id: family.dad },
    );
    const answer = await ctx.services.consent.may({
      schoolId: A.school.id,
      pupilId: family.pupilId,
      purpose: 'school_social_media',
      mediaType: 'video',
    });
    expect(answer).toMatchObject({
      allowed: false,
      outcome: 'refused',
      rule: 'consent.refusalWinsWhenParentsDisagree',
    });
    expect(answer.reason).toMatch(/Parents disagree: Daniel Consent-Test refused/);
  });

  it('applies a policy change to the very next check (rules by the version read with the facts)', async () => {
    const check = async () =>
      (
        await ctx.services.consent.may({
          schoolId: A.school.id,
          pupilId: family.pupilId,
          purpose: 'school_social_media',
          mediaType: 'video',
        })
      ).allowed;
    // Mum granted videos on 28 September, Dad refused on 21 November: refusal wins.
    expect(await check()).toBe(false);
    const head = { kind: 'staff' as const, id: A.staff.headteacher.id };
    const current = await ctx.services.policies.current(A.school.id);
    await ctx.services.policies.updateSettings(A.school.id, head, {
      answers: { 'consent.refusalWinsWhenParentsDisagree': 'no' },
      note: 'Governors: follow the latest decision',
      expectedVersion: current.version,
    });
    // Latest wins now, and Dad's refusal is still the latest.
    expect(await check()).toBe(false);
    clock.set('2026-11-21T10:05:00Z');
    await ctx.services.consent.record(
      form({ decisions: { [VIDEO]: 'granted' }, kind: 'amendment', decidedOn: '2026-11-21' }),
      office,
    );
    expect(await check()).toBe(true);
    await ctx.services.policies.updateSettings(A.school.id, head, {
      answers: { 'consent.refusalWinsWhenParentsDisagree': 'yes' },
      note: 'Back to the safer rule',
      expectedVersion: current.version + 1,
    });
    expect(await check()).toBe(false);
  });

  it('validates before anything is written: unknown key, future date, no parental responsibility, pupil not competent', async () => {
    const before = await snapshot(A.school.id);
    const filesBefore = await committedFiles();
    const refused = async (input: RecordConsentInput, field: string) => {
      const error = await ctx.services.consent
        .record(input, office)
        .then(() => null)
        .catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fieldErrors), field).toContain(field);
    };
    await refused(form({ decisions: { 'school_website/image': 'granted' } }), 'decisions');
    await refused(form({ decisions: {} }), 'decisions');
    await refused(form({ decisions: { [IMAGE]: 'maybe' } }), IMAGE);
    await refused(form({ decidedOn: '2026-12-25' }), 'decidedOn');
    await refused(form({ decidedOn: '2026-02-30' }), 'decidedOn');
    await refused(form({ periodKey: '2019-20' }), 'periodKey');
    // The evidence is checked before the transaction, and the decider inside it: neither leaves
    // a file behind.
    await refused(
      form({ evidence: { data: Buffer.from('GIF89a not a form'), filename: 'form.gif' } }),
      'evidence',
    );
    await refused(
      form({
        decider: { kind: 'parent', parentId: family.carer },
        evidence: { data: PDF, filename: 'carer.pdf' },
      }),
      'decider',
    );
    await refused(form({ decider: { kind: 'parent', parentId: B.parent.id } }), 'decider');
    await refused(form({ decider: { kind: 'pupil' } }), 'decider');
    expect(await snapshot(A.school.id)).toEqual(before);
    expect(await committedFiles()).toEqual(filesBefore);
    expect(await noTempFiles()).toBe(0);
  });

  it('lets a pupil assessed as competent decide for themself (003 §4.3)', async () => {
    clock.set('2026-11-22T09:00:00Z');
    const pupilId = A.pupils[5]!.id;
    await expect(
      ctx.services.consent.record(
        form({ pupilId, decider: { kind: 'pupil' }, decisions: { [IMAGE]: 'granted' } }),
        { kind: 'pupil', id: pupilId },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    await ctx.services.consent.assessCompetence(
      { schoolId: A.school.id, pupilId, competent: true, assessedOn: '2026-11-21' },
      { staffId: A.staff.dpo.id },
    );
    clock.set('2026-11-22T09:05:00Z');
    const result = await ctx.services.consent.record(
      form({ pupilId, decider: { kind: 'pupil' }, decisions: { [IMAGE]: 'granted' } }),
      { kind: 'pupil', id: pupilId },
    );
    const answer = await ctx.services.consent.may({
      schoolId: A.school.id,
      pupilId,
      purpose: 'school_social_media',
      mediaType: 'image',
    });
    expect(answer).toMatchObject({
      allowed: true,
      recordIds: [result.recordId],
      rule: 'consent.competentPupilMayConsent',
      citation: '003 §4.3',
    });
  });

  it('stores the scanned form with the record and serves it back', async () => {
    clock.set('2026-11-22T10:00:00Z');
    const pupilId = A.pupils[0]!.id;
    const result = await ctx.services.consent.record(
      form({
        pupilId,
        decider: { kind: 'parent', parentId: A.parent.id },
        decisions: { [IMAGE]: 'granted', [NAME]: 'refused' },
        evidence: { data: PDF, filename: 'consent-form.pdf' },
      }),
      office,
    );
    const file = await ctx.services.consent.evidence(A.school.id, result.recordId);
    expect(file).toMatchObject({
      pupilId,
      filename: 'consent-form.pdf',
      contentType: 'application/pdf',
    });
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream as Readable) chunks.push(Buffer.from(chunk as Buffer));
    const served = Buffer.concat(chunks);
    expect(served.equals(await stripPdf(PDF))).toBe(true);
    expect(served.toString('latin1')).not.toContain('Jane Parent');
    const row = (
      await pool().query(
        `SELECT evidence_key, evidence_sha256 FROM consent_records WHERE id = $1`,
        [result.recordId],
      )
    ).rows[0];
    expect(row.evidence_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await ctx.platform.files.exists(row.evidence_key)).toBe(true);
    expect(await noTempFiles()).toBe(0);
    // Another school cannot reach it.
    await expect(
      ctx.services.consent.evidence(B.school.id, result.recordId),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('treats another school’s pupil exactly like a missing one', async () => {
    const before = await snapshot(A.school.id);
    const bPupil = B.pupils[0]!.id;
    await expect(
      ctx.services.consent.record(
        form({ pupilId: bPupil, decider: { kind: 'parent', parentId: B.parent.id } }),
        office,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      ctx.services.consent.may({
        schoolId: A.school.id,
        pupilId: bPupil,
        purpose: 'school_social_media',
        mediaType: 'image',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      ctx.services.consent.mayMany(A.school.id, [
        { pupilId: A.pupils[1]!.id, purpose: 'school_social_media', mediaType: 'image' },
        { pupilId: bPupil, purpose: 'school_social_media', mediaType: 'image' },
      ]),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      ctx.services.consent.assessCompetence(
        { schoolId: A.school.id, pupilId: bPupil, competent: false, assessedOn: '2026-11-01' },
        { staffId: A.staff.dpo.id },
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(ctx.services.consent.pupilRegister(A.school.id, bPupil)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await snapshot(A.school.id)).toEqual(before);
    expect(await snapshot(B.school.id)).toMatchObject({ records: 0, audit: 0, events: 0 });
  });

  it('answers a batch in one call, in order, duplicates included', async () => {
    const ids = [family.pupilId, A.pupils[0]!.id, A.pupils[1]!.id, family.pupilId];
    const answers = await ctx.services.consent.mayMany(
      A.school.id,
      ids.map((pupilId, i) => ({
        pupilId,
        purpose: 'school_social_media',
        mediaType: i === 3 ? ('video' as const) : ('image' as const),
      })),
    );
    expect(answers.map((a) => [a.pupilId, a.mediaType, a.allowed, a.outcome])).toEqual([
      [family.pupilId, 'image', false, 'refused'],
      [A.pupils[0]!.id, 'image', true, 'granted'],
      [A.pupils[1]!.id, 'image', false, 'none'],
      [family.pupilId, 'video', false, 'refused'],
    ]);
    // Named: pupils[0]'s parent refused naming, so a named photo is not allowed.
    const [named] = await ctx.services.consent.mayMany(A.school.id, [
      { pupilId: A.pupils[0]!.id, purpose: 'school_social_media', mediaType: 'image', named: true },
    ]);
    expect(named).toMatchObject({ allowed: false, outcome: 'refused', named: true });
    expect(await ctx.services.consent.mayMany(A.school.id, [])).toEqual([]);
    // A purpose the profile does not have is answered, not an error.
    const [odd] = await ctx.services.consent.mayMany(A.school.id, [
      { pupilId: A.pupils[1]!.id, purpose: 'school_website', mediaType: 'image' },
    ]);
    expect(odd).toMatchObject({ allowed: false, outcome: 'not_asked' });
  });
});
