import { beforeEach, describe, expect, it } from 'vitest';
import { avenueTemplate } from '../../policies/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import { makePost, makeRoll, photo } from '../../../../test/support/publishing-checks.ts';
import { namesCheck } from './checks.ts';
import { buildNameIndex, clearNameIndexCache, nameIndexFor, scanNames } from './name-index.ts';
import type { MediaForChecks, Roll, RollPupil } from './types.ts';

const pupils: RollPupil[] = [
  { id: 'tom', givenName: 'Tom', familyName: 'Smith' },
  { id: 'zoe', givenName: 'Zoë', familyName: 'Ó Súilleabháin' },
  { id: 'mj', givenName: 'Mary-Jane', familyName: 'Watson' },
  { id: 'ob', givenName: 'Aoife', familyName: "O'Brien" },
  { id: 'db', givenName: 'Henry', familyName: 'Bonham Carter' },
  { id: 'hy', givenName: 'Ella', familyName: 'Smith-Jones' },
  { id: 'pref', givenName: 'Alexander', familyName: 'Novak', preferredName: 'Sasha' },
  {
    id: 'alf',
    givenName: 'Alfred',
    familyName: 'Pemberton',
    preferredName: 'Alfie',
    preferredFamilyName: 'Gray',
  },
  { id: 'leaver', givenName: 'Grace', familyName: 'Okafor' },
  { id: 'will', givenName: 'Will', familyName: 'Turner' },
  { id: 'ali', givenName: 'Ali', familyName: 'Khan' },
];
const roll: Roll = { schoolId: 's-names', version: '1', pupils };

function settings(
  mode: PolicySettings['publishing']['namesWithImages']['value'],
  permissionNeeded = true,
): PolicySettings {
  const s = structuredClone(avenueTemplate.settings) as PolicySettings;
  s.publishing.namesWithImages.value = mode;
  s.consent.namedPhotoNeedsWrittenPermission.value = permissionNeeded;
  return s;
}

function check(
  text: string,
  opts: {
    mode?: PolicySettings['publishing']['namesWithImages']['value'];
    tagged?: string[];
    permitted?: string[];
    purpose?: string;
    permissionNeeded?: boolean;
    title?: string;
    alt?: string;
  } = {},
) {
  const media: MediaForChecks[] =
    opts.tagged === undefined ? [] : [photo(1, opts.tagged, { altText: opts.alt ?? '' })];
  return namesCheck({
    settings: settings(opts.mode ?? 'never_full_names', opts.permissionNeeded ?? true),
    roll,
    post: makePost({
      title: opts.title ?? 'News',
      text,
      media,
      channels: [
        {
          id: 'c',
          label: 'The school website',
          purpose: opts.purpose ?? 'school_website',
          limits: {
            maxGraphemes: null,
            titleCountsTowardsText: false,
            maxImages: null,
            maxVideos: null,
            maxAltTextGraphemes: null,
          },
        },
      ],
      namingPermission: new Set(opts.permitted ?? []),
    }),
  });
}

beforeEach(() => clearNameIndexCache());

