import crypto from 'node:crypto';
import type { Services } from '../../src/container.ts';
import { hashPassword } from '../../src/platform/crypto.ts';
import {
  PeopleBulkRepository,
  PeopleRepository,
  type ParentRow,
  type PupilRow,
} from '../../src/modules/people/people.repository.ts';
import { staffRoles, secondFactorRoles, type StaffRole } from '../../src/modules/auth/principal.ts';
import { generatePeople } from '../../src/demo/generate.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { ukDate } from '../../src/platform/clock.ts';

export const TEST_PASSWORD = 'correct-horse-battery-staple';
/** Every factory staff member with a second-factor role gets this TOTP secret (base32). */
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

let passwordHash: Promise<string> | undefined;

export interface StaffFixture {
  id: string;
  email: string;
  role: StaffRole;
}

export interface SchoolFixture {
  school: { id: string; slug: string; name: string };
  staff: Record<StaffRole, StaffFixture>;
  pupils: PupilRow[];
  parents: ParentRow[];
  /** A parent with parental responsibility for pupils[0], with an email for sign-in links. */
  parent: ParentRow;
}

/**
 * A school with one staff member per role (password TEST_PASSWORD; Headteacher, DSL and DPO have
 * TOTP enrolled with TEST_TOTP_SECRET), pupils with parents, and the chosen policy template.
 */
export async function createSchool(
  services: Services,
  options: { slug?: string; pupils?: number; template?: string | null } = {},
): Promise<SchoolFixture> {
  const slug = options.slug ?? `school-${crypto.randomBytes(4).toString('hex')}`;
  const people = new PeopleRepository();
  const bulk = new PeopleBulkRepository();
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const hash = await passwordHash;
  return services.database.transaction(async (tx) => {
    const school = await people.createSchool(tx.db, { name: `${slug} School`, slug });
    const staff = {} as Record<StaffRole, StaffFixture>;
    for (const role of staffRoles) {
      const email = `${role}@${slug}.test`;
      const needs = secondFactorRoles.includes(role);
      const row = await people.createStaff(
        tx.db,
        {
          schoolId: school.id,
          email,
          givenName: role.replace('_', ' '),
          familyName: 'Tester',
          passwordHash: hash,
          totpSecret: needs ? services.auth.sealTotpSecret(TEST_TOTP_SECRET) : null,
          totpEnabledAt: needs ? new Date() : null,
        },
        [role],
      );
      staff[role] = { id: row.id, email, role };
    }
    const generated = generatePeople({
      schoolId: school.id,
      pupils: options.pupils ?? 20,
      classesPerYear: 1,
      today: services.clock.now(),
      seed: [...slug].reduce((a, c) => a + c.charCodeAt(0), 0),
      emailDomain: `${slug}.test`,
      misPrefix: `${crypto.createHash('sha256').update(slug).digest('hex').slice(0, 8)}-`,
    });
    const { pupils, parents } = await bulk.insertFamilies(tx.db, school.id, generated);
    // `template: null`: a school that has not chosen its starting point yet.
    if (options.template !== null)
      await services.policies.adoptTemplate(
        tx,
        school.id,
        options.template ?? 'sacred-heart-rochdale',
        { kind: 'system', id: null },
      );
    const firstLink = generated.links.find((l) => l.pupil === 0 && l.parentalResponsibility)!;
    return { school, staff, pupils, parents, parent: parents[firstLink.parent]! };
  });
}

/**
 * Records a paper form saying yes to every question for every pupil of the school (from the first
 * parent with parental responsibility), so nobody is left without a returned form.
 */
export async function grantConsentForAll(services: Services, fx: SchoolFixture): Promise<void> {
  const settings = await services.consent.settings(fx.school.id);
  const keys = consentKeysFor(settings);
  const decidedOn = ukDate(services.clock.now());
  for (const pupil of fx.pupils) {
    const register = await services.consent.pupilRegister(fx.school.id, pupil.id);
    const parent = register.parents.find((p) => p.parentalResponsibility);
    if (!parent) continue;
    await services.consent.record(
      {
        schoolId: fx.school.id,
        pupilId: pupil.id,
        decider: { kind: 'parent', parentId: parent.id },
        decisions: Object.fromEntries(keys.map((k) => [k, 'granted'])),
        method: 'paper_form',
        kind: 'form',
        decidedOn,
      },
      { kind: 'staff', id: fx.staff.office.id },
    );
  }
}

/**
 * Adds a parent or carer to a pupil with plain SQL, as a test's own family (with parental
 * responsibility unless told otherwise). Returns the parent's id.
 */
export async function addParent(
  services: Services,
  p: {
    schoolId: string;
    pupilId: string;
    givenName: string;
    familyName: string;
    email?: string;
    relationship?: string;
    parentalResponsibility?: boolean;
  },
): Promise<string> {
  const pool = services.database.pool;
  const email = p.email ?? `${p.givenName}.${p.familyName}@parents.test`.toLowerCase();
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO parents (school_id, given_name, family_name, email)
     VALUES ($1, $2, $3, $4) RETURNING id`,
    [p.schoolId, p.givenName, p.familyName, email],
  );
  await pool.query(
    `INSERT INTO pupil_parents (school_id, pupil_id, parent_id, relationship, parental_responsibility)
     VALUES ($1, $2, $3, $4, $5)`,
    [
      p.schoolId,
      p.pupilId,
      rows[0]!.id,
      p.relationship ?? 'Parent',
      p.parentalResponsibility ?? true,
    ],
  );
  return rows[0]!.id;
}
