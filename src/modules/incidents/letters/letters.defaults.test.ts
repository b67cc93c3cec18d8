import { describe, expect, it } from 'vitest';
import {
  defaultLetterTemplates,
  fillPlaceholders,
  letterTemplateKeys,
  paragraphsOf,
  placeholderNames,
  unknownPlaceholders,
  type PlaceholderValues,
} from './letters.defaults.ts';
import { platformInWords, policyClause } from './letters.service.ts';
import { letterPdf } from './letter.pdf.ts';
import { pdfText } from '../../../../test/support/pdf-text.ts';
import { avenueTemplate } from '../../policies/index.ts';

const values: PlaceholderValues = {
  'school name': 'Oakfield Primary School',
  'recipient name': 'Mr Smith',
  'letter date': '7 December 2026',
  'incident date': '3 October 2026',
  platform: 'Facebook',
  'web address': 'https://www.facebook.com/groups/oakfield/posts/1',
  reference: 'INC-0007',
  'what we ask': 'remove the posts now.',
  'headteacher name': 'Helen Ward',
  'policy clause': '“If required set out the school’s concerns to you in writing” (Procedure).',
};

describe('letter templates as Lanyard ships them', () => {
  it('use only placeholders Lanyard fills, and every one of them is filled', () => {
    for (const key of letterTemplateKeys) {
      const t = defaultLetterTemplates[key];
      expect(unknownPlaceholders(t.subject + t.body + t.defaultAsk)).toEqual([]);
      const filled = fillPlaceholders(t.body, values);
      expect(filled).not.toMatch(/\(\([a-z ]+\)\)/);
      expect(filled).toContain('Oakfield Primary School');
      expect(filled).toContain('INC-0007');
      expect(filled).toContain('Helen Ward');
      expect(filled).toContain('Procedure');
    }
  });

  it('fills a placeholder however it is spaced or capitalised; names unknown ones', () => {
    expect(fillPlaceholders('Dear (( Recipient  Name )),', values)).toBe('Dear Mr Smith,');
    expect(fillPlaceholders('((web address))', values)).toBe(values['web address']);
    expect(fillPlaceholders('(((web address)))', values)).toBe(`(${values['web address']})`);
    expect(unknownPlaceholders('((school name)) ((pupil name)) ((Pupil Name))')).toEqual([
      'pupil name',
      'Pupil Name',
    ]);
    expect(fillPlaceholders('((pupil name))', values)).toBe('((pupil name))');
    expect(placeholderNames).toContain('policy clause');
  });

  it('splits a letter into paragraphs at blank lines, keeping line breaks inside them', () => {
    expect(paragraphsOf('Dear A,\r\n\r\nOne\ntwo\n\n\n  \nYours,\nB')).toEqual([
      ['Dear A,'],
      ['One', 'two'],
      ['Yours,', 'B'],
    ]);
  });
});

describe('the facts a letter is filled with', () => {
  it('names the platform in words, never a key', () => {
    expect(platformInWords('facebook')).toBe('Facebook');
    expect(platformInWords('x')).toBe('X');
    expect(platformInWords('other_app')).toBe('social media');
    expect(platformInWords(null)).toBe('social media');
    expect(platformInWords('Mumsnet forum')).toBe('Mumsnet forum');
  });

  it('quotes the school’s own clause for the step (seed 001, the Avenue)', () => {
    const avenue = avenueTemplate.settings.incidents.playbooks;
    const warning = policyClause(avenue, 'parent_defamation', ['written_warning']);
    expect(warning).toContain('If required set out the school');
    expect(warning).toMatch(/^“.*” \(.+\)\.$/);
    // A step the case's playbook lacks is looked for in the parents' playbook.
    expect(policyClause(avenue, 'pupil_on_pupil', ['headteacher_meeting'])).toContain(
      'attend a meeting with the Headteacher',
    );
  });
});

describe('a letter as PDF', () => {
  it('is a tagged PDF whose text is the letter as filled in', async () => {
    const t = defaultLetterTemplates.parent_warning;
    const pdf = await letterPdf({
      schoolName: 'Oakfield Primary School',
      title: t.title,
      subject: fillPlaceholders(t.subject, values),
      body: fillPlaceholders(t.body, values),
      reference: 'INC-0007',
      createdAt: new Date('2026-12-07T10:00:00Z'),
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/StructTreeRoot');
    expect(raw).toContain('/MarkInfo');
    expect(raw).toMatch(/\/Lang \(en-GB\)/);
    const words = pdfText(pdf);
    expect(words).toContain('Your posts about Oakfield Primary School on Facebook');
    expect(words).toContain('Dear Mr Smith,');
    expect(words).toContain('7 December 2026');
    expect(words).toContain('Helen Ward');
    expect(words).toContain('Reference: INC-0007');
  });
});
