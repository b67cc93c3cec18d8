import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RegisteredRoute } from '../../src/app.ts';
import { ukDate } from '../../src/platform/clock.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';
import {
  staffRoles,
  type Principal,
  type StaffPrincipal,
  type StaffRole,
} from '../../src/modules/auth/principal.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { addItem, addPublications } from '../support/publishing-seed.ts';
import { formEntries } from '../support/policy-editor.ts';
import {
  Browser,
  createOrganisationAdmin,
  formsOf,
  setPupilEmail,
  signInWithLink,
  type OrgAdminFixture,
} from '../support/http-principals.ts';

/**
 * Every route × every kind of person × their own school or another one. The expected answer
 * comes from the hand-written table below (EXPECTED), never from the route's own access function
 * or a policy function: a wrong policy cannot grade itself. Refused access must look exactly like
 * a missing record (404), never 403 or data. A route that is served but not in the table fails
 * the test, so every new route is added here by hand.
 */

type Role = StaffRole | 'parent' | 'pupil' | 'org_admin';

/** Who may reach a route: written by hand from the SPEC, one line per route (and URL variant). */
type Who =
  /** Anyone, signed in or not. */
  | 'public'
  /** Anyone signed in, even before their second factor (sign-out). */
  | 'signed-in'
  /** The second-factor pages: a signed-in person who may still have the step to do. */
  | 'second-factor'
  /** These roles, signed in with their second factor done; anyone else gets a 404. */
  | readonly Role[]
  /**
   * `own`: these roles at school A (whose records every URL names); `otherSchool`: these roles
   * at school B (only for URLs that name no record, e.g. a class name that both schools have).
   */
  | { own: readonly Role[]; otherSchool: readonly Role[] };

// Groups of roles, spelled out (not imported from the *.policy.ts files under test).
const EVERY_STAFF: readonly Role[] = [
  'headteacher',
  'dsl',
  'dpo',
  'business_manager',
  'office',
  'ict_technician',
  'teacher',
  'support_staff',
  'volunteer',
  'governor',
];
const EVERYONE_SIGNED_IN: readonly Role[] = [...EVERY_STAFF, 'parent', 'pupil', 'org_admin'];
/** The pupil list and the photo library: staff who work with pupils (teachers class-scoped). */
const PUPIL_STAFF: readonly Role[] = [
  'headteacher',
  'dsl',
  'dpo',
  'business_manager',
  'office',
  'teacher',
  'support_staff',
];
/** Every pupil, parent and member of staff of the school, whatever their class. */
const WHOLE_SCHOOL: readonly Role[] = ['headteacher', 'dsl', 'dpo', 'business_manager', 'office'];
const PUPIL_MANAGERS: readonly Role[] = ['headteacher', 'dpo', 'office'];
const STAFF_MANAGERS: readonly Role[] = ['headteacher', 'business_manager'];
/** The Headteacher: policy editor, and the profile's device and quarantine approver. */
const HEADTEACHER: readonly Role[] = ['headteacher'];
const DPO_AND_HEAD: readonly Role[] = ['headteacher', 'dpo'];
/** Consent records for the whole school (the office records paper forms). */
const CONSENT_OFFICE: readonly Role[] = ['headteacher', 'dpo', 'office'];
/** The consent pages: the whole-school roles, and class staff for their own classes. */
const CONSENT_PAGES: readonly Role[] = ['headteacher', 'dpo', 'office', 'teacher', 'support_staff'];
/** A pupil or class of school A: the teacher teaches pupil 0's class; the assistant none. */
const CONSENT_OF_CLASS_0: readonly Role[] = ['headteacher', 'dpo', 'office', 'teacher'];
const CONSENT_CHECKERS: readonly Role[] = [
  'headteacher',
  'dpo',
  'business_manager',
  'office',
  'teacher',
  'support_staff',
];
const DEVICE_VIEWERS: readonly Role[] = EVERY_STAFF.filter(
  (r) => r !== 'volunteer' && r !== 'governor',
);
/** The school's channels: staff who may draft posts see them (not volunteers or governors). */
const CHANNEL_VIEWERS: readonly Role[] = [
  'headteacher',
  'dsl',
  'dpo',
  'business_manager',
  'office',
  'ict_technician',
  'teacher',
  'support_staff',
];
/** The profile's credential custodian (the Business Manager in this template) and the Head. */
const CHANNEL_MANAGERS: readonly Role[] = ['headteacher', 'business_manager'];
/** Posts: staff who draft them (not volunteers or governors). */
const POSTERS: readonly Role[] = [
  'headteacher',
  'dsl',
  'dpo',
  'business_manager',
  'office',
  'ict_technician',
  'teacher',
  'support_staff',
];
/** School A's teacher's post: its author, the approver (the Headteacher) and the DPO read it. */
const POST_READERS: readonly Role[] = ['headteacher', 'dpo', 'teacher'];
/** The teacher's post: its author, and the approver (the Headteacher). */
const POST_AUTHOR_AND_APPROVER: readonly Role[] = ['headteacher', 'teacher'];
/** Only its author (the teacher) changes or sends it. */
const POST_AUTHOR: readonly Role[] = ['teacher'];
/**
 * Takedowns: the Headteacher and the profile's credential custodian role (the Business Manager
 * here), who also keeps school A's social account.
 */
const TAKEDOWN_HANDLERS: readonly Role[] = ['headteacher', 'business_manager'];
/** Staff who may be given a case (the case list; never governors or volunteers). */
const CASE_STAFF: readonly Role[] = EVERY_STAFF.filter(
  (r) => r !== 'governor' && r !== 'volunteer',
);
const FAMILY: readonly Role[] = ['parent', 'pupil'];
/** The signed-in parent of pupil 0 (pupil 0 has not been assessed as competent to decide). */
const PARENT: readonly Role[] = ['parent'];

/**
 * "METHOD url" (or "METHOD url [variant]" where the matrix tries two records) → who may.
 * Pupil 0 is the signed-in pupil, a child of the signed-in parent, and in the teacher's class;
 * "another pupil" is in another class and nobody's child here.
 */
