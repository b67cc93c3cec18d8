import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { importRunColumns } from '../../platform/imports/import-tables.ts';

const created = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updated = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: created(),
});

export const schools = pgTable(
  'schools',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').references(() => organisations.id),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    urn: text('urn'),
    /**
     * The school's own published contact details (School details page): the publishing checks
     * do not flag them as personal details in a post.
     */
    phone: text('phone'),
    email: text('email'),
    /** Street address lines, one per line, without the postcode. */
    address: text('address'),
    postcode: text('postcode'),
    /**
     * The public news page's appearance (publishing, News page appearance): the header band's
     * colour (`#rrggbb`, dark enough for white text) and the logo, a PNG re-encoded by Lanyard and
     * kept in the file store under `news_logo_key` (its SHA-256 is the logo's ETag).
     */
    newsColour: text('news_colour'),
    newsLogoKey: text('news_logo_key'),
    newsLogoSha256: text('news_logo_sha256'),
    newsLogoWidth: integer('news_logo_width'),
    newsLogoHeight: integer('news_logo_height'),
    createdAt: created(),
  },
  (t) => [uniqueIndex('schools_slug_key').on(t.slug)],
);

/** People who sign in with a password for an organisation (trust / local authority). */
export const organisationAdmins = pgTable(
  'organisation_admins',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: created(),
  },
  (t) => [uniqueIndex('organisation_admins_email_key').on(t.email)],
);

export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    email: text('email').notNull(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    jobTitle: text('job_title'),
    passwordHash: text('password_hash'),
    totpSecret: text('totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** The last 30-second step whose code was accepted: a code is never accepted twice. */
    totpLastStep: integer('totp_last_step'),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    startDate: date('start_date', { mode: 'string' }),
    leaveDate: date('leave_date', { mode: 'string' }),
    active: boolean('active').notNull().default(true),
    /**
     * Their line manager: another member of staff of the same school (a trigger refuses one of
     * another school; migration 0054), or null. Overdue training reminders go to them.
     */
    lineManagerId: uuid('line_manager_id').references((): AnyPgColumn => staff.id, {
      onDelete: 'set null',
    }),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('staff_email_key').on(t.email),
    index('staff_school_idx').on(t.schoolId, t.familyName, t.givenName),
    index('staff_line_manager_idx').on(t.lineManagerId),
    check('staff_line_manager_not_self', sql`${t.lineManagerId} <> ${t.id}`),
  ],
);

export const staffRoles = pgTable(
  'staff_roles',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.staffId, t.role] }),
    index('staff_roles_school_idx').on(t.schoolId, t.role),
  ],
);

export const pupils = pgTable(
  'pupils',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    misId: text('mis_id').notNull(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    /** The first name the pupil is known by (MIS "Preferred Forename"); null when the legal one. */
    preferredGivenName: text('preferred_given_name'),
    /** The surname the pupil is known by (MIS "Preferred Surname"); null when the legal one. */
    preferredFamilyName: text('preferred_family_name'),
    dateOfBirth: date('date_of_birth', { mode: 'string' }).notNull(),
    yearGroup: text('year_group').notNull(),
    className: text('class_name'),
    admissionDate: date('admission_date', { mode: 'string' }),
    leavingDate: date('leaving_date', { mode: 'string' }),
    email: text('email'),
    /** Set when an MIS import no longer lists the pupil; never deleted (SPEC §3.1). */
    possiblyLeftAt: timestamp('possibly_left_at', { withTimezone: true }),
    searchText: text('search_text').notNull().default(''),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('pupils_school_mis_key').on(t.schoolId, t.misId),
    index('pupils_school_name_idx').on(t.schoolId, t.familyName, t.givenName, t.id),
    index('pupils_school_class_idx').on(t.schoolId, t.yearGroup, t.className),
  ],
);

export const parents = pgTable(
  'parents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    misId: text('mis_id'),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('parents_school_mis_key').on(t.schoolId, t.misId),
    index('parents_school_email_idx').on(t.schoolId, t.email),
    index('parents_school_name_idx').on(t.schoolId, t.familyName, t.givenName),
    // Migration 0008 adds parents_check_names_idx (id) INCLUDE (given_name, family_name) for the
    // consent check's explanations (Drizzle cannot declare INCLUDE).
  ],
);

export const pupilParents = pgTable(
  'pupil_parents',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    parentId: uuid('parent_id')
      .notNull()
      .references(() => parents.id),
    relationship: text('relationship'),
    parentalResponsibility: boolean('parental_responsibility').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.pupilId, t.parentId] }),
    index('pupil_parents_parent_idx').on(t.parentId),
    // Migration 0008 adds pupil_parents_responsibility_idx (pupil_id) INCLUDE (parent_id) WHERE
    // parental_responsibility for the consent check (Drizzle cannot declare INCLUDE).
  ],
);

/** One MIS file: uploaded, previewed (with row errors), then committed all-or-nothing. */
export const pupilImports = pgTable(
  'pupil_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    ...importRunColumns(),
    /**
     * The confirmer said the file lists every pupil on roll: only then are pupils missing from it
     * marked as possibly left. Null until confirmed; a partial list marks nobody.
     */
    wholeRoll: boolean('whole_roll'),
  },
  (t) => [index('pupil_imports_school_idx').on(t.schoolId, t.createdAt)],
);

/** The classes a member of staff teaches: teachers see consent for these classes only. */
export const staffClasses = pgTable(
  'staff_classes',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    className: text('class_name').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.staffId, t.className] }),
    index('staff_classes_school_idx').on(t.schoolId, t.className),
  ],
);
