import { date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { parents, pupils, schools, staff } from '../people/people.tables.ts';

/**
 * Staff declarations (SPEC §3.7; the profile's `conduct.friendRequestsMustBeDeclared`,
 * `conduct.socialContactMustBeDeclared`, `conduct.newStarterOnlinePresenceCheck`): made by a
 * member of staff, a volunteer or a governor, read by the profile's reviewer
 * (`conduct.declarationReviewerRole`), who records a response.
 */
export const conductDeclarations = pgTable(
  'conduct_declarations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id),
    /** 'friend_request' | 'social_contact' | 'online_presence' */
    kind: text('kind').notNull(),
    /** Friend requests: the platform it came on. */
    platform: text('platform'),
    /** Friend requests: 'pupil' | 'ex_pupil' | 'parent'; social contact: 'family'. */
    subjectKind: text('subject_kind'),
    subjectPupilId: uuid('subject_pupil_id').references(() => pupils.id),
    subjectParentId: uuid('subject_parent_id').references(() => parents.id),
    /** A former pupil is not on the roll: the name as the member of staff gives it. */
    subjectText: text('subject_text'),
    /** Friend requests: 'declined' | 'blocked' | 'reported'. */
    actionTaken: text('action_taken'),
    details: text('details').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }),
    declaredAt: timestamp('declared_at', { withTimezone: true }).notNull(),
    /** 'awaiting_review' | 'reviewed' */
    status: text('status').notNull(),
    reviewedBy: uuid('reviewed_by').references(() => staff.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    response: text('response'),
    /** The incident the reviewer opened from it (the incidents module's record). */
    incidentId: uuid('incident_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conduct_declarations_staff_idx').on(t.schoolId, t.staffId, t.declaredAt),
    index('conduct_declarations_status_idx').on(t.schoolId, t.status, t.declaredAt),
  ],
);

/**
 * Permission requests (SPEC §3.7; `conduct.permissionTypes`): the type, who decides, whether the
 * ICT sign-off comes first and how long it lasts are the profile's. `status` is the state the
 * decisions below lead to; the decisions themselves are the trail.
 */
export const conductPermissions = pgTable(
  'conduct_permissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id),
    /** A key of `conduct.permissionTypes`. */
    type: text('type').notNull(),
    reason: text('reason').notNull(),
    /** Named photos: the pupil and the consent purpose the consent register answers for. */
    pupilId: uuid('pupil_id').references(() => pupils.id),
    purposeKey: text('purpose_key'),
    /** 'awaiting_sign_off' | 'awaiting_decision' | 'awaiting_parent' | 'granted' | 'refused' | 'withdrawn' | 'expired' */
    status: text('status').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }),
    /** From the type's `expiresAfterDays` when granted; null = until withdrawn. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conduct_permissions_staff_idx').on(t.schoolId, t.staffId, t.type, t.status),
    index('conduct_permissions_status_idx').on(t.schoolId, t.status, t.requestedAt),
  ],
);

/** The decision trail of a permission: append-only (a trigger refuses UPDATE and DELETE). */
export const conductPermissionDecisions = pgTable(
  'conduct_permission_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    permissionId: uuid('permission_id')
      .notNull()
      .references(() => conductPermissions.id),
    /** 'requested' | 'signed_off' | 'sign_off_refused' | 'granted' | 'refused' | 'withdrawn' | 'expired' */
    step: text('step').notNull(),
    /** Null when Lanyard recorded it (expiry, the consent register's answer). */
    staffId: uuid('staff_id').references(() => staff.id),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('conduct_permission_decisions_idx').on(t.schoolId, t.permissionId, t.at)],
);

/**
 * The school's filtering and monitoring provision (SPEC §3.7; DfE filtering and monitoring
 * standards): each change is a new row, the newest is current.
 */
export const filteringProvisions = pgTable(
  'filtering_provisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    filteringProvider: text('filtering_provider').notNull(),
    monitoringProvider: text('monitoring_provider').notNull(),
    blockedCategories: text('blocked_categories').array().notNull(),
    alertRecipients: text('alert_recipients').notNull(),
    notes: text('notes').notNull(),
    recordedBy: uuid('recorded_by')
      .notNull()
      .references(() => staff.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('filtering_provisions_school_idx').on(t.schoolId, t.recordedAt)],
);

/** Exceptions to the filtering, each linked to the permission that allowed it where there is one. */
export const filteringExceptions = pgTable(
  'filtering_exceptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    description: text('description').notNull(),
    permissionId: uuid('permission_id').references(() => conductPermissions.id),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }),
    recordedBy: uuid('recorded_by')
      .notNull()
      .references(() => staff.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('filtering_exceptions_school_idx').on(t.schoolId, t.startsOn)],
);

/** Each scheduled check and annual review with its findings: append-only (trigger). */
export const filteringChecks = pgTable(
  'filtering_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** 'check' | 'review' */
    kind: text('kind').notNull(),
    checkedOn: date('checked_on', { mode: 'string' }).notNull(),
    /** 'working' | 'problems_found' */
    outcome: text('outcome').notNull(),
    findings: text('findings').notNull(),
    actions: text('actions').notNull(),
    recordedBy: uuid('recorded_by')
      .notNull()
      .references(() => staff.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('filtering_checks_school_idx').on(t.schoolId, t.kind, t.checkedOn)],
);
