// Made by scripts/policy-texts.ts from the seed policy 000_2b37c4910724014e.txt: do not edit by hand.
import type { PolicyText } from '../policy-text.ts';

export const seed000Text: PolicyText = {
  title: 'Jump Primary School Social Networking Policy',
  sections: [
    {
      id: 'front-page',
      heading: 'Front page',
      clauses: [
        {
          id: 'front-page-p1',
          text: 'Jump Primary School',
        },
        {
          id: 'front-page-p2',
          text: 'Social Networking Policy 2018',
        },
        {
          id: 'front-page-p3',
          text: 'Jump Primary School\nSocial Networking Policy\nJune 2018',
        },
        {
          id: 'front-page-p4',
          text: 'Jump Primary School is committed to safeguarding and promoting the welfare of children and expects all staff, governors and volunteers to share this commitment.',
        },
      ],
    },
    {
      id: 'objectives',
      heading: 'Objectives',
      clauses: [
        {
          id: 'objectives-p1',
          text: "This policy sets out Jump Primary School's policy on social networking.",
        },
        {
          id: 'objectives-p2',
          text: "Social media and social networking sites play an important role in the lives of many people. We recognise that sites bring risks, but equally there are many benefits to be reaped. Social networking activities conducted online, outside work, such as blogging, involvement in social networking sites, such as Facebook or Twitter, and posting material, images or comments on sites, such as You Tube, can have a positive or negative effect on an organisation's reputation or image.",
        },
        {
          id: 'objectives-p3',
          text: 'Jump Primary School has a firm commitment to safeguarding children in all aspects of its work and this policy has been written to set out the key principles and code of conduct that we expect of all members of staff, governors and volunteers with respect to their responsibilities in connection with the use of social networking sites. It also comments on the role of parents when accessing social networking sites.',
        },
      ],
    },
    {
      id: 'key-principles',
      heading: 'Key Principles',
      clauses: [
        {
          id: 'key-principles-p1',
          text: '- Everyone at Jump Primary School has a responsibility to ensure that they protect the reputation of the school, and to treat colleagues and members of the school with professionalism and respect.\n- It is important to protect everyone at Jump Primary School from allegations and misinterpretations which can arise from the use of social networking sites.\n- Safeguarding children is a key responsibility of all stakeholders and it is essential that everyone at Jump Primary School considers this and acts responsibly if they are using social networking sites out of school. Anyone working in the school, either as a paid employee or volunteer must not communicate with children via social networking.\n- This policy relates to social networking outside work. Blogging and accessing social networking sites at work or at home using school equipment is not permitted, unless for professional purposes and authorised by the Headteacher.',
        },
      ],
    },
    {
      id: 'aims',
      heading: 'Aims',
      clauses: [
        {
          id: 'aims-p1',
          text: '- To set out the key principles and code of conduct expected of all members of staff, governors and volunteers at Jump Primary School with respect to social networking.\n- To further safeguard and protect children, staff, governors and volunteers.',
        },
      ],
    },
    {
      id: 'overview-and-expectations',
      heading: 'Overview and Expectations',
      clauses: [
        {
          id: 'overview-and-expectations-p1',
          text: 'All adults working with children have a responsibility to maintain public confidence in their ability to safeguard the welfare and best interests of children. It is therefore expected that they will adopt high standards of personal conduct in order to maintain the confidence and respect of their colleagues, children, public in general and all those with whom they work. Adults in contact with children should therefore understand and be aware that safe practice also involves using judgement and integrity about behaviours in places other than the work setting.',
        },
        {
          id: 'overview-and-expectations-p2',
          text: "The guidance contained in this policy is an attempt to identify what behaviours are expected of schools' staff who work with children. Anyone whose practice deviates from this document and/or their professional or employment-related code of conduct may bring into question their suitability to work with children and young people and may result in disciplinary action being taken against them.",
        },
        {
          id: 'overview-and-expectations-p3',
          text: 'School staff should always maintain appropriate professional boundaries and avoid behaviour, during their use of the internet and other communication technologies, which might be misinterpreted by others. They should report and record any incident with this potential to the E-Safety co-ordinator or the Designated Safeguarding Lead.',
        },
      ],
    },
    {
      id: 'the-role-of-staff-governors-and-volunteers-when-social-networking',
      heading: 'The role of Staff, Governors and Volunteers when Social Networking',
      clauses: [
        {
          id: 'the-role-of-staff-governors-and-volunteers-when-social-networking-p1',
          text: 'Under no circumstances should staff make inappropriate reference to any staff member and should not make any reference to a pupil or parent via social networks.',
        },
        {
          id: 'the-role-of-staff-governors-and-volunteers-when-social-networking-p2',
          text: 'The following are also **not considered acceptable** at Jump Primary School:',
        },
        {
          id: 'the-role-of-staff-governors-and-volunteers-when-social-networking-p3',
          text: "- The use of the school's name, logo, or any other published material without written prior permission from the Headteacher. This applies to any published material including the internet or written documentation.\n- The posting of any communication or images which links the school to any form of illegal conduct or which may damage the reputation of the school. This includes defamatory comments.",
        },
        {
          id: 'the-role-of-staff-governors-and-volunteers-when-social-networking-p4',
          text: '- The disclosure of confidential or business-sensitive information; or the disclosure of information or images that could compromise the security of the school.\n- The posting of any images of employees, children, governors or anyone directly connected with the school.',
        },
        {
          id: 'the-role-of-staff-governors-and-volunteers-when-social-networking-p5',
          text: 'In addition to the above everyone at Jump Primary School must ensure that they:',
        },
        {
          id: 'the-role-of-staff-governors-and-volunteers-when-social-networking-p6',
          text: "- Never 'friend' a pupil at the school on their social networking site.\n- Do not make any derogatory, defamatory, rude, threatening or inappropriate comments about the school, or anyone at or connected with the school.\n- Use social networking sites responsibly and ensure that neither their personal nor professional reputation, nor the school's reputation is compromised by inappropriate postings.\n- Are aware of the potential of on-line identity fraud and to be cautious when giving out personal information about themselves which may compromise their personal safety and security.",
        },
      ],
    },
    {
      id: 'potential-and-actual-breaches',
      heading: 'Potential and Actual Breaches',
      clauses: [
        {
          id: 'potential-and-actual-breaches-p1',
          text: 'In instances where there has been a breach, the following will apply:',
        },
        {
          id: 'potential-and-actual-breaches-p2',
          text: "- Any breaches of this policy will be fully investigated. Where it is found that there has been a breach of the policy this may result in action being taken under the Disciplinary Procedure. A breach of this policy will be considered to be a serious disciplinary offence which is also contrary to the school's ethos and principles.\n- The Governing Body will take appropriate action in order to protect the school's reputation and that of its staff, parents, governors, children and anyone else directly linked to the school.",
        },
      ],
    },
    {
      id: 'the-role-of-parents-when-social-networking',
      heading: 'The Role of Parents When Social Networking',
      clauses: [
        {
          id: 'the-role-of-parents-when-social-networking-p1',
          text: 'Parents and carers will be made aware of their responsibilities regarding their use of social networking. Methods of school communication include the prospectus, the website, newsletters, letters and verbal discussion. School policies and documents provide further information regarding appropriate channels of communication and means of resolving differences of opinion. Effective communication following principles of mutual respect is the best means of ensuring the best learning experiences for the child.',
        },
        {
          id: 'the-role-of-parents-when-social-networking-p2',
          text: 'Parents must not post pictures of pupils, other than their own children, on social networking sites where these photographs have been taken at a school event. Parents should make complaints through official school channels rather than posting them on social networking sites.',
        },
        {
          id: 'the-role-of-parents-when-social-networking-p3',
          text: 'Parents should not post malicious or fictitious comments on social networking sites about any member of the school community.',
        },
        {
          id: 'the-role-of-parents-when-social-networking-p4',
          text: '.....',
        },
        {
          id: 'the-role-of-parents-when-social-networking-p5',
          text: 'Whilst every attempt has been made to cover a wide range of situations, it is recognised that this policy cannot cover all eventualities. There may be times when professional judgements are made in situations not covered by this document, or which directly contravene the standards outlined in this document. It is expected that in these circumstances staff will always advise the Headteacher of the justification for any such action already taken or proposed. The Headteacher will in turn seek advice from Barnsley Council where appropriate.',
        },
        {
          id: 'the-role-of-parents-when-social-networking-p6',
          text: 'This policy takes account of employment legislation and best practice guidelines in relation to social networking in addition to the legal obligations of governing bodies and the relevant legislation.',
        },
      ],
    },
    {
      id: 'safer-online-behaviour',
      heading: 'Safer Online Behaviour',
      clauses: [
        {
          id: 'safer-online-behaviour-p1',
          text: 'Staff are encouraged to ensure the highest settings of privacy are applied to all social network profiles and APPs.',
        },
        {
          id: 'safer-online-behaviour-p2',
          text: 'In their own interests, staff need to be aware of the dangers of putting personal information onto social networking sites, such as addresses, home and mobile phone numbers and their place of work. This will avoid the potential for children or their families or friends having access to staff outside of the school environment. It also reduces the potential for identity theft by third parties. All staff, particularly new staff, should review their social networking sites when they join the school to ensure that information available publicly about them is accurate and appropriate. This includes any photographs that may cause embarrassment to themselves and the school if they are published outside of the site.',
        },
        {
          id: 'safer-online-behaviour-p3',
          text: 'Employees need to ensure that when they are communicating about others, even outside of work, that they give due regard to the potential for defamation of character. Making allegations on social networking sites (even in their own time and in their own homes) about other employees, children or other individuals connected with the school, or another school, or Barnsley Council could result in formal action being taken against them. This includes the uploading of photographs which might put the school into disrepute.',
        },
      ],
    },
    {
      id: 'mobile-phones-camera-ipad-usage',
      heading: 'Mobile Phones/Camera/iPad Usage',
      clauses: [
        {
          id: 'mobile-phones-camera-ipad-usage-p1',
          text: 'To ensure the safety and welfare of children in our care personal mobile phones, cameras and video recorders must not be used when children are present.',
        },
        {
          id: 'mobile-phones-camera-ipad-usage-p2',
          text: '- All mobile phones must be kept in a secure place and not be accessed throughout contact time with the children.\n- In exceptional circumstances, which have been discussed and agreed with a member of the leadership team, staff may keep their phone accessible as long as they use their phone out of view of children, i.e. in a room designated for staff, e.g. the staff room or an office.\n- During school visits the school mobile should be used.\n- Photographs or images of any children within our care may only be taken following parental consent and only using one of the school cameras / ipads. These images should remain within this setting or be shared only with the parents of the child concerned.\n- Personal mobiles, cameras or video recorders cannot be used to record classroom activities. ONLY school property can be used for this.\n- School photographs and recordings can only be transferred to a school computer.',
        },
      ],
    },
    {
      id: 'protection-of-personal-information',
      heading: 'Protection of Personal Information',
      clauses: [
        {
          id: 'protection-of-personal-information-p1',
          text: 'Staff should not give their personal e-mail addresses to children or parents. Where there is a need for communication to be sent electronically your school e-mail address should be used. Likewise staff should keep their personal phone numbers private and not use their own mobile phones to contact children or parents in a professional capacity. There will be occasions when there are social contacts between children and staff, where for example the parent and teacher are part of the same social circle or staff are transport escorts. These contacts however, will be easily recognised and openly acknowledged. Staff have a responsibility to make any such contact known to the senior leadership team.',
        },
        {
          id: 'protection-of-personal-information-p2',
          text: 'Staff should never share their work log-ins or passwords with other people.',
        },
        {
          id: 'protection-of-personal-information-p3',
          text: 'Staff are advised to understand who is allowed to view the content on their pages of the sites they use and how to restrict access to certain groups of people.',
        },
      ],
    },
    {
      id: 'access-to-inappropriate-images-and-internet-usage',
      heading: 'Access to Inappropriate Images and Internet Usage',
      clauses: [
        {
          id: 'access-to-inappropriate-images-and-internet-usage-p1',
          text: 'There are no circumstances that will justify adults possessing indecent images of children. Staff who access and possess links to such websites will be viewed as a significant and potential threat to children. Accessing, making and storing indecent',
        },
        {
          id: 'access-to-inappropriate-images-and-internet-usage-p2',
          text: 'images of children are illegal. This will lead to criminal investigation and the individual being barred from working with children, if proven.',
        },
        {
          id: 'access-to-inappropriate-images-and-internet-usage-p3',
          text: 'Staff should not use equipment belonging to their school/service to access any pornography; neither should personal equipment containing these images or links to them be brought into the workplace. This will raise serious concerns about the suitability of the adult to continue to work with children.',
        },
        {
          id: 'access-to-inappropriate-images-and-internet-usage-p4',
          text: 'Where indecent images of children are found by staff, the police should be immediately informed. Schools should not attempt to investigate the matter or evaluate the material themselves, as this may lead to evidence being contaminated which in itself can lead to a criminal prosecution.',
        },
        {
          id: 'access-to-inappropriate-images-and-internet-usage-p5',
          text: 'Where other unsuitable material is found, which may not be illegal but which raises concerns about that member of staff, Barnsley Council should be informed and advice sought. The school should not attempt to investigate or evaluate the material themselves until such advice is received.',
        },
      ],
    },
    {
      id: 'cyberbullying',
      heading: 'Cyberbullying',
      clauses: [
        {
          id: 'cyberbullying-p1',
          text: "Jump Primary School's definition of cyberbullying is **'the use of modern communication technologies to embarrass, humiliate, threaten or intimidate an individual in the attempt to gain power and control over them.'**",
        },
        {
          id: 'cyberbullying-p2',
          text: 'In order to reduce the potential for cyberbullying children are not allowed to bring phones into the classroom.',
        },
        {
          id: 'cyberbullying-p3',
          text: 'Prevention activities are key to ensuring that staff are protected from the potential threat of cyberbullying. All employees are reminded of the need to protect themselves from the potential threat of cyberbullying. Following the advice contained in this guidance should reduce the risk of personal information falling into the wrong hands.',
        },
        {
          id: 'cyberbullying-p4',
          text: 'If cyberbullying does take place, employees should keep records of the abuse, text, e-mails, website or instant message and should not delete texts or e-mails. Employees are advised to take screen prints of messages or web pages and be careful to record the time, date and place of the site.',
        },
        {
          id: 'cyberbullying-p5',
          text: 'Staff are encouraged to report all incidents of cyberbullying to the E-Safety Co-ordinator or the Headteacher. All such incidents will be taken seriously and will be dealt with in consideration of the wishes of the person who has reported the',
        },
        {
          id: 'cyberbullying-p6',
          text: 'incident. It is for the individual who is being bullied to decide whether they wish to report the actions to the police.',
        },
      ],
    },
    {
      id: 'prevent',
      heading: 'PREVENT',
      clauses: [
        {
          id: 'prevent-p1',
          text: 'What is the Prevent strategy?',
        },
        {
          id: 'prevent-p2',
          text: 'Prevent is a government strategy designed to stop people becoming terrorists or supporting terrorist or extremist causes. The Prevent strategy covers all types of terrorism and extremism, including the extreme right wing, violent Islamist groups and other causes.',
        },
        {
          id: 'prevent-p3',
          text: 'How does the Prevent strategy apply to social media?',
        },
        {
          id: 'prevent-p4',
          text: 'From July 2015 all schools (as well as other organisations) have a duty to safeguard children from radicalisation and extremism. This means we have a responsibility to protect children from extremist and violent views the same way we protect them from drugs or gang violence - this extends to using social media, which can be a source for extremists / terrorists groups.',
        },
        {
          id: 'prevent-p5',
          text: 'Importantly, we can provide a safe place for pupils to discuss these issues so they better understand how to protect themselves.',
        },
        {
          id: 'prevent-p6',
          text: 'What does this mean in practice?',
        },
        {
          id: 'prevent-p7',
          text: 'Many of the things we already do in school to help children become positive, happy members of society also contribute to the Prevent strategy.',
        },
        {
          id: 'prevent-p8',
          text: 'These include:',
        },
        {
          id: 'prevent-p9',
          text: '- Exploring other cultures and religions and promoting diversity\n- Challenging prejudices and racist comments\n- Developing critical thinking skills and a strong, positive self-identity\n- Promoting the spiritual, moral, social and cultural development of pupils, as well as British values such as democracy',
        },
        {
          id: 'prevent-p10',
          text: "We will also protect children from the risk of radicalisation, for example by using filters on the internet to make sure they can't access extremist and terrorist material, or by vetting visitors who come into school to work with pupils.",
        },
        {
          id: 'prevent-p11',
          text: 'Different schools will carry out the Prevent duty in different ways, depending on the age of the children and the needs of the community.',
        },
      ],
    },
    {
      id: 'link-with-other-policies',
      heading: 'Link with Other Policies',
      clauses: [
        {
          id: 'link-with-other-policies-p1',
          text: 'This policy should be read in conjunction with the following school policies:',
        },
        {
          id: 'link-with-other-policies-p2',
          text: '- Internet Security and Acceptable Usage Policy\n- Safeguarding and Child Protection Policy\n- E-Safety Policy\n- Behaviour Policy\n- Complaints Policy\n- Consent Policy',
        },
        {
          id: 'link-with-other-policies-p3',
          text: 'All employees must adhere to, and apply the principles of the policy in all aspects of their work. Failure to do so may lead to action being taken under the disciplinary procedure.',
        },
      ],
    },
    {
      id: 'review-of-policy',
      heading: 'Review of Policy',
      clauses: [
        {
          id: 'review-of-policy-p1',
          text: 'Due to the ever changing nature of information and communication technologies it is best practice that this policy be reviewed annually.',
        },
      ],
    },
  ],
  citationAliases: {},
};
