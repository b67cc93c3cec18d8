import { sql } from 'drizzle-orm';
import type { Services } from '../container.ts';
import { hashPassword } from '../platform/crypto.ts';
import { ukDate } from '../platform/clock.ts';
import { PeopleBulkRepository, PeopleRepository } from '../modules/people/people.repository.ts';
import { StaffClassesRepository } from '../modules/people/staff-classes.repository.ts';
import type { StaffRole } from '../modules/auth/index.ts';
import { generatePeople } from './generate.ts';
import { recordDemoWithdrawal, seedDemoConsent } from './consent-seed.ts';
import { seedDemoPublishing } from './publishing-seed.ts';
import { seedDemoTraining } from './training-seed.ts';
import { seedDemoPolicyLifecycle } from './policy-lifecycle-seed.ts';
import { seedDemoConduct, seedDemoConductRules } from './conduct-seed.ts';
import { seedDemoIncidents } from './incidents-seed.ts';
import { seedDemoSubjectAccess } from './subject-access-seed.ts';

/** The demo school's sign-ins, printed at start and listed in the README. */
export const DEMO_PASSWORD = 'lanyard-demo-2026';

export interface DemoCredential {
  role: string;
  name: string;
  email: string;
  password: string | null;
  /** Base32 TOTP secret for roles that need a second factor (add it to an authenticator app). */
  totpSecret: string | null;
}

const staffSpec: {
  role: StaffRole;
  given: string;
  family: string;
  email: string;
  title: string;
  totp?: string;
  /** The classes they teach: their consent pages show these classes only. */
  classes?: string[];
  /** Their line manager (earlier in this list); overdue training reminders go to them. */
  manager?: StaffRole;
  /**
   * When they started: a date, or days before the demo's today (the reading volunteer joined
   * this term, the chair of governors was elected at the autumn term's first meeting).
   */
  started: string | number;
}[] = [
  {
    role: 'headteacher',
    given: 'Helen',
    family: 'Carter',
    email: 'head@oakfield.example',
    title: 'Headteacher',
    totp: 'LANYARDDEMOHEADTEACHERAAAAAAAAAA',
    started: '2015-09-01',
  },
  {
    role: 'dsl',
    given: 'Daniel',
    family: 'Okoro',
    email: 'dsl@oakfield.example',
    title: 'Designated Safeguarding Lead',
    totp: 'LANYARDDEMODSLAAAAAAAAAAAAAAAAAA',
    manager: 'headteacher',
    started: '2017-09-01',
  },
  {
    role: 'dpo',
    given: 'Priya',
    family: 'Shah',
    email: 'dpo@oakfield.example',
    title: 'Data Protection Officer',
    totp: 'LANYARDDEMODPOAAAAAAAAAAAAAAAAAA',
    manager: 'headteacher',
    started: '2018-01-08',
  },
  {
    role: 'business_manager',
    given: 'Brian',
    family: 'Moss',
    email: 'business@oakfield.example',
    title: 'Business Manager',
    manager: 'headteacher',
    started: '2016-04-18',
  },
  {
    role: 'office',
    given: 'Olivia',
    family: 'Reed',
    email: 'office@oakfield.example',
    title: 'School Office Manager',
    manager: 'business_manager',
    started: '2012-09-03',
  },
  {
    role: 'ict_technician',
    given: 'Ian',
    family: 'Tran',
    email: 'ict@oakfield.example',
    title: 'ICT Technician',
    manager: 'business_manager',
    started: '2021-02-22',
  },
  {
    role: 'teacher',
    given: 'Tara',
    family: 'Lowe',
    email: 'teacher@oakfield.example',
    title: 'Year 3 Teacher',
    classes: ['3 Ash', '3 Birch'],
    manager: 'dsl',
    started: '2020-09-01',
  },
  {
    role: 'support_staff',
    given: 'Sam',
    family: 'Fenwick',
    email: 'support@oakfield.example',
    title: 'Teaching Assistant',
    classes: ['3 Ash'],
    manager: 'teacher',
    started: '2023-09-04',
  },
  {
    role: 'volunteer',
    given: 'Vera',
    family: 'Quinn',
    email: 'volunteer@oakfield.example',
    title: 'Reading volunteer',
    manager: 'teacher',
    started: 20,
  },
  {
    role: 'governor',
    given: 'Gordon',
    family: 'Hale',
    email: 'governor@oakfield.example',
    title: 'Chair of Governors',
    started: 95,
  },
];

/** The second school's only staff account. */
const riversideHead = {
  role: 'headteacher' as const,
  started: '2018-09-01',
  given: 'Rita',
  family: 'Adeyemi',
  email: 'head@riverside.example',
  title: 'Headteacher',
  totp: 'LANYARDDEMORIVERSIDEHEADAAAAAAAA',
};

