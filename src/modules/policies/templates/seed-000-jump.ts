/**
 * Jump Primary School (Barnsley) — Social Networking Policy, June 2018.
 * Seed 000: the staff code of conduct, phones and cameras, indecent images to the police,
 * cyberbullying evidence and Prevent. The policy has headings, not numbered clauses; sections
 * below are its headings.
 */
import {
  lanyardDefaults as d,
  lanyardDefault,
  lanyardDefaultStep,
  seedRules,
  type PolicyTemplate,
} from '../policy-settings.ts';

const { rule, step } = seedRules('000');

const STAFF = 'The role of Staff, Governors and Volunteers when Social Networking';
const PHONES = 'Mobile Phones/Camera/iPad Usage';
const PARENTS = 'The Role of Parents When Social Networking';
const BREACHES = 'Potential and Actual Breaches';
const IMAGES = 'Access to Inappropriate Images and Internet Usage';

const CONSENT =
  'Photographs or images of any children within our care may only be taken following parental consent';
const WITHIN_SETTING =
  'These images should remain within this setting or be shared only with the parents of the child concerned.';
const REPORT_CYBERBULLYING =
  'Staff are encouraged to report all incidents of cyberbullying to the E-Safety Co-ordinator or the Headteacher.';
const VICTIM_DECIDES =
  'It is for the individual who is being bullied to decide whether they wish to report the actions to the police.';
const KEEP_RECORDS =
  'employees should keep records of the abuse, text, e-mails, website or instant message and should not delete texts or e-mails.';
const SCREEN_PRINTS =
  'Employees are advised to take screen prints of messages or web pages and be careful to record the time, date and place of the site.';
const NEVER_FRIEND = "Never 'friend' a pupil at the school on their social networking site.";
const DECLARE_CONTACT =
  'Staff have a responsibility to make any such contact known to the senior leadership team.';
const LOGO =
  "The use of the school's name, logo, or any other published material without written prior permission from the Headteacher.";

