/**
 * Subject access over HTTP: the DPO logs a request (error summary first, nothing changed), sees
 * it with its due date on the home page, downloads the bundle (a ZIP whose index names the pupil
 * and none of the school's other pupils), extends and closes it; the Headteacher sees the list
 * and the request but cannot produce a bundle; everyone else, and another school's DPO, gets 404.
 * The API lists and logs with the same rules; the retention page and the erasure preview too.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { unzipEntries } from '../support/unzip.ts';

describe('subject access pages and API', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let dpo: Browser;
  let head: Browser;
  let teacher: Browser;
  let dsl: Browser;
  let otherDpo: Browser;
  const count = async () =>
    Number(
      (
        await ctx.services.database.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM subject_access_requests WHERE school_id = $1',
          [A.school.id],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    A = await createSchool(ctx.services, { pupils: 6 });
    B = await createSchool(ctx.services, { pupils: 2 });
    [dpo, head, teacher, dsl, otherDpo] = [1, 2, 3, 4, 5].map(() => new Browser(app)) as [
      Browser,
      Browser,
      Browser,
      Browser,
      Browser,
    ];
    await Promise.all([
      dpo.signIn(A.staff.dpo.email),
      head.signIn(A.staff.headteacher.email),
      teacher.signIn(A.staff.teacher.email),
      dsl.signIn(A.staff.dsl.email),
      otherDpo.signIn(B.staff.dpo.email),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('the DPO logs a request, sees its due date, downloads the bundle, extends and closes it', async () => {
    const pupil = A.pupils[0]!;
    const name = `${pupil.givenName} ${pupil.familyName}`;
    const find = await dpo.get(`/subject-access/new?q=${encodeURIComponent(pupil.familyName)}`);
    expect(find.statusCode).toBe(200);
    expect(find.body).toContain(`${name} (pupil)`);
    // Nothing chosen, no date: the error summary, nothing logged.
    const bad = await dpo.post('/subject-access', { q: pupil.familyName, requesterName: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Select who the request is about');
    expect(bad.body).toContain('Enter the date the request was received');
    expect(await count()).toBe(0);
    const logged = await dpo.post('/subject-access', {
      q: pupil.familyName,
      subject: `pupil:${pupil.id}`,
      requesterName: 'Mrs Parent',
      requesterRelationship: 'parent',
      'receivedOn-day': '31',
      'receivedOn-month': '10',
      'receivedOn-year': '2026',
      identityChecked: 'yes',
      identityMethod: 'Known parent',
    });
    expect(logged.statusCode).toBe(303);
    const url = String(logged.headers.location);
    const page = await dpo.get(url);
    expect(page.body).toContain(`Subject access request about ${name}`);
    expect(page.body).toContain('30 November 2026'); // 31 October + one calendar month
    const home = await dpo.get('/');
    expect(home.body).toContain(`Subject access request about ${name}`);
    expect(home.body).toContain('Overdue');

    const bundle = await dpo.post(`${url}/bundle`, {});
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toBe('application/zip');
    const entries = unzipEntries(bundle.rawPayload);
    const index = entries.get('index.html')!.toString('utf8');
    expect(index).toContain(`Information held about ${name}`);
    // The school's other pupils (a namesake of the subject, which the fixture's random names
    // can give, cannot be told apart by name).
    for (const other of A.pupils.slice(1)) {
      const otherName = `${other.givenName} ${other.familyName}`;
      if (otherName !== name) expect(index).not.toContain(otherName);
    }
    const data = JSON.parse(entries.get('data.json')!.toString('utf8'));
    expect(data.subject).toEqual({ kind: 'pupil', name });
    expect((await dpo.get(url)).body).toContain('What the last bundle held');

    const noReason = await dpo.post(`${url}/extend`, { months: '2' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Say why the request is complex or numerous');
    expect(
      (await dpo.post(`${url}/extend`, { months: '2', reason: 'Seven years of records' }))
        .statusCode,
    ).toBe(303);
    expect((await dpo.get(url)).body).toContain('30 January 2027');
    expect((await dpo.post(`${url}/close`, { note: 'Sent by secure email' })).statusCode).toBe(303);
    const closed = await dpo.get(url);
    expect(closed.body).toContain('Sent by secure email');
    expect(closed.body).not.toContain('Close the request');
  });

  it('the Headteacher sees the list and a request, but produces nothing; others get 404', async () => {
    const [row] = (
      await ctx.services.database.pool.query<{ id: string }>(
        'SELECT id FROM subject_access_requests WHERE school_id = $1',
        [A.school.id],
      )
    ).rows;
    const list = await head.get('/subject-access');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Mrs Parent');
    expect(list.body).not.toContain('Log a request');
    const page = await head.get(`/subject-access/${row!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Download the bundle');
    expect(
      (await head.post(`/subject-access/${row!.id}/bundle`, {}, { csrfFrom: '/subject-access' }))
        .statusCode,
    ).toBe(404);
    for (const b of [teacher, dsl]) {
      expect((await b.get('/subject-access')).statusCode).toBe(404);
      expect((await b.get(`/subject-access/${row!.id}`)).statusCode).toBe(404);
    }
    // Another school's DPO: not found, and their list is empty.
    expect((await otherDpo.get(`/subject-access/${row!.id}`)).statusCode).toBe(404);
    expect(
      (
        await otherDpo.post(
          `/subject-access/${row!.id}/bundle`,
          {},
          { csrfFrom: '/subject-access' },
        )
      ).statusCode,
    ).toBe(404);
    expect((await otherDpo.get('/subject-access')).body).not.toContain('Mrs Parent');
  });

  it('the API lists and logs for the DPO; the Headteacher lists; a teacher gets 404', async () => {
    const token = async (id: string, school: string) =>
      ctx.services.auth.createApiToken(id, school, 'sar test');
    const dpoToken = await token(A.staff.dpo.id, A.school.id);
    const headToken = await token(A.staff.headteacher.id, A.school.id);
    const teacherToken = await token(A.staff.teacher.id, A.school.id);
    const api = (t: string, method: 'GET' | 'POST', payload?: Record<string, unknown>) =>
      app.inject({
        method,
        url: '/api/v1/subject-access',
        headers: { authorization: `Bearer ${t}` },
        ...(payload ? { payload } : {}),
      });
    const parent = A.parent;
    const before = await count();
    const bad = await api(dpoToken, 'POST', { subject: `parent:${parent.id}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(await count()).toBe(before);
    const made = await api(dpoToken, 'POST', {
      subject: `parent:${parent.id}`,
      requesterName: 'The parent',
      requesterRelationship: 'self',
      receivedOn: '2026-12-01',
      identityChecked: 'no',
    });
    expect(made.statusCode).toBe(200);
    expect(made.json()).toMatchObject({
      subjectKind: 'parent',
      subjectId: parent.id,
      subjectName: `${parent.givenName} ${parent.familyName}`,
      dueOn: '2027-01-01',
      status: 'open',
    });
    const listed = (await api(headToken, 'GET')).json() as {
      requests: { requesterName: string }[];
    };
    expect(listed.requests.map((r) => r.requesterName).sort()).toEqual([
      'Mrs Parent',
      'The parent',
    ]);
    expect((await api(headToken, 'POST', { subject: `parent:${parent.id}` })).statusCode).toBe(404);
    expect((await api(teacherToken, 'GET')).statusCode).toBe(404);
    const openapi = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain('/subject-access');
  });

  it('retention page and erasure preview: the DPO and Headteacher see the schedule; erasure is the DPO’s', async () => {
    const page = await head.get('/retention');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      'Safeguarding incidents and their evidence are kept until the pupils in them reach this age',
    );
    expect(page.body).toContain('IRMS Information Management Toolkit for Schools');
    expect((await teacher.get('/retention')).statusCode).toBe(404);
    const preview = await dpo.get(`/subject-access/erasure?subject=parent:${A.parent.id}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Kept, and why');
    expect(preview.body).toContain('Consent records and scans');
    expect(
      (await head.get(`/subject-access/erasure?subject=parent:${A.parent.id}`)).statusCode,
    ).toBe(404);
    expect(
      (await otherDpo.get(`/subject-access/erasure?subject=parent:${A.parent.id}`)).statusCode,
    ).toBe(404);
    const nobody = await dpo.post('/subject-access/erasure', { confirm: 'yes' });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.body).toContain('Find the pupil or parent first');
    const unconfirmed = await dpo.post('/subject-access/erasure', {
      subject: `parent:${A.parent.id}`,
    });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Confirm that you have read what will be erased');
    const done = await dpo.post('/subject-access/erasure', {
      subject: `parent:${A.parent.id}`,
      confirm: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect((await dpo.get('/retention')).body).toContain('an erasure request carried out');
  });

  it('erasure of a pupil end to end: the preview says what goes and what is kept and why; erasing does exactly that, recorded and audited', async () => {
    const pool = ctx.services.database.pool;
    const pupil = A.pupils[1]!;
    const q = (text: string, values: unknown[] = []) => pool.query(text, values);
    const n = async (text: string, values: unknown[]) =>
      Number((await pool.query<{ n: string }>(text, values)).rows[0]!.n);
    // What Lanyard holds about the pupil: a declaration and a permission request that name them,
    // a safeguarding concern and another incident about them, and a consent statement.
    await q(
      `INSERT INTO conduct_declarations (school_id, staff_id, kind, subject_kind, subject_pupil_id,
         action_taken, details, declared_at, status)
       VALUES ($1, $2, 'friend_request', 'pupil', $3, 'declined', 'A friend request', now(), 'reviewed')`,
      [A.school.id, A.staff.teacher.id, pupil.id],
    );
    const perm = await q(
      `INSERT INTO conduct_permissions (school_id, staff_id, type, reason, pupil_id, status, requested_at)
       VALUES ($1, $2, 'named_newspaper_photo', 'The cup final', $3, 'granted', now()) RETURNING id`,
      [A.school.id, A.staff.teacher.id, pupil.id],
    );
    await q(
      `INSERT INTO conduct_permission_decisions (school_id, permission_id, step, staff_id, at)
       VALUES ($1, $2, 'granted', $3, now())`,
      [A.school.id, (perm.rows[0] as { id: string }).id, A.staff.headteacher.id],
    );
    for (const [seq, safeguarding] of [
      [901, true],
      [902, false],
    ] as const) {
      const ref = `INC-0${seq}`;
      const inc = await q(
        `INSERT INTO incidents (school_id, seq, reference, reported_at, reporter_kind, reporter_id,
           what_happened, reporter_concern, indecent_image)
         VALUES ($1, $2, $3, now(), 'staff', $4, 'Something happened', $5, false) RETURNING id`,
        [A.school.id, seq, ref, A.staff.teacher.id, safeguarding],
      );
      const id = (inc.rows[0] as { id: string }).id;
      await q(
        `INSERT INTO incident_people (school_id, incident_id, person_kind, pupil_id, part, added_at)
         VALUES ($1, $2, 'pupil', $3, 'victim', now())`,
        [A.school.id, id, pupil.id],
      );
      await q(
        `INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
           reporter_id, status, safeguarding, indecent_image, assigned_staff_ids, deputy_staff_ids,
           entry_count, updated_at)
         VALUES ($1, $2, $3, now(), 'staff', $4, 'open', $5, false, '{}', '{}', 0, now())`,
        [id, A.school.id, ref, A.staff.teacher.id, safeguarding],
      );
    }
    await q(
      `INSERT INTO consent_records (school_id, pupil_id, period_key, valid_from, decider_kind,
         decider_parent_id, decisions, method, kind, decided_on, recorded_at, recorded_by_kind)
       VALUES ($1, $2, 'admission', '2026-09-01', 'parent', $3, '{"school_website/image":"granted"}'::jsonb,
         'paper_form', 'form', '2026-09-01', now(), 'system')`,
      [A.school.id, pupil.id, A.parent.id],
    );

    // Found by name, then the preview in words: each kind with its number, and why kept.
    const found = await dpo.get(`/subject-access/erasure?q=${encodeURIComponent(pupil.givenName)}`);
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(`${pupil.givenName} ${pupil.familyName} (pupil)`);
    const preview = await dpo.get(`/subject-access/erasure?subject=pupil:${pupil.id}`);
    expect(preview.statusCode).toBe(200);
    const row = (type: string) => {
      const m = new RegExp(
        `<th scope="row" class="govuk-table__header">${type}</th><td class="govuk-table__cell govuk-table__cell--numeric">(\\d+)</td>(?:<td class="govuk-table__cell">([^<]*)</td>)?`,
      ).exec(preview.body);
      return m ? { count: Number(m[1]), reason: m[2] ?? '' } : null;
    };
    expect(row('Staff declarations that name them')?.count).toBe(1);
    expect(row('Permission requests that name them')?.count).toBe(1);
    expect(row('Safeguarding incidents')).toMatchObject({ count: 1 });
    expect(row('Safeguarding incidents')!.reason).toMatch(/kept until the pupil is 25/);
    expect(row('Other incidents')?.count).toBe(1);
    expect(row('Consent records and scans')?.count).toBe(1);
    expect(row('Audit log entries')!.count).toBeGreaterThanOrEqual(0);
    expect(row('Their details and family links')?.count).toBe(1);

    const done = await dpo.post('/subject-access/erasure', {
      subject: `pupil:${pupil.id}`,
      confirm: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/retention');
    // Erased: the declaration and the permission (with its decision trail).
    expect(
      await n('SELECT count(*) AS n FROM conduct_declarations WHERE subject_pupil_id = $1', [
        pupil.id,
      ]),
    ).toBe(0);
    expect(
      await n('SELECT count(*) AS n FROM conduct_permissions WHERE pupil_id = $1', [pupil.id]),
    ).toBe(0);
    // Kept: both incidents, the consent statement and the pupil's own record.
    expect(
      await n('SELECT count(*) AS n FROM incident_people WHERE pupil_id = $1', [pupil.id]),
    ).toBe(2);
    expect(
      await n('SELECT count(*) AS n FROM consent_records WHERE pupil_id = $1', [pupil.id]),
    ).toBe(1);
    expect(await n('SELECT count(*) AS n FROM pupils WHERE id = $1', [pupil.id])).toBe(1);
    // Recorded with what was kept and why, audited, and shown on the retention page.
    const run = (
      await pool.query<{
        counts: Record<string, number>;
        kept: { type: string; count: number; reason: string }[];
      }>(
        `SELECT counts, kept FROM retention_runs WHERE school_id = $1 AND kind = 'erasure'
         AND subject_id = $2`,
        [A.school.id, pupil.id],
      )
    ).rows;
    expect(run).toHaveLength(1);
    expect(run[0]!.counts).toMatchObject({ declarations: 1, permissions: 1 });
    expect(run[0]!.kept).toContainEqual(
      expect.objectContaining({ type: 'Safeguarding incidents', count: 1 }),
    );
    expect(
      await n(
        `SELECT count(*) AS n FROM audit_events WHERE school_id = $1 AND action = 'retention.erased'
         AND data->>'subjectId' = $2`,
        [A.school.id, pupil.id],
      ),
    ).toBe(1);
    const page = (await dpo.get('/retention')).body;
    expect(page).toContain('Kept: Safeguarding incidents (1).');
    // A second erasure erases nothing more and still says what is kept.
    const again = await dpo.post('/subject-access/erasure', {
      subject: `pupil:${pupil.id}`,
      confirm: 'yes',
    });
    expect(again.statusCode).toBe(303);
  });
});
