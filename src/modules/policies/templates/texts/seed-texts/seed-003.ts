// Made by scripts/policy-texts.ts from the seed policy 003_01e8199a7682c829.txt: do not edit by hand.
import type { PolicyText } from '../policy-text.ts';

export const seed003Text: PolicyText = {
  title: 'Sacred Heart RC Primary School Social Media Policy',
  sections: [
    {
      id: 'front-page',
      heading: 'Front page',
      clauses: [
        {
          id: 'front-page-p1',
          text: 'Sacred Heart RC Primary School, Kingsway, Rochdale, OL164AW\nSacred Heart RC Primary School\nSocial Media Policy\nContents:\nStatement of intent\n1. Legal framework\n2. Roles and responsibilities\n3. Definitions\n4. Data protection principles\n5. Social media use – staff\n6. Social media use – pupils and parents\n7. Blocked content\n8. Cyber bullying\n9. Training\n10. Monitoring and review',
        },
      ],
    },
    {
      id: 'statement-of-intent',
      heading: 'Statement of intent',
      clauses: [
        {
          id: 'statement-of-intent-p1',
          text: 'Sacred Heart RC understands that social media is a growing part of life outside of school. We have a responsibility to safeguard our pupils against potential dangers when accessing the internet at school, and to educate our pupils about how to protect themselves online when outside of school.',
        },
        {
          id: 'statement-of-intent-p2',
          text: 'We are committed to:',
        },
        {
          id: 'statement-of-intent-p3',
          text: "- Encouraging the responsible use of social media by all staff, parents and pupils in support of the school's mission, values and objectives.\n- Protecting our pupils from the dangers of social media.\n- Preventing and avoiding damage to the reputation of the school through irresponsible use of social media.\n- Protecting our staff from cyber bullying and potentially career damaging behaviour.\n- Arranging e-safety meetings for parents.",
        },
      ],
    },
    {
      id: '1',
      heading: 'Legal framework',
      clauses: [
        {
          id: '1-p1',
          text: 'This policy has due regard to legislation and guidance including, but not limited to, the following:',
        },
        {
          id: '1-p2',
          text: 'The General Data Protection Regulation (GDPR)',
        },
        {
          id: '1-p3',
          text: "DfE (2018) 'Data protection: a tool kit for schools'",
        },
        {
          id: '1-p4',
          text: 'The Data Protection Act 2018',
        },
        {
          id: '1-p5',
          text: 'This policy will be implemented in accordance with the following school policies and documents:',
        },
        {
          id: '1-p6',
          text: 'Whole-School Social Media Accounts Policy',
        },
        {
          id: '1-p7',
          text: 'ICT and Acceptable Use Policy',
        },
        {
          id: '1-p8',
          text: 'E-Safety Policy',
        },
        {
          id: '1-p9',
          text: 'Data Protection Policy',
        },
        {
          id: '1-p10',
          text: 'Staff Code of Conduct',
        },
        {
          id: '1-p11',
          text: 'Complaints Procedures Policy',
        },
        {
          id: '1-p12',
          text: 'Anti-Bullying Policy',
        },
      ],
    },
    {
      id: '2',
      heading: 'Roles and responsibilities',
      clauses: [
        {
          id: '2.1',
          text: "2.1. The Headteacher is responsible for:\n\nThe overall implementation of this policy and ensuring that all staff, parents and pupils are aware of their responsibilities in relation to social media use.\n\nPromoting safer working practices and standards with regards to the use of social media.\n\nEstablishing clear expectations of behaviour for social media use.\n\nEnsuring that this policy, as written, does not discriminate on any grounds, including, but not limited to: ethnicity/national origin, culture, religion, gender, disability or sexual orientation.\n\nIn conjunction with the governing board, handling complaints regarding this policy and its provisions in line with the school's Complaints Procedures Policy.\n\nImplementing appropriate sanctions and disciplinary methods where there is a breach of this policy.\n\nTaking steps to minimise the amount of misplaced or malicious allegations in relation to social media use.\n\nWorking alongside the ICT Technician and data protection officer (DPO) to ensure appropriate security measures are implemented and compliance with the GDPR.",
        },
        {
          id: '2.2',
          text: '2.2. Staff members are responsible for:\n\n.\n\nEnsuring pupils adhere to the principles outlined in this policy and that it is implemented fairly and consistently in the classroom.\n\nReporting any social media misuse by staff, pupils or parents to the Headteacher immediately.\n\nAttending any training on social media use offered by the school.',
        },
        {
          id: '2.3',
          text: '2.3. Parents are responsible for:.\n\nTaking appropriate responsibility for their use of social media and the influence on their children at home.\n\nPromoting safe social media behaviour for both themselves and their children.\n\nAttending e-safety meetings held by the school wherever possible.',
        },
        {
          id: '2.4',
          text: '2.4. Pupils are responsible for:\n\nEnsuring they understand how to use social media appropriately and stay safe online.',
        },
      ],
    },
    {
      id: '3',
      heading: 'Definitions',
      clauses: [
        {
          id: '3.1',
          text: '3.1. For the purpose of this policy, the school defines “**social media**” as any online platform that offers real-time interaction between the user and other individuals or groups including, but not limited to, the following:\n\nBlogs\n\nOnline discussion forums, such as netmums.com\n\nCollaborative spaces, such as Facebook\n\nMedia-sharing devices, such as YouTube\n\n‘Micro-blogging’ applications, such as Twitter',
        },
        {
          id: '3.2',
          text: '3.2. For the purpose of this policy, “**cyber bullying**” is defined as any social media or communication technology intentionally used to bully an individual or group, including the posting or sharing of messages, images or videos.',
        },
        {
          id: '3.3',
          text: '3.3. For the purpose of this policy, “**members of the school community**” are defined as any teacher, member of support staff, pupil, parent of a pupil, governor or ex-pupil.',
        },
      ],
    },
    {
      id: '4',
      heading: 'Data protection principles',
      clauses: [
        {
          id: '4.1',
          text: '4.1. The school will obtain consent from pupils and parents at the beginning of each academic year using the Images and Videos Parental Consent Form, which will confirm whether or not consent is given for posting images and videos of a pupil on social media platforms. The consent will be valid for the entire academic year.',
        },
        {
          id: '4.2',
          text: '4.2. A record of consent is maintained throughout the academic year, which details the pupils for whom consent has been provided. The DPO is responsible for ensuring this consent record remains up-to-date.',
        },
        {
          id: '4.3',
          text: '4.3. For the purpose of section 4.1, where a pupil is assessed by the school to have the competence to understand what they are consenting to, the school will obtain consent directly from that pupil; otherwise, consent is obtained from whoever holds parental responsibility for the child.',
        },
        {
          id: '4.4',
          text: '4.4. Parents and pupils are able to withdraw or amend their consent at any time. To do so, parents and pupils must inform the school in writing.',
        },
        {
          id: '4.5',
          text: '4.5. Consent can be provided for certain principles only, for example only images of a pupil are permitted to be posted, and not videos. This will be made explicitly clear on the consent form provided.',
        },
        {
          id: '4.6',
          text: "4.6. Where parents or pupils withdraw or amend their consent, it will not affect the processing of any images or videos prior to when consent was withdrawn or amended. Processing will cease in line with parents' and pupils' requirements following this.",
        },
        {
          id: '4.7',
          text: '4.7. In line with section 4.5, wherever it is reasonably practicable to do so, the school will take measures to remove any posts before consent was withdrawn or amended, such as removing an image from a social media site.',
        },
        {
          id: '4.8',
          text: '4.8. The school will only post images and videos of pupils for whom consent has been received.',
        },
        {
          id: '4.9',
          text: '4.9. Only school-owned devices will be used to take images and videos of the school community, which have been pre-approved by the Headteacher for use.',
        },
        {
          id: '4.10',
          text: '4.10. When posting images and videos of pupils, the school will apply data minimisation techniques, such as pseudonymisation (blurring a photograph), to reduce the risk of a pupil being identified.',
        },
        {
          id: '4.11',
          text: "4.11. The school will not post pupils' personal details on social media platforms.",
        },
        {
          id: '4.12',
          text: "4.12. Pupils' full names will never be used alongside any videos or images in which they are present.",
        },
        {
          id: '4.13',
          text: '4.13. Only appropriate images and videos of pupils will be posted in which they are suitably dressed, i.e. it would not be suitable to display an image of a pupil in swimwear.',
        },
        {
          id: '4.14',
          text: "4.14. When posting on social media, the school will use group or class images or videos with general labels, e.g. 'sports day'.",
        },
        {
          id: '4.15',
          text: '4.15. Before posting on social media, staff will:\n - Refer to the consent record log to ensure consent has been received for that pupil and for the exact processing activities required.\n - Ensure that there is no additional identifying information relating to a pupil.',
        },
        {
          id: '4.16',
          text: "4.16. Any breaches of the data protection principles will be handled in accordance with the school's policies.",
        },
        {
          id: '4.17',
          text: '4.17. Consent provided for the use of images and videos only applies to school accounts – staff, pupils and parents are not permitted to post any imagery or videos on personal accounts.',
        },
      ],
    },
    {
      id: '5',
      heading: 'Social media use – staff',
      clauses: [
        {
          id: '5-p1',
          text: 'School accounts',
        },
        {
          id: '5.1',
          text: '5.1. School social media passwords are kept by the Business Manager – these are not shared with any unauthorised persons, including pupils, unless otherwise permitted by the Headteacher.',
        },
        {
          id: '5.2',
          text: '5.2. Staff will ensure any posts are positive in nature and relevant to pupils, the work of staff, the school or any achievements.',
        },
        {
          id: '5.3',
          text: '5.3. Staff will ensure the Headteacher has checked the content before anything is posted on social media.',
        },
        {
          id: '5.4',
          text: '5.4. If staff wish for reminders to be posted for parents, e.g. returning slips for a school trip, staff will seek permission from the Headteacher before anything is posted.',
        },
        {
          id: '5.5',
          text: '5.5. Staff will adhere to the data protection principles outlined in section 4 of this policy at all times.',
        },
        {
          id: '5.6',
          text: '5.6. Staff will not post any content online which is damaging to the school or any of its staff or pupils.\n\nPersonal accounts',
        },
        {
          id: '5.7',
          text: '5.7. Staff members will not access social media platforms during lesson times.',
        },
        {
          id: '5.8',
          text: '5.8. Staff members will not use any school-owned mobile devices to access personal accounts, unless it is beneficial to the material being taught – prior permission will be sought from the Headteacher.',
        },
        {
          id: '5.9',
          text: '5.9. Staff members are permitted to use social media during break times.',
        },
        {
          id: '5.10',
          text: "5.10. Staff are not permitted to use the school's WiFi network to access personal accounts, unless otherwise permitted by the Headteacher, and once the ICT Technician has ensured the necessary network security controls are applied.",
        },
        {
          id: '5.11',
          text: '5.11. Staff will avoid using social media in front of pupils.',
        },
        {
          id: '5.12',
          text: '5.12. Staff will not "friend" or otherwise contact pupils or parents through their personal social media accounts.',
        },
        {
          id: '5.13',
          text: '5.13. If pupils or parents attempt to "friend" a staff member, they will report this to the Headteacher.',
        },
        {
          id: '5.14',
          text: '5.14. Staff members will not provide their home address, phone number, mobile number, social networking details or email addresses to pupils or parents – any contact with pupils or parents will be done through authorised school contact channels.',
        },
        {
          id: '5.15',
          text: '5.15. Staff members will ensure the necessary privacy controls are applied to personal accounts.',
        },
        {
          id: '5.16',
          text: '5.16. Staff members will avoid identifying themselves as an employee of Sacred Heart RC on their personal social media accounts.',
        },
        {
          id: '5.17',
          text: '5.17. No staff member will post any content online that is damaging to the school or any of its staff or pupils.',
        },
        {
          id: '5.18',
          text: '5.18. Where staff members use social media in a personal capacity, they will ensure it is clear that views are personal and are not that of Sacred Heart RC.',
        },
        {
          id: '5.19',
          text: '5.19. Staff members will not post any information which could identify a pupil, class or the school – this includes any images, videos and personal information.',
        },
        {
          id: '5.20',
          text: '5.20. Staff will not take any posts, images or videos from social media that belong to the school for their own personal use.',
        },
        {
          id: '5.21',
          text: '5.21. Staff members will not post anonymously or under an alias to evade the guidance given in this policy.',
        },
        {
          id: '5.22',
          text: '5.22. Breaches of this policy by members of staff will be taken seriously, and in the event of illegal, defamatory or discriminatory content, could lead to prosecution, disciplinary action or dismissal.',
        },
        {
          id: '5.23',
          text: '5.23. Members of staff will be aware that if their out-of-work activity brings the school into disrepute, disciplinary action will be taken.',
        },
        {
          id: '5.24',
          text: '5.24. Members of staff will regularly check their online presence for negative content via search engines.',
        },
        {
          id: '5.25',
          text: '5.25. Attempts to bully, coerce or manipulate members of the school community via social media by members of staff will be dealt with as a disciplinary matter.',
        },
        {
          id: '5.26',
          text: '5.26. Members of staff will not leave a computer or other device logged in when away from their desk or save passwords.',
        },
        {
          id: '5.27',
          text: '5.27. Staff members will use their school email address for school business and personal email address for their private correspondence; the two should not be mixed.',
        },
      ],
    },
    {
      id: '6',
      heading: 'Social media use – pupils and parents',
      clauses: [
        {
          id: '6.1',
          text: '6.1. Pupils will not access social media during lesson time, unless it is part of a curriculum activity.',
        },
        {
          id: '6.2',
          text: '6.2. Pupils and parents will not attempt to “friend” or otherwise contact members of staff through their personal social media accounts. Pupils and parents are only permitted to be affiliates of school social media accounts.',
        },
        {
          id: '6.3',
          text: '6.3. Where a pupil or parent attempts to “friend” a staff member on their personal account, it will be reported to the Headteacher.',
        },
        {
          id: '6.4',
          text: '6.4. Pupils and parents will not post anonymously or under an alias to evade the guidance given in this policy.',
        },
        {
          id: '6.5',
          text: '6.5. Pupils and parents will not post any content online which is damaging to the school or any of its staff or pupils.',
        },
        {
          id: '6.6',
          text: '6.6. Pupils are instructed not to sign up to any social media sites that have an age restriction above the pupil’s age.',
        },
        {
          id: '6.7',
          text: '6.7. If inappropriate content is accessed online on school premises, it will be reported to a teacher.',
        },
        {
          id: '6.8',
          text: '6.8. Pupils are not permitted to use the school’s WiFi network to access any social media platforms unless prior permission has been sought from the Headteacher, and the ICT Technician has ensured appropriate network security measures are applied.',
        },
        {
          id: '6.9',
          text: '6.9. Parents are not permitted to use the school’s WiFi network to access any social media platforms on personal devices. Social media access on school-owned devices may be permitted in line with 6.8.',
        },
        {
          id: '6.10',
          text: '6.10. Breaches of this policy will be taken seriously, and in the event of illegal, defamatory or discriminatory content could lead to disciplinary, prosecution, or exclusion.',
        },
      ],
    },
    {
      id: '7',
      heading: 'Blocked content',
      clauses: [
        {
          id: '7.1',
          text: '7.1. In accordance with the school’s policies the ICT Technician installs firewalls on the school’s network to prevent access to certain websites.',
        },
        {
          id: '7.2',
          text: '7.2. Attempts made to circumvent the network’s firewalls will result in a ban from using school computing equipment, other than with close supervision.',
        },
        {
          id: '7.3',
          text: '7.3. Inappropriate content accessed on the school’s computers will be reported to the Headteacher (DSL), Business Manager ICT Technician so that the site can be blocked.',
        },
        {
          id: '7.4',
          text: '7.4. The Headteacher retains the right to monitor staff and pupil access to websites when using the school’s network and on school-owned devices.',
        },
      ],
    },
    {
      id: '8',
      heading: 'Cyber bullying',
      clauses: [
        {
          id: '8.1',
          text: '8.1. Cyber bullying incidents are taken seriously at Sacred Heart RC Any reports of cyber bullying on social media platforms by pupils will be handled in accordance with the Anti-Bullying Policy.',
        },
        {
          id: '8.2',
          text: '8.2. Allegations of cyber bullying from staff members will be handled in accordance with the Allegations Management Policy.',
        },
        {
          id: '8.3',
          text: '8.3. Staff members will not respond or retaliate to cyber bullying incidents. Incidents will be reported as inappropriate, and support will be sought from the Headteacher.',
        },
        {
          id: '8.4',
          text: '8.4. Evidence from the incident will be saved, including screen prints of messages or web pages, and the time and date of the incident.',
        },
        {
          id: '8.5',
          text: "8.5. Where the perpetrator is a current pupil or colleague, most incidents can be handled through the school's own disciplinary procedures.",
        },
        {
          id: '8.6',
          text: '8.6. Where the perpetrator is an adult, in nearly all cases, a member of the SLT will invite the victim to a meeting to address their concerns. Where appropriate, the perpetrator will be asked to remove the offensive content.',
        },
        {
          id: '8.7',
          text: '8.7. If the perpetrator refuses to comply, it is up to the school to decide what to do next. This could include contacting the internet service provider in question through their reporting mechanisms, if the offensive content breaches their terms and conditions.',
        },
        {
          id: '8.8',
          text: '8.8. If the material is threatening, abusive, sexist, of a sexual nature or constitutes a hate crime, the school will consider whether the police should be contacted.',
        },
        {
          id: '8.9',
          text: "8.9. As part of the school's ongoing commitment to the prevention of cyber bullying, regular education and discussion about e-safety will take place as part of computing and PSHE.",
        },
      ],
    },
    {
      id: '9',
      heading: 'Training',
      clauses: [
        {
          id: '9.1',
          text: '9.1. At Sacred Heart RC, we recognise that early intervention can protect pupils who may be at risk of cyber bullying or negative social media behaviour. As such, teachers will receive training in identifying potentially at-risk pupils.',
        },
        {
          id: '9.2',
          text: '9.2. Teachers and support staff will receive training on the Social Media Policy as part of their new starter induction.',
        },
        {
          id: '9.3',
          text: '9.3. Teachers and support staff will receive regular and ongoing training as part of their development.',
        },
        {
          id: '9.4',
          text: '9.4. Pupils will be educated about e-safety and appropriate social media use on a termly basis through a variety of mediums, including: assemblies, PSHE lessons and cross-curricular links.',
        },
        {
          id: '9.5',
          text: '9.5. Pupils will be provided with material to reinforce their knowledge, through PSHE and computing lessons as well as assemblies and safety days.',
        },
        {
          id: '9.6',
          text: '9.6. Parents will be invited to e-safety and social media training on an annual basis and provided with relevant resources.',
        },
        {
          id: '9.7',
          text: '9.7. Training for all pupils, staff and parents will be refreshed in light of any significant incidents or changes.',
        },
      ],
    },
    {
      id: '10',
      heading: 'Monitoring and review',
      clauses: [
        {
          id: '10.1',
          text: '10.1. This policy will be reviewed on an annual basis by the Headteacher, in conjunction with the ICT Technician and DPO.',
        },
      ],
    },
  ],
  citationAliases: {},
};
