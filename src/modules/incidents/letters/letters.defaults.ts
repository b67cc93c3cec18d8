/**
 * Letter templates as Lanyard ships them (issue 14 item 7; seed 001's ladder: a meeting with
 * the Headteacher, a warning in writing asking for removal, a complaint to the host asking for
 * removal). A school may reword any of them (letters.service.ts keeps each edit). The words are
 * neutral and professional; the facts come from the incident through the placeholders.
 */

export const letterTemplateKeys = [
  'parent_warning',
  'platform_removal',
  'meeting_invitation',
] as const;
export type LetterTemplateKey = (typeof letterTemplateKeys)[number];

export const isLetterTemplateKey = (v: unknown): v is LetterTemplateKey =>
  typeof v === 'string' && (letterTemplateKeys as readonly string[]).includes(v);

/** A placeholder, as written in a template: ((school name)). */
export const placeholders = {
  'school name': 'The school’s name',
  'recipient name': 'Who the letter is to, as you type it when you make the letter',
  'letter date': 'The date the letter is made',
  'incident date': 'The date it happened, as the reporter gave it (or the date it was reported)',
  platform: 'The platform or site, for example Facebook',
  'web address': 'The web address of the post, as reported',
  reference: 'The incident’s reference, for example INC-0042',
  'what we ask':
    'What the school asks for: the template’s usual words, or your own when you make the letter',
  'headteacher name': 'The Headteacher’s name',
  'policy clause': 'The clause of the school’s policy behind this step, quoted from the policy',
} as const;
export type Placeholder = keyof typeof placeholders;
export const placeholderNames = Object.keys(placeholders) as Placeholder[];

export interface LetterTemplateContent {
  title: string;
  subject: string;
  body: string;
  defaultAsk: string;
}

export interface LetterTemplateDefinition extends LetterTemplateContent {
  /** Who it is written to, in words for the form. */
  recipientHint: string;
  /** The playbook steps whose clause the letter cites ((policy clause)), first found first. */
  clauseSteps: readonly string[];
}

export const defaultLetterTemplates: Record<LetterTemplateKey, LetterTemplateDefinition> = {
  parent_warning: {
    title: 'Warning letter to a parent about their posts',
    recipientHint: 'The parent or carer who posted, for example “Mr J Smith”',
    clauseSteps: ['written_warning', 'request_removal'],
    subject: 'Your posts about ((school name)) on ((platform))',
    defaultAsk:
      'remove the posts now, and raise any concern you have with the school directly, by speaking to the class teacher, the Headteacher or the Chair of Governors, or through the complaints procedure.',
    body: [
      'Dear ((recipient name)),',
      'I am writing about posts on ((platform)) made on or around ((incident date)) (((web address))). Our reference is ((reference)).',
      'We recognise that parents may have concerns about the school, and we want to hear them. Social media is not the place to raise them: concerns raised with us directly can be looked into fairly and resolved.',
      'In the school’s view these posts are not an appropriate way to raise a concern, and they may cause distress and harm to members of our school community.',
      'The school’s social media policy says: ((policy clause))',
      'I am therefore setting out the school’s concerns in writing and asking you to ((what we ask))',
      'If the posts are not removed, or similar posts are made, the school will consider the further steps its policy sets out, which may include taking legal advice or contacting the police.',
      'If you would like to talk about this, please contact the school office.',
      'Yours sincerely,',
      '((headteacher name))\nHeadteacher, ((school name))',
    ].join('\n\n'),
  },
  platform_removal: {
    title: 'Removal request to a platform',
    recipientHint: 'The platform’s team, for example “Trust and Safety team, Meta”',
    clauseSteps: ['contact_host', 'report_to_platform', 'report_to_provider', 'request_removal'],
    subject: 'Request to remove content about ((school name)) (our reference ((reference)))',
    defaultAsk:
      'review this content against your terms and community standards, remove it, and tell us the outcome.',
    body: [
      'Dear ((recipient name)),',
      'I am the Headteacher of ((school name)), a school in England. I am writing to ask you to remove content posted on ((platform)) on or around ((incident date)), at this address:',
      '((web address))',
      'The content refers to members of our school community. In our view it breaches your rules on bullying and harassment. It has also been reported through your own reporting tools. Our reference is ((reference)).',
      'Our school’s social media policy sets out this step: ((policy clause))',
      'We ask you to ((what we ask))',
      'Please reply to the school at the address below if you need anything more from us.',
      'Yours faithfully,',
      '((headteacher name))\nHeadteacher, ((school name))',
    ].join('\n\n'),
  },
  meeting_invitation: {
    title: 'Invitation to a meeting with the Headteacher',
    recipientHint: 'The parent or carer, for example “Mrs A Patel”',
    clauseSteps: ['headteacher_meeting', 'slt_meeting_with_victim'],
    subject: 'An invitation to meet the Headteacher of ((school name))',
    defaultAsk:
      'contact the school office to arrange a time to meet in the next two weeks. You are welcome to bring a friend or family member with you.',
    body: [
      'Dear ((recipient name)),',
      'I would like to invite you to a meeting with me to talk about posts on ((platform)) made on or around ((incident date)) (((web address))). Our reference is ((reference)).',
      'We take every concern a parent raises seriously, and a meeting is the best way for us to understand yours and to agree how it can be resolved.',
      'The school’s social media policy says: ((policy clause))',
      'Please ((what we ask))',
      'Yours sincerely,',
      '((headteacher name))\nHeadteacher, ((school name))',
    ].join('\n\n'),
  },
};

export type PlaceholderValues = Record<Placeholder, string>;

const pattern = /\(\(\s*([a-z ]+?)\s*\)\)/gi;

/** The placeholders a text names that Lanyard does not know (shown as an error when editing). */
export function unknownPlaceholders(text: string): string[] {
  const unknown = new Set<string>();
  for (const m of text.matchAll(pattern)) {
    const name = m[1]!.toLowerCase().replace(/\s+/g, ' ');
    if (!(name in placeholders)) unknown.add(m[1]!);
  }
  return [...unknown];
}

/** The text with each ((placeholder)) replaced by its value (unknown ones left as written). */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(pattern, (whole, raw: string) => {
    const name = raw.toLowerCase().replace(/\s+/g, ' ');
    return name in values ? values[name as Placeholder] : whole;
  });
}

/** A filled letter's paragraphs (blank lines between them), each a list of its lines. */
export function paragraphsOf(body: string): string[][] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.split('\n').map((l) => l.trim()))
    .filter((lines) => lines.some((l) => l !== ''));
}
