import { beforeAll, describe, expect, it } from 'vitest';
import { avenueTemplate, sacredHeartTemplate } from '../../policies/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import {
  benchmarkInput,
  channel,
  consentFor,
  makePost,
  makeRoll,
  photo,
} from '../../../../test/support/publishing-checks.ts';
import { mayPublish, runChecks, storedCitation, summariseChecks } from './run-checks.ts';
import {
  checkKeys,
  type CheckKey,
  type CheckResult,
  type ChecksInput,
  type PostForChecks,
} from './types.ts';
import { loadCheckLibraries } from './libraries.ts';

// The checks' libraries load on first use (ADR 0010); the check runner awaits them the same way.
beforeAll(() => loadCheckLibraries());

const roll = makeRoll(200, 'school-run');
const web = channel('web', 'school_website');
const social = channel('social', 'school_social_media', { maxGraphemes: 300, maxImages: 4 });

function settings(change: (s: PolicySettings) => void = () => {}): PolicySettings {
  const s = structuredClone(avenueTemplate.settings) as PolicySettings;
  s.publishing.designatedPublicityPersonOnly.value = false;
  change(s);
  return s;
}

function run(post: Partial<PostForChecks>, s: PolicySettings = settings()): CheckResult[] {
  return runChecks({ settings: s, roll, post: makePost(post) });
}

function only(results: CheckResult[], key: CheckKey, channelId: string | null = null): CheckResult {
  const found = results.filter(
    (r) => r.key === key && (channelId === null || r.channelId === channelId),
  );
  expect(found, key).toHaveLength(1);
  return found[0]!;
}

const tagged = ['p1', 'p2', 'p3'];

describe('a good post', () => {
  it('passes every check, one per channel for the per-channel checks', () => {
    const results = run({ media: [photo(1, tagged)], channels: [web] });
    expect(results.map((r) => [r.key, r.outcome])).toEqual(checkKeys.map((k) => [k, 'pass']));
    expect(summariseChecks(results).outcome).toBe('pass');
    expect(mayPublish(results)).toBe(true);
  });

  it('every result cites a profile rule, except the channel’s own limits', () => {
    for (const r of run({ media: [photo(1, tagged)], channels: [web, social] })) {
      if (r.key === 'channel_limits') expect(r.citation).toBeNull();
      else expect(r.citation, r.key).not.toBeNull();
      expect(r.sentence).toMatch(/^[A-Z“].*[.!]$/);
      expect(r.sentence.split(/[.!?] [A-Z]/)).toHaveLength(1);
    }
  });

  it('runs the per-channel checks once per channel', () => {
    const results = run({ media: [photo(1, tagged)], channels: [web, social] });
    expect(results.filter((r) => r.key === 'consent').map((r) => r.channelId)).toEqual([
      'web',
      'social',
    ]);
  });
});

describe('consent at publish time', () => {
  const media = [photo(1, tagged)];
  it('fails when a tagged pupil has no consent for that channel’s purpose', () => {
    const results = run({
      media,
      channels: [web],
      consent: consentFor(media, [web], (id) => id !== 'p2'),
    });
    const r = only(results, 'consent');
    expect(r.outcome).toBe('fail');
    expect(r.pupilIds).toEqual(['p2']);
    expect(r.sentence).toBe(
      '1 pupil tagged in 1 item has no consent for “School website”, so the post cannot go to The school website with it.',
    );
    expect(r.overridable).toBe(false);
    expect(mayPublish(results, () => true)).toBe(false);
  });

  it('fails for a never-publish restriction without saying why', () => {
    const consent = consentFor(media, [web]).map((a) =>
      a.pupilId === 'p3' ? { ...a, neverPublish: true, reason: 'secret' } : a,
    );
    const r = only(run({ media, channels: [web], consent }), 'consent');
    expect(r.outcome).toBe('fail');
    expect(r.sentence).not.toContain('secret');
    expect(r.sentence).toContain('restriction');
  });

  it('checks the media type: consent for photos is not consent for videos', () => {
    const video = { ...photo(2, ['p1']), kind: 'video' as const, faceCount: null };
    const consent = consentFor([photo(2, ['p1'])], [web]); // image answers only
    const r = only(run({ media: [video], channels: [web], consent }), 'consent');
    expect(r.outcome).toBe('fail');
    expect(r.couldNotRun).toBe(true);
  });

  it('fails closed when the register gave no answer', () => {
    const r = only(run({ media, channels: [web], consent: [] }), 'consent');
    expect(r.outcome).toBe('fail');
    expect(r.couldNotRun).toBe(true);
    expect(r.overridable).toBe(false);
  });

  it('fails closed for a channel mapped to a purpose the profile does not list', () => {
    const r = only(run({ media, channels: [channel('x', 'made_up')] }), 'consent');
    expect(r.couldNotRun).toBe(true);
  });
});

