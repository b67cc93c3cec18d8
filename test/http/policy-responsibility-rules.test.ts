/**
 * Rules that name a responsibility as well as a role (issue 15 item 2), at a school on the 000
 * template (Jump Primary): its policy has staff report cyberbullying "to the E-Safety
 * Co-ordinator or the Headteacher", so `incidents.reportToResponsibilities` names the
 * E-Safety Co-ordinator. The member of staff the Headteacher gives that responsibility is told
 * of new reports (not safeguarding concerns), sees them on the home page and deals with them;
 * once it is taken away, nothing. `roles.approverResponsibilities`: a holder approves posts.
 * Role titles in the school's words reach the audit log and the staff pages' errors, on the next
 * request after the profile changes (a plain-SQL change included: ADR 0018's school version).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { asStaff } from '../support/publishing.ts';
import {
  getTemplate,
  policySettingsSchema,
  type PolicySettings,
} from '../../src/modules/policies/index.ts';

const WORDS = 'A parent posted that Mr Smith shouts at children';

describe('rules naming a responsibility (the 000 template)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  let coordinator: Browser;
  let office: Browser;
  let bm: Browser;

  const headActor = () => ({ kind: 'staff' as const, id: fx.staff.headteacher.id });
  const coordinatorId = () => fx.staff.support_staff.id;

  /** A new version of the school's profile, written with plain SQL (as another process could). */
  const changeProfile = async (change: (s: PolicySettings) => void) => {
    const pool = ctx.services.database.pool;
    const { rows } = await pool.query<{
      id: string;
      current_version: number;
      settings: PolicySettings;
    }>(
      `SELECT p.id, p.current_version, v.settings FROM policy_profiles p
         JOIN policy_profile_versions v ON v.profile_id = p.id AND v.version = p.current_version
        WHERE p.school_id = $1`,
      [fx.school.id],
    );
    const row = rows[0]!;
    change(row.settings);
    const version = row.current_version + 1;
    await pool.query(
      `INSERT INTO policy_profile_versions (school_id, profile_id, version, settings, change_note)
       VALUES ($1, $2, $3, $4, 'test: a rule naming a responsibility')`,
      [fx.school.id, row.id, version, JSON.stringify(row.settings)],
    );
    await pool.query('UPDATE policy_profiles SET current_version = $1 WHERE id = $2', [
      version,
      row.id,
    ]);
  };

  const report = async (concern: 'yes' | 'no', whatHappened: string) => {
    await office.get('/report/concern');
    const body = multipartBody({
      _csrf: office.csrf ?? '',
      reporterConcern: concern,
      whatHappened,
      platform: 'facebook',
      pupils: fx.pupils[0]!.id,
    });
    const res = await office.request({
      method: 'POST',
      url: '/report/concern',
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
    expect(res.statusCode).toBe(303);
    return /\/report\/([0-9a-f-]{36})\/receipt/.exec(res.headers.location ?? '')![1]!;
  };

  /** The staff form with two roles (a repeated field, as the checkboxes send it). */
  const addDara = async (b: Browser) => {
    await b.get('/staff/new');
    return b.request({
      method: 'POST',
      url: '/staff/new',
      payload: new URLSearchParams([
        ['_csrf', b.csrf ?? ''],
        ['givenName', 'Dara'],
        ['familyName', 'Lowe'],
        ['email', 'dara.lowe@jump.test'],
        ['roles', 'teacher'],
        ['roles', 'dsl'],
      ]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  };

  const mailTo = (email: string, since: number) =>
    ctx.sink.messages.filter(
      (m) => m.id > since && m.to.some((t) => t.toLowerCase() === email.toLowerCase()),
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2, template: 'jump-primary' });
    head = new Browser(app);
    coordinator = new Browser(app);
    office = new Browser(app);
    bm = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    await coordinator.signIn(fx.staff.support_staff.email);
    await office.signIn(fx.staff.office.email);
    await bm.signIn(fx.staff.business_manager.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('the 000 template names the E-Safety Co-ordinator as a recipient of reports, cited', () => {
    const rule = getTemplate('jump-primary')!.settings.incidents.reportToResponsibilities;
    expect(rule.value).toEqual(['esafety_coordinator']);
    expect(rule.citation).toMatchObject({ seed: '000', section: 'Cyberbullying' });
    // A rule may name only one of the school's responsibilities.
    const settings = structuredClone(getTemplate('jump-primary')!.settings) as PolicySettings;
    const parsed = policySettingsSchema.safeParse({
      ...settings,
      roles: {
        ...settings.roles,
        approverResponsibilities: { ...settings.roles.approverRole, value: ['no_such_thing'] },
      },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('approverResponsibilities');
  });

  it('tells the E-Safety Co-ordinator of a report, shows it on their home page and lets them deal with it', async () => {
    const before = await report('no', `${WORDS} (before)`);
    // Not yet given the responsibility: nothing.
    expect((await coordinator.get(`/incidents/${before}`)).statusCode).toBe(404);

    await ctx.services.responsibilities.give(fx.school.id, headActor(), {
      staffId: coordinatorId(),
      responsibilityKey: 'esafety_coordinator',
    });
    const id = await report('no', WORDS);
    const since = ctx.sink.lastId();
    await ctx.services.incidents.sendAlert(fx.school.id, id);
    const mail = await ctx.sink.waitFor(fx.staff.support_staff.email, { since });
    expect(mail.text).toContain(`/incidents/${id}`);
    expect(mail.text).not.toContain('Mr Smith');

    const page = await coordinator.get(`/incidents/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(WORDS);
    const list = await coordinator.get('/incidents');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(id);
    const home = await coordinator.get('/');
    expect(home.body).toMatch(/\d+ new reports?/);
  });

  it('keeps a safeguarding concern from them: no email, no case', async () => {
    const id = await report('yes', 'Jordan was sent threats in the group chat');
    const since = ctx.sink.lastId();
    await ctx.services.incidents.sendAlert(fx.school.id, id);
    await ctx.sink.waitFor(fx.staff.dsl.email, { since });
    expect(mailTo(fx.staff.support_staff.email, since)).toEqual([]);
    expect((await coordinator.get(`/incidents/${id}`)).statusCode).toBe(404);
    expect((await coordinator.get('/incidents')).body).not.toContain(id);
  });

  it('takes it all away with the responsibility, on the next request', async () => {
    const id = await report('no', `${WORDS} (after)`);
    expect((await coordinator.get(`/incidents/${id}`)).statusCode).toBe(200);
    const { rows } = await ctx.services.database.pool.query<{ id: string }>(
      `SELECT id FROM responsibility_holders WHERE staff_id = $1 AND removed_at IS NULL`,
      [coordinatorId()],
    );
    await ctx.services.responsibilities.remove(fx.school.id, headActor(), rows[0]!.id);
    expect((await coordinator.get(`/incidents/${id}`)).statusCode).toBe(404);
    expect((await coordinator.get('/')).body).not.toMatch(/\d+ new reports?/);
    const since = ctx.sink.lastId();
    await ctx.services.incidents.sendAlert(fx.school.id, id);
    await ctx.sink.waitFor(fx.staff.headteacher.email, { since });
    expect(mailTo(fx.staff.support_staff.email, since)).toEqual([]);
  });

  it('lets a holder of an approver responsibility approve posts (roles.approverResponsibilities)', async () => {
    const teacher = asStaff(fx, 'teacher');
    expect(await ctx.services.posts.isApprover(teacher)).toBe(false);
    await ctx.services.responsibilities.give(fx.school.id, headActor(), {
      staffId: fx.staff.teacher.id,
      responsibilityKey: 'publicity_poster',
    });
    // Holding it is not enough until the profile names it.
    expect(await ctx.services.posts.isApprover(teacher)).toBe(false);
    await changeProfile((s) => {
      s.roles.approverResponsibilities.value = ['publicity_poster'];
    });
    expect(await ctx.services.posts.isApprover(teacher)).toBe(true);
    expect(await ctx.services.posts.approverFor(teacher)).toEqual({
      role: 'headteacher',
      byResponsibility: true,
    });
    // Another member of staff without it is not an approver.
    expect(await ctx.services.posts.isApprover(asStaff(fx, 'support_staff'))).toBe(false);
  });

  it('names roles in the school’s words in the audit log and the staff pages’ errors, at once', async () => {
    // Seen once with Lanyard's titles (now cached) …
    const first = await addDara(bm);
    expect(first.statusCode).toBe(400);
    // … then changed by plain SQL, as another process would.
    await changeProfile((s) => {
      s.people.roleTitles.value = {
        ...s.people.roleTitles.value,
        headteacher: 'Head of School',
        dsl: 'Child Protection Lead',
      };
    });
    const refused = await addDara(bm);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      'Only the Head of School can give or take away the Child Protection Lead role',
    );
    const added = await addDara(head);
    expect(added.statusCode).toBe(303);
    const log = await head.get('/audit');
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('Child Protection Lead');
    expect(log.body).not.toContain('as Teacher, Designated Safeguarding Lead');
  });
});
