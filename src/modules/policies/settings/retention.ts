/**
 * Policy settings, section `retention`: how long each kind of record is kept (issue 16 item 6).
 *
 * Values are whole years, or null for "never deleted by Lanyard". Each rule says from when the
 * years count. Lanyard's defaults follow the IRMS Information Management Toolkit for Schools
 * (its retention guidelines; the source is named in each citation's note); no seed policy has a
 * retention rule except 004 part D on photographs, which is `media.retention` (the media
 * module's sweep, which the retention sweep runs first). The rules here (paths `retention.…`):
 * consentRecordsYearsAfterLeaving, incidentsYearsAfterClosing, safeguardingUntilAge,
 * trainingRecordsYears, declarationsYears, permissionsYears, publicationsYearsAfterEnding,
 * pupilRecordsYearsAfterLeaving, staffRecordsYearsAfterLeaving,
 * subjectAccessRequestsYearsAfterClosing, auditLogYears (fixed: never).
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';

const r = ruleSchema;
const years = z.number().int().min(0).max(100).nullable();

/** The `retention` section of the profile. */
export const retentionSettingsSchema = z.object({
  /** Consent statements and their scans: years after the pupil leaves the school. */
  consentRecordsYearsAfterLeaving: r(years),
  /** Incidents that are not safeguarding concerns: years after the case is closed. */
  incidentsYearsAfterClosing: r(years),
  /** Safeguarding incidents (and their evidence): kept until every pupil in them is this age. */
  safeguardingUntilAge: r(z.number().int().min(18).max(100).nullable()),
  /** Training attendance and parents' bookings: years after the session. */
  trainingRecordsYears: r(years),
  /** Staff declarations: years after the declaration. */
  declarationsYears: r(years),
  /** Permission requests and their decisions: years after the request. */
  permissionsYears: r(years),
  /**
   * Publications taken down (or that never went out): years after they ended, with the files
   * that went out. A publication still live is kept. Added later: a stored profile reads the default.
   */
  publicationsYearsAfterEnding: r(years).default(() => publicationsYearsAfterEndingDefault()),
  /**
   * Lanyard's copy of a pupil who has left (name, class, dates, family links) and of their
   * parents with no child left: years after the leaving date, once no kept record names them.
   */
  pupilRecordsYearsAfterLeaving: r(years).default(() => pupilRecordsYearsAfterLeavingDefault()),
  /**
   * Lanyard's copy of a former member of staff (no longer active; name, email, roles, classes):
   * years after their leave date, once no kept record names them. Added later: a stored profile
   * reads the default.
   */
  staffRecordsYearsAfterLeaving: r(years).default(() => staffRecordsYearsAfterLeavingDefault()),
  /**
   * Subject access requests and the record of each bundle produced: years after the request was
   * closed. An open request is never deleted. Added later: a stored profile reads the default.
   */
  subjectAccessRequestsYearsAfterClosing: r(years).default(() =>
    subjectAccessRequestsYearsAfterClosingDefault(),
  ),
  /**
   * Fixed, never deleted (the editor shows it and cannot change it, like the other fixed rules):
   * the audit log is the school's record of what it did (UK GDPR Art. 5(2) accountability),
   * hash-chained and verified end to end, and it records what the retention sweep and erasures
   * deleted. The sweep reads it (subject-access.retention.ts) and deletes no audit entry.
   */
  auditLogYears: r(z.null()),
});
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/** Plain-English label for each `retention` rule, in display order. */
export const retentionLabels = {
  'retention.consentRecordsYearsAfterLeaving':
    'Years after a pupil leaves before their consent records and scans are deleted',
  'retention.incidentsYearsAfterClosing':
    'Years after an incident (not safeguarding) is closed before it is deleted',
  'retention.safeguardingUntilAge':
    'Safeguarding incidents and their evidence are kept until the pupils in them reach this age',
  'retention.trainingRecordsYears': 'Years after a training session before its records are deleted',
  'retention.declarationsYears': 'Years after a staff declaration before it is deleted',
  'retention.permissionsYears': 'Years after a permission request before it is deleted',
  'retention.publicationsYearsAfterEnding':
    'Years after a publication is taken down before its record and files are deleted',
  'retention.pupilRecordsYearsAfterLeaving':
    'Years after a pupil leaves before their details and family links are deleted',
  'retention.staffRecordsYearsAfterLeaving':
    'Years after a member of staff leaves before their details and roles are deleted',
  'retention.subjectAccessRequestsYearsAfterClosing':
    'Years after a subject access request is closed before its record is deleted',
  'retention.auditLogYears': 'Years before the audit log is deleted',
} as const satisfies Record<RulePathOf<RetentionSettings, 'retention.'>, string>;