describe('faces that outnumber tags', () => {
  it('pass when the rendition blurs every untagged face', () => {
    const r = only(run({ media: [photo(1, tagged, { faceCount: 9 })] }), 'faces_outnumber_tags');
    expect(r.outcome).toBe('pass');
  });

  it('fail when it does not, overridable where the profile says so', () => {
    const m = photo(1, tagged, {
      faceCount: 9,
      renditions: [{ purpose: 'school_website', status: 'ready', blursEveryUntaggedFace: false }],
    });
    const results = run({ media: [m] });
    const r = only(results, 'faces_outnumber_tags');
    expect(r.outcome).toBe('fail');
    expect(r.sentence).toBe(
      'Photo 1 shows 9 faces but only 3 tagged pupils, and the copy for The school website does not blur the faces nobody is tagged to.',
    );
    expect(r.overridable).toBe(true);
    expect(mayPublish(results)).toBe(false);
    expect(mayPublish(results, (x) => x.key === 'faces_outnumber_tags')).toBe(true);
    const strict = settings((s) => (s.publishing.overridableChecks.value = ['tone']));
    expect(only(run({ media: [m] }, strict), 'faces_outnumber_tags').overridable).toBe(false);
  });

  it('fail closed when the rendition failed or is missing', () => {
    for (const status of ['failed', 'missing'] as const) {
      const m = photo(1, tagged, {
        faceCount: 9,
        renditions: [{ purpose: 'school_website', status, blursEveryUntaggedFace: true }],
      });
      const r = only(run({ media: [m] }), 'faces_outnumber_tags');
      expect(r.couldNotRun).toBe(true);
      expect(r.overridable).toBe(false);
    }
  });

  it('fail closed for a photo still processing or not analysed', () => {
    expect(
      only(run({ media: [photo(1, tagged, { status: 'processing' })] }), 'faces_outnumber_tags')
        .couldNotRun,
    ).toBe(true);
    expect(
      only(run({ media: [photo(1, tagged, { faceCount: null })] }), 'faces_outnumber_tags')
        .couldNotRun,
    ).toBe(true);
  });

  it('fail for a video (not analysed), which the approver may override after watching it', () => {
    const video = {
      ...photo(1, ['p1']),
      kind: 'video' as const,
      label: 'Video 1',
      faceCount: null,
    };
    const r = only(run({ media: [video] }), 'faces_outnumber_tags');
    expect(r.outcome).toBe('fail');
    expect(r.couldNotRun).toBe(false);
    expect(r.overridable).toBe(true);
  });
});

describe('swimwear and quarantine never pass', () => {
  it('swimwear fails where the profile bans it, and cannot be overridden', () => {
    const r = only(run({ media: [photo(1, tagged, { swimwear: true })] }), 'swimwear');
    expect(r.outcome).toBe('fail');
    expect(r.overridable).toBe(false);
    expect(r.mediaIds).toEqual(['m1']);
  });
  it('swimwear warns where the profile does not ban it', () => {
    const s = settings((x) => (x.media.swimwearBan.value = false));
    expect(
      only(run({ media: [photo(1, tagged, { swimwear: true })] }, s), 'swimwear').outcome,
    ).toBe('warning');
  });
  it('a quarantined item fails and cannot be overridden', () => {
    const r = only(run({ media: [photo(1, tagged, { quarantined: true })] }), 'quarantine');
    expect(r.outcome).toBe('fail');
    expect(r.overridable).toBe(false);
  });
});

describe('who may post', () => {
  const sacred = structuredClone(sacredHeartTemplate.settings) as PolicySettings;
  it('a reminder to parents needs the permission the profile names', () => {
    expect(sacred.publishing.reminderPostsNeedPermission.value).toBe(true);
    const author = makePost().author;
    const without = only(run({ kind: 'reminder_to_parents' }, sacred), 'reminder_permission');
    expect(without.outcome).toBe('fail');
    expect(without.citation?.section).toBe(
      sacred.publishing.reminderPostsNeedPermission.citation.section,
    );
    const withIt = run(
      { kind: 'reminder_to_parents', author: { ...author, reminderPermissionHeld: true } },
      sacred,
    );
    expect(only(withIt, 'reminder_permission').outcome).toBe('pass');
    expect(only(run({ kind: 'standard' }, sacred), 'reminder_permission').outcome).toBe('pass');
  });

  it('only a designated person may post photos where the profile says so', () => {
    const avenue = structuredClone(avenueTemplate.settings) as PolicySettings;
    expect(avenue.publishing.designatedPublicityPersonOnly.value).toBe(true);
    const author = { ...makePost().author, designatedForPublicity: false };
    expect(
      only(run({ media: [photo(1, tagged)], author }, avenue), 'designated_poster').outcome,
    ).toBe('fail');
    expect(only(run({ media: [], author }, avenue), 'designated_poster').outcome).toBe('pass');
    expect(
      only(
        run(
          { media: [photo(1, tagged)], author: { ...author, designatedForPublicity: true } },
          avenue,
        ),
        'designated_poster',
      ).outcome,
    ).toBe('pass');
  });
});