describe('full names of any pupil on the roll fail, in any form', () => {
  const mustFail: [string, string][] = [
    ['plain', 'Well done to Tom Smith for his painting.'],
    ['lower case', 'well done to tom smith!'],
    ['upper case', 'WELL DONE TOM SMITH'],
    ['possessive', "Tom Smith's painting won."],
    ['curly possessive', 'Tom Smith’s painting won.'],
    ['plural possessive', "the Jones' dog and Ella Smith-Jones' cat"],
    ['surname first', 'Winner: Smith, Tom.'],
    ['surname first, no comma', 'SMITH Tom (Year 4)'],
    ['initial after', 'A great goal from Tom S. in the final.'],
    ['initial before', 'A great goal from T. Smith in the final.'],
    ['initial before, no dot', 'Goal: T Smith'],
    ['initial after, no dot', 'Star of the week: Tom S'],
    ['surname first, initial', 'Winner: Smith T. (Year 4)'],
    ['surname first, comma, initial', 'Winner: Smith, T.'],
    ['initial after, no dot, mid-sentence', 'Well done Tom S for the goal'],
    ['initial after, possessive', "Tom S's painting won."],
    ['initial after, dot and possessive', "Tom S.'s painting won."],
    ['middle initial', 'Tom A. Smith scored'],
    ['diacritics in text', 'Congratulations Zoë Ó Súilleabháin'],
    ['diacritics dropped', 'Congratulations Zoe O Suilleabhain'],
    ['apostrophe name', "Aoife O'Brien read a poem"],
    ['apostrophe dropped', 'Aoife OBrien read a poem'],
    ['apostrophe written as a space', 'Aoife O Brien read a poem'],
    ['curly apostrophe and possessive', 'Aoife O’Brien’s poem'],
    ['diacritics as combining marks', 'Congratulations Zoe\u0308 O\u0301 Su\u0301illeabha\u0301in'],
    ['hyphenated first name', 'Mary-Jane Watson sang'],
    ['hyphenated first name, space', 'Mary Jane Watson sang'],
    ['part of hyphenated first name', 'Jane Watson sang'],
    ['hyphenated surname', 'Ella Smith-Jones ran'],
    ['part of hyphenated surname', 'Ella Jones ran'],
    ['double-barrelled', 'Henry Bonham Carter ran'],
    ['double-barrelled, one part', 'Henry Carter ran'],
    ['double-barrelled, hyphen added', 'Henry Bonham-Carter ran'],
    ['double-barrelled, possessive', 'Henry Bonham Carter’s race'],
    ['double-barrelled, initials', 'Henry B.C. ran'],
    ['hyphenated surname, possessive', "Ella Smith-Jones's medal"],
    ['hyphenated first name, initial', 'Mary-Jane W. sang'],
    ['preferred name', 'Sasha Novak scored'],
    ['preferred first name, legal surname', 'Alfie Pemberton scored'],
    ['legal first name, preferred surname', 'Alfred Gray scored'],
    ['preferred first name and surname', 'Alfie Gray scored'],
    ['preferred names, surname first', 'Well done Gray, Alfie'],
    ['preferred names, initial', 'Alfie G. scored'],
    ['preferred surname, initial first', 'A. Gray scored'],
    ['preferred names, hashtag', 'Well done #AlfieGray'],
    ['preferred first name, legal surname, hashtag', 'Well done #AlfiePemberton'],
    ['hashtag', 'Well done #TomSmith'],
    ['handle-like', 'thanks tom_smith'],
    ['leaver (still on the roll)', 'Former pupil Grace Okafor visited'],
    ['across a line break of spaces', 'Tom   Smith'],
    ['wrapped onto the next line', 'Well done to Tom\nSmith for his painting'],
    ['wrapped onto the next line (Windows)', 'Well done to Tom\r\nSmith'],
    ['quoted', '“Tom Smith” won'],
    ['common-word name with a capital', 'Will Turner sailed'],
  ];
  for (const [name, text] of mustFail) {
    it(`fails: ${name}`, () => {
      const r = check(text);
      expect(r.outcome, text).toBe('fail');
      expect(r.findings.length).toBeGreaterThan(0);
    });
  }

  it('finds names in the title and the alt text too', () => {
    expect(check('Nothing here.', { title: 'Tom Smith wins' }).findings[0]?.where).toBe('title');
    const r = check('Nothing here.', { tagged: [], alt: 'Ella Smith-Jones holding a cup' });
    expect(r.outcome).toBe('fail');
    expect(r.findings[0]?.where).toBe('alt:m1');
    expect(r.findings[0]?.excerpt).toBe('Ella Smith');
  });

  it('reports the words as written and their place', () => {
    const text = "Hooray for Tom Smith's team";
    const r = check(text);
    const f = r.findings[0]!;
    expect(text.slice(f.start, f.end)).toBe('Tom Smith');
    expect(r.sentence).toContain('“Tom Smith”');
    expect(r.pupilIds).toContain('tom');
    expect(r.citation).toEqual(avenueTemplate.settings.publishing.namesWithImages.citation);
  });
});

describe('texts that must pass', () => {
  const mustPass: [string, string][] = [
    ['no names', 'A lovely sports day for everyone.'],
    ['a surname alone (a teacher)', 'Mrs Smith led the assembly.'],
    ['first name and surname of different sentences', 'Thanks Tom. Smith Road is closed.'],
    ['a list, not a name', 'We need: Smith, Jones and Watson.'],
    ['the word I', 'Tom said I would help.'],
    ['the word A', 'Henry A Carter'.replace('Henry ', 'Class ')],
    ['a first name of someone not in the post (names allowed)', 'Tom helped tidy up.'],
    ['a partial match of a longer word', 'Tomsmithery is not a word.'],
    ['an email handle, not a name', 'thanks to the smithjones family'],
    ['common words in lower case that make a name', 'the leaves will turner brown'],
    ['the words I and A after a first name', 'Tom I think won; Tom A lot'],
    ['a capital letter that is not the pupil’s initial', 'Tom B and Ella C are on the team'],
    ['a class letter', 'Year 6 Class B and Plan B'],
    ['a surname and another initial', 'Smith J. led the assembly; Smith, A. helped.'],
    ['a first name, then a surname after a blank line', 'Thanks Tom\n\nSmith Road is closed.'],
    ['a list of first names, one a line', 'Tom\nElla\nHenry'],
  ];
  for (const [name, text] of mustPass) {
    it(`passes: ${name}`, () => {
      const r = check(text);
      expect(r.outcome, `${text}: ${r.sentence}`).toBe('pass');
    });
  }
});

