import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoCredentials } from '../../src/demo/seed.ts';
import {
  navigate,
  startE2e,
  type BrowserSession,
  type E2eEnvironment,
} from '../support/e2e-browser.ts';
import {
  DashboardPage,
  LanyardPage,
  signInStaff,
  signInWithEmailLink,
} from '../support/e2e-pages.ts';

/**
 * Every demo sign-in, in a real browser: staff with a password (and the security-code page for
 * the Headteacher, DSL and DPO), the trust admin, and a parent and a pupil with an emailed
 * one-time link. Each lands on their own dashboard with only the navigation their role allows,
 * and every page on the way passes axe.
 */

const HOME = 'Home';
const PUPILS = 'Pupils';
const PARENTS = 'Parents and carers';
const STAFF = 'Staff';
const IMPORT = 'Import';
const POLICY = 'Policy';
const AUDIT = 'Audit log';
const CONSENT = 'Consent';
const MEDIA = 'Photos and videos';
const DEVICES = 'Devices';
const OWN_CONSENT = 'Photo consent';
const CHANNELS = 'Channels';
const POSTS = 'Posts';
// The modules added in session 6 (issues 14-17): who sees each tab, written by hand from the SPEC.
const TRAINING = 'Training';
const CONDUCT = 'Conduct';
const COMPLIANCE = 'Compliance';
const REPORT = 'Report a concern';
const SAR = 'Subject access';
const NEVER_PUBLISH = 'Never publish';
const INCIDENTS = 'Incidents';
const GOVERNORS_REPORT = 'Governors’ report';

// The sections of the menu (a section with one entry for someone shows that entry instead).
const PUPILS_AND_FAMILIES = 'Pupils and families';
const CONSENT_SECTION = 'Consent';
const POSTS_AND_PHOTOS = 'Posts and photos';
const SAFEGUARDING = 'Safeguarding';
const STAFF_SECTION = 'Staff';
const POLICY_AND_REPORTS = 'Policy and reports';

const staff: {
  email: string;
  roleLabel: string;
  totp: boolean;
  nav: string[];
  /** What the pages of their sections list, by section. */
  sections?: Record<string, string[]>;
}[] = [
  {
    email: 'head@oakfield.example',
    roleLabel: 'Headteacher',
    totp: true,
    sections: {
      [PUPILS_AND_FAMILIES]: [PUPILS, PARENTS, IMPORT],
      [CONSENT_SECTION]: [CONSENT, NEVER_PUBLISH],
      [POSTS_AND_PHOTOS]: [MEDIA, POSTS, CHANNELS],
      [SAFEGUARDING]: [INCIDENTS, REPORT],
      [STAFF_SECTION]: [STAFF, TRAINING, COMPLIANCE, CONDUCT],
      [POLICY_AND_REPORTS]: [POLICY, GOVERNORS_REPORT, SAR, AUDIT],
    },
    nav: [
      HOME,
      PUPILS_AND_FAMILIES,
      CONSENT_SECTION,
      POSTS_AND_PHOTOS,
      SAFEGUARDING,
      STAFF_SECTION,
      POLICY_AND_REPORTS,
    ],
  },
  {
    email: 'dsl@oakfield.example',
    roleLabel: 'Designated Safeguarding Lead',
    totp: true,
    nav: [
      HOME,
      PUPILS_AND_FAMILIES,
      NEVER_PUBLISH,
      POSTS_AND_PHOTOS,
      SAFEGUARDING,
      STAFF_SECTION,
      POLICY,
    ],
  },
  {
    email: 'dpo@oakfield.example',
    roleLabel: 'Data Protection Officer',
    totp: true,
    nav: [
      HOME,
      PUPILS_AND_FAMILIES,
      CONSENT,
      POSTS_AND_PHOTOS,
      REPORT,
      STAFF_SECTION,
      POLICY_AND_REPORTS,
    ],
  },
  {
    email: 'business@oakfield.example',
    roleLabel: 'Business Manager',
    totp: false,
    nav: [HOME, PUPILS_AND_FAMILIES, POSTS_AND_PHOTOS, REPORT, STAFF_SECTION, POLICY],
  },
  {
    email: 'office@oakfield.example',
    roleLabel: 'Office staff',
    totp: false,
    nav: [HOME, PUPILS_AND_FAMILIES, CONSENT, POSTS_AND_PHOTOS, REPORT, STAFF_SECTION, POLICY],
  },
  {
    email: 'ict@oakfield.example',
    roleLabel: 'ICT Technician',
    totp: false,
    sections: { [POSTS_AND_PHOTOS]: [DEVICES, POSTS], [STAFF_SECTION]: [TRAINING, CONDUCT] },
    nav: [HOME, POSTS_AND_PHOTOS, REPORT, STAFF_SECTION, POLICY],
  },
  {
    email: 'teacher@oakfield.example',
    roleLabel: 'Teacher',
    totp: false,
    nav: [HOME, PUPILS, CONSENT, POSTS_AND_PHOTOS, REPORT, STAFF_SECTION, POLICY],
  },
  {
    email: 'support@oakfield.example',
    roleLabel: 'Support staff',
    totp: false,
    nav: [HOME, PUPILS, CONSENT, POSTS_AND_PHOTOS, REPORT, STAFF_SECTION, POLICY],
  },
  {
    // Four entries: few enough to list them rather than their sections.
    email: 'volunteer@oakfield.example',
    roleLabel: 'Volunteer',
    totp: false,
    nav: [HOME, REPORT, TRAINING, CONDUCT, POLICY],
  },
  {
    email: 'governor@oakfield.example',
    roleLabel: 'Governor',
    totp: false,
    nav: [HOME, REPORT, STAFF_SECTION, POLICY_AND_REPORTS],
  },
];

