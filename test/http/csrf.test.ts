import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredRoute } from '../../src/app.ts';
import { staffRoles, type Principal, type StaffRole } from '../../src/modules/auth/principal.ts';
import { PeopleRepository } from '../../src/modules/people/people.repository.ts';
import { SESSION_COOKIE } from '../../src/modules/auth/auth.routes.ts';
import { hashPassword } from '../../src/platform/crypto.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody, totpNow } from '../support/http.ts';
import {
  Browser,
  formsOf,
  requestLink,
  signInWithLink,
  stateSnapshot,
} from '../support/http-principals.ts';
import { formEntries } from '../support/policy-editor.ts';

type Variant = 'no token' | 'forged token' | 'token from another browser' | 'no CSRF cookie';
const variants: Variant[] = [
  'no token',
  'forged token',
  'token from another browser',
  'no CSRF cookie',
];

interface Upload {
  filename: string;
  content: Buffer;
}

interface Case {
  who: Browser;
  /** The page a person would post from (sets the CSRF cookie and token). */
  from: string;
  url: string;
  /** A form's fields; a list for a name sent several times (checkboxes, as a browser sends them). */
  fields: () => Promise<Fields> | Fields;
  file?: Upload;
  /** Extra proof, after the refused posts, that nothing happened. */
  unchanged?: () => Promise<void>;
}

type Fields = Record<string, string | string[]>;

const multipart = (fields: Fields, file?: Upload & { field?: string }) =>
  multipartBody(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])), file);

/** The fields as a browser sends them: a name once per value. */
const urlEncoded = (fields: Fields) =>
  new URLSearchParams(
    Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x])),
  ).toString();

async function send(
  who: Browser,
  url: string,
  fields: Fields,
  options: { file?: Upload; cookie?: string },
): Promise<LightMyRequestResponse> {
  const cookie = options.cookie ?? who.cookieString();
  if (options.file) {
    const body = multipart(fields, options.file);
    return who.request({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { cookie, 'content-type': body.contentType },
    });
  }
  return who.request({
    method: 'POST',
    url,
    payload: urlEncoded(fields),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });
}

const csv = Buffer.from('UPN,Forename,Surname,Date of birth,Year\nA1,Test,Pupil,2018-01-01,2\n');

