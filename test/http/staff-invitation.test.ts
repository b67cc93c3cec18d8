import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import { SESSION_COOKIE } from '../../src/modules/auth/auth.routes.ts';
import { STAFF_INVITATION_TTL_DAYS } from '../../src/modules/auth/auth.service.ts';
import { formatDateTimeInWords } from '../../src/web/dates.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, totpNow } from '../support/http.ts';
import { Browser, requestLink, signInWithLink } from '../support/http-principals.ts';

/**
 * Staff added in the app get an invitation email with a one-time "set your password" link
 * (issue 9 item 3 follow-up): the job is enqueued with the staff row, the mail goes through the
 * real SMTP sink, the link sets a password once and never signs anyone in.
 */
describe('staff invitations: set your password', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  const NEW_PASSWORD = 'correct horse battery staple';

  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await ctx.services.database.pool.query(text, values)).rows as T[];

  const principal = (role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: A.staff[role].id,
    schoolId: A.school.id,
    roles: [role],
    name: role,
  });

  /** Runs queued invitations in this process and returns the link in the newest email. */
  async function invitationLink(email: string, since: number): Promise<string> {
    ctx.services.auth.deliverQueuedStaffInvitations();
    await ctx.platform.jobs.idle();
    const mail = await ctx.sink.waitFor(email, { since });
    const m = /https?:\/\/[^/\s]+(\/set-password\/[A-Za-z0-9_-]+)/.exec(mail.text);
    if (!m?.[1]) throw new Error(`no set-password link in the email to ${email}:\n${mail.text}`);
    return m[1];
  }

  /** The set-password link in the newest email already received by `email`. */
  async function invitationLinkAgain(email: string): Promise<string> {
    const mail = ctx.sink.messages.filter((m) => m.to.includes(email)).at(-1)!;
    return /https?:\/\/[^/\s]+(\/set-password\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
  }

  async function addThroughPage(
    who: Browser,
    fields: { givenName: string; familyName: string; email: string; roles: StaffRole[] },
  ) {
    await who.get('/staff/new');
    const body = new URLSearchParams([
      ['_csrf', who.csrf ?? ''],
      ['givenName', fields.givenName],
      ['familyName', fields.familyName],
      ['email', fields.email],
      ['jobTitle', ''],
      ...fields.roles.map((r): [string, string] => ['roles', r]),
    ]).toString();
    return who.request({
      method: 'POST',
      url: '/staff/new',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  const staffId = async (email: string) =>
    (await q<{ id: string }>('SELECT id FROM staff WHERE email = $1', [email]))[0]!.id;
  const passwordHash = async (email: string) =>
    (
      await q<{ h: string | null }>('SELECT password_hash AS h FROM staff WHERE email = $1', [
        email,
      ])
    )[0]!.h;

  let head: Browser;
  let manager: Browser;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    A = await createSchool(ctx.services, { slug: 'invite-a', pupils: 3 });
    head = new Browser(app);
    manager = new Browser(app);
    await head.signIn(A.staff.headteacher.email);
    await manager.signIn(A.staff.business_manager.email);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('emails a new member of staff a link that sets their password once; then they sign in with it', async () => {
    const email = 'nia.okafor@invite-a.test';
    const since = ctx.sink.lastId();
    const added = await addThroughPage(manager, {
      givenName: 'Nia',
      familyName: 'Okafor',
      email,
      roles: ['teacher'],
    });
    expect(added.statusCode).toBe(303);
    const id = await staffId(email);
    // The job carries the id only (and when it was asked for), never the address.
    const jobs = await q<{ data: Record<string, unknown> }>(
      `SELECT data FROM pgboss.job WHERE name = 'auth.staff-invitation' AND data->>'staffId' = $1`,
      [id],
    );
    expect(jobs).toHaveLength(1);
    expect(JSON.stringify(jobs[0]!.data)).not.toContain(email);

    const link = await invitationLink(email, since);
    const mail = ctx.sink.messages.filter((m) => m.id > since && m.to.includes(email)).at(-1)!;
    expect(mail.subject).toContain('Set your password');
    expect(mail.text).toContain(`expires in ${STAFF_INVITATION_TTL_DAYS} days`);
    const row = (
      await q<{ expires_at: Date; created_at: Date; principal_kind: string }>(
        'SELECT expires_at, created_at, principal_kind FROM sign_in_links WHERE principal_id = $1',
        [id],
      )
    )[0]!;
    expect(row.principal_kind).toBe('staff_invitation');
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(7 * 86_400_000);
    expect(mail.text).toContain(formatDateTimeInWords(row.expires_at));
    expect(mail.text).toMatch(/at \d{1,2}:\d{2}(am|pm)/);

    // The staff page says an invitation is waiting, in words.
    const pending = await manager.get(`/staff/${id}/edit`);
    expect(pending.body).toContain(`Invitation sent on ${formatDateTimeInWords(row.created_at)}`);
    expect(pending.body).toContain('not yet accepted');
    expect(pending.body).toContain('Send a new invitation');

    const list = await manager.get('/staff?q=Okafor');
    expect(list.body).toContain('Active, has not set a password yet');
    expect(list.body).not.toContain('$argon2');
    const nia = new Browser(app);
    const page = await nia.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Set your password');
    expect(page.body).toContain(email);
    expect(page.body).toContain('name="_csrf"');

    // Errors: in the summary, nothing changed, no password echoed back.
    const short = await nia.post(link, { password: 'short pass', confirmPassword: 'short pass' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('govuk-error-summary');
    expect(short.body).toContain('at least 12 characters');
    expect(short.body).not.toContain('short pass');
    const mismatch = await nia.post(link, {
      password: NEW_PASSWORD,
      confirmPassword: `${NEW_PASSWORD}!`,
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('The passwords do not match');
    expect(mismatch.body).not.toContain(NEW_PASSWORD);
    const own = await nia.post(link, { password: email, confirmPassword: email });
    expect(own.statusCode).toBe(400);
    expect(own.body).toContain('must not be your email address');
    expect(await passwordHash(email)).toBeNull();

    const set = await nia.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe('/sign-in');
    // Setting a password signs nobody in.
    expect(set.cookies.some((c) => c.name === SESSION_COOKIE && c.value !== '')).toBe(false);
    const signInPage = await nia.get('/sign-in');
    expect(signInPage.body).toContain('Your password is set. Sign in');
    expect(await passwordHash(email)).toMatch(/^\$argon2id\$/);
    const audit = await q<{ actor_id: string; data: Record<string, unknown> }>(
      `SELECT actor_id, data FROM audit_events WHERE action = 'auth.password-set' AND entity_id = $1`,
      [id],
    );
    expect(audit).toEqual([{ actor_id: id, data: { from: 'invitation' } }]);

    const signIn = await nia.post('/sign-in', { email, password: NEW_PASSWORD });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/');
    expect((await nia.get('/')).statusCode).toBe(200);

    // Once only: the link is used up, on the page and on a replayed post.
    const again = new Browser(app);
    const reopened = await again.get(link);
    expect(reopened.statusCode).toBe(410);
    expect(reopened.body).toContain('already been used');
    expect(reopened.body).toContain('Headteacher or business manager');
    await again.get('/sign-in');
    const replay2 = await again.post(link, {
      password: 'another long password',
      confirmPassword: 'another long password',
    });
    expect(replay2.statusCode).toBe(410);
    expect(
      (await nia.post('/sign-in', { email, password: NEW_PASSWORD }, { csrfFrom: '/sign-in' }))
        .statusCode,
    ).toBe(303);

    // The staff page now says they have set it; no invitation button.
    const done = await manager.get(`/staff/${id}/edit`);
    expect(done.body).toContain('Set their password from the invitation on');
    expect(done.body).not.toContain('Send a new invitation');
    expect((await manager.get('/staff?q=Okafor')).body).not.toContain('has not set a password');
    const resend = await manager.post(`/staff/${id}/invitation`, {});
    expect(resend.statusCode).toBe(400);
    expect(resend.body).toContain('already set a password');
  });

  it('a role that needs a second factor sets up the authenticator app at its first sign-in', async () => {
    const email = 'dee.safe@invite-a.test';
    const since = ctx.sink.lastId();
    expect(
      (await addThroughPage(head, { givenName: 'Dee', familyName: 'Safe', email, roles: ['dsl'] }))
        .statusCode,
    ).toBe(303);
    const link = await invitationLink(email, since);
    const mail = ctx.sink.messages.filter((m) => m.id > since && m.to.includes(email)).at(-1)!;
    expect(mail.text).toContain('two-step sign-in');
    const dee = new Browser(app);
    await dee.get(link);
    expect(
      (await dee.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).statusCode,
    ).toBe(303);
    const signIn = await dee.post(
      '/sign-in',
      { email, password: NEW_PASSWORD },
      { csrfFrom: '/sign-in' },
    );
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/account/two-factor/set-up');
    const setUp = await dee.get('/account/two-factor/set-up');
    expect(setUp.statusCode).toBe(200);
    expect(setUp.body).toContain('<svg');
    // Nothing else opens until the second factor is set up.
    expect((await dee.get('/staff')).headers.location).toBe('/account/two-factor/set-up');
    const secret = /<code class="lanyard-secret">([A-Z2-7]+)<\/code>/.exec(setUp.body)![1]!;
    const enrolled = await dee.post('/account/two-factor/set-up', { code: totpNow(secret) });
    expect(enrolled.statusCode).toBe(303);
    expect(enrolled.headers.location).toBe('/');
    expect((await dee.get('/staff')).statusCode).toBe(200);
  });

  it('refuses an expired link, a parent’s sign-in link, and a deactivated account’s link; an invitation never signs in', async () => {
    // Expired.
    const email = 'exp.ired@invite-a.test';
    let since = ctx.sink.lastId();
    await addThroughPage(head, { givenName: 'Ex', familyName: 'Pired', email, roles: ['teacher'] });
    const expired = await invitationLink(email, since);
    await q(
      `UPDATE sign_in_links SET expires_at = now() - interval '1 minute' WHERE principal_id = $1`,
      [await staffId(email)],
    );
    const x = new Browser(app);
    const page = await x.get(expired);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has expired');
    expect(page.body).toContain('Headteacher or business manager');
    await x.get('/sign-in');
    expect(
      (await x.post(expired, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).statusCode,
    ).toBe(410);
    expect(await passwordHash(email)).toBeNull();
    const staffPage = await head.get(`/staff/${await staffId(email)}/edit`);
    expect(staffPage.body).toContain('not accepted. The link expired on');

    // A parent's sign-in link sets no password, and is not used up by trying.
    const parent = new Browser(app);
    const parentLink = await requestLink(parent, ctx, A.parent.email!);
    const asInvitation = parentLink.replace('/sign-in/link/', '/set-password/');
    const p1 = await parent.get(asInvitation);
    expect(p1.statusCode).toBe(410);
    expect(p1.body).toContain('not valid');
    await parent.get('/sign-in');
    expect(
      (await parent.post(asInvitation, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }))
        .statusCode,
    ).toBe(410);
    expect((await parent.get(parentLink)).statusCode).toBe(200);

    // An invitation link on the sign-in link page is unknown, and stays usable for its purpose.
    const email2 = 'never.session@invite-a.test';
    since = ctx.sink.lastId();
    await addThroughPage(head, {
      givenName: 'Nev',
      familyName: 'Session',
      email: email2,
      roles: ['office'],
    });
    const invite = await invitationLink(email2, since);
    const asSignIn = invite.replace('/set-password/', '/sign-in/link/');
    const s = new Browser(app);
    expect((await s.get(asSignIn)).statusCode).toBe(410);
    await s.get('/sign-in');
    const forced = await s.post(asSignIn, {});
    expect(forced.statusCode).toBe(410);
    expect(forced.cookies.some((c) => c.name === SESSION_COOKIE && c.value !== '')).toBe(false);
    expect((await s.get(invite)).statusCode).toBe(200);

    // Deactivated before using it: the link does nothing.
    const id2 = await staffId(email2);
    expect(
      (await head.post(`/staff/${id2}/deactivate`, {}, { csrfFrom: `/staff/${id2}/edit` }))
        .statusCode,
    ).toBe(303);
    const d = new Browser(app);
    expect((await d.get(invite)).statusCode).toBe(410);
    await d.get('/sign-in');
    expect(
      (await d.post(invite, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).statusCode,
    ).toBe(410);
    expect(await passwordHash(email2)).toBeNull();
    const resend = await head.post(
      `/staff/${id2}/invitation`,
      {},
      { csrfFrom: `/staff/${id2}/edit` },
    );
    expect(resend.statusCode).toBe(400);
    expect(resend.body).toContain('reactivate it before sending an invitation');
  });

  it('sends a new invitation from the staff page (Headteacher, Business Manager; 404 for others); only the newest link works', async () => {
    const email = 're.send@invite-a.test';
    let since = ctx.sink.lastId();
    await addThroughPage(head, {
      givenName: 'Re',
      familyName: 'Send',
      email,
      roles: ['support_staff'],
    });
    const first = await invitationLink(email, since);
    const id = await staffId(email);

    for (const role of ['dsl', 'dpo', 'office', 'teacher', 'governor'] as const) {
      const b = new Browser(app);
      await b.signIn(A.staff[role].email);
      const res = await b.post(`/staff/${id}/invitation`, {}, { csrfFrom: '/' });
      expect(res.statusCode, role).toBe(404);
    }
    expect(await q(`SELECT 1 FROM audit_events WHERE action = 'people.staff-invited'`)).toEqual([]);

    since = ctx.sink.lastId();
    const res = await manager.post(
      `/staff/${id}/invitation`,
      {},
      { csrfFrom: `/staff/${id}/edit` },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/staff/${id}/edit`);
    const second = await invitationLink(email, since);
    expect(second).not.toBe(first);
    expect((await new Browser(app).get(first)).statusCode).toBe(410);
    expect((await new Browser(app).get(second)).statusCode).toBe(200);
    const audit = await q<{ actor_id: string }>(
      `SELECT actor_id FROM audit_events WHERE action = 'people.staff-invited' AND entity_id = $1`,
      [id],
    );
    expect(audit).toEqual([{ actor_id: A.staff.business_manager.id }]);

    since = ctx.sink.lastId();
    expect(
      (await head.post(`/staff/${id}/invitation`, {}, { csrfFrom: `/staff/${id}/edit` }))
        .statusCode,
    ).toBe(303);
    await invitationLink(email, since);

    // Two tabs (or a double click) set the password at once: exactly one wins.
    const newest = (
      await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM sign_in_links WHERE principal_id = $1 AND used_at IS NULL`,
        [id],
      )
    )[0]!.n;
    expect(newest).toBe(1);
    const tabs = [new Browser(app), new Browser(app)];
    const latest = await invitationLinkAgain(email);
    for (const t of tabs) await t.get(latest);
    const results = await Promise.all(
      tabs.map((t, i) =>
        t.post(latest, {
          password: `${NEW_PASSWORD} ${i}`,
          confirmPassword: `${NEW_PASSWORD} ${i}`,
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 410]);
    expect(
      await q(`SELECT 1 FROM audit_events WHERE action = 'auth.password-set' AND entity_id = $1`, [
        id,
      ]),
    ).toHaveLength(1);
  });

  it('enqueues the invitation in the add’s transaction: a rolled-back add sends nothing; the job is safe to run twice; the API invites too', async () => {
    const email = 'rolled.back@invite-a.test';
    const jobsBefore = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'auth.staff-invitation'`,
    );
    // Fails the transaction at its commit, after the staff row, audit event and job are written.
    await q(`CREATE FUNCTION test_refuse_staff() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.email = '${email}' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NEW; END $$`);
    await q(`CREATE CONSTRAINT TRIGGER test_refuse_staff AFTER INSERT ON staff
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_staff()`);
    try {
      const since = ctx.sink.lastId();
      await expect(
        ctx.services.people.addStaff(principal('headteacher'), {
          givenName: 'Rolled',
          familyName: 'Back',
          email,
          jobTitle: null,
          roles: ['teacher'],
        }),
      ).rejects.toThrow();
      ctx.services.auth.deliverQueuedStaffInvitations();
      await ctx.platform.jobs.idle();
      expect(await q('SELECT 1 FROM staff WHERE email = $1', [email])).toEqual([]);
      expect(
        await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'auth.staff-invitation'`,
        ),
      ).toEqual(jobsBefore);
      await new Promise((r) => setTimeout(r, 300));
      expect(ctx.sink.messages.filter((m) => m.id > since && m.to.includes(email))).toEqual([]);
    } finally {
      await q('DROP TRIGGER test_refuse_staff ON staff');
      await q('DROP FUNCTION test_refuse_staff()');
    }

    // The job run twice (a retry) makes one link and sends one email.
    const twice = 'run.twice@invite-a.test';
    const requestedAt = new Date(Date.now() - 1000).toISOString();
    const since = ctx.sink.lastId();
    const token = await ctx.services.auth.createApiToken(
      A.staff.headteacher.id,
      A.school.id,
      'inv',
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        givenName: 'Run',
        familyName: 'Twice',
        email: twice,
        jobTitle: null,
        roles: ['volunteer'],
      }),
    });
    expect(res.statusCode).toBe(200);
    const link = await invitationLink(twice, since);
    const id = await staffId(twice);
    await ctx.services.auth.sendStaffInvitation({ staffId: id, requestedAt });
    await ctx.services.auth.sendStaffInvitation({ staffId: id, requestedAt });
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.sink.messages.filter((m) => m.id > since && m.to.includes(twice))).toHaveLength(1);
    expect(await q('SELECT 1 FROM sign_in_links WHERE principal_id = $1', [id])).toHaveLength(1);
    expect((await new Browser(app).get(link)).statusCode).toBe(200);
  });

  it('a parent who is signed in cannot use the set-password pages to reach a staff account', async () => {
    const parent = new Browser(app);
    await signInWithLink(parent, ctx, A.parent.email!);
    const res = await parent.get('/set-password/not-a-real-token');
    expect(res.statusCode).toBe(410);
    expect(res.body).not.toContain('@invite-a.test');
  });
});
