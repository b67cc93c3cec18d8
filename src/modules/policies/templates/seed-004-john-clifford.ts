/**
 * John Clifford Primary School — Social Media Policy, April 2017.
 * Seed 004: photo permissions given once at admission, per use; photo storage and retention;
 * swimming; visitors; pupils' phones. Sections are its parts A–D and the introduction.
 */
import {
  lanyardDefaults as d,
  lanyardDefaultStep,
  seedRules,
  type PolicyTemplate,
} from '../policy-settings.ts';

const { rule, step } = seedRules('004');

const INTRO = 'Introduction';
const ARCHIVE =
  'Photographs will be archived at the end of the academic year on a secure external drive and then deleted the following year unless required as evidence of achievement.';
const NETWORK = 'Photographs will be stored on the school network and not on personal equipment.';
const NAMED =
  'Where photographs are requested for use in other media, such as newspapers, or where it might be appropriate to include a name with a photograph, we would seek express written permission';
const REFER =
  'Inappropriate use by staff or the governing body should be referred to the Headteacher in the first instance and may lead to disciplinary action.';
const NO_FRIENDS =
  "Staff should not add pupils as 'friends' into their personal accounts (including past pupils under the age of 16).";
const COMMENTS =
  'The school is unable to respond to comments and queries posted on school-managed social media websites.';

