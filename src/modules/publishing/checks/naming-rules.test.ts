import { beforeAll, describe, expect, it } from 'vitest';
import { avenueTemplate, type PolicySettings } from '../../policies/index.ts';
import { makePost, photo } from '../../../../test/support/publishing-checks.ts';
import { namesCheck, personalDetailsCheck } from './checks.ts';
import { channelLimitsCheck } from './channel-limits-check.ts';
import type { Roll, RollPupil } from './types.ts';
import { loadCheckLibraries } from './libraries.ts';

beforeAll(() => loadCheckLibraries());

/** Issue 15's naming rules: first name only, no tagging, the school's list of personal information. */
const pupils: RollPupil[] = [
  { id: 'tom', givenName: 'Tom', familyName: 'Smith' },
  { id: 'ella', givenName: 'Ella', familyName: 'Okafor' },
];
const roll: Roll = { schoolId: 's-naming', version: '1', pupils };

function settings(change: (s: PolicySettings) => void = () => {}): PolicySettings {
  const s = structuredClone(avenueTemplate.settings) as PolicySettings;
  change(s);
  return s;
}

const post = (text: string, tagged: string[] = ['tom']) =>
  makePost({
    title: 'Sports day',
    text,
    media: [photo(1, tagged)],
    channels: [
      {
        id: 'c',
        label: 'Bluesky @oakfieldprimary',
        purpose: 'school_website',
        limits: {
          maxGraphemes: null,
          titleCountsTowardsText: false,
          maxImages: null,
          maxVideos: null,
          maxAltTextGraphemes: null,
        },
      },
    ],
  });

describe('first name only (publishing.namesWithImages = first_name_only)', () => {
  const s = settings((x) => {
    x.publishing.namesWithImages.value = 'first_name_only';
    x.consent.namedPhotoNeedsWrittenPermission.value = true;
  });
  it('lets a tagged pupil’s first name through without written permission', () => {
    const r = namesCheck({ settings: s, roll, post: post('Well done Tom on the sack race!') });
    expect(r.outcome).toBe('pass');
  });
  it('still fails a full name, even with written permission', () => {
    const p = post('Well done Tom Smith!');
    const r = namesCheck({
      settings: s,
      roll,
      post: { ...p, namingPermission: new Set(['tom']) },
    });
    expect(r.outcome).toBe('fail');
    expect(r.sentence).toContain('first name only, never a full name');
    expect(r.pupilIds).toEqual(['tom']);
  });
  it('whereas never_full_names asks for permission for the first name too', () => {
    const strict = settings((x) => {
      x.publishing.namesWithImages.value = 'never_full_names';
      x.consent.namedPhotoNeedsWrittenPermission.value = true;
    });
    const r = namesCheck({ settings: strict, roll, post: post('Well done Tom!') });
    expect(r.outcome).toBe('fail');
  });
});

describe('no tagging on platforms (channels.noTagging)', () => {
  it('fails a mention spelling a pupil’s name and warns about any other; the account itself is fine', () => {
    const s = settings();
    const named = namesCheck({
      settings: s,
      roll,
      post: post('Thanks @EllaOkafor2015 for helping'),
    });
    expect(named).toMatchObject({ outcome: 'fail', rule: 'channels.noTagging' });
    const other = namesCheck({ settings: s, roll, post: post('Photos by @jbloggs_photo') });
    expect(other).toMatchObject({ outcome: 'warning', rule: 'channels.noTagging' });
    expect(other.findings[0]!.excerpt).toBe('@jbloggs_photo');
    const own = namesCheck({ settings: s, roll, post: post('Follow @oakfieldprimary for news') });
    expect(own.outcome).toBe('pass');
    const email = namesCheck({ settings: s, roll, post: post('Write to office@school.example') });
    expect(email.outcome).toBe('pass');
  });
  it('says nothing about mentions when the school allows tagging', () => {
    const s = settings((x) => {
      x.channels.noTagging.value = { pupils: false, parents: false };
    });
    expect(namesCheck({ settings: s, roll, post: post('Thanks @jbloggs_photo') }).outcome).toBe(
      'pass',
    );
  });
});

describe('what counts as personal information (channels.personalInformation)', () => {
  const text = 'Call 07700 900123 about the trip. Tom has a medical condition.';
  it('finds only the kinds the school lists, and its own phrases', () => {
    const all = personalDetailsCheck({ settings: settings(), roll, post: post(text) });
    expect(all.outcome).toBe('fail');
    expect(all.findings.map((f) => f.excerpt)).toEqual(['07700 900123']);
    const own = settings((x) => {
      x.channels.personalInformation.value = { kinds: ['email'], phrases: ['medical condition'] };
    });
    const r = personalDetailsCheck({ settings: own, roll, post: post(text) });
    expect(r.outcome).toBe('fail');
    expect(r.findings.map((f) => f.excerpt)).toEqual(['medical condition']);
    expect(r.sentence).toContain('information the school’s policy counts as personal');
    const none = personalDetailsCheck({
      settings: own,
      roll,
      post: post('A lovely day; no medical conditions reported.'),
    });
    expect(none.outcome).toBe('pass');
  });
});

describe('rules for each kind of account (channels.accountRules)', () => {
  const withAccount = (account: { kind: string; audience: string; comments: string }) => {
    const p = post('Sports day was great');
    return { ...p, channels: p.channels.map((c) => ({ ...c, account })) };
  };
  it('fails an account set up against its kind’s rule, naming what is wrong', () => {
    const s = settings((x) => {
      x.channels.accountRules.value = [
        {
          accountKind: 'bluesky',
          audience: 'public',
          comments: 'one_way',
          moderation: '',
          mayBlock: '',
          mayFollow: 'official_accounts',
          posterResponsibilities: [],
          postersNeedTraining: false,
        },
        {
          accountKind: 'social',
          audience: 'approved_followers',
          comments: 'moderated',
          moderation: 'Read daily',
          mayBlock: '',
          mayFollow: 'nobody',
          posterResponsibilities: [],
          postersNeedTraining: false,
        },
      ];
    });
    const open = channelLimitsCheck(
      {
        settings: s,
        roll,
        post: withAccount({ kind: 'bluesky', audience: 'public', comments: 'on_moderated' }),
      },
      withAccount({ kind: 'bluesky', audience: 'public', comments: 'on_moderated' }).channels[0]!,
    );
    expect(open).toMatchObject({ outcome: 'fail', rule: 'channels.accountRules' });
    expect(open.sentence).toContain('it must be one-way, but it takes comments');
    const social = withAccount({ kind: 'social', audience: 'public', comments: 'on_unmoderated' });
    const r = channelLimitsCheck({ settings: s, roll, post: social }, social.channels[0]!);
    expect(r.sentence).toContain('seen only by followers the school has approved');
    expect(r.sentence).toContain('its comments must be moderated');
    const fine = withAccount({
      kind: 'social',
      audience: 'approved_followers',
      comments: 'on_moderated',
    });
    expect(channelLimitsCheck({ settings: s, roll, post: fine }, fine.channels[0]!).outcome).toBe(
      'pass',
    );
    const news = withAccount({ kind: 'news', audience: 'public', comments: 'on_unmoderated' });
    expect(channelLimitsCheck({ settings: s, roll, post: news }, news.channels[0]!).outcome).toBe(
      'pass',
    );
  });
});