export const jumpTemplate: PolicyTemplate = {
  key: 'jump-primary',
  name: 'Jump Primary (Barnsley) — staff code of conduct',
  school: 'Jump Primary School, Barnsley',
  seedFile: '000_2b37c4910724014e.txt',
  summary:
    'A staff code of conduct: no images of pupils on personal accounts, photos only with parental consent on ' +
    'school cameras and iPads and kept within the school or shared with the child’s own parents; incidents to ' +
    'the E-Safety Co-ordinator or DSL; indecent images straight to the police; the person cyberbullied decides ' +
    'about the police; social contact with families declared; reviewed annually.',
  settings: {
    roles: {
      safeguardingLeadTitle: rule(
        'E-Safety Co-ordinator',
        'Overview and Expectations',
        'They should report and record any incident with this potential to the E-Safety co-ordinator or the Designated Safeguarding Lead.',
        'The policy names both; the E-Safety Co-ordinator is the first contact for online incidents.',
      ),
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
      model: lanyardDefault(
        'annual',
        '000 requires parental consent for every photo but does not say how often it is asked; renewed yearly.',
      ),
      academicYearStart: d.consent.academicYearStart,
      purposes: rule(
        [
          {
            key: 'within_school',
            label: 'Use within the school (displays, learning records)',
            external: false,
          },
          {
            key: 'share_with_parents',
            label: 'Sharing with the child’s own parents',
            external: true,
          },
        ],
        PHONES,
        WITHIN_SETTING,
        'No public use (website, social media, press) is described; add those purposes only if the school adopts them.',
      ),
      mediaTypes: d.consent.mediaTypes,
      separateConsentPerMediaType: d.consent.separateConsentPerMediaType,
      competentPupilMayConsent: rule(false, PHONES, CONSENT, 'Consent is the parents’.'),
      withdrawalMustBeInWriting: d.consent.withdrawalMustBeInWriting,
      withdrawalRetroactive: d.consent.withdrawalRetroactive,
      takedownWherePracticable: d.consent.takedownWherePracticable,
      namedPhotoNeedsWrittenPermission: d.consent.namedPhotoNeedsWrittenPermission,
      renewalReminderDays: d.consent.renewalReminderDays,
      refusalWinsWhenParentsDisagree: d.consent.refusalWinsWhenParentsDisagree,
    },
    publishing: {
      personalAccountsMayPostPupilImages: rule(
        false,
        STAFF,
        'The posting of any images of employees, children, governors or anyone directly connected with the school.',
        'Listed among the things “not considered acceptable”.',
      ),
      designatedPublicityPersonOnly: d.publishing.designatedPublicityPersonOnly,
      approvalRequired: d.publishing.approvalRequired,
      namesWithImages: d.publishing.namesWithImages,
      personalDetailsForbidden: d.publishing.personalDetailsForbidden,
      reminderPostsNeedPermission: d.publishing.reminderPostsNeedPermission,
      positiveToneCheck: rule(
        true,
        STAFF,
        'Do not make any derogatory, defamatory, rude, threatening or inappropriate comments about the school, or anyone at or connected with the school.',
      ),
      groupImagesWithGeneralLabels: d.publishing.groupImagesWithGeneralLabels,
      blurFaces: d.publishing.blurFaces,
      overridableChecks: d.publishing.overridableChecks,
      commentsNotMonitoredNotice: d.publishing.commentsNotMonitoredNotice,
      toneFlaggedWords: rule(
        d.publishing.toneFlaggedWords.value,
        STAFF,
        'Do not make any derogatory, defamatory, rude, threatening or inappropriate comments about the school, or anyone at or connected with the school.',
        'The words themselves are Lanyard’s starting list; the school edits it.',
      ),
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
        PHONES,
        'Personal mobiles, cameras or video recorders cannot be used to record classroom activities. ONLY school property can be used for this.',
      ),
      swimwearBan: d.media.swimwearBan,
      retention: {
        archiveAtYearEnd: d.media.retention.archiveAtYearEnd,
        deleteAfterYears: d.media.retention.deleteAfterYears,
        keepEvidenceOfAchievement: d.media.retention.keepEvidenceOfAchievement,
      },
      visitorsMayPhotograph: d.media.visitorsMayPhotograph,
      storeOnSchoolNetworkOnly: rule(
        true,
        PHONES,
        'School photographs and recordings can only be transferred to a school computer.',
      ),
      recordingInFullView: d.media.recordingInFullView,
    },
    incidents: {
      reportTo: rule(
        ['dsl', 'headteacher'],
        'Cyberbullying',
        REPORT_CYBERBULLYING,
        'The safeguarding lead role carries the title “E-Safety Co-ordinator” here.',
      ),
      reportToResponsibilities: rule(
        ['esafety_coordinator'],
        'Cyberbullying',
        REPORT_CYBERBULLYING,
        'The E-Safety Co-ordinator (a responsibility the Headteacher gives to a member of staff) is told of reports and deals with them; safeguarding concerns stay with the safeguarding lead.',
      ),
      categoriesGrid: d.incidents.categoriesGrid,
      indecentImagesPoliceOnly: rule(
        true,
        IMAGES,
        'Where indecent images of children are found by staff, the police should be immediately informed.',
      ),
      victimDecidesPolice: rule(true, 'Cyberbullying', VICTIM_DECIDES),
      keepEvidence: rule(true, 'Cyberbullying', KEEP_RECORDS),
      significantTypes: d.incidents.significantTypes,
      playbooks: {
        parent_defamation: rule(
          [
            lanyardDefaultStep(
              'record_evidence',
              'Keep screenshots of the posts, with time, date and place',
              'As for cyberbullying evidence in this policy.',
            ),
            step(
              'redirect_to_complaints',
              'Ask the parent to use the school’s complaints procedure instead',
              PARENTS,
              'Parents should make complaints through official school channels rather than posting them on social networking sites.',
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
            step(
              'governing_body_action',
              'The governing body decides what action protects the school and its staff',
              BREACHES,
              "The Governing Body will take appropriate action in order to protect the school's reputation",
            ),
          ],
          PARENTS,
          'Parents should not post malicious or fictitious comments on social networking sites about any member of the school community.',
        ),
        staff_cyberbullying: rule(
          [
            step(
              'keep_evidence',
              'Keep the messages; do not delete them',
              'Cyberbullying',
              KEEP_RECORDS,
            ),
            step(
              'screen_prints',
              'Take screen prints, recording time, date and place',
              'Cyberbullying',
              SCREEN_PRINTS,
            ),
            step(
              'report',
              'Report to the E-Safety Co-ordinator or the Headteacher',
              'Cyberbullying',
              REPORT_CYBERBULLYING,
            ),
            step(
              'record_wishes',
              'Record the wishes of the person who reported it',
              'Cyberbullying',
              'All such incidents will be taken seriously and will be dealt with in consideration of the wishes of the person who has reported the',
            ),
            step(
              'police_if_victim_wishes',
              'The person bullied decides whether to report it to the police',
              'Cyberbullying',
              VICTIM_DECIDES,
            ),
          ],
          'Cyberbullying',
          REPORT_CYBERBULLYING,
        ),
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
              'Take action under the Disciplinary Procedure',
              BREACHES,
              'Where it is found that there has been a breach of the policy this may result in action being taken under the Disciplinary Procedure.',
            ),
          ],
          BREACHES,
          'A breach of this policy will be considered to be a serious disciplinary offence',
        ),
        inappropriate_content: rule(
          [
            step(
              'do_not_investigate',
              'Do not investigate or evaluate the material yourself',
              IMAGES,
              'The school should not attempt to investigate or evaluate the material themselves until such advice is received.',
            ),
            step(
              'inform_local_authority',
              'Inform the local authority (Barnsley Council) and seek advice',
              IMAGES,
              'Where other unsuitable material is found, which may not be illegal but which raises concerns about that member of staff, Barnsley Council should be informed and advice sought.',
            ),
          ],
          IMAGES,
          'Where other unsuitable material is found, which may not be illegal but which raises concerns about that member of staff, Barnsley Council should be informed and advice sought.',
        ),
        filter_circumvention: d.incidents.playbooks.filter_circumvention,
        radicalisation: rule(
          [
            lanyardDefaultStep(
              'report_to_dsl',
              'Report to the safeguarding lead the same day',
              'The Prevent duty is a safeguarding duty.',
            ),
            step(
              'block_site',
              'Block the material through the internet filter',
              'PREVENT',
              "by using filters on the internet to make sure they can't access extremist and terrorist material",
            ),
            lanyardDefaultStep(
              'consider_prevent_referral',
              'Consider a referral to Prevent (Channel)',
              'Prevent duty guidance.',
            ),
          ],
          'PREVENT',
          'From July 2015 all schools (as well as other organisations) have a duty to safeguard children from radicalisation and extremism.',
        ),
        friend_request: rule(
          [
            step('decline', 'Do not accept the request', STAFF, NEVER_FRIEND),
            step(
              'declare_to_slt',
              'Tell the senior leadership team about the contact',
              'Protection of Personal Information',
              DECLARE_CONTACT,
            ),
          ],
          STAFF,
          NEVER_FRIEND,
        ),
        consent_breach: d.incidents.playbooks.consent_breach,
      },
    },
    conduct: {
      staffMayFriendPupils: rule(false, STAFF, NEVER_FRIEND),
      exPupilsTreatedAsPupils: d.conduct.exPupilsTreatedAsPupils,
      staffMayFriendParents: rule(
        'discouraged',
        STAFF,
        'should not make any reference to a pupil or parent via social networks.',
        'Friending parents is not forbidden outright; existing social contact must be declared.',
      ),
      friendRequestsMustBeDeclared: d.conduct.friendRequestsMustBeDeclared,
      socialContactMustBeDeclared: rule(
        true,
        'Protection of Personal Information',
        DECLARE_CONTACT,
      ),
      newStarterOnlinePresenceCheck: rule(
        true,
        'Safer Online Behaviour',
        'All staff, particularly new staff, should review their social networking sites when they join the school',
      ),
      regularOnlinePresenceCheck: d.conduct.regularOnlinePresenceCheck,
      parentsMayPostOtherPupilsImages: rule(
        false,
        PARENTS,
        'Parents must not post pictures of pupils, other than their own children, on social networking sites where these photographs have been taken at a school event.',
      ),
      staffSocialMediaDuringLessons: rule(
        false,
        PHONES,
        'All mobile phones must be kept in a secure place and not be accessed throughout contact time with the children.',
      ),
      pupilPhones: rule(
        'not_in_classroom',
        'Cyberbullying',
        'children are not allowed to bring phones into the classroom.',
      ),
      permissionTypes: {
        logo_use: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
          STAFF,
          LOGO,
        ),
        school_device_social_media: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
          'Key Principles',
          'Blogging and accessing social networking sites at work or at home using school equipment is not permitted, unless for professional purposes and authorised by the Headteacher.',
        ),
        school_network_social_media: d.conduct.permissionTypes.school_network_social_media,
        phone_accessible: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 7 },
          PHONES,
          'In exceptional circumstances, which have been discussed and agreed with a member of the leadership team, staff may keep their phone accessible',
          'Lanyard records the agreement as the Headteacher’s; it lasts a week unless renewed.',
        ),
        reminder_post: d.conduct.permissionTypes.reminder_post,
        named_newspaper_photo: d.conduct.permissionTypes.named_newspaper_photo,
      },
      declarationReviewerRole: rule(
        'headteacher',
        'Protection of Personal Information',
        'Staff have a responsibility to make any such contact known to the senior leadership team.',
        'Lanyard records the declaration for the Headteacher, who leads the senior leadership team.',
      ),
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
        parents_esafety: rule(
          { required: true, frequency: 'annual' },
          PARENTS,
          'Parents and carers will be made aware of their responsibilities regarding their use of social networking.',
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
        'Review of Policy',
        'it is best practice that this policy be reviewed annually.',
      ),
      reviewers: d.review.reviewers,
      reminderDaysBefore: d.review.reminderDaysBefore,
      reviewAfterIncidents: d.review.reviewAfterIncidents,
      governorsMonitoringReport: d.review.governorsMonitoringReport,
      reviewerResponsibilities: d.review.reviewerResponsibilities,
    },
  },
};
