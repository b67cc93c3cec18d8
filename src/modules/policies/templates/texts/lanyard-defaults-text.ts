import type { PolicyText } from './policy-text.ts';

/**
 * Lanyard's defaults profile's own short policy text (issue 16 item 1): plain words for a school
 * that starts from Lanyard's defaults, to edit into its own. Its rules cite 'Lanyard default',
 * which opens the section below of the same name.
 */
export const lanyardDefaultsText: PolicyText = {
  title: 'Social media policy',
  citationAliases: {},
  sections: [
    {
      id: 'lanyard-default',
      heading: 'Lanyard default',
      clauses: [
        {
          id: 'lanyard-default-p1',
          text: 'This policy sets out how the school, its staff, volunteers, governors, parents and pupils use social media safely and responsibly. The school’s settings in Lanyard put each rule into practice; the school should replace these words with its own.',
        },
      ],
    },
    {
      id: 'purpose',
      heading: 'Purpose',
      clauses: [
        {
          id: '1.1',
          text: 'The school uses social media to celebrate pupils’ work and keep families informed, while keeping pupils safe and protecting everyone’s privacy.',
        },
      ],
    },
    {
      id: 'consent',
      heading: 'Photographs, videos and consent',
      clauses: [
        {
          id: '2.1',
          text: 'The school asks parents for consent before a pupil’s photograph or video is published, records each answer, and stops publishing when consent is withdrawn.',
        },
      ],
    },
    {
      id: 'conduct',
      heading: 'Staff, volunteers and governors',
      clauses: [
        {
          id: '3.1',
          text: 'Staff, volunteers and governors keep their personal social media separate from their work, do not befriend pupils online, and report any concern to the Designated Safeguarding Lead.',
        },
      ],
    },
    {
      id: 'incidents',
      heading: 'Incidents',
      clauses: [
        {
          id: '4.1',
          text: 'Anyone may report a concern about social media. The school keeps the evidence, acts in line with its safeguarding and behaviour policies, and tells the people involved what happens next.',
        },
      ],
    },
    {
      id: 'review',
      heading: 'Review',
      clauses: [
        {
          id: '5.1',
          text: 'The Headteacher and governors review this policy every year, and sooner after a significant incident.',
        },
      ],
    },
  ],
};
