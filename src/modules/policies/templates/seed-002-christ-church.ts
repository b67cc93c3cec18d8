/**
 * Christ Church School, Hampstead (London Borough of Camden) — Schools Social Media Policy,
 * July 2014. Seed 002: the misuse taxonomy (contact / conduct / content), incident logs for the
 * governors' review, and the appendix on responding to misuse. Sections are its numbered
 * sections and 'Appendix A'.
 */
import {
  lanyardDefaults as d,
  lanyardDefaultStep,
  seedRules,
  type PolicyTemplate,
} from '../policy-settings.ts';

const { rule, step } = seedRules('002');

const APPENDIX = 'Appendix A';
const KEEP_COPY =
  'Failing that, having kept a copy of the page or message in question, delete the content and take action as appropriate.';
const CITE_TERMS =
  'Always try to cite which of the Facebook terms and conditions have been violated';
const CHILD_PROTECTION =
  'The school policies and protocols on child protection, safeguarding and e-safety';
const LEADERSHIP =
  "a member of the school's leadership team should be informed; so that they can decide how to deal with the situation.";
const REVIEW =
  'reviewed by the governors annually or more regularly if required, in the light of any incidents that have taken place.';

export const christChurchTemplate: PolicyTemplate = {
  key: 'christ-church-hampstead',
  name: 'Christ Church, Hampstead (Camden) — misuse taxonomy and incident logs',
  school: 'Christ Church School, Hampstead',
  seedFile: '002_df96ec7bf1b09361.txt',
  summary:
    'A staff policy: no social media on school devices without leadership authorisation, none during sessions; ' +
    'no friending pupils, care over contact with families, new staff clean up their online presence. Misuse is ' +
    'classified as contact, conduct or content × commercial, aggressive, sexual or values; incidents are kept ' +
    'as copies, reported to the platform and escalated to advice, police or legal action; governors review ' +
    'annually from the incident logs, or sooner after incidents.',
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
      personalAccountsMayPostPupilImages: rule(
        false,
        '5',
        'they should avoid mentioning the school by name, or any member of staff by name or position or any details relating to a pupil of the school.',
      ),
      designatedPublicityPersonOnly: d.publishing.designatedPublicityPersonOnly,
      approvalRequired: d.publishing.approvalRequired,
      namesWithImages: d.publishing.namesWithImages,
      personalDetailsForbidden: d.publishing.personalDetailsForbidden,
      reminderPostsNeedPermission: d.publishing.reminderPostsNeedPermission,
      positiveToneCheck: rule(
        true,
        '4',
        'be defamatory or derogatory.',
        'Any use of social media in a professional capacity must not bring the school into disrepute, bully, harass or be defamatory or derogatory.',
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
      reportTo: rule(
        ['headteacher', 'dsl'],
        '6',
        LEADERSHIP,
        'The policy says “a member of the school’s leadership team”; in Lanyard that is the Headteacher and the safeguarding lead.',
      ),
      reportToResponsibilities: d.incidents.reportToResponsibilities,
      categoriesGrid: rule(true, '7', 'Misuse of social media can be summarised as follows:'),
      indecentImagesPoliceOnly: rule(
        true,
        APPENDIX,
        CHILD_PROTECTION,
        'Child sexual abuse images are the first case listed for child protection procedures; Lanyard refers them to the police only (as 000).',
      ),
      victimDecidesPolice: rule(
        false,
        APPENDIX,
        'professional advice will be sought by the school. Possible outcomes are that the police will be involved',
        'The school decides, after advice; the victim decides about CEOP.',
      ),
      keepEvidence: rule(true, APPENDIX, KEEP_COPY),
      significantTypes: rule(
        [
          'parent_defamation',
          'staff_cyberbullying',
          'pupil_on_pupil',
          'staff_breach',
          'inappropriate_content',
          'filter_circumvention',
          'radicalisation',
          'friend_request',
          'consent_breach',
        ],
        '9',
        REVIEW,
        'The policy is reviewed in the light of any incident, so every type counts.',
      ),
      playbooks: {
        parent_defamation: rule(
          [
            step('keep_copy', 'Keep a copy of the page or message', APPENDIX, KEEP_COPY),
            step(
              'report_to_platform',
              'Report it to the platform, citing the terms it breaks',
              APPENDIX,
              CITE_TERMS,
            ),
            step(
              'seek_professional_advice',
              'Seek professional advice',
              APPENDIX,
              'professional advice will be sought by the school.',
            ),
            step(
              'police_or_legal_action',
              'Involve the police and/or take legal action',
              APPENDIX,
              'Possible outcomes are that the police will be involved and/or legal action pursued by the school',
            ),
          ],
          APPENDIX,
          'is found to be posting libellous or inflammatory comments on Facebook or other social networking sites professional advice will be sought by the school.',
        ),
        staff_cyberbullying: rule(
          [
            step(
              'keep_copy',
              'Keep a copy of the page or message, then delete it',
              APPENDIX,
              KEEP_COPY,
            ),
            step(
              'report_and_block',
              'Report and block the user, citing the terms broken',
              APPENDIX,
              CITE_TERMS,
            ),
            step(
              'seek_professional_advice',
              'Seek professional advice',
              APPENDIX,
              'professional advice will be sought by the school.',
            ),
            step(
              'police_or_legal_action',
              'Involve the police and/or take legal action',
              APPENDIX,
              'Possible outcomes are that the police will be involved and/or legal action pursued by the school',
            ),
          ],
          APPENDIX,
          '(for incidents of cyberbullying or inappropriate behaviour)',
        ),
        pupil_on_pupil: rule(
          [
            step(
              'ask_perpetrator_parents',
              'If the perpetrator is known, ask their parents (or an older pupil) to remove the content',
              APPENDIX,
              'If you know the identity of the perpetrator, contacting their parents or, in the case of older children, the young person themselves to ask that the offending content be removed.',
            ),
            step(
              'keep_copy_then_delete',
              'Failing that, keep a copy and delete the content',
              APPENDIX,
              KEEP_COPY,
            ),
            step(
              'report_and_block',
              'Report and block the user, citing the terms broken',
              APPENDIX,
              CITE_TERMS,
            ),
            step(
              'ceop_if_victim_wishes',
              'If all else fails, support the victim, if they wish, to contact CEOP',
              APPENDIX,
              'If all else fails, support the victim, if they wish, to contact CEOP',
            ),
          ],
          APPENDIX,
          '(for incidents of cyberbullying or inappropriate behaviour)',
        ),
        staff_breach: rule(
          [
            step(
              'disciplinary_procedure',
              'Deal with it under the school’s disciplinary policy and procedure',
              '8',
              "Any alleged breach of conduct under this policy may lead to disciplinary action under the school's disciplinary policy and procedure.",
            ),
            step(
              'gross_misconduct_review',
              'Consider whether a serious proven breach is gross misconduct',
              '8',
              "may constitute gross misconduct and could lead to the staff member's dismissal.",
            ),
          ],
          '8',
          "Any alleged breach of conduct under this policy may lead to disciplinary action under the school's disciplinary policy and procedure.",
        ),
        inappropriate_content: rule(
          [
            step(
              'follow_child_protection',
              'Follow the child protection, safeguarding and e-safety procedures',
              APPENDIX,
              CHILD_PROTECTION,
            ),
            step(
              'record_in_log',
              'Record it in the incident log for the governors’ review',
              '9',
              'The school will monitor the impact of this policy using logs of reported incidents',
            ),
          ],
          APPENDIX,
          CHILD_PROTECTION,
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
              'follow_child_protection',
              'Follow the child protection and safeguarding procedures',
              APPENDIX,
              CHILD_PROTECTION,
            ),
            lanyardDefaultStep(
              'consider_prevent_referral',
              'Consider a referral to Prevent (Channel)',
              'Prevent duty guidance.',
            ),
          ],
          '8',
          'inciting of religious hatred and acts of terrorism',
          'Listed among criminal acts online.',
        ),
        friend_request: rule(
          [
            step(
              'decline',
              'Do not accept the invitation',
              '6',
              "nor should they accept invitations to become a 'friend' of any pupils.",
            ),
            step('inform_leadership', 'Tell a member of the leadership team', '6', LEADERSHIP),
          ],
          '6',
          "Staff are prohibited from and should not make 'friends' with pupils at the school",
        ),
        consent_breach: d.incidents.playbooks.consent_breach,
      },
    },
    conduct: {
      staffMayFriendPupils: rule(
        false,
        '6',
        "Staff are prohibited from and should not make 'friends' with pupils at the school",
      ),
      exPupilsTreatedAsPupils: d.conduct.exPupilsTreatedAsPupils,
      staffMayFriendParents: rule(
        'discouraged',
        '6',
        "Staff should also carefully consider contact with a pupil's family members because this may give rise to concerns over objectivity and/or impartiality.",
      ),
      friendRequestsMustBeDeclared: d.conduct.friendRequestsMustBeDeclared,
      socialContactMustBeDeclared: rule(true, '6', LEADERSHIP),
      newStarterOnlinePresenceCheck: rule(
        true,
        '6',
        'Before joining the school, new employees should check any information they have posted on social media sites',
      ),
      regularOnlinePresenceCheck: d.conduct.regularOnlinePresenceCheck,
      parentsMayPostOtherPupilsImages: d.conduct.parentsMayPostOtherPupilsImages,
      staffSocialMediaDuringLessons: rule(
        false,
        '4',
        'staff may use their own devices to access social media websites while they are in school, outside of session times.',
      ),
      pupilPhones: d.conduct.pupilPhones,
      permissionTypes: {
        logo_use: d.conduct.permissionTypes.logo_use,
        school_device_social_media: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
          '4',
          'unless authorised to do so by a member of the school leadership team.',
          'Lanyard records the leadership team’s authorisation as the Headteacher’s.',
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
      parentsAcknowledgeGuidance: d.training.parentsAcknowledgeGuidance,
      overdueReminderRole: d.training.overdueReminderRole,
      newStarterDays: d.training.newStarterDays,
      dueSoonDays: d.training.dueSoonDays,
      dueAgainDays: d.training.dueAgainDays,
      acknowledgeWithinDays: d.training.acknowledgeWithinDays,
    },
    review: {
      cycleMonths: rule(12, '9', REVIEW),
      reviewers: rule(['governor'], '9', REVIEW),
      reminderDaysBefore: d.review.reminderDaysBefore,
      reviewAfterIncidents: rule(true, '9', REVIEW),
      governorsMonitoringReport: rule(
        true,
        '9',
        'The school will monitor the impact of this policy using logs of reported incidents',
      ),
      reviewerResponsibilities: d.review.reviewerResponsibilities,
    },
  },
};
