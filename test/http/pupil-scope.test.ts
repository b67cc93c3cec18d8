import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createServices, type Services } from '../../src/container.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';
import { PeopleRepository, type PupilRow } from '../../src/modules/people/people.repository.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { Browser } from '../support/http-principals.ts';

/**
 * The one pupil scope (issue 10 item 2), over HTTP with sessions and CSRF on: a teacher assigned
 * two classes sees the pupils of those classes and nobody else, on every page and API that reads
 * pupils; the Headteacher sees everyone. The tests look at the DATA returned (names, ids, parents'
 * names in HTML and JSON), not only at status codes.
 */

// Three face boxes on a 400 px wide photo, one on anything else.
const fakeFaces: FaceDetector = {
  detect: async ({ width, height }) =>
    (width === 400 ? [0.1, 0.4, 0.7] : [0.3]).map((f, i) => ({
      x: Math.round(width * f),
      y: Math.round(height * 0.3),
      width: 40,
      height: 40,
      score: 0.9 - i / 10,
    })),
};

const fullName = (p: { givenName: string; familyName: string }) => `${p.givenName} ${p.familyName}`;
/** How the pupil list writes a name. */
const listName = (p: { givenName: string; familyName: string }) =>
  `${p.familyName}, ${p.givenName}`;

/** The text of every <option> of a page (or only of its pupil pickers). */
function optionTexts(html: string, pickersOnly = false): string[] {
  const source = pickersOnly
    ? [...html.matchAll(/<select\b[^>]*name="pupilId"[^>]*>[\s\S]*?<\/select>/g)]
        .map((m) => m[0])
        .join('')
    : html;
  return [...source.matchAll(/<option\b[^>]*>([^<]*)<\/option>/g)].map((m) =>
    m[1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim(),
  );
}

function optgroups(html: string): string[] {
  return [...html.matchAll(/<optgroup label="([^"]+)"/g)].map((m) =>
    m[1]!
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"'),
  );
}