describe('signing in as each demo role (browser)', () => {
  let env: E2eEnvironment;
  let session: BrowserSession;

  beforeAll(async () => {
    env = await startE2e();
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    session = await env.newSession();
  });
  afterEach(async () => {
    await session.close();
  });

  it('covers every demo sign-in', () => {
    const tested = [
      ...staff.map((s) => s.email),
      'trust@northway.example',
      'head@riverside.example',
      'parent@oakfield.example',
      'pupil@oakfield.example',
    ];
    expect(demoCredentials.map((c) => c.email).sort()).toEqual(tested.sort());
  });

  it.each(staff)('$roleLabel ($email) signs in and sees the staff dashboard', async (member) => {
    const { page } = session;
    const dashboard = await signInStaff(page, member.email);
    const askedForCode = session.visits.some((v) => v.url.endsWith('/sign-in/two-factor'));
    expect(askedForCode).toBe(member.totp);

    expect(new URL(page.url()).pathname).toBe('/');
    const credential = demoCredentials.find((c) => c.email === member.email)!;
    await expect(dashboard.heading.textContent()).resolves.toContain(
      `Good to see you, ${credential.name.split(' ')[0]}`,
    );
    await expect(
      dashboard.main.getByRole('heading', { name: 'Needs your attention' }).count(),
    ).resolves.toBe(1);
    await expect(page.locator('.lanyard-account').textContent()).resolves.toContain(
      `Signed in as ${credential.name} (${member.roleLabel})`,
    );
    await expect(page.locator('.lanyard-school').textContent()).resolves.toBe(
      'Oakfield Primary School',
    );
    expect(await dashboard.navItems()).toEqual(member.nav);
    if (member.nav.includes(PUPILS) || member.nav.includes(PUPILS_AND_FAMILIES)) {
      // Teachers and support staff see the pupils of their own classes, not the school's roll.
      const figure = /teacher|support/.test(member.email)
        ? 'Pupils in your classes'
        : 'Pupils on roll';
      await expect(dashboard.main.getByText(figure).count()).resolves.toBe(1);
    }

    // Each section's page lists its entries, each with a sentence on what is there.
    for (const [section, entries] of Object.entries(member.sections ?? {})) {
      await dashboard.openNav(section);
      await expect(dashboard.heading.textContent()).resolves.toBe(section);
      const links = dashboard.main.locator('li');
      expect(
        (await links.locator('a').allTextContents()).map((t) => t.trim()),
        section,
      ).toEqual(entries);
      for (const text of await links.locator('p').allTextContents())
        expect(text.trim()).toMatch(/^[A-Z].{20,}\.$/);
      await expect(
        page
          .locator('.govuk-service-navigation')
          .getByRole('link', { name: section, exact: true })
          .getAttribute('aria-current'),
      ).resolves.toBe('page');
    }

    const signedOut = await dashboard.signOut();
    await expect(signedOut.heading.textContent()).resolves.toBe('You have signed out');
    expect(await signedOut.navItems()).toEqual([]);
  });

  it("Riverside's Headteacher signs in with a code and sees her own school", async () => {
    const { page } = session;
    await signInStaff(page, 'head@riverside.example');
    expect(session.visits.some((v) => v.url.endsWith('/sign-in/two-factor'))).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.locator('.lanyard-school').textContent()).resolves.toBe(
      'Riverside Primary School',
    );
  });

  it('the governor has no Pupils item and cannot open the pupil list', async () => {
    const { page } = session;
    const dashboard = await signInStaff(page, 'governor@oakfield.example');
    expect(await dashboard.navItems()).not.toContain(PUPILS);
    const response = await page.goto('/pupils');
    expect(response?.status()).toBe(404);
    await new LanyardPage(page).check('Pupils, as a governor (not found)');
    await expect(page.locator('main h1').textContent()).resolves.toMatch(/not found/i);
  });

  it('the trust admin sees the Schools table and no pupil records', async () => {
    const { page } = session;
    const dashboard = await signInStaff(page, 'trust@northway.example');
    await expect(dashboard.heading.textContent()).resolves.toContain(
      'Northway Learning Trust: schools',
    );
    // The trust's name is in the header, where staff see their school's.
    await expect(page.locator('.lanyard-school').textContent()).resolves.toBe(
      'Northway Learning Trust',
    );
    const rows = await dashboard.schoolsTable();
    // Each school's name, then the policy it is based on, in its first cell.
    expect(rows.map((r) => r[0]!.split(/\s*Policy based on/)[0])).toEqual(
      expect.arrayContaining(['Oakfield Primary School', 'Riverside Primary School']),
    );
    expect(rows).toHaveLength(2);
    const oakfield = rows.find((r) => r[0]!.startsWith('Oakfield Primary School'))!;
    expect(Number(oakfield[1]!.replace(/,/g, ''))).toBeGreaterThan(250);
    expect(await dashboard.navItems()).toEqual([HOME, 'Training compliance', 'Governors’ reports']);
    await dashboard.signOut();
  });

  it('a parent signs in with the emailed link and sees their children', async () => {
    const { page } = session;
    const dashboard = await signInWithEmailLink(page, 'parent@oakfield.example', env.ctx.sink);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(
      dashboard.main
        .getByRole('heading', { name: 'Your children at Oakfield Primary School' })
        .count(),
    ).resolves.toBe(1);
    const children = await dashboard.children();
    expect(children.length).toBeGreaterThan(0);
    expect(await dashboard.navItems()).toEqual([HOME, OWN_CONSENT, 'E-safety meetings', REPORT]);

    // A child's record opens; it shows no other family's details.
    await navigate(page, () => dashboard.main.getByRole('link', { name: children[0]! }).click());
    const record = new LanyardPage(page);
    await record.check('Child’s record, as their parent');
    await expect(record.heading.textContent()).resolves.toBe(children[0]);
    await expect(
      record.main.getByRole('heading', { name: 'Parents and carers' }).count(),
    ).resolves.toBe(0);

    const signedOut = await record.signOut();
    await expect(signedOut.heading.textContent()).resolves.toBe('You have signed out');
  });

  it('a used sign-in link cannot be used again', async () => {
    const { page } = session;
    await signInWithEmailLink(page, 'parent@oakfield.example', env.ctx.sink);
    const mail = env.ctx.sink.messages
      .filter((m) => m.to.includes('parent@oakfield.example'))
      .at(-1)!;
    const path = /\/sign-in\/link\/[A-Za-z0-9_-]+/.exec(mail.text)![0];
    await new DashboardPage(page).signOut();
    const response = await page.goto(path);
    expect(response?.status()).toBe(410);
    const invalid = new LanyardPage(page);
    await invalid.check('Used sign-in link');
    await expect(invalid.heading.textContent()).resolves.toBeTruthy();
  });

  it('a pupil signs in with the emailed link and can see their own record', async () => {
    const { page } = session;
    const dashboard = await signInWithEmailLink(page, 'pupil@oakfield.example', env.ctx.sink);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await dashboard.navItems()).toEqual([HOME, OWN_CONSENT, REPORT]);
    const own = dashboard.main.getByRole('link', { name: 'See what the school holds about you' });
    await expect(own.count()).resolves.toBe(1);
    await navigate(page, () => own.click());
    const record = new LanyardPage(page);
    await record.check('Pupil’s own record');
    expect(new URL(page.url()).pathname).toMatch(/^\/pupils\/[0-9a-f-]{36}$/);
    await expect(record.main.getByText('Date of birth').count()).resolves.toBe(1);
    await record.signOut();
  });
});
