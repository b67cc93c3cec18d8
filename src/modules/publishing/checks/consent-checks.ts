/**
 * Consent at publish time and faces that outnumber tags: one result per channel (the
 * rendition is per purpose).
 */
import type { RulePath } from '../../policies/index.ts';
import type { ChannelForChecks, CheckResult, ChecksInput, MediaForChecks } from './types.ts';
import { listWords, makeResult, plural, purposeLabel } from './check-results.ts';

// ---------------------------------------------------------------------------------------------
// Consent at publish time (one result per channel)
// ---------------------------------------------------------------------------------------------

export function consentCheck(input: ChecksInput, channel: ChannelForChecks): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'consent.purposes';
  const at = { channelId: channel.id };
  const purpose = purposeLabel(settings, channel.purpose);
  if (purpose === null) {
    return makeResult(
      settings,
      'consent',
      'fail',
      `${channel.label} is set to a use of photos the school’s policy does not list, so consent cannot be checked for it.`,
      rule,
      { ...at, couldNotRun: true },
    );
  }
  const answers = new Map<string, (typeof post.consent)[number]>();
  for (const a of post.consent) answers.set(`${a.pupilId}|${a.purpose}|${a.mediaType}`, a);

  const missing = new Set<string>();
  const restricted = new Set<string>();
  const refused = new Set<string>();
  const tagged = new Set<string>();
  const mediaIds = new Set<string>();
  for (const m of post.media) {
    for (const pupilId of m.taggedPupilIds) {
      tagged.add(pupilId);
      const a = answers.get(`${pupilId}|${channel.purpose}|${m.kind}`);
      if (a === undefined) missing.add(pupilId);
      else if (a.neverPublish === true) restricted.add(pupilId);
      else if (!a.allowed) refused.add(pupilId);
      else continue;
      mediaIds.add(m.id);
    }
  }
  if (tagged.size === 0) {
    return makeResult(
      settings,
      'consent',
      'pass',
      `No pupil is tagged in the post’s photos or videos, so there is no consent to check for ${channel.label}.`,
      rule,
      at,
    );
  }
  if (missing.size > 0) {
    return makeResult(
      settings,
      'consent',
      'fail',
      `The consent register gave no answer for ${plural(missing.size, 'tagged pupil')} for ${purpose}, so the post cannot go to ${channel.label} until it does.`,
      rule,
      { ...at, couldNotRun: true, pupilIds: [...missing], mediaIds: [...mediaIds] },
    );
  }
  const blocked = [...restricted, ...refused];
  if (blocked.length > 0) {
    const why =
      restricted.size > 0 && refused.size > 0
        ? 'have no consent or may not be published'
        : restricted.size > 0
          ? 'may not be published (a restriction the school has set)'
          : 'have no consent';
    const n = blocked.length;
    return makeResult(
      settings,
      'consent',
      'fail',
      `${n === 1 ? '1 pupil' : `${n} pupils`} tagged in ${plural(mediaIds.size, 'item')} ${n === 1 ? why.replace(/^have/, 'has') : why} for ${purpose}, so the post cannot go to ${channel.label} with ${mediaIds.size === 1 ? 'it' : 'them'}.`,
      rule,
      { ...at, pupilIds: blocked, mediaIds: [...mediaIds] },
    );
  }
  return makeResult(
    settings,
    'consent',
    'pass',
    `All ${plural(tagged.size, 'tagged pupil')} have consent for ${purpose} in the kinds of media used.`.replace(
      /^All 1 tagged pupil have/,
      'The tagged pupil has',
    ),
    rule,
    { ...at, pupilIds: [...tagged] },
  );
}

// ---------------------------------------------------------------------------------------------
// Faces that outnumber tags (one result per channel: the rendition is per purpose)
// ---------------------------------------------------------------------------------------------

export function facesCheck(input: ChecksInput, channel: ChannelForChecks): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.blurFaces';
  const at = { channelId: channel.id };
  if (post.media.length === 0) {
    return makeResult(
      settings,
      'faces_outnumber_tags',
      'pass',
      'The post has no photos or videos.',
      rule,
      at,
    );
  }
  const notReady: MediaForChecks[] = [];
  const renditionMissing: MediaForChecks[] = [];
  const unblurred: MediaForChecks[] = [];
  const videos: MediaForChecks[] = [];
  for (const m of post.media) {
    if (m.status !== 'ready') {
      notReady.push(m);
      continue;
    }
    if (m.faceCount === null) {
      if (m.kind === 'video') videos.push(m);
      else notReady.push(m);
      continue;
    }
    if (m.faceCount <= m.taggedPupilIds.length) continue;
    const r = m.renditions.find((x) => x.purpose === channel.purpose);
    if (r === undefined || r.status !== 'ready') renditionMissing.push(m);
    else if (!r.blursEveryUntaggedFace) unblurred.push(m);
  }
  const labels = (ms: MediaForChecks[]) => listWords(ms.map((m) => m.label));
  const ids = (ms: MediaForChecks[]) => ms.map((m) => m.id);
  if (notReady.length > 0) {
    return makeResult(
      settings,
      'faces_outnumber_tags',
      'fail',
      `${labels(notReady)} ${notReady.length === 1 ? 'has' : 'have'} not been checked for faces (still processing, or processing failed), so the post cannot go out yet.`,
      rule,
      { ...at, couldNotRun: true, mediaIds: ids(notReady) },
    );
  }
  if (renditionMissing.length > 0) {
    return makeResult(
      settings,
      'faces_outnumber_tags',
      'fail',
      `${labels(renditionMissing)} ${renditionMissing.length === 1 ? 'shows' : 'show'} more faces than tagged pupils and the blurred copy for ${channel.label} could not be made, so the post cannot go out yet.`,
      rule,
      { ...at, couldNotRun: true, mediaIds: ids(renditionMissing) },
    );
  }
  if (unblurred.length > 0) {
    const m = unblurred[0]!;
    const first =
      unblurred.length === 1
        ? `${m.label} shows ${plural(m.faceCount ?? 0, 'face')} but only ${plural(m.taggedPupilIds.length, 'tagged pupil')}`
        : `${labels(unblurred)} show more faces than tagged pupils`;
    return makeResult(
      settings,
      'faces_outnumber_tags',
      'fail',
      `${first}, and the copy for ${channel.label} does not blur the faces nobody is tagged to.`,
      rule,
      { ...at, mediaIds: ids(unblurred) },
    );
  }
  if (videos.length > 0) {
    return makeResult(
      settings,
      'faces_outnumber_tags',
      'fail',
      `${labels(videos)} ${videos.length === 1 ? 'is a video' : 'are videos'}, which Lanyard cannot check for faces, so a person must watch ${videos.length === 1 ? 'it' : 'them'} before the post goes out.`,
      rule,
      { ...at, mediaIds: ids(videos) },
    );
  }
  return makeResult(
    settings,
    'faces_outnumber_tags',
    'pass',
    `Every face in the photos is tagged to a pupil or blurred in the copy for ${channel.label}.`,
    rule,
    at,
  );
}