const EXPECTED: Record<string, Who> = {
  // Public pages and sign-in.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'GET /signed-out': 'public',
  'GET /sign-in/link': 'public',
  'POST /sign-in/link': 'public',
  'GET /sign-in/link/sent': 'public',
  'GET /sign-in/link/:token': 'public',
  'POST /sign-in/link/:token': 'public',
  'POST /sign-in/link/:token/renew': 'public',
  'GET /sign-in/link/renewed': 'public',
  'GET /set-password/:token': 'public',
  'POST /set-password/:token': 'public',
  'GET /accessibility': 'public',
  'GET /privacy': 'public',
  'GET /api/v1/openapi.json': 'public',
  'GET /sign-in/two-factor': 'second-factor',
  'POST /sign-in/two-factor': 'second-factor',
  'GET /account/two-factor/set-up': 'second-factor',
  'POST /account/two-factor/set-up': 'second-factor',
  'POST /sign-out': 'signed-in',
  'GET /': EVERYONE_SIGNED_IN,
  'GET /api/v1/me': EVERYONE_SIGNED_IN,

  // The service navigation's section pages: whoever can open at least one of the section's
  // entries (written from each entry's own line in this table); anyone else gets a 404.
  // Pupils, Parents and carers, Import.
  'GET /section/pupils-and-families': PUPIL_STAFF,
  // Consent (class staff and the whole-school roles), Never publish (the DSL and the Head), the
  // family's own form.
  'GET /section/consent': [...CONSENT_PAGES, 'dsl', 'parent', 'pupil'],
  // Photos and videos, Devices (the ICT Technician), Posts, Channels: not volunteers or governors.
  'GET /section/posts-and-photos': EVERY_STAFF.filter((r) => r !== 'volunteer' && r !== 'governor'),
  // Incidents, Report a concern (every member of staff, parents and pupils), E-safety meetings.
  'GET /section/safeguarding': [...EVERY_STAFF, 'parent', 'pupil'],
  // Staff, Training, Compliance, Conduct; the trust's Training compliance.
  'GET /section/staff': [...EVERY_STAFF, 'org_admin'],
  // Policy, Governors' report, Subject access, Audit log; the trust's Governors' reports.
  'GET /section/policy-and-reports': [...EVERY_STAFF, 'org_admin'],

  // People.
  'GET /pupils': PUPIL_STAFF,
  'GET /api/v1/pupils': PUPIL_STAFF,
  'GET /pupils/:id [own child / the pupil]': [...WHOLE_SCHOOL, 'teacher', 'parent', 'pupil'],
  'GET /api/v1/pupils/:id [own child / the pupil]': [...WHOLE_SCHOOL, 'teacher', 'parent', 'pupil'],
  'GET /pupils/:id [another pupil]': WHOLE_SCHOOL,
  'GET /api/v1/pupils/:id [another pupil]': WHOLE_SCHOOL,
  'GET /parents': WHOLE_SCHOOL,
  'GET /parents/:id': WHOLE_SCHOOL,
  'GET /staff': WHOLE_SCHOOL,
  'GET /pupils/new': PUPIL_MANAGERS,
  'POST /pupils/new': PUPIL_MANAGERS,
  'POST /api/v1/pupils': PUPIL_MANAGERS,
  'GET /pupils/:id/edit': PUPIL_MANAGERS,
  'POST /pupils/:id/edit': PUPIL_MANAGERS,
  'PATCH /api/v1/pupils/:id [own child / the pupil]': PUPIL_MANAGERS,
  'PATCH /api/v1/pupils/:id [another pupil]': PUPIL_MANAGERS,
  'GET /pupils/:id/leaving': PUPIL_MANAGERS,
  'POST /pupils/:id/leaving': PUPIL_MANAGERS,
  'POST /pupils/:id/still-here': PUPIL_MANAGERS,
  'GET /pupils/possibly-left': PUPIL_MANAGERS,
  'POST /pupils/possibly-left': PUPIL_MANAGERS,
  'GET /imports/pupils': PUPIL_MANAGERS,
  'POST /imports/pupils': PUPIL_MANAGERS,
  'GET /imports/pupils/:id': PUPIL_MANAGERS,
  'POST /imports/pupils/:id/confirm': PUPIL_MANAGERS,
  'GET /staff/new': STAFF_MANAGERS,
  'POST /staff/new': STAFF_MANAGERS,
  'POST /api/v1/staff': STAFF_MANAGERS,
  'GET /staff/:id/edit': STAFF_MANAGERS,
  'POST /staff/:id/edit': STAFF_MANAGERS,
  'GET /api/v1/staff/:id': STAFF_MANAGERS,
  'PATCH /api/v1/staff/:id': STAFF_MANAGERS,
  'POST /staff/:id/invitation': STAFF_MANAGERS,
  'POST /staff/:id/deactivate': STAFF_MANAGERS,
  'POST /staff/:id/reactivate': STAFF_MANAGERS,
  // The staff import (a CSV staff list, line managers included): those who manage staff.
  'GET /imports/staff': STAFF_MANAGERS,
  'POST /imports/staff': STAFF_MANAGERS,
  'GET /imports/staff/:id': STAFF_MANAGERS,
  'GET /imports/staff/:id/problems.csv': STAFF_MANAGERS,
  'POST /imports/staff/:id/confirm': STAFF_MANAGERS,
  'GET /staff/classes': ['headteacher', 'office'],
  'GET /staff/:id/classes': ['headteacher', 'office'],
  'POST /staff/:id/classes': ['headteacher', 'office'],

  // The school's policy.
  'GET /policy': EVERY_STAFF,
  'GET /policy/versions': EVERY_STAFF,
  'GET /policy/versions/:version': EVERY_STAFF,
  'GET /api/v1/policy-profile': EVERY_STAFF,
  // The policy profile's API edit (issue 15 item 1, helper D): the Headteacher only.
  'PATCH /api/v1/policy-profile': HEADTEACHER,
  'POST /policy/adopt': HEADTEACHER,
  'GET /policy/edit': HEADTEACHER,
  'POST /policy/edit': HEADTEACHER,
  'POST /policy/reviewed': HEADTEACHER,
  'GET /audit': DPO_AND_HEAD,

  // Consent: the family's form.
  'GET /consent/family': FAMILY,
  'GET /consent/family/:pupilId/:periodKey [own child]': PARENT,
  'POST /consent/family/:pupilId/:periodKey [own child]': PARENT,
  'GET /consent/family/:pupilId/:periodKey/check [own child]': PARENT,
  'POST /consent/family/:pupilId/:periodKey/check [own child]': PARENT,
  'GET /consent/family/receipts/:recordId [A parent’s receipt]': PARENT,
  'GET /consent/family/receipts/:recordId.json [A parent’s receipt]': PARENT,
  'GET /consent/family/receipts/:recordId.pdf [A parent’s receipt]': PARENT,
  // Consent: the staff's pages.
  'GET /consent': CONSENT_PAGES,
  'GET /consent/check': CONSENT_CHECKERS,
  'POST /api/v1/consent/check': CONSENT_CHECKERS,
  'GET /consent/pupils/:id [a pupil]': CONSENT_OF_CLASS_0,
  'GET /consent/records/:id/evidence [a scanned form]': CONSENT_OF_CLASS_0,
  'GET /consent/classes/:className [a class]': {
    own: CONSENT_OF_CLASS_0,
    otherSchool: CONSENT_OFFICE,
  },
  'GET /consent/classes/:className/card [a class]': {
    own: CONSENT_OF_CLASS_0,
    otherSchool: CONSENT_OFFICE,
  },
  'GET /consent/classes/:className/card.pdf [a class]': {
    own: CONSENT_OF_CLASS_0,
    otherSchool: CONSENT_OFFICE,
  },
  'GET /consent/pupils/:id/paper-form [a pupil]': CONSENT_OFFICE,
  'POST /consent/pupils/:id/paper-form [a pupil]': CONSENT_OFFICE,
  'GET /consent/pupils/:id/withdrawal [a pupil]': CONSENT_OFFICE,
  'POST /consent/pupils/:id/withdrawal [a pupil]': CONSENT_OFFICE,
  'GET /consent/pupils/:id/competence [a pupil]': DPO_AND_HEAD,
  'POST /consent/pupils/:id/competence [a pupil]': DPO_AND_HEAD,
  'GET /consent/receipts': CONSENT_OFFICE,
  'GET /consent/changes': CONSENT_OFFICE,
  'POST /consent/parents/:parentId/send-link': CONSENT_OFFICE,
  'GET /consent/export.csv': DPO_AND_HEAD,
  'GET /consent/imports': DPO_AND_HEAD,
  'POST /consent/imports': DPO_AND_HEAD,
  'GET /consent/imports/:id': DPO_AND_HEAD,
  'POST /consent/imports/:id/confirm': DPO_AND_HEAD,
  'GET /consent/campaigns': CONSENT_OFFICE,
  'POST /consent/campaigns': DPO_AND_HEAD,
  'GET /consent/campaigns/:id': CONSENT_OFFICE,
  'POST /consent/campaigns/:id/reminders': CONSENT_OFFICE,
  // Switching the policy's starting point (policies/policy-switch.routes.ts, issue 15).
  'GET /policy/switch': HEADTEACHER,
  'GET /policy/switch/preview': HEADTEACHER,
  'POST /policy/switch': HEADTEACHER,
  'GET /policy/responsibilities': HEADTEACHER,
  'GET /policy/event-notices': EVERY_STAFF,
  // The n-th kind of event of the reader's own school's profile (school B has one too).
  'GET /policy/event-notices/:n': { own: EVERY_STAFF, otherSchool: EVERY_STAFF },
  'POST /policy/responsibilities': HEADTEACHER,
  'POST /policy/responsibilities/:id/remove': HEADTEACHER,
  // Never-publish restrictions (consent/restrictions, issue 15): the roles the profile names in
  // people.publicationRestrictionSetters (the DSL and Headteacher in every template).
  'GET /consent/restrictions': ['headteacher', 'dsl'],
  'GET /consent/restrictions/choose': ['headteacher', 'dsl'],
  'GET /consent/restrictions/pupils/:id [a pupil]': ['headteacher', 'dsl'],
  'POST /consent/restrictions/pupils/:id [a pupil]': ['headteacher', 'dsl'],

  // Devices.
  'GET /devices': DEVICE_VIEWERS,
  'GET /devices/new': ['ict_technician'],
  'POST /devices': ['ict_technician'],
  'POST /devices/:id/approve': HEADTEACHER,
  'POST /devices/:id/withdraw': HEADTEACHER,

  // Training and policy acknowledgements (modules/training, modules/acknowledgements).
  'GET /acknowledge-policy': EVERY_STAFF,
  'POST /acknowledge-policy': EVERY_STAFF,
  'GET /training': EVERY_STAFF,
  'GET /api/v1/training/sessions': EVERY_STAFF,
  'GET /training/sessions/new': ['headteacher', 'dsl', 'business_manager'],
  'POST /training/sessions': ['headteacher', 'dsl', 'business_manager'],
  'GET /training/sessions/:id': EVERY_STAFF,
  'GET /training/sessions/:id/register': ['headteacher', 'dsl', 'business_manager'],
  'POST /training/sessions/:id/register': ['headteacher', 'dsl', 'business_manager'],
  'POST /api/v1/training/sessions/:id/attendance': ['headteacher', 'dsl', 'business_manager'],
  'GET /training/status': ['headteacher', 'dsl', 'business_manager'],
  // The teacher first: they mark their own class, the others then the first class still unmarked.
  'GET /training/lessons': ['teacher', 'headteacher', 'dsl', 'business_manager'],
  'POST /training/lessons': ['teacher', 'headteacher', 'dsl', 'business_manager'],
  'GET /parent-training': ['parent'],
  'POST /parent-training/:id/book': ['parent'],
  'POST /parent-training/:id/cancel': ['parent'],
  'GET /training/imports': ['headteacher', 'dsl', 'business_manager'],
  'POST /training/imports': ['headteacher', 'dsl', 'business_manager'],
  'GET /training/imports/:id': ['headteacher', 'dsl', 'business_manager'],
  'POST /training/imports/:id/confirm': ['headteacher', 'dsl', 'business_manager'],
  'GET /training/status.csv': ['headteacher', 'dsl', 'business_manager'],
  'GET /training/sessions/:id/materials/new': ['headteacher', 'dsl', 'business_manager'],
  'POST /training/sessions/:id/materials': ['headteacher', 'dsl', 'business_manager'],
  'GET /training/materials/:id': EVERY_STAFF,
  // The policy lifecycle (modules/lifecycle, and modules/acknowledgements' rounds; issue 16):
  // the text for everyone of the school, the public page, the Head's editor, reviews by the
  // profile's reviewers (school A's template: the Headteacher, ICT Technician and DPO, 003 §10.1).
  'GET /policy/text': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /policy/cite': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /policy/text/edit': HEADTEACHER,
  'POST /policy/text/edit': HEADTEACHER,
  'GET /policy/text/versions/:version': EVERY_STAFF,
  'GET /schools/:slug/policy': 'public',
  'GET /parent-guidance': ['parent'],
  'POST /parent-guidance': ['parent'],
  // The current text, which is public anyway (/schools/:slug/policy): every member of staff with
  // the rules each clause implements; parents and pupils of the school through their signed-in
  // session (API tokens are staff's only) with no rules, as their page. No role gets a draft, an
  // earlier version or an editor's name here: those are staff pages (versions: EVERY_STAFF).
  // A trust admin: 404 (no school). test/http/policy-lifecycle.test.ts checks the content.
  'GET /api/v1/policy-text': [...EVERY_STAFF, 'parent', 'pupil'],
  'POST /api/v1/policy-acknowledgements': EVERY_STAFF,
  'GET /acknowledgements/missing': ['headteacher', 'dsl'],
  'GET /acknowledge-policy/class': ['teacher'],
  'POST /acknowledge-policy/class': ['teacher'],
  'GET /policy/reviews': EVERY_STAFF,
  'GET /policy/reviews/new': ['headteacher', 'ict_technician', 'dpo'],
  'POST /policy/reviews/new': ['headteacher', 'ict_technician', 'dpo'],
  'GET /policy/reviews/:id': EVERY_STAFF,
  'POST /policy/reviews/:id/approve': ['headteacher', 'ict_technician', 'dpo'],

  // The compliance view (modules/compliance): names for those who run training, counts for
  // governors (both matrix schools' templates give governors the policy's review), figures per
  // school for the trust.
  'GET /compliance': ['headteacher', 'dsl', 'business_manager', 'governor'],
  'GET /compliance.csv': ['headteacher', 'dsl', 'business_manager', 'governor'],
  'GET /trust/compliance': ['org_admin'],
  'GET /trust/compliance.csv': ['org_admin'],
  'GET /api/v1/compliance': ['headteacher', 'dsl', 'business_manager', 'governor'],
  'GET /api/v1/trust/compliance': ['org_admin'],

  // The governors' monitoring report (modules/reports): the Headteacher, and governors where the
  // profile's review.governorsMonitoringReport is on (both matrix schools' templates); the trust
  // sees the same figures per school and in total.
  'GET /reports/governors': ['headteacher', 'governor'],
  'GET /reports/governors.pdf': ['headteacher', 'governor'],
  'GET /trust/reports': ['org_admin'],

  // Channels and the school's accounts.
  'GET /channels': CHANNEL_VIEWERS,
  'GET /api/v1/channels': CHANNEL_VIEWERS,
  'GET /channels/new': CHANNEL_MANAGERS,
  'POST /channels': CHANNEL_MANAGERS,
  'POST /api/v1/channels': CHANNEL_MANAGERS,
  'GET /channels/:id': CHANNEL_VIEWERS,
  'POST /channels/:id/credential': CHANNEL_MANAGERS,
  'POST /channels/:id/posters': CHANNEL_MANAGERS,
  'POST /channels/:id/posters/remove': CHANNEL_MANAGERS,
  'POST /channels/:id/deactivate': CHANNEL_MANAGERS,
  'POST /channels/:id/reactivate': CHANNEL_MANAGERS,
  'GET /channels/:id/handover': CHANNEL_MANAGERS,
  'POST /channels/:id/handover': CHANNEL_MANAGERS,
  // Publishing (issue 12 gaps): changing a channel's details; the school's own contact details.
  'GET /channels/:id/edit': CHANNEL_MANAGERS,
  'POST /channels/:id/edit': CHANNEL_MANAGERS,
  'PATCH /api/v1/channels/:id': CHANNEL_MANAGERS,
  'GET /school': HEADTEACHER,
  'POST /school': HEADTEACHER,
  // The news page's colour and logo: those who manage the channels.
  'GET /channels/news-appearance': CHANNEL_MANAGERS,
  'POST /channels/news-appearance': CHANNEL_MANAGERS,

  // Posts: draft, checks, approval, publishing.
  'GET /posts': POSTERS,
  'GET /posts/new': POSTERS,
  'POST /posts': POSTERS,
  'GET /posts/:id': POST_READERS,
  'GET /posts/:id/edit': POST_AUTHOR,
  'POST /posts/:id': POST_AUTHOR,
  'POST /posts/:id/previews': POST_AUTHOR_AND_APPROVER,
  'GET /posts/:id/preview/:mediaId/:purpose': POST_READERS,
  'POST /posts/:id/submit': POST_AUTHOR,
  'POST /posts/:id/checks': POST_AUTHOR_AND_APPROVER,
  'POST /posts/:id/approve': HEADTEACHER,
  'POST /posts/:id/return': HEADTEACHER,
  'POST /posts/:id/override': HEADTEACHER,
  'POST /posts/:id/publish': POST_AUTHOR_AND_APPROVER,
  'GET /api/v1/posts': POSTERS,
  'POST /api/v1/posts': POSTERS,
  'GET /api/v1/posts/:id': POST_READERS,
  'PATCH /api/v1/posts/:id': POST_AUTHOR,
  'POST /api/v1/posts/:id/submit': POST_AUTHOR,
  'POST /api/v1/posts/:id/approve': HEADTEACHER,
  'POST /api/v1/posts/:id/return': HEADTEACHER,
  'POST /api/v1/posts/:id/checks/:checkId/override': HEADTEACHER,
  'POST /api/v1/posts/:id/publish': POST_AUTHOR_AND_APPROVER,
  // Takedowns after consent changes (a task of school A's social account).
  'GET /posts/takedowns': TAKEDOWN_HANDLERS,
  'GET /posts/takedowns/:id': TAKEDOWN_HANDLERS,
  'POST /posts/takedowns/:id/done': TAKEDOWN_HANDLERS,
  'GET /api/v1/takedowns': TAKEDOWN_HANDLERS,
  'GET /api/v1/takedowns/:id': TAKEDOWN_HANDLERS,
  'POST /api/v1/takedowns/:id/done': TAKEDOWN_HANDLERS,
  // The school's news page: public, the same for everyone.
  'GET /news/:slug': 'public',
  'GET /news/:slug/feed.atom': 'public',
  'GET /news/:slug/feed.rss': 'public',
  'GET /news/:slug/feed.json': 'public',
  'GET /news/:slug/:publicationId': 'public',
  'GET /news/:slug/:publicationId/images/:file': 'public',
  // School A's logo and colours (set in the setup).
  'GET /news/:slug/logo.png': 'public',
  'GET /news/:slug/brand.css': 'public',
  // Where pupil 0 appears in posts: staff who may see pupil 0 (the teacher teaches their class).
  'GET /pupils/:id/publications': [...WHOLE_SCHOOL, 'teacher'],

  // Photos and videos.
  'GET /media': PUPIL_STAFF,
  'GET /media/archive': PUPIL_STAFF,
  'GET /media/upload': PUPIL_STAFF,
  'GET /media/upload.js': PUPIL_STAFF,
  'POST /media/upload': PUPIL_STAFF,
  'POST /api/v1/media': PUPIL_STAFF,
  'GET /media/:id': PUPIL_STAFF,
  'GET /api/v1/media/:id': PUPIL_STAFF,
  'GET /media/:id/original': PUPIL_STAFF,
  'GET /media/:id/preview': PUPIL_STAFF,
  'POST /media/:id/details': PUPIL_STAFF,
  'POST /media/:id/faces/add': PUPIL_STAFF,
  'POST /media/:id/faces/remove': PUPIL_STAFF,
  'POST /media/:id/faces/link': PUPIL_STAFF,
  'POST /media/:id/pupils/add': PUPIL_STAFF,
  'POST /media/:id/pupils/remove': PUPIL_STAFF,
  'POST /media/:id/renditions': PUPIL_STAFF,
  'GET /media/:id/renditions/:purpose': PUPIL_STAFF,
  'GET /media/:id/renditions/:purpose/file': PUPIL_STAFF,
  'GET /media/quarantine': HEADTEACHER,
  'POST /media/:id/release': HEADTEACHER,
  'POST /media/:id/delete': HEADTEACHER,
  'GET /media/retention': DPO_AND_HEAD,

  // Evidence of incidents (incidents/evidence): school A's parent's report (not a safeguarding
  // concern, nobody assigned) with one file. Its reporter may add files; only those who may
  // open the case (the Headteacher and the DSL here) download them; everyone else 404.
  'GET /incidents/:id/evidence/add': ['headteacher', 'dsl', 'parent'],
  'POST /incidents/:id/evidence': ['headteacher', 'dsl', 'parent'],
  'GET /incidents/:id/evidence/:evidenceId': ['headteacher', 'dsl'],
  'POST /api/v1/incidents/:id/evidence': ['headteacher', 'dsl'],

  // Incident letters and platform guidance (incidents/letters, incidents/guidance). Guidance is
  // help, not a case record: everyone of the school reads it (parents and pupils from the report
  // form); the Headteacher and the DSL change it and the letter templates. A case's letters:
  // school A's parent's report (not a safeguarding concern, nobody assigned) with one letter,
  // so the Headteacher and the DSL only; its reporter sees the status, never the letters.
  'GET /incidents/guidance': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /incidents/guidance/:platform': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /incidents/guidance/:platform/edit': ['headteacher', 'dsl'],
  'POST /incidents/guidance/:platform': ['headteacher', 'dsl'],
  'POST /incidents/guidance/:platform/restore': ['headteacher', 'dsl'],
  'GET /incidents/letters/templates': ['headteacher', 'dsl'],
  'GET /incidents/letters/templates/:key': ['headteacher', 'dsl'],
  'POST /incidents/letters/templates/:key': ['headteacher', 'dsl'],
  'POST /incidents/letters/templates/:key/restore': ['headteacher', 'dsl'],
  'GET /incidents/:id/letters': ['headteacher', 'dsl'],
  'GET /incidents/:id/letters/new': ['headteacher', 'dsl'],
  'POST /incidents/:id/letters/preview': ['headteacher', 'dsl'],
  'POST /incidents/:id/letters': ['headteacher', 'dsl'],
  'GET /incidents/:id/letters/:letterId': ['headteacher', 'dsl'],
  'GET /incidents/:id/letters/:letterId/pdf': ['headteacher', 'dsl'],

  // Incidents (incidents core: reports, cases). Anyone of the school reports and sees their own
  // reports' status. Samples: A's office's report of a safeguarding concern naming pupil 0
  // (the Headteacher and the DSL open it; its reporter sees the receipt only; the DSL alone
  // names deputies), and A's teacher's report the Headteacher gave to the teaching assistant
  // (who then opens it; the teacher who reported it does not).
  'GET /report': [...EVERY_STAFF, 'parent', 'pupil'],
  'POST /report': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /report/concern': [...EVERY_STAFF, 'parent', 'pupil'],
  'POST /report/concern': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /report/image': [...EVERY_STAFF, 'parent', 'pupil'],
  'POST /report/image': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /my-reports': [...EVERY_STAFF, 'parent', 'pupil'],
  'GET /report/:id/receipt': ['headteacher', 'dsl', 'office'],
  'POST /api/v1/incidents': EVERY_STAFF,
  'GET /incidents': CASE_STAFF,
  'GET /api/v1/incidents': CASE_STAFF,
  'GET /incidents/:id [safeguarding concern]': ['headteacher', 'dsl'],
  'GET /incidents/:id [given to the assistant]': ['headteacher', 'dsl', 'support_staff'],
  'GET /api/v1/incidents/:id [safeguarding concern]': ['headteacher', 'dsl'],
  'GET /api/v1/incidents/:id [given to the assistant]': ['headteacher', 'dsl', 'support_staff'],
  'POST /incidents/:id/classify': ['headteacher', 'dsl'],
  'POST /incidents/:id/assign': ['headteacher', 'dsl'],
  'POST /incidents/:id/restrict': ['dsl'],
  'POST /incidents/:id/steps/:step': ['headteacher', 'dsl'],
  'POST /incidents/:id/notes': ['headteacher', 'dsl'],
  'POST /incidents/:id/people': ['headteacher', 'dsl'],
  'POST /incidents/:id/corrections': ['headteacher', 'dsl'],
  'POST /incidents/:id/wishes': ['headteacher', 'dsl'],
  'POST /incidents/:id/police': ['headteacher', 'dsl'],
  'POST /incidents/:id/referral': ['headteacher', 'dsl'],
  'POST /incidents/:id/close': ['headteacher', 'dsl'],
  'POST /incidents/:id/reopen': ['headteacher', 'dsl'],
  'GET /pupils/:id/incidents': ['headteacher', 'dsl'],

  // Conduct (modules/conduct): every member of staff, volunteer and governor declares and asks;
  // the profile's reviewer (the Headteacher), deciders (the Headteacher) and ICT role (the ICT
  // Technician) act. Samples: A's teacher's friend request; A's teacher's network request
  // waiting for sign-off (seen by the teacher, the ICT Technician and the Headteacher); a logo
  // request waiting for the Headteacher (decide, withdraw, the API's decisions); a named photo
  // waiting for the parent (its check of the consent register: the teacher who asked).
  'GET /conduct': EVERY_STAFF,
  'GET /conduct/declarations': EVERY_STAFF,
  'GET /conduct/declarations/new': EVERY_STAFF,
  'GET /conduct/declarations/new/:kind': EVERY_STAFF,
  'POST /conduct/declarations/new/:kind': EVERY_STAFF,
  'GET /conduct/declarations/:id': ['teacher', 'headteacher'],
  'POST /conduct/declarations/:id/review': HEADTEACHER,
  'POST /conduct/declarations/:id/incident': HEADTEACHER,
  'GET /conduct/permissions': EVERY_STAFF,
  'GET /conduct/permissions/new': EVERY_STAFF,
  'POST /conduct/permissions': EVERY_STAFF,
  'GET /conduct/permissions/:id': ['teacher', 'ict_technician', 'headteacher'],
  'POST /conduct/permissions/:id/sign-off': ['ict_technician'],
  'POST /conduct/permissions/:id/decide': HEADTEACHER,
  'POST /conduct/permissions/:id/withdraw': ['teacher', 'headteacher'],
  'POST /conduct/permissions/:id/check-consent': ['teacher'],
  'GET /conduct/filtering': ['headteacher', 'dsl', 'ict_technician'],
  'GET /conduct/filtering/provision': ['ict_technician'],
  'POST /conduct/filtering/provision': ['ict_technician'],
  'GET /conduct/filtering/exceptions/new': ['ict_technician'],
  'POST /conduct/filtering/exceptions': ['ict_technician'],
  'GET /conduct/filtering/checks/new': ['ict_technician'],
  'POST /conduct/filtering/checks': ['ict_technician'],
  'GET /api/v1/conduct/declarations': EVERY_STAFF,
  'POST /api/v1/conduct/declarations': EVERY_STAFF,
  'POST /api/v1/conduct/declarations/:id/review': HEADTEACHER,
  'GET /api/v1/conduct/permissions': EVERY_STAFF,
  'POST /api/v1/conduct/permissions': EVERY_STAFF,
  'POST /api/v1/conduct/permissions/:id/decisions': ['teacher', 'headteacher'],
  'GET /api/v1/conduct/filtering': ['headteacher', 'dsl', 'ict_technician'],
  'POST /api/v1/conduct/filtering/provision': ['ict_technician'],
  'POST /api/v1/conduct/filtering/exceptions': ['ict_technician'],
  'POST /api/v1/conduct/filtering/checks': ['ict_technician'],
  // Subject access (modules/subject-access): the DPO handles requests; the Headteacher sees them.
  'GET /subject-access': DPO_AND_HEAD,
  'GET /subject-access/new': ['dpo'],
  'POST /subject-access': ['dpo'],
  'GET /subject-access/:id': DPO_AND_HEAD,
  'POST /subject-access/:id/bundle': ['dpo'],
  'POST /subject-access/:id/extend': ['dpo'],
  'POST /subject-access/:id/close': ['dpo'],
  'GET /retention': DPO_AND_HEAD,
  'GET /subject-access/erasure': ['dpo'],
  'POST /subject-access/erasure': ['dpo'],
  'GET /api/v1/subject-access': DPO_AND_HEAD,
  'POST /api/v1/subject-access': ['dpo'],
};

