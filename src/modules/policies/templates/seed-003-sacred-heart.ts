/**
 * Sacred Heart RC Primary School, Rochdale — Social Media Policy (undated).
 * Seed 003: the consent register, pre-posting checks, account passwords, blocked content,
 * cyberbullying of staff and training. Sections are the policy's numbered clauses.
 */
import {
  lanyardDefaults as d,
  lanyardDefaultStep,
  seedRules,
  type PolicyTemplate,
} from '../policy-settings.ts';

const { rule, step } = seedRules('003');

const EVIDENCE =
  'Evidence from the incident will be saved, including screen prints of messages or web pages, and the time and date of the incident.';
const SLT_MEETING =
  'Where the perpetrator is an adult, in nearly all cases, a member of the SLT will invite the victim to a meeting to address their concerns.';
const REMOVAL = 'Where appropriate, the perpetrator will be asked to remove the offensive content.';
const PROVIDER =
  'This could include contacting the internet service provider in question through their reporting mechanisms';
const POLICE =
  'If the material is threatening, abusive, sexist, of a sexual nature or constitutes a hate crime, the school will consider whether the police should be contacted.';
const BLOCKED =
  'Inappropriate content accessed on the school’s computers will be reported to the Headteacher (DSL), Business Manager ICT Technician so that the site can be blocked.';
const REVIEW =
  'This policy will be reviewed on an annual basis by the Headteacher, in conjunction with the ICT Technician and DPO.';

