import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import { ukDate } from '../../src/platform/clock.ts';

describe('training pages (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let teacherClass: string;

  const as = (f: SchoolFixture, role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const signedIn = async (f: SchoolFixture, role: StaffRole) => {
    const b = new Browser(app);
    await b.signIn(f.staff[role].email);
    return b;
  };
  const dateFields = (prefix: string, iso: string) => {
    const [y, m, d] = iso.split('-');
    return {
      [`${prefix}-day`]: String(Number(d)),
      [`${prefix}-month`]: String(Number(m)),
      [`${prefix}-year`]: y!,
    };
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 10 }),
      createSchool(ctx.services, { pupils: 6 }),
    ]);
    teacherClass = fx.pupils[0]!.className!;
    await ctx.services.staffClasses.assign(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      fx.staff.teacher.id,
      [teacherClass],
    );
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('a teacher marks their class’s termly e-safety lesson; only their classes are offered', async () => {
    const b = await signedIn(fx, 'teacher');
    const page = await b.get('/training/lessons');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${teacherClass}"`);
    const others = [...new Set(fx.pupils.map((p) => p.className))].filter(
      (c) => c && c !== teacherClass,
    );
    for (const c of others) expect(page.body).not.toContain(`value="${c}"`);

    // Missing topic: the GOV.UK error summary, nothing recorded.
    const bad = await b.post('/training/lessons', {
      className: teacherClass,
      ...dateFields('taughtOn', ukDate(new Date())),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Say what the lesson covered');
    expect(await ctx.services.training.classLessons(fx.school.id)).toHaveLength(0);

    const ok = await b.post('/training/lessons', {
      className: teacherClass,
      topic: 'Who to tell when something online worries you',
      ...dateFields('taughtOn', ukDate(new Date())),
    });
    expect(ok.statusCode).toBe(303);
    const after = await b.get('/training/lessons');
    expect(after.body).toContain('Who to tell when something online worries you');
    const lessons = await ctx.services.training.classLessons(fx.school.id);
    expect(lessons).toMatchObject([{ className: teacherClass, taughtBy: fx.staff.teacher.id }]);

    // Another class is refused (a teacher marks only their own).
    if (others[0]) {
      const refused = await b.post('/training/lessons', {
        className: others[0],
        topic: 'x',
        ...dateFields('taughtOn', ukDate(new Date())),
      });
      expect(refused.statusCode).toBe(400);
      expect(await ctx.services.training.classLessons(fx.school.id)).toHaveLength(1);
    }
    // A teacher does not see everyone's training.
    expect((await b.get('/training/status')).statusCode).toBe(404);
  });

  it('refuses to mark a new member of staff inducted until they acknowledge the policy', async () => {
    const session = await ctx.services.training.schedule(as(fx, 'headteacher'), {
      kind: 'staff_induction',
      title: 'Induction: social media',
      startsAt: new Date(Date.now() - 3_600_000),
      place: 'Staff room',
      trainer: 'The DSL',
      className: null,
      capacity: null,
    });
    const manager = await signedIn(fx, 'business_manager');
    const register = await manager.get(`/training/sessions/${session.id}/register`);
    expect(register.statusCode).toBe(200);
    expect(register.body).toContain('cannot be marked as inducted until they have acknowledged');
    expect(register.body).toContain('Has not acknowledged the current policy yet');

    const newStarter = fx.staff.support_staff.id;
    const refused = await manager.post(`/training/sessions/${session.id}/register`, {
      attended: newStarter,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toMatch(
      /support staff Tester cannot be marked as inducted until they have acknowledged the current version of the policy/,
    );
    expect(
      (await ctx.services.training.register(fx.school.id, session)).find(
        (r) => r.id === newStarter,
      )!.attended,
    ).toBe(false);

    // The new starter acknowledges on their own page (the box must be ticked).
    const starter = await signedIn(fx, 'support_staff');
    const ackPage = await starter.get('/acknowledge-policy');
    expect(ackPage.body).toContain('Read the school’s social media policy');
    expect((await starter.post('/acknowledge-policy', {})).statusCode).toBe(400);
    const ack = await starter.post('/acknowledge-policy', { confirm: 'yes' });
    expect(ack.statusCode).toBe(303);
    expect(
      await ctx.services.acknowledgements.hasAcknowledgedCurrent(fx.school.id, newStarter),
    ).toBe(true);

    const accepted = await manager.post(`/training/sessions/${session.id}/register`, {
      attended: newStarter,
    });
    expect(accepted.statusCode).toBe(303);
    const page = await manager.get(`/training/sessions/${session.id}`);
    expect(page.body).toContain('1 of 10 attended');
  });

  it('parents book a place through their link, within the capacity, and cancel', async () => {
    const session = await ctx.services.training.schedule(as(fx, 'headteacher'), {
      kind: 'parents_esafety',
      title: 'Keeping children safe online: parents’ evening',
      startsAt: new Date(Date.now() + 10 * 86_400_000),
      place: 'School hall',
      trainer: 'The DSL',
      className: null,
      capacity: 2,
    });
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, fx.parent.email!);
    const list = await parent.get('/parent-training');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Keeping children safe online: parents’ evening');

    const tooMany = await parent.post(`/parent-training/${session.id}/book`, { places: '3' });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('Only 2 places are left');
    const booked = await parent.post(`/parent-training/${session.id}/book`, { places: '2' });
    expect(booked.statusCode).toBe(303);
    expect((await parent.get('/parent-training')).body).toContain('You have booked 2 places');
    const staffView = await (await signedIn(fx, 'dsl')).get(`/training/sessions/${session.id}`);
    expect(staffView.body).toContain('2 booked');

    // A parent of another school: the meeting does not exist for them.
    const stranger = new Browser(app);
    await signInWithLink(stranger, ctx, other.parent.email!);
    expect((await stranger.get('/parent-training')).body).not.toContain('parents’ evening');
    const cross = await stranger.post(
      `/parent-training/${session.id}/book`,
      { places: '1' },
      { csrfFrom: '/parent-training' },
    );
    expect(cross.statusCode).toBe(404);

    const cancelled = await parent.post(
      `/parent-training/${session.id}/cancel`,
      {},
      { csrfFrom: '/parent-training' },
    );
    expect(cancelled.statusCode).toBe(303);
    expect(await ctx.services.trainingBookings.bookings(fx.school.id, session.id)).toHaveLength(0);
  });

  it('returns only the school’s own sessions, and the API answers the same', async () => {
    const mine = await ctx.services.training.schedule(as(fx, 'headteacher'), {
      kind: 'staff_regular',
      title: 'Annual refresher for Oak staff',
      startsAt: new Date(Date.now() + 5 * 86_400_000),
      place: 'Hall',
      trainer: 'DSL',
      className: null,
      capacity: null,
    });
    const outsider = await signedIn(other, 'teacher');
    const list = await outsider.get('/training');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Annual refresher for Oak staff');
    expect((await outsider.get(`/training/sessions/${mine.id}`)).statusCode).toBe(404);
    const insider = await signedIn(fx, 'teacher');
    const own = await insider.get('/training');
    expect(own.body).toContain('Annual refresher for Oak staff');
    // Not a manager: no register.
    expect((await insider.get(`/training/sessions/${mine.id}/register`)).statusCode).toBe(404);
    // Everyone's training (the Business Manager) lists this school's staff only.
    const status = await (await signedIn(fx, 'business_manager')).get('/training/status');
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain('office Tester');
    expect(status.body).not.toContain(other.school.name);

    // The API: the other school's token sees none of this school's sessions; the register
    // refuses another school's session (404) and, for this school's manager, records it.
    const api = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const outsiderToken = await ctx.services.auth.createApiToken(
      other.staff.dsl.id,
      other.school.id,
      'test',
    );
    const theirs = await api(outsiderToken, 'GET', '/api/v1/training/sessions');
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json<{ sessions: { id: string }[] }>().sessions.map((s) => s.id)).not.toContain(
      mine.id,
    );
    expect(
      (
        await api(outsiderToken, 'POST', `/api/v1/training/sessions/${mine.id}/attendance`, {
          attended: [],
        })
      ).statusCode,
    ).toBe(404);
    const managerToken = await ctx.services.auth.createApiToken(
      fx.staff.dsl.id,
      fx.school.id,
      'test',
    );
    const ours = await api(managerToken, 'GET', '/api/v1/training/sessions');
    expect(ours.json<{ sessions: { id: string; title: string }[] }>().sessions).toContainEqual(
      expect.objectContaining({ id: mine.id, title: 'Annual refresher for Oak staff' }),
    );
    const recorded = await api(
      managerToken,
      'POST',
      `/api/v1/training/sessions/${mine.id}/attendance`,
      {
        attended: [fx.staff.office.id],
      },
    );
    expect(recorded.statusCode).toBe(200);
    expect(recorded.json()).toEqual({ attended: 1, absent: 9 });
    const bad = await api(managerToken, 'POST', `/api/v1/training/sessions/${mine.id}/attendance`, {
      attended: ['not-an-id'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });
});

describe('training materials and the CSV (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 2 }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('adds a PDF to a session, refuses other kinds of file, and audits each download', async () => {
    const session = await ctx.services.training.schedule(
      { kind: 'staff', id: fx.staff.dsl.id, schoolId: fx.school.id, roles: ['dsl'], name: 'dsl' },
      {
        kind: 'staff_regular',
        title: 'Refresher',
        startsAt: new Date(Date.now() + 86_400_000),
        place: 'Hall',
        trainer: 'DSL',
        className: null,
        capacity: null,
      },
    );
    const manager = new Browser(app);
    await manager.signIn(fx.staff.business_manager.email);
    await manager.get(`/training/sessions/${session.id}/materials/new`);
    const upload = (title: string, content: Buffer, filename: string) => {
      const body = multipartBody(
        { title, _csrf: manager.csrf ?? '' },
        { filename, type: 'application/octet-stream', content },
      );
      return manager.request({
        method: 'POST',
        url: `/training/sessions/${session.id}/materials`,
        payload: body.payload,
        headers: { 'content-type': body.contentType },
      });
    };
    const script = await upload('Slides', Buffer.from('<script>alert(1)</script>'), 'slides.pdf');
    expect(script.statusCode).toBe(400);
    expect(script.body).toContain(
      'The file must be a PDF, a PowerPoint or Word document, or a PNG or JPEG picture',
    );
    const pdf = Buffer.from('%PDF-1.4\n% test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    const ok = await upload('Policy slides', pdf, 'anything.bin');
    expect(ok.statusCode).toBe(303);
    const [material] = await ctx.services.trainingMaterials.list(fx.school.id, session.id);
    expect(material).toMatchObject({
      filename: 'Policy slides.pdf',
      contentType: 'application/pdf',
    });

    const teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    expect((await teacher.get(`/training/sessions/${session.id}`)).body).toContain(
      'Policy slides.pdf',
    );
    const download = await teacher.get(`/training/materials/${material!.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toContain('attachment');
    expect(download.rawPayload.equals(pdf)).toBe(true);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'training.material-downloaded' },
      1,
    );
    expect(audit.total).toBe(1);
    // Another school's staff: 404.
    const outsider = new Browser(app);
    await outsider.signIn(other.staff.teacher.email);
    expect((await outsider.get(`/training/materials/${material!.id}`)).statusCode).toBe(404);
    // A teacher cannot add files.
    expect((await teacher.get(`/training/sessions/${session.id}/materials/new`)).statusCode).toBe(
      404,
    );
  });

  it('downloads everyone’s training as CSV with formula-like names made safe', async () => {
    await ctx.platform.database.pool.query(
      'UPDATE staff SET given_name = \'=HYPERLINK("x")\' WHERE id = $1',
      [fx.staff.office.id],
    );
    const manager = new Browser(app);
    await manager.signIn(fx.staff.business_manager.email);
    const csv = await manager.get('/training/status.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain(`"'=HYPERLINK(""x"") Tester"`);
    expect(csv.body.split('\r\n')[0]).toContain('Regular social media training for staff');
    expect(csv.body).not.toContain(other.staff.office.email);
    const teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    expect((await teacher.get('/training/status.csv')).statusCode).toBe(404);
  });
});
