import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffRoles, type StaffRole } from '../../src/modules/auth/principal.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';

/**
 * Managing pupils and staff in the app (issue 9 item 3): pages and the JSON API, who may use
 * them (hand-written answers per role, not derived from the policy functions), and what they
 * change in the database.
 */

type Who = StaffRole | 'parent' | 'B headteacher';

/** Who may manage pupils and who may manage staff: written out by hand, role by role. */
const MANAGES: Record<Who, { pupils: boolean; staff: boolean }> = {
  headteacher: { pupils: true, staff: true },
  dsl: { pupils: false, staff: false },
  dpo: { pupils: true, staff: false },
  business_manager: { pupils: false, staff: true },
  office: { pupils: true, staff: false },
  ict_technician: { pupils: false, staff: false },
  teacher: { pupils: false, staff: false },
  support_staff: { pupils: false, staff: false },
  volunteer: { pupils: false, staff: false },
  governor: { pupils: false, staff: false },
  parent: { pupils: false, staff: false },
  // School B's Headteacher manages school B: school A's records are missing (404) to them.
  'B headteacher': { pupils: true, staff: true },
};

describe('managing people in the app (pages and API)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  const browsers = new Map<Who, Browser>();
  const tokens = new Map<Who, string>();

  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await ctx.services.database.pool.query(text, values)).rows as T[];

  /** A urlencoded form with repeated keys (checkbox groups), with the browser's CSRF token. */
  async function postForm(
    browser: Browser,
    url: string,
    fields: [string, string][],
    csrfFrom?: string,
  ): Promise<LightMyRequestResponse> {
    if (csrfFrom) await browser.get(csrfFrom);
    const body = new URLSearchParams([['_csrf', browser.csrf ?? ''], ...fields]).toString();
    return browser.request({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  function api(
    who: Who,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> {
    return app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${tokens.get(who)!}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });
  }

  async function audit(action: string, entityId?: string) {
    return q<{ data: Record<string, unknown>; actor_id: string }>(
      `SELECT data, actor_id FROM audit_events WHERE school_id = $1 AND action = $2
         AND ($3::text IS NULL OR entity_id = $3::text) ORDER BY seq`,
      [A.school.id, action, entityId ?? null],
    );
  }

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'manage-a', pupils: 12 }),
      createSchool(ctx.services, { slug: 'manage-b', pupils: 4 }),
    ]);
    const signIns: Promise<void>[] = [];
    for (const role of staffRoles) {
      const b = new Browser(app);
      browsers.set(role, b);
      signIns.push(b.signIn(A.staff[role].email));
      tokens.set(role, await ctx.services.auth.createApiToken(A.staff[role].id, A.school.id, role));
    }
    const bHead = new Browser(app);
    browsers.set('B headteacher', bHead);
    signIns.push(bHead.signIn(B.staff.headteacher.email));
    tokens.set(
      'B headteacher',
      await ctx.services.auth.createApiToken(B.staff.headteacher.id, B.school.id, 'b head'),
    );
    const parent = new Browser(app);
    browsers.set('parent', parent);
    signIns.push(signInWithLink(parent, ctx, A.parent.email!));
    await Promise.all(signIns);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lets exactly the Headteacher, DPO and office manage pupils, and the Headteacher and Business Manager manage staff', async () => {
    const pupil = A.pupils[3]!;
    const member = A.staff.volunteer.id;
    const rows: string[] = [];
    for (const [who, may] of Object.entries(MANAGES) as [Who, (typeof MANAGES)[Who]][]) {
      const b = browsers.get(who)!;
      const ownSchool = who !== 'B headteacher';
      const pages: [string, boolean][] = [
        ['/pupils/new', may.pupils],
        ['/pupils/possibly-left', may.pupils],
        [`/pupils/${pupil.id}/edit`, may.pupils && ownSchool],
        [`/pupils/${pupil.id}/leaving`, may.pupils && ownSchool],
        ['/staff/new', may.staff],
        [`/staff/${member}/edit`, may.staff && ownSchool],
      ];
      for (const [url, allowed] of pages) {
        const res = await b.get(url);
        const want = allowed ? 200 : 404;
        if (res.statusCode !== want)
          rows.push(`${who} GET ${url}: ${res.statusCode}, want ${want}`);
        if (!allowed && res.body.includes(pupil.familyName))
          rows.push(`${who} GET ${url}: shows the pupil's name`);
      }
      // Posts are refused before anything is read or changed.
      for (const [url, allowed] of [
        [`/pupils/${pupil.id}/still-here`, may.pupils && ownSchool],
        [`/staff/${member}/deactivate`, may.staff && ownSchool],
        [`/staff/${member}/invitation`, may.staff && ownSchool],
      ] as const) {
        if (allowed) continue;
        const res = await postForm(b, url, [], '/');
        if (res.statusCode !== 404) rows.push(`${who} POST ${url}: ${res.statusCode}, want 404`);
      }
      if (who === 'parent') continue;
      for (const [method, url, allowed] of [
        ['POST', '/api/v1/pupils', may.pupils],
        ['PATCH', `/api/v1/pupils/${pupil.id}`, may.pupils && ownSchool],
        ['POST', '/api/v1/staff', may.staff],
        ['GET', `/api/v1/staff/${member}`, may.staff && ownSchool],
        ['PATCH', `/api/v1/staff/${member}`, may.staff && ownSchool],
      ] as const) {
        const res = await api(who, method, url, method === 'GET' ? undefined : {});
        // An empty body is refused (400) or changes nothing (200) for those allowed.
        const ok = allowed
          ? method === 'POST'
            ? res.statusCode === 400
            : res.statusCode === 200
          : res.statusCode === 404;
        if (!ok) rows.push(`${who} ${method} ${url}: ${res.statusCode}`);
        if (!allowed) expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    }
    expect(rows.join('\n')).toBe('');
    // Nothing was changed by all those refused and empty requests.
    expect(await audit('people.staff-deactivated')).toEqual([]);
    expect(await audit('people.staff-invited')).toEqual([]);
    expect(await audit('people.pupil-changed')).toEqual([]);
  });

  it('adds a pupil through the form: errors in a summary with answers kept, then saved and audited', async () => {
    const office = browsers.get('office')!;
    const bad = await postForm(
      office,
      '/pupils/new',
      [
        ['givenName', 'Ffion'],
        ['familyName', ''],
        ['dateOfBirth-day', '31'],
        ['dateOfBirth-month', '2'],
        ['dateOfBirth-year', '2019'],
        ['yearGroup', '2'],
      ],
      '/pupils/new',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Enter the pupil’s last name');
    expect(bad.body).toContain('Date of birth must be a real date');
    expect(bad.body).toContain('value="Ffion"');
    expect(await q(`SELECT 1 FROM pupils WHERE given_name = 'Ffion'`)).toEqual([]);

    const good = await postForm(office, '/pupils/new', [
      ['givenName', 'Ffion'],
      ['familyName', 'Pryce'],
      ['dateOfBirth-day', '14'],
      ['dateOfBirth-month', '3'],
      ['dateOfBirth-year', '2019'],
      ['yearGroup', '2'],
      ['className', '2P'],
      ['admissionDate-day', '4'],
      ['admissionDate-month', '9'],
      ['admissionDate-year', '2023'],
      ['misId', 'N900000000001'],
    ]);
    expect(good.statusCode).toBe(303);
    const [row] = await q<{
      id: string;
      school_id: string;
      date_of_birth: string;
      admission_date: string;
      class_name: string;
      year_group: string;
      mis_id: string;
    }>(
      `SELECT id, school_id, date_of_birth::text, admission_date::text, class_name, year_group, mis_id
         FROM pupils WHERE given_name = 'Ffion' AND family_name = 'Pryce'`,
    );
    expect(row).toMatchObject({
      school_id: A.school.id,
      date_of_birth: '2019-03-14',
      admission_date: '2023-09-04',
      class_name: '2P',
      year_group: '2',
      mis_id: 'N900000000001',
    });
    expect(good.headers.location).toBe(`/pupils/${row!.id}`);
    const added = await audit('people.pupil-added', row!.id);
    expect(added).toHaveLength(1);
    expect(added[0]!.actor_id).toBe(A.staff.office.id);

    // The same MIS id twice is refused on the field.
    const dup = await postForm(
      office,
      '/pupils/new',
      [
        ['givenName', 'Other'],
        ['familyName', 'Child'],
        ['dateOfBirth-day', '1'],
        ['dateOfBirth-month', '1'],
        ['dateOfBirth-year', '2018'],
        ['yearGroup', '3'],
        ['misId', 'N900000000001'],
      ],
      '/pupils/new',
    );
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('Another pupil already has this MIS id');

    // Edit: the class changes, the page shows it.
    const edit = await postForm(
      office,
      `/pupils/${row!.id}/edit`,
      [
        ['givenName', 'Ffion'],
        ['familyName', 'Pryce'],
        ['dateOfBirth-day', '14'],
        ['dateOfBirth-month', '3'],
        ['dateOfBirth-year', '2019'],
        ['yearGroup', '2'],
        ['className', '2Q'],
        ['misId', 'N900000000001'],
      ],
      `/pupils/${row!.id}/edit`,
    );
    expect(edit.statusCode).toBe(303);
    const [after] = await q<{ class_name: string; admission_date: string | null }>(
      `SELECT class_name, admission_date::text FROM pupils WHERE id = $1`,
      [row!.id],
    );
    expect(after).toEqual({ class_name: '2Q', admission_date: null });
    const changed = await audit('people.pupil-changed', row!.id);
    expect(changed.map((c) => c.data.changed)).toEqual([['className', 'admissionDate']]);
  });

  it('records a leaving date: off the roll, record and history kept, shown on the pupil page', async () => {
    const dpo = browsers.get('dpo')!;
    const pupil = A.pupils[5]!;
    const before = await q(`SELECT count(*)::int AS n FROM consent_records WHERE pupil_id = $1`, [
      pupil.id,
    ]);
    const bad = await postForm(
      dpo,
      `/pupils/${pupil.id}/leaving`,
      [
        ['leavingDate-day', '22'],
        ['leavingDate-month', ''],
        ['leavingDate-year', '2026'],
      ],
      `/pupils/${pupil.id}/leaving`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Leaving date must include a month');
    expect(bad.body).toContain('value="22"');
    const ok = await postForm(dpo, `/pupils/${pupil.id}/leaving`, [
      ['leavingDate-day', '1'],
      ['leavingDate-month', '12'],
      ['leavingDate-year', '2026'],
    ]);
    expect(ok.statusCode).toBe(303);
    const [row] = await q<{ leaving_date: string }>(
      `SELECT leaving_date::text FROM pupils WHERE id = $1`,
      [pupil.id],
    );
    expect(row!.leaving_date).toBe('2026-12-01');
    const page = await dpo.get(`/pupils/${pupil.id}`);
    expect(page.body).toContain('Left on 1 December 2026');
    const list = await dpo.get(`/pupils?q=${encodeURIComponent(pupil.familyName)}`);
    expect(list.body).not.toContain(`/pupils/${pupil.id}"`);
    const leavers = await dpo.get(`/pupils?q=${encodeURIComponent(pupil.familyName)}&leavers=yes`);
    expect(leavers.body).toContain(`/pupils/${pupil.id}`);
    expect(
      await q(`SELECT count(*)::int AS n FROM consent_records WHERE pupil_id = $1`, [pupil.id]),
    ).toEqual(before);
    const left = await audit('people.pupils-left', pupil.id);
    expect(left.map((e) => e.data)).toEqual([{ pupilIds: [pupil.id], leavingDate: '2026-12-01' }]);
  });

  it('reviews pupils flagged as possibly left: still here, or a leaving date, audited', async () => {
    const head = browsers.get('headteacher')!;
    const flagged = [A.pupils[6]!, A.pupils[7]!, A.pupils[8]!];
    await q(`UPDATE pupils SET possibly_left_at = now() WHERE id = ANY($1::uuid[])`, [
      flagged.map((p) => p.id),
    ]);
    const page = await head.get('/pupils/possibly-left');
    expect(page.statusCode).toBe(200);
    for (const p of flagged) expect(page.body).toContain(`${p.familyName}, ${p.givenName}`);

    const none = await postForm(head, '/pupils/possibly-left', [['outcome', 'still-here']]);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select the pupils you have checked');

    // A pupil of school B slipped into the form: nothing changes at all.
    const foreign = await postForm(head, '/pupils/possibly-left', [
      ['pupils', flagged[0]!.id],
      ['pupils', B.pupils[0]!.id],
      ['outcome', 'still-here'],
    ]);
    expect(foreign.statusCode).toBe(404);
    expect(
      await q(`SELECT 1 FROM pupils WHERE id = $1 AND possibly_left_at IS NOT NULL`, [
        flagged[0]!.id,
      ]),
    ).toHaveLength(1);

    const still = await postForm(
      head,
      '/pupils/possibly-left',
      [
        ['pupils', flagged[0]!.id],
        ['pupils', flagged[1]!.id],
        ['outcome', 'still-here'],
      ],
      '/pupils/possibly-left',
    );
    expect(still.statusCode).toBe(303);
    const noDate = await postForm(
      head,
      '/pupils/possibly-left',
      [
        ['pupils', flagged[2]!.id],
        ['outcome', 'left'],
      ],
      '/pupils/possibly-left',
    );
    expect(noDate.statusCode).toBe(400);
    expect(noDate.body).toContain('Enter the leaving date');
    const left = await postForm(head, '/pupils/possibly-left', [
      ['pupils', flagged[2]!.id],
      ['outcome', 'left'],
      ['leavingDate-day', '20'],
      ['leavingDate-month', '11'],
      ['leavingDate-year', '2026'],
    ]);
    expect(left.statusCode).toBe(303);
    const rows = await q<{ id: string; flagged: boolean; leaving_date: string | null }>(
      `SELECT id, possibly_left_at IS NOT NULL AS flagged, leaving_date::text FROM pupils
        WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [flagged.map((p) => p.id)],
    );
    const by = new Map(rows.map((r) => [r.id, r]));
    expect(by.get(flagged[0]!.id)).toMatchObject({ flagged: false, leaving_date: null });
    expect(by.get(flagged[1]!.id)).toMatchObject({ flagged: false, leaving_date: null });
    expect(by.get(flagged[2]!.id)).toMatchObject({ flagged: false, leaving_date: '2026-11-20' });
    const cleared = await audit('people.pupils-still-here');
    expect(cleared.map((e) => e.data)).toEqual([
      { pupilIds: [flagged[0]!.id, flagged[1]!.id].sort(), cleared: 2 },
    ]);
    expect((await head.get('/pupils/possibly-left')).body).toContain(
      'No pupils are marked as possibly left.',
    );
  });

  it('never shows a parent the MIS id or the MIS warning on their child’s page (page and API)', async () => {
    const parent = browsers.get('parent')!;
    const child = (
      await ctx.services.people.childrenOf({
        kind: 'parent',
        id: A.parent.id,
        schoolId: A.school.id,
        name: '',
      })
    )[0]!;
    const misId = (
      await q<{ mis_id: string }>(`SELECT mis_id FROM pupils WHERE id = $1`, [child.id])
    )[0]!.mis_id;
    await q(`UPDATE pupils SET possibly_left_at = now() WHERE id = $1`, [child.id]);
    const page = await parent.get(`/pupils/${child.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(child.givenName);
    expect(page.body).not.toContain(misId);
    expect(page.body).not.toContain('MIS');
    const json = await parent.get(`/api/v1/pupils/${child.id}`);
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ misId: null, possiblyLeft: false });
    expect(json.body).not.toContain(misId);
    // Staff still see both.
    const office = await browsers.get('office')!.get(`/pupils/${child.id}`);
    expect(office.body).toContain(misId);
    expect(office.body).toContain('missing from the MIS import');
    await q(`UPDATE pupils SET possibly_left_at = NULL WHERE id = $1`, [child.id]);
  });

  it('shows the names a pupil is known by on their page and in the API', async () => {
    const pupil = A.pupils[9]!;
    await q(`UPDATE pupils SET preferred_given_name = 'Alfie' WHERE id = $1`, [pupil.id]);
    const page = await browsers.get('office')!.get(`/pupils/${pupil.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`${pupil.givenName} (Alfie) ${pupil.familyName}</h1>`);
    expect(page.body).toMatch(
      new RegExp(`Known as\\s*</dt>\\s*<dd[^>]*>\\s*Alfie ${pupil.familyName}`),
    );
    const one = await api('office', 'GET', `/api/v1/pupils/${pupil.id}`);
    expect(one.json()).toMatchObject({ preferredGivenName: 'Alfie', preferredFamilyName: null });
    const list = await api('office', 'GET', '/api/v1/pupils?includeLeavers=true');
    const listed = list.json<{ pupils: { id: string; preferredGivenName: string | null }[] }>();
    expect(listed.pupils.find((p) => p.id === pupil.id)?.preferredGivenName).toBe('Alfie');
    expect(listed.pupils.find((p) => p.id !== pupil.id)).toMatchObject({
      preferredGivenName: null,
      preferredFamilyName: null,
    });
    // Without a preferred name the page shows the legal name alone, with no 'Known as'.
    const other = await browsers.get('office')!.get(`/pupils/${A.pupils[10]!.id}`);
    expect(other.body).not.toContain('Known as');
    await q(`UPDATE pupils SET preferred_given_name = NULL WHERE id = $1`, [pupil.id]);
  });

  it('adds staff and changes roles within what each manager may give; deactivation ends sign-in', async () => {
    const bm = browsers.get('business_manager')!;
    const refused = await postForm(
      bm,
      '/staff/new',
      [
        ['givenName', 'Dara'],
        ['familyName', 'Lowe'],
        ['email', 'dara.lowe@manage-a.test'],
        ['roles', 'teacher'],
        ['roles', 'dsl'],
      ],
      '/staff/new',
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      'Only the Headteacher can give or take away the Designated Safeguarding Lead role',
    );
    expect(refused.body).toMatch(/value="dara.lowe@manage-a.test"/);
    expect(await q(`SELECT 1 FROM staff WHERE email = 'dara.lowe@manage-a.test'`)).toEqual([]);

    const noRole = await postForm(
      bm,
      '/staff/new',
      [
        ['givenName', 'Dara'],
        ['familyName', 'Lowe'],
        ['email', 'not-an-email'],
      ],
      '/staff/new',
    );
    expect(noRole.statusCode).toBe(400);
    expect(noRole.body).toContain('Select at least one role');
    expect(noRole.body).toContain('Enter an email address in the correct format');

    const added = await postForm(
      bm,
      '/staff/new',
      [
        ['givenName', 'Dara'],
        ['familyName', 'Lowe'],
        ['email', 'Dara.Lowe@manage-a.test'],
        ['jobTitle', 'Year 4 teacher'],
        ['roles', 'teacher'],
      ],
      '/staff/new',
    );
    expect(added.statusCode).toBe(303);
    const [dara] = await q<{ id: string; school_id: string; active: boolean; email: string }>(
      `SELECT id, school_id, active, email FROM staff WHERE email = 'dara.lowe@manage-a.test'`,
    );
    expect(dara).toMatchObject({ school_id: A.school.id, active: true });
    expect(await q(`SELECT role FROM staff_roles WHERE staff_id = $1`, [dara!.id])).toEqual([
      { role: 'teacher' },
    ]);
    expect(await audit('people.staff-added', dara!.id)).toHaveLength(1);

    // The same address again is refused.
    const twice = await postForm(
      bm,
      '/staff/new',
      [
        ['givenName', 'Dara'],
        ['familyName', 'Lowe'],
        ['email', 'dara.lowe@manage-a.test'],
        ['roles', 'teacher'],
      ],
      '/staff/new',
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('already used by a Lanyard account');

    // The Business Manager cannot touch the Headteacher's account.
    const head = await postForm(
      bm,
      `/staff/${A.staff.headteacher.id}/deactivate`,
      [],
      `/staff/${A.staff.headteacher.id}/edit`,
    );
    expect(head.statusCode).toBe(403);
    expect(await q(`SELECT active FROM staff WHERE id = $1`, [A.staff.headteacher.id])).toEqual([
      { active: true },
    ]);

    // Roles change: teacher → teacher + office.
    const roles = await postForm(
      bm,
      `/staff/${dara!.id}/edit`,
      [
        ['givenName', 'Dara'],
        ['familyName', 'Lowe'],
        ['roles', 'teacher'],
        ['roles', 'office'],
      ],
      `/staff/${dara!.id}/edit`,
    );
    expect(roles.statusCode).toBe(303);
    expect(
      (
        await q<{ role: string }>(
          `SELECT role FROM staff_roles WHERE staff_id = $1 ORDER BY role`,
          [dara!.id],
        )
      ).map((r) => r.role),
    ).toEqual(['office', 'teacher']);
    const change = await audit('people.staff-changed', dara!.id);
    expect(change.at(-1)!.data).toMatchObject({ rolesAdded: ['office'], rolesRemoved: [] });

    // Dara signs in once a password is set; deactivation ends the session at the next request.
    await ctx.services.auth.setPassword(dara!.id, TEST_PASSWORD);
    const daraBrowser = new Browser(app);
    await daraBrowser.signIn('dara.lowe@manage-a.test');
    expect((await daraBrowser.get('/pupils')).statusCode).toBe(200);
    const off = await postForm(bm, `/staff/${dara!.id}/deactivate`, [], `/staff/${dara!.id}/edit`);
    expect(off.statusCode).toBe(303);
    // Sessions are checked against `active` when they are next loaded (each process keeps a
    // loaded session for up to five seconds).
    await new Promise((r) => setTimeout(r, 5_200));
    const after = await daraBrowser.get('/pupils');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/sign-in/);
    await expect(new Browser(app).signIn('dara.lowe@manage-a.test')).rejects.toThrow(
      /sign-in failed/,
    );
    expect(await audit('people.staff-deactivated', dara!.id)).toHaveLength(1);
    const on = await postForm(bm, `/staff/${dara!.id}/reactivate`, [], `/staff/${dara!.id}/edit`);
    expect(on.statusCode).toBe(303);
    await new Browser(app).signIn('dara.lowe@manage-a.test');
    expect(await audit('people.staff-reactivated', dara!.id)).toHaveLength(1);
  });

  it('keeps an active Headteacher and refuses to deactivate oneself', async () => {
    const head = browsers.get('headteacher')!;
    const self = await postForm(
      head,
      `/staff/${A.staff.headteacher.id}/edit`,
      [
        ['givenName', 'headteacher'],
        ['familyName', 'Tester'],
        ['roles', 'teacher'],
      ],
      `/staff/${A.staff.headteacher.id}/edit`,
    );
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('The school must keep an active Headteacher');
    const res = await api('headteacher', 'PATCH', `/api/v1/staff/${A.staff.headteacher.id}`, {
      active: false,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors.active).toBe('You cannot deactivate your own account');
  });

  it('offers the same through the JSON API, with RFC 9457 problems for bad input', async () => {
    const bad = await api('office', 'POST', '/api/v1/pupils', {
      givenName: 'Api',
      familyName: 'Pupil',
      dateOfBirth: '2019-02-30',
      yearGroup: 'Year 9',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json()).toMatchObject({
      status: 400,
      errors: {
        dateOfBirth: expect.stringContaining('real date'),
        yearGroup: 'Select the year group',
      },
    });
    const created = await api('office', 'POST', '/api/v1/pupils', {
      givenName: 'Api',
      familyName: 'Pupil',
      dateOfBirth: '2019-02-28',
      yearGroup: '2',
      className: '2P',
    });
    expect(created.statusCode).toBe(200);
    const pupil = created.json();
    expect(pupil).toMatchObject({
      givenName: 'Api',
      className: '2P',
      leavingDate: null,
      possiblyLeft: false,
    });
    expect(pupil.misId).toMatch(/^LY-[0-9A-F]{8}$/);
    const leaving = await api('office', 'PATCH', `/api/v1/pupils/${pupil.id}`, {
      leavingDate: '2026-12-18',
    });
    expect(leaving.statusCode).toBe(200);
    expect(leaving.json()).toMatchObject({ id: pupil.id, leavingDate: '2026-12-18' });
    const early = await api('office', 'PATCH', `/api/v1/pupils/${pupil.id}`, {
      leavingDate: '2010-01-01',
    });
    expect(early.statusCode).toBe(400);
    expect(early.json().errors.leavingDate).toMatch(/after the date of birth/);
    // Another school's pupil is missing.
    const foreign = await api('office', 'PATCH', `/api/v1/pupils/${B.pupils[0]!.id}`, {
      className: 'X',
    });
    expect(foreign.statusCode).toBe(404);

    const staff = await api('business_manager', 'POST', '/api/v1/staff', {
      givenName: 'Sam',
      familyName: 'Api',
      email: 'sam.api@manage-a.test',
      jobTitle: null,
      roles: ['support_staff'],
    });
    expect(staff.statusCode).toBe(200);
    const member = staff.json();
    expect(member).toMatchObject({ roles: ['support_staff'], active: true });
    const off = await api('business_manager', 'PATCH', `/api/v1/staff/${member.id}`, {
      active: false,
      roles: ['support_staff', 'volunteer'],
    });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ active: false, roles: ['support_staff', 'volunteer'] });
    const dpo = await api('business_manager', 'PATCH', `/api/v1/staff/${member.id}`, {
      roles: ['dpo'],
    });
    expect(dpo.statusCode).toBe(400);
    expect(dpo.json().errors.roles).toMatch(/Only the Headteacher/);
    const unknown = await api('business_manager', 'POST', '/api/v1/staff', {
      givenName: 'X',
      familyName: 'Y',
      email: 'x.y@manage-a.test',
      roles: ['teacher'],
      admin: true,
    });
    expect(unknown.statusCode).toBe(400);

    const openapi = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = openapi.json().paths;
    expect(Object.keys(paths['/pupils'])).toContain('post');
    expect(Object.keys(paths['/pupils/{id}'])).toContain('patch');
    expect(Object.keys(paths['/staff'])).toContain('post');
    expect(Object.keys(paths['/staff/{id}'])).toEqual(expect.arrayContaining(['get', 'patch']));
  });

  it('asks whether an MIS file is the whole roll before confirming, and Try again keeps the answer', async () => {
    const office = browsers.get('office')!;
    const imports = ctx.services.imports;
    const actor = { kind: 'staff' as const, id: A.staff.office.id };
    const p0 = A.pupils[0]!;
    const [row] = await q<{ date_of_birth: string; year_group: string; class_name: string }>(
      `SELECT date_of_birth::text, year_group, class_name FROM pupils WHERE id = $1`,
      [p0.id],
    );
    const file = Buffer.from(
      `pupil_id,given_name,family_name,date_of_birth,year_group,class\n${p0.misId},${p0.givenName},${p0.familyName},${row!.date_of_birth},${row!.year_group},${row!.class_name}\n`,
    );
    const id = await imports.upload(
      A.school.id,
      actor,
      { filename: 'one.csv', data: file },
      {
        queue: false,
      },
    );
    await imports.preview(id);
    const page = await office.get(`/imports/pupils/${id}`);
    expect(page.body).toContain('Does this file list every pupil on roll?');
    const unanswered = await postForm(office, `/imports/pupils/${id}/confirm`, []);
    expect(unanswered.statusCode).toBe(400);
    expect(unanswered.body).toContain(
      'Select whether the file lists every pupil on roll or only some pupils',
    );
    expect((await imports.get(A.school.id, id)).status).toBe('previewed');

    const partial = await postForm(
      office,
      `/imports/pupils/${id}/confirm`,
      [['roll', 'partial']],
      `/imports/pupils/${id}`,
    );
    expect(partial.statusCode).toBe(303);
    const [stored] = await q<{ status: string; whole_roll: boolean; confirmed_by: string }>(
      `SELECT status, whole_roll, confirmed_by FROM pupil_imports WHERE id = $1`,
      [id],
    );
    expect(stored).toEqual({
      status: 'committing',
      whole_roll: false,
      confirmed_by: A.staff.office.id,
    });
    // The commit fails (the stored file has gone); Try again keeps the partial answer.
    await ctx.services.files.delete(imports.fileKey({ id, schoolId: A.school.id }));
    await imports.commit(id, A.staff.office.id);
    expect((await imports.get(A.school.id, id)).status).toBe('failed');
    const again = await postForm(
      office,
      `/imports/pupils/${id}/confirm`,
      [],
      `/imports/pupils/${id}`,
    );
    expect(again.statusCode).toBe(303);
    expect(await q(`SELECT status, whole_roll FROM pupil_imports WHERE id = $1`, [id])).toEqual([
      { status: 'committing', whole_roll: false },
    ]);
    expect((await audit('people.import-confirmed', id)).map((e) => e.data)).toEqual([
      { wholeRoll: false },
      { wholeRoll: false },
    ]);
  });
});
