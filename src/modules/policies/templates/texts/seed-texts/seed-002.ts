// Made by scripts/policy-texts.ts from the seed policy 002_df96ec7bf1b09361.txt: do not edit by hand.
import type { PolicyText } from '../policy-text.ts';

export const seed002Text: PolicyText = {
  title: 'Christ Church School, Hampstead: Schools Social Media Policy',
  sections: [
    {
      id: 'front-page',
      heading: 'Front page',
      clauses: [
        {
          id: 'front-page-p1',
          text: 'London Borough of Camden\n**SCHOOLS\nSOCIAL MEDIA POLICY**\nChrist Church School, Hampstead\nVersion v1.0\nDate Originated\nReviewed\nJuly 2014\nContents\tPage\n1. Introduction\t3\n2. Policy Scope\t3\n3. Objectives and Targets\t3\n4. The Use of Social Media within the School\t3\n5. Use of Social Media Outside of School\t4\n6. General Considerations\t4\n7. Misuse of Social Media\t5\n8. Misconduct and Disciplinary Action\t5\n9. Monitoring and Reviewing\t6\nAppendix\t\nGuidance on Responding to Misuse Incidents\t7',
        },
        {
          id: 'front-page-p2',
          text: 'The Governing Body of Christ Church adopted this policy on November 2014.',
        },
      ],
    },
    {
      id: '1',
      heading: 'Introduction',
      clauses: [
        {
          id: '1-p1',
          text: 'For the purposes of this policy, social media refers to web based social networks, internet forums and blogs, such as Facebook, Instagram, Pinterest, Vine. Given the rapid expansion of social media, it is impossible to list all possible types of media as they are constantly evolving and multiplying.',
        },
        {
          id: '1-p2',
          text: 'School staff should assume that all online activity is covered by this policy and should follow these guidelines in relation to any social media that they use, both at work and to an extent in their personal situation.',
        },
        {
          id: '1-p3',
          text: 'While acknowledging the benefits of social media and the internet it is also important to recognise that risk to the safety and well-being of users is ever-changing and that the misuse/abuse of these facilities can range from inappropriate to criminal; and Christ Church school has this policy in place to deal with any misuse of social media.',
        },
      ],
    },
    {
      id: '2',
      heading: 'Policy Scope',
      clauses: [
        {
          id: '2-p1',
          text: 'This policy applies to teachers, support staff, governors, volunteers and all who work on the school site.',
        },
      ],
    },
    {
      id: '3',
      heading: 'Objectives and Targets',
      clauses: [
        {
          id: '3-p1',
          text: 'This policy takes account of all the appropriate legislation and sets out to:',
        },
        {
          id: '3-p2',
          text: '- Assist those who work with pupils to work safely and responsibly, to monitor their own standards of behaviour and to prevent the abuse of their position of trust with pupils.\n- Offer guidance on utilising social media for educational, personal and recreational use.\n- Advise that, in the event of unsafe and/or unacceptable behaviour arising from the inappropriate use of social media, disciplinary or legal action (including gross misconduct leading to dismissal) will be taken if necessary in order to support safer working practices and minimise the risk of malicious allegations against staff colleagues and others who have contact with pupils at the school.',
        },
      ],
    },
    {
      id: '4',
      heading: 'The Use of Social Media within the School',
      clauses: [
        {
          id: '4-p1',
          text: "School staff are not permitted to access social media websites from the school's computers or other school devices at any time, unless authorised to do so by a member of the school leadership team.",
        },
        {
          id: '4-p2',
          text: "However, staff may use their own devices to access social media websites while they are in school, outside of session times. Excessive use of social media, which could be considered to interfere with school productivity and providing an education service, and therefore be considered as a misconduct matter, and subject to the school's disciplinary policy and procedure.",
        },
        {
          id: '4-p3',
          text: 'Staff should assume that any content they write (regardless of their privacy settings) could become public. Therefore, they should ensure that any content they produce is professional maintaining a clear distinction between their personal and professional school lives.',
        },
        {
          id: '4-p4',
          text: 'Any use of social media made in a professional capacity must not:',
        },
        {
          id: '4-p5',
          text: '- Bring the school into disrepute;\n- breach confidentiality;\n- breach copyrights of any kind;\n- bully, harass or be discriminatory in any way;\n- be defamatory or derogatory.',
        },
      ],
    },
    {
      id: '5',
      heading: 'Use of Social Media Outside of School',
      clauses: [
        {
          id: '5-p1',
          text: "The school appreciates that staff may make use of social media in a personal capacity. However, staff must be aware that if they are recognised from their user profile as being associated with the school, opinions they express could be considered to reflect the school's opinions and so could damage the reputation of the school. For this reason, they should avoid mentioning the school by name, or any member of staff by name or position or any details relating to a pupil of the school. Opinions offered should not bring the school into disrepute, breach confidentiality or copyright, or bully, harass or discriminate in any way.",
        },
      ],
    },
    {
      id: '6',
      heading: 'General Considerations',
      clauses: [
        {
          id: '6-p1',
          text: 'When using social media whether at work or outside of work staff and others within school should:',
        },
        {
          id: '6-p2',
          text: '- Never share work log-in details or passwords.\n- Keep personal phone numbers private.\n- Never give personal email addresses or other personal data to pupils or parents or any other party.\n- Disclose any information confidential to school to third parties\n- Publish material that is illegal\n- Restrict access to certain groups of people on their social media sites and pages.\n- Link to your own blog or other personal web pages to the school website',
        },
        {
          id: '6-p3',
          text: "Those working with children have a legal duty of care and are therefore, expected to adopt the highest standards of behaviour to retain the confidence and respect of governors, colleagues and pupils both within and outside of school. They should maintain appropriate boundaries and manage personal information effectively so that it cannot be misused by third parties e.g. for 'cyber-bullying' or identity theft.",
        },
        {
          id: '6-p4',
          text: "Staff are prohibited from and should not make 'friends' with pupils at the school because this could potentially be construed as 'grooming', nor should they accept invitations to become a 'friend' of any pupils.",
        },
        {
          id: '6-p5',
          text: "Staff should also carefully consider contact with a pupil's family members because this may give rise to concerns over objectivity and/or impartiality.",
        },
        {
          id: '6-p6',
          text: "Staff should keep any communications with pupils transparent and professional and should only use the school's systems for communications. Governors should be mindful of this as well and act similarly in the course of their duties.",
        },
        {
          id: '6-p7',
          text: "If there is any doubt or uncertainty about whether communication between a pupil/ parent and member of staff is acceptable and appropriate a member of the school's leadership team should be informed; so that they can decide how to deal with the situation. All staff are personally responsible for what they communicate on social media.",
        },
        {
          id: '6-p8',
          text: 'Often materials published will be accessible by the public and will remain accessible for a long time. Before joining the school, new employees should check any information they have posted on social media sites and remove any post(s) that could embarrassment or offence.',
        },
      ],
    },
    {
      id: '7',
      heading: 'Misuse of Social Media',
      clauses: [
        {
          id: '7-p1',
          text: 'While acknowledging the undoubted benefits of social media and the internet; it is also important to recognise that there is a risk to the safety and well-being of users. This is ever-changing and evolving and that the misuse/abuse of these facilities can range from inappropriate to criminal. Misuse of social media can be summarised as follows:',
        },
        {
          id: '7-p2',
          text: 'Contact',
        },
        {
          id: '7-p3',
          text: '- Commercial (tracking, harvesting personal information).\n- Aggressive (being bullied, harassed or stalked).\n- Sexual (meeting strangers, being groomed).\n- Values (self-harm, unwelcome persuasions).',
        },
        {
          id: '7-p4',
          text: 'Conduct',
        },
        {
          id: '7-p5',
          text: '- Commercial (illegal downloading, hacking, gambling, financial scams).\n- Aggressive (bullying or harassing another).\n- Sexual (creating and uploading inappropriate material).\n- Values (providing misleading information or advice).',
        },
        {
          id: '7-p6',
          text: 'Content',
        },
        {
          id: '7-p7',
          text: '- Commercial (adverts, spam, sponsorship, personal information).\n- Aggressive (violent/hateful content).\n- Sexual (pornographic or unwelcome sexual content).\n- Values (bias, any protected characteristic defined under the Equality Act 2010, misleading info or advice).',
        },
      ],
    },
    {
      id: '8',
      heading: 'Misconduct and Disciplinary Action',
      clauses: [
        {
          id: '8-p1',
          text: "Any alleged breach of conduct under this policy may lead to disciplinary action under the school's disciplinary policy and procedure. Any serious breaches of this policy which are proven, such as incidents of bullying or of social media activity causing reputational or material damage to the school, may constitute gross misconduct and could lead to the staff member's dismissal.",
        },
        {
          id: '8-p2',
          text: "In addition all school staff, governors and volunteers must be aware of what is considered to be 'criminal', constituting an illegal act, when using social media or the internet and electronic communication in general. For example buying or selling stolen goods, cypher bullying, inciting of religious hatred and acts of terrorism, the grooming and harassment of a child or young person. These examples are not exhaustive, and you are act caution and on advice if you are unsure.",
        },
        {
          id: '8-p3',
          text: 'There may be other actions in which might result in civil offences being committed and being pursued by other parties e.g. downloading of multimedia which infringes copyright.',
        },
        {
          id: '8-p4',
          text: 'Teachers should be mindful that their standards of conduct have to meet the requirements imposed on them by Part Two of the Teachers Standards.',
        },
        {
          id: '8-p5',
          text: '<https://www.gov.uk/government/publications/teachers-standards>',
        },
      ],
    },
    {
      id: '9',
      heading: 'Monitoring and Reviewing',
      clauses: [
        {
          id: '9-p1',
          text: 'The school will monitor the impact of this policy using logs of reported incidents and the policy and school practices will be reviewed by the governors annually or more regularly if required, in the light of any incidents that have taken place. The school is also mindful of significant new developments in the use of the technologies, or perceived new threats, in response periodically we will seek professional advice to ensure we are responding appropriately.',
        },
      ],
    },
    {
      id: 'Appendix A',
      heading: 'Appendix A',
      clauses: [
        {
          id: 'Appendix A-p1',
          text: 'Guidance on Responding to Misuse Incidents',
        },
        {
          id: 'Appendix A-p2',
          text: 'Facebook Instagram, Pinterest, Vine or other similar channels (for incidents of cyberbullying or inappropriate behaviour)',
        },
        {
          id: 'Appendix A-p3',
          text: "- If you know the identity of the perpetrator, contacting their parents or, in the case of older children, the young person themselves to ask that the offending content be removed.\n- Failing that, having kept a copy of the page or message in question, delete the content and take action as appropriate.\n- For messages, on Facebook the 'delete and report / block user facilities' are found in the 'Actions' dropdown on the page on which the message appears.\n- For whole pages, the 'unfriend and report / block user facilities' are at the bottom of the left hand column.\n - Always try to cite which of the Facebook terms and conditions have been violated at <http://www.facebook.com/terms.php> or community standards at <http://www.facebook.com/communitystandards/>.\n- If the page is authored by someone under 13 years of age then click on the following link: http://www.facebook.com/help/contact.php?show_form=underage.\n- To remove a post from a profile, hover over it and on the right there will be a cross to delete it.\n- To report abuse or harassment, email abuse@facebook.com. Facebook will acknowledge receipt of your email and start looking into your complaint within 24 hours. They will get back to you within 72 hours of receiving your complaint.\n- If all else fails, support the victim, if they wish, to contact CEOP' (Child Exploitation & Online Protection Centre) <http://www.ceop.police.uk/safety-centre/>\n- If the person subject of the alleged abuse is determined to continue using Facebook, they might want to delete their account and start again under a different name. Deletion can be undertaken via https://ssl.facebook.com/help/contact.php?show_form=delete_account.\n- They should be made aware of the privacy issues that might have given rise to their problem in the first place:\n - You will not bully, intimidate, or harass any user.\n - You will not provide any false personal information on Facebook, or create an account for anyone other than yourself without permission.\n - You will not post content or take any action on Facebook that infringes or violates someone else's rights or otherwise violates the law.",
        },
        {
          id: 'Appendix A-p4',
          text: 'The school policies and protocols on child protection, safeguarding and e-safety **must be** followed and complied with if any apparent, suspected or actual misuse appears to involve illegal or inappropriate activity:',
        },
        {
          id: 'Appendix A-p5',
          text: '<http://www.christchurchschool.co.uk/>',
        },
        {
          id: 'Appendix A-p6',
          text: '- Child sexual abuse images.\n- Adult material which potentially breaches the Obscene Publications Act.\n- Criminally racist material.\n- Other criminal conduct, activity or materials.',
        },
        {
          id: 'Appendix A-p7',
          text: "- Any actions online that impact on the school and can potentially damage the school's (or someone in the school's) reputation in some way or are deemed as being inappropriate will **always** be responded to.\n- In the event that any member of staff, student or parent/carer is found to be posting libellous or inflammatory comments on Facebook or other social networking sites professional advice will be sought by the school. Possible outcomes are that the police will be involved and/or legal action pursued by the school and/or disciplinary action may result.\n- The current Criminal Prosecution Service (CPS) guidance '*Guidelines on prosecuting cases involving communications sent via social media*' came into effect on 20 June 2013 and set out the approach that prosecutors should take when making decisions in relation to cases where it is alleged that criminal offences have been committed by the sending of a communication via social media.",
        },
      ],
    },
  ],
  citationAliases: {},
};