/** Where each default comes from (docs/subject-access.md, "Retention schedule", has the detail). */
const IRMS = 'IRMS Information Management Toolkit for Schools (irms.org.uk/page/SchoolsToolkit)';
const NO_ROW =
  'School decision; IRMS toolkit: no row found for this record (searched 7 December 2026).';
const SIX = 'Six years follows the Limitation Act 1980 (claims).';

const publicationsYearsAfterEndingDefault = (): RuleValue<number | null> =>
  dflt(
    6,
    `${NO_ROW} ${SIX} Still-published posts are kept: the school must be able to take them down.`,
  );
const pupilRecordsYearsAfterLeavingDefault = (): RuleValue<number | null> =>
  dflt(
    6,
    `School decision. ${IRMS}, pupil's educational record (held in the MIS): primary, kept while at the school then transferred; secondary, date of birth + 25 years. Lanyard's copy goes once no kept record names the pupil.`,
  );

const staffRecordsYearsAfterLeavingDefault = (): RuleValue<number | null> =>
  dflt(
    6,
    `${NO_ROW} ${SIX} Lanyard holds the staff list, not personnel files ("termination + 6 years" is often quoted; no IRMS text found).`,
  );
const subjectAccessRequestsYearsAfterClosingDefault = (): RuleValue<number | null> =>
  dflt(
    1,
    `${NO_ROW} "Last action + 1 year" is often quoted for subject access files (no IRMS text found). Open requests are kept.`,
  );

/** Lanyard's own `retention` values, each citing 'Lanyard default' with its source or none. */
export const retentionDefaults: RetentionSettings = {
  consentRecordsYearsAfterLeaving: dflt(
    6,
    `${NO_ROW} ${SIX} Consent is kept as evidence that photos were used lawfully (UK GDPR Art. 7(1)).`,
  ),
  incidentsYearsAfterClosing: dflt(
    6,
    `${NO_ROW} ${SIX} Incidents that are safeguarding concerns follow the safeguarding rule.`,
  ),
  safeguardingUntilAge: dflt(
    25,
    `${IRMS}, child protection records: date of birth of the child + 25 years, then review (p. 93, as quoted by dataprotection.education).`,
  ),
  trainingRecordsYears: dflt(6, `${NO_ROW} ${SIX}`),
  declarationsYears: dflt(6, `${NO_ROW} ${SIX} Allegations about staff are not declarations.`),
  permissionsYears: dflt(6, `${NO_ROW} ${SIX}`),
  publicationsYearsAfterEnding: publicationsYearsAfterEndingDefault(),
  pupilRecordsYearsAfterLeaving: pupilRecordsYearsAfterLeavingDefault(),
  staffRecordsYearsAfterLeaving: staffRecordsYearsAfterLeavingDefault(),
  subjectAccessRequestsYearsAfterClosing: subjectAccessRequestsYearsAfterClosingDefault(),
  auditLogYears: dflt(
    null,
    'Kept: the audit log is hash-chained and verified end to end (ARCHITECTURE, audit); it records what was deleted.',
  ),
};