/**
 * POST routes for which this file sends no valid body, and why (the matrix above still sends
 * each of them, with a CSRF token, from every kind of person).
 */
const NO_VALID_BODY: Record<string, string> = {
  'POST /policy/reviews/:id/approve':
    'a review is approved once (a second approval is a 409 by design); ' +
    'test/http/policy-lifecycle.test.ts approves through the page',
  'POST /acknowledge-policy/class':
    'school A’s teacher has no class here (teachers are class-scoped); ' +
    'test/http/policy-lifecycle.test.ts records a class’s agreement with a valid body',
  'POST /policy/responsibilities/:id/remove':
    'the route takes no fields, so the matrix’s own pass already took the responsibility away with ' +
    'a valid (empty) body; test/http/responsibilities.test.ts gives and takes away',
  'POST /policy/switch':
    'switching replaces school A’s rules (its consent purposes among them) that every other case ' +
    'here relies on; test/http/policy-switch.test.ts switches with valid bodies',
  'POST /imports/pupils/:id/confirm':
    'a valid MIS file replaces the school’s pupil list (the rest are marked possibly left), which ' +
    'would change the pupils every other case here uses; test/db/import.test.ts and ' +
    'test/e2e/import.test.ts apply valid files',
  'POST /pupils/possibly-left':
    'needs pupils marked as possibly left by an MIS import; people-manage.test.ts posts it with them',
};

/**
 * A fake face detector (the FaceDetector adapter's test double): this test is about who may
 * reach what, not about finding faces, so it runs without models/ and is never skipped. The
 * real model is tested in src/platform/faces and the media pipeline tests.
 */
const fakeFaces: FaceDetector = {
  detect: async (image) => [
    {
      x: Math.round(image.width / 4),
      y: Math.round(image.height / 4),
      width: Math.round(image.width / 4),
      height: Math.round(image.height / 4),
      score: 0.9,
    },
  ],
};

type Outcome = string;
const ALLOWED = 'allowed';
const NOT_FOUND = 'not-found';
const SIGN_IN = 'sign-in';
const TWO_FACTOR = 'two-factor';

interface Actor {
  label: string;
  /** Who they are, for the EXPECTED table (null when signed out). */
  role: Role | null;
  /** The person's own school (every URL points at school A's records). */
  school: 'A' | 'B' | null;
  principal: Principal | null;
  /** Signed in with a password but has not entered the TOTP code yet. */
  pendingSecondFactor?: boolean;
  /** A Bearer API token: only /api/ routes. */
  token?: string;
  browser?: Browser;
}

interface Target {
  route: RegisteredRoute;
  url: string;
  variant: string;
  /** The URL names one of school A's records (cross-school requests must 404). */
  record: boolean;
}

/** The key of a target in EXPECTED. */
function targetKey(t: { route: { method: string; url: string }; variant: string }): string {
  return `${t.route.method} ${t.route.url}${t.variant ? ` [${t.variant}]` : ''}`;
}

interface Row {
  route: string;
  actor: string;
  expected: string;
  got: string;
}

function isApi(url: string): boolean {
  return url.startsWith('/api/');
}

function isProblem(res: LightMyRequestResponse): boolean {
  return String(res.headers['content-type'] ?? '').startsWith('application/problem+json');
}

/** What a response means for access control. */
function classify(
  res: LightMyRequestResponse,
  method: string,
  target: Target,
  sentinels: string[],
): Outcome {
  const s = res.statusCode;
  const api = isApi(target.url);
  const location = String(res.headers.location ?? '');
  for (const name of sentinels) if (res.body.includes(name)) return `leak of “${name}” (${s})`;
  if (s === 404) return api && !isProblem(res) ? '404 without problem+json' : NOT_FOUND;
  if (s === 401) {
    if (api && !isProblem(res)) return '401 without problem+json';
    return /Second factor/i.test(res.body) ? TWO_FACTOR : SIGN_IN;
  }
  if (s >= 300 && s < 400) {
    if (
      location.startsWith('/sign-in/two-factor') ||
      location.startsWith('/account/two-factor/set-up')
    )
      return TWO_FACTOR;
    if (location === '/sign-in' || location.startsWith('/sign-in?')) return SIGN_IN;
    return ALLOWED;
  }
  if (s === 403) return '403';
  if (s >= 500) return `${s} error`;
  if (s === 200) return ALLOWED;
  // A handler ran and refused the (empty) input: fine for a POST or a public page, not for a
  // GET behind a policy, which must show the page.
  if (method === 'GET' && Array.isArray(EXPECTED[targetKey(target)] ?? 'public')) return `${s}`;
  return s >= 400 && s < 500 && s !== 429 ? ALLOWED : `${s}`;
}

/** The expected answer, read only from the hand-written EXPECTED table. */
function expected(target: Target, actor: Actor): Outcome[] {
  const who = EXPECTED[targetKey(target)];
  if (who === undefined) return ['a line in EXPECTED'];
  if (who === 'public') return [ALLOWED];
  if (!actor.role) return [SIGN_IN];
  if (who === 'signed-in') return [ALLOWED];
  // Pages for the second step: a person who has done it is sent home; one who has not may be
  // sent to the step that applies to them.
  if (who === 'second-factor') return actor.pendingSecondFactor ? [ALLOWED, TWO_FACTOR] : [ALLOWED];
  if (actor.pendingSecondFactor) return [TWO_FACTOR];
  const own = 'own' in who ? who.own : who;
  const roles =
    actor.school === 'A' ? own : 'otherSchool' in who ? who.otherSchool : target.record ? [] : own;
  return roles.includes(actor.role) ? [ALLOWED] : [NOT_FOUND];
}

function table(rows: Row[]): string {
  const head: Row = { route: 'route', actor: 'who', expected: 'expected', got: 'got' };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row) =>
    `${r.route.padEnd(w('route'))} | ${r.actor.padEnd(w('actor'))} | ${r.expected.padEnd(w('expected'))} | ${r.got}`;
  return `\n${rows.length} authorisation mismatch(es):\n${line(head)}\n${all
    .slice(1)
    .map(line)
    .join('\n')}\n`;
}

/** Full paths and methods from Fastify's printRoutes tree (commonPrefix: false). */
function printedRoutes(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m || !m[2]) continue;
    const depth = m[1]!.length;
    while (stack.length && stack.at(-1)!.depth >= depth) stack.pop();
    const parent = stack.at(-1)?.path ?? '';
    // A child continues its parent's path: '/card' + '.pdf', '/api/v1/me' + 'dia'.
    const path = parent + m[2];
    stack.push({ depth, path });
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== 'HEAD') out.push({ method, url: path });
    }
  }
  return out;
}