export const demoCredentials: DemoCredential[] = [
  ...staffSpec.map((s) => ({
    role: s.title,
    name: `${s.given} ${s.family}`,
    email: s.email,
    password: DEMO_PASSWORD,
    totpSecret: s.totp ?? null,
  })),
  {
    role: 'Parent (one-time link by email)',
    name: 'Demo parent',
    email: 'parent@oakfield.example',
    password: null,
    totpSecret: null,
  },
  {
    role: 'Pupil (one-time link by email)',
    name: 'Demo pupil',
    email: 'pupil@oakfield.example',
    password: null,
    totpSecret: null,
  },
  {
    role: 'Trust admin (aggregates only)',
    name: 'Nadia Brooks',
    email: 'trust@northway.example',
    password: DEMO_PASSWORD,
    totpSecret: null,
  },
  {
    role: 'Riverside Headteacher',
    name: `${riversideHead.given} ${riversideHead.family}`,
    email: riversideHead.email,
    password: DEMO_PASSWORD,
    totpSecret: riversideHead.totp,
  },
];

export function printDemoCredentials(say: (m: string) => void, creds: DemoCredential[]): void {
  say('Demo sign-ins (password for every staff account: ' + DEMO_PASSWORD + '):');
  for (const c of creds) {
    const extra = c.totpSecret
      ? `  second factor: run \`npx lanyard demo-code ${c.email}\` (secret ${c.totpSecret})`
      : '';
    say(`  ${c.role.padEnd(34)} ${c.email}${extra}`);
  }
}

/** The steps of the demo after its people (each through the real services), in order. */
export const demoSteps = [
  'people',
  'consent',
  'devices',
  'publishing',
  'training',
  'policy-lifecycle',
  'conduct',
  'incidents',
  'subject-access',
] as const;
export type DemoStep = (typeof demoSteps)[number];

export interface SeedDemoOptions {
  /** Called after each step (tests throw here to stand for a process that dies part-way). */
  afterStep?: (step: DemoStep) => void | Promise<void>;
}

/** Legal first name → the name the first pupil with it is known by (demo only). */
const DEMO_PREFERRED_NAMES: readonly (readonly [string, string])[] = [
  ['Thomas', 'Tom'],
  ['Tobias', 'Toby'],
  ['Matilda', 'Tilly'],
];

/**
 * Seeds the demo trust (two schools, ~300 + 60 pupils). Returns false if it is already there.
 * Refused when NODE_ENV=production.
 *
 * Restartable: the demo is finished only when its last step has run and the completion mark (a
 * `demo.seeded` audit entry with `completed: true`, written last) is there. A demo trust without
 * the mark is one a process left half-way (it died, or a step failed): it is set aside (its
 * schools, trust and sign-ins renamed and switched off: `setAsideIncompleteDemo`; nothing is
 * deleted, the audit log and append-only records stay) and the whole demo is seeded again, so a
 * restart after a crash at any point gives the full demo (`test/db/demo-seed.test.ts`).
 */
