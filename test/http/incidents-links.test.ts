/**
 * Issue 14's loose ends over HTTP: a playbook step naming the platform, the provider or the host
 * links to the report's platform guidance (from its web address when no platform was chosen);
 * everyone who may make a case's letters sees "Letters for this case" (assigned staff too), and
 * no one else; the pupil page links to the pupil's incidents for the Headteacher and the DSL
 * only; a reporter's receipt offers "Add more evidence", never for an indecent-image report.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';
import type { ReportInput } from '../../src/modules/incidents/incidents.forms.ts';

const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  whatHappened: 'A parent posted about a teacher',
  reporterConcern: 'no',
  pupils: [],
  staff: [],
  named: [],
  pupilPart: undefined,
  staffPart: undefined,
  ...over,
});

describe('incidents: links on the case, pupil and receipt pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture; // The Avenue (001): the defamatory-post ladder ends with contact_host
  const browsers: Partial<Record<StaffRole | 'parent', Browser>> = {};
  const as = (role: StaffRole): Principal & { kind: 'staff' } => ({
    kind: 'staff',
    id: fx.staff[role].id,
    schoolId: fx.school.id,
    roles: [role],
    name: role,
  });
  const b = (who: StaffRole | 'parent') => browsers[who]!;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2, template: 'the-avenue-primary' });
    for (const role of ['headteacher', 'dsl', 'support_staff', 'teacher', 'office'] as const) {
      browsers[role] = new Browser(app);
      await browsers[role].signIn(fx.staff[role].email);
    }
    browsers.parent = new Browser(app);
    await signInWithLink(browsers.parent, ctx, fx.parent.email!);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('links the platform, provider and host steps to the guidance, found from the web address', async () => {
    const r = await ctx.services.incidents.reportConcern(
      as('teacher'),
      input({ url: 'https://www.facebook.com/groups/avenueparents/posts/9' }),
    );
    await ctx.services.incidentCases.classify(as('headteacher'), r.id, {
      incidentType: 'parent_defamation',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: 'no',
    } as Parameters<typeof ctx.services.incidentCases.classify>[2]);
    const page = await b('headteacher').get(`/incidents/${r.id}`);
    expect(page.statusCode).toBe(200);
    const book = await ctx.services.incidentCases.playbook(fx.school.id, 'parent_defamation');
    const linked = book!.steps.filter((s) => /platform|provider|host/.test(s.key));
    expect(linked.map((s) => s.key)).toContain('contact_host');
    // One guidance link per such step, to Facebook's page, in words.
    const links = page.body.match(
      /href="\/incidents\/guidance\/facebook">How to report it on Facebook</g,
    );
    expect(links).toHaveLength(linked.length);
    expect(page.body).not.toMatch(/How to report it on (null|undefined|Not given)/);
  });

  it('shows "Letters for this case" to everyone who may make them, assigned staff included', async () => {
    const r = await ctx.services.incidents.reportConcern(as('teacher'), input());
    await ctx.services.incidentCases.assign(as('headteacher'), r.id, [fx.staff.support_staff.id]);
    for (const who of ['headteacher', 'dsl', 'support_staff'] as const) {
      const page = await b(who).get(`/incidents/${r.id}`);
      expect(page.statusCode, who).toBe(200);
      expect(page.body, who).toContain(`href="/incidents/${r.id}/letters">Letters for this case`);
      expect((await b(who).get(`/incidents/${r.id}/letters`)).statusCode, who).toBe(200);
    }
    // The teacher who reported it sees neither the case nor its letters.
    expect((await b('teacher').get(`/incidents/${r.id}`)).statusCode).toBe(404);
    expect((await b('teacher').get(`/incidents/${r.id}/letters`)).statusCode).toBe(404);
  });

  it('links a pupil page to the pupil’s incidents for the Headteacher and the DSL only', async () => {
    const pupil = fx.pupils[0]!;
    const href = `href="/pupils/${pupil.id}/incidents"`;
    for (const who of ['headteacher', 'dsl'] as const) {
      const page = await b(who).get(`/pupils/${pupil.id}`);
      expect(page.statusCode, who).toBe(200);
      expect(page.body, who).toContain(href);
      expect((await b(who).get(`/pupils/${pupil.id}/incidents`)).statusCode, who).toBe(200);
    }
    const office = await b('office').get(`/pupils/${pupil.id}`);
    expect(office.statusCode).toBe(200);
    expect(office.body).not.toContain(href);
    expect((await b('office').get(`/pupils/${pupil.id}/incidents`)).statusCode).toBe(404);
  });

  it('offers the reporter "Add more evidence" on the receipt, never for an indecent-image report', async () => {
    const parent: Principal = {
      kind: 'parent',
      id: fx.parent.id,
      schoolId: fx.school.id,
      name: 'Parent',
    };
    const r = await ctx.services.incidents.reportConcern(parent, input());
    const receipt = await b('parent').get(`/report/${r.id}/receipt`);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).toContain(`href="/incidents/${r.id}/evidence/add">Add more evidence`);
    const add = await b('parent').get(`/incidents/${r.id}/evidence/add`);
    expect(add.statusCode).toBe(200);
    expect(add.body).toContain('type="file"');

    const image = await ctx.services.incidents.reportIndecentImage(parent, {
      adultInvolved: 'no',
    } as Parameters<typeof ctx.services.incidents.reportIndecentImage>[1]);
    const imageReceipt = await b('parent').get(`/report/${image.id}/receipt`);
    expect(imageReceipt.statusCode).toBe(200);
    expect(imageReceipt.body).not.toContain('Add more evidence');
    expect(imageReceipt.body).not.toContain('/evidence/add');
  });

  it('the API case list is kept between requests yet shows every change on the next one', async () => {
    const token = async (role: StaffRole) =>
      `Bearer ${await ctx.services.auth.createApiToken(fx.staff[role].id, fx.school.id, 'test')}`;
    const [dsl, support] = [await token('dsl'), await token('support_staff')];
    const list = async (auth: string, qs = '') => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/incidents${qs}`,
        headers: { authorization: auth },
      });
      expect(res.statusCode).toBe(200);
      return res.json() as { cases: { id: string; status: string }[]; next: string | null };
    };
    const before = await list(dsl);
    expect(await list(dsl)).toEqual(before); // the kept page
    const r = await ctx.services.incidents.reportConcern(as('teacher'), input());
    const after = await list(dsl);
    expect(after.cases[0]).toMatchObject({ id: r.id, status: 'new' });
    // Assigned staff see only their cases, and lose them when unassigned.
    expect((await list(support)).cases.map((c) => c.id)).not.toContain(r.id);
    await ctx.services.incidentCases.assign(as('headteacher'), r.id, [fx.staff.support_staff.id]);
    expect((await list(support)).cases.map((c) => c.id)).toContain(r.id);
    await ctx.services.incidentCases.assign(as('headteacher'), r.id, []);
    expect((await list(support)).cases.map((c) => c.id)).not.toContain(r.id);
    expect((await list(dsl, '?status=open')).cases.map((c) => c.id)).toContain(r.id);
    await ctx.services.incidentCases.close(as('headteacher'), r.id, 'Sorted');
    expect((await list(dsl, '?status=closed')).cases.map((c) => c.id)).toContain(r.id);
    expect((await list(dsl, '?status=open')).cases.map((c) => c.id)).not.toContain(r.id);
  });
});