describe('the channel’s limits', () => {
  it('counts graphemes, not code units: 300 emoji families fit Bluesky’s 300', () => {
    const family = '👨‍👩‍👧‍👦';
    const fits = run({ text: family.repeat(300), channels: [social] });
    expect(only(fits, 'channel_limits').outcome).toBe('pass');
    const over = run({ text: family.repeat(301), channels: [social] });
    const r = only(over, 'channel_limits');
    expect(r.outcome).toBe('fail');
    expect(r.sentence).toContain('1 over its limit of 300');
    expect(r.citation).toBeNull();
    expect(r.overridable).toBe(false);
  });

  it('counts the title where the channel posts it with the text', () => {
    const c = channel('c', 'school_website', { maxGraphemes: 20, titleCountsTowardsText: true });
    expect(
      only(run({ title: 'Title', text: 'x'.repeat(14), channels: [c] }), 'channel_limits').outcome,
    ).toBe('fail');
    expect(
      only(run({ title: 'Title', text: 'x'.repeat(13), channels: [c] }), 'channel_limits').outcome,
    ).toBe('pass');
  });

  it('counts images, videos and alt text', () => {
    const c = channel('c', 'school_website', {
      maxImages: 2,
      maxVideos: 0,
      maxAltTextGraphemes: 10,
    });
    const media = [photo(1, []), photo(2, []), photo(3, [])];
    const r = only(run({ media, channels: [c] }), 'channel_limits');
    expect(r.sentence).toContain('at most 2 photos and the post has 3');
    expect(r.sentence).toContain('alt text');
    const video = { ...photo(4, []), kind: 'video' as const };
    expect(only(run({ media: [video], channels: [c] }), 'channel_limits').sentence).toContain(
      'does not take videos',
    );
  });

  it('a post with no channel fails', () => {
    expect(only(run({ channels: [] }), 'channel_limits').outcome).toBe('fail');
  });
});

describe('fails closed', () => {
  it('a check that throws fails, says it could not run, and cannot be overridden', () => {
    const input: ChecksInput = {
      settings: settings(),
      roll,
      post: makePost({ media: [photo(1, tagged)] }),
    };
    // A media item whose tags cannot be read makes the consent and name checks throw.
    Object.defineProperty(input.post.media[0]!, 'taggedPupilIds', {
      get() {
        throw new Error('boom');
      },
    });
    const results = runChecks(input);
    const consent = only(results, 'consent');
    expect(consent.outcome).toBe('fail');
    expect(consent.couldNotRun).toBe(true);
    expect(consent.overridable).toBe(false);
    expect(consent.sentence).toContain('could not run');
    expect(results).toHaveLength(checkKeys.length);
  });
});

describe('summary and storage', () => {
  it('summarises failures, warnings and what blocks the post', () => {
    const m = photo(1, tagged, {
      faceCount: 9,
      swimwear: true,
      renditions: [{ purpose: 'school_website', status: 'ready', blursEveryUntaggedFace: false }],
    });
    const s = summariseChecks(run({ media: [m] }));
    expect(s.outcome).toBe('fail');
    expect(s.blocking.map((r) => r.key)).toEqual(['swimwear']);
    expect(s.overridable.map((r) => r.key)).toEqual(['faces_outnumber_tags']);
  });

  it('gives the citation as the post_checks table keeps it', () => {
    const r = run({ media: [photo(1, tagged)] })[0]!;
    expect(storedCitation(r)).toMatchObject({ path: 'consent.purposes' });
  });
});

describe('the benchmark post', () => {
  it('passes every check', () => {
    const big = makeRoll(2_000, 'school-bench');
    const results = runChecks(benchmarkInput(settings(), big));
    const notPassing = results.filter((r) => r.outcome !== 'pass');
    expect(notPassing.map((r) => `${r.key}: ${r.sentence}`)).toEqual([]);
  });
});
