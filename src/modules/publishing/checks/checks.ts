/**
 * The pre-publication checks (SPEC §3.5), each a pure function of the data the caller supplies.
 * Every result cites the profile rule it applies; nothing school-specific is written here.
 */
import {
  getRule,
  type PolicySettings,
  type PublicationCheckKey,
  type RulePath,
  type RuleValue,
} from '../../policies/index.ts';
import { buildNameIndex, lookUp, nameIndexFor, scanNames, type NameHit } from './name-index.ts';
import {
  detailNames,
  findPersonalDetails,
  knownContacts,
  type DetailKind,
} from './personal-details.ts';
import { fieldsOf, graphemeCount, type TextField } from './text.ts';
import { findListedWords, toneList, toneScore } from './tone.ts';
import type {
  ChannelForChecks,
  CheckFinding,
  CheckKey,
  CheckOutcome,
  CheckResult,
  ChecksInput,
  MediaForChecks,
  RollPupil,
} from './types.ts';

// ---------------------------------------------------------------------------------------------
// Building results
// ---------------------------------------------------------------------------------------------

export interface ResultExtras {
  channelId?: string | null;
  findings?: CheckFinding[];
  pupilIds?: string[];
  mediaIds?: string[];
  couldNotRun?: boolean;
}

/** A result citing the profile rule at `rule` (null: a limit the channel itself sets). */
export function makeResult(
  settings: PolicySettings,
  key: CheckKey,
  outcome: CheckOutcome,
  sentence: string,
  rule: RulePath | null,
  extras: ResultExtras = {},
): CheckResult {
  const couldNotRun = extras.couldNotRun === true;
  const listed = settings.publishing.overridableChecks.value as readonly string[];
  return {
    key,
    channelId: extras.channelId ?? null,
    outcome: couldNotRun ? 'fail' : outcome,
    sentence,
    rule,
    citation: rule === null ? null : (getRule(settings, rule) as RuleValue<unknown>).citation,
    overridable: !couldNotRun && listed.includes(key satisfies string as PublicationCheckKey),
    couldNotRun,
    findings: extras.findings ?? [],
    pupilIds: extras.pupilIds ?? [],
    mediaIds: extras.mediaIds ?? [],
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listWords(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  const all = rest > 0 ? [...shown, `${rest} more`] : shown;
  if (all.length <= 1) return all.join('');
  return `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}

function quoted(f: CheckFinding): string {
  return `“${f.excerpt}”`;
}

function purposeLabel(settings: PolicySettings, purpose: string): string | null {
  const p = settings.consent.purposes.value.find((x) => x.key === purpose);
  return p === undefined ? null : `“${p.label}”`;
}

function mediaWord(kind: 'image' | 'video', n = 2): string {
  return kind === 'image' ? (n === 1 ? 'photo' : 'photos') : n === 1 ? 'video' : 'videos';
}

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

// ---------------------------------------------------------------------------------------------
// Pupils' names
// ---------------------------------------------------------------------------------------------

function finding(field: TextField, start: number, end: number): CheckFinding {
  return { where: field.where, start, end, excerpt: field.text.slice(start, end) };
}

export function namesCheck(input: ChecksInput): CheckResult {
  const { settings, post, roll } = input;
  const rule: RulePath = 'publishing.namesWithImages';
  const mode = settings.publishing.namesWithImages.value;
  const fields = fieldsOf(post);
  if (roll.pupils.length === 0) {
    return makeResult(
      settings,
      'full_name',
      'fail',
      'The list of pupils could not be read, so the post could not be checked for pupils’ names.',
      rule,
      { couldNotRun: true },
    );
  }
  const index = nameIndexFor(roll);
  const taggedIds = new Set<string>();
  for (const m of post.media) for (const id of m.taggedPupilIds) taggedIds.add(id);
  const unknown = [...taggedIds].filter((id) => !index.byId.has(id));
  if (unknown.length > 0) {
    return makeResult(
      settings,
      'full_name',
      'fail',
      `${plural(unknown.length, 'tagged pupil')} ${unknown.length === 1 ? 'is' : 'are'} not on the list of pupils, so the post could not be checked for their names.`,
      rule,
      { couldNotRun: true, pupilIds: unknown },
    );
  }
  const purposes = new Set(post.channels.map((c) => c.purpose));
  const external = settings.consent.purposes.value.some((p) => p.external && purposes.has(p.key));
  const namesForbidden = mode === 'no_names' || (mode === 'no_names_external' && external);
  const permissionNeeded = settings.consent.namedPhotoNeedsWrittenPermission.value;
  const permitted = (id: string) => post.namingPermission.has(id);

  // The roll's records of the pupils in the post, found by id (not by walking the roll).
  const postPupils: RollPupil[] = [];
  for (const id of taggedIds) {
    const p = roll.pupils[index.byId.get(id) ?? -1];
    if (p === undefined || p.id !== id) throw new Error('The roll changed without a new version');
    postPupils.push(p);
  }
  // The pupils in the post, indexed on their own (at most a few dozen): a hit's key looked up
  // here says which of them it may be, without walking the roll's list of namesakes.
  const inPostIndex = buildNameIndex({
    schoolId: roll.schoolId,
    version: '',
    pupils: postPupils,
  });
  // First names alone are looked for among the whole roll where the policy allows no names (a
  // pupil not in the post only warns), else among the pupils in the post who need permission.
  let firstNameMap: ReadonlyMap<string, readonly number[]> | null = null;
  if (namesForbidden) firstNameMap = index.firstNames;
  else if (permissionNeeded) {
    const needing = new Map<string, number[]>();
    for (const [word, list] of inPostIndex.firstNames) {
      const without = list.filter((i) => !permitted(inPostIndex.pupilIds[i] ?? ''));
      if (without.length > 0) needing.set(word, without);
    }
    firstNameMap = needing;
  }

  const failing: CheckFinding[] = [];
  const warning: CheckFinding[] = [];
  const failingPupils = new Set<string>();
  for (const field of fields) {
    if (field.text === '') continue;
    const hits: NameHit[] = scanNames(
      index,
      field.text,
      firstNameMap !== null && firstNameMap.size > 0 ? firstNameMap : null,
    );
    for (const h of hits) {
      const inPost = lookUp(inPostIndex, h).map((i) => inPostIndex.pupilIds[i] ?? '');
      let allowed: boolean;
      if (h.form !== 'first') {
        // A full name: never, unless the policy allows it with written permission.
        allowed = mode !== 'no_names' && mode !== 'never_full_names' && inPost.some(permitted);
      } else if (inPost.length > 0) {
        allowed =
          mode === 'no_names'
            ? false
            : namesForbidden
              ? inPost.some(permitted)
              : !permissionNeeded || inPost.some(permitted);
      } else {
        // The first name of a pupil not in the post: only a warning, and only where no names
        // are allowed at all.
        warning.push(finding(field, h.start, h.end));
        continue;
      }
      if (allowed) continue;
      failing.push(finding(field, h.start, h.end));
      const about =
        inPost.length > 0 ? inPost : h.pupils.slice(0, 20).map((i) => index.pupilIds[i] ?? '');
      for (const id of about) if (id !== '') failingPupils.add(id);
    }
  }
  const rest = (fs: CheckFinding[]) =>
    listWords(
      fs.map(
        (f) => `${quoted(f)} in ${fields.find((x) => x.where === f.where)?.name ?? 'the post'}`,
      ),
    );
  const policyWords =
    mode === 'no_names'
      ? 'the school’s policy allows no pupils’ names'
      : mode === 'never_full_names'
        ? 'the school’s policy never allows a pupil’s full name, or a name without written permission'
        : 'the school’s policy allows a pupil’s name only with written permission';
  if (failing.length > 0) {
    return makeResult(
      settings,
      'full_name',
      'fail',
      `The post names ${failing.length === 1 ? 'a pupil' : 'pupils'} (${rest(failing)}), and ${policyWords}.`,
      rule,
      { findings: failing, pupilIds: [...failingPupils] },
    );
  }
  if (warning.length > 0) {
    return makeResult(
      settings,
      'full_name',
      'warning',
      `The post may name ${warning.length === 1 ? 'a pupil' : 'pupils'} (${rest(warning)}); check ${warning.length === 1 ? 'it is not a pupil’s name' : 'they are not pupils’ names'}, as ${policyWords}.`,
      rule,
      { findings: warning },
    );
  }
  return makeResult(
    settings,
    'full_name',
    'pass',
    'The title, text and alt text name no pupil.',
    rule,
  );
}

// ---------------------------------------------------------------------------------------------
// Personal details
// ---------------------------------------------------------------------------------------------

export function personalDetailsCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.personalDetailsForbidden';
  const known = knownContacts(post.schoolContacts);
  const findings: CheckFinding[] = [];
  const kinds = new Set<DetailKind>();
  for (const field of fieldsOf(post)) {
    for (const h of findPersonalDetails(field.text, known)) {
      findings.push(finding(field, h.start, h.end));
      kinds.add(h.kind);
    }
  }
  if (findings.length === 0) {
    return makeResult(
      settings,
      'personal_details',
      'pass',
      'The post contains no phone number, email address, postcode, street address or date of birth.',
      rule,
    );
  }
  const what = listWords(
    [...kinds].map((k) => detailNames[k]),
    5,
  );
  const forbidden = settings.publishing.personalDetailsForbidden.value;
  return makeResult(
    settings,
    'personal_details',
    forbidden ? 'fail' : 'warning',
    `The post contains ${what} (${listWords(findings.map(quoted))}) that ${findings.length === 1 ? 'is' : 'are'} not the school’s own contact details${forbidden ? ', and personal details may not be posted' : ''}.`,
    rule,
    { findings },
  );
}

// ---------------------------------------------------------------------------------------------
// Swimwear and quarantine
// ---------------------------------------------------------------------------------------------

export function swimwearCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'media.swimwearBan';
  const items = post.media.filter((m) => m.swimwear);
  if (items.length === 0) {
    return makeResult(
      settings,
      'swimwear',
      'pass',
      'No photo or video is marked as swimwear or swimming.',
      rule,
    );
  }
  const banned = settings.media.swimwearBan.value;
  const labels = listWords(items.map((m) => m.label));
  return makeResult(
    settings,
    'swimwear',
    banned ? 'fail' : 'warning',
    banned
      ? `${labels} ${items.length === 1 ? 'is' : 'are'} marked as swimwear or swimming, which the school’s policy never allows to be posted.`
      : `${labels} ${items.length === 1 ? 'is' : 'are'} marked as swimwear or swimming; check ${items.length === 1 ? 'it is' : 'they are'} suitable before posting.`,
    rule,
    { mediaIds: items.map((m) => m.id) },
  );
}

export function quarantineCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'media.schoolDevicesOnly';
  const items = post.media.filter((m) => m.quarantined);
  if (items.length === 0) {
    return makeResult(
      settings,
      'quarantine',
      'pass',
      'No photo or video is held in quarantine.',
      rule,
    );
  }
  return makeResult(
    settings,
    'quarantine',
    'fail',
    `${listWords(items.map((m) => m.label))} ${items.length === 1 ? 'is' : 'are'} held in quarantine (taken on a device the school has not approved) until released, so ${items.length === 1 ? 'it' : 'they'} cannot be posted.`,
    rule,
    { mediaIds: items.map((m) => m.id) },
  );
}

// ---------------------------------------------------------------------------------------------
// Who may post
// ---------------------------------------------------------------------------------------------

export function reminderPermissionCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.reminderPostsNeedPermission';
  if (post.kind !== 'reminder_to_parents') {
    return makeResult(
      settings,
      'reminder_permission',
      'pass',
      'This is not a reminder to parents.',
      rule,
    );
  }
  if (!settings.publishing.reminderPostsNeedPermission.value) {
    return makeResult(
      settings,
      'reminder_permission',
      'pass',
      'The school’s policy does not ask for a separate permission for reminders to parents.',
      rule,
    );
  }
  if (post.author.reminderPermissionHeld) {
    return makeResult(
      settings,
      'reminder_permission',
      'pass',
      'The author holds a current permission to post reminders to parents.',
      rule,
    );
  }
  return makeResult(
    settings,
    'reminder_permission',
    'fail',
    'This is a reminder to parents, and the author does not hold a current permission to post reminders.',
    rule,
  );
}

export function designatedPosterCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.designatedPublicityPersonOnly';
  if (!settings.publishing.designatedPublicityPersonOnly.value) {
    return makeResult(
      settings,
      'designated_poster',
      'pass',
      'The school’s policy lets any member of staff who may post use photos.',
      rule,
    );
  }
  if (post.media.length === 0) {
    return makeResult(
      settings,
      'designated_poster',
      'pass',
      'The post has no photos or videos.',
      rule,
    );
  }
  if (post.author.designatedForPublicity) {
    return makeResult(
      settings,
      'designated_poster',
      'pass',
      'The author is a designated person for posting photos.',
      rule,
    );
  }
  return makeResult(
    settings,
    'designated_poster',
    'fail',
    'Only a designated person may post photos or videos, and the author is not one.',
    rule,
  );
}

// ---------------------------------------------------------------------------------------------
// Tone (a warning at most)
// ---------------------------------------------------------------------------------------------

export function toneCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.positiveToneCheck';
  if (!settings.publishing.positiveToneCheck.value) {
    return makeResult(
      settings,
      'tone',
      'pass',
      'The school’s policy does not ask for a tone check.',
      rule,
    );
  }
  const list = toneList(settings.publishing.toneFlaggedWords.value);
  const limit = settings.publishing.toneNegativeScoreLimit.value;
  const findings: CheckFinding[] = [];
  let score = 0;
  for (const field of fieldsOf(post)) {
    for (const h of findListedWords(field.text, list))
      findings.push(finding(field, h.start, h.end));
    score += toneScore(field.text).score;
  }
  if (findings.length > 0) {
    return makeResult(
      settings,
      'tone',
      'warning',
      `The post uses ${findings.length === 1 ? 'a word' : 'words'} on the school’s list of negative or derogatory words (${listWords(findings.map(quoted))}); check it is positive and fair to everyone.`,
      'publishing.toneFlaggedWords',
      { findings },
    );
  }
  if (score <= -limit) {
    return makeResult(
      settings,
      'tone',
      'warning',
      'The post reads as negative overall; check it is positive and fair to everyone.',
      'publishing.toneNegativeScoreLimit',
    );
  }
  return makeResult(settings, 'tone', 'pass', 'The post reads as positive or neutral.', rule);
}

// ---------------------------------------------------------------------------------------------
// The channel's own limits (one result per channel)
// ---------------------------------------------------------------------------------------------

export function channelLimitsCheck(input: ChecksInput, channel: ChannelForChecks): CheckResult {
  const { settings, post } = input;
  const at = { channelId: channel.id };
  const l = channel.limits;
  const problems: string[] = [];
  const text =
    l.titleCountsTowardsText && post.title !== '' ? `${post.title}\n\n${post.text}` : post.text;
  if (l.maxGraphemes !== null) {
    const n = graphemeCount(text);
    if (n > l.maxGraphemes) {
      problems.push(
        `the text is ${plural(n, 'character')} long, ${n - l.maxGraphemes} over its limit of ${l.maxGraphemes}`,
      );
    }
  }
  for (const kind of ['image', 'video'] as const) {
    const max = kind === 'image' ? l.maxImages : l.maxVideos;
    const n = post.media.filter((m) => m.kind === kind).length;
    if (max !== null && n > max) {
      problems.push(
        max === 0
          ? `it does not take ${mediaWord(kind)}`
          : `it takes at most ${plural(max, mediaWord(kind, 1), mediaWord(kind))} and the post has ${n}`,
      );
    }
  }
  if (l.maxAltTextGraphemes !== null) {
    const long = post.media.filter((m) => graphemeCount(m.altText) > (l.maxAltTextGraphemes ?? 0));
    if (long.length > 0) {
      problems.push(
        `the alt text of ${listWords(long.map((m) => m.label))} is over its limit of ${l.maxAltTextGraphemes} characters`,
      );
    }
  }
  if (problems.length > 0) {
    return makeResult(
      settings,
      'channel_limits',
      'fail',
      `${channel.label} would refuse the post: ${listWords(problems, 4)}.`,
      null,
      at,
    );
  }
  return makeResult(
    settings,
    'channel_limits',
    'pass',
    `The post fits ${channel.label}’s limits.`,
    null,
    at,
  );
}