describe('authorisation matrix', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let orgA: OrgAdminFixture;
  let orgB: OrgAdminFixture;
  let importId: string;
  let otherPupilId: string;
  /** A processed photo with a publishable copy, and a device, that only school A has. */
  let mediaId: string;
  /** A small real JPEG for uploads. */
  let jpegData: Buffer;
  /** A pupil (in the teacher's class) and the email of a parent with parental responsibility. */
  let importFamily: { misId: string; parentEmail: string };
  let deviceId: string;
  /** School A's parent's report with one letter (incidents/letters). */
  let letterIncidentId: string;
  let letterId: string;
  /** School A's parent's report with one evidence file (incidents/evidence). */
  let evidenceIncidentId: string;
  let evidenceId: string;
  /** Incidents core: A's office's safeguarding concern; A's teacher's report given to the assistant. */
  let caseIncidentId: string;
  let assignedIncidentId: string;
  /** School A's staff training session and parents' e-safety meeting (modules/training). */
  let trainingSessionId: string;
  let responsibilityHolderId: string;
  let parentSessionId: string;
  let trainingImportId: string;
  /** A staff list import that only school A has (people/staff-import.kind.ts). */
  let staffImportId: string;
  let trainingMaterialId: string;
  /** School A's policy review (modules/lifecycle). */
  let policyReviewId: string;
  /** A social media account that only school A has. */
  let channelId: string;
  /**
   * School A's teacher's post, expired (so the matrix's empty posts change nothing), with a photo
   * and its checks; a draft of the teacher's for the edit page; the school's news page channel.
   */
  let postId: string;
  let postCheckId: string;
  let draftPostId: string;
  let newsChannelId: string;
  /** A live item on school A's news page (with its photo), and a takedown task of A's. */
  let newsPublicationId: string;
  /** A small PNG logo (school A's news page has one; the appearance form is sent another). */
  let newsLogoPng: Buffer;
  let takedownTaskId: string;
  /** The policy's current version when the API edit is sent (its expectedVersion). */
  let policyVersionNow = 1;
  /** A live item on A's social account showing pupil 0, with an open task to take it down. */
  const newTakedownTask = async (): Promise<string> => {
    const [pub] = await addPublications(ctx.services, {
      schoolId: A.school.id,
      postId,
      accountId: channelId,
      purposeKey: 'school_social_media',
      pupilIds: [A.pupils[0]!.id],
    });
    const { rows } = await ctx.services.database.pool.query<{ id: string }>(
      `INSERT INTO takedown_tasks (school_id, publication_id, pupil_id, source_event_id, reason,
                                   automatic, due_at, state)
       VALUES ($1, $2, $3, 0, 'A pupil’s consent changed.', false, now() + interval '2 days', 'open')
       RETURNING id`,
      [A.school.id, pub, A.pupils[0]!.id],
    );
    return rows[0]!.id;
  };
  /** A new post by A's teacher, in the state a valid-body case needs. */
  const teacherPost = async (
    n: number,
    state: 'draft' | 'pending' | 'approved',
    body = 'Year 2 planted sunflowers in the garden today.',
  ) => {
    const teacher = staffPrincipal(A, 'teacher');
    const post = await ctx.services.posts.createDraft(teacher, {
      title: `Valid post ${n}`,
      body,
      eventLabel: null,
      kind: 'standard',
      media: [],
      accountIds: [newsChannelId],
      scheduledAt: null,
    });
    if (state !== 'draft') await ctx.services.posts.submit(teacher, post.id);
    if (state === 'approved')
      await ctx.services.posts.approve(staffPrincipal(A, 'headteacher'), post.id);
    return post.id;
  };
  /** A pending post with an overridable tone warning, and that check's id. */
  const postWithWarning = async (n: number) => {
    const id = await teacherPost(
      n,
      'pending',
      'A terrible, awful, horrible, dreadful, miserable day.',
    );
    const view = await ctx.services.posts.view(staffPrincipal(A, 'headteacher'), id);
    const check = view.checks.find((c) => c.overridable && c.outcome !== 'pass');
    if (!check) throw new Error('expected an overridable check that does not pass');
    return { id, checkId: check.id };
  };
  const warnings = new Map<number, string>();
  /** A new channel of school A (for posts that change its posters or custodian). */
  const newChannel = async (n: number) =>
    (
      await ctx.services.channelAccounts.create(staffPrincipal(A, 'headteacher'), {
        kind: 'social',
        name: `Matrix account ${n}`,
        platform: 'Facebook',
        handle: `@matrix${n}`,
        purposeKey: 'school_social_media',
        audience: 'public',
        comments: 'off',
        moderation: null,
        custodianId: null,
        endpointUrl: null,
        credential: null,
        maxLength: null,
        maxImages: null,
      })
    ).channel.id;
  /** The parents' consent form: the current period and a receipt only A's parent may see. */
  let consentPeriodKey: string;
  let consentReceiptId: string;
  /** A consent record with a scanned form attached (the office's evidence download). */
  let consentEvidenceId: string;
  /** A consent spreadsheet import and a renewal campaign that only school A has. */
  let consentImportId: string;
  let consentCampaignId: string;
  /** A member of A's staff whom the staff management routes change (nobody who signs in). */
  let managedStaffId: string;
  /** Conduct: A's teacher's declaration and requests (network, logo, named photo). */
  let conductDeclarationId: string;
  let conductNetworkId: string;
  let conductLogoId: string;
  let conductNamedId: string;
  /** Subject access: a request of A's DPO about A's first pupil. */
  let subjectAccessId: string;
  const subjectAccessRequest = async () =>
    (
      await ctx.services.subjectAccess.log(staffPrincipal(A, 'dpo') as StaffPrincipal, {
        subject: `pupil:${A.pupils[0]!.id}`,
        requesterName: 'A parent',
        requesterRelationship: 'parent',
        receivedOn: ukDate(ctx.services.clock.now()),
        identityChecked: 'no',
        identityMethod: '',
      })
    ).id;
  const conductTeacher = () => staffPrincipal(A, 'teacher');
  const conductRequest = async (
    type: 'school_network_social_media' | 'logo_use' | 'named_newspaper_photo',
  ) =>
    (
      await ctx.services.conductPermissions.request(conductTeacher(), {
        type,
        reason: 'For the matrix',
        ...(type === 'named_newspaper_photo'
          ? { pupilId: A.pupils[0]!.id, purposeKey: 'school_social_media' }
          : {}),
      })
    ).id;
  const conductDeclaration = async () =>
    (
      await ctx.services.conductDeclarations.declare(conductTeacher(), {
        kind: 'friend_request',
        value: {
          platform: 'Instagram',
          from: 'pupil',
          pupilId: A.pupils[0]!.id,
          parentId: undefined,
          exPupilName: '',
          actionTaken: 'blocked',
          details: '',
        },
      })
    ).id;
  const actors: Actor[] = [];

  const staffPrincipal = (fx: SchoolFixture, role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: fx.staff[role].id,
    schoolId: fx.school.id,
    roles: [role],
    name: `${role} Tester`,
  });

  beforeAll(async () => {
    // Every API route × every token, all from one client address: far more than the API's
    // per-address limit a minute (the limit itself: test/http/operations.test.ts).
    ctx = await createTestServices({ faces: fakeFaces, env: { API_RATE_LIMIT: '0' } });
    app = await buildTestApp(ctx);
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'matrix-a', pupils: 12 }),
      createSchool(ctx.services, { slug: 'matrix-b', pupils: 12 }),
    ]);
    orgA = await createOrganisationAdmin(ctx, [A.school.id], { name: 'Ada Trustadmin' });
    orgB = await createOrganisationAdmin(ctx, [B.school.id], { name: 'Bea Trustadmin' });
    // Records that only school A has: an import, and a second policy version.
    importId = await ctx.services.imports.upload(
      A.school.id,
      { kind: 'staff', id: A.staff.office.id },
      { filename: 'pupils.csv', data: Buffer.from('UPN,Forename,Surname\nA123,Test,Pupil\n') },
      { queue: false },
    );
    await ctx.services.policies.updateSettings(
      A.school.id,
      { kind: 'staff', id: A.staff.headteacher.id },
      {
        answers: { 'review.reminderDaysBefore': '21' },
        note: 'Matrix: a version only school A has',
        expectedVersion: 1,
      },
    );
    // A pupil of A who is neither the signed-in pupil nor a child of the signed-in parent.
    const childIds = new Set(
      (
        await ctx.services.people.childrenOf({
          kind: 'parent',
          id: A.parent.id,
          schoolId: A.school.id,
          name: '',
        })
      ).map((c) => c.id),
    );
    // Another pupil, in another class, so a teacher's class scope shows in both directions.
    const class0 = A.pupils[0]!.className!;
    otherPupilId = (A.pupils.find(
      (p) => p.id !== A.pupils[0]!.id && !childIds.has(p.id) && p.className !== class0,
    ) ?? A.pupils.find((p) => p.id !== A.pupils[0]!.id && !childIds.has(p.id))!)!.id;
    // School A's teacher teaches pupil 0's class; its teaching assistant (whose classes the
    // matrix's empty POST to /staff/:id/classes clears) and school B's staff teach none.
    await ctx.services.staffClasses.assign(
      A.school.id,
      { kind: 'staff', id: A.staff.headteacher.id },
      A.staff.teacher.id,
      [class0],
    );
    {
      const media = ctx.services.media;
      const device = await ctx.services.devices.register(
        A.school.id,
        { kind: 'staff', id: A.staff.ict_technician.id },
        { name: 'Matrix camera', deviceType: 'camera', assetTag: 'M-1' },
      );
      deviceId = device.id;
      const head = staffPrincipal(A, 'headteacher');
      await ctx.services.responsibilities.give(
        A.school.id,
        { kind: 'staff', id: head.id },
        {
          staffId: A.staff.support_staff.id,
          responsibilityKey: 'publicity_poster',
        },
      );
      responsibilityHolderId = (
        await ctx.services.database.pool.query<{ id: string }>(
          'SELECT id FROM responsibility_holders WHERE school_id = $1',
          [A.school.id],
        )
      ).rows[0]!.id;
      const soon = new Date(Date.now() + 7 * 86_400_000);
      const base = { place: 'Hall', trainer: 'DSL', className: null, capacity: null };
      policyReviewId = (
        await ctx.services.policyReviews.record(
          {
            kind: 'staff',
            id: A.staff.headteacher.id,
            schoolId: A.school.id,
            roles: ['headteacher'],
            name: 'Head',
          },
          {
            reason: 'scheduled',
            metOn: new Date().toISOString().slice(0, 10),
            attendees: 'Matrix',
            decisions: 'Matrix',
            versions: [],
          },
        )
      ).id;
      trainingSessionId = (
        await ctx.services.training.schedule(head, {
          ...base,
          kind: 'staff_regular',
          title: 'Matrix staff training',
          startsAt: soon,
        })
      ).id;
      parentSessionId = (
        await ctx.services.training.schedule(head, {
          ...base,
          kind: 'parents_esafety',
          title: 'Matrix parents meeting',
          startsAt: soon,
        })
      ).id;
      trainingImportId = await ctx.services.trainingImports.upload(
        A.school.id,
        { kind: 'staff', id: A.staff.dsl.id },
        {
          filename: 'sheet.csv',
          data: Buffer.from('Email,Date,Training\nx@y.test,01/01/2026,regular\n'),
        },
        { queue: false },
      );
      await ctx.services.trainingImports.preview(trainingImportId);
      staffImportId = await ctx.services.staffImports.upload(
        A.school.id,
        { kind: 'staff', id: A.staff.headteacher.id },
        {
          filename: 'staff.csv',
          data: Buffer.from('Given name,Family name,Email,Roles\nMatrix,Only,x@y.test,Teacher\n'),
        },
        { queue: false },
      );
      await ctx.services.staffImports.preview(staffImportId);
      {
        const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
        const temp = await ctx.platform.files.writeTemp(pdf);
        trainingMaterialId = (
          await ctx.services.trainingMaterials.add(
            A.school.id,
            { kind: 'staff', id: A.staff.dsl.id },
            trainingSessionId,
            {
              title: 'Matrix slides',
              tempName: temp.name,
              size: pdf.length,
            },
          )
        ).id;
      }
      const px = Buffer.alloc(160 * 120 * 3, 128);
      const jpeg = await ctx.platform.images.encodeJpeg({ data: px, width: 160, height: 120 });
      const [item] = await media.upload(
        A.school.id,
        { kind: 'staff', id: A.staff.teacher.id },
        { deviceId: null, deviceDescription: 'matrix', eventLabel: 'matrix day', swimwear: false },
        [{ data: jpeg.data, filename: 'm.jpg' }],
        { queue: false },
      );
      mediaId = item!.id;
      jpegData = jpeg.data;
      await media.ingest(mediaId);
      await media.release(staffPrincipal(A, 'headteacher'), mediaId);
      await media.addFace(A.school.id, { kind: 'staff', id: A.staff.teacher.id }, mediaId, {
        x: 10,
        y: 10,
        width: 30,
        height: 30,
      });
      await media.publishableRendition(A.school.id, mediaId, 'school_social_media', {
        kind: 'staff',
        id: A.staff.teacher.id,
      });
    }
    {
      // Incident evidence: school A's parent reports a post, with a screenshot.
      const parent = {
        kind: 'parent' as const,
        id: A.parent.id,
        schoolId: A.school.id,
        name: `${A.parent.givenName} ${A.parent.familyName}`,
      };
      const temp = await ctx.services.files.writeTemp(jpegData);
      const report = await ctx.services.incidents.reportConcern(
        parent,
        {
          whatHappened: 'A post about a teacher',
          platform: 'facebook',
          reporterConcern: 'no',
          pupils: [],
          staff: [],
          named: [],
        } as unknown as Parameters<typeof ctx.services.incidents.reportConcern>[1],
        [
          {
            tempName: temp.name,
            size: temp.size,
            sha256: temp.sha256,
            filename: 'post.jpg',
            mimetype: 'image/jpeg',
            truncated: false,
          },
        ],
      );
      evidenceIncidentId = report.id;
      const { rows } = await ctx.services.database.pool.query<{ id: string }>(
        'SELECT id FROM incident_evidence WHERE incident_id = $1',
        [report.id],
      );
      evidenceId = rows[0]!.id;
    }
    {
      // Incident letters: school A's parent reports a post; the Headteacher makes a letter.
      const parent = {
        kind: 'parent' as const,
        id: A.parent.id,
        schoolId: A.school.id,
        name: `${A.parent.givenName} ${A.parent.familyName}`,
      };
      const report = await ctx.services.incidents.reportConcern(parent, {
        whatHappened: 'A post naming a teacher',
        platform: 'facebook',
        url: 'https://www.facebook.com/groups/a/posts/1',
        occurredOn: undefined,
        occurredTime: undefined,
        occurredWhere: undefined,
        reporterConcern: 'no',
        pupils: [],
        pupilPart: undefined,
        staff: [],
        staffPart: undefined,
        named: [],
      });
      letterIncidentId = report.id;
      letterId = await ctx.services.incidentLetters.generate(
        staffPrincipal(A, 'headteacher'),
        report.id,
        'parent_warning',
        { recipientName: 'Mr Sentinel-Letter' },
      );
    }
    {
      // Incidents: a safeguarding concern from A's office naming pupil 0, and a teacher's report
      // the Headteacher gives to the teaching assistant.
      const report = (reporterConcern: 'yes' | 'no') => ({
        whatHappened: 'Unkind messages in a group chat',
        reporterConcern,
        pupils: [A.pupils[0]!.id],
        pupilPart: 'victim' as const,
        staff: [],
        staffPart: undefined,
        named: [],
      });
      caseIncidentId = (
        await ctx.services.incidents.reportConcern(staffPrincipal(A, 'office'), report('yes'))
      ).id;
      assignedIncidentId = (
        await ctx.services.incidents.reportConcern(staffPrincipal(A, 'teacher'), report('no'))
      ).id;
      await ctx.services.incidentCases.assign(
        staffPrincipal(A, 'headteacher') as Parameters<typeof ctx.services.incidentCases.close>[0],
        assignedIncidentId,
        [A.staff.support_staff.id],
      );
    }
    channelId = await newChannel(0);
    {
      const teacher = staffPrincipal(A, 'teacher');
      newsChannelId = (await ctx.services.posts.newsAccount(A.school.id)).id;
      const post = await ctx.services.posts.createDraft(teacher, {
        title: 'Matrix day',
        body: 'A happy day.',
        eventLabel: null,
        kind: 'standard',
        media: [{ mediaId, altText: 'Children in the hall' }],
        accountIds: [newsChannelId],
        scheduledAt: null,
      });
      await ctx.services.posts.submit(teacher, post.id);
      postId = post.id;
      postCheckId = (await ctx.services.posts.view(teacher, post.id)).checks[0]!.id;
      await ctx.services.database.pool.query(`UPDATE posts SET status = 'expired' WHERE id = $1`, [
        post.id,
      ]);
      draftPostId = (
        await ctx.services.posts.createDraft(teacher, {
          title: 'Matrix draft',
          body: 'Draft.',
          eventLabel: null,
          kind: 'standard',
          media: [],
          accountIds: [newsChannelId],
          scheduledAt: null,
        })
      ).id;
    }
    {
      // A live item on A's news page with its photo, as the publish flow records it.
      [newsPublicationId] = (await addPublications(ctx.services, {
        schoolId: A.school.id,
        postId,
        accountId: newsChannelId,
        purposeKey: 'school_social_media',
        pupilIds: [],
        title: 'Matrix news',
      })) as [string];
      const rendition = await ctx.services.media.publishableRendition(
        A.school.id,
        mediaId,
        'school_social_media',
        { kind: 'staff', id: A.staff.teacher.id },
      );
      await addItem(ctx.services, ctx.platform, {
        schoolId: A.school.id,
        publicationId: newsPublicationId,
        mediaId,
        renditionId: rendition.id,
        bytes: await ctx.platform.files.read(rendition.fileKey),
        altText: 'Children in the hall',
      });
      takedownTaskId = await newTakedownTask();
      // School A's news page has a colour and a logo (its logo and stylesheet are public).
      newsLogoPng = await ctx.platform.images.renderOwnSvg(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#1d5c3a"/></svg>',
      );
      await ctx.services.newsAppearance.set(
        A.school.id,
        { kind: 'staff', id: A.staff.business_manager.id },
        {
          colour: '#1d5c3a',
          logo: { tempName: (await ctx.platform.files.writeTemp(newsLogoPng)).name },
          removeLogo: false,
        },
      );
    }
    consentPeriodKey = (await ctx.services.consent.recordablePeriods(A.school.id))[0]!.key;
    consentReceiptId = (
      await ctx.services.consent.record(
        {
          schoolId: A.school.id,
          pupilId: A.pupils[0]!.id,
          periodKey: consentPeriodKey,
          decider: { kind: 'parent', parentId: A.parent.id },
          decisions: { 'school_social_media/image': 'granted' },
          method: 'online_form',
          kind: 'form',
          decidedOn: ukDate(ctx.services.clock.now()),
        },
        { kind: 'parent', id: A.parent.id },
      )
    ).recordId;
    const withParent = await (async () => {
      // In the teacher's class, so the table's answer for the teacher is the same every run.
      for (const p of A.pupils.slice(1).filter((x) => x.className === class0)) {
        const reg = await ctx.services.consent.pupilRegister(A.school.id, p.id);
        const pr = reg.parents.find((x) => x.parentalResponsibility);
        if (pr?.email) {
          importFamily = { misId: p.misId!, parentEmail: pr.email };
          return { pupilId: p.id, parentId: pr.id };
        }
      }
      throw new Error(`no pupil of ${class0} with a parent who holds parental responsibility`);
    })();
    consentEvidenceId = (
      await ctx.services.consent.record(
        {
          schoolId: A.school.id,
          pupilId: withParent.pupilId,
          decider: { kind: 'parent', parentId: withParent.parentId },
          decisions: { 'school_social_media/image': 'refused' },
          method: 'paper_form',
          kind: 'form',
          decidedOn: ukDate(ctx.services.clock.now()),
          // A real one-page PDF: scans are parsed to strip their metadata (issue 10 item 11).
          evidence: {
            data: Buffer.from(
              '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
            ),
            filename: 'form.pdf',
          },
        },
        { kind: 'staff', id: A.staff.office.id },
      )
    ).recordId;

    consentImportId = await ctx.services.consentImports.upload(
      A.school.id,
      { kind: 'staff', id: A.staff.dpo.id },
      { filename: 'consents.csv', data: Buffer.from('UPN,Class\nA123,3B\n') },
    );
    consentCampaignId = (
      await ctx.services.consentCampaigns.startNow(
        A.school.id,
        { kind: 'staff', id: A.staff.dpo.id },
        consentPeriodKey,
      )
    ).campaignId;

    managedStaffId = (
      await ctx.services.people.addStaff(
        {
          kind: 'staff',
          id: A.staff.headteacher.id,
          schoolId: A.school.id,
          roles: ['headteacher'],
          name: 'Head',
        },
        {
          givenName: 'Matrix',
          familyName: 'Target',
          email: 'matrix.target@matrix-a.test',
          jobTitle: null,
          roles: ['volunteer'],
        },
      )
    ).id;

    conductDeclarationId = await conductDeclaration();
    conductNetworkId = await conductRequest('school_network_social_media');
    conductLogoId = await conductRequest('logo_use');
    conductNamedId = await conductRequest('named_newspaper_photo');
    subjectAccessId = await subjectAccessRequest();

    const signIns: Promise<void>[] = [];
    for (const [label, fx] of [
      ['A', A],
      ['B', B],
    ] as const) {
      for (const role of staffRoles) {
        const browser = new Browser(app);
        actors.push({
          label: `${label} ${role}`,
          role,
          school: label,
          principal: staffPrincipal(fx, role),
          browser,
        });
        signIns.push(browser.signIn(fx.staff[role].email));
        const token = await ctx.services.auth.createApiToken(
          fx.staff[role].id,
          fx.school.id,
          `matrix ${role}`,
        );
        actors.push({
          label: `${label} ${role} (API token)`,
          role,
          school: label,
          principal: staffPrincipal(fx, role),
          token,
        });
      }
      const parent = new Browser(app);
      actors.push({
        label: `${label} parent`,
        role: 'parent',
        school: label,
        principal: {
          kind: 'parent',
          id: fx.parent.id,
          schoolId: fx.school.id,
          name: `${fx.parent.givenName} ${fx.parent.familyName}`,
        },
        browser: parent,
      });
      signIns.push(signInWithLink(parent, ctx, fx.parent.email!));
      const pupil = fx.pupils[0]!;
      const pupilEmail = `pupil.${label.toLowerCase()}@${fx.school.slug}.test`;
      await setPupilEmail(ctx, pupil.id, pupilEmail);
      const pupilBrowser = new Browser(app);
      actors.push({
        label: `${label} pupil`,
        role: 'pupil',
        school: label,
        principal: {
          kind: 'pupil',
          id: pupil.id,
          schoolId: fx.school.id,
          name: `${pupil.givenName} ${pupil.familyName}`,
        },
        browser: pupilBrowser,
      });
      signIns.push(signInWithLink(pupilBrowser, ctx, pupilEmail));
      const admin = label === 'A' ? orgA : orgB;
      const adminBrowser = new Browser(app);
      actors.push({
        label: `${label} org admin`,
        role: 'org_admin',
        school: label,
        principal: {
          kind: 'org_admin',
          id: admin.id,
          organisationId: admin.organisationId,
          name: admin.name,
        },
        browser: adminBrowser,
      });
      signIns.push(adminBrowser.signIn(admin.email));
    }
    const pending = new Browser(app);
    actors.push({
      label: 'A headteacher (code not entered)',
      role: 'headteacher',
      school: 'A',
      principal: staffPrincipal(A, 'headteacher'),
      pendingSecondFactor: true,
      browser: pending,
    });
    signIns.push(
      pending
        .post(
          '/sign-in',
          { email: A.staff.headteacher.email, password: TEST_PASSWORD },
          { csrfFrom: '/sign-in' },
        )
        .then((res) => {
          if (res.headers.location !== '/sign-in/two-factor')
            throw new Error('expected a pending second factor');
        }),
    );
    const anonymous = new Browser(app);
    actors.push({
      label: 'signed out',
      role: null,
      school: null,
      principal: null,
      browser: anonymous,
    });
    signIns.push(anonymous.get('/sign-in').then(() => undefined));
    await Promise.all(signIns);
    // Two schools' records and some fifty sign-ins: minutes on a machine shared with others.
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  function targets(): Target[] {
    const pupil0 = A.pupils[0]!;
    const out: Target[] = [];
    for (const route of app.lanyardRoutes) {
      const add = (values: Record<string, string>, variant = '', extra: Partial<Target> = {}) => {
        const url = route.url.replace(/:(\w+)/g, (_, name: string) => {
          const v = values[name];
          if (v === undefined)
            throw new Error(`the matrix has no sample value for :${name} in ${route.url}`);
          return encodeURIComponent(v);
        });
        const record = /:(?!token\b)\w+/.test(route.url);
        out.push({ route, url, variant, record, ...extra });
      };
      if (route.url.startsWith('/incidents/guidance/:platform'))
        add({ platform: 'facebook' }, '', { record: false });
      else if (route.url.startsWith('/incidents/letters/templates/:key'))
        add({ key: 'parent_warning' }, '', { record: false });
      else if (route.url.startsWith('/incidents/:id/letters'))
        add({ id: letterIncidentId, letterId });
      else if (/^\/(api\/v1\/)?incidents\/:id\/evidence/.test(route.url))
        add({ id: evidenceIncidentId, evidenceId });
      else if (/^\/(api\/v1\/)?incidents\/:id$/.test(route.url)) {
        add({ id: caseIncidentId }, 'safeguarding concern');
        add({ id: assignedIncidentId }, 'given to the assistant');
      } else if (route.url === '/incidents/:id/steps/:step')
        add({ id: caseIncidentId, step: 'keep_evidence' });
      else if (route.url.startsWith('/incidents/:id/') || route.url === '/report/:id/receipt')
        add({ id: caseIncidentId });
      else if (route.url === '/pupils/:id/incidents') add({ id: pupil0.id });
      else if (/^\/(api\/v1\/)?pupils\/:id$/.test(route.url)) {
        add({ id: pupil0.id }, 'own child / the pupil');
        add({ id: otherPupilId }, 'another pupil');
      } else if (route.url.startsWith('/media/:id/renditions/:purpose'))
        add({ id: mediaId, purpose: 'school_social_media' });
      else if (/^\/media\/(:id\/(release|delete)|quarantine)$/.test(route.url))
        // The profile's device approver (the Headteacher here) reviews; anyone else gets a 404.
        add({ id: mediaId });
      else if (/^\/(api\/v1\/)?media\/:id/.test(route.url)) add({ id: mediaId });
      else if (route.url.startsWith('/devices/:id')) add({ id: deviceId });
      else if (/^\/(api\/v1\/)?training\/sessions\/:id/.test(route.url))
        add({ id: trainingSessionId });
      else if (route.url.startsWith('/parent-training/:id')) add({ id: parentSessionId });
      else if (route.url.startsWith('/training/imports/:id')) add({ id: trainingImportId });
      else if (route.url.startsWith('/training/materials/:id')) add({ id: trainingMaterialId });
      else if (route.url === '/policy/text/versions/:version')
        add({ version: '1' }, '', { record: false });
      else if (route.url.startsWith('/policy/reviews/:id')) add({ id: policyReviewId });
      else if (route.url === '/schools/:slug/policy')
        add({ slug: A.school.slug }, '', { record: false });
      else if (/^\/(api\/v1\/)?channels\/:id/.test(route.url)) add({ id: channelId });
      else if (route.url === '/posts/:id/edit') add({ id: draftPostId });
      else if (route.url === '/pupils/:id/publications') add({ id: pupil0.id });
      else if (/^\/(api\/v1\/|posts\/)takedowns\/:id/.test(route.url)) add({ id: takedownTaskId });
      // Public: the school is named by its slug; the item and its photo are A's.
      else if (route.url.startsWith('/news/:slug'))
        add({ slug: A.school.slug, publicationId: newsPublicationId, file: '0.jpg' }, '', {
          record: false,
        });
      else if (/^\/(api\/v1\/)?posts\/:id/.test(route.url))
        add({ id: postId, mediaId, purpose: 'school_social_media', checkId: postCheckId });
      else if (route.url.startsWith('/parents/:id')) add({ id: A.parent.id });
      else if (route.url.startsWith('/imports/pupils/:id')) add({ id: importId });
      else if (route.url.startsWith('/imports/staff/:id')) add({ id: staffImportId });
      else if (route.url.startsWith('/policy/versions/:version')) add({ version: '2' });
      else if (route.url.startsWith('/consent/family/receipts/:recordId'))
        add({ recordId: consentReceiptId }, 'A parent’s receipt');
      else if (route.url.startsWith('/consent/family/:pupilId/:periodKey'))
        add({ pupilId: pupil0.id, periodKey: consentPeriodKey }, 'own child');
      else if (route.url.startsWith('/consent/parents/:parentId')) add({ parentId: A.parent.id });
      // Office and DPO pages: managers and the office see every pupil; teachers only their
      // assigned classes (none here), so they get 404 like everyone else.
      else if (route.url.startsWith('/consent/pupils/:id')) add({ id: pupil0.id }, 'a pupil');
      else if (route.url === '/policy/event-notices/:n') add({ n: '1' }, '', { record: false });
      else if (route.url === '/policy/responsibilities/:id/remove')
        add({ id: responsibilityHolderId });
      else if (route.url.startsWith('/consent/restrictions/pupils/:id'))
        add({ id: pupil0.id }, 'a pupil');
      else if (route.url.startsWith('/consent/records/:id/evidence'))
        add({ id: consentEvidenceId }, 'a scanned form');
      // Class names are per school: school B's staff see their own class of the same name.
      else if (route.url.startsWith('/consent/classes/:className'))
        add({ className: pupil0.className! }, 'a class', { record: false });
      else if (route.url.startsWith('/consent/imports/:id')) add({ id: consentImportId });
      else if (route.url.startsWith('/consent/campaigns/:id')) add({ id: consentCampaignId });
      else if (route.url.startsWith('/staff/:id/classes')) add({ id: A.staff.support_staff.id });
      // Managing people: a pupil who is nobody's sign-in, and a member of staff kept for this.
      else if (/^\/pupils\/:id\/(edit|leaving|still-here)$/.test(route.url))
        add({ id: otherPupilId });
      else if (
        /^\/(api\/v1\/)?(pupils|staff)\/:id(\/(edit|deactivate|reactivate|invitation))?$/.test(
          route.url,
        )
      )
        add({ id: route.url.includes('pupils') ? otherPupilId : managedStaffId });
      // Conduct: the kind of declaration is the same at every school (not a record).
      else if (route.url.startsWith('/conduct/declarations/new/:kind'))
        add({ kind: 'friend_request' }, '', { record: false });
      else if (/^\/(api\/v1\/)?conduct\/declarations\/:id/.test(route.url))
        add({ id: conductDeclarationId });
      else if (/\/conduct\/permissions\/:id\/(decide|withdraw|decisions)$/.test(route.url))
        add({ id: conductLogoId });
      else if (route.url === '/conduct/permissions/:id/check-consent') add({ id: conductNamedId });
      else if (/^\/(api\/v1\/)?conduct\/permissions\/:id/.test(route.url))
        add({ id: conductNetworkId });
      else if (route.url.startsWith('/subject-access/:id')) add({ id: subjectAccessId });
      else add({ token: 'not-a-real-sign-in-token' });
    }
    // Sign-out ends the session: run it last.
    return [
      ...out.filter((t) => t.route.url !== '/sign-out'),
      ...out.filter((t) => t.route.url === '/sign-out'),
    ];
  }

  it('has a hand-written line in the table for every route it serves, and no stale lines', () => {
    const keys = targets().map(targetKey);
    const inTable = new Set(Object.keys(EXPECTED));
    expect(
      keys.filter((k) => !inTable.has(k)),
      'routes with no line in EXPECTED: add who may reach them by hand',
    ).toEqual([]);
    expect(
      Object.keys(EXPECTED).filter((k) => !keys.includes(k)),
      'lines in EXPECTED for routes that are not served',
    ).toEqual([]);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('declares an access policy for every route, and the list covers every route Fastify serves', () => {
    const valid = (a: unknown) =>
      a === 'public' || a === 'signed-in' || a === 'second-factor' || typeof a === 'function';
    const undeclared = app.lanyardRoutes.filter((r) => !valid(r.access));
    expect(undeclared, 'routes without a valid access value').toEqual([]);
    const printed = printedRoutes(app.printRoutes({ commonPrefix: false }));
    const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
    const listed = new Set(app.lanyardRoutes.map(key));
    // The static asset route (/assets/*) is public by construction.
    const served = printed.filter((r) => !r.url.includes('*'));
    expect(served.length).toBeGreaterThan(30);
    expect(
      served.map(key).filter((k) => !listed.has(k)),
      'served but not in lanyardRoutes',
    ).toEqual([]);
    const servedKeys = new Set(served.map(key));
    expect(
      app.lanyardRoutes.map(key).filter((k) => !servedKeys.has(k)),
      'listed but not served',
    ).toEqual([]);
    expect(app.lanyardRoutes.length).toBe(served.length);
  });

  it('refuses to build an app with a route that declares no access (deny by default)', async () => {
    const bare = await buildApp(ctx.services, ctx.config);
    let error: unknown;
    try {
      bare.get('/no-policy-here', async () => 'should never be served');
      await bare.ready();
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/declares no access policy/);
    await bare.close().catch(() => undefined);
    const ok = await buildApp(ctx.services, ctx.config);
    ok.get('/with-policy', { config: { access: () => false } }, async () => 'hidden');
    await ok.ready();
    expect(ok.lanyardRoutes.some((r) => r.url === '/with-policy')).toBe(true);
    await ok.close();
    // A school's check (config.schoolAccess) is asked only after a role check: a route that has
    // one without a role check would let anyone signed in past it, so it does not build.
    const loose = await buildApp(ctx.services, ctx.config);
    let looseError: unknown;
    try {
      loose.get(
        '/school-check-only',
        { config: { access: 'signed-in', schoolAccess: () => Promise.resolve(false) } },
        async () => 'should never be served',
      );
      await loose.ready();
    } catch (e) {
      looseError = e;
    }
    expect(String(looseError)).toMatch(/school access check without a role check/);
    await loose.close().catch(() => undefined);
  });

  it('serves the static assets to anyone', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(res.statusCode).toBe(200);
  });

  it('makes a refused record look exactly like a missing one', async () => {
    const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
    const actor = (label: string) => actors.find((a) => a.label === label)!;
    const pairs: [string, string, string][] = [
      ['B headteacher', `/pupils/${A.pupils[0]!.id}`, `/pupils/${crypto.randomUUID()}`],
      ['B headteacher', `/parents/${A.parent.id}`, `/parents/${crypto.randomUUID()}`],
      ['B headteacher', `/imports/pupils/${importId}`, `/imports/pupils/${crypto.randomUUID()}`],
      ['B headteacher', `/imports/staff/${staffImportId}`, `/imports/staff/${crypto.randomUUID()}`],
      ['B headteacher', '/policy/versions/2', '/policy/versions/999'],
      ['B headteacher', `/media/${mediaId}`, `/media/${crypto.randomUUID()}`],
      ['A teacher', `/parents/${A.parent.id}`, `/parents/${crypto.randomUUID()}`],
      ['A parent', `/pupils/${otherPupilId}`, `/pupils/${crypto.randomUUID()}`],
      [
        'A parent',
        `/consent/family/${otherPupilId}/${consentPeriodKey}`,
        `/consent/family/${crypto.randomUUID()}/${consentPeriodKey}`,
      ],
      [
        'B parent',
        `/consent/family/receipts/${consentReceiptId}`,
        `/consent/family/receipts/${crypto.randomUUID()}`,
      ],
    ];
    for (const [label, refused, missing] of pairs) {
      const b = actor(label).browser!;
      const r = await b.get(refused);
      const m = await b.get(missing);
      expect([r.statusCode, m.statusCode], `${label} ${refused}`).toEqual([404, 404]);
      expect(main(r.body), `${label} ${refused}`).toBe(main(m.body));
    }
    const token = actor('B headteacher (API token)').token!;
    const get = (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const r = await get(`/api/v1/pupils/${A.pupils[0]!.id}`);
    const m = await get(`/api/v1/pupils/${crypto.randomUUID()}`);
    expect([r.statusCode, m.statusCode]).toEqual([404, 404]);
    expect(r.body).toBe(m.body);
  });

  it('gives every role exactly what the hand-written table allows, and other schools’ records as 404', async () => {
    const all = targets();
    // Names that must never reach someone refused, nor anyone at school B.
    const bNames = new Set(
      [...B.pupils, ...B.parents].map((p) => `${p.givenName} ${p.familyName}`),
    );
    const aSentinels = [A.pupils[0]!, A.pupils.find((p) => p.id === otherPupilId)!, A.parent]
      .map((p) => `${p.givenName} ${p.familyName}`)
      .filter((n) => !bNames.has(n));
    const mismatches: Row[] = [];
    let requests = 0;

    const run = async (actor: Actor) => {
      for (const target of all) {
        const api = isApi(target.url);
        if (actor.token && !api) continue;
        const { method } = target.route;
        let res: LightMyRequestResponse;
        if (actor.token) {
          res = await app.inject({
            method: method as 'GET',
            url: target.url,
            headers: { authorization: `Bearer ${actor.token}` },
          });
        } else if (method === 'GET') {
          res = await actor.browser!.get(target.url);
        } else if (method === 'PATCH') {
          res = await actor.browser!.request({
            method: 'PATCH',
            url: target.url,
            payload: {},
            headers: { 'x-csrf-token': actor.browser!.csrf ?? '' },
          });
        } else {
          res = await actor.browser!.post(target.url, {});
        }
        requests += 1;
        const want = expected(target, actor);
        // Someone refused, or anyone from school B, must not see school A's people.
        const sentinels =
          actor.school === 'B' || !want.includes(ALLOWED)
            ? aSentinels.filter((n) => n !== actor.principal?.name)
            : [];
        const got = classify(res, method, target, sentinels);
        if (!want.includes(got)) {
          const where = res.headers.location ? ` → ${String(res.headers.location)}` : '';
          mismatches.push({
            route: `${method} ${target.url === target.route.url ? target.url : `${target.route.url} [${target.variant || target.url}]`}`,
            actor: actor.label,
            expected: want.join(' or '),
            got: `${got} (${res.statusCode}${where})`,
          });
        }
      }
    };
    // A few people at a time, like a busy school.
    const queue = [...actors];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let actor = queue.shift(); actor; actor = queue.shift()) await run(actor);
      }),
    );
    mismatches.sort((a, b) => a.route.localeCompare(b.route) || a.actor.localeCompare(b.actor));
    expect(mismatches, table(mismatches)).toHaveLength(0);
    // Every actor, every route: nothing skipped by accident.
    const apiRoutes = all.filter((t) => isApi(t.url)).length;
    const withBrowser = actors.filter((a) => a.browser).length;
    const withToken = actors.filter((a) => a.token).length;
    expect(requests).toBe(withBrowser * all.length + withToken * apiRoutes);
    // Some twenty thousand requests (every route × every person): about two minutes on an idle
    // machine, several times that when the machine's two cores are shared with other work.
  }, 900_000);

  it('accepts a valid body on every POST from every role the table allows', async () => {
    const cases = validBodies();
    const routes = targets().filter(
      (t) => t.route.method !== 'GET' && Array.isArray(EXPECTED[targetKey(t)]),
    );
    const keys = [...new Set(routes.map((t) => `${t.route.method} ${t.route.url}`))];
    // Every POST (and PATCH) behind a role has a valid body here, or a reason in the list. The
    // sign-in, second-factor, set-password and sign-out posts (public or any signed-in person)
    // are sent with valid bodies by test/http/csrf.test.ts and test/http/auth.test.ts.
    expect(
      keys.filter((k) => !(k in cases) && !(k in NO_VALID_BODY)),
      'POST routes with neither a valid body nor a reason',
    ).toEqual([]);
    expect(Object.keys(cases).filter((k) => !keys.includes(k))).toEqual([]);
    // Class staff act on pupils in their classes: give the assistant pupil 0's class too.
    await ctx.services.staffClasses.assign(
      A.school.id,
      { kind: 'staff', id: A.staff.headteacher.id },
      A.staff.support_staff.id,
      [A.pupils[0]!.className!],
    );
    const failures: string[] = [];
    let accepted = 0;
    const sessions = new Map<Role, Browser>();
    const browserFor = async (role: Role): Promise<Browser> => {
      let b = sessions.get(role);
      if (b) return b;
      b = new Browser(app);
      if (role === 'parent') await signInWithLink(b, ctx, A.parent.email!);
      // Pupil 0 of school A, through their one-time link (the email the actors gave them).
      else if (role === 'pupil') await signInWithLink(b, ctx, `pupil.a@${A.school.slug}.test`);
      else await b.signIn(A.staff[role as StaffRole].email);
      sessions.set(role, b);
      return b;
    };
    let n = 0;
    for (const [key, c] of Object.entries(cases)) {
      const who = EXPECTED[key] ?? EXPECTED[`${key} [${c.variant ?? ''}]`];
      if (!Array.isArray(who)) throw new Error(`${key}: no role list in EXPECTED`);
      for (const role of who as Role[]) {
        n += 1;
        const url = typeof c.url === 'string' ? c.url : await c.url(n);
        let res: LightMyRequestResponse;
        if (c.json) {
          const token = actors.find((a) => a.label === `A ${role} (API token)`)?.token;
          if (!token) throw new Error(`no API token for ${role}`);
          const authorization = `Bearer ${token}`;
          if (c.file) {
            const fields = typeof c.fields === 'function' ? await c.fields(n) : (c.fields ?? {});
            const body = multipartBody(fields, c.file());
            res = await app.inject({
              method: 'POST',
              url,
              payload: body.payload,
              headers: { authorization, 'content-type': body.contentType },
            });
          } else {
            res = await app.inject({
              method: key.split(' ')[0] as 'POST',
              url,
              headers: { authorization },
              payload: c.json(n) as Record<string, unknown>,
            });
          }
        } else {
          const b = await browserFor(role);
          const page = await b.get(c.from ?? '/');
          // The form as a browser posts it, where the page has a form posting to this URL:
          // repeated names kept (a rule with several roles ticked stays so when the settings
          // editor is saved), the case's own answers in place of the page's.
          let entries: [string, string][] = [];
          try {
            entries = formEntries(page.body, c.action ?? url);
          } catch {
            entries = [];
          }
          if (c.chooseFirst) {
            const first = firstChoices(page.body, c.action ?? url);
            for (const [k, v] of Object.entries(first)) {
              if (entries.some(([name, value]) => name === k && value !== '')) continue;
              entries = [...entries.filter(([name]) => name !== k), [k, v]];
            }
          }
          const own: Record<string, string> = {
            ...(typeof c.fields === 'function' ? await c.fields(n) : (c.fields ?? {})),
            _csrf: b.csrf ?? '',
          };
          const posted = [
            ...entries.filter(([k]) => !Object.hasOwn(own, k)),
            ...Object.entries(own),
          ];
          if (c.file) {
            const file = c.file();
            // The file input's own (empty) entry is the file itself.
            const fields: Record<string, string[]> = {};
            for (const [k, v] of posted)
              if (k !== (file.field ?? 'file')) (fields[k] ??= []).push(v);
            const body = multipartBody(fields, file);
            res = await b.request({
              method: 'POST',
              url,
              payload: body.payload,
              headers: { 'content-type': body.contentType },
            });
          } else {
            res = await b.request({
              method: 'POST',
              url,
              payload: new URLSearchParams(posted).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            });
          }
        }
        const location = String(res.headers.location ?? '');
        if (/^\/(sign-in|account\/two-factor)/.test(location)) {
          failures.push(`${key} as ${role}: ${res.statusCode} sent to ${location}`);
        } else if (res.statusCode >= 400) {
          const summary =
            /govuk-error-summary__list">([\s\S]*?)<\/ul>/
              .exec(res.body)?.[1]
              ?.replace(/<[^>]+>|\s+/g, ' ') ?? res.body.slice(0, 200);
          failures.push(`${key} as ${role}: ${res.statusCode} ${summary.trim()}`);
        } else accepted += 1;
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(accepted).toBe(n);
    expect(accepted).toBeGreaterThan(100);
    // Hundreds of valid requests, many of which make a new record first.
  }, 600_000);

  interface BodyCase {
    variant?: string;
    /** The page that holds the form: its CSRF token and current values are sent. */
    from?: string;
    /** The form's action on `from`, when not the URL posted to. */
    action?: string;
    url: string | ((n: number) => Promise<string>);
    fields?:
      | Record<string, string>
      | ((n: number) => Record<string, string> | Promise<Record<string, string>>);
    file?: () => { filename: string; type?: string; content: Buffer; field?: string };
    /** Answer every radio group (and empty date) the page leaves unanswered with its first option. */
    chooseFirst?: boolean;
    /** An API request: this JSON, with the role's token. */
    json?: (n: number) => unknown;
  }

  /** The first option of each unanswered radio or checkbox group, and today for empty dates. */
  function firstChoices(html: string, action: string): Record<string, string> {
    const form = formsOf(html).find((f) => f.action === action);
    if (!form) return {};
    const out: Record<string, string> = {};
    const today = ukDate(ctx.services.clock.now()).split('-');
    for (const m of form.html.matchAll(/<input\b[^>]*>/gi)) {
      const tag = m[0];
      const name = /\bname="([^"]+)"/.exec(tag)?.[1];
      const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
      const type = /\btype="([^"]+)"/.exec(tag)?.[1] ?? 'text';
      if (!name || name in out) continue;
      if ((type === 'radio' || type === 'checkbox') && value !== undefined) out[name] = value;
      const date = /-(day|month|year)$/.exec(name);
      if (date && !value)
        out[name] = { year: today[0]!, month: today[1]!, day: today[2]! }[date[1] as 'day'];
    }
    return out;
  }

  /** A new report from A's office (a safeguarding concern with 'yes'), for a valid action. */
  async function freshCase(reporterConcern: 'yes' | 'no' = 'no'): Promise<string> {
    const r = await ctx.services.incidents.reportConcern(staffPrincipal(A, 'office'), {
      whatHappened: 'Another report',
      reporterConcern,
      pupils: [],
      pupilPart: undefined,
      staff: [],
      staffPart: undefined,
      named: [],
    });
    return r.id;
  }

  function validBodies(): Record<string, BodyCase> {
    const pupil0 = A.pupils[0]!;
    const leaver = A.pupils.at(-1)!;
    const item = `/media/${mediaId}`;
    /** A photo from no approved device: it waits in quarantine for the Headteacher. */
    const quarantined = async (n: number) =>
      (
        await ctx.services.media.upload(
          A.school.id,
          { kind: 'staff', id: A.staff.teacher.id },
          { deviceId: null, deviceDescription: 'phone', eventLabel: `valid ${n}`, swimwear: false },
          [{ data: jpegData, filename: 'q.jpg' }],
          { queue: false },
        )
      )[0]!.id;
    const jpeg = () => ({
      field: 'files',
      filename: 'v.jpg',
      type: 'image/jpeg',
      content: jpegData,
    });
    const todayParts = (prefix: string) => {
      const [y, m, d] = ukDate(ctx.services.clock.now()).split('-');
      return {
        [`${prefix}-day`]: String(Number(d)),
        [`${prefix}-month`]: String(Number(m)),
        [`${prefix}-year`]: y!,
      };
    };
    return {
      'POST /conduct/declarations/new/:kind': {
        from: '/conduct/declarations/new/online_presence',
        url: '/conduct/declarations/new/online_presence',
        fields: { outcome: 'nothing_found' },
      },
      'POST /conduct/declarations/:id/review': {
        from: '/conduct/declarations',
        url: async () => `/conduct/declarations/${await conductDeclaration()}/review`,
        fields: { response: 'Thank you for telling us.' },
      },
      'POST /conduct/declarations/:id/incident': {
        from: '/conduct/declarations',
        url: async () => `/conduct/declarations/${await conductDeclaration()}/incident`,
      },
      'POST /conduct/permissions': {
        from: '/conduct/permissions/new',
        url: '/conduct/permissions',
        fields: { type: 'logo_use', reason: 'The school logo on a charity poster' },
      },
      'POST /conduct/permissions/:id/sign-off': {
        from: '/conduct/permissions',
        url: async () =>
          `/conduct/permissions/${await conductRequest('school_network_social_media')}/sign-off`,
        fields: { decision: 'signed_off' },
      },
      'POST /conduct/permissions/:id/decide': {
        from: '/conduct/permissions',
        url: async () => `/conduct/permissions/${await conductRequest('logo_use')}/decide`,
        fields: { decision: 'granted' },
      },
      'POST /conduct/permissions/:id/withdraw': {
        from: '/conduct/permissions',
        url: async () => `/conduct/permissions/${await conductRequest('logo_use')}/withdraw`,
        fields: { confirm: 'yes' },
      },
      'POST /conduct/permissions/:id/check-consent': {
        from: '/conduct/permissions',
        url: async () =>
          `/conduct/permissions/${await conductRequest('named_newspaper_photo')}/check-consent`,
      },
      'POST /conduct/filtering/provision': {
        from: '/conduct/filtering/provision',
        url: '/conduct/filtering/provision',
        fields: {
          filteringProvider: 'LGfL WebScreen',
          monitoringProvider: 'Senso',
          blockedCategories: 'Pornography',
          alertRecipients: 'The DSL',
        },
      },
      'POST /conduct/filtering/exceptions': {
        from: '/conduct/filtering/exceptions/new',
        url: '/conduct/filtering/exceptions',
        fields: { description: 'The class blog for Year 6', ...todayParts('startsOn') },
      },
      'POST /conduct/filtering/checks': {
        from: '/conduct/filtering/checks/new',
        url: '/conduct/filtering/checks',
        fields: {
          kind: 'check',
          outcome: 'working',
          findings: 'Test pages stayed blocked',
          ...todayParts('checkedOn'),
        },
      },
      'POST /api/v1/conduct/declarations': {
        url: '/api/v1/conduct/declarations',
        json: () => ({ kind: 'online_presence', value: { outcome: 'nothing_found' } }),
      },
      'POST /api/v1/conduct/declarations/:id/review': {
        url: async () => `/api/v1/conduct/declarations/${await conductDeclaration()}/review`,
        json: () => ({ response: 'Thank you.' }),
      },
      'POST /api/v1/conduct/filtering/provision': {
        url: '/api/v1/conduct/filtering/provision',
        json: () => ({
          filteringProvider: 'LGfL WebScreen',
          monitoringProvider: 'Senso',
          blockedCategories: ['Pornography'],
          alertRecipients: 'The DSL',
        }),
      },
      'POST /api/v1/conduct/filtering/exceptions': {
        url: '/api/v1/conduct/filtering/exceptions',
        json: () => ({
          description: 'The class blog for Year 6',
          startsOn: ukDate(ctx.services.clock.now()),
        }),
      },
      'POST /api/v1/conduct/filtering/checks': {
        url: '/api/v1/conduct/filtering/checks',
        json: () => ({
          kind: 'check',
          checkedOn: ukDate(ctx.services.clock.now()),
          outcome: 'working',
          findings: 'Test pages stayed blocked',
        }),
      },
      'POST /subject-access': {
        from: '/subject-access/new?q=' + encodeURIComponent(pupil0.givenName),
        action: '/subject-access',
        url: '/subject-access',
        fields: {
          subject: `pupil:${pupil0.id}`,
          requesterName: 'A parent',
          requesterRelationship: 'parent',
          ...todayParts('receivedOn'),
          identityChecked: 'yes',
          identityMethod: 'Known parent',
        },
      },
      'POST /subject-access/erasure': {
        from: `/subject-access/erasure?subject=parent:${A.parent.id}`,
        url: '/subject-access/erasure',
        fields: { subject: `parent:${A.parent.id}`, confirm: 'yes' },
      },
      'POST /subject-access/:id/bundle': {
        from: `/subject-access/${subjectAccessId}`,
        url: `/subject-access/${subjectAccessId}/bundle`,
      },
      'POST /subject-access/:id/extend': {
        from: `/subject-access/${subjectAccessId}`,
        url: async () => `/subject-access/${await subjectAccessRequest()}/extend`,
        fields: { months: '2', reason: 'Seven years of records and many photos' },
      },
      'POST /subject-access/:id/close': {
        from: `/subject-access/${subjectAccessId}`,
        url: async () => `/subject-access/${await subjectAccessRequest()}/close`,
        fields: { note: 'Sent by secure email' },
      },
      'POST /api/v1/subject-access': {
        url: '/api/v1/subject-access',
        json: () => ({
          subject: `pupil:${pupil0.id}`,
          requesterName: 'A parent',
          requesterRelationship: 'parent',
          receivedOn: ukDate(ctx.services.clock.now()),
          identityChecked: 'no',
        }),
      },
      'POST /api/v1/conduct/permissions': {
        url: '/api/v1/conduct/permissions',
        json: () => ({ type: 'logo_use', reason: 'A charity poster' }),
      },
      'POST /api/v1/conduct/permissions/:id/decisions': {
        url: async () =>
          `/api/v1/conduct/permissions/${await conductRequest('logo_use')}/decisions`,
        json: () => ({ decision: 'withdrawn' }),
      },
      'POST /media/upload': {
        from: '/media/upload',
        url: '/media/upload',
        fields: { deviceId: deviceId, eventLabel: 'Valid day' },
        file: jpeg,
      },
      'POST /incidents/:id/evidence': {
        from: `/incidents/${evidenceIncidentId}/evidence/add`,
        url: `/incidents/${evidenceIncidentId}/evidence`,
        fields: { statedAt: 'Monday evening', statedPlace: 'Facebook' },
        file: () => ({ ...jpeg(), field: 'evidence' }),
      },
      // Guidance and letter templates: the page's own answers, with why.
      'POST /incidents/guidance/:platform': {
        from: '/incidents/guidance/facebook/edit',
        url: '/incidents/guidance/facebook',
        fields: { note: 'Checked against the Help Centre' },
      },
      'POST /incidents/guidance/:platform/restore': {
        url: '/incidents/guidance/facebook/restore',
        fields: { note: 'Back to Lanyard’s words' },
      },
      'POST /incidents/letters/templates/:key': {
        from: '/incidents/letters/templates/parent_warning',
        url: '/incidents/letters/templates/parent_warning',
        fields: { note: 'Our own words' },
      },
      'POST /incidents/letters/templates/:key/restore': {
        url: '/incidents/letters/templates/parent_warning/restore',
        fields: { note: 'Back to Lanyard’s words' },
      },
      'POST /incidents/:id/letters/preview': {
        url: `/incidents/${letterIncidentId}/letters/preview`,
        fields: { template: 'parent_warning', recipientName: 'Mr Smith' },
      },
      'POST /incidents/:id/letters': {
        url: `/incidents/${letterIncidentId}/letters`,
        fields: { template: 'meeting_invitation', recipientName: 'Mr Smith', confirm: 'yes' },
      },
      'POST /api/v1/incidents/:id/evidence': {
        url: `/api/v1/incidents/${evidenceIncidentId}/evidence`,
        json: () => undefined,
        file: () => ({ ...jpeg(), field: 'file' }),
        fields: { statedAt: 'Monday evening' },
      },
      // Incidents core: the report forms; each action on a case of its own where it changes
      // the case's state (classify, steps, referral, close, reopen), else on the sample.
      'POST /report': { from: '/report', url: '/report', fields: { indecentImage: 'no' } },
      'POST /report/concern': {
        from: '/report/concern',
        url: '/report/concern',
        fields: { whatHappened: 'Unkind messages', reporterConcern: 'no', platform: 'whatsapp' },
        file: () => ({ ...jpeg(), field: 'evidence' }),
      },
      'POST /report/image': {
        from: '/report/image',
        url: '/report/image',
        fields: { adultInvolved: 'not_sure', understood: 'yes' },
      },
      'POST /api/v1/incidents': {
        url: '/api/v1/incidents',
        json: () => ({ indecentImage: false, whatHappened: 'Reported through the API' }),
      },
      'POST /incidents/:id/classify': {
        from: '/incidents',
        url: async () => `/incidents/${await freshCase()}/classify`,
        fields: {
          incidentType: 'pupil_on_pupil',
          category: 'conduct',
          risk: 'aggressive',
          safeguarding: 'no',
        },
      },
      'POST /incidents/:id/assign': {
        from: '/incidents',
        url: async () => `/incidents/${await freshCase()}/assign`,
        fields: { staffIds: A.staff.support_staff.id },
      },
      'POST /incidents/:id/restrict': {
        from: '/incidents',
        url: async () => `/incidents/${await freshCase('yes')}/restrict`,
        fields: { deputyIds: A.staff.teacher.id },
      },
      'POST /incidents/:id/steps/:step': {
        from: '/incidents',
        url: async () => {
          const id = await freshCase();
          await ctx.services.incidentCases.classify(
            staffPrincipal(A, 'headteacher') as Parameters<
              typeof ctx.services.incidentCases.close
            >[0],
            id,
            {
              incidentType: 'pupil_on_pupil',
              category: 'conduct',
              risk: 'aggressive',
              safeguarding: 'no',
            },
          );
          const steps = (await ctx.services.policies.current(A.school.id)).settings.incidents
            .playbooks.pupil_on_pupil.value;
          return `/incidents/${id}/steps/${steps[0]!.key}`;
        },
        fields: { outcome: 'Screenshots kept' },
      },
      'POST /incidents/:id/people': {
        from: `/incidents/${caseIncidentId}`,
        url: `/incidents/${caseIncidentId}/people`,
        fields: { pupilId: pupil0.id, part: 'witness' },
      },
      'POST /incidents/:id/notes': {
        from: `/incidents/${caseIncidentId}`,
        url: `/incidents/${caseIncidentId}/notes`,
        fields: { text: 'Spoke to the pupil' },
      },
      'POST /incidents/:id/corrections': {
        from: `/incidents/${caseIncidentId}`,
        url: `/incidents/${caseIncidentId}/corrections`,
        fields: { field: 'platform', value: 'Snapchat', reason: 'The pupil said so' },
      },
      'POST /incidents/:id/wishes': {
        from: `/incidents/${caseIncidentId}`,
        url: `/incidents/${caseIncidentId}/wishes`,
        fields: { text: 'Wants it to stop' },
      },
      'POST /incidents/:id/police': {
        from: `/incidents/${caseIncidentId}`,
        url: `/incidents/${caseIncidentId}/police`,
        fields: { decision: 'not_report' },
      },
      'POST /incidents/:id/referral': {
        from: '/incidents',
        url: async () => {
          const parent = {
            kind: 'parent' as const,
            id: A.parent.id,
            schoolId: A.school.id,
            name: 'Parent',
          };
          const r = await ctx.services.incidents.reportIndecentImage(parent, {
            adultInvolved: 'no',
            understood: 'yes',
          });
          return `/incidents/${r.id}/referral`;
        },
        fields: { to: 'police_and_social_care' },
      },
      'POST /incidents/:id/close': {
        from: '/incidents',
        url: async () => `/incidents/${await freshCase()}/close`,
        fields: { outcome: 'Resolved with both families' },
      },
      'POST /incidents/:id/reopen': {
        from: '/incidents',
        url: async () => {
          const id = await freshCase();
          await ctx.services.incidentCases.close(
            staffPrincipal(A, 'headteacher') as Parameters<
              typeof ctx.services.incidentCases.close
            >[0],
            id,
            'Done',
          );
          return `/incidents/${id}/reopen`;
        },
        fields: { reason: 'It started again' },
      },
      'POST /api/v1/media': {
        url: '/api/v1/media',
        json: () => undefined,
        file: () => ({ ...jpeg(), field: 'file' }),
        fields: { deviceId: deviceId, eventLabel: 'Valid day' },
      },
      'POST /media/:id/details': {
        from: item,
        url: `${item}/details`,
        fields: { eventLabel: 'Valid sports day' },
      },
      'POST /media/:id/faces/add': {
        from: item,
        url: `${item}/faces/add`,
        fields: { x: '20', y: '20', width: '40', height: '40' },
      },
      'POST /media/:id/faces/remove': { from: item, url: `${item}/faces/remove` },
      'POST /media/:id/faces/link': { from: item, url: `${item}/faces/link` },
      'POST /media/:id/pupils/add': {
        from: item,
        url: `${item}/pupils/add`,
        fields: { pupilId: pupil0.id },
      },
      'POST /media/:id/pupils/remove': {
        from: item,
        url: `${item}/pupils/remove`,
        // Tagged again first: each role removes a tag that is there.
        fields: async () => {
          await ctx.services.media.tagPupil(
            A.school.id,
            { kind: 'staff', id: A.staff.headteacher.id },
            mediaId,
            pupil0.id,
          );
          return { pupilId: pupil0.id };
        },
      },
      'POST /media/:id/renditions': {
        from: item,
        url: `${item}/renditions`,
        fields: { purpose: 'school_social_media' },
      },
      'POST /media/:id/release': {
        from: '/media/quarantine',
        url: async (n) => `/media/${await quarantined(n)}/release`,
        fields: { confirm: 'yes' },
      },
      'POST /media/:id/delete': {
        from: '/media/quarantine',
        url: async (n) => `/media/${await quarantined(n)}/delete`,
        fields: { confirm: 'yes' },
      },
      'POST /pupils/new': {
        from: '/pupils/new',
        url: '/pupils/new',
        fields: (n) => ({
          givenName: 'Valid',
          familyName: `Body${n}`,
          'dateOfBirth-day': '1',
          'dateOfBirth-month': '2',
          'dateOfBirth-year': '2018',
          yearGroup: '2',
          className: '2P',
        }),
      },
      'POST /pupils/:id/edit': {
        from: `/pupils/${otherPupilId}/edit`,
        url: `/pupils/${otherPupilId}/edit`,
      },
      'POST /pupils/:id/leaving': {
        from: `/pupils/${leaver.id}/leaving`,
        url: `/pupils/${leaver.id}/leaving`,
        fields: { 'leavingDate-day': '31', 'leavingDate-month': '7', 'leavingDate-year': '2027' },
      },
      'POST /pupils/:id/still-here': {
        from: `/pupils/${leaver.id}`,
        url: `/pupils/${leaver.id}/still-here`,
      },
      'POST /staff/new': {
        from: '/staff/new',
        url: '/staff/new',
        fields: (n) => ({
          givenName: 'Valid',
          familyName: `Staff${n}`,
          email: `valid.staff${n}@matrix-a.test`,
          roles: 'volunteer',
        }),
      },
      'POST /staff/:id/edit': {
        from: `/staff/${managedStaffId}/edit`,
        url: `/staff/${managedStaffId}/edit`,
      },
      'POST /staff/:id/invitation': {
        from: `/staff/${managedStaffId}/edit`,
        url: `/staff/${managedStaffId}/invitation`,
      },
      'POST /staff/:id/deactivate': {
        from: `/staff/${managedStaffId}/edit`,
        url: `/staff/${managedStaffId}/deactivate`,
      },
      'POST /staff/:id/reactivate': {
        from: `/staff/${managedStaffId}/edit`,
        url: `/staff/${managedStaffId}/reactivate`,
      },
      'POST /staff/:id/classes': {
        from: `/staff/${A.staff.support_staff.id}/classes`,
        url: `/staff/${A.staff.support_staff.id}/classes`,
      },
      'POST /imports/pupils': {
        from: '/imports/pupils',
        url: '/imports/pupils',
        file: () => ({
          filename: 'pupils.csv',
          content: Buffer.from(
            'UPN,Forename,Surname,Date of birth,Year\nV1,Valid,Import,2018-01-01,2\n',
          ),
        }),
      },
      'POST /imports/staff': {
        from: '/imports/staff',
        url: '/imports/staff',
        file: () => ({
          filename: 'staff.csv',
          content: Buffer.from(
            'Given name,Family name,Email,Roles\nValid,Upload,v.upload@matrix-a.test,Teacher\n',
          ),
        }),
      },
      'POST /imports/staff/:id/confirm': {
        from: '/imports/staff',
        url: async (n) => {
          const id = await ctx.services.staffImports.upload(
            A.school.id,
            { kind: 'staff', id: A.staff.headteacher.id },
            {
              filename: 'staff.csv',
              data: Buffer.from(
                `Given name,Family name,Email,Roles\nValid,Import${n},valid.import${n}@matrix-a.test,Volunteer\n`,
              ),
            },
            { queue: false },
          );
          await ctx.services.staffImports.preview(id);
          return `/imports/staff/${id}/confirm`;
        },
      },
      'POST /policy/adopt': {
        from: '/policy',
        url: '/policy/adopt',
        fields: () => ({ templateKey: ctx.services.policies.templates()[0]!.key }),
      },
      'POST /policy/edit': {
        from: '/policy/edit',
        url: '/policy/edit',
        fields: { 'review.reminderDaysBefore': '18', note: 'A valid change' },
      },
      // The policy profile's API edit (issue 15 item 1, helper D): based on the current version.
      'PATCH /api/v1/policy-profile': {
        url: async () => {
          policyVersionNow = (await ctx.services.policies.current(A.school.id)).version;
          return '/api/v1/policy-profile';
        },
        json: (n) => ({
          expectedVersion: policyVersionNow,
          note: 'A valid change through the API',
          settings: { 'consent.renewalReminderDays': 10 + (n % 20) },
        }),
      },
      'POST /policy/reviewed': {
        from: '/policy',
        url: '/policy/reviewed',
        fields: { reviewNote: 'Reviewed' },
      },
      'POST /consent/family/:pupilId/:periodKey': {
        chooseFirst: true,
        variant: 'own child',
        from: `/consent/family/${pupil0.id}/${consentPeriodKey}`,
        url: `/consent/family/${pupil0.id}/${consentPeriodKey}`,
      },
      'POST /consent/family/:pupilId/:periodKey/check': {
        variant: 'own child',
        from: `/consent/family/${pupil0.id}/${consentPeriodKey}/check`,
        url: `/consent/family/${pupil0.id}/${consentPeriodKey}/check`,
      },
      'POST /consent/pupils/:id/paper-form': {
        chooseFirst: true,
        variant: 'a pupil',
        from: `/consent/pupils/${pupil0.id}/paper-form`,
        url: `/consent/pupils/${pupil0.id}/paper-form`,
      },
      'POST /consent/pupils/:id/withdrawal': {
        chooseFirst: true,
        variant: 'a pupil',
        from: `/consent/pupils/${pupil0.id}/withdrawal`,
        url: `/consent/pupils/${pupil0.id}/withdrawal`,
      },
      'POST /consent/pupils/:id/competence': {
        chooseFirst: true,
        variant: 'a pupil',
        from: `/consent/pupils/${pupil0.id}/competence`,
        url: `/consent/pupils/${pupil0.id}/competence`,
      },
      'POST /policy/responsibilities': {
        from: '/policy/responsibilities',
        url: '/policy/responsibilities',
        fields: { responsibilityKey: 'deputy_dsl', staffId: A.staff.teacher.id },
      },
      // The form offers the other state (restrict, then lift): the two roles leave pupil 0 as
      // they found them.
      'POST /consent/restrictions/pupils/:id': {
        variant: 'a pupil',
        from: `/consent/restrictions/pupils/${pupil0.id}`,
        url: `/consent/restrictions/pupils/${pupil0.id}`,
        fields: { reason: 'Authorisation matrix check' },
      },
      'POST /consent/parents/:parentId/send-link': {
        from: `/consent/pupils/${pupil0.id}`,
        url: `/consent/parents/${A.parent.id}/send-link`,
      },
      'POST /consent/imports': {
        from: '/consent/imports',
        url: '/consent/imports',
        file: () => ({ filename: 'consents.csv', content: Buffer.from('UPN,Class\nA123,3B\n') }),
      },
      'POST /consent/imports/:id/confirm': {
        from: '/consent/imports',
        url: async () => {
          const id = await ctx.services.consentImports.upload(
            A.school.id,
            { kind: 'staff', id: A.staff.dpo.id },
            {
              filename: 'consents.csv',
              data: Buffer.from(
                `UPN,Parent email,Date on form,Method,school_social_media image\n${importFamily.misId},${importFamily.parentEmail},04/09/2026,paper form,Yes\n`,
              ),
            },
          );
          await ctx.services.consentImports.preview(id); // the check job
          return `/consent/imports/${id}/confirm`;
        },
      },
      'POST /consent/campaigns': {
        from: '/consent/campaigns',
        url: '/consent/campaigns',
        chooseFirst: true,
      },
      'POST /consent/campaigns/:id/reminders': {
        from: `/consent/campaigns/${consentCampaignId}`,
        url: `/consent/campaigns/${consentCampaignId}/reminders`,
      },
      // Training and policy acknowledgements (modules/training, modules/acknowledgements).
      'POST /policy/text/edit': {
        from: '/policy/text/edit',
        url: '/policy/text/edit',
        fields: (n) => ({
          newSectionHeading: `Matrix section ${n}`,
          newSectionText: `A clause the matrix added (${n}).`,
          kind: 'minor',
          note: 'Matrix',
        }),
      },
      'POST /parent-guidance': {
        from: '/parent-guidance',
        url: '/parent-guidance',
        fields: { confirm: 'yes' },
      },
      'POST /policy/reviews/new': {
        from: '/policy/reviews/new',
        url: '/policy/reviews/new',
        fields: () => {
          const [y, m, d] = new Date().toISOString().slice(0, 10).split('-');
          return {
            reason: 'scheduled',
            'metOn-day': String(Number(d)),
            'metOn-month': String(Number(m)),
            'metOn-year': y!,
            attendees: 'Matrix',
            decisions: 'Matrix',
          };
        },
      },
      'POST /api/v1/policy-acknowledgements': {
        url: '/api/v1/policy-acknowledgements',
        json: () => ({ confirm: true }),
      },
      'POST /acknowledge-policy': {
        from: '/acknowledge-policy',
        url: '/acknowledge-policy',
        fields: { confirm: 'yes' },
      },
      'POST /training/sessions': {
        from: '/training/sessions/new',
        url: '/training/sessions',
        fields: (n) => {
          const d = new Date(Date.now() + 14 * 86_400_000);
          return {
            kind: 'staff_regular',
            title: `Valid training ${n}`,
            'date-day': String(d.getUTCDate()),
            'date-month': String(d.getUTCMonth() + 1),
            'date-year': String(d.getUTCFullYear()),
            time: '15:45',
            place: 'Library',
            trainer: 'The DSL',
          };
        },
      },
      'POST /training/sessions/:id/register': {
        from: `/training/sessions/${trainingSessionId}/register`,
        url: `/training/sessions/${trainingSessionId}/register`,
        fields: { attended: A.staff.teacher.id },
      },
      'POST /api/v1/training/sessions/:id/attendance': {
        url: `/api/v1/training/sessions/${trainingSessionId}/attendance`,
        json: () => ({ attended: [A.staff.teacher.id] }),
      },
      'POST /training/lessons': {
        from: '/training/lessons',
        url: '/training/lessons',
        chooseFirst: true,
        fields: () => {
          const d = new Date();
          return {
            'taughtOn-day': String(d.getUTCDate()),
            'taughtOn-month': String(d.getUTCMonth() + 1),
            'taughtOn-year': String(d.getUTCFullYear()),
            topic: 'Staying safe online',
          };
        },
      },
      'POST /parent-training/:id/book': {
        from: '/parent-training',
        url: `/parent-training/${parentSessionId}/book`,
        fields: { places: '1' },
      },
      'POST /parent-training/:id/cancel': {
        from: '/parent-training',
        url: `/parent-training/${parentSessionId}/cancel`,
      },
      'POST /training/sessions/:id/materials': {
        from: `/training/sessions/${trainingSessionId}/materials/new`,
        url: `/training/sessions/${trainingSessionId}/materials`,
        fields: (n) => ({ title: `Valid slides ${n}` }),
        file: () => ({
          filename: 'slides.pdf',
          type: 'application/pdf',
          content: Buffer.from('%PDF-1.4\n%%EOF\n'),
        }),
      },
      'POST /training/imports': {
        from: '/training/imports',
        url: '/training/imports',
        file: () => ({ filename: 'sheet.csv', content: Buffer.from('Email,Date,Training\n') }),
      },
      'POST /training/imports/:id/confirm': {
        from: '/training/imports',
        url: async () => {
          const session = await ctx.services.training.getSession(A.school.id, trainingSessionId);
          const date = ukDate(session.startsAt).split('-').reverse().join('/');
          const id = await ctx.services.trainingImports.upload(
            A.school.id,
            { kind: 'staff', id: A.staff.dsl.id },
            {
              filename: 'sheet.csv',
              data: Buffer.from(`Email,Date,Training\n${A.staff.teacher.email},${date},regular\n`),
            },
            { queue: false },
          );
          await ctx.services.trainingImports.preview(id);
          return `/training/imports/${id}/confirm`;
        },
      },
      'POST /devices': {
        from: '/devices/new',
        url: '/devices',
        fields: (n) => ({ name: `Valid camera ${n}`, deviceType: 'camera', assetTag: `V-${n}` }),
      },
      'POST /devices/:id/approve': {
        from: '/devices',
        url: async (n) =>
          `/devices/${(await ctx.services.devices.register(A.school.id, { kind: 'staff', id: A.staff.ict_technician.id }, { name: `Valid ${n}`, deviceType: 'camera', assetTag: `VA-${n}` })).id}/approve`,
      },
      'POST /devices/:id/withdraw': {
        from: '/devices',
        url: async (n) => {
          const id = (
            await ctx.services.devices.register(
              A.school.id,
              { kind: 'staff', id: A.staff.ict_technician.id },
              { name: `Valid ${n}`, deviceType: 'camera', assetTag: `VW-${n}` },
            )
          ).id;
          // Only an approved device can have its approval withdrawn.
          await ctx.services.devices.approve(staffPrincipal(A, 'headteacher'), id);
          return `/devices/${id}/withdraw`;
        },
        fields: { confirm: 'yes' },
      },
      'POST /channels': {
        from: '/channels/new?kind=newsletter',
        url: '/channels',
        fields: (n) => ({
          kind: 'newsletter',
          name: `Valid newsletter ${n}`,
          purposeKey: 'school_social_media',
          audience: 'public',
          comments: 'off',
        }),
      },
      'POST /api/v1/channels': {
        url: '/api/v1/channels',
        json: (n) => ({
          kind: 'newsletter',
          name: `Api newsletter ${n}`,
          purposeKey: 'school_social_media',
          audience: 'public',
          comments: 'off',
        }),
      },
      'POST /channels/:id/edit': {
        from: `/channels/${channelId}/edit`,
        url: `/channels/${channelId}/edit`,
        fields: (n) => ({
          name: `Valid channel ${n}`,
          platform: 'Facebook',
          handle: '@matrix',
          purposeKey: 'school_social_media',
          audience: 'public',
          comments: 'off',
        }),
      },
      'PATCH /api/v1/channels/:id': {
        url: `/api/v1/channels/${channelId}`,
        json: (n) => ({ name: `Api channel ${n}` }),
      },
      'POST /channels/news-appearance': {
        from: '/channels/news-appearance',
        url: '/channels/news-appearance',
        fields: (n) => ({ colour: n % 2 ? '#1d5c3a' : '#0b3d91' }),
        file: () => ({
          filename: 'logo.png',
          type: 'image/png',
          content: newsLogoPng,
          field: 'logo',
        }),
      },
      'POST /school': {
        from: '/school',
        url: '/school',
        fields: (n) => ({ phone: `01632 960 ${String(100 + n).slice(-3)}`, postcode: 'OK1 2AB' }),
      },
      'POST /channels/:id/credential': {
        from: `/channels/${channelId}`,
        url: `/channels/${channelId}/credential`,
        fields: (n) => ({ credential: `valid-api-token-${n}`, confirm: 'yes' }),
      },
      'POST /channels/:id/posters': {
        from: `/channels/${channelId}`,
        url: async (n) => `/channels/${await newChannel(n)}/posters`,
        fields: { staffId: A.staff.teacher.id },
      },
      'POST /channels/:id/posters/remove': {
        from: `/channels/${channelId}`,
        url: async (n) => {
          const id = await newChannel(n);
          await ctx.services.channelAccounts.addPoster(
            staffPrincipal(A, 'headteacher'),
            id,
            A.staff.teacher.id,
          );
          return `/channels/${id}/posters/remove`;
        },
        fields: { staffId: A.staff.teacher.id },
      },
      'POST /channels/:id/deactivate': {
        from: `/channels/${channelId}`,
        url: async (n) => `/channels/${await newChannel(n)}/deactivate`,
        fields: { stop: 'yes' },
      },
      'POST /channels/:id/reactivate': {
        from: `/channels/${channelId}`,
        url: async (n) => {
          const id = await newChannel(n);
          await ctx.services.channelAccounts.setActive(staffPrincipal(A, 'headteacher'), id, false);
          return `/channels/${id}/reactivate`;
        },
      },
      'POST /channels/:id/handover': {
        from: `/channels/${channelId}/handover`,
        url: async (n) => `/channels/${await newChannel(n)}/handover`,
        fields: { toStaffId: A.staff.headteacher.id, reason: 'Valid hand-over' },
      },
      'POST /posts': {
        from: '/posts/new',
        url: '/posts',
        fields: (n) => ({
          kind: 'standard',
          title: `Valid post ${n}`,
          body: 'Year 2 planted sunflowers.',
          accountIds: newsChannelId,
        }),
      },
      'POST /posts/:id': {
        from: '/posts',
        url: async (n) => `/posts/${await teacherPost(n, 'draft')}`,
        fields: (n) => ({
          kind: 'standard',
          title: `Changed post ${n}`,
          body: 'Year 2 planted sunflowers and beans.',
          accountIds: newsChannelId,
        }),
      },
      'POST /posts/:id/previews': { from: `/posts/${postId}`, url: `/posts/${postId}/previews` },
      'POST /posts/:id/checks': { from: `/posts/${postId}`, url: `/posts/${postId}/checks` },
      'POST /posts/:id/submit': {
        from: '/posts',
        url: async (n) => `/posts/${await teacherPost(n, 'draft')}/submit`,
      },
      'POST /posts/:id/approve': {
        from: '/posts',
        url: async (n) => `/posts/${await teacherPost(n, 'pending')}/approve`,
        fields: { comment: 'Lovely.' },
      },
      'POST /posts/takedowns/:id/done': {
        from: '/posts/takedowns',
        url: async () => `/posts/takedowns/${await newTakedownTask()}/done`,
        fields: { note: 'Deleted from the Facebook page.' },
      },
      'POST /api/v1/takedowns/:id/done': {
        url: async () => `/api/v1/takedowns/${await newTakedownTask()}/done`,
        json: () => ({ note: 'Deleted from the Facebook page.' }),
      },
      'POST /posts/:id/return': {
        from: '/posts',
        url: async (n) => `/posts/${await teacherPost(n, 'pending')}/return`,
        fields: { comment: 'Please say which class.' },
      },
      'POST /posts/:id/override': {
        from: '/posts',
        url: async (n) => {
          const { id, checkId } = await postWithWarning(n);
          warnings.set(n, checkId);
          return `/posts/${id}/override`;
        },
        fields: (n) => ({ checkId: warnings.get(n)!, reason: 'It is about the weather only.' }),
      },
      'POST /posts/:id/publish': {
        from: '/posts',
        url: async (n) => `/posts/${await teacherPost(n, 'approved')}/publish`,
      },
      'POST /api/v1/posts': {
        url: '/api/v1/posts',
        json: (n) => ({ title: `Api post ${n}`, body: 'Sunflowers.', accountIds: [newsChannelId] }),
      },
      'PATCH /api/v1/posts/:id': {
        url: async (n) => `/api/v1/posts/${await teacherPost(n, 'draft')}`,
        json: (n) => ({ title: `Api changed ${n}` }),
      },
      'POST /api/v1/posts/:id/submit': {
        url: async (n) => `/api/v1/posts/${await teacherPost(n, 'draft')}/submit`,
        json: () => ({}),
      },
      'POST /api/v1/posts/:id/approve': {
        url: async (n) => `/api/v1/posts/${await teacherPost(n, 'pending')}/approve`,
        json: () => ({ comment: 'Lovely.' }),
      },
      'POST /api/v1/posts/:id/return': {
        url: async (n) => `/api/v1/posts/${await teacherPost(n, 'pending')}/return`,
        json: () => ({ comment: 'Please say which class.' }),
      },
      'POST /api/v1/posts/:id/checks/:checkId/override': {
        url: async (n) => {
          const { id, checkId } = await postWithWarning(n);
          return `/api/v1/posts/${id}/checks/${checkId}/override`;
        },
        json: () => ({ reason: 'It is about the weather only.' }),
      },
      'POST /api/v1/posts/:id/publish': {
        url: async (n) => `/api/v1/posts/${await teacherPost(n, 'approved')}/publish`,
        json: () => ({}),
      },
      'POST /api/v1/pupils': {
        url: '/api/v1/pupils',
        json: (n) => ({
          givenName: 'Api',
          familyName: `Valid${n}`,
          dateOfBirth: '2019-02-28',
          yearGroup: '2',
          className: '2P',
        }),
      },
      'PATCH /api/v1/pupils/:id': {
        variant: 'another pupil',
        url: `/api/v1/pupils/${otherPupilId}`,
        json: () => ({ className: A.pupils.find((p) => p.id === otherPupilId)!.className }),
      },
      'POST /api/v1/staff': {
        url: '/api/v1/staff',
        json: (n) => ({
          givenName: 'Api',
          familyName: `Staff${n}`,
          email: `api.staff${n}@matrix-a.test`,
          roles: ['volunteer'],
        }),
      },
      'PATCH /api/v1/staff/:id': {
        url: `/api/v1/staff/${managedStaffId}`,
        json: () => ({ jobTitle: 'Volunteer reader' }),
      },
      'POST /api/v1/consent/check': {
        url: '/api/v1/consent/check',
        json: () => ({ purpose: 'school_social_media', mediaType: 'image', pupilIds: [pupil0.id] }),
      },
    };
  }
});