export const johnCliffordTemplate: PolicyTemplate = {
  key: 'john-clifford-primary',
  name: 'John Clifford Primary — permissions at admission and photo retention',
  school: 'John Clifford Primary School',
  seedFile: '004_900ebe4bba8b35d7.txt',
  summary:
    'Parents give photo permissions once, at admission, for each use: classroom displays, the class photograph, ' +
    'school publications, local newspapers and the school website. No names with photos used outside school; a ' +
    'named newspaper photo needs express written permission. Photos stay on the school network, are archived at ' +
    'the end of the year and deleted the next unless kept as evidence of achievement. No swimming photos; ' +
    'visitors do not photograph pupils; pupils’ phones go to the office; comments on school pages are not answered.',
  settings: {
    roles: {
      safeguardingLeadTitle: d.roles.safeguardingLeadTitle,
      headteacherIsSafeguardingLead: d.roles.headteacherIsSafeguardingLead,
      approverRole: d.roles.approverRole,
      approverResponsibilities: d.roles.approverResponsibilities,
      credentialCustodianRole: d.roles.credentialCustodianRole,
      consentRecordKeeperRole: d.roles.consentRecordKeeperRole,
      consentRecordKeeperResponsibilities: d.roles.consentRecordKeeperResponsibilities,
      deviceApproverRole: d.roles.deviceApproverRole,
      deviceApproverResponsibilities: d.roles.deviceApproverResponsibilities,
      ictSignOffRole: d.roles.ictSignOffRole,
    },
    consent: {
      model: rule(
        'admission',
        INTRO,
        'When children are admitted to JC, permissions are sought regarding the visual representation of children.',
      ),
      academicYearStart: d.consent.academicYearStart,
      purposes: rule(
        [
          { key: 'classroom_display', label: 'Classroom displays', external: false },
          {
            key: 'class_photograph',
            label: 'Yearly class photograph by the school photographer',
            external: false,
          },
          {
            key: 'school_publications',
            label: 'Prospectus and school publications',
            external: true,
          },
          { key: 'local_newspapers', label: 'Local newspapers', external: true },
          { key: 'school_website', label: 'School website', external: true },
        ],
        INTRO,
        'Parents are asked to give the following permissions: for the child to be photographed for classroom displays and yearly class photograph by the school photographer',
        'The sentence goes on: school publications such as the prospectus, other publications such as local newspapers, and the school website. The school’s social media pages are not among them.',
      ),
      mediaTypes: rule(
        ['image', 'video'],
        'D',
        'may be recorded by video and photographed by staff and parent/carers',
      ),
      separateConsentPerMediaType: rule(
        false,
        INTRO,
        'permissions are sought regarding the visual representation of children.',
        'One permission per use covers photos and video alike.',
      ),
      competentPupilMayConsent: rule(
        false,
        INTRO,
        'Parents are asked to give the following permissions',
      ),
      withdrawalMustBeInWriting: d.consent.withdrawalMustBeInWriting,
      withdrawalRetroactive: d.consent.withdrawalRetroactive,
      takedownWherePracticable: d.consent.takedownWherePracticable,
      namedPhotoNeedsWrittenPermission: rule(true, 'D', NAMED),
      renewalReminderDays: d.consent.renewalReminderDays,
      refusalWinsWhenParentsDisagree: d.consent.refusalWinsWhenParentsDisagree,
    },
    publishing: {
      personalAccountsMayPostPupilImages: d.publishing.personalAccountsMayPostPupilImages,
      designatedPublicityPersonOnly: d.publishing.designatedPublicityPersonOnly,
      approvalRequired: d.publishing.approvalRequired,
      namesWithImages: rule(
        'no_names_external',
        'D',
        'Where photographs are used outside the school, such as on the JC website or in school publications, no names will be given of individual children.',
      ),
      personalDetailsForbidden: d.publishing.personalDetailsForbidden,
      reminderPostsNeedPermission: d.publishing.reminderPostsNeedPermission,
      positiveToneCheck: rule(
        true,
        'B',
        'Staff must not post negative comments about the school, pupils, parents or colleagues including members of the Governing Body.',
      ),
      groupImagesWithGeneralLabels: d.publishing.groupImagesWithGeneralLabels,
      blurFaces: d.publishing.blurFaces,
      overridableChecks: d.publishing.overridableChecks,
      commentsNotMonitoredNotice: rule({ show: true, text: COMMENTS }, 'C', COMMENTS),
      toneFlaggedWords: d.publishing.toneFlaggedWords,
      toneNegativeScoreLimit: d.publishing.toneNegativeScoreLimit,
      pendingExpiryDays: d.publishing.pendingExpiryDays,
      deleteOnTakedown: d.publishing.deleteOnTakedown,
      takedownDueDays: d.publishing.takedownDueDays,
      republishBlurredOnWithdrawal: d.publishing.republishBlurredOnWithdrawal,
      draftingRoles: d.publishing.draftingRoles,
    },
    media: {
      schoolDevicesOnly: rule(
        true,
        'D',
        NETWORK,
        'Photos are not kept on personal equipment, so staff take them on school devices.',
      ),
      swimwearBan: rule(
        true,
        'D',
        'of children when wearing swimming costumes or taking part in swimming lessons.',
        'Photographs will not be taken of children when wearing swimming costumes or taking part in swimming lessons.',
      ),
      retention: {
        archiveAtYearEnd: rule(
          true,
          'D',
          'Photographs will be archived at the end of the academic year on a secure external drive',
        ),
        deleteAfterYears: rule(1, 'D', ARCHIVE),
        keepEvidenceOfAchievement: rule(
          true,
          'D',
          'and then deleted the following year unless required as evidence of achievement.',
        ),
      },
      visitorsMayPhotograph: rule(
        'parents_at_events',
        'D',
        'We do not permit visitors to take photographs of children, other than parents and carers at organised school events.',
      ),
      storeOnSchoolNetworkOnly: rule(true, 'D', NETWORK),
      recordingInFullView: rule(true, 'D', 'but always in full view of all attending.'),
    },
    incidents: {
      reportTo: rule(['headteacher'], 'B', REFER),
      reportToResponsibilities: d.incidents.reportToResponsibilities,
      categoriesGrid: d.incidents.categoriesGrid,
      indecentImagesPoliceOnly: d.incidents.indecentImagesPoliceOnly,
      victimDecidesPolice: d.incidents.victimDecidesPolice,
      keepEvidence: d.incidents.keepEvidence,
      significantTypes: d.incidents.significantTypes,
      playbooks: {
        parent_defamation: rule(
          [
            lanyardDefaultStep(
              'record_evidence',
              'Keep screenshots of the posts, with time, date and place',
              'As 000 and 003 §8.4.',
            ),
            step(
              'redirect_to_complaints',
              'Invite the parent to raise it with staff under the Complaints Policy',
              'C',
              'Parents should make enquiries or complaints through discussion directly with school staff as outlined in our Complaints Policy',
            ),
            lanyardDefaultStep(
              'request_removal',
              'Ask the parent to remove the comments',
              'As 001.',
            ),
            lanyardDefaultStep(
              'report_to_platform',
              'Report the content to the platform',
              'As 001.',
            ),
            lanyardDefaultStep(
              'legal_advice_or_police',
              'Take legal advice; contact the police if a crime may have been committed',
              'As 001.',
            ),
          ],
          'C',
          'Parents should not post libellous or fictitious comments on social networking sites about any member of the school community.',
        ),
        staff_cyberbullying: d.incidents.playbooks.staff_cyberbullying,
        pupil_on_pupil: d.incidents.playbooks.pupil_on_pupil,
        staff_breach: rule(
          [
            step('refer_to_headteacher', 'Refer it to the Headteacher', 'B', REFER),
            step(
              'disciplinary_procedure',
              'Consider disciplinary action',
              'B',
              'in the first instance and may lead to disciplinary action.',
            ),
          ],
          'B',
          REFER,
        ),
        inappropriate_content: d.incidents.playbooks.inappropriate_content,
        filter_circumvention: d.incidents.playbooks.filter_circumvention,
        radicalisation: d.incidents.playbooks.radicalisation,
        friend_request: rule(
          [
            step(
              'decline',
              'Do not add pupils (or past pupils under 16) as friends',
              'B',
              NO_FRIENDS,
            ),
            lanyardDefaultStep(
              'report_to_headteacher',
              'Report the request to the Headteacher',
              'So that a pattern of requests is noticed.',
            ),
          ],
          'B',
          NO_FRIENDS,
        ),
        consent_breach: d.incidents.playbooks.consent_breach,
      },
    },
    conduct: {
      staffMayFriendPupils: rule(false, 'B', NO_FRIENDS),
      exPupilsTreatedAsPupils: rule('under_16', 'B', '(including past pupils under the age of 16)'),
      staffMayFriendParents: rule(
        'discouraged',
        'B',
        "Staff are strongly advised not to add parents as 'friends' into their personal accounts.",
      ),
      friendRequestsMustBeDeclared: d.conduct.friendRequestsMustBeDeclared,
      socialContactMustBeDeclared: d.conduct.socialContactMustBeDeclared,
      newStarterOnlinePresenceCheck: d.conduct.newStarterOnlinePresenceCheck,
      regularOnlinePresenceCheck: d.conduct.regularOnlinePresenceCheck,
      parentsMayPostOtherPupilsImages: rule(
        false,
        'C',
        'Parents should not post pictures of pupils, other than their own children, on social networking sites where these photographs have been taken at school or at a school event.',
      ),
      staffSocialMediaDuringLessons: rule(
        false,
        'B',
        'Staff should not use social media sites during lesson times.',
      ),
      pupilPhones: rule(
        'handed_in_at_office',
        'D',
        'If children bring a phone to school they must take it to the School Office where it will be kept safely until the end of the school day.',
      ),
      permissionTypes: {
        logo_use: d.conduct.permissionTypes.logo_use,
        school_device_social_media: d.conduct.permissionTypes.school_device_social_media,
        school_network_social_media: d.conduct.permissionTypes.school_network_social_media,
        phone_accessible: d.conduct.permissionTypes.phone_accessible,
        reminder_post: d.conduct.permissionTypes.reminder_post,
        named_newspaper_photo: rule(
          { enabled: true, grantedBy: 'parent', ictSignOff: false, expiresAfterDays: 90 },
          'D',
          NAMED,
          'Granted by the parents, in writing, for one request; Lanyard lets it lapse after 90 days.',
        ),
      },
      declarationReviewerRole: d.conduct.declarationReviewerRole,
      filteringCheckEveryDays: d.conduct.filteringCheckEveryDays,
      filteringReviewEveryDays: d.conduct.filteringReviewEveryDays,
      selfRequestDeciders: d.conduct.selfRequestDeciders,
    },
    training: {
      sessions: {
        staff_induction: d.training.sessions.staff_induction,
        staff_regular: d.training.sessions.staff_regular,
        at_risk_identification: d.training.sessions.at_risk_identification,
        pupils_esafety: rule(
          { required: true, frequency: 'termly' },
          'A',
          'Children receive regular e-safety education in lessons and assembly times',
          '“Regular” is taken as termly.',
        ),
        parents_esafety: rule(
          { required: true, frequency: 'annual' },
          'C',
          'e-safety assemblies and events that the parents will be invited to',
          'How often is Lanyard’s: yearly.',
        ),
      },
      refreshAfterIncidentOrChange: d.training.refreshAfterIncidentOrChange,
      inductionNeedsAcknowledgement: d.training.inductionNeedsAcknowledgement,
      parentsAcknowledgeGuidance: d.training.parentsAcknowledgeGuidance,
      overdueReminderRole: d.training.overdueReminderRole,
      newStarterDays: d.training.newStarterDays,
      dueSoonDays: d.training.dueSoonDays,
      dueAgainDays: d.training.dueAgainDays,
      acknowledgeWithinDays: d.training.acknowledgeWithinDays,
    },
    review: {
      cycleMonths: rule(
        12,
        'Front page',
        'Date of review April 2017',
        'The policy records a review date but no cycle; annual, as in the other four seeds.',
      ),
      reviewers: d.review.reviewers,
      reminderDaysBefore: d.review.reminderDaysBefore,
      reviewAfterIncidents: d.review.reviewAfterIncidents,
      governorsMonitoringReport: d.review.governorsMonitoringReport,
      reviewerResponsibilities: d.review.reviewerResponsibilities,
    },
  },
};
