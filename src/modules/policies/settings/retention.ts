/**
 * Policy settings, section `retention`: how long each kind of record is kept (issue 16 item 6).
 *
 * Values are whole years, or null for "never deleted by Lanyard". Each rule says from when the
 * years count. Lanyard's defaults follow the IRMS Information Management Toolkit for Schools
 * (its retention guidelines; the source is named in each citation's note); no seed policy has a
 * retention rule except 004 part D on photographs, which is `media.retention` (the media
 * module's sweep, which the retention sweep runs first). The rules here (paths `retention.…`):
 * consentRecordsYearsAfterLeaving, incidentsYearsAfterClosing, safeguardingUntilAge,
 * trainingRecordsYears, declarationsYears, permissionsYears, auditLogYears (fixed: never).
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf } from './rules.ts';

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
  'retention.auditLogYears': 'Years before the audit log is deleted',
} as const satisfies Record<RulePathOf<RetentionSettings, 'retention.'>, string>;

const IRMS = 'IRMS Information Management Toolkit for Schools, retention guidelines';

/** Lanyard's own `retention` values, each citing 'Lanyard default' with its IRMS source. */
export const retentionDefaults: RetentionSettings = {
  consentRecordsYearsAfterLeaving: dflt(
    6,
    `${IRMS} (pupil records; consent kept as evidence of lawful processing): the pupil's time at the school + 6 years (Limitation Act 1980).`,
  ),
  incidentsYearsAfterClosing: dflt(
    6,
    `${IRMS} (pupil management: behaviour and incident records): closure + 6 years.`,
  ),
  safeguardingUntilAge: dflt(
    25,
    `${IRMS} (child protection records): date of birth of the pupil + 25 years.`,
  ),
  trainingRecordsYears: dflt(
    6,
    `${IRMS} (staff training records and parents' events): current year + 6 years.`,
  ),
  declarationsYears: dflt(
    6,
    `${IRMS} (staff conduct records, not allegations): current year + 6 years.`,
  ),
  permissionsYears: dflt(6, `${IRMS} (authorisations and permissions): current year + 6 years.`),
  auditLogYears: dflt(
    null,
    'Kept: the audit log is hash-chained and verified end to end (ARCHITECTURE, audit); it records what was deleted.',
  ),
};
