/**
 * The Avenue Primary School — Social Media Policy, November 2021.
 * Seed 001: parents' misuse of social media and the school's escalation procedure; a staff code
 * of conduct with a designated person for publicity images. Sections below are its headings.
 */
import {
  lanyardDefaults as d,
  lanyardDefaultStep,
  seedRules,
  type PolicyTemplate,
} from '../policy-settings.ts';

const { rule, step } = seedRules('001');

const PROCEDURE = 'Procedure the school will follow if inappropriate use continues';
const CODE = 'Code of Conduct for Social Networking';
const BREACHES = 'Potential and Actual Breaches of the Code of Conduct';

const DESIGNATED =
  'The posting of any images of employees, children or anyone directly connected with the school whilst engaged in school activities except by a designated person for agreed publicity use.';
const NO_FRIENDS =
  'must not accept or initiate Facebook or any other social networking friend requests from pupils and ex-pupils enrolled at The Avenue.';

export const avenueTemplate: PolicyTemplate = {
  key: 'the-avenue-primary',
  name: 'The Avenue Primary — parents’ use and escalation',
  school: 'The Avenue Primary School',
  seedFile: '001_92cf54e43eaf4903.txt',
  summary:
    'Parents raise concerns through the school, not online; defamatory posts escalate from a report to the ' +
    'platform and a request for removal, through a meeting with the Headteacher and a warning letter, to legal ' +
    'advice or the police, blocking on the school forum and contacting the host. Only a designated person posts ' +
    'images for agreed publicity; staff never friend pupils or ex-pupils; parents sign the AUP agreement.',
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
      model: d.consent.model,
      academicYearStart: d.consent.academicYearStart,
      purposes: d.consent.purposes,
      mediaTypes: d.consent.mediaTypes,
      separateConsentPerMediaType: d.consent.separateConsentPerMediaType,
      competentPupilMayConsent: d.consent.competentPupilMayConsent,
      withdrawalMustBeInWriting: d.consent.withdrawalMustBeInWriting,
      withdrawalRetroactive: d.consent.withdrawalRetroactive,
      takedownWherePracticable: d.consent.takedownWherePracticable,
      namedPhotoNeedsWrittenPermission: d.consent.namedPhotoNeedsWrittenPermission,
      renewalReminderDays: d.consent.renewalReminderDays,
      refusalWinsWhenParentsDisagree: d.consent.refusalWinsWhenParentsDisagree,
    },
    publishing: {
      personalAccountsMayPostPupilImages: rule(false, CODE, DESIGNATED),
      designatedPublicityPersonOnly: rule(
        true,
        CODE,
        'except by a designated person for agreed publicity use.',
        'Only staff designated for publicity may draft posts with images.',
      ),
      approvalRequired: d.publishing.approvalRequired,
      namesWithImages: d.publishing.namesWithImages,
      personalDetailsForbidden: d.publishing.personalDetailsForbidden,
      reminderPostsNeedPermission: d.publishing.reminderPostsNeedPermission,
      positiveToneCheck: rule(
        true,
        CODE,
        'Do not make any derogatory, defamatory, rude, threatening or inappropriate comments about the school, or anyone at or connected with the school.',
      ),
      groupImagesWithGeneralLabels: d.publishing.groupImagesWithGeneralLabels,
      blurFaces: d.publishing.blurFaces,
      overridableChecks: d.publishing.overridableChecks,
      commentsNotMonitoredNotice: d.publishing.commentsNotMonitoredNotice,
      toneFlaggedWords: d.publishing.toneFlaggedWords,
      toneNegativeScoreLimit: d.publishing.toneNegativeScoreLimit,
      pendingExpiryDays: d.publishing.pendingExpiryDays,
      deleteOnTakedown: d.publishing.deleteOnTakedown,
      takedownDueDays: d.publishing.takedownDueDays,
      republishBlurredOnWithdrawal: d.publishing.republishBlurredOnWithdrawal,
      draftingRoles: d.publishing.draftingRoles,
    },
    media: {
      schoolDevicesOnly: d.media.schoolDevicesOnly,
      swimwearBan: d.media.swimwearBan,
      retention: {
        archiveAtYearEnd: d.media.retention.archiveAtYearEnd,
        deleteAfterYears: d.media.retention.deleteAfterYears,
        keepEvidenceOfAchievement: d.media.retention.keepEvidenceOfAchievement,
      },
      visitorsMayPhotograph: d.media.visitorsMayPhotograph,
      storeOnSchoolNetworkOnly: d.media.storeOnSchoolNetworkOnly,
      recordingInFullView: d.media.recordingInFullView,
    },
    incidents: {
      reportTo: d.incidents.reportTo,
      reportToResponsibilities: d.incidents.reportToResponsibilities,
      categoriesGrid: d.incidents.categoriesGrid,
      indecentImagesPoliceOnly: d.incidents.indecentImagesPoliceOnly,
      victimDecidesPolice: rule(
        false,
        PROCEDURE,
        'Contact the Police where the school feels it appropriate',
        'The school decides.',
      ),
      keepEvidence: d.incidents.keepEvidence,
      significantTypes: d.incidents.significantTypes,
      playbooks: {
        parent_defamation: rule(
          [
            step(
              'report_to_platform',
              'Report the comments to the site’s ‘report abuse’ section',
              PROCEDURE,
              "they will be reported to the appropriate 'report abuse' section of the network site.",
            ),
            step(
              'request_removal',
              'Expect the parent to remove the comments immediately',
              PROCEDURE,
              'The school will also expect that any parent/carer removes such comments immediately',
            ),
            step(
              'headteacher_meeting',
              'Meeting with the Headteacher about the breach of the AUP agreement',
              PROCEDURE,
              'will be asked to attend a meeting with the Headteacher to discuss the breaking of the AUP agreement',
            ),
            step(
              'written_warning',
              'Set out the school’s concerns in writing: a warning, asking for the material to be removed',
              PROCEDURE,
              "If required set out the school's concerns to you in writing, giving you a warning and requesting that the material in question is removed",
            ),
            step(
              'legal_advice',
              'Take legal advice, and legal action if the post is defamatory',
              PROCEDURE,
              'Take legal advice and/or legal action where the information posted is defamatory in any way or if the circumstances warrant this',
            ),
            step(
              'contact_police',
              'Contact the police (harassment, racial, grossly obscene or threatening violence)',
              PROCEDURE,
              'Contact the Police where the school feels it appropriate',
            ),
            step(
              'block_on_school_forum',
              'Block or restrict the parent on the school’s own forum',
              PROCEDURE,
              "the school may take action to block or restrict that individual's access to that website or forum",
            ),
            step(
              'contact_host',
              'Complain to the host or provider of the site and ask for removal',
              PROCEDURE,
              'Contact the host/provider of the Social Networking site to complain about the content of the site and ask for removal of the information',
            ),
          ],
          PROCEDURE,
          'is found to be posting libellous or defamatory comments on Facebook or other social network sites',
        ),
        staff_cyberbullying: d.incidents.playbooks.staff_cyberbullying,
        pupil_on_pupil: d.incidents.playbooks.pupil_on_pupil,
        staff_breach: rule(
          [
            step(
              'investigate',
              'Investigate the breach fully',
              BREACHES,
              'Any breaches of this policy will be fully investigated.',
            ),
            step(
              'disciplinary_procedure',
              'Treat a proven breach as a serious disciplinary offence',
              BREACHES,
              'A breach of this policy will be considered to be a serious disciplinary offence',
            ),
          ],
          BREACHES,
          'Any breaches of this policy will be fully investigated.',
        ),
        inappropriate_content: d.incidents.playbooks.inappropriate_content,
        filter_circumvention: d.incidents.playbooks.filter_circumvention,
        radicalisation: d.incidents.playbooks.radicalisation,
        friend_request: rule(
          [
            step('decline', 'Do not accept (pupils and ex-pupils)', 'Key Principles', NO_FRIENDS),
            lanyardDefaultStep(
              'report_to_headteacher',
              'Report the request to the Headteacher',
              'So that a pattern of requests is noticed.',
            ),
          ],
          'Key Principles',
          NO_FRIENDS,
        ),
        consent_breach: d.incidents.playbooks.consent_breach,
      },
    },
    conduct: {
      staffMayFriendPupils: rule(false, 'Key Principles', NO_FRIENDS),
      exPupilsTreatedAsPupils: rule(
        'all',
        'Key Principles',
        'must not communicate with pupils and ex-pupils via social networking',
      ),
      staffMayFriendParents: rule(
        'discouraged',
        CODE,
        'It is strongly recommended that Facebook friend requests not be initiated to or accepted from parents.',
      ),
      friendRequestsMustBeDeclared: d.conduct.friendRequestsMustBeDeclared,
      socialContactMustBeDeclared: d.conduct.socialContactMustBeDeclared,
      newStarterOnlinePresenceCheck: d.conduct.newStarterOnlinePresenceCheck,
      regularOnlinePresenceCheck: d.conduct.regularOnlinePresenceCheck,
      parentsMayPostOtherPupilsImages: d.conduct.parentsMayPostOtherPupilsImages,
      staffSocialMediaDuringLessons: d.conduct.staffSocialMediaDuringLessons,
      pupilPhones: d.conduct.pupilPhones,
      permissionTypes: {
        logo_use: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
          CODE,
          "The use of the school's name, logo, or any other published material without written prior permission from the Headteacher.",
        ),
        school_device_social_media: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
          'Key Principles',
          'Accessing social networking sites at work using school equipment is not permitted unless it is being used by designated staff school publicity or promotion.',
          'Lanyard records the designation for publicity as a permission from the Headteacher.',
        ),
        school_network_social_media: d.conduct.permissionTypes.school_network_social_media,
        phone_accessible: d.conduct.permissionTypes.phone_accessible,
        reminder_post: d.conduct.permissionTypes.reminder_post,
        named_newspaper_photo: d.conduct.permissionTypes.named_newspaper_photo,
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
        pupils_esafety: d.training.sessions.pupils_esafety,
        parents_esafety: d.training.sessions.parents_esafety,
      },
      refreshAfterIncidentOrChange: d.training.refreshAfterIncidentOrChange,
      inductionNeedsAcknowledgement: d.training.inductionNeedsAcknowledgement,
      parentsAcknowledgeGuidance: rule(
        true,
        PROCEDURE,
        'to discuss the breaking of the AUP agreement',
        'Parents are held to an Acceptable Use agreement, so Lanyard asks them to acknowledge it.',
      ),
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
        'Review date November 2022',
        'Dated November 2021 with the review due November 2022: a 12-month cycle.',
      ),
      reviewers: d.review.reviewers,
      reminderDaysBefore: d.review.reminderDaysBefore,
      reviewAfterIncidents: d.review.reviewAfterIncidents,
      governorsMonitoringReport: d.review.governorsMonitoringReport,
      reviewerResponsibilities: d.review.reviewerResponsibilities,
    },
  },
};