export async function seedDemoSchool(
  services: Services,
  options: SeedDemoOptions = {},
): Promise<boolean> {
  if (services.config.env === 'production')
    throw new Error('The demo school cannot be seeded when NODE_ENV=production.');
  const people = new PeopleRepository();
  const existing = await people.getSchoolBySlug(services.database.db, 'oakfield-primary');
  if (existing && (await demoFinished(services, existing.id))) return false;
  // The demo's photos go through face detection: a missing model stops the start here, before
  // anything is written.
  await services.faces.load?.();
  if (existing) await setAsideIncompleteDemo(services);
  const after = async (step: DemoStep) => {
    await options.afterStep?.(step);
  };
  const bulk = new PeopleBulkRepository();
  const staffClasses = new StaffClassesRepository();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const today = services.clock.now();

  await services.database.transaction(async (tx) => {
    const orgId = await people.createOrganisation(tx.db, 'Northway Learning Trust');
    await people.createOrganisationAdmin(tx.db, {
      organisationId: orgId,
      email: 'trust@northway.example',
      name: 'Nadia Brooks',
      passwordHash,
    });
    const schools = [
      {
        slug: 'oakfield-primary',
        name: 'Oakfield Primary School',
        template: 'sacred-heart-rochdale',
        pupils: 301,
        classes: 2,
        seed: 2026,
        domain: 'oakfield.example',
        prefix: 'A',
      },
      {
        slug: 'riverside-primary',
        name: 'Riverside Primary School',
        template: 'john-clifford-primary',
        pupils: 63,
        classes: 1,
        seed: 1917,
        domain: 'riverside.example',
        prefix: 'B',
      },
    ];
    for (const spec of schools) {
      const school = await people.createSchool(tx.db, {
        organisationId: orgId,
        name: spec.name,
        slug: spec.slug,
      });
      const staffList = spec.slug === 'oakfield-primary' ? staffSpec : [riversideHead];
      const idOfRole = new Map<StaffRole, string>();
      for (const s of staffList) {
        const row = await people.createStaff(
          tx.db,
          {
            schoolId: school.id,
            email: s.email,
            givenName: s.given,
            familyName: s.family,
            jobTitle: s.title,
            passwordHash,
            totpSecret: s.totp ? services.auth.sealTotpSecret(s.totp) : null,
            totpEnabledAt: s.totp ? today : null,
            startDate:
              typeof s.started === 'number'
                ? ukDate(new Date(today.getTime() - s.started * 86_400_000))
                : s.started,
            lineManagerId: 'manager' in s && s.manager ? (idOfRole.get(s.manager) ?? null) : null,
          },
          [s.role],
        );
        idOfRole.set(s.role, row.id);
        if ('classes' in s && s.classes) {
          await staffClasses.replaceFor(tx.db, school.id, row.id, s.classes);
        }
      }
      const generated = generatePeople({
        schoolId: school.id,
        pupils: spec.pupils,
        classesPerYear: spec.classes,
        today,
        seed: spec.seed,
        emailDomain: spec.domain,
        misPrefix: spec.prefix,
      });
      if (spec.slug === 'oakfield-primary') {
        generated.pupils[generated.pupils.length - 1]!.email = 'pupil@oakfield.example';
      }
      // A few pupils known by another name, as the MIS's "Preferred Forename" records it (the
      // name check looks for 'Tom Smith' as well as 'Thomas Smith'). Names no member of staff has.
      for (const [legal, preferred] of DEMO_PREFERRED_NAMES) {
        const pupil = generated.pupils.find((p) => p.givenName === legal);
        if (pupil) pupil.preferredGivenName = preferred;
      }
      const { pupils, parents } = await bulk.insertFamilies(tx.db, school.id, generated);
      await services.policies.adoptTemplate(tx, school.id, spec.template, {
        kind: 'system',
        id: null,
      });
      await services.audit.record(tx, {
        schoolId: school.id,
        actor: { kind: 'system', id: null },
        action: 'demo.seeded',
        entityType: 'school',
        entityId: school.id,
        data: { pupils: pupils.length, parents: parents.length, staff: staffList.length },
      });
    }
  });
  await after('people');
  const oakfield = await seedDemoConsent(services, 'oakfield-primary', 2026);
  const riverside = await seedDemoConsent(services, 'riverside-primary', 1917);
  await assignDemoParent(services);
  await after('consent');
  await seedDemoDevices(services);
  await after('devices');
  // Oakfield's week of posts; the weekend's withdrawal is recorded in it, before today's posts.
  await seedDemoPublishing(services, oakfield.withdrawal);
  await recordDemoWithdrawal(services, riverside.withdrawal);
  await after('publishing');
  await seedDemoTraining(services);
  await after('training');
  // Oakfield's own rule for logo requests (a minor version), then the policy's review and a
  // substantive new version, acknowledgements in progress.
  await seedDemoConductRules(services);
  await seedDemoPolicyLifecycle(services);
  await after('policy-lifecycle');
  await seedDemoConduct(services);
  await after('conduct');
  await seedDemoIncidents(services);
  await after('incidents');
  await seedDemoSubjectAccess(services);
  await after('subject-access');
  await markDemoFinished(services);
  return true;
}

/**
 * Whether Oakfield's demo was finished: the completion mark, or (a demo seeded before the mark
 * existed) its last step's entry, the subject access request logged.
 */
async function demoFinished(services: Services, oakfieldId: string): Promise<boolean> {
  const { rows } = await services.database.db.execute(sql`
    SELECT 1 FROM audit_events
     WHERE school_id = ${oakfieldId}
       AND ((action = 'demo.seeded' AND data->>'completed' = 'true')
            OR action = 'subject-access.logged')
     LIMIT 1`);
  return rows.length > 0;
}

/** The mark that the whole demo is there, written after its last step. */
async function markDemoFinished(services: Services): Promise<void> {
  const school = await new PeopleRepository().getSchoolBySlug(
    services.database.db,
    'oakfield-primary',
  );
  if (!school) return;
  await services.database.transaction((tx) =>
    services.audit.record(tx, {
      schoolId: school.id,
      actor: { kind: 'system', id: null },
      action: 'demo.seeded',
      entityType: 'school',
      entityId: school.id,
      data: { completed: true, steps: demoSteps.length },
    }),
  );
}

