/**
 * Conduct over HTTP: a teacher declares a friend request and the Headteacher responds; a request
 * for social media on the school network passes the ICT Technician, then the Headteacher; each
 * person sees only their own declarations and permissions (pages and API, checked by the data
 * returned); bad answers re-render with the error summary and change nothing.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('conduct pages and API', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let teacher: Browser;
  let head: Browser;
  let ict: Browser;
  let assistant: Browser;

  const count = async (table: string) =>
    Number(
      (
        await ctx.services.database.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${table} WHERE school_id = $1`,
          [fx.school.id],
        )
      ).rows[0]!.n,
    );
  const idFrom = (location: unknown) => String(location).split('/').pop()!;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 4 });
    [teacher, head, ict, assistant] = [
      new Browser(app),
      new Browser(app),
      new Browser(app),
      new Browser(app),
    ];
    await Promise.all([
      teacher.signIn(fx.staff.teacher.email),
      head.signIn(fx.staff.headteacher.email),
      ict.signIn(fx.staff.ict_technician.email),
      assistant.signIn(fx.staff.support_staff.email),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('a teacher declares a friend request from a parent and the Headteacher responds', async () => {
    const parent = fx.parent;
    const parentName = `${parent.givenName} ${parent.familyName}`;
    const before = await count('conduct_declarations');
    const bad = await teacher.post(
      '/conduct/declarations/new/friend_request',
      { platform: 'Facebook', from: 'parent', actionTaken: 'declined' },
      { csrfFrom: '/conduct/declarations/new/friend_request' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Select the parent or carer');
    expect(bad.body).toContain('value="Facebook"');
    expect(await count('conduct_declarations')).toBe(before);

    const ok = await teacher.post('/conduct/declarations/new/friend_request', {
      platform: 'Facebook',
      from: 'parent',
      parentId: parent.id,
      actionTaken: 'declined',
      details: 'A friend request on my personal account.',
    });
    expect(ok.statusCode).toBe(303);
    const id = idFrom(ok.headers.location);
    const own = await teacher.get(`/conduct/declarations/${id}`);
    expect(own.body).toContain('Your declaration is recorded');
    expect(own.body).toContain(parentName);
    expect(own.body).not.toContain('Record response');

    // The Headteacher has it on the home page and in the list, and responds.
    expect((await head.get('/')).body).toContain('Declarations to read');
    const list = await head.get('/conduct/declarations');
    expect(list.body).toContain(`/conduct/declarations/${id}`);
    const empty = await head.post(
      `/conduct/declarations/${id}/review`,
      { response: '' },
      { csrfFrom: `/conduct/declarations/${id}` },
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter your response');
    // Nobody else may respond (404, nothing learned).
    expect(
      (
        await teacher.post(
          `/conduct/declarations/${id}/review`,
          { response: 'Mine' },
          { csrfFrom: '/conduct' },
        )
      ).statusCode,
    ).toBe(404);
    const done = await head.post(`/conduct/declarations/${id}/review`, {
      response: 'Thank you. Do not accept it.',
    });
    expect(done.statusCode).toBe(303);
    const seen = await teacher.get(`/conduct/declarations/${id}`);
    expect(seen.body).toContain('Thank you. Do not accept it.');
    expect(seen.body).toContain('Response given');
    // One step to an incident, linked both ways; only once.
    expect(seen.body).not.toContain('Open an incident from this declaration');
    const incident = await head.post(
      `/conduct/declarations/${id}/incident`,
      {},
      { csrfFrom: `/conduct/declarations/${id}` },
    );
    expect(incident.statusCode).toBe(303);
    expect(String(incident.headers.location)).toMatch(/^\/incidents\/[0-9a-f-]{36}$/);
    // The incident is a report of a concern by the Headteacher, the declaration in its words.
    const incidentId = String(incident.headers.location).split('/').pop()!;
    const opened = await ctx.services.incidents.caseFor(
      {
        kind: 'staff',
        id: fx.staff.headteacher.id,
        schoolId: fx.school.id,
        roles: ['headteacher'],
        name: 'Head',
      },
      incidentId,
    );
    expect(JSON.stringify(opened)).toContain('declared: friend or follow request');
    expect((await head.get(`/conduct/declarations/${id}`)).body).toContain(
      'See the incident opened from this declaration',
    );
    expect((await head.post(`/conduct/declarations/${id}/incident`, {})).statusCode).toBe(409);
    expect(
      ctx.sink.messages.some(
        (m) =>
          m.to.includes(fx.staff.teacher.email) && m.subject === 'Your declaration has a response',
      ),
    ).toBe(true);
  });

  it('a request for social media on the school network passes ICT, then the Headteacher', async () => {
    const res = await teacher.post(
      '/conduct/permissions',
      {
        type: 'school_network_social_media',
        reason: 'Our class Bluesky account on the school WiFi',
      },
      { csrfFrom: '/conduct/permissions/new' },
    );
    expect(res.statusCode).toBe(303);
    const id = idFrom(res.headers.location);
    // The Headteacher sees it, but cannot decide before the sign-off: no decision form, and a
    // posted decision is a 404 like any step that is not theirs now.
    const early = await head.get(`/conduct/permissions/${id}`);
    expect(early.body).toContain('Waiting for ICT sign-off');
    expect(early.body).not.toContain('Do you grant this permission?');
    expect(
      (await head.post(`/conduct/permissions/${id}/decide`, { decision: 'granted' })).statusCode,
    ).toBe(404);
    // The ICT Technician has it on their home page and signs it off.
    expect((await ict.get('/')).body).toContain('Permission requests to sign off');
    const noChoice = await ict.post(
      `/conduct/permissions/${id}/sign-off`,
      {},
      { csrfFrom: `/conduct/permissions/${id}` },
    );
    expect(noChoice.statusCode).toBe(400);
    expect(noChoice.body).toContain('Select whether the controls are in place');
    expect(
      (
        await ict.post(`/conduct/permissions/${id}/sign-off`, {
          decision: 'signed_off',
          reason: 'Filtered SSID',
        })
      ).statusCode,
    ).toBe(303);
    // Now the Headteacher decides.
    expect((await head.get('/')).body).toContain('Permission requests to decide');
    const refusedWithout = await head.post(
      `/conduct/permissions/${id}/decide`,
      { decision: 'refused' },
      { csrfFrom: `/conduct/permissions/${id}` },
    );
    expect(refusedWithout.statusCode).toBe(400);
    expect(refusedWithout.body).toContain('Say why it is refused');
    expect(
      (await head.post(`/conduct/permissions/${id}/decide`, { decision: 'granted' })).statusCode,
    ).toBe(303);
    const mine = await teacher.get('/conduct/permissions');
    const held = /Permissions you hold now[\s\S]*?<\/table>/.exec(mine.body)?.[0] ?? '';
    expect(held).toContain('Use social media on the school network');
    const trail = await teacher.get(`/conduct/permissions/${id}`);
    const steps = [...trail.body.matchAll(/<strong>([^<]+)<\/strong>, /g)].map((m) => m[1]);
    expect(steps).toEqual(['Asked for', 'Signed off by ICT', 'Granted']);
  });

  it('shows each teacher only their own declarations and permissions (pages and API)', async () => {
    await ctx.services.conductDeclarations.declare(
      {
        kind: 'staff',
        id: fx.staff.support_staff.id,
        schoolId: fx.school.id,
        roles: ['support_staff'],
        name: 'TA',
      },
      {
        kind: 'online_presence',
        value: { outcome: 'found_need_help', details: 'An old photo of me in uniform' },
      },
    );
    const tas = await ctx.services.conductPermissions.request(
      {
        kind: 'staff',
        id: fx.staff.support_staff.id,
        schoolId: fx.school.id,
        roles: ['support_staff'],
        name: 'TA',
      },
      { type: 'phone_accessible', reason: 'My father is in hospital' },
    );
    const page = await teacher.get('/conduct/declarations');
    expect(page.body).not.toContain('Check of my online presence');
    expect(page.body).not.toContain('Declarations to read');
    const perms = await teacher.get('/conduct/permissions');
    expect(perms.body).not.toContain(tas.id);
    expect((await teacher.get(`/conduct/permissions/${tas.id}`)).statusCode).toBe(404);

    const token = await ctx.services.auth.createApiToken(
      fx.staff.teacher.id,
      fx.school.id,
      'conduct test',
    );
    const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload: payload as Record<string, unknown> } : {}),
      });
    const decl = (await api('GET', '/api/v1/conduct/declarations')).json() as {
      declarations: { kind: string }[];
    };
    expect(decl.declarations.map((d) => d.kind)).toEqual(['friend_request']);
    expect((await api('GET', '/api/v1/conduct/declarations?all=true')).statusCode).toBe(404);
    const permsJson = (await api('GET', '/api/v1/conduct/permissions')).json() as {
      permissions: { type: string; held: boolean }[];
    };
    expect(permsJson.permissions).toEqual([
      expect.objectContaining({ type: 'school_network_social_media', held: true }),
    ]);
    // Deciding someone else's request: 404 before the body is looked at.
    const other = await api('POST', `/api/v1/conduct/permissions/${tas.id}/decisions`, {});
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toContain('application/problem+json');
    // Bad input is problem JSON and changes nothing.
    const before = await count('conduct_permissions');
    const bad = await api('POST', '/api/v1/conduct/permissions', { type: 'logo_use' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: { reason: 'Say why you need it' } });
    expect(await count('conduct_permissions')).toBe(before);
    const made = await api('POST', '/api/v1/conduct/declarations', {
      kind: 'online_presence',
      value: { outcome: 'nothing_found' },
    });
    expect(made.statusCode).toBe(200);
    expect(made.json()).toMatchObject({ kind: 'online_presence', status: 'awaiting_review' });

    // The Headteacher's API token sees every declaration and decides through the API.
    const headToken = await ctx.services.auth.createApiToken(
      fx.staff.headteacher.id,
      fx.school.id,
      'conduct head',
    );
    const all = await app.inject({
      method: 'GET',
      url: '/api/v1/conduct/declarations?all=true',
      headers: { authorization: `Bearer ${headToken}` },
    });
    expect((all.json() as { declarations: unknown[] }).declarations.length).toBe(3);
    const granted = await app.inject({
      method: 'POST',
      url: `/api/v1/conduct/permissions/${tas.id}/decisions`,
      headers: { authorization: `Bearer ${headToken}` },
      payload: { decision: 'granted' },
    });
    expect(granted.json()).toMatchObject({ status: 'granted', type: 'phone_accessible' });
  });

  it('passes the Headteacher’s own declaration to the governors, and refuses the Headteacher’s response (403)', async () => {
    const made = await head.post(
      '/conduct/declarations/new/social_contact',
      { pupilId: fx.pupils[3]!.id, details: 'We coach the same under-11s team.' },
      { csrfFrom: '/conduct/declarations/new/social_contact' },
    );
    expect(made.statusCode).toBe(303);
    const id = idFrom(made.headers.location);
    const title = (await ctx.services.policies.current(fx.school.id)).settings.people.roleTitles
      .value.governor;
    const page = await head.get(`/conduct/declarations/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`It has been sent to the ${title} to read.`);
    expect(page.body).not.toContain('Record response');
    expect(page.body).not.toContain('Open an incident from this declaration');
    const refused = await head.post(
      `/conduct/declarations/${id}/review`,
      { response: 'Mine' },
      { csrfFrom: `/conduct/declarations/${id}` },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('someone else must read it');
    const api = await app.inject({
      method: 'POST',
      url: `/api/v1/conduct/declarations/${id}/review`,
      headers: {
        authorization: `Bearer ${await ctx.services.auth.createApiToken(fx.staff.headteacher.id, fx.school.id, 'own')}`,
      },
      payload: { response: 'Mine' },
    });
    expect(api.statusCode).toBe(403);
    expect(api.headers['content-type']).toContain('application/problem+json');
    // The governor reads it and responds; a teacher gets a 404.
    expect((await teacher.get(`/conduct/declarations/${id}`)).statusCode).toBe(404);
    const governor = new Browser(app);
    await governor.signIn(fx.staff.governor.email);
    const theirs = await governor.get(`/conduct/declarations/${id}`);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).toContain('Record response');
    const done = await governor.post(
      `/conduct/declarations/${id}/review`,
      { response: 'Thank you for telling us.' },
      { csrfFrom: `/conduct/declarations/${id}` },
    );
    expect(done.statusCode).toBe(303);
    expect((await head.get(`/conduct/declarations/${id}`)).body).toContain(
      'Thank you for telling us.',
    );
  });

  it('describes its API in the OpenAPI document', async () => {
    const res = await teacher.get('/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/conduct/declarations',
        '/conduct/declarations/{id}/review',
        '/conduct/permissions',
        '/conduct/permissions/{id}/decisions',
        '/conduct/filtering',
        '/conduct/filtering/provision',
        '/conduct/filtering/exceptions',
        '/conduct/filtering/checks',
      ]),
    );
  });

  it('keeps the filtering records to the ICT Technician, read by the Headteacher, with a due check on the dashboard', async () => {
    expect((await ict.get('/')).body).toContain('Filtering check due');
    expect((await teacher.get('/conduct/filtering')).statusCode).toBe(404);
    expect((await head.get('/conduct/filtering/checks/new')).statusCode).toBe(404);
    const bad = await ict.post(
      '/conduct/filtering/checks',
      {
        kind: 'check',
        outcome: 'working',
        findings: 'ok',
        'checkedOn-day': '31',
        'checkedOn-month': '2',
        'checkedOn-year': '2026',
      },
      { csrfFrom: '/conduct/filtering/checks/new' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The date of the check must be a real date');
    const [y, m, d] = new Date().toISOString().slice(0, 10).split('-');
    const ok = await ict.post('/conduct/filtering/checks', {
      kind: 'check',
      outcome: 'working',
      findings: 'Test pages blocked from a pupil login',
      'checkedOn-day': String(Number(d)),
      'checkedOn-month': String(Number(m)),
      'checkedOn-year': y!,
    });
    expect(ok.statusCode).toBe(303);
    const read = await head.get('/conduct/filtering');
    expect(read.body).toContain('Test pages blocked from a pupil login');
    expect(read.body).not.toContain('Record a check or review');
  });

  it('keeps the filtering records through the API by the same rules: the ICT Technician records, the Headteacher reads', async () => {
    const token = async (role: 'teacher' | 'headteacher' | 'ict_technician') =>
      ctx.services.auth.createApiToken(fx.staff[role].id, fx.school.id, `filtering ${role}`);
    const [teacherToken, headToken, ictToken] = await Promise.all([
      token('teacher'),
      token('headteacher'),
      token('ict_technician'),
    ]);
    const api = (t: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${t}` },
        ...(payload ? { payload: payload as Record<string, unknown> } : {}),
      });
    const today = new Date().toISOString().slice(0, 10);

    // A teacher reads nothing and records nothing: 404 before the body is looked at.
    const before = await count('filtering_checks');
    for (const [method, url] of [
      ['GET', '/api/v1/conduct/filtering'],
      ['POST', '/api/v1/conduct/filtering/checks'],
      ['POST', '/api/v1/conduct/filtering/provision'],
      ['POST', '/api/v1/conduct/filtering/exceptions'],
    ] as const) {
      const res = await api(teacherToken, method, url, method === 'POST' ? {} : undefined);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    // The Headteacher reads but does not record.
    const headCheck = await api(headToken, 'POST', '/api/v1/conduct/filtering/checks', {
      kind: 'check',
      checkedOn: today,
      outcome: 'working',
      findings: 'By the Head',
    });
    expect(headCheck.statusCode).toBe(404);
    expect(await count('filtering_checks')).toBe(before);

    // The ICT Technician: bad input is problem JSON naming the API's own fields.
    const bad = await api(ictToken, 'POST', '/api/v1/conduct/filtering/checks', {
      kind: 'check',
      checkedOn: '2026-02-31',
      outcome: 'working',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys((bad.json() as { errors: Record<string, string> }).errors).sort()).toEqual([
      'checkedOn',
      'findings',
    ]);
    const future = await api(ictToken, 'POST', '/api/v1/conduct/filtering/checks', {
      kind: 'check',
      checkedOn: '2999-01-01',
      outcome: 'working',
      findings: 'Not yet',
    });
    expect(future.statusCode).toBe(400);
    expect(future.json()).toMatchObject({
      errors: { checkedOn: 'The date of the check must be today or in the past' },
    });
    expect(await count('filtering_checks')).toBe(before);

    const provision = await api(ictToken, 'POST', '/api/v1/conduct/filtering/provision', {
      filteringProvider: 'LGfL WebScreen',
      monitoringProvider: 'Senso',
      blockedCategories: ['Pornography', 'Gambling'],
      alertRecipients: 'The DSL and the Headteacher',
    });
    expect(provision.statusCode).toBe(200);
    expect(provision.json()).toMatchObject({ blockedCategories: ['Pornography', 'Gambling'] });
    const review = await api(ictToken, 'POST', '/api/v1/conduct/filtering/checks', {
      kind: 'review',
      checkedOn: today,
      outcome: 'problems_found',
      findings: 'A proxy site got through in the ICT suite',
      actions: 'Blocked; the provider told',
    });
    expect(review.statusCode).toBe(200);
    expect(review.json()).toMatchObject({ kind: 'review', outcome: 'problems_found' });
    const exception = await api(ictToken, 'POST', '/api/v1/conduct/filtering/exceptions', {
      description: 'The school’s own channel for Year 6',
      startsOn: today,
    });
    expect(exception.statusCode).toBe(200);
    expect(exception.json()).toMatchObject({ permissionId: null, endsOn: null });
    const notGranted = await api(ictToken, 'POST', '/api/v1/conduct/filtering/exceptions', {
      description: 'On a permission nobody granted',
      startsOn: today,
      permissionId: crypto.randomUUID(),
    });
    expect(notGranted.statusCode).toBe(400);

    // The Headteacher reads what was recorded, and the review made the schedule current.
    const read = await api(headToken, 'GET', '/api/v1/conduct/filtering');
    expect(read.statusCode).toBe(200);
    const body = read.json() as {
      provision: { filteringProvider: string } | null;
      exceptions: { description: string }[];
      checks: { kind: string; findings: string }[];
      schedule: { checkOverdue: boolean; reviewOverdue: boolean; lastReviewOn: string | null };
    };
    expect(body.provision?.filteringProvider).toBe('LGfL WebScreen');
    expect(body.exceptions.map((e) => e.description)).toContain(
      'The school’s own channel for Year 6',
    );
    expect(body.checks.map((c) => c.findings)).toContain(
      'A proxy site got through in the ICT suite',
    );
    expect(body.schedule).toMatchObject({
      checkOverdue: false,
      reviewOverdue: false,
      lastReviewOn: today,
    });
    expect(JSON.stringify(body)).not.toContain(fx.staff.ict_technician.id);
  });
});