/**
 * The consent record keeper the profile names (issue 15), for a keeper whose role the table
 * above does not let in: at school K the profile names the Business Manager as the keeper's
 * role and the E-safety co-ordinator as its responsibility, held by the ICT Technician. Every
 * consent office route (staff pages, imports, campaigns, receipts) has a hand-written line:
 * those two now reach it as the roles above do, and everyone else still gets the 404 they got.
 */
const KEEPERS: readonly Role[] = ['business_manager', 'ict_technician'];
/** The office (by role) and the keepers; the teacher (no class here) sees no pupil's record. */
const OFFICE_OR_KEEPER: readonly Role[] = ['office', ...KEEPERS];
const KEEPER_EXPECTED: Record<string, readonly Role[]> = {
  'GET /consent': ['office', 'teacher', ...KEEPERS],
  // The batch check is not the keeper's: the roles that take or choose pictures, as before.
  'GET /consent/check': ['business_manager', 'office', 'teacher'],
  'GET /consent/pupils/:id': OFFICE_OR_KEEPER,
  'GET /consent/records/:id/evidence': OFFICE_OR_KEEPER,
  'GET /consent/classes/:className': OFFICE_OR_KEEPER,
  'GET /consent/classes/:className/card': OFFICE_OR_KEEPER,
  'GET /consent/classes/:className/card.pdf': OFFICE_OR_KEEPER,
  'GET /consent/pupils/:id/paper-form': OFFICE_OR_KEEPER,
  'POST /consent/pupils/:id/paper-form': OFFICE_OR_KEEPER,
  'GET /consent/pupils/:id/withdrawal': OFFICE_OR_KEEPER,
  'POST /consent/pupils/:id/withdrawal': OFFICE_OR_KEEPER,
  'GET /consent/pupils/:id/competence': KEEPERS,
  'POST /consent/pupils/:id/competence': KEEPERS,
  'GET /consent/receipts': OFFICE_OR_KEEPER,
  'POST /consent/parents/:parentId/send-link': OFFICE_OR_KEEPER,
  'GET /consent/changes': OFFICE_OR_KEEPER,
  'GET /consent/export.csv': KEEPERS,
  'GET /consent/imports': KEEPERS,
  'POST /consent/imports': KEEPERS,
  'GET /consent/imports/:id': KEEPERS,
  'POST /consent/imports/:id/confirm': KEEPERS,
  'GET /consent/campaigns': OFFICE_OR_KEEPER,
  'POST /consent/campaigns': KEEPERS,
  'GET /consent/campaigns/:id': OFFICE_OR_KEEPER,
  'POST /consent/campaigns/:id/reminders': OFFICE_OR_KEEPER,
};