describe('first names alone', () => {
  it('fail for a pupil in the post without naming permission', () => {
    const r = check('Well done Tom!', { tagged: ['tom'] });
    expect(r.outcome).toBe('fail');
    expect(r.pupilIds).toEqual(['tom']);
  });

  it('pass for a pupil in the post with naming permission', () => {
    expect(check('Well done Tom!', { tagged: ['tom'], permitted: ['tom'] }).outcome).toBe('pass');
  });

  it('pass when the profile does not ask for naming permission', () => {
    expect(check('Well done Tom!', { tagged: ['tom'], permissionNeeded: false }).outcome).toBe(
      'pass',
    );
  });

  it('fail in lower case? no: a first name alone counts only with its capital', () => {
    expect(check('well done tom!', { tagged: ['tom'] }).outcome).toBe('pass');
  });

  it('fail for a pupil known by a preferred name', () => {
    expect(check('Sasha painted this.', { tagged: ['pref'] }).outcome).toBe('fail');
  });

  it('count a hyphenated first name once', () => {
    const r = check('Mary-Jane painted this.', { tagged: ['mj'] });
    expect(r.outcome).toBe('fail');
    expect(r.findings.map((f) => f.excerpt)).toEqual(['Mary-Jane']);
  });

  it('do not count a common word at the start of a sentence', () => {
    expect(check('Will you join us? It was great.', { tagged: ['will'] }).outcome).toBe('pass');
    expect(check('Thank you, Will, for helping.', { tagged: ['will'] }).outcome).toBe('fail');
  });

  it('do not count a common word at the start of a line', () => {
    expect(check('Sports day\nWill you join us?', { tagged: ['will'] }).outcome).toBe('pass');
  });

  it('do not count a title and surname (staff)', () => {
    expect(check('Thanks to Mr Ali for the trip.', { tagged: ['ali'] }).outcome).toBe('pass');
  });

  it('fail for everyone in the post where the profile allows no names, permission or not', () => {
    const r = check('Well done Tom!', { tagged: ['tom'], permitted: ['tom'], mode: 'no_names' });
    expect(r.outcome).toBe('fail');
    expect(r.sentence).toContain('allows no pupils’ names');
  });

  it('warn for a pupil on the roll but not in the post where no names are allowed', () => {
    const r = check('Thanks to Grace for setting up the hall.', {
      tagged: ['tom'],
      mode: 'no_names',
    });
    expect(r.outcome).toBe('warning');
    expect(r.findings[0]?.excerpt).toBe('Grace');
  });

  it('for external uses only, where the profile says so', () => {
    const opts = { tagged: ['tom'], mode: 'no_names_external' as const };
    expect(check('Well done Tom!', { ...opts, purpose: 'school_website' }).outcome).toBe('fail');
    expect(
      check('Well done Tom!', { ...opts, purpose: 'school_website', permitted: ['tom'] }).outcome,
    ).toBe('pass');
    expect(check('Well done Tom!', { ...opts, purpose: 'classroom_display' }).outcome).toBe('fail');
    expect(
      check('Well done Tom!', { ...opts, purpose: 'classroom_display', permitted: ['tom'] })
        .outcome,
    ).toBe('pass');
  });
});

describe('full names with written permission', () => {
  it('never pass where the profile never allows full names', () => {
    expect(check('Tom Smith won.', { tagged: ['tom'], permitted: ['tom'] }).outcome).toBe('fail');
  });
  it('pass where the profile allows a name with written permission and the pupil has it', () => {
    const opts = { tagged: ['tom'], mode: 'no_names_external' as const };
    expect(check('Tom Smith won.', { ...opts, permitted: ['tom'] }).outcome).toBe('pass');
    expect(check('Tom Smith won.', opts).outcome).toBe('fail');
  });
});

describe('fails closed', () => {
  it('when the roll is empty', () => {
    const r = namesCheck({
      settings: settings('never_full_names'),
      roll: { schoolId: 'empty', version: '1', pupils: [] },
      post: makePost({ text: 'Tom Smith' }),
    });
    expect(r.outcome).toBe('fail');
    expect(r.couldNotRun).toBe(true);
    expect(r.overridable).toBe(false);
  });
  it('when a tagged pupil is not on the roll', () => {
    const r = check('Nice day.', { tagged: ['nobody'] });
    expect(r.outcome).toBe('fail');
    expect(r.couldNotRun).toBe(true);
  });
});

describe('the index', () => {
  it('is built once per school and roll version', () => {
    const a = nameIndexFor(roll);
    expect(nameIndexFor({ ...roll })).toBe(a);
    const b = nameIndexFor({ ...roll, version: '2' });
    expect(b).not.toBe(a);
    expect(nameIndexFor({ ...roll, version: '2' })).toBe(b);
  });

  it('finds full names among 50,000 pupils', () => {
    const big = makeRoll(50_000);
    const index = buildNameIndex(big);
    const p = big.pupils[43_210]!;
    const hits = scanNames(index, `Well done ${p.givenName} ${p.familyName}!`, null);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.pupils.map((i) => index.pupilIds[i])).toContain(p.id);
  });
});
