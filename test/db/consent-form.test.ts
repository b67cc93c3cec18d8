import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { jobHandlers } from '../../src/container.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { scalar } from '../support/http-principals.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import {
  jsonReceipt,
  type FormPrincipal,
} from '../../src/modules/consent/family/consent-form.service.ts';

/**
 * The parents' online consent form against real PostgreSQL: form links that land on the form,
 * drafts, submitting as a consent record (audited, with a consent.changed event), the emailed
 * receipt and its JSON form, withdrawals, and used or expired links that offer a new one.
 */
describe('consent form (real PostgreSQL)', () => {
  let ctx: TestContext;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let J: SchoolFixture;
  let S: SchoolFixture;
  let parent: FormPrincipal;
  let childId: string;
  const clock = fixedClock('2026-11-22T10:00:00Z');
  const period = '2026-27';

  const tokenOf = (text: string) => {
    const m = /\/sign-in\/link\/([A-Za-z0-9_-]+)/.exec(text);
    if (!m) throw new Error(`no link in:\n${text}`);
    return m[1]!;
  };

  /** The receipt email's job, as the worker runs it. */
  const receiptJob = (recordId: string, schoolId: string) =>
    jobHandlers(ctx.services)['consent.receipt-email']({ recordId, schoolId }, 'job');

  /** The first parent of a fixture school, signed in to the form. */
  const parentOf = (fx: SchoolFixture): FormPrincipal => ({
    kind: 'parent',
    id: fx.parent.id,
    schoolId: fx.school.id,
    name: `${fx.parent.givenName} ${fx.parent.familyName}`,
  });

  // The Avenue's template asks about six purposes, photos and videos separately, with naming.
  const allYes = async (who: FormPrincipal, pupilId: string, periodKey = period) => {
    const form = await ctx.services.consentForm.childForm(who, pupilId, periodKey);
    return Object.fromEntries(form.groups.flatMap((g) => g.questions.map((q) => [q.field, 'yes'])));
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [A, B, J, S] = await Promise.all([
      createSchool(ctx.services, { slug: 'form-a', pupils: 12, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { slug: 'form-b', pupils: 6, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { slug: 'form-j', pupils: 6, template: 'john-clifford-primary' }),
      createSchool(ctx.services, { slug: 'form-s', pupils: 6, template: 'sacred-heart-rochdale' }),
    ]);
    parent = {
      kind: 'parent',
      id: A.parent.id,
      schoolId: A.school.id,
      name: `${A.parent.givenName} ${A.parent.familyName}`,
    };
    childId = A.pupils[0]!.id;
  });
  afterAll(async () => ctx?.close());

  it('emails a parent a one-time link that lands on their form, naming only first names', async () => {
    const since = ctx.sink.lastId();
    const result = await ctx.services.consentForm.sendFormLink(
      A.school.id,
      A.parent.id,
      { reason: 'invitation', periodKey: period },
      { kind: 'staff', id: A.staff.dpo.id },
    );
    expect(result).toBe('sent');
    const mail = await ctx.sink.waitFor(A.parent.email!, { since });
    const children = await ctx.services.consent.childrenOf(A.school.id, A.parent.id);
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) {
      expect(mail.text).toContain(c.givenName);
      expect(mail.subject + mail.text).not.toContain(`${c.givenName} ${c.familyName}`);
    }
    expect(mail.text).toContain('form-a School');
    expect(mail.text).toContain('2026 to 2027 school year');
    const token = tokenOf(mail.text);
    const { rows } = await ctx.services.database.pool.query<{
      next_path: string;
      minutes: number;
    }>(
      `SELECT next_path, (extract(epoch FROM expires_at - created_at) / 60)::int AS minutes
         FROM sign_in_links WHERE principal_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [A.parent.id],
    );
    expect(rows[0]).toEqual({ next_path: '/consent/family', minutes: 7 * 24 * 60 });
    const audit = await ctx.services.audit.listForSchool(
      A.school.id,
      { action: 'consent.form-link-sent' },
      1,
    );
    expect(audit.rows[0]).toMatchObject({
      actorKind: 'staff',
      entityId: A.parent.id,
      data: { reason: 'invitation', periodKey: period },
    });
    const used = await ctx.services.auth.consumeSignInLink(token);
    expect(used).toMatchObject({ ok: true, nextPath: '/consent/family' });
    expect(await ctx.services.auth.consumeSignInLink(token)).toEqual({
      ok: false,
      reason: 'used',
    });
  });

  it('never lets a link land on another site', async () => {
    for (const nextPath of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const url = await ctx.services.auth.createSignInLink(ctx.services.database.db, {
        schoolId: A.school.id,
        principalKind: 'parent',
        principalId: A.parent.id,
        nextPath,
        ttlMinutes: 60,
      });
      const result = await ctx.services.auth.consumeSignInLink(tokenOf(url));
      expect(result, nextPath).toMatchObject({ ok: true, nextPath: '/' });
    }
  });

  it('refuses a period that is not open and says when there is no one to write to', async () => {
    await expect(
      ctx.services.consentForm.sendFormLink(A.school.id, A.parent.id, {
        reason: 'reminder',
        periodKey: '2019-20',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      ctx.services.consentForm.sendFormLink(B.school.id, A.parent.id, {
        reason: 'reminder',
        periodKey: period,
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await ctx.services.database.pool.query('UPDATE parents SET email = NULL WHERE id = $1', [
      B.parent.id,
    ]);
    expect(
      await ctx.services.consentForm.sendFormLink(B.school.id, B.parent.id, {
        reason: 'reminder',
        periodKey: period,
      }),
    ).toBe('no-email');
  });

  it('keeps a draft per child (upsert), refuses an incomplete one, and shows it in progress', async () => {
    const forms = ctx.services.consentForm;
    const before = await forms.family(parent);
    const entry = before.children.find((c) => c.child.id === childId)!;
    expect(entry.periods.map((p) => [p.period.key, p.status])).toEqual([[period, 'not_started']]);

    const form = await forms.childForm(parent, childId, period);
    // Six purposes; photos and videos for each, and naming for the four seen outside school.
    expect(form.groups).toHaveLength(6);
    expect(form.groups.flatMap((g) => g.questions)).toHaveLength(16);
    expect(form.values).toEqual({});

    const answers = await allYes(parent, childId);
    const incomplete = { ...answers };
    delete incomplete['school_website-video'];
    await expect(forms.saveDraft(parent, childId, period, incomplete)).rejects.toMatchObject({
      fieldErrors: { 'school_website-video': expect.stringContaining('videos') },
    });
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_drafts')).toBe(0);

    await forms.saveDraft(parent, childId, period, { ...answers, 'local_newspapers-name': 'no' });
    await forms.saveDraft(parent, childId, period, { ...answers, 'local_newspapers-image': 'no' });
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_drafts')).toBe(1);
    const again = await forms.childForm(parent, childId, period);
    expect(again.values['local_newspapers-image']).toBe('no');
    expect(again.values['local_newspapers-name']).toBe('yes');
    const during = await forms.family(parent);
    expect(during.children.find((c) => c.child.id === childId)!.periods[0]!.status).toBe(
      'in_progress',
    );
  });

  it('submits the draft as an audited online-form record with a consent.changed event, and emails the receipt', async () => {
    const forms = ctx.services.consentForm;
    const records = await scalar(ctx, 'SELECT count(*) AS n FROM consent_records');
    const since = ctx.sink.lastId();
    const recordId = (await forms.submit(parent, childId, period))!;
    expect(recordId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_records')).toBe(records + 1);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_drafts')).toBe(0);

    const { rows } = await ctx.services.database.pool.query(
      "SELECT *, to_char(decided_on, 'YYYY-MM-DD') AS decided_on FROM consent_records WHERE id = $1",
      [recordId],
    );
    expect(rows[0]).toMatchObject({
      method: 'online_form',
      kind: 'form',
      decider_kind: 'parent',
      decider_parent_id: A.parent.id,
      period_key: period,
      recorded_by_kind: 'parent',
      recorded_by_id: A.parent.id,
      decided_on: '2026-11-22',
    });
    expect(rows[0].decisions).toMatchObject({
      'school_website/image': 'granted',
      'local_newspapers/image': 'refused',
      'local_newspapers/name': 'granted',
    });
    expect(Object.keys(rows[0].decisions)).toHaveLength(16);

    const audit = await ctx.services.audit.listForSchool(
      A.school.id,
      { action: 'consent.form-recorded' },
      1,
    );
    expect(audit.rows[0]).toMatchObject({ entityId: recordId, actorKind: 'parent' });
    const events = await ctx.services.events.list(A.school.id, 'consent.changed');
    const event = events.find((e) => (e.payload as { recordId: string }).recordId === recordId);
    expect(event?.payload).toMatchObject({ pupilId: childId, periodKey: period });
    expect(
      (event!.payload as { changes: { key: string; after: boolean }[] }).changes,
    ).toContainEqual({ key: 'school_website/image', before: false, after: true });

    const mail = await ctx.sink.waitFor(A.parent.email!, { since });
    const child = A.pupils[0]!;
    expect(mail.subject).toContain(child.givenName);
    // The reference to read out over the phone, stored with the record; the time in words.
    const reference = (
      await ctx.services.database.pool.query(
        'SELECT receipt_reference FROM consent_records WHERE id = $1',
        [recordId],
      )
    ).rows[0].receipt_reference as string;
    expect(reference).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(mail.text).toContain(
      `Receipt reference: ${reference.slice(0, 4)}-${reference.slice(4)}`,
    );
    expect(mail.text).toContain('When: 22 November 2026 at 10am');
    expect(mail.text).not.toContain('UTC');
    expect(mail.text).not.toMatch(/\(\d{3} §/);
    expect(mail.text).toContain(`For: ${child.givenName} ${child.familyName}`);
    expect(mail.text).toContain(`Given by: ${parent.name}`);
    expect(mail.text).toContain('Period: 2026 to 2027 school year');
    expect(mail.text).toMatch(/Local newspapers[^\n]*:\n {2}- Photos: No/);
    expect(mail.text).toContain(`/consent/family/receipts/${recordId}.json`);

    const after = await forms.family(parent);
    const status = after.children.find((c) => c.child.id === childId)!.periods[0]!;
    expect(status).toMatchObject({ status: 'done', lastRecordId: recordId });
    // The register now allows the website, not the newspaper.
    const may = await ctx.services.consent.mayMany(A.school.id, [
      { pupilId: childId, purpose: 'school_website', mediaType: 'image' },
      { pupilId: childId, purpose: 'local_newspapers', mediaType: 'image' },
    ]);
    expect(may.map((m) => m.allowed)).toEqual([true, false]);
  });

  it('gives every record, however it is made, a reference unique in the school; the office finds it in its own school only', async () => {
    // A paper form recorded by the office, for a pupil of another school (B).
    const pupil = B.pupils.at(-1)!;
    const settings = await ctx.services.consent.settings(B.school.id);
    const { rows: pr } = await ctx.services.database.pool.query<{ parent_id: string }>(
      'SELECT parent_id FROM pupil_parents WHERE pupil_id = $1 AND parental_responsibility LIMIT 1',
      [pupil.id],
    );
    const paper = await ctx.services.consent.record(
      {
        schoolId: B.school.id,
        pupilId: pupil.id,
        periodKey: period,
        decider: { kind: 'parent', parentId: pr[0]!.parent_id },
        decisions: { [`${settings.consent.purposes.value[0]!.key}/image`]: 'granted' },
        method: 'paper_form',
        kind: 'form',
        decidedOn: '2026-11-20',
      },
      { kind: 'staff', id: B.staff.office.id },
    );
    const { rows } = await ctx.services.database.pool.query<{
      id: string;
      school_id: string;
      receipt_reference: string | null;
    }>('SELECT id, school_id, receipt_reference FROM consent_records');
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows)
      expect(r.receipt_reference).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    const perSchool = new Set(rows.map((r) => `${r.school_id}:${r.receipt_reference}`));
    expect(perSchool.size).toBe(rows.length);

    const ref = rows.find((r) => r.id === paper.recordId)!.receipt_reference!;
    const found = await ctx.services.consentForm.receiptByReference(B.school.id, ref);
    expect(found).toMatchObject({
      recordId: paper.recordId,
      reference: `${ref.slice(0, 4)}-${ref.slice(4)}`,
      pupil: { id: pupil.id },
      methodLabel: expect.any(String),
    });
    // The same reference in another school finds nothing.
    expect(await ctx.services.consentForm.receiptByReference(A.school.id, ref)).toBeNull();
    // References cannot be changed afterwards: the register is append-only.
    await expect(
      ctx.services.database.pool.query(
        "UPDATE consent_records SET receipt_reference = 'AAAAAAAA' WHERE id = $1",
        [paper.recordId],
      ),
    ).rejects.toThrow(/append-only/);
  });

  it('lists on the home page the forms nobody has answered, and the ones this person started', async () => {
    // A child with two parents who both have parental responsibility.
    const { rows } = await ctx.services.database.pool.query<{
      pupil_id: string;
      parents: string[];
    }>(
      `SELECT pp.pupil_id, array_agg(pp.parent_id ORDER BY pp.parent_id) AS parents
         FROM pupil_parents pp JOIN pupils p ON p.id = pp.pupil_id
        WHERE p.school_id = $1 AND pp.parental_responsibility
        GROUP BY pp.pupil_id HAVING count(*) = 2 ORDER BY pp.pupil_id DESC LIMIT 1`,
      [J.school.id],
    );
    const pupilId = rows[0]!.pupil_id;
    const [mum, dad] = rows[0]!.parents as [string, string];
    const who = (id: string): FormPrincipal => ({
      kind: 'parent',
      id,
      schoolId: J.school.id,
      name: '',
    });
    const waitingFor = async (id: string) =>
      (await ctx.services.consentForm.formsWaiting(who(id))).waiting
        .filter((w) => w.child.id === pupilId)
        .map((w) => ({ period: w.period.key, started: w.started }));
    expect(await waitingFor(mum)).toEqual([{ period: 'admission', started: false }]);
    expect(await waitingFor(dad)).toEqual([{ period: 'admission', started: false }]);

    // Dad sends the form: it is waiting for nobody (Mum can still answer from the family page).
    const answers = await allYes(who(dad), pupilId, 'admission');
    await ctx.services.consentForm.saveDraft(who(dad), pupilId, 'admission', answers);
    expect(await waitingFor(dad)).toEqual([{ period: 'admission', started: true }]);
    await ctx.services.consentForm.submit(who(dad), pupilId, 'admission');
    expect(await waitingFor(dad)).toEqual([]);
    expect(await waitingFor(mum)).toEqual([]);
    const family = await ctx.services.consentForm.family(who(mum));
    const entry = family.children.find((c) => c.child.id === pupilId)!.periods[0]!;
    expect(entry).toMatchObject({ status: 'not_started', othersAnswered: true });
  });

  it('builds the JSON consent receipt (after the Kantara Consent Receipt)', async () => {
    const forms = ctx.services.consentForm;
    const family = await forms.family(parent);
    const recordId = family.children.find((c) => c.child.id === childId)!.periods[0]!.lastRecordId!;
    const json = jsonReceipt(await forms.receipt(parent, recordId));
    expect(json).toMatchObject({
      jurisdiction: 'UK',
      consentReceiptID: recordId,
      collectionMethod: 'online_form',
      consentTimestamp: Math.floor(Date.parse('2026-11-22T10:00:00Z') / 1000),
      controller: { name: 'form-a School', id: A.school.id },
      subject: { firstName: A.pupils[0]!.givenName, pupilId: childId },
      decider: { kind: 'parent', parentId: A.parent.id, name: parent.name },
      period: { key: period, validFrom: '2026-09-01', validUntil: '2027-09-01' },
      policy: { version: 1 },
    });
    expect(json.version).toMatch(/Kantara/);
    // The pupil appears by first name and id only.
    expect(Object.keys(json.subject).sort()).toEqual(['firstName', 'pupilId']);
    const website = json.purposes.find((p) => p.purpose === 'school_website');
    expect(website?.decisions).toEqual({ image: 'granted', video: 'granted', name: 'granted' });
    expect(json.purposes.find((p) => p.purpose === 'local_newspapers')?.decisions.image).toBe(
      'refused',
    );
    expect(json.policy.clauses.map((c) => c.citation)).toContain('Lanyard default');
    expect(json.policy.clauses.length).toBeGreaterThan(4);
  });

  it('marks a changed yes → no as a withdrawal and any other change as an amendment', async () => {
    const forms = ctx.services.consentForm;
    clock.set('2026-11-22T10:02:00Z');
    const form = await forms.childForm(parent, childId, period);
    expect(form.hasPrevious).toBe(true);
    expect(form.values['school_website-image']).toBe('yes');
    await forms.saveDraft(parent, childId, period, {
      ...(form.values as Record<string, string>),
      'school_website-image': 'no',
    });
    const check = (await forms.checkAnswers(parent, childId, period))!;
    expect(check.withdrawn.map((q) => q.field)).toEqual(['school_website-image']);
    const withdrawal = (await forms.submit(parent, childId, period))!;
    const kinds = async () =>
      (
        await ctx.services.database.pool.query<{ id: string; kind: string }>(
          'SELECT id, kind FROM consent_records WHERE pupil_id = $1 ORDER BY recorded_at, id',
          [childId],
        )
      ).rows;
    expect((await kinds()).find((r) => r.id === withdrawal)?.kind).toBe('withdrawal');
    const audit = await ctx.services.audit.listForSchool(
      A.school.id,
      { action: 'consent.withdrawn' },
      1,
    );
    expect(audit.rows[0]).toMatchObject({ entityId: withdrawal });
    const events = await ctx.services.events.list(A.school.id, 'consent.changed');
    expect(
      events.find((e) => (e.payload as { recordId: string }).recordId === withdrawal)?.payload,
    ).toMatchObject({ changes: [{ key: 'school_website/image', before: true, after: false }] });
    expect(
      (
        await ctx.services.consent.may({
          schoolId: A.school.id,
          pupilId: childId,
          purpose: 'school_website',
          mediaType: 'image',
        })
      ).allowed,
    ).toBe(false);

    clock.set('2026-11-22T10:05:00Z');
    const now = await forms.childForm(parent, childId, period);
    await forms.saveDraft(parent, childId, period, {
      ...(now.values as Record<string, string>),
      'local_newspapers-image': 'yes',
    });
    const amendment = (await forms.submit(parent, childId, period))!;
    expect((await kinds()).find((r) => r.id === amendment)?.kind).toBe('amendment');
    // Submitting without a draft does nothing.
    expect(await forms.submit(parent, childId, period)).toBeNull();
  });

  it('gives 404 for someone else’s child, another school’s pupil, a closed period or another’s receipt', async () => {
    const forms = ctx.services.consentForm;
    const mine = new Set((await forms.family(parent)).children.map((c) => c.child.id));
    const other = A.pupils.find((p) => !mine.has(p.id))!;
    await expect(forms.childForm(parent, other.id, period)).rejects.toBeInstanceOf(NotFoundError);
    await expect(forms.childForm(parent, B.pupils[0]!.id, period)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      forms.saveDraft(parent, other.id, period, await allYes(parent, childId)),
    ).rejects.toBeInstanceOf(NotFoundError);
    // Next year's form opens only with the school's renewal campaign.
    await expect(forms.childForm(parent, childId, '2027-28')).rejects.toBeInstanceOf(NotFoundError);
    const family = await forms.family(parent);
    const recordId = family.children.find((c) => c.child.id === childId)!.periods[0]!.lastRecordId!;
    const otherParent = (
      await ctx.services.consent.pupilRegister(A.school.id, childId)
    ).parents.find((p) => p.id !== A.parent.id);
    const strangers: FormPrincipal[] = [
      { kind: 'parent', id: B.parent.id, schoolId: B.school.id, name: 'B' },
      { kind: 'pupil', id: childId, schoolId: A.school.id, name: 'the child' },
      ...(otherParent
        ? [{ kind: 'parent' as const, id: otherParent.id, schoolId: A.school.id, name: 'other' }]
        : []),
    ];
    for (const who of strangers) {
      await expect(forms.receipt(who, recordId)).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it('shows next year once the renewal campaign for it is open', async () => {
    await ctx.services.database.pool.query(
      `INSERT INTO consent_campaigns (school_id, period_key, valid_from, valid_until, started_at, reminder_days)
       VALUES ($1, '2027-28', '2027-09-01', '2028-09-01', now(), 7)`,
      [A.school.id],
    );
    const family = await ctx.services.consentForm.family(parent);
    expect(family.periods.map((p) => p.key)).toEqual([period, '2027-28']);
    const form = await ctx.services.consentForm.childForm(parent, childId, '2027-28');
    // A new year starts empty: last year's answers are not carried over.
    expect(form.values).toEqual({});
  });

  it('lets a pupil decide for themself only when assessed competent and the policy allows it', async () => {
    const forms = ctx.services.consentForm;
    // Sacred Heart's policy (003 §4.3) lets a pupil assessed as competent decide.
    const pupil = S.pupils[1]!;
    const who: FormPrincipal = {
      kind: 'pupil',
      id: pupil.id,
      schoolId: S.school.id,
      name: `${pupil.givenName} ${pupil.familyName}`,
    };
    expect((await forms.family(who)).children).toEqual([]);
    await expect(forms.childForm(who, pupil.id, period)).rejects.toBeInstanceOf(NotFoundError);
    await ctx.services.consent.assessCompetence(
      { schoolId: S.school.id, pupilId: pupil.id, competent: true, assessedOn: '2026-11-20' },
      { staffId: S.staff.dpo.id },
    );
    const family = await forms.family(who);
    expect(family.children.map((c) => c.child.id)).toEqual([pupil.id]);
    await expect(forms.childForm(who, S.pupils[2]!.id, period)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await forms.saveDraft(who, pupil.id, period, await allYes(who, pupil.id));
    const recordId = (await forms.submit(who, pupil.id, period))!;
    const receipt = await forms.receipt(who, recordId);
    expect(receipt.decider).toMatchObject({ kind: 'pupil', id: pupil.id });
    expect(receipt.clauses.find((c) => /decides for themself/.test(c.text))?.citation).toBe(
      '003 §4.3',
    );

    // John Clifford's policy lets parents decide only.
    const jp = J.pupils[0]!;
    await expect(
      ctx.services.consent.assessCompetence(
        { schoolId: J.school.id, pupilId: jp.id, competent: true, assessedOn: '2026-11-20' },
        { staffId: J.staff.dpo.id },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    const jWho: FormPrincipal = { kind: 'pupil', id: jp.id, schoolId: J.school.id, name: 'x' };
    const jFamily = await forms.family(jWho);
    expect(jFamily.children).toEqual([]);
    expect(jFamily.pupilMayDecide).toBe(false);
  });

  it('asks one question per purpose where the policy does not separate photos and videos', async () => {
    const forms = ctx.services.consentForm;
    const who = parentOf(J);
    const family = await forms.family(who);
    // Consent at admission, until changed: one period.
    expect(family.periods.map((p) => p.key)).toEqual(['admission']);
    const pupilId = family.children[0]!.child.id;
    const form = await forms.childForm(who, pupilId, 'admission');
    const fields = form.groups.flatMap((g) => g.questions.map((q) => q.field));
    expect(fields).toContain('school_website-media');
    expect(fields).not.toContain('school_website-image');
    const answers = Object.fromEntries(fields.map((f) => [f, 'yes']));
    answers['school_website-media'] = 'no';
    await forms.saveDraft(who, pupilId, 'admission', answers);
    const recordId = (await forms.submit(who, pupilId, 'admission'))!;
    const { rows } = await ctx.services.database.pool.query(
      'SELECT decisions, period_key FROM consent_records WHERE id = $1',
      [recordId],
    );
    expect(rows[0].period_key).toBe('admission');
    expect(rows[0].decisions).toMatchObject({
      'school_website/image': 'refused',
      'school_website/video': 'refused',
      'classroom_display/image': 'granted',
      'classroom_display/video': 'granted',
    });
  });

  it('offers a fresh link for a used or expired one, to the same person, rate-limited', async () => {
    const auth = ctx.services.auth;
    const db = ctx.services.database.db;
    const make = (ttlMinutes: number) =>
      auth.createSignInLink(db, {
        schoolId: A.school.id,
        principalKind: 'parent',
        principalId: A.parent.id,
        nextPath: '/consent/family',
        ttlMinutes,
      });
    clock.set('2026-11-23T09:00:00Z');
    const valid = tokenOf(await make(120));
    expect(await auth.renewSignInLink(valid)).toBe('still-valid');
    expect(await auth.renewSignInLink('no-such-token')).toBe('unknown');

    const since = ctx.sink.lastId();
    expect((await auth.consumeSignInLink(valid)).ok).toBe(true);
    expect(await auth.renewSignInLink(valid)).toBe('sent');
    const mail = await ctx.sink.waitFor(A.parent.email!, { since });
    expect(mail.text).toMatch(/new link/);
    expect(mail.text).toContain('expires in 2 hours (23 November 2026 at 11am)');
    const fresh = tokenOf(mail.text);
    expect(fresh).not.toBe(valid);
    expect(await auth.consumeSignInLink(fresh)).toMatchObject({
      ok: true,
      nextPath: '/consent/family',
      principal: { kind: 'parent', id: A.parent.id },
    });

    // An expired link: past its time.
    const old = tokenOf(await make(30));
    clock.set('2026-11-23T09:45:00Z');
    expect(await auth.checkSignInLink(old)).toBe('expired');
    for (let i = 0; i < 3; i += 1) expect(await auth.renewSignInLink(old)).toBe('sent');
    // Three links for this person in 15 minutes: enough.
    expect(await auth.renewSignInLink(old)).toBe('limited');
    clock.set('2026-11-23T10:30:00Z');
    expect(await auth.renewSignInLink(old)).toBe('sent');
  });

  it('keeps the receipt email when the mail server is down: a job committed with the record sends it later, once', async () => {
    clock.set('2026-11-24T09:00:00Z');
    const who = parentOf(B);
    const pupilId = B.pupils[0]!.id;
    // An earlier test took this parent's address away; give them one.
    await ctx.services.database.pool.query(
      `UPDATE parents SET email = 'receipts@form-b.test' WHERE id = $1`,
      [B.parent.id],
    );
    // Another process whose mail server does not answer (nothing listens on port 9).
    const down = await createPlatform(
      { ...ctx.config, smtpUrl: 'smtp://127.0.0.1:9' },
      { supervise: false, clock },
    );
    try {
      const forms = createServices(down).consentForm;
      await forms.saveDraft(who, pupilId, period, await allYes(who, pupilId));
      const since = ctx.sink.lastId();
      const recordId = (await forms.submit(who, pupilId, period))!;
      expect(recordId).toMatch(/^[0-9a-f-]{36}$/);
      // The record stands, the email did not go, and its job was committed with the record.
      const jobs = await ctx.services.database.pool.query<{ delayed: boolean }>(
        `SELECT start_after > created_on + interval '50 seconds' AS delayed FROM pgboss.job
         WHERE name = 'consent.receipt-email' AND data->>'recordId' = $1`,
        [recordId],
      );
      expect(jobs.rows).toEqual([{ delayed: true }]);
      expect(
        await scalar(ctx, `SELECT count(*) AS n FROM consent_receipt_emails WHERE record_id = $1`, [
          recordId,
        ]),
      ).toBe(0);
      expect(ctx.sink.lastId()).toBe(since);

      // The job runs once the mail server answers: the receipt goes, once, however often it runs.
      await receiptJob(recordId, B.school.id);
      const mail = await ctx.sink.waitFor('receipts@form-b.test', { since });
      expect(mail.subject).toContain('photos and videos');
      expect(mail.text).toContain(recordId);
      const after = ctx.sink.lastId();
      await receiptJob(recordId, B.school.id);
      expect(ctx.sink.lastId()).toBe(after);
    } finally {
      await down.close();
    }
  });

  it('sends the receipt at once when the mail server answers, and the later job sends nothing more', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const who = parentOf(B);
    const pupilId = B.pupils[0]!.id;
    const forms = ctx.services.consentForm;
    await forms.saveDraft(who, pupilId, period, {
      ...(await allYes(who, pupilId)),
      'school_website-video': 'no',
    });
    const since = ctx.sink.lastId();
    const recordId = (await forms.submit(who, pupilId, period))!;
    await ctx.sink.waitFor('receipts@form-b.test', { since });
    const after = ctx.sink.lastId();
    await receiptJob(recordId, B.school.id);
    expect(ctx.sink.lastId()).toBe(after);
  });

  it('stores the policy version a statement was checked against, and its receipt keeps showing it', async () => {
    clock.set('2026-11-25T09:00:00Z');
    const who = parentOf(J);
    const pupilId = J.pupils[0]!.id;
    const forms = ctx.services.consentForm;
    const before = await ctx.services.policies.current(J.school.id);
    const periodKey = (await forms.family(who)).children.find((c) => c.child.id === pupilId)!
      .periods[0]!.period.key;
    await forms.saveDraft(who, pupilId, periodKey, await allYes(who, pupilId, periodKey));
    const first = (await forms.submit(who, pupilId, periodKey))!;
    expect(
      await scalar(ctx, 'SELECT policy_version AS n FROM consent_records WHERE id = $1', [first]),
    ).toBe(before.version);

    await ctx.services.policies.updateSettings(
      J.school.id,
      { kind: 'staff', id: J.staff.headteacher.id },
      {
        answers: { 'consent.refusalWinsWhenParentsDisagree': 'no' },
        note: 'Governors: follow the latest decision',
        expectedVersion: before.version,
      },
    );
    clock.set('2026-11-25T09:05:00Z');
    await forms.saveDraft(who, pupilId, periodKey, await allYes(who, pupilId, periodKey));
    const second = (await forms.submit(who, pupilId, periodKey))!;
    expect(
      await scalar(ctx, 'SELECT policy_version AS n FROM consent_records WHERE id = $1', [second]),
    ).toBe(before.version + 1);
    expect((await forms.receipt(who, first)).policyVersion).toBe(before.version);
    expect((await forms.receipt(who, second)).policyVersion).toBe(before.version + 1);
  });
});