describe('one pupil scope for every read of pupils', () => {
  let ctx: TestContext;
  let services: Services;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let teacherClasses: string[];
  let mine: PupilRow[];
  let others: PupilRow[];
  /** A pupil outside the teacher's classes, whose parent has a name nobody else has. */
  let outside: PupilRow;
  /** A pupil in the teacher's classes. */
  let inside: PupilRow;
  const outsideParent = { givenName: 'Zebedee', familyName: 'Quartermaine' };
  const insideParent = { givenName: 'Ophelia', familyName: 'Brightwater' };
  let device: string;
  const tokens: Record<string, string> = {};
  let teacher: Browser;
  let head: Browser;

  const api = (token: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/consent/check',
      headers: { authorization: `Bearer ${token}` },
      payload: body as Record<string, unknown>,
    });
  const check = (token: string, pupilIds: string[]) =>
    api(token, { purpose: 'school_website', mediaType: 'image', pupilIds });
  const getApi = (token: string, url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  /** Every name and id of a pupil outside the teacher's classes is absent from `body`. */
  const expectNoOutsider = (body: string, what: string) => {
    for (const p of others) {
      expect(body, `${what}: ${fullName(p)}`).not.toContain(fullName(p));
      expect(body, `${what}: ${listName(p)}`).not.toContain(listName(p));
      expect(body, `${what}: id of ${fullName(p)}`).not.toContain(p.id);
    }
    expect(body, what).not.toContain(outsideParent.familyName);
  };

  const upload = async (eventLabel: string, width = 400) => {
    const px = Buffer.alloc(width * 300 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 31) % 251;
    const data = (await ctx.platform.images.encodeJpeg({ data: px, width, height: 300 })).data;
    const [r] = await services.media.upload(
      A.school.id,
      { kind: 'staff', id: A.staff.teacher.id },
      { deviceId: device, deviceDescription: null, eventLabel, swimwear: false },
      [{ data, filename: 'IMG_0001.JPG' }],
    );
    await services.media.ingest(r!.id);
    return r!.id;
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    services = createServices({ ...ctx.platform, faces: fakeFaces });
    app = await buildApp(services, ctx.config);
    await app.ready();
    A = await createSchool(services, {
      slug: 'scope-a',
      pupils: 42,
      template: 'john-clifford-primary',
    });
    const classes = [...new Set(A.pupils.map((p) => p.className!))].sort();
    expect(classes.length).toBeGreaterThanOrEqual(4);
    teacherClasses = [classes[0]!, classes[2]!];
    const headActor = { kind: 'staff' as const, id: A.staff.headteacher.id };
    await services.staffClasses.assign(A.school.id, headActor, A.staff.teacher.id, teacherClasses);
    // The teaching assistant works in a class the teacher does not teach.
    await services.staffClasses.assign(A.school.id, headActor, A.staff.support_staff.id, [
      classes[1]!,
    ]);
    mine = A.pupils.filter((p) => teacherClasses.includes(p.className!));
    // Pupils of other classes, leaving out any who share a name with one of the teacher's (their
    // name may rightly appear).
    const ownNames = new Set(mine.map(fullName));
    others = A.pupils.filter(
      (p) => !teacherClasses.includes(p.className!) && !ownNames.has(fullName(p)),
    );
    outside = others[0]!;
    inside = mine[0]!;

    // Parents whose names show in consent reasons: one outside the scope, one inside it.
    const decidedOn = ukDate(new Date());
    for (const [pupil, parent] of [
      [outside, outsideParent],
      [inside, insideParent],
    ] as const) {
      const parentId = await addParent(services, {
        schoolId: A.school.id,
        pupilId: pupil.id,
        ...parent,
      });
      await services.consent.record(
        {
          schoolId: A.school.id,
          pupilId: pupil.id,
          decider: { kind: 'parent', parentId },
          decisions: { 'school_website/image': 'granted' },
          method: 'paper_form',
          kind: 'form',
          decidedOn,
        },
        { kind: 'staff', id: A.staff.office.id },
      );
    }

    // A member of staff who teaches and is also the DSL: the school-wide role wins.
    const people = new PeopleRepository();
    const both = await people.createStaff(
      services.database.db,
      {
        schoolId: A.school.id,
        email: `teacher-dsl@${A.school.slug}.test`,
        givenName: 'Tess',
        familyName: 'Both',
      },
      ['teacher', 'dsl'],
    );
    await services.staffClasses.assign(A.school.id, headActor, both.id, [classes[0]!]);
    // A teacher with no class assigned yet.
    const fresh = await people.createStaff(
      services.database.db,
      {
        schoolId: A.school.id,
        email: `new-teacher@${A.school.slug}.test`,
        givenName: 'Nia',
        familyName: 'New',
      },
      ['teacher'],
    );
    for (const [key, id] of [
      ['teacher', A.staff.teacher.id],
      ['support', A.staff.support_staff.id],
      ['head', A.staff.headteacher.id],
      ['office', A.staff.office.id],
      ['both', both.id],
      ['fresh', fresh.id],
    ] as const) {
      tokens[key] = await services.auth.createApiToken(id, A.school.id, `scope ${key}`);
    }

    const d = await services.devices.register(
      A.school.id,
      { kind: 'staff', id: A.staff.ict_technician.id },
      { name: 'Hall camera', deviceType: 'camera', assetTag: 'H-1' },
    );
    await services.devices.approve(
      {
        kind: 'staff',
        id: A.staff.headteacher.id,
        schoolId: A.school.id,
        roles: ['headteacher'],
        name: 'H',
      },
      d.id,
    );
    device = d.id;

    teacher = new Browser(app);
    await teacher.signIn(A.staff.teacher.email);
    head = new Browser(app);
    await head.signIn(A.staff.headteacher.email);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists only the teacher’s classes on the pupil pages and the pupils API', async () => {
    const list = await teacher.get('/pupils');
    expect(list.statusCode).toBe(200);
    for (const p of mine) expect(list.body).toContain(listName(p));
    expectNoOutsider(list.body, 'teacher /pupils');
    const search = await teacher.get(`/pupils?q=${encodeURIComponent(outside.familyName)}`);
    expectNoOutsider(search.body, 'teacher /pupils search');
    expect((await teacher.get(`/pupils/${outside.id}`)).statusCode).toBe(404);
    expect((await teacher.get(`/pupils/${inside.id}`)).statusCode).toBe(200);

    const headList = await head.get('/pupils');
    for (const p of A.pupils) expect(headList.body).toContain(listName(p));
    expect((await head.get(`/pupils/${outside.id}`)).body).toContain(fullName(outside));

    const json = await getApi(tokens.teacher!, '/api/v1/pupils');
    expect(json.statusCode).toBe(200);
    const ids = json.json<{ pupils: { id: string }[] }>().pupils.map((p) => p.id);
    expect(new Set(ids)).toEqual(new Set(mine.map((p) => p.id)));
    expectNoOutsider(json.body, 'teacher /api/v1/pupils');
    const one = await getApi(tokens.teacher!, `/api/v1/pupils/${outside.id}`);
    expect(one.statusCode).toBe(404);
    expect(one.body).not.toContain(outside.familyName);

    // The dashboard's figure is the pupils of the teacher's classes, not the school's.
    const figure = (html: string, label: string) =>
      new RegExp(`${label}\\s*</dt>\\s*<dd[^>]*>\\s*<a[^>]*>(\\d+)</a>`).exec(html)?.[1];
    const home = (await teacher.get('/')).body;
    expect(figure(home, 'Pupils in your classes')).toBe(String(mine.length));
    expect(home).not.toContain('Pupils on roll');
    expect(figure((await head.get('/')).body, 'Pupils on roll')).toBe(String(A.pupils.length));
  });

  it('shows the teacher the consent register of their classes only', async () => {
    const overview = await teacher.get('/consent');
    expect(overview.statusCode).toBe(200);
    for (const c of teacherClasses) expect(overview.body).toContain(c);
    expect(overview.body).not.toContain(
      `/consent/classes/${encodeURIComponent(outside.className!)}`,
    );
    const other = await teacher.get(`/consent/classes/${encodeURIComponent(outside.className!)}`);
    expect(other.statusCode).toBe(404);
    expectNoOutsider(other.body, 'other class matrix');
    const card = await teacher.get(
      `/consent/classes/${encodeURIComponent(outside.className!)}/card`,
    );
    expect(card.statusCode).toBe(404);
    const pupil = await teacher.get(`/consent/pupils/${outside.id}`);
    expect(pupil.statusCode).toBe(404);
    expectNoOutsider(pupil.body, 'outside pupil consent page');
    const own = await teacher.get(`/consent/pupils/${inside.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(insideParent.familyName);
    // The Headteacher sees the other pupil's register, parent included.
    const headPage = await head.get(`/consent/pupils/${outside.id}`);
    expect(headPage.statusCode).toBe(200);
    expect(headPage.body).toContain(outsideParent.familyName);
  });

  it('offers the batch check only for the teacher’s classes, and refuses another class', async () => {
    const form = await teacher.get('/consent/check');
    expect(form.statusCode).toBe(200);
    const offered = optionTexts(form.body);
    for (const c of teacherClasses) expect(offered.some((o) => o.startsWith(c))).toBe(true);
    expect(offered.some((o) => o.startsWith(outside.className!))).toBe(false);
    const q = new URLSearchParams({
      class: outside.className!,
      pupil: outside.id,
      purpose: 'school_website',
      mediaType: 'image',
      named: 'no',
      check: '1',
    });
    const res = await teacher.get(`/consent/check?${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose a class');
    expectNoOutsider(res.body.replaceAll(outside.id, ''), 'batch check of another class');
    expect(res.body).not.toContain(fullName(outside));
    expect(res.body).not.toContain(outsideParent.givenName);
  });

  it('answers the consent check API for a pupil outside the scope exactly like an unknown one', async () => {
    const ok = await check(tokens.teacher!, [inside.id]);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ results: { reason: string }[] }>().results[0]!.reason).toContain(
      insideParent.givenName,
    );

    const refused = await check(tokens.teacher!, [inside.id, outside.id]);
    const unknown = await check(tokens.teacher!, [inside.id, crypto.randomUUID()]);
    for (const res of [refused, unknown]) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(refused.body).toBe(unknown.body);
    expect(refused.body).not.toContain(outsideParent.givenName);
    expect(refused.body).not.toContain(outsideParent.familyName);
    expect(refused.body).not.toContain(outside.familyName);
    expect(refused.body).not.toContain(outside.id);

    // The teaching assistant's class is not the teacher's, and the other way round.
    expect((await check(tokens.support!, [inside.id])).statusCode).toBe(404);
    // A teacher with no class yet sees nobody.
    expect((await check(tokens.fresh!, [inside.id])).statusCode).toBe(404);
    // School-wide staff see everyone, parents' names in the reasons included; a teacher who is
    // also the DSL is school-wide (one rule, the same everywhere).
    for (const key of ['head', 'office', 'both']) {
      const res = await check(tokens[key]!, [outside.id]);
      expect(res.statusCode, key).toBe(200);
      expect(res.json<{ results: { reason: string }[] }>().results[0]!.reason).toContain(
        outsideParent.givenName,
      );
    }
  });

  /** Items whose pages the probe below also opens. */
  const items: string[] = [];

  describe('the media tagging page', () => {
    let item: string;
    let faces: { id: string; seq: number }[];

    beforeAll(async () => {
      item = await upload('sports day');
      items.push(item);
      faces = (await services.media.view(A.school.id, item)).faces;
      expect(faces).toHaveLength(3);
      // The Headteacher links face 1 to a pupil the teacher does not teach.
      await services.media.linkFace(
        A.school.id,
        { kind: 'staff', id: A.staff.headteacher.id },
        item,
        faces[0]!.id,
        outside.id,
      );
    });

    it('names no pupil outside the teacher’s classes, and offers only theirs', async () => {
      const page = await teacher.get(`/media/${item}`);
      expect(page.statusCode).toBe(200);
      expectNoOutsider(page.body, 'teacher media item');
      expect(page.body).toContain('Face 1: linked to a pupil who is not in your classes');
      const options = optionTexts(page.body, true).filter(
        (o) => o && !/^(Not linked|Select)/.test(o),
      );
      expect(options.length).toBeGreaterThan(0);
      for (const o of options) expect(mine.some((p) => o.startsWith(fullName(p)))).toBe(true);
      // Every option shows its class and year.
      for (const p of mine) {
        const year = p.yearGroup === 'R' ? 'Reception' : `Year ${p.yearGroup}`;
        expect(options).toContain(`${fullName(p)} (${p.className}, ${year})`);
      }
      // The linked face cannot be changed by the teacher: no form for it.
      expect(page.body).not.toContain(`value="${faces[0]!.id}"`);
      // Searching the school finds nobody outside the teacher's classes.
      const found = await teacher.get(`/media/${item}?q=${encodeURIComponent(outside.givenName)}`);
      expect(found.statusCode).toBe(200);
      expectNoOutsider(found.body, 'teacher media search');
    });

    it('refuses to tag or relink a pupil outside the scope, and changes nothing', async () => {
      const before = await services.media.view(A.school.id, item);
      await teacher.get(`/media/${item}`);
      const tag = await teacher.post(`/media/${item}/pupils/add`, { pupilId: outside.id });
      expect(tag.statusCode).toBe(400);
      expect(tag.body).toContain('Select a pupil from the list');
      expectNoOutsider(tag.body, 'refused tag');
      const link = await teacher.post(`/media/${item}/faces/link`, {
        faceId: faces[1]!.id,
        pupilId: outside.id,
      });
      expect(link.statusCode).toBe(400);
      const relink = await teacher.post(`/media/${item}/faces/link`, {
        faceId: faces[0]!.id,
        pupilId: inside.id,
      });
      expect(relink.statusCode).toBe(400);
      expect(relink.body).toContain('not in your classes');
      const remove = await teacher.post(`/media/${item}/faces/remove`, { faceId: faces[0]!.id });
      expect(remove.statusCode).toBe(400);
      const after = await services.media.view(A.school.id, item);
      expect(after.faces.map((f) => f.pupilId)).toEqual(before.faces.map((f) => f.pupilId));
      expect(after.pupilTags).toEqual(before.pupilTags);
    });

    it('lets the teacher tag their own pupils, and the Headteacher see everyone', async () => {
      await teacher.get(`/media/${item}`);
      const ok = await teacher.post(`/media/${item}/faces/link`, {
        faceId: faces[1]!.id,
        pupilId: inside.id,
      });
      expect(ok.statusCode).toBe(303);
      const page = await teacher.get(`/media/${item}`);
      expect(page.body).toMatch(
        new RegExp(`Face 2: ${fullName(inside)} \\(${inside.className}, (Year \\d|Reception)`),
      );
      expect(page.body).toContain('This photo has 3 faces but only 2 pupils are tagged.');
      expectNoOutsider(page.body, 'teacher media item after tagging');

      const headPage = await head.get(`/media/${item}`);
      expect(headPage.body).toContain(`Face 1: ${fullName(outside)} (${outside.className}`);
      const headSearch = await head.get(
        `/media/${item}?q=${encodeURIComponent(outside.givenName)}`,
      );
      expect(optionTexts(headSearch.body).some((o) => o.startsWith(fullName(outside)))).toBe(true);
    });

    it('keeps the reasons for a face outside the scope off the teacher’s publishable copy', async () => {
      const make = await head.post(`/media/${item}/renditions`, {
        purpose: 'school_website',
      });
      expect(make.statusCode, make.body).toBe(303);
      const mineCopy = await teacher.get(`/media/${item}/renditions/school_website`);
      expect(mineCopy.statusCode).toBe(200);
      expectNoOutsider(mineCopy.body, 'teacher rendition');
      expect(mineCopy.body).toContain('Linked to a pupil who is not in your classes.');
      const headCopy = await head.get(`/media/${item}/renditions/school_website`);
      console.log(
        headCopy.body.slice(headCopy.body.indexOf('<table'), headCopy.body.indexOf('</table>')),
      );
      expect(headCopy.body).toContain(outsideParent.givenName);
    });
  });

  describe('the face-tagging picker', () => {
    it('offers the likely classes first: tagged pupils’, the teacher’s own, the event’s', async () => {
      const yearOf = (p: PupilRow) => (p.yearGroup === 'R' ? 'Reception' : `Year ${p.yearGroup}`);
      const event = others.find((p) => /^\d+$/.test(p.yearGroup))!;
      const id = await upload(`${yearOf(event)} trip`);
      // The Headteacher (no classes of their own): the uploader's classes and the year the
      // event names; everything else by searching.
      const page = await head.get(`/media/${id}`);
      const groups = optgroups(page.body);
      expect(groups).toContain(`${event.className}, ${yearOf(event)} (named in the event)`);
      for (const c of teacherClasses)
        expect(groups.some((g) => g.startsWith(`${c},`) && g.includes('uploaded it'))).toBe(true);
      expect(
        groups.some(
          (g) => g.startsWith(`${outside.className},`) && outside.className !== event.className,
        ),
      ).toBe(false);

      // Once a pupil is tagged, their class comes first.
      await services.media.tagPupil(
        A.school.id,
        { kind: 'staff', id: A.staff.headteacher.id },
        id,
        outside.id,
      );
      const tagged = optgroups((await head.get(`/media/${id}`)).body);
      expect(tagged[0]).toMatch(
        new RegExp(`^${outside.className}, .*pupils already in this photo`),
      );

      // The teacher: their own classes, and never a class outside them even if the event names it.
      const own = optgroups((await teacher.get(`/media/${id}`)).body);
      expect(own.length).toBeGreaterThan(0);
      for (const g of own) expect(teacherClasses.some((c) => g.startsWith(`${c},`))).toBe(true);
    });

    it('tells same-name pupils apart and reads "no pupils tagged yet" properly', async () => {
      // Two more pupils called exactly like `inside`, in the teacher's other class: one born in
      // another month, one in the same month as `inside` (a different day).
      const twinClass = teacherClasses.find((c) => c !== inside.className)!;
      const pool = services.database.pool;
      const [y, m] = inside.dateOfBirth.split('-');
      const otherDay = inside.dateOfBirth.endsWith('-01') ? '02' : '01';
      const born = [`${Number(y) - 1}-03-15`, `${y}-${m}-${otherDay}`];
      for (const [i, dob] of born.entries()) {
        await pool.query(
          `INSERT INTO pupils (school_id, mis_id, given_name, family_name, date_of_birth, year_group, class_name, search_text)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            A.school.id,
            `twin-${i}-${crypto.randomBytes(3).toString('hex')}`,
            inside.givenName,
            inside.familyName,
            dob,
            A.pupils.find((p) => p.className === twinClass)!.yearGroup,
            twinClass,
            `${inside.givenName} ${inside.familyName}`.toLowerCase(),
          ],
        );
      }
      const id = await upload('assembly', 300);
      const page = await teacher.get(`/media/${id}?q=${encodeURIComponent(fullName(inside))}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('This photo has 1 face and no pupils tagged yet.');
      expect(page.body).not.toMatch(/0 tagged|but only 0/);
      const same = [
        ...new Set(optionTexts(page.body).filter((o) => o.startsWith(fullName(inside)))),
      ];
      expect(same).toHaveLength(3);
      // Each says who it is: class, year and a date of birth, and no two read the same.
      for (const o of same) expect(o).toMatch(/, (Year \d+|Reception), born /);
      const months = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' });
      const bornMonth = (iso: string) =>
        `${months.format(new Date(`${iso}T00:00:00Z`))} ${iso.slice(0, 4)}`;
      expect(same.some((o) => o.endsWith(`born ${bornMonth(born[0]!)})`))).toBe(true);
      // The two born in the same month get the full date.
      expect(same.filter((o) => /born \d{1,2} /.test(o))).toHaveLength(2);
      // The search results come after the likely classes, under their own heading.
      const groups = optgroups(page.body);
      expect(groups.at(-1)).toMatch(/^Pupils matching “/);
    });

    it('refuses a search longer than 60 characters with an error message', async () => {
      const id = await upload('netball', 300);
      const res = await teacher.get(`/media/${id}?q=${'a'.repeat(61)}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('There is a problem');
      expect(res.body).toContain('Enter 60 characters or fewer to search for a pupil');
    });
  });

  /**
   * The probe's kind of test: every GET route of the app (read from Fastify's route table), with
   * each path parameter filled with the ids of things outside the teacher's classes (the pupil,
   * their class, their consent record, the photo linked to them), asked by the teacher and the
   * teaching assistant with a session and with an API token. No answer may carry the outside
   * pupil's name or their parent's name, and no successful answer their id.
   */
  it('shows no pupil outside the classes on any GET route, with a session or a token', async () => {
    const record = (
      await services.database.pool.query<{ id: string }>(
        'SELECT id FROM consent_records WHERE pupil_id = $1 LIMIT 1',
        [outside.id],
      )
    ).rows[0]!.id;
    const fill: Record<string, string[]> = {
      id: [outside.id, record, ...items],
      pupilId: [outside.id],
      recordId: [record],
      className: [outside.className!],
      periodKey: ['admission'],
      purpose: ['school_website'],
      version: ['1'],
      token: ['x'],
    };
    // Parse the route tree: one node per line, four characters of indent per level.
    const paths: string[] = [];
    const stack: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (.+?) \(([^)]*)\)$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      stack.length = depth;
      const parent = stack[depth - 1] ?? '';
      const seg = m[2]!;
      const full =
        depth === 0
          ? seg
          : `${parent}${parent.endsWith('/') || /^[/.]/.test(seg) ? '' : '/'}${seg}`;
      stack[depth] = full;
      if (m[3]!.split(', ').includes('GET') && !full.includes('*')) paths.push(full);
    }
    expect(paths).toContain('/consent/pupils/:id');
    expect(paths).toContain('/media/:id');
    expect(paths).toContain('/consent/classes/:className/card.pdf');
    const urls = new Set<string>();
    for (const p of paths) {
      let variants = [p];
      for (const [name, values] of Object.entries(fill)) {
        if (!p.includes(`:${name}`)) continue;
        variants = variants.flatMap((v) =>
          values.map((x) => v.replace(`:${name}`, encodeURIComponent(x))),
        );
      }
      for (const v of variants) if (!v.includes(':')) urls.add(v);
    }
    urls.add(`/media/${items[0]}?q=${encodeURIComponent(outside.givenName)}`);
    urls.add(`/pupils?q=${encodeURIComponent(outside.familyName)}`);
    urls.add(`/api/v1/pupils?q=${encodeURIComponent(outside.familyName)}`);
    const support = new Browser(app);
    await support.signIn(A.staff.support_staff.email);
    let ok = 0;
    for (const url of urls) {
      if (url.startsWith('/sign-in') || url === '/signed-out') continue;
      const answers = [
        ['teacher', await teacher.get(url)],
        ['support', await support.get(url)],
        ...(url.startsWith('/api/')
          ? ([
              ['teacher token', await getApi(tokens.teacher!, url)],
              ['support token', await getApi(tokens.support!, url)],
            ] as const)
          : []),
      ] as const;
      for (const [who, res] of answers) {
        const body = res.rawPayload.toString('latin1') + res.body;
        const what = `${who} GET ${url} (${res.statusCode})`;
        expect(res.statusCode, what).toBeLessThan(500);
        for (const text of [fullName(outside), listName(outside), outsideParent.familyName])
          expect(body, what).not.toContain(text);
        if (res.statusCode === 200) {
          ok += 1;
          expect(body, what).not.toContain(outside.id);
        }
      }
    }
    // The probe reached real pages, not only 404s.
    expect(ok).toBeGreaterThan(40);
  });
});
