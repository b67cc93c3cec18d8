import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues, setPupilEmail, signInWithLink } from '../support/http-principals.ts';
import type { StaffRole } from '../../src/modules/auth/principal.ts';
import { addMonths } from '../../src/modules/policies/index.ts';

/** Issue 16 items 1–3 through the pages: the text, substantive and minor versions, reviews. */
describe('policy lifecycle (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let avenue: SchoolFixture;

  const signedIn = async (f: SchoolFixture, role: StaffRole) => {
    const b = new Browser(app);
    await b.signIn(f.staff[role].email);
    return b;
  };
  const supersededCount = async (schoolId: string) =>
    Number(
      (
        await ctx.platform.database.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM policy_acknowledgement_supersessions WHERE school_id = $1',
          [schoolId],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, avenue] = await Promise.all([
      createSchool(ctx.services, { pupils: 4 }),
      createSchool(ctx.services, { pupils: 4, template: 'the-avenue-primary' }),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('shows the current policy text on a public page, no sign-in', async () => {
    const page = await app.inject({ method: 'GET', url: `/schools/${fx.school.slug}/policy` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(fx.school.name);
    expect(page.body).toContain('Sacred Heart RC Primary School Social Media Policy');
    expect(page.body).toContain('id="clause-4-15"');
    expect(page.body).toContain('The school will obtain consent from pupils and parents');
    // No settings on the public page.
    expect(page.body).not.toContain('Put into practice by');
    expect(
      (await app.inject({ method: 'GET', url: '/schools/no-such-school/policy' })).statusCode,
    ).toBe(404);
  });

  it('links rules and clauses both ways; a citation opens the school’s own wording', async () => {
    const teacher = await signedIn(fx, 'teacher');
    const text = await teacher.get('/policy/text');
    expect(text.statusCode).toBe(200);
    // Clause 4.1 lists the consent rules that implement it.
    const at41 = text.body.slice(
      text.body.indexOf('id="clause-4-1"'),
      text.body.indexOf('id="clause-4-2"'),
    );
    expect(at41).toContain('Put into practice by');
    const cite = await teacher.get('/policy/cite?section=4.15');
    expect(cite.statusCode).toBe(303);
    expect(cite.headers.location).toBe('/policy/text#clause-4-15');
    const section = await teacher.get(`/policy/cite?section=${encodeURIComponent('5.13, 6.3')}`);
    expect(section.headers.location).toBe('/policy/text#clause-5-13');
    // A page showing a rule's citation links it there (the devices page cites 003).
    const devices = await teacher.get('/devices');
    if (devices.statusCode === 200 && devices.body.includes('003 §'))
      expect(devices.body).toMatch(/href="\/policy\/cite\?section=[^"]+">003 §/);
    // Only the Headteacher edits the text.
    expect((await teacher.get('/policy/text/edit')).statusCode).not.toBe(200);
  });

  it('a substantive new version asks staff again (earlier kept, superseded); a minor one does not', async () => {
    const teacher = await signedIn(fx, 'teacher');
    const volunteer = await signedIn(fx, 'volunteer');
    for (const b of [teacher, volunteer]) {
      const form = await b.get('/acknowledge-policy');
      expect(
        (
          await b.post('/acknowledge-policy', {
            ...formValues(form.body, '/acknowledge-policy'),
            confirm: 'yes',
          })
        ).statusCode,
      ).toBe(303);
    }
    const acks = ctx.services.acknowledgements;
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id)).toBe(true);

    const head = await signedIn(fx, 'headteacher');
    const missingBefore = await head.get('/acknowledgements/missing');
    expect(missingBefore.statusCode).toBe(200);
    expect(missingBefore.body).not.toContain('>teacher Tester<');

    // Bad input: no kind and no reason → the error summary, nothing published.
    const edit = await head.get('/policy/text/edit');
    expect(edit.statusCode).toBe(200);
    const values = formValues(edit.body, '/policy/text/edit');
    const clauseKey = Object.keys(values).find((k) =>
      values[k]!.startsWith('4.1. The school will obtain consent'),
    )!;
    expect(clauseKey).toBeDefined();
    const bad = await head.post('/policy/text/edit', {
      ...values,
      [clauseKey]: `${values[clauseKey]} Changed.`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect((await ctx.services.policies.current(fx.school.id)).version).toBe(1);

    const changed = values[clauseKey]!.replace(
      'each academic year',
      'each school year and on admission',
    );
    const sub = await head.post('/policy/text/edit', {
      ...values,
      [clauseKey]: changed,
      kind: 'substantive',
      note: 'Consent is asked on admission too',
    });
    expect(sub.statusCode).toBe(303);
    expect(sub.headers.location).toBe('/policy/text/versions/2');
    const diff = await head.get('/policy/text/versions/2');
    expect(diff.statusCode).toBe(200);
    expect(diff.body).toMatch(
      /<del><span class="govuk-visually-hidden">\[removed: <\/span>academic/,
    );
    expect(diff.body).toContain('on admission');
    expect(diff.body).toContain('Substantive');
    // The new text is the school's now, on the public page too.
    expect(
      (await app.inject({ method: 'GET', url: `/schools/${fx.school.slug}/policy` })).body,
    ).toContain('each school year and on admission');

    // Staff are asked again; their acknowledgements of version 1 are kept, marked superseded.
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id)).toBe(false);
    expect(await acks.history(fx.school.id, 'staff', fx.staff.teacher.id)).toHaveLength(1);
    expect(await supersededCount(fx.school.id)).toBe(2);
    const missing = await head.get('/acknowledgements/missing');
    expect(missing.body).toContain('>teacher Tester<');
    expect(missing.body).toContain('>volunteer Tester<');
    const ackPage = await teacher.get('/acknowledge-policy');
    expect(ackPage.body).toContain('I have read and understood version 2');
    await teacher.post('/acknowledge-policy', {
      ...formValues(ackPage.body, '/acknowledge-policy'),
      confirm: 'yes',
    });
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id)).toBe(true);

    // A minor version: nobody is asked again.
    const edit2 = await head.get('/policy/text/edit');
    const v2 = formValues(edit2.body, '/policy/text/edit');
    const key2 = Object.keys(v2).find((k) => v2[k]!.startsWith('4.1. The school'))!;
    const minor = await head.post('/policy/text/edit', {
      ...v2,
      [key2]: v2[key2]!.replace(
        'Images and Videos Parental Consent Form',
        'Images and Videos Consent Form',
      ),
      kind: 'minor',
      note: 'The form’s name',
    });
    expect(minor.statusCode).toBe(303);
    expect((await ctx.services.policies.current(fx.school.id)).version).toBe(3);
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, fx.staff.teacher.id)).toBe(true);
    expect(await acks.hasAcknowledgedCurrent(fx.school.id, fx.staff.volunteer.id)).toBe(false);
    expect(await supersededCount(fx.school.id)).toBe(2);
    const missing3 = await head.get('/acknowledgements/missing');
    expect(missing3.body).not.toContain('>teacher Tester<');
    expect(missing3.body).toContain('>volunteer Tester<');
    expect(missing3.body).toContain('acknowledged version 2 or later');

    // Reminders: the volunteer (and others missing) once for version 2; again sends nothing.
    const first = await ctx.services.acknowledgementRounds.sendReminders(fx.school.id);
    expect(first.sent).toBeGreaterThan(0);
    expect((await ctx.services.acknowledgementRounds.sendReminders(fx.school.id)).sent).toBe(0);
  });

  it('a review records who met, what was decided and the versions; approval sets the next date', async () => {
    const head = await signedIn(fx, 'headteacher');
    const list = await head.get('/policy/reviews');
    expect(list.statusCode).toBe(200);
    const form = await head.get('/policy/reviews/new');
    expect(form.statusCode).toBe(200);
    const metOn = new Date().toISOString().slice(0, 10);
    const [y, m, d] = metOn.split('-');
    const bad = await head.post('/policy/reviews/new', {
      ...formValues(form.body, '/policy/reviews/new'),
      reason: 'scheduled',
    });
    expect(bad.statusCode).toBe(400);
    const rec = await head.post('/policy/reviews/new', {
      _csrf: formValues(form.body, '/policy/reviews/new')._csrf!,
      reason: 'scheduled',
      'metOn-day': String(Number(d)),
      'metOn-month': String(Number(m)),
      'metOn-year': y!,
      attendees: 'The Headteacher and the chair of governors',
      decisions: 'Ask for consent on admission; rename the consent form',
      // Two ticked boxes (this client joins a repeated name with commas; a browser repeats it).
      versions: '2,3',
    });

    expect(rec.statusCode).toBe(303);
    const url = rec.headers.location as string;
    const review = await head.get(url);
    expect(review.body).toContain('The Headteacher and the chair of governors');
    expect(review.body).toContain('href="/policy/text/versions/2"');
    // A teacher is not a reviewer: no approval.
    const teacher = await signedIn(fx, 'teacher');
    const tPage = await teacher.get(url);
    expect(tPage.statusCode).toBe(200);
    expect(tPage.body).not.toContain('Approve the review');
    const approve = await head.post(`${url}/approve`, {
      _csrf: formValues(review.body, `${url}/approve`)._csrf!,
    });
    expect(approve.statusCode).toBe(303);
    const current = await ctx.services.policies.current(fx.school.id);
    expect(current.nextReviewDate).toBe(
      addMonths(metOn, current.settings.review.cycleMonths.value),
    );
    const again = await head.post(`${url}/approve`, {
      _csrf: formValues(review.body, `${url}/approve`)._csrf!,
    });
    expect(again.statusCode).toBe(409);
  });

  it('parents acknowledge the parents’ guidance through their link when the profile asks', async () => {
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, avenue.parent.email!);
    const page = await parent.get('/parent-guidance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Appropriate use of social networking sites by parents');
    const done = await parent.post('/parent-guidance', {
      ...formValues(page.body, '/parent-guidance'),
      confirm: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect(
      await ctx.services.acknowledgementRounds.hasAcknowledged(
        avenue.school.id,
        'parent',
        avenue.parent.id,
      ),
    ).toBe(true);
    // Sacred Heart does not ask parents: the page says the policy is there to read; the
    // parent is not counted as missing.
    const other = new Browser(app);
    await signInWithLink(other, ctx, fx.parent.email!);
    const theirs = await other.get('/parent-guidance');
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).not.toContain('The school asks every parent');
    expect((await ctx.services.acknowledgementRounds.whoIsMissing(fx.school.id)).parentsAsked).toBe(
      0,
    );
    const avenueMissing = await ctx.services.acknowledgementRounds.whoIsMissing(avenue.school.id);
    expect(avenueMissing.parentsAsked).toBeGreaterThan(0);
    expect(avenueMissing.parents.map((p) => p.id)).not.toContain(avenue.parent.id);
  });

  it('a teacher records their class’s agreement; the missing list counts classes when pupils must acknowledge', async () => {
    const className = fx.pupils[0]!.className!;
    await ctx.services.staffClasses.assign(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      fx.staff.teacher.id,
      [className],
    );
    const teacher = await signedIn(fx, 'teacher');
    const page = await teacher.get('/acknowledge-policy/class');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${className}"`);
    const values = formValues(page.body, '/acknowledge-policy/class');
    const bad = await teacher.post('/acknowledge-policy/class', {
      ...values,
      className: 'Not my class',
      confirm: 'yes',
    });
    expect(bad.statusCode).toBe(400);
    const ok = await teacher.post('/acknowledge-policy/class', {
      ...values,
      className,
      confirm: 'yes',
    });
    expect(ok.statusCode).toBe(303);
    const rows = await ctx.platform.database.pool.query<{
      class_name: string;
      policy_version: number;
    }>(
      "SELECT class_name, policy_version FROM policy_acknowledgements WHERE school_id = $1 AND person_kind = 'pupil_class'",
      [fx.school.id],
    );
    expect(rows.rows).toEqual([{ class_name: className, policy_version: 3 }]);
  });

  it('reads the text and records an acknowledgement through the API', async () => {
    const token = await ctx.services.auth.createApiToken(fx.staff.dsl.id, fx.school.id, 'test');
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const text = await api('GET', '/api/v1/policy-text');
    expect(text.statusCode).toBe(200);
    const body = text.json() as {
      version: number;
      sections: { clauses: { id: string; rules: unknown[] }[] }[];
    };
    expect(body.version).toBe(3);
    const c41 = body.sections.flatMap((s) => s.clauses).find((c) => c.id === '4.1')!;
    expect(c41.rules.length).toBeGreaterThan(0);
    const bad = await api('POST', '/api/v1/policy-acknowledgements', { confirm: false });
    expect(bad.statusCode).toBe(400);
    const ack = await api('POST', '/api/v1/policy-acknowledgements', { confirm: true });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toEqual({ version: 3, already: false });
  });

  it('gives a parent and a pupil the current text through the API, without the rules, drafts or history', async () => {
    const staffText = (await (await signedIn(fx, 'teacher')).get('/api/v1/policy-text')).json() as {
      version: number;
      sections: { rules: unknown[]; clauses: { id: string; text: string; rules: unknown[] }[] }[];
    };
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, fx.parent.email!);
    const pupil = new Browser(app);
    await setPupilEmail(ctx, fx.pupils[0]!.id, 'pupil.text@school.test');
    await signInWithLink(pupil, ctx, 'pupil.text@school.test');
    for (const who of [parent, pupil]) {
      const res = await who.get('/api/v1/policy-text');
      expect(res.statusCode).toBe(200);
      const body = res.json() as typeof staffText;
      // The current version's words, as the public page shows them …
      expect(body.version).toBe(staffText.version);
      expect(body.sections.flatMap((s) => s.clauses.map((c) => c.text))).toEqual(
        staffText.sections.flatMap((s) => s.clauses.map((c) => c.text)),
      );
      // … with no settings (the rules are staff's), and nothing about versions or editors.
      expect(body.sections.every((s) => s.rules.length === 0)).toBe(true);
      expect(body.sections.every((s) => s.clauses.every((c) => c.rules.length === 0))).toBe(true);
      expect(Object.keys(body).sort()).toEqual(['sections', 'title', 'version']);
      expect(res.body).not.toContain(fx.staff.headteacher.email);
      expect(res.body).not.toContain('Consent is asked on admission too');
      // An earlier version's diff and the settings stay staff's.
      expect((await who.get('/policy/text/versions/2')).statusCode).toBe(404);
      expect((await who.get('/api/v1/policy-profile')).statusCode).toBe(404);
    }
    expect(staffText.sections.some((s) => s.clauses.some((c) => c.rules.length > 0))).toBe(true);
  });
});
