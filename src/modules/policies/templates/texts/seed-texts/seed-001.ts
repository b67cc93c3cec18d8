// Made by scripts/policy-texts.ts from the seed policy 001_92cf54e43eaf4903.txt: do not edit by hand.
import type { PolicyText } from '../policy-text.ts';

export const seed001Text: PolicyText = {
  title: 'The Avenue Primary School Social Media Policy',
  sections: [
    {
      id: 'front-page',
      heading: 'Front page',
      clauses: [
        {
          id: 'front-page-p1',
          text: 'The Avenue Primary School',
        },
        {
          id: 'front-page-p2',
          text: 'Social Media Policy',
        },
        {
          id: 'front-page-p3',
          text: 'Policy Lead\tDavid Joy\nDate\tNovember 2021\nReview date\tNovember 2022',
        },
      ],
    },
    {
      id: 'overview',
      heading: 'Overview',
      clauses: [
        {
          id: 'overview-p1',
          text: 'Social networking sites such as Facebook and Twitter are now widely used. This type of media allows people to communicate in ways that were not previously possible that can positively enhance means of communication. The school recognises that most stakeholders use this in a positive and responsible manner. However, for a minority, such sites can be inappropriately used as a means of expressing negative or offensive views about school and their staff instead of approaching the school where the vast majority of concerns are easily dealt with and resolved.',
        },
        {
          id: 'overview-p2',
          text: "This document sets out the school's approach to parental use of such sites and sets out the procedures we will follow and action we may take when we consider that parents have used such facilities inappropriately.",
        },
        {
          id: 'overview-p3',
          text: 'When we have referred to "parent" in this document, we also include carers; relatives; or anyone associated with the school.',
        },
      ],
    },
    {
      id: 'objectives',
      heading: 'Objectives',
      clauses: [
        {
          id: 'objectives-p1',
          text: 'The purpose of this policy is to:',
        },
        {
          id: 'objectives-p2',
          text: '- Encourage social networking sites to be used in a beneficial and positive way by parents;\n- Safeguard pupils, staff and anyone associated with the school from the negative effects of social networking sites; Safeguard the reputation of the school from unwarranted abuse on social networking sites;\n- Clarify what the school considers to be appropriate and inappropriate use of social networking sites by parents;\n- Set out the procedures school will follow where it considers parents have inappropriately or unlawfully used social networking sites to the detriment of the school, its staff or its pupils, and anyone else associated with the Trust;\n- Set out the action the school will consider taking if parents make inappropriate use of social networking sites.',
        },
      ],
    },
    {
      id: 'appropriate-use-of-social-networking-sites-by-parents',
      heading: 'Appropriate use of social networking sites by parents',
      clauses: [
        {
          id: 'appropriate-use-of-social-networking-sites-by-parents-p1',
          text: 'Social networking sites have potential to enhance the learning and achievement of pupils and enable parents to access information about school and provide feedback efficiently and easily. In addition, the school recognises that many parents and other family members will have personal social networking accounts, which they might use to discuss/share views about school issues with friends and acquaintances.',
        },
        {
          id: 'appropriate-use-of-social-networking-sites-by-parents-p2',
          text: 'As a guide, individuals should consider the following prior to posting any information on social networking sites about school, its staff, its pupils, or anyone else associated with it:',
        },
        {
          id: 'appropriate-use-of-social-networking-sites-by-parents-p3',
          text: '- Is the social networking site the appropriate channel to raise concerns, give this feedback or express these views?\n- Would private and confidential discussions with school be more appropriate e.g. if there are serious allegations being made/concerns being raised.\n- Social media/internet sites should not be used to name individuals and make abusive comments about those people. Please contact school to discuss any concerns you may have.',
        },
        {
          id: 'appropriate-use-of-social-networking-sites-by-parents-p4',
          text: "- Are such comments likely to cause emotional or reputational harm to individuals which would not be justified, particularly if school has not yet had a chance to investigate a complaint.\n- The reputational impact that the posting of such material may have to school; any detrimental harm that the school may suffer as a result of the posting; and the impact that such a posting may have on pupils' learning.",
        },
      ],
    },
    {
      id: 'inappropriate-use-of-social-networking-sites-by-parents',
      heading: 'Inappropriate use of social networking sites by parents',
      clauses: [
        {
          id: 'inappropriate-use-of-social-networking-sites-by-parents-p1',
          text: 'Although social networking sites may appear to be the quickest and easiest way to express frustrations or concerns about school (and those associated with it), it is never appropriate to do so.',
        },
        {
          id: 'inappropriate-use-of-social-networking-sites-by-parents-p2',
          text: 'Where a parent has a concern, this must be made through the appropriate channels by speaking to the class teacher, the Headteacher or Chair of Governors so they can be dealt with fairly, appropriately and effectively for all concerned (See Complaints Procedure).',
        },
        {
          id: 'inappropriate-use-of-social-networking-sites-by-parents-p3',
          text: 'The school considers the following examples to be inappropriate uses of social networking sites (This list is non-exhaustive and intended to provide examples only):',
        },
        {
          id: 'inappropriate-use-of-social-networking-sites-by-parents-p4',
          text: '- Making allegations about staff or pupils at school or cyber-bullying;\n- Making complaints about the school or staff at The Avenue;\n- Making defamatory statements about school or staff at The Avenue;\n- Posting negative/offensive comments about specific pupils/staff at The Avenue;\n- Posting racist comments;\n- Posting comments which threaten violence.',
        },
        {
          id: 'inappropriate-use-of-social-networking-sites-by-parents-p5',
          text: "Parents should also ensure that their children are not using social networking/internet sites in an inappropriate manner. It is expected that parents/carers explain to their children what is acceptable to post online. Parents/carers are also expected to monitor their children's online activity, including in relation to their use of social media. Parents need to be aware of the age restrictions for social media sites.",
        },
      ],
    },
    {
      id: 'procedure-the-school-will-follow-if-inappropriate-use-continues',
      heading: 'Procedure the school will follow if inappropriate use continues',
      clauses: [
        {
          id: 'procedure-the-school-will-follow-if-inappropriate-use-continues-p1',
          text: "In the event that any pupil or parent/carer of a child/ren at The Avenue is found to be posting libellous or defamatory comments on Facebook or other social network sites, they will be reported to the appropriate 'report abuse' section of the network site.",
        },
        {
          id: 'procedure-the-school-will-follow-if-inappropriate-use-continues-p2',
          text: 'All social network sites have clear rules about the content which can be posted on the site and they provide robust mechanisms to report content or activity which breaches this. The school will also expect that any parent/carer removes such comments immediately and will be asked to attend a meeting with the Headteacher to discuss the breaking of the AUP agreement and the possible repercussions of such action.',
        },
        {
          id: 'procedure-the-school-will-follow-if-inappropriate-use-continues-p3',
          text: 'If the parent refuses to comply with these procedures and continues to use social networking sites in a manner the school considers inappropriate, the school will consider taking the following action:',
        },
        {
          id: 'procedure-the-school-will-follow-if-inappropriate-use-continues-p4',
          text: "- Take legal advice and/or legal action where the information posted is defamatory in any way or if the circumstances warrant this;\n- If required set out the school's concerns to you in writing, giving you a warning and requesting that the material in question is removed;",
        },
        {
          id: 'procedure-the-school-will-follow-if-inappropriate-use-continues-p5',
          text: "- Contact the Police where the school feels it appropriate – for example, if it considers a crime (such as harassment) has been committed; or in cases where the posting has a racial element, is considered to be grossly obscene or is threatening violence;\n- If the inappropriate comments have been made on a school forum, the school may take action to block or restrict that individual's access to that website or forum;\n- Contact the host/provider of the Social Networking site to complain about the content of the site and ask for removal of the information;\n- Take other legal action against the individual.",
        },
      ],
    },
    {
      id: 'social-networking-policy-staff',
      heading: 'Social Networking Policy – Staff',
      clauses: [
        {
          id: 'social-networking-policy-staff-p1',
          text: 'This refers to all persons linked to The Avenue such as Staff, Volunteers and Governors.',
        },
      ],
    },
    {
      id: 'introduction',
      heading: 'Introduction',
      clauses: [
        {
          id: 'introduction-p1',
          text: "Social networking activities conducted online outside work, such as blogging (writing personal journals to publicly accessible internet pages), involvement in social networking sites such as Facebook and posting material, images or comments on sites such as You Tube can have a negative effect on an organisation's reputation or image. In addition, The Avenue has a firm commitment to safeguarding children in all aspects of its work.",
        },
        {
          id: 'introduction-p2',
          text: 'This policy has been written to set out the key principles and code of conduct that we expect of all members of staff with respect to their responsibilities in connection with the use of social networking sites.',
        },
      ],
    },
    {
      id: 'key-principles',
      heading: 'Key Principles',
      clauses: [
        {
          id: 'key-principles-p1',
          text: '- Everyone at The Avenue has a responsibility to ensure that they protect the reputation of school and to treat all colleagues with professionalism and respect.\n- It is important to protect everyone at The Avenue from allegations and misinterpretations which can arise from the use of social networking sites.\n- Safeguarding children is a key responsibility of all members of staff and it is essential that everyone at The Avenue considers this and acts responsibly if they are using social networking sites outside of school. Anyone working in the school either as a paid employee or volunteer must not communicate with pupils and ex-pupils via social networking and must not accept or initiate Facebook or any other social networking friend requests from pupils and ex-pupils enrolled at The Avenue.\n- This policy relates to social networking outside work. Accessing social networking sites at work using school equipment is not permitted unless it is being used by designated staff school publicity or promotion.',
        },
      ],
    },
    {
      id: 'aims',
      heading: 'Aims',
      clauses: [
        {
          id: 'aims-p1',
          text: '- To set out the key principles and code of conduct expected of all members of Staff, Governors and Volunteers at The Avenue in respect to social networking.\n- To further safeguard and protect children and staff.',
        },
      ],
    },
    {
      id: 'code-of-conduct-for-social-networking',
      heading: 'Code of Conduct for Social Networking',
      clauses: [
        {
          id: 'code-of-conduct-for-social-networking-p1',
          text: 'The following are not considered acceptable at The Avenue Primary School:',
        },
        {
          id: 'code-of-conduct-for-social-networking-p2',
          text: "- The use of the school's name, logo, or any other published material without written prior permission from the Headteacher. This applies to any published material including the internet or written documentation.\n- The posting of any communication or images which links the school to any form of illegal conduct or which may damage its reputation. This includes defamatory comments.\n- The disclosure of confidential or business-sensitive information; or the disclosure of information or images that could compromise the security of the school.\n- The posting of any images of employees, children or anyone directly connected with the school whilst engaged in school activities except by a designated person for agreed publicity use.",
        },
        {
          id: 'code-of-conduct-for-social-networking-p3',
          text: 'In addition to the above, everyone at The Avenue must ensure that they:',
        },
        {
          id: 'code-of-conduct-for-social-networking-p4',
          text: "- Do not make any derogatory, defamatory, rude, threatening or inappropriate comments about the school, or anyone at or connected with the school.\n- Use social networking sites responsibly and ensure that neither their personal/ professional reputation, or the school's reputation is compromised by inappropriate postings.\n- Are aware of the potential of on-line identity fraud and to be cautious when giving out personal information about themselves which may compromise their personal safety and security.\n- Communication between pupils and adults should take place within clear and explicit professional boundaries.\n- Should not share any personal information with a child or young person.\n- All communications are transparent and open to scrutiny.\n- Personal contact details including email, home or mobile numbers should not be given unless the need to do so is agreed by the Headteacher.\n- Ensure that personal social networking sites are set to private and pupils are never listed as approved contacts.\n- Never use or access social networking sites of pupils.\n- Not give their personal contact details to pupils, including their mobile telephone number.\n- Not use internal or web based communication channels to send personal messages to a child/young person.\n- It is strongly recommended that Facebook friend requests not be initiated to or accepted from parents.",
        },
      ],
    },
    {
      id: 'potential-and-actual-breaches-of-the-code-of-conduct',
      heading: 'Potential and Actual Breaches of the Code of Conduct',
      clauses: [
        {
          id: 'potential-and-actual-breaches-of-the-code-of-conduct-p1',
          text: 'In instances where there has been a breach of the above Code of Conduct, the following will apply:',
        },
        {
          id: 'potential-and-actual-breaches-of-the-code-of-conduct-p2',
          text: "- Any breaches of this policy will be fully investigated. Where it is found that there has been a breach of the policy this may result in action being taken under the Complaints Procedure. A breach of this policy will be considered to be a serious disciplinary offence which is also contrary to the school's ethos and principle.",
        },
      ],
    },
  ],
  citationAliases: {
    Parents: [
      'appropriate-use-of-social-networking-sites-by-parents',
      'inappropriate-use-of-social-networking-sites-by-parents',
    ],
  },
};