describe('authorisation matrix: the consent record keeper the profile names', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let K: SchoolFixture;
  const browsers = new Map<Role, Browser>();
  /** Who signs in: the two keepers, the office (by role), and roles the rules leave out. */
  const roles: readonly StaffRole[] = [
    'business_manager',
    'ict_technician',
    'office',
    'teacher',
    'dsl',
    'governor',
    'volunteer',
  ];
  const values: Record<string, string> = {};

  beforeAll(async () => {
    ctx = await createTestServices({ faces: fakeFaces });
    app = await buildTestApp(ctx);
    K = await createSchool(ctx.services, { slug: 'matrix-keeper', pupils: 6 });
    const head = { kind: 'staff' as const, id: K.staff.headteacher.id };
    await ctx.services.responsibilities.give(K.school.id, head, {
      staffId: K.staff.ict_technician.id,
      responsibilityKey: 'esafety_coordinator',
    });
    const current = await ctx.services.policies.current(K.school.id);
    await ctx.services.policies.saveSettings(K.school.id, head, {
      values: {
        'roles.consentRecordKeeperRole': 'business_manager',
        'roles.consentRecordKeeperResponsibilities': ['esafety_coordinator'],
      },
      note: 'Matrix: the consent record keeper',
      expectedVersion: current.version,
      substantive: false,
    });
    const pupil0 = K.pupils[0]!;
    const dpo = { kind: 'staff' as const, id: K.staff.dpo.id };
    const periodKey = (await ctx.services.consent.recordablePeriods(K.school.id))[0]!.key;
    const parentId = K.parent.id;
    const evidenceId = (
      await ctx.services.consent.record(
        {
          schoolId: K.school.id,
          pupilId: pupil0.id,
          kind: 'form',
          decider: { kind: 'parent', parentId },
          periodKey,
          decidedOn: ukDate(ctx.services.clock.now()),
          method: 'paper_form',
          decisions: { 'school_social_media/image': 'granted' },
          evidence: {
            data: Buffer.from(
              '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
            ),
            filename: 'form.pdf',
          },
        },
        dpo,
      )
    ).recordId;
    const importId = await ctx.services.consentImports.upload(K.school.id, dpo, {
      filename: 'consents.csv',
      data: Buffer.from('UPN,Class\nA123,3B\n'),
    });
    const campaignId = (await ctx.services.consentCampaigns.startNow(K.school.id, dpo, periodKey))
      .campaignId;
    Object.assign(values, {
      id: pupil0.id,
      className: pupil0.className!,
      parentId,
    });
    values['/consent/records/:id/evidence'] = evidenceId;
    values['/consent/imports/:id'] = importId;
    values['/consent/campaigns/:id'] = campaignId;
    for (const role of roles) {
      const b = new Browser(app);
      await b.signIn(K.staff[role].email);
      browsers.set(role, b);
    }
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  /** The consent office's routes (not the family's form, not never-publish, not the API). */
  const keeperRoutes = () =>
    app.lanyardRoutes.filter(
      (r) =>
        r.url.startsWith('/consent') &&
        !r.url.startsWith('/consent/family') &&
        !r.url.startsWith('/consent/restrictions'),
    );
  const urlOf = (url: string) =>
    url.replace(/:(\w+)/g, (_, name: string) => {
      const own = Object.entries(values).find(([prefix]) => url.startsWith(prefix));
      const v = name === 'id' && own ? own[1] : values[name];
      if (v === undefined) throw new Error(`no sample value for :${name} in ${url}`);
      return encodeURIComponent(v);
    });

  it('has a hand-written line for every consent office route', () => {
    const keys = keeperRoutes().map((r) => `${r.method} ${r.url}`);
    expect(keys.filter((k) => !(k in KEEPER_EXPECTED))).toEqual([]);
    expect(Object.keys(KEEPER_EXPECTED).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('lets the keeper, by role or by responsibility, reach what the table says; others get 404', async () => {
    const pupilName = `${K.pupils[0]!.givenName} ${K.pupils[0]!.familyName}`;
    const mismatches: string[] = [];
    for (const route of keeperRoutes()) {
      const key = `${route.method} ${route.url}`;
      const url = urlOf(route.url);
      for (const role of roles) {
        const b = browsers.get(role)!;
        const res = route.method === 'GET' ? await b.get(url) : await b.post(url, {});
        const s = res.statusCode;
        // A GET the person may reach shows its page (or file); a POST with an empty body is
        // answered by the handler (its form again, a redirect, or a 409), never a 404 or 403.
        const got =
          s === 404
            ? NOT_FOUND
            : route.method === 'GET'
              ? s === 200
                ? ALLOWED
                : `${s}`
              : s < 500 && s !== 403 && s !== 429
                ? ALLOWED
                : `${s}`;
        const want = KEEPER_EXPECTED[key]!.includes(role) ? ALLOWED : NOT_FOUND;
        if (got !== want) mismatches.push(`${key} | ${role} | expected ${want} | got ${s}`);
        if (want === NOT_FOUND && res.body.includes(pupilName))
          mismatches.push(`${key} | ${role} | a refusal named the pupil`);
      }
    }
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  }, 300_000);
});
