/**
 * What a retention run says, in words (subject-access.retention.ts; docs/subject-access.md): the
 * record types it reports, and why a person the schedule would delete is kept (the records that
 * still name them, by table or by the module that asked).
 */
/** The record types a run reports, in words. */
export const recordTypeLabels: Record<string, string> = {
  media: 'Photos and videos (with their published copies)',
  consentRecords: 'Consent records (with their scans)',
  incidents: 'Incidents (not safeguarding)',
  safeguardingIncidents: 'Safeguarding incidents',
  evidenceFiles: 'Incident evidence files',
  declarations: 'Staff declarations',
  permissions: 'Permission requests',
  trainingAttendance: 'Training attendance',
  trainingBookings: 'Parents’ training bookings',
  publications: 'Publications (with the files that went out)',
  publicationFiles: 'Files of publications',
  pupils: 'Pupils who left (their details and family links)',
  parents: 'Parents with no child left at the school',
  parentAcknowledgements: 'Their acknowledgements of the parents’ guidance',
  staff: 'Former staff (their details, roles and classes)',
  staffAcknowledgements: 'Their acknowledgements of the staff policy',
  subjectAccessRequests: 'Closed subject access requests',
};

/** Why a person the schedule would delete is kept: the records that still name them. */
export const heldByReasons: Record<string, string> = {
  incident_people:
    'Named in an incident that is kept: a safeguarding concern until every pupil in it is 25, or an incident not yet due.',
  pupil_publication_restrictions:
    'A never-publish record names them: it is a safeguarding note and is kept.',
  consent_records: 'Their consent records are kept until the schedule deletes them.',
  consent_requests: 'Consent requests sent to them are kept with the consent records.',
  media_pupil_tags: 'Tagged in photos the school still keeps.',
  media_faces: 'Tagged in photos the school still keeps.',
  publication_pupils: 'Shown in a publication that is kept (still published, or not yet due).',
  takedown_tasks: 'A takedown for them is kept with its publication.',
  conduct_declarations: 'Named in a staff declaration that is not yet due.',
  conduct_permissions: 'Named in a permission request that is not yet due.',
  subject_access_requests: 'A subject access request about them is kept.',
  training_attendance:
    'Their training attendance or bookings are kept until the schedule deletes them.',
};
export const heldByOther = 'Still named in other records Lanyard keeps.';

/** Why a former member of staff is kept: the records that still name them (by table). */
export const staffHeldByReasons: Record<string, string> = {
  incident_people:
    'Named in an incident that is kept (a safeguarding concern, or one not yet due).',
  incident_entries: 'Recorded steps in an incident that is kept.',
  incident_letters: 'Wrote a letter about an incident that is kept.',
  incident_letter_template_versions: 'Edited the school’s incident letters, whose history is kept.',
  incident_guidance_versions: 'Edited the school’s incident guidance, whose history is kept.',
  conduct_declarations: 'Made or reviewed a staff declaration that is not yet due.',
  conduct_permissions: 'Asked for or decided a permission that is not yet due.',
  conduct_permission_decisions: 'Asked for or decided a permission that is not yet due.',
  pupil_competence_assessments:
    'Assessed a pupil’s competence to consent: kept with the consent records.',
  pupil_publication_restrictions:
    'Set a never-publish record: it is a safeguarding note and is kept.',
  posts: 'Wrote or decided a post the school keeps.',
  post_checks: 'Overrode a check on a post the school keeps.',
  publications: 'Approved or published a publication that is kept.',
  takedown_tasks: 'Took down a publication that is kept.',
  media_items: 'Uploaded or released photos the school still keeps.',
  media_pupil_tags: 'Tagged photos the school still keeps.',
  media_renditions: 'Prepared copies of photos the school still keeps.',
  channel_accounts: 'Named on a school social media account (custodian or credentials).',
  channel_account_posters: 'Named on a school social media account’s list of posters.',
  credential_handovers: 'Named in a handover of a school account’s credentials.',
  capture_devices: 'Registered or decided on a school camera or device still on record.',
  filtering_checks: 'Recorded a filtering and monitoring check the school keeps.',
  filtering_exceptions: 'Recorded a filtering exception the school keeps.',
  filtering_provisions: 'Recorded the school’s filtering provision.',
  responsibility_holders: 'Held or gave a responsibility under the policy: that record is kept.',
  subject_access_requests: 'Logged or closed a subject access request that is kept.',
  retention_runs: 'Carried out an erasure: the record of it is kept.',
  training_attendance:
    'Their training attendance is kept until the schedule deletes it (6 years after the session by default).',
  consent_records: 'Recorded consent decisions that are kept: the record says who took them down.',
  policy_reviews: 'Recorded or approved a review of the policy: the school’s record of it is kept.',
  // Kept records that name them with no foreign key (asked through each module's index).
  incident_reports: 'Reported an incident that is kept: the case says who reported it.',
  incident_assignments: 'Was assigned to an incident that is kept, or named a deputy on it.',
  incident_evidence: 'Uploaded evidence to an incident that is kept.',
  training_attendance_recorders:
    'Recorded training attendance that is kept until the schedule deletes it.',
  policy_acknowledgements:
    'Recorded someone else’s acknowledgement of the policy, kept while that person’s record is.',
};
