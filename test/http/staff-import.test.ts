import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/**
 * The staff import's pages (docs/people.md, "Importing staff"): the link on the staff list, the
 * upload with CSRF, the preview (who is added, what changes, every row's problems in words),
 * confirm, and the applied import; a Business Manager's file may not give the DSL role; other
 * roles and other schools get 404.
 */
describe('importing a staff list through the pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let bm: Browser;
  let teacher: Browser;
  let bHead: Browser;

  const header = 'Given name,Family name,Email,Roles,Start date,Line manager,Leave date';

  const upload = async (
    browser: Browser,
    lines: string[],
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> => {
    await browser.get('/imports/staff');
    const body = multipartBody(options.csrf === false ? {} : { _csrf: browser.csrf ?? '' }, {
      field: 'file',
      filename: 'staff.csv',
      type: 'text/csv',
      content: Buffer.from(lines.join('\r\n')),
    });
    return browser.request({
      method: 'POST',
      url: '/imports/staff',
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };
  const previewed = async (res: LightMyRequestResponse) => {
    expect(res.statusCode).toBe(303);
    const url = String(res.headers.location);
    expect(url).toMatch(/^\/imports\/staff\/[0-9a-f-]{36}$/);
    const id = url.split('/').at(-1)!;
    // The preview job (the queue is not worked in these tests).
    await ctx.services.staffImports.preview(id);
    return { id, url };
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'staff-csv-a', pupils: 2 }),
      createSchool(ctx.services, { slug: 'staff-csv-b', pupils: 2 }),
    ]);
    bm = new Browser(app);
    teacher = new Browser(app);
    bHead = new Browser(app);
    await Promise.all([
      bm.signIn(A.staff.business_manager.email),
      teacher.signIn(A.staff.teacher.email),
      bHead.signIn(B.staff.headteacher.email),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('is linked from the staff list and explains the columns', async () => {
    const list = await bm.get('/staff');
    expect(list.body).toContain('href="/imports/staff"');
    const page = await bm.get('/imports/staff');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Import staff');
    expect(page.body).toContain('Line manager');
    expect(page.body).toContain('Designated Safeguarding Lead');
  });

  it('needs the CSRF token', async () => {
    const res = await upload(bm, [header, 'Ann,Able,ann@csv-a.test,Teacher,,,'], { csrf: false });
    expect(res.statusCode).toBe(403);
  });

  it('previews, confirms and applies a clean file', async () => {
    const { id, url } = await previewed(
      await upload(bm, [
        header,
        'Ann,Able,ann@csv-a.test,Teacher,1/9/2026,zoe@csv-a.test,',
        `teacher,Tester,${A.staff.teacher.email},Teacher; Office staff,,,`,
        'Zoe,Zed,zoe@csv-a.test,Support staff,,,',
      ]),
    );
    const page = await bm.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ready to confirm');
    expect(page.body).toContain('3 rows: 2 to add, 1 to change, 0 already as the file says');
    expect(page.body).toContain('To add (2)');
    expect(page.body).toContain('Ann Able');
    expect(page.body).toContain('1 September 2026');
    expect(page.body).toContain('Zoe Zed');
    expect(page.body).toContain('Roles: Teacher → Office staff, Teacher');
    expect(page.body).not.toMatch(/support_staff|office,/);
    const confirmed = await bm.post(`${url}/confirm`, {}, { csrfFrom: url });
    expect(confirmed.statusCode).toBe(303);
    expect((await ctx.services.staffImports.get(A.school.id, id)).status).toBe('committing');
    await ctx.services.staffImports.commit(id, A.staff.business_manager.id);
    const done = await bm.get(url);
    expect(done.body).toContain('Imported');
    expect(done.body).toContain(
      '2 members of staff added (2 emailed a link to set their password), 1 changed',
    );
    const staff = await bm.get('/staff?q=csv-a.test');
    expect(staff.body).toContain('Able, Ann');
    expect(staff.body).toContain('Zed, Zoe');
    const audit = await ctx.services.database.pool.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE school_id = $1 AND entity_id = $2`,
      [A.school.id, id],
    );
    expect(audit.rows.map((r) => r.action).sort()).toEqual([
      'people.staff-import-uploaded',
      'people.staff-imported',
    ]);
  });

  it('lists every row’s problems in words with row numbers, and offers no confirm', async () => {
    const { url } = await previewed(
      await upload(bm, [
        header,
        'Bob,Bee,bob@csv-a.test,Caretaker,,,',
        'Cy,Cee,cy@csv-a.test,Designated Safeguarding Lead,,,',
        'Di,Dee,not-an-email,Teacher,,,',
        'Ed,Ee,ed@csv-a.test,Teacher,,nobody@csv-a.test,',
      ]),
    );
    const page = await bm.get(url);
    expect(page.body).toContain('Not imported');
    expect(page.body).toContain('Row 2: “Caretaker” is not a role in Lanyard');
    // A Business Manager may not give the DSL role (the staff page's rule).
    expect(page.body).toContain(
      'Row 3: Only the Headteacher can give or take away the Designated Safeguarding Lead role',
    );
    expect(page.body).toContain('Row 4: Email must be an email address');
    expect(page.body).toContain(
      'Row 5: Line manager: nobody in Lanyard or in this file has the email address nobody@csv-a.test',
    );
    expect(page.body).not.toContain('Confirm and import');
    const refused = await bm.post(`${url}/confirm`, {}, { csrfFrom: url });
    expect(refused.statusCode).toBe(409);

    // The same problems as a spreadsheet, linked from the page: a row per problem, quoted
    // where a cell has a comma or a quote.
    expect(page.body).toContain(`href="${url}/problems.csv"`);
    const csv = await bm.get(`${url}/problems.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="staff-import-problems-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(csv.headers['cache-control']).toBe('private, no-store');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('Row,Problem');
    expect(lines[1]).toMatch(/^2,"“Caretaker” is not a role in Lanyard\. Use: Headteacher, /);
    expect(lines).toContain(
      '3,Only the Headteacher can give or take away the Designated Safeguarding Lead role',
    );
    expect(lines).toContain('4,"Email must be an email address, like name@example.com"');
    expect(lines).toHaveLength(6); // heading, four problems, the final line end
    // Another school's Headteacher and a teacher of the school: as if there were no import.
    expect((await bHead.get(`${url}/problems.csv`)).statusCode).toBe(404);
    expect((await teacher.get(`${url}/problems.csv`)).statusCode).toBe(404);
  });

  it('refuses a file that is not a CSV on the upload page', async () => {
    await bm.get('/imports/staff');
    const body = multipartBody(
      { _csrf: bm.csrf ?? '' },
      {
        field: 'file',
        filename: 'staff.pdf',
        type: 'application/pdf',
        content: Buffer.from('%PDF-1.4\n'),
      },
    );
    const res = await bm.request({
      method: 'POST',
      url: '/imports/staff',
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
    expect(res.statusCode).toBe(303);
    const page = await bm.get(String(res.headers.location));
    expect(page.body).toContain('not a CSV file');
  });

  it('is a 404 to other roles and to another school', async () => {
    expect((await teacher.get('/imports/staff')).statusCode).toBe(404);
    const { url } = await previewed(
      await upload(bm, [header, 'Fay,Eff,fay@csv-a.test,Teacher,,,']),
    );
    expect((await bHead.get(url)).statusCode).toBe(404);
    expect(
      (await bHead.post(`${url}/confirm`, {}, { csrfFrom: '/imports/staff' })).statusCode,
    ).toBe(404);
  });
});
