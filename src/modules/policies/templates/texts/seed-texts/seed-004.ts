// Made by scripts/policy-texts.ts from the seed policy 004_900ebe4bba8b35d7.txt: do not edit by hand.
import type { PolicyText } from '../policy-text.ts';

export const seed004Text: PolicyText = {
  title: 'John Clifford Primary School Social Media Policy',
  sections: [
    {
      id: 'front-page',
      heading: 'Front page',
      clauses: [
        {
          id: 'front-page-p1',
          text: 'Social Media Policy',
        },
        {
          id: 'front-page-p2',
          text: 'Date of review\tApril 2017\nSigned\tMick Saunders',
        },
        {
          id: 'front-page-p3',
          text: 'Document History',
        },
        {
          id: 'front-page-p4',
          text: 'Policy Created in 2017',
        },
        {
          id: 'front-page-p5',
          text: 'Policy Updated and reviewed -',
        },
      ],
    },
    {
      id: 'introduction',
      heading: 'Introduction',
      clauses: [
        {
          id: 'introduction-p1',
          text: 'Social media and social networking sites play an important role in the lives of many people. We recognise that school has a role in balancing the benefits and risks of such websites for all in our school community. When children are admitted to JC, permissions are sought regarding the visual representation of children. Parents are asked to give the following permissions: for the child to be photographed for classroom displays and yearly class photograph by the school photographer; for school publications such as the prospectus as well as other publications such as local newspapers; for images to be published on the school website. This information is stored centrally and consulted when events are digitally recorded in school. This policy gives clarity to the way in which social media are to be used by pupils, governors, visitors, parent helpers and school staff at John Clifford School. It will also provide guidance for parents.',
        },
        {
          id: 'introduction-p2',
          text: 'There are four key areas:',
        },
        {
          id: 'introduction-p3',
          text: '- A. The use of social media within school**\n- B. The use of social media by staff and governors in a personal capacity**\n- C. Use of social media by families**\n- D. Use of mobile phones and digital photography**',
        },
      ],
    },
    {
      id: 'A',
      heading: 'The use of social media within school',
      clauses: [
        {
          id: 'A-p1',
          text: "The school's Acceptable Use of ICT Policy (AUP) outlines the rules for using IT in school and these rules therefore apply to the use of social networking sites. Children receive regular e-safety education in lessons and assembly times and as such are made aware of their responsibilities towards themselves and others. Most social networking sites are not appropriate for use in school. Significantly, most commercial social networking websites such as Facebook, Instagram and Twitter require members to be at least 13 years of age. Consequently, no such websites are used with children in school.",
        },
      ],
    },
    {
      id: 'B',
      heading: 'The use of social networking by staff and governors in a personal capacity',
      clauses: [
        {
          id: 'B-p1',
          text: 'It is likely that most members of staff and governors will have their own social networking site accounts. It is important for them to protect their professional reputation and that of the school by ensuring that they use their personal accounts in an appropriate manner.',
        },
        {
          id: 'B-p2',
          text: 'Nottinghamshire County Council Employee Code of Conduct is issued to all staff and offers guidance, including the following:',
        },
        {
          id: 'B-p3',
          text: "- Staff should only use social media in a way that does not conflict with the current Teachers' Standards.\n- Staff should not add pupils as 'friends' into their personal accounts (including past pupils under the age of 16).\n- Staff are strongly advised not to add parents as 'friends' into their personal accounts.\n - Staff must not post negative comments about the school, pupils, parents or colleagues including members of the Governing Body.\n - Staff should review and adjust their privacy settings to give them the appropriate level of privacy and confidentiality.\n - Staff should not use social media sites during lesson times.\n - Inappropriate use by staff or the governing body should be referred to the Headteacher in the first instance and may lead to disciplinary action.",
        },
      ],
    },
    {
      id: 'C',
      heading: 'The use of social media by parents, carers and guardians.',
      clauses: [
        {
          id: 'C-p1',
          text: 'Parents, carers and guardians will be made aware of their responsibilities regarding their use of social media. Information will be provided in a variety of different ways: via information letters, through the website and e-safety assemblies and events that the parents will be invited to. We will seek to engage the support of parents in providing a safe environment for all of the children in our care.',
        },
        {
          id: 'C-p2',
          text: 'In line with this, we suggest the following guidelines:',
        },
        {
          id: 'C-p3',
          text: '- Parents should not post pictures of pupils, other than their own children, on social networking sites where these photographs have been taken at school or at a school event.\n- Parents should not post libellous or fictitious comments on social networking sites about any member of the school community.\n- Parents should make enquiries or complaints through discussion directly with school staff as outlined in our Complaints Policy, rather than posting them on social media websites.',
        },
        {
          id: 'C-p4',
          text: 'The school is unable to respond to comments and queries posted on school-managed social media websites.',
        },
      ],
    },
    {
      id: 'D',
      heading: 'The use of mobile phones and digital photography',
      clauses: [
        {
          id: 'D-p1',
          text: 'Children are not allowed to have mobile phones in school. If children bring a phone to school they must take it to the School Office where it will be kept safely until the end of the school day.',
        },
        {
          id: 'D-p2',
          text: 'Children sometimes have their photographs taken to provide evidence of their achievements and to celebrate learning and achievements. This includes photographs of activities in school, on educational visits or as part of sporting events.',
        },
        {
          id: 'D-p3',
          text: 'To ensure safe use of photography, all staff will follow the following guidelines in relation to photography:',
        },
        {
          id: 'D-p4',
          text: '- Photographs will be stored on the school network and not on personal equipment.\n- Photographs will be archived at the end of the academic year on a secure external drive and then deleted the following year unless required as evidence of achievement.\n- Photographs may be displayed around the school in the context of learning and celebratory displays, such as Star of the Week.\n- Photographs will **not** be taken of children when wearing swimming costumes or taking part in swimming lessons.\n- Where photographs are used outside the school, such as on the JC website or in school publications, no names will be given of individual children.\n- Where photographs are requested for use in other media, such as newspapers, or where it might be appropriate to include a name with a photograph, we would seek express written permission from parents/carers in advance.\n- Visitors are asked not to use cameras or mobile phones at school. We do not permit visitors to take photographs of children, other than parents and carers at organised school events.\n- Events such as assemblies, Sports Day, outings, religious observances and fundraising events may be recorded by video and photographed by staff and parent/carers but always in full view of all attending.',
        },
      ],
    },
  ],
  citationAliases: {},
};