export const sacredHeartTemplate: PolicyTemplate = {
  key: 'sacred-heart-rochdale',
  name: 'Sacred Heart RC Primary (Rochdale) — consent register and pre-posting checks',
  school: 'Sacred Heart RC Primary School, Rochdale',
  seedFile: '003_01e8199a7682c829.txt',
  summary:
    'Consent renewed every academic year per purpose and media type, from a competent pupil or a parent; ' +
    'written withdrawal with takedown where practicable; the Headteacher checks every post; no full names, ' +
    'no personal details, no swimwear, faces blurred; staff cyberbullying handled by SLT, provider and police; ' +
    'termly pupil e-safety and annual parents’ training; annual review by the Headteacher, ICT Technician and DPO.',
  settings: {
    roles: {
      safeguardingLeadTitle: rule(
        'Designated Safeguarding Lead',
        '7.3',
        'reported to the Headteacher (DSL)',
      ),
      headteacherIsSafeguardingLead: rule(true, '7.3', 'reported to the Headteacher (DSL)'),
      approverRole: rule(
        'headteacher',
        '5.3',
        'Staff will ensure the Headteacher has checked the content before anything is posted on social media.',
      ),
      approverResponsibilities: d.roles.approverResponsibilities,
      credentialCustodianRole: rule(
        'business_manager',
        '5.1',
        'School social media passwords are kept by the Business Manager',
      ),
      consentRecordKeeperRole: rule(
        'dpo',
        '4.2',
        'The DPO is responsible for ensuring this consent record remains up-to-date.',
      ),
      consentRecordKeeperResponsibilities: d.roles.consentRecordKeeperResponsibilities,
      deviceApproverRole: rule(
        'headteacher',
        '4.9',
        'Only school-owned devices will be used to take images and videos of the school community, which have been pre-approved by the Headteacher for use.',
      ),
      deviceApproverResponsibilities: d.roles.deviceApproverResponsibilities,
      ictSignOffRole: rule(
        'ict_technician',
        '5.10',
        'once the ICT Technician has ensured the necessary network security controls are applied',
      ),
    },
    consent: {
      model: rule(
        'annual',
        '4.1',
        'The school will obtain consent from pupils and parents at the beginning of each academic year',
      ),
      academicYearStart: rule(
        { month: 9, day: 1 },
        '4.1',
        'at the beginning of each academic year',
        'The date, 1 September, is Lanyard’s: the start of the school year in England.',
      ),
      purposes: rule(
        [{ key: 'school_social_media', label: 'School social media accounts', external: true }],
        '4.1',
        'which will confirm whether or not consent is given for posting images and videos of a pupil on social media platforms',
        'The consent form covers the school’s social media only (see also §4.17); add other purposes (website, newsletter) if the school uses them.',
      ),
      mediaTypes: rule(['image', 'video'], '4.1', 'Images and Videos Parental Consent Form'),
      separateConsentPerMediaType: rule(
        true,
        '4.5',
        'for example only images of a pupil are permitted to be posted, and not videos',
      ),
      competentPupilMayConsent: rule(
        true,
        '4.3',
        'where a pupil is assessed by the school to have the competence to understand what they are consenting to, the school will obtain consent directly from that pupil',
      ),
      withdrawalMustBeInWriting: rule(
        true,
        '4.4',
        'To do so, parents and pupils must inform the school in writing.',
      ),
      withdrawalRetroactive: rule(
        false,
        '4.6',
        'it will not affect the processing of any images or videos prior to when consent was withdrawn or amended',
      ),
      takedownWherePracticable: rule(
        true,
        '4.7',
        'wherever it is reasonably practicable to do so, the school will take measures to remove any posts before consent was withdrawn or amended',
      ),
      namedPhotoNeedsWrittenPermission: d.consent.namedPhotoNeedsWrittenPermission,
      renewalReminderDays: d.consent.renewalReminderDays,
      refusalWinsWhenParentsDisagree: d.consent.refusalWinsWhenParentsDisagree,
    },
    publishing: {
      personalAccountsMayPostPupilImages: rule(
        false,
        '4.17',
        'staff, pupils and parents are not permitted to post any imagery or videos on personal accounts',
      ),
      designatedPublicityPersonOnly: d.publishing.designatedPublicityPersonOnly,
      approvalRequired: rule(
        true,
        '5.3',
        'Staff will ensure the Headteacher has checked the content before anything is posted on social media.',
      ),
      namesWithImages: rule(
        'never_full_names',
        '4.12',
        "Pupils' full names will never be used alongside any videos or images in which they are present.",
      ),
      personalDetailsForbidden: rule(
        true,
        '4.11',
        "The school will not post pupils' personal details on social media platforms.",
      ),
      reminderPostsNeedPermission: rule(
        true,
        '5.4',
        'If staff wish for reminders to be posted for parents, e.g. returning slips for a school trip, staff will seek permission from the Headteacher before anything is posted.',
      ),
      positiveToneCheck: rule(
        true,
        '5.2, 5.6',
        'Staff will ensure any posts are positive in nature and relevant to pupils, the work of staff, the school or any achievements.',
      ),
      groupImagesWithGeneralLabels: rule(
        true,
        '4.14',
        "the school will use group or class images or videos with general labels, e.g. 'sports day'.",
      ),
      blurFaces: rule(
        'all',
        '4.10',
        'the school will apply data minimisation techniques, such as pseudonymisation (blurring a photograph), to reduce the risk of a pupil being identified.',
        'Read as blurring every face in a published image; choose “pupils without consent” to blur fewer.',
      ),
      overridableChecks: d.publishing.overridableChecks,
      commentsNotMonitoredNotice: d.publishing.commentsNotMonitoredNotice,
      toneFlaggedWords: rule(
        d.publishing.toneFlaggedWords.value,
        '5.6',
        'Staff will not post any content online which is damaging to the school or any of its staff or pupils.',
        'The words themselves are Lanyard’s starting list; the school edits it.',
      ),
      toneNegativeScoreLimit: d.publishing.toneNegativeScoreLimit,
      pendingExpiryDays: d.publishing.pendingExpiryDays,
      deleteOnTakedown: d.publishing.deleteOnTakedown,
      takedownDueDays: d.publishing.takedownDueDays,
      republishBlurredOnWithdrawal: d.publishing.republishBlurredOnWithdrawal,
      draftingRoles: rule(
        [...d.publishing.draftingRoles.value],
        '5.3',
        'Staff will ensure the Headteacher has checked the content before anything is posted on social media.',
        'The school’s staff write the posts and the Headteacher checks them; volunteers and governors do not post for the school.',
      ),
    },
    media: {
      schoolDevicesOnly: rule(
        true,
        '4.9',
        'Only school-owned devices will be used to take images and videos of the school community, which have been pre-approved by the Headteacher for use.',
      ),
      swimwearBan: rule(
        true,
        '4.13',
        'it would not be suitable to display an image of a pupil in swimwear.',
      ),
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
        ['headteacher'],
        '2.2',
        'Reporting any social media misuse by staff, pupils or parents to the Headteacher immediately.',
        'The Headteacher is also the DSL here (§7.3).',
      ),
      reportToResponsibilities: d.incidents.reportToResponsibilities,
      categoriesGrid: d.incidents.categoriesGrid,
      indecentImagesPoliceOnly: d.incidents.indecentImagesPoliceOnly,
      victimDecidesPolice: rule(
        false,
        '8.8',
        'the school will consider whether the police should be contacted.',
      ),
      keepEvidence: rule(true, '8.4', EVIDENCE),
      significantTypes: d.incidents.significantTypes,
      playbooks: {
        parent_defamation: rule(
          [
            step(
              'keep_evidence',
              'Save screen prints of the posts, with time and date',
              '8.4',
              EVIDENCE,
            ),
            step(
              'slt_meeting_with_victim',
              'A member of the SLT meets the person targeted',
              '8.6',
              SLT_MEETING,
            ),
            step(
              'request_removal',
              'Ask the parent to remove the offensive content',
              '8.6',
              REMOVAL,
            ),
            step(
              'report_to_provider',
              'If they refuse, report the content to the provider',
              '8.7',
              PROVIDER,
            ),
            step(
              'consider_police',
              'Consider the police if threatening, sexual or a hate crime',
              '8.8',
              POLICE,
            ),
          ],
          '8.6',
          SLT_MEETING,
          'An adult perpetrator (§8.6–8.8); §6.5 forbids parents posting damaging content.',
        ),
        staff_cyberbullying: rule(
          [
            step(
              'do_not_retaliate',
              'Do not respond or retaliate',
              '8.3',
              'Staff members will not respond or retaliate to cyber bullying incidents.',
            ),
            step(
              'report_to_headteacher',
              'Report it as inappropriate and get support from the Headteacher',
              '8.3',
              'Incidents will be reported as inappropriate, and support will be sought from the Headteacher.',
            ),
            step(
              'keep_evidence',
              'Save screen prints of the messages, with time and date',
              '8.4',
              EVIDENCE,
            ),
            step(
              'internal_discipline',
              'If the perpetrator is a pupil or colleague, use the school’s own disciplinary procedures',
              '8.5',
              "Where the perpetrator is a current pupil or colleague, most incidents can be handled through the school's own disciplinary procedures.",
            ),
            step(
              'slt_meeting_with_victim',
              'A member of the SLT meets the member of staff',
              '8.6',
              SLT_MEETING,
            ),
            step('request_removal', 'Ask the perpetrator to remove the content', '8.6', REMOVAL),
            step(
              'report_to_provider',
              'If they refuse, report the content to the provider',
              '8.7',
              PROVIDER,
            ),
            step(
              'consider_police',
              'Consider the police if threatening, sexual or a hate crime',
              '8.8',
              POLICE,
            ),
          ],
          '8.3',
          'Staff members will not respond or retaliate to cyber bullying incidents.',
        ),
        pupil_on_pupil: rule(
          [
            step(
              'keep_evidence',
              'Save screen prints of the messages, with time and date',
              '8.4',
              EVIDENCE,
            ),
            step(
              'anti_bullying_policy',
              'Deal with it under the Anti-Bullying Policy',
              '8.1',
              'Any reports of cyber bullying on social media platforms by pupils will be handled in accordance with the Anti-Bullying Policy.',
            ),
          ],
          '8.1',
          'Any reports of cyber bullying on social media platforms by pupils will be handled in accordance with the Anti-Bullying Policy.',
        ),
        staff_breach: rule(
          [
            lanyardDefaultStep(
              'investigate',
              'Investigate the breach',
              'A fair investigation before any sanction.',
            ),
            step(
              'disciplinary_procedure',
              'Take disciplinary action; illegal, defamatory or discriminatory content may mean dismissal or prosecution',
              '5.22',
              'in the event of illegal, defamatory or discriminatory content, could lead to prosecution, disciplinary action or dismissal.',
            ),
          ],
          '5.22',
          'Breaches of this policy by members of staff will be taken seriously',
        ),
        inappropriate_content: rule(
          [
            step(
              'report_to_teacher',
              'A pupil reports it to a teacher',
              '6.7',
              'If inappropriate content is accessed online on school premises, it will be reported to a teacher.',
            ),
            step(
              'report_to_headteacher',
              'Report it to the Headteacher (DSL), the Business Manager and the ICT Technician',
              '7.3',
              BLOCKED,
            ),
            step(
              'block_site',
              'The ICT Technician blocks the site',
              '7.3',
              'so that the site can be blocked.',
            ),
          ],
          '7.3',
          BLOCKED,
        ),
        filter_circumvention: rule(
          [
            lanyardDefaultStep(
              'fix_filter',
              'Ask the ICT Technician to close the gap in the firewall',
              'The firewall is the ICT Technician’s (§7.1).',
            ),
            step(
              'supervised_use_only',
              'Ban from school computing equipment except under close supervision',
              '7.2',
              'Attempts made to circumvent the network’s firewalls will result in a ban from using school computing equipment, other than with close supervision.',
            ),
          ],
          '7.2',
          'Attempts made to circumvent the network’s firewalls will result in a ban from using school computing equipment, other than with close supervision.',
        ),
        radicalisation: d.incidents.playbooks.radicalisation,
        friend_request: rule(
          [
            step(
              'decline',
              'Do not accept: staff do not “friend” pupils or parents',
              '5.12',
              'Staff will not "friend" or otherwise contact pupils or parents through their personal social media accounts.',
            ),
            step(
              'report_to_headteacher',
              'Report the request to the Headteacher',
              '5.13, 6.3',
              'If pupils or parents attempt to "friend" a staff member, they will report this to the Headteacher.',
            ),
          ],
          '5.13, 6.3',
          'If pupils or parents attempt to "friend" a staff member, they will report this to the Headteacher.',
        ),
        consent_breach: rule(
          [
            step(
              'take_down',
              'Remove the post where reasonably practicable',
              '4.7',
              'wherever it is reasonably practicable to do so, the school will take measures to remove any posts',
            ),
            lanyardDefaultStep(
              'inform_dpo',
              'Tell the Data Protection Officer',
              'The DPO keeps the consent record (§4.2).',
            ),
            step(
              'data_protection_policy',
              'Handle the breach under the school’s data protection policy',
              '4.16',
              "Any breaches of the data protection principles will be handled in accordance with the school's policies.",
            ),
          ],
          '4.16',
          "Any breaches of the data protection principles will be handled in accordance with the school's policies.",
        ),
      },
    },
    conduct: {
      staffMayFriendPupils: rule(
        false,
        '5.12',
        'Staff will not "friend" or otherwise contact pupils or parents through their personal social media accounts.',
      ),
      exPupilsTreatedAsPupils: d.conduct.exPupilsTreatedAsPupils,
      staffMayFriendParents: rule(
        'never',
        '5.12',
        'Staff will not "friend" or otherwise contact pupils or parents through their personal social media accounts.',
      ),
      friendRequestsMustBeDeclared: rule(
        true,
        '5.13, 6.3',
        'If pupils or parents attempt to "friend" a staff member, they will report this to the Headteacher.',
      ),
      socialContactMustBeDeclared: d.conduct.socialContactMustBeDeclared,
      newStarterOnlinePresenceCheck: d.conduct.newStarterOnlinePresenceCheck,
      regularOnlinePresenceCheck: rule(
        true,
        '5.24',
        'Members of staff will regularly check their online presence for negative content via search engines.',
      ),
      parentsMayPostOtherPupilsImages: rule(
        false,
        '4.17',
        'staff, pupils and parents are not permitted to post any imagery or videos on personal accounts',
      ),
      staffSocialMediaDuringLessons: rule(
        false,
        '5.7',
        'Staff members will not access social media platforms during lesson times.',
      ),
      pupilPhones: d.conduct.pupilPhones,
      permissionTypes: {
        logo_use: d.conduct.permissionTypes.logo_use,
        school_device_social_media: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 365 },
          '5.8',
          'Staff members will not use any school-owned mobile devices to access personal accounts, unless it is beneficial to the material being taught – prior permission will be sought from the Headteacher.',
        ),
        school_network_social_media: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: true, expiresAfterDays: 365 },
          '5.10',
          'unless otherwise permitted by the Headteacher, and once the ICT Technician has ensured the necessary network security controls are applied.',
        ),
        phone_accessible: d.conduct.permissionTypes.phone_accessible,
        reminder_post: rule(
          { enabled: true, grantedBy: 'headteacher', ictSignOff: false, expiresAfterDays: 30 },
          '5.4',
          'staff will seek permission from the Headteacher before anything is posted.',
        ),
        named_newspaper_photo: d.conduct.permissionTypes.named_newspaper_photo,
      },
      declarationReviewerRole: rule(
        'headteacher',
        '5.13',
        'If pupils or parents attempt to "friend" a staff member, they will report this to the Headteacher.',
      ),
      filteringCheckEveryDays: d.conduct.filteringCheckEveryDays,
      filteringReviewEveryDays: d.conduct.filteringReviewEveryDays,
      selfRequestDeciders: d.conduct.selfRequestDeciders,
    },
    training: {
      sessions: {
        staff_induction: rule(
          { required: true, frequency: 'on_joining' },
          '9.2',
          'Teachers and support staff will receive training on the Social Media Policy as part of their new starter induction.',
        ),
        staff_regular: rule(
          { required: true, frequency: 'annual' },
          '9.3',
          'Teachers and support staff will receive regular and ongoing training as part of their development.',
          '“Regular” is taken as yearly so that overdue training can be shown.',
        ),
        at_risk_identification: rule(
          { required: true, frequency: 'annual' },
          '9.1',
          'teachers will receive training in identifying potentially at-risk pupils.',
          'The policy sets no interval; yearly is Lanyard’s.',
        ),
        pupils_esafety: rule(
          { required: true, frequency: 'termly' },
          '9.4',
          'Pupils will be educated about e-safety and appropriate social media use on a termly basis',
        ),
        parents_esafety: rule(
          { required: true, frequency: 'annual' },
          '9.6',
          'Parents will be invited to e-safety and social media training on an annual basis',
        ),
      },
      refreshAfterIncidentOrChange: rule(
        true,
        '9.7',
        'Training for all pupils, staff and parents will be refreshed in light of any significant incidents or changes.',
      ),
      inductionNeedsAcknowledgement: d.training.inductionNeedsAcknowledgement,
      parentsAcknowledgeGuidance: d.training.parentsAcknowledgeGuidance,
      overdueReminderRole: d.training.overdueReminderRole,
      newStarterDays: d.training.newStarterDays,
      dueSoonDays: d.training.dueSoonDays,
      dueAgainDays: d.training.dueAgainDays,
      acknowledgeWithinDays: d.training.acknowledgeWithinDays,
    },
    review: {
      cycleMonths: rule(12, '10.1', REVIEW),
      reviewers: rule(['headteacher', 'ict_technician', 'dpo'], '10.1', REVIEW),
      reminderDaysBefore: d.review.reminderDaysBefore,
      reviewAfterIncidents: d.review.reviewAfterIncidents,
      governorsMonitoringReport: d.review.governorsMonitoringReport,
      reviewerResponsibilities: d.review.reviewerResponsibilities,
    },
  },
};