/**
 * A demo trust a process left half-way, set aside in one transaction so the demo can be seeded
 * again under its own names: its schools' slugs and names, the trust's name and its admin's
 * sign-in, and its staff's sign-ins (switched off) get a "set aside" mark; its parents' and
 * pupils' email addresses are cleared, so nothing is sent to them and the demo parent's address
 * is free. Nothing is deleted (the audit log and the append-only records cannot be).
 */
export async function setAsideIncompleteDemo(services: Services): Promise<void> {
  const tag = `set-aside-${services.clock.now().getTime()}`;
  await services.database.transaction(async (tx) => {
    const { rows } = await tx.db.execute<{ id: string; organisation_id: string | null }>(sql`
      SELECT id, organisation_id FROM schools
       WHERE slug IN ('oakfield-primary', 'riverside-primary')`);
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return;
    const list = sql`${`{${ids.join(',')}}`}::uuid[]`;
    const orgs = [...new Set(rows.map((r) => r.organisation_id).filter((o) => o !== null))];
    await tx.db.execute(sql`
      UPDATE schools SET slug = slug || '-' || ${tag}, name = name || ' (incomplete demo, set aside)'
       WHERE id = ANY(${list})`);
    await tx.db.execute(sql`
      UPDATE staff SET email = ${tag} || '.' || email, active = false WHERE school_id = ANY(${list})`);
    await tx.db.execute(sql`UPDATE parents SET email = NULL WHERE school_id = ANY(${list})`);
    await tx.db.execute(sql`UPDATE pupils SET email = NULL WHERE school_id = ANY(${list})`);
    if (orgs.length > 0) {
      const orgList = sql`${`{${orgs.join(',')}}`}::uuid[]`;
      await tx.db.execute(sql`
        UPDATE organisations SET name = name || ' (incomplete demo, set aside)'
         WHERE id = ANY(${orgList})`);
      await tx.db.execute(sql`
        UPDATE organisation_admins SET email = ${tag} || '.' || email
         WHERE organisation_id = ANY(${orgList})`);
    }
    await services.audit.record(tx, {
      schoolId: null,
      actor: { kind: 'system', id: null },
      action: 'demo.seeded',
      entityType: 'school',
      entityId: null,
      data: { setAside: ids.length, tag },
    });
  });
}

/**
 * The demo parent (parent@oakfield.example) is a mother or father, with parental responsibility,
 * of a child whose form for this year has not come back yet: signing in shows "You have a
 * consent form to fill in" on the home page, as it would for a real parent.
 */
async function assignDemoParent(services: Services): Promise<void> {
  const db = services.database.db;
  const school = await new PeopleRepository().getSchoolBySlug(db, 'oakfield-primary');
  if (!school) return;
  const [period] = await services.consent.recordablePeriods(school.id);
  const { rows } = await db.execute<{ id: string }>(sql`
    SELECT pa.id FROM parents pa
    JOIN pupil_parents pp ON pp.parent_id = pa.id AND pp.parental_responsibility
    JOIN pupils p ON p.id = pp.pupil_id
    WHERE pa.school_id = ${school.id} AND pp.relationship IN ('Mother', 'Father')
      AND NOT EXISTS (SELECT 1 FROM consent_records r
                      WHERE r.pupil_id = p.id AND r.period_key = ${period!.key})
    ORDER BY p.family_name, p.given_name, p.id, pa.id
    LIMIT 1`);
  if (rows[0]) {
    await db.execute(
      sql`UPDATE parents SET email = 'parent@oakfield.example' WHERE id = ${rows[0].id}`,
    );
  }
}

/** Oakfield's capture devices (`media.schoolDevicesOnly`): two approved by the Headteacher, one waiting. */
async function seedDemoDevices(services: Services): Promise<void> {
  const people = new PeopleRepository();
  const db = services.database.db;
  const school = await people.getSchoolBySlug(db, 'oakfield-primary');
  const ict = await people.getStaffByEmail(db, 'ict@oakfield.example');
  const head = await people.getStaffByEmail(db, 'head@oakfield.example');
  if (!school || !ict || !head) return;
  const registrar = { kind: 'staff' as const, id: ict.id };
  const approver = {
    kind: 'staff' as const,
    id: head.id,
    schoolId: school.id,
    roles: ['headteacher' as const],
    name: 'Helen Carter',
  };
  for (const [name, deviceType, assetTag, approve] of [
    ['Office camera', 'camera', 'OAK-CAM-01', true],
    ['Year 3 iPad', 'tablet', 'OAK-IPAD-03', true],
    ['Year 6 iPad', 'tablet', 'OAK-IPAD-06', false],
  ] as const) {
    const device = await services.devices.register(school.id, registrar, {
      name,
      deviceType,
      assetTag,
    });
    if (approve) await services.devices.approve(approver, device.id);
  }
}