describe('CSRF protection', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  let pendingHead: Browser;
  let enrolling: Browser;
  let teacher: Browser;
  let anonymous: Browser;
  let stranger: Browser;
  let parent: Browser;
  const byRole = new Map<StaffRole, Browser>();
  let importId: string;
  let link: string;
  let invitation: string;
  /** Another invited member of staff, whose invitation the resend case sends again. */
  let resendId: string;
  const enrolEmail = 'enrolling-dpo@csrf.test';

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { slug: 'csrf', pupils: 5 });
    await new PeopleRepository().createStaff(
      ctx.services.database.db,
      {
        schoolId: fx.school.id,
        email: enrolEmail,
        givenName: 'Enid',
        familyName: 'Enrol',
        passwordHash: await hashPassword(TEST_PASSWORD),
      },
      ['dpo'],
    );
    importId = await ctx.services.imports.upload(
      fx.school.id,
      { kind: 'staff', id: fx.staff.office.id },
      { filename: 'pupils.csv', data: csv },
      { queue: false },
    );
    head = new Browser(app);
    pendingHead = new Browser(app);
    enrolling = new Browser(app);
    teacher = new Browser(app);
    anonymous = new Browser(app);
    stranger = new Browser(app);
    parent = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    await teacher.signIn(fx.staff.teacher.email);
    await signInWithLink(parent, ctx, fx.parent.email!);
    byRole.set('headteacher', head);
    for (const role of staffRoles.filter((r) => r !== 'headteacher')) {
      const b = new Browser(app);
      await b.signIn(fx.staff[role].email);
      byRole.set(role, b);
    }
    await pendingHead.post(
      '/sign-in',
      { email: fx.staff.headteacher.email, password: TEST_PASSWORD },
      { csrfFrom: '/sign-in' },
    );
    await enrolling.post(
      '/sign-in',
      { email: enrolEmail, password: TEST_PASSWORD },
      { csrfFrom: '/sign-in' },
    );
    await stranger.signIn(fx.staff.office.email);
    await stranger.get('/');
    link = await requestLink(anonymous, ctx, fx.parent.email!);
    // A member of staff added in the app, and the "set your password" link they were emailed.
    const since = ctx.sink.lastId();
    await ctx.services.people.addStaff(
      {
        kind: 'staff',
        id: fx.staff.headteacher.id,
        schoolId: fx.school.id,
        roles: ['headteacher'],
        name: '',
      },
      {
        givenName: 'Ivy',
        familyName: 'Invite',
        email: 'ivy.invite@csrf.test',
        jobTitle: null,
        roles: ['teacher'],
      },
    );
    // Resending an invitation ends the link sent before, so the resend case uses someone else
    // (the routes are tried in the order the modules register them).
    resendId = (
      await ctx.services.people.addStaff(
        {
          kind: 'staff',
          id: fx.staff.headteacher.id,
          schoolId: fx.school.id,
          roles: ['headteacher'],
          name: '',
        },
        {
          givenName: 'Rex',
          familyName: 'Resend',
          email: 'rex.resend@csrf.test',
          jobTitle: null,
          roles: ['teacher'],
        },
      )
    ).id;
    ctx.services.auth.deliverQueuedStaffInvitations();
    await ctx.platform.jobs.idle();
    const mail = await ctx.sink.waitFor('ivy.invite@csrf.test', { since });
    invitation = /\/set-password\/[A-Za-z0-9_-]+/.exec(mail.text)![0];
    // A dozen sign-ins (each a password hash): slow when the machine is busy.
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  /** A real, would-succeed request for each POST route, from someone allowed to make it. */
  function cases(): Record<string, Case> {
    return {
      'POST /sign-in': {
        who: new Browser(app),
        from: '/sign-in',
        url: '/sign-in',
        fields: () => ({ email: fx.staff.support_staff.email, password: TEST_PASSWORD }),
      },
      'POST /sign-in/two-factor': {
        who: pendingHead,
        from: '/sign-in/two-factor',
        url: '/sign-in/two-factor',
        fields: () => ({ code: totpNow() }),
        unchanged: async () => {
          expect((await pendingHead.get('/')).headers.location).toBe('/sign-in/two-factor');
        },
      },
      'POST /account/two-factor/set-up': {
        who: enrolling,
        from: '/account/two-factor/set-up',
        url: '/account/two-factor/set-up',
        fields: async () => {
          const page = await enrolling.get('/account/two-factor/set-up');
          const secret = /<code class="lanyard-secret">([A-Z2-7]+)<\/code>/.exec(page.body)![1]!;
          return { code: totpNow(secret) };
        },
        unchanged: async () => {
          expect((await enrolling.get('/')).headers.location).toBe('/account/two-factor/set-up');
        },
      },
      'POST /sign-out': {
        who: teacher,
        from: '/',
        url: '/sign-out',
        fields: () => ({}),
        unchanged: async () => {
          expect((await teacher.get('/')).statusCode).toBe(200);
        },
      },
      'POST /sign-in/link': {
        who: new Browser(app),
        from: '/sign-in/link',
        url: '/sign-in/link',
        fields: () => ({ email: fx.parents[1]!.email! }),
      },
      'POST /sign-in/link/:token': {
        who: new Browser(app),
        from: link,
        url: link,
        fields: () => ({}),
        unchanged: async () => {
          expect((await new Browser(app).get(link)).statusCode).toBe(200);
        },
      },
      'POST /set-password/:token': {
        who: new Browser(app),
        from: invitation,
        url: invitation,
        fields: () => ({
          password: 'a long enough password',
          confirmPassword: 'a long enough password',
        }),
        unchanged: async () => {
          expect((await new Browser(app).get(invitation)).statusCode).toBe(200);
        },
      },
      'POST /staff/:id/invitation': {
        who: head,
        from: `/staff/${resendId}/edit`,
        url: `/staff/${resendId}/invitation`,
        fields: () => ({}),
      },
      'POST /imports/pupils': {
        who: head,
        from: '/imports/pupils',
        url: '/imports/pupils',
        fields: () => ({}),
        file: { filename: 'pupils.csv', content: csv },
      },
      'POST /imports/pupils/:id/confirm': {
        who: head,
        from: `/imports/pupils/${importId}`,
        url: `/imports/pupils/${importId}/confirm`,
        fields: () => ({}),
      },
      'POST /policy/adopt': {
        who: head,
        from: '/policy',
        url: '/policy/adopt',
        fields: () => ({ templateKey: ctx.services.policies.templates()[0]!.key }),
      },
      'POST /policy/edit': {
        who: head,
        from: '/policy/edit',
        url: '/policy/edit',
        fields: async () => {
          // Every field as the page has it (a checkbox list's every ticked box), one changed.
          const page = await head.get('/policy/edit');
          const values: Fields = {};
          for (const [name, value] of formEntries(page.body, '/policy/edit')) {
            const had = values[name];
            values[name] = had === undefined ? value : [...[had].flat(), value];
          }
          delete values._csrf;
          return { ...values, 'review.reminderDaysBefore': '17', note: 'Forged change' };
        },
      },
      'POST /policy/reviewed': {
        who: head,
        from: '/policy',
        url: '/policy/reviewed',
        fields: () => ({ reviewNote: 'Reviewed by the governors' }),
      },
    };
  }

  /** A route nobody wrote a case for still gets checked, from someone its access admits. */
  function fallback(route: RegisteredRoute): Case {
    const principals: [Browser, Principal][] = [
      [
        head,
        {
          kind: 'staff',
          id: fx.staff.headteacher.id,
          schoolId: fx.school.id,
          roles: ['headteacher'],
          name: '',
        },
      ],
      [
        stranger,
        {
          kind: 'staff',
          id: fx.staff.office.id,
          schoolId: fx.school.id,
          roles: ['office'],
          name: '',
        },
      ],
      [parent, { kind: 'parent', id: fx.parent.id, schoolId: fx.school.id, name: '' }],
      ...staffRoles.map((role): [Browser, Principal] => [
        byRole.get(role)!,
        { kind: 'staff', id: fx.staff[role].id, schoolId: fx.school.id, roles: [role], name: '' },
      ]),
    ];
    const access = route.access;
    const who =
      access === 'public'
        ? anonymous
        : access === 'second-factor'
          ? pendingHead
          : access === 'signed-in'
            ? head
            : (principals.find(([, p]) => access(p))?.[0] ?? head);
    const url = route.url.replace(/:(\w+)/g, (_, name: string) =>
      name === 'token' ? 'x'.repeat(43) : crypto.randomUUID(),
    );
    return {
      who,
      from: who === pendingHead ? '/sign-in/two-factor' : '/',
      url,
      fields: () => ({}),
    };
  }

  it('puts a token in every form that posts, on every page', async () => {
    const page = (who: Browser, url: string) => ({ who, url });
    const pages = [
      page(anonymous, '/sign-in'),
      page(anonymous, '/sign-in/link'),
      page(anonymous, link),
      page(new Browser(app), invitation),
      page(new Browser(app), '/privacy'),
      page(pendingHead, '/sign-in/two-factor'),
      page(enrolling, '/account/two-factor/set-up'),
    ];
    const fresh = new Browser(app);
    await fresh.signIn(fx.staff.headteacher.email);
    const headPrincipal: Principal = {
      kind: 'staff',
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher'],
      name: '',
    };
    const ids: Record<string, string> = {
      '/pupils/:id': fx.pupils[0]!.id,
      '/parents/:id': fx.parent.id,
      '/imports/pupils/:id': importId,
      '/policy/versions/:version': '1',
      '/consent/pupils/:id': fx.pupils[0]!.id,
      '/consent/pupils/:id/paper-form': fx.pupils[0]!.id,
      '/consent/pupils/:id/withdrawal': fx.pupils[0]!.id,
      '/consent/classes/:className': fx.pupils[0]!.className!,
    };
    /** Pages that need a query to be a page (without one they send the reader back). */
    const queries: Record<string, string> = {
      '/policy/switch/preview': `?templateKey=${encodeURIComponent(
        ctx.services.policySwitch.startingPoints().at(-1)!.key,
      )}`,
    };
    /** GET routes that only ever redirect (a form's GET target or a link resolver): no page. */
    const redirectsOnly = new Set(['/policy/cite', '/consent/restrictions/choose']);
    /**
     * Who visits a page: the Headteacher first, then each other role whose access admits them,
     * until one is shown the page (some pages are for a role the profile names, such as its ICT
     * role, whom the route's coarse access admits with the rest of the staff).
     */
    const visitors: [Browser, Principal][] = [
      [fresh, headPrincipal],
      ...staffRoles
        .filter((role) => role !== 'headteacher')
        .map((role): [Browser, Principal] => [
          byRole.get(role)!,
          { kind: 'staff', id: fx.staff[role].id, schoolId: fx.school.id, roles: [role], name: '' },
        ]),
    ];
    const roleBound: { url: string; who: Browser[] }[] = [];
    for (const r of app.lanyardRoutes) {
      if (r.method !== 'GET' || r.url.startsWith('/api/') || typeof r.access !== 'function')
        continue;
      const access = r.access;
      const who = visitors.filter(([, p]) => access(p)).map(([b]) => b);
      if (who.length === 0 || redirectsOnly.has(r.url)) continue;
      // A page behind parameters is visited when the test knows a real record for it; the
      // authorisation matrix covers the rest for access.
      if (r.url.includes(':') && ids[r.url] === undefined) continue;
      const url =
        r.url.replace(/:\w+/g, () => encodeURIComponent(ids[r.url]!)) + (queries[r.url] ?? '');
      roleBound.push({ url, who });
    }
    expect(pages.length + roleBound.length).toBeGreaterThan(12);
    const problems: string[] = [];
    const checkForms = (who: Browser, url: string, res: LightMyRequestResponse) => {
      // Downloads (CSV, PDF, scripts) are not pages and have no forms.
      if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) return;
      const posting = formsOf(res.body).filter((f) => f.method === 'post');
      if (who !== anonymous && who.cookies.has(SESSION_COOKIE) && posting.length === 0) {
        problems.push(`${url}: no sign-out form for a signed-in person`);
      }
      for (const f of posting) {
        const token = /<input[^>]*name="_csrf"[^>]*value="([^"]+)"/.exec(f.html)?.[1];
        if (!token) problems.push(`${url}: form posting to ${f.action} has no _csrf token`);
      }
    };
    for (const { who, url } of pages) {
      const res = await who.get(url);
      if (res.statusCode !== 200) problems.push(`${url}: ${res.statusCode}`);
      else checkForms(who, url, res);
    }
    for (const { url, who } of roleBound) {
      const statuses: number[] = [];
      for (const b of who) {
        const res = await b.get(url);
        statuses.push(res.statusCode);
        if (res.statusCode === 200) {
          checkForms(b, url, res);
          break;
        }
      }
      if (!statuses.includes(200)) problems.push(`${url}: ${statuses.join(', ')}`);
    }
    expect(problems).toEqual([]);
    // Some two hundred pages, a few of them tried by more than one role.
  }, 300_000);

  it('refuses every POST route without a valid token (403) and changes nothing', async () => {
    const posts = app.lanyardRoutes.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(5);
    const known = cases();
    const failures: string[] = [];
    for (const route of posts) {
      const c = known[`POST ${route.url}`] ?? fallback(route);
      await c.who.get(c.from);
      const fields = await c.fields();
      const token = c.who.csrf;
      expect(token, `${route.url}: no CSRF token on ${c.from}`).toBeTruthy();
      const before = await stateSnapshot(ctx);
      for (const variant of variants) {
        const body = { ...fields };
        let cookie: string | undefined;
        if (variant === 'forged token') body._csrf = `${token!.slice(0, -4)}AAAA`;
        if (variant === 'token from another browser') body._csrf = stranger.csrf!;
        if (variant === 'no CSRF cookie') {
          body._csrf = token!;
          cookie = [...c.who.cookies.entries()]
            .filter(([k]) => k !== '_csrf')
            .map(([k, v]) => `${k}=${v}`)
            .join('; ');
        }
        const res = await send(c.who, c.url, body, { file: c.file, cookie });
        if (res.statusCode !== 403)
          failures.push(`POST ${route.url} (${variant}): ${res.statusCode}`);
        else if (!res.body.includes('This form has expired'))
          failures.push(`POST ${route.url} (${variant}): no explanation`);
        if (res.cookies.some((k) => k.name === SESSION_COOKIE && k.value !== '')) {
          failures.push(`POST ${route.url} (${variant}): set a session cookie`);
        }
      }
      const after = await stateSnapshot(ctx);
      expect(after, `POST ${route.url} changed something without a CSRF token`).toEqual(before);
      await c.unchanged?.();
      // The same request with the page's token goes through: the 403s were the token's doing.
      const ok = await send(c.who, c.url, { ...fields, _csrf: token! }, { file: c.file });
      if (ok.statusCode === 403) failures.push(`POST ${route.url} (valid token): 403`);
      // Mail sent after the response (a sign-in link) must land before the next snapshot.
      await ctx.platform.jobs.idle();
    }
    expect(failures).toEqual([]);
    // Every POST route five times, with a snapshot of the database before and after each.
  }, 600_000);
});
