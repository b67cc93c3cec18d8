import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import {
  Browser,
  createOrganisationAdmin,
  type OrgAdminFixture,
} from '../support/http-principals.ts';
import { pdfText } from '../support/pdf-text.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { currentTerm } from '../../src/modules/reports/reports-periods.ts';
import { formatDateInWords } from '../../src/web/dates.ts';

/**
 * The governors' monitoring report over HTTP (issue 16 item 4): who sees it (the profile decides
 * for governors, a 404 otherwise), the figures it shows (suppression of small counts and of the
 * cell a total would reveal), no pupil's or staff member's name in the page, the PDF or the
 * trust's view, and a tagged A4 PDF with the same tables.
 */
describe("governors' monitoring report (HTTP)", () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let off: SchoolFixture;
  let admin: OrgAdminFixture;
  let termKey: string;
  const browsers = new Map<string, Browser>();
  const signedIn = async (email: string) => {
    const held = browsers.get(email);
    if (held) return held;
    const b = new Browser(app);
    await b.signIn(email);
    browsers.set(email, b);
    return b;
  };
  /** Every name the school holds: pupils, parents and staff. */
  const namesOf = async (schoolId: string) => {
    const { rows } = await ctx.services.database.pool.query<{ name: string }>(
      `SELECT given_name || ' ' || family_name AS name FROM pupils WHERE school_id = $1
       UNION SELECT family_name FROM pupils WHERE school_id = $1
       UNION SELECT given_name || ' ' || family_name FROM parents WHERE school_id = $1
       UNION SELECT given_name || ' ' || family_name FROM staff WHERE school_id = $1`,
      [schoolId],
    );
    return rows.map((r) => r.name);
  };

  /** Incidents this term by SQL: `counts` per category (conduct 12, content 7, contact 3). */
  const seedIncidents = async (
    schoolId: string,
    reporterId: string,
    plan: [string, number][] = [
      ['conduct', 12],
      ['content', 7],
      ['contact', 3],
    ],
    from = 0,
  ) => {
    const now = ctx.services.clock.now();
    let seq = from;
    for (const [category, n] of plan)
      for (let i = 0; i < n; i++) {
        seq++;
        const reportedAt = new Date(now.getTime() - (seq + 1) * 3_600_000);
        const closed = seq <= 10; // the first ten are closed
        await ctx.services.database.pool.query(
          `WITH inc AS (
             INSERT INTO incidents (school_id, seq, reference, reported_at, reporter_kind, reporter_id,
                                    what_happened, platform, reporter_concern, indecent_image)
             VALUES ($1, $2::int, 'RPT-' || $2::text, $3, 'staff', $4, 'Seeded for the report test', 'facebook', false, false)
             RETURNING id)
           INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
                                       reporter_id, status, classified_at, incident_type, category, risk,
                                       safeguarding, indecent_image, closed_at, entry_count, updated_at)
           SELECT id, $1, 'RPT-' || $2::text, $3, 'staff', $4, $5, $3, 'pupil_on_pupil', $6, 'aggressive',
                  false, false, $7, 2, $3 FROM inc`,
          [
            schoolId,
            10_000 + seq,
            reportedAt,
            reporterId,
            closed ? 'closed' : 'open',
            category,
            closed ? new Date(reportedAt.getTime() + seq * 1_800_000) : null,
          ],
        );
      }
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, off] = await Promise.all([
      createSchool(ctx.services, { pupils: 12, template: 'christ-church-hampstead' }),
      createSchool(ctx.services, { pupils: 3 }),
    ]);
    await seedIncidents(fx.school.id, fx.staff.dsl.id);
    await grantConsentForAll(ctx.services, fx);
    // The second school's profile turns the governors' report off.
    const current = await ctx.services.policies.current(off.school.id);
    await ctx.services.policies.updateSettings(
      off.school.id,
      { kind: 'staff', id: off.staff.headteacher.id },
      {
        answers: { 'review.governorsMonitoringReport': 'no' },
        note: 'Governors are not given the monitoring report',
        expectedVersion: current.version,
      },
    );
    admin = await createOrganisationAdmin(ctx, [fx.school.id, off.school.id]);
    termKey = currentTerm(ukDate(ctx.services.clock.now())).key;
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('is a 404 for staff other than the Headteacher and governors, for the trust, and for a governor when the profile says no', async () => {
    for (const role of ['dsl', 'teacher', 'office', 'business_manager', 'volunteer'] as const) {
      const b = await signedIn(fx.staff[role].email);
      expect((await b.get('/reports/governors')).statusCode).toBe(404);
      expect((await b.get('/reports/governors.pdf')).statusCode).toBe(404);
      expect((await b.get('/trust/reports')).statusCode).toBe(404);
    }
    const governorOff = await signedIn(off.staff.governor.email);
    expect((await governorOff.get('/reports/governors')).statusCode).toBe(404);
    expect((await governorOff.get('/reports/governors.pdf')).statusCode).toBe(404);
    // … while that school's Headteacher still sees it.
    const headOff = await signedIn(off.staff.headteacher.email);
    expect((await headOff.get('/reports/governors')).statusCode).toBe(200);
    const trust = await signedIn(admin.email);
    expect((await trust.get('/reports/governors')).statusCode).toBe(404);
  });

  it('a governor sees this term’s figures with small counts suppressed, the school’s clause, and no name', async () => {
    const b = await signedIn(fx.staff.governor.email);
    const page = await b.get('/reports/governors');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('Governors’ monitoring report');
    expect(html).toMatch(
      /lanyard-quote">Governors receive this report under the school’s policy \([^)]*§9\): “/,
    );
    expect(html).toContain('monitor the impact of this policy');
    // 22 incidents: conduct 12 shown; contact 3 suppressed; content 7 suppressed too (a total is
    // shown, so one hidden cell alone could be worked out).
    const row = (label: string, value: string) =>
      new RegExp(
        `<th scope="row" class="govuk-table__header">${label}[^<]*</th>\\s*<td class="govuk-table__cell govuk-table__cell--numeric">${value}</td>`,
      );
    expect(html).toMatch(row('Conduct', '12'));
    expect(html).toMatch(row('Contact', 'fewer than 5'));
    expect(html).toMatch(row('Content', 'fewer than 5'));
    expect(html).toMatch(row('Commerce', '0'));
    expect(html).toContain('22 incidents were reported in this period');
    expect(html).not.toMatch(row('Contact', '3'));
    // Outcome: 10 closed, 12 open; time to resolve shown (10 closed ≥ 5).
    expect(html).toMatch(row('Closed', '10'));
    expect(html).toMatch(row('Still open', '12'));
    expect(html).toContain('Median time from report to closing');
    // Consent: every pupil has a form, so 100% (12 pupils, none without).
    expect(html).toContain('Consent coverage by year group');
    // Charts: SVG with role, title and description, each with its table.
    const svgs = html.match(/<svg[^>]*role="img"[^>]*>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(4);
    expect(html).toMatch(/<title id="chart-incidents-category-title">Incidents by category/);
    expect(html).toMatch(/<desc id="chart-incidents-category-desc">22 incidents in all\./);
    // No names: no pupil, parent or staff member (the governor's own name heads the page).
    for (const name of await namesOf(fx.school.id))
      if (name !== 'governor Tester' && name !== 'Tester') expect(html).not.toContain(name);
    expect(html).not.toContain('RPT-');
    // No enum keys as text.
    expect(html).not.toMatch(/>pupil_on_pupil</);
  });

  it('takes a period from the query and ignores anything else', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const year = termKey.slice(0, 7);
    const yearPage = await b.get(`/reports/governors?period=${year}`);
    expect(yearPage.statusCode).toBe(200);
    expect(yearPage.body).toMatch(/School year \d{4} to \d{4}/);
    expect(yearPage.body).toContain('22 incidents were reported');
    const lastYear = `${Number(year.slice(0, 4)) - 1}-${year.slice(2, 4)}`;
    const empty = await b.get(`/reports/governors?period=${lastYear}`);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('0 incidents were reported');
    const odd = await b.get('/reports/governors?period=%3Cscript%3E');
    expect(odd.statusCode).toBe(200);
    expect(odd.body).not.toContain('<script>alert');
    expect(odd.body).toContain('22 incidents were reported');
  });

  it('the PDF is a tagged A4 document with the same figures and no name', async () => {
    const b = await signedIn(fx.staff.governor.email);
    const res = await b.get(`/reports/governors.pdf?period=${termKey}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(`governors-report-${termKey}.pdf`);
    const pdf = res.rawPayload;
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/MarkInfo');
    expect(raw).toMatch(/\/StructTreeRoot/);
    expect(raw).toMatch(/\/Lang \(en-GB\)/);
    expect(raw).toMatch(/\/MediaBox \[0 0 595\.2\d* 841\.8\d*\]/);
    expect(raw).toMatch(/\/S \/Figure/);
    expect(raw).toMatch(/\/S \/Table/);
    const text = pdfText(pdf);
    expect(text).toContain('Governors’ monitoring report');
    expect(text).toContain('Incidents by category (the 4Cs)');
    expect(text).toContain('fewer than 5');
    expect(text).toContain('Consent coverage by year group');
    expect(text).toContain(fx.school.name);
    for (const name of await namesOf(fx.school.id)) expect(text).not.toContain(name);
  });

  it('the trust sees the same figures per school and in total, and no name', async () => {
    const b = await signedIn(admin.email);
    const page = await b.get('/trust/reports');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('All schools together');
    expect(page.body).toContain(fx.school.name);
    expect(page.body).toContain(off.school.name);
    expect(page.body).toContain('22 incidents were reported in this period');
    for (const school of [fx, off])
      for (const name of await namesOf(school.school.id)) expect(page.body).not.toContain(name);
    const outsider = await createSchool(ctx.services, { pupils: 2 });
    expect((await b.get('/trust/reports')).body).not.toContain(outsider.school.name);
  });

  it('a new incident shows on the next request (the kept report is checked against the school’s version)', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    expect((await b.get('/reports/governors')).body).toContain('22 incidents were reported');
    await seedIncidents(fx.school.id, fx.staff.dsl.id, [['commerce', 1]], 100);
    const after = await b.get('/reports/governors');
    expect(after.body).toContain('23 incidents were reported');
    expect(after.body).toMatch(
      /Commerce[^<]*<\/th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">fewer than 5</,
    );
  });

  it('the navigation shows the report to a governor only when the profile gives it to them', async () => {
    // The menu's "Policy and reports" leads to the section's page, which links to the report.
    const toSection = /class="govuk-service-navigation__link" href="\/section\/policy-and-reports"/;
    const link = /<a class="govuk-link" href="\/reports\/governors">Governors’ report<\/a>/;
    type Signed = Awaited<ReturnType<typeof signedIn>>;
    const offered = async (b: Signed) => {
      const home = await b.get('/');
      expect(home.statusCode).toBe(200);
      const section = await b.get('/section/policy-and-reports');
      return toSection.test(home.body) && section.statusCode === 200 && link.test(section.body);
    };
    // The profile says yes: the governor's navigation has the report, on every page.
    const on = await signedIn(fx.staff.governor.email);
    expect(await offered(on)).toBe(true);
    const report = await on.get('/reports/governors');
    expect(report.body).toMatch(/href="\/section\/policy-and-reports" aria-current="true"/);
    // The profile says no: the menu leads straight to the policy (the report's page is a 404),
    // while the Headteacher still has it.
    const offGovernor = await signedIn(off.staff.governor.email);
    expect(await offered(offGovernor)).toBe(false);
    expect((await offGovernor.get('/')).body).toMatch(
      /class="govuk-service-navigation__link" href="\/policy"/,
    );
    expect((await offGovernor.get('/reports/governors')).statusCode).toBe(404);
    const offHead = await signedIn(off.staff.headteacher.email);
    expect(await offered(offHead)).toBe(true);
    // Turning the rule on shows the link on the governor's next page (the kept rule follows
    // the school's version), and off again hides it.
    const setRule = async (answer: 'yes' | 'no') => {
      const current = await ctx.services.policies.current(off.school.id);
      await ctx.services.policies.updateSettings(
        off.school.id,
        { kind: 'staff', id: off.staff.headteacher.id },
        {
          answers: { 'review.governorsMonitoringReport': answer },
          note: 'The governors’ report, for the navigation test',
          expectedVersion: current.version,
        },
      );
    };
    await setRule('yes');
    expect(await offered(offGovernor)).toBe(true);
    expect((await offGovernor.get('/reports/governors')).statusCode).toBe(200);
    await setRule('no');
    expect(await offered(offGovernor)).toBe(false);
    expect((await offGovernor.get('/reports/governors')).statusCode).toBe(404);
  });

  it('training and acknowledgement figures stand at the end of the chosen period, not today', async () => {
    const b = await signedIn(fx.staff.headteacher.email);
    const today = ukDate(ctx.services.clock.now());
    const start = Number(termKey.slice(0, 4));
    const lastYear = `${start - 1}-${String(start % 100).padStart(2, '0')}`;
    // Every member of staff in post acknowledges the current version today.
    const staffIds = Object.values(fx.staff).map((s) => s.id);
    for (const id of staffIds)
      await ctx.services.acknowledgements.acknowledge({
        kind: 'staff',
        id,
        schoolId: fx.school.id,
      });
    const { rows } = await ctx.services.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM staff WHERE school_id = $1 AND active
          AND (start_date IS NULL OR start_date <= $2::date)`,
      [fx.school.id, today],
    );
    const inPost = rows[0]!.n;
    expect(inPost).toBeGreaterThanOrEqual(5);
    const ackRow = (label: string, value: string) =>
      new RegExp(
        `<th scope="row" class="govuk-table__header">${label}</th>\\s*<td class="govuk-table__cell govuk-table__cell--numeric">${value}</td>`,
      );
    // This term (not ended): as it stands today, everyone has acknowledged.
    const now = await b.get(`/reports/governors?period=${termKey}`);
    expect(now.body).toContain('This period has not ended');
    expect(now.body).toMatch(ackRow('Acknowledged the version then required', String(inPost)));
    expect(now.body).toMatch(ackRow('Not yet acknowledged', '0'));
    // Last school year (ended): on its last day nobody had acknowledged anything yet.
    const past = await b.get(`/reports/governors?period=${lastYear}`);
    expect(past.statusCode).toBe(200);
    expect(past.body).toContain(`as they stood at the end of the period, on 31 August ${start}`);
    expect(past.body).toMatch(ackRow('Acknowledged the version then required', '0'));
    expect(past.body).toMatch(ackRow('Not yet acknowledged', String(inPost)));
    // A member of staff who started after that day is not counted in it.
    await ctx.services.database.pool.query(`UPDATE staff SET start_date = $2 WHERE id = $1`, [
      fx.staff.volunteer.id,
      `${start}-10-01`,
    ]);
    const later = await b.get(`/reports/governors?period=${lastYear}`);
    expect(later.body).toMatch(ackRow('Not yet acknowledged', String(inPost - 1)));
  });
  it('shows the period’s latest annual filtering and monitoring review as recorded: its date, who recorded it and their words; the trust sees none of it (issue 17 item 7)', async () => {
    const filtering = ctx.services.conductFiltering;
    const ict = {
      kind: 'staff' as const,
      id: fx.staff.ict_technician.id,
      schoolId: fx.school.id,
      roles: ['ict_technician' as const],
      name: 'ICT Technician',
    };
    const today = ukDate(ctx.services.clock.now());
    const start = Number(termKey.slice(0, 4));
    const lastYear = `${start - 1}-${String(start % 100).padStart(2, '0')}`;
    const b = await signedIn(fx.staff.governor.email);
    expect((await b.get(`/reports/governors?period=${termKey}`)).body).toContain(
      'No annual review of filtering and monitoring was recorded in this period.',
    );
    // Last school year's review, this term's check (not a review), then this term's review.
    await filtering.addCheck(ict, {
      kind: 'review',
      checkedOn: `${start - 1}-11-15`,
      outcome: 'working',
      findings: 'Last year: the provision met the standards.',
      actions: '',
    });
    await filtering.addCheck(ict, {
      kind: 'check',
      checkedOn: today,
      outcome: 'working',
      findings: 'A termly check of the test pages.',
      actions: '',
    });
    await filtering.addCheck(ict, {
      kind: 'review',
      checkedOn: today,
      outcome: 'problems_found',
      findings:
        'Reviewed with the DSL & a governor: <alerts> reached the DSL a day late.\nThe Year 6 tablets were not in monitoring.',
      actions: 'Enrol the tablets; send alerts to the DSL’s phone.',
    });
    const name = 'ict technician Tester';
    const page = (await b.get(`/reports/governors?period=${termKey}`)).body;
    expect(page).toContain('The latest annual review of filtering and monitoring');
    const item = (label: string, value: string) =>
      new RegExp(
        `<dt class="govuk-summary-list__key">${label}</dt>\\s*<dd class="govuk-summary-list__value">${value}</dd>`,
      );
    expect(page).toMatch(item('Date', formatDateInWords(today)));
    expect(page).toMatch(item('Recorded by', name));
    expect(page).toMatch(item('Outcome', 'Problems found'));
    // The reviewer's words, escaped, their line breaks kept.
    expect(page).toMatch(
      item(
        'Findings',
        'Reviewed with the DSL &amp; a governor: &lt;alerts&gt; reached the DSL a day late.<br />\\nThe Year 6 tablets were not in monitoring.',
      ),
    );
    expect(page).toMatch(item('Actions', 'Enrol the tablets; send alerts to the DSL’s phone.'));
    expect(page).not.toContain('<alerts>');
    expect(page).not.toContain('A termly check of the test pages.');
    expect(page).not.toContain('Last year: the provision met the standards.');
    // Last school year's report has last year's review.
    const past = (await b.get(`/reports/governors?period=${lastYear}`)).body;
    expect(past).toMatch(item('Findings', 'Last year: the provision met the standards.'));
    expect(past).toMatch(item('Outcome', 'Working as expected'));
    expect(past).not.toContain('Year 6 tablets');
    // The PDF says the same.
    const pdf = await b.get(`/reports/governors.pdf?period=${termKey}`);
    expect(pdf.statusCode).toBe(200);
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('The latest annual review of filtering and monitoring');
    expect(text).toContain(name);
    expect(text).toContain('The Year 6 tablets were not in monitoring.');
    expect(text).toContain('Problems found');
    expect(pdf.rawPayload.toString('latin1')).toMatch(/\/S \/LBody/);
    // The trust sees figures only: not the review's words, nor who recorded it.
    const trust = (await (await signedIn(admin.email)).get('/trust/reports')).body;
    expect(trust).toContain(fx.school.name);
    expect(trust).not.toContain(name);
    expect(trust).not.toContain('Year 6 tablets');
    expect(trust).not.toContain('The latest annual review of filtering and monitoring');
  });
});
