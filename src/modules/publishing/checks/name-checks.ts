/**
 * Pupils' names and personal details found in the post's text.
 */
import type { RulePath } from '../../policies/index.ts';
import { buildNameIndex, lookUp, nameIndexFor, scanNames, type NameHit } from './name-index.ts';
import { detailNames, findPersonalDetails, knownContacts } from './personal-details.ts';
import { fieldsOf, type TextField } from './text.ts';
import type { CheckFinding, CheckResult, ChecksInput, RollPupil } from './types.ts';
import { listWords, makeResult, plural, quoted } from './check-results.ts';

// ---------------------------------------------------------------------------------------------
// Pupils' names
// ---------------------------------------------------------------------------------------------

export function finding(field: TextField, start: number, end: number): CheckFinding {
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
  else if (permissionNeeded && mode !== 'first_name_only') {
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
        allowed =
          mode !== 'no_names' &&
          mode !== 'never_full_names' &&
          mode !== 'first_name_only' &&
          inPost.some(permitted);
      } else if (inPost.length > 0) {
        allowed =
          mode === 'no_names'
            ? false
            : namesForbidden
              ? inPost.some(permitted)
              : mode === 'first_name_only' || !permissionNeeded || inPost.some(permitted);
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
      : mode === 'first_name_only'
        ? 'the school’s policy allows a pupil’s first name only, never a full name'
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
  const tags = taggingFindings(input, fields, index);
  if (tags.failing.length > 0 || tags.warning.length > 0) {
    const fs = tags.failing.length > 0 ? tags.failing : tags.warning;
    const who = listWords(
      [
        settings.channels.noTagging.value.pupils ? 'pupils' : '',
        settings.channels.noTagging.value.parents ? 'parents' : '',
      ].filter((w) => w !== ''),
    );
    return makeResult(
      settings,
      'full_name',
      tags.failing.length > 0 ? 'fail' : 'warning',
      tags.failing.length > 0
        ? `The post tags ${fs.length === 1 ? 'an account' : 'accounts'} named after a pupil (${rest(fs)}), and the school’s policy says ${who} are never tagged on social media.`
        : `The post tags ${fs.length === 1 ? 'an account' : 'accounts'} (${rest(fs)}); check ${fs.length === 1 ? 'it is not a pupil or parent' : 'none is a pupil or parent'}, as the school’s policy says ${who} are never tagged on social media.`,
      'channels.noTagging',
      { findings: fs },
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

/** '@handle' mentions: tagging an account on a platform. */
const MENTION = /(?<![\p{L}\p{N}_.@])@([\p{L}\p{N}_][\p{L}\p{N}_.-]{1,49})/gu;

function squashName(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Mentions in the post while the policy forbids tagging pupils or parents
 * (`channels.noTagging`): one that spells a pupil's full name fails; any other only warns, as
 * Lanyard cannot tell whose account it is.
 */
function taggingFindings(
  input: ChecksInput,
  fields: TextField[],
  index: ReturnType<typeof nameIndexFor>,
): { failing: CheckFinding[]; warning: CheckFinding[] } {
  const rule = input.settings.channels.noTagging.value;
  const failing: CheckFinding[] = [];
  const warning: CheckFinding[] = [];
  if (!rule.pupils && !rule.parents) return { failing, warning };
  let squashed: string[] | null = null;
  const fullNames = () =>
    (squashed ??= input.roll.pupils.flatMap((p) => {
      // Legal and preferred first names, each with the legal and preferred surnames.
      const firsts = [p.givenName, p.preferredName ?? ''].filter((n) => n !== '');
      const lasts = [p.familyName, p.preferredFamilyName ?? ''].filter((n) => n !== '');
      return firsts.flatMap((f) => lasts.map((l) => squashName(`${f}${l}`)));
    }));
  const official = new Set(
    input.post.channels.map((c) => squashName(c.label.split('@')[1] ?? '')).filter((h) => h),
  );
  for (const field of fields) {
    for (const m of field.text.matchAll(MENTION)) {
      const handle = squashName(m[1] ?? '');
      if (handle === '' || official.has(handle)) continue;
      const f = finding(field, m.index, m.index + m[0].length);
      const pupilHandle =
        rule.pupils &&
        (scanNames(index, (m[1] ?? '').replace(/[_.-]+/g, ' '), null).length > 0 ||
          fullNames().some((n) => handle.includes(n)));
      (pupilHandle ? failing : warning).push(f);
    }
  }
  return { failing, warning };
}

// ---------------------------------------------------------------------------------------------
// Personal details
// ---------------------------------------------------------------------------------------------

export function personalDetailsCheck(input: ChecksInput): CheckResult {
  const { settings, post } = input;
  const rule: RulePath = 'publishing.personalDetailsForbidden';
  const known = knownContacts(post.schoolContacts);
  const findings: CheckFinding[] = [];
  const kinds = new Set<string>();
  // What counts as personal information is the school's (`channels.personalInformation`).
  const counted = new Set<string>(settings.channels.personalInformation.value.kinds);
  const phrases = settings.channels.personalInformation.value.phrases;
  for (const field of fieldsOf(post)) {
    for (const h of findPersonalDetails(field.text, known)) {
      if (!counted.has(h.kind)) continue;
      findings.push(finding(field, h.start, h.end));
      kinds.add(detailNames[h.kind]);
    }
    const lower = field.text.toLowerCase();
    for (const phrase of phrases) {
      const p = phrase.toLowerCase();
      for (let at = lower.indexOf(p); at >= 0; at = lower.indexOf(p, at + p.length)) {
        const before = at === 0 ? '' : lower[at - 1]!;
        const after = lower[at + p.length] ?? '';
        if (/[\p{L}\p{N}]/u.test(before) || /[\p{L}\p{N}]/u.test(after)) continue;
        findings.push(finding(field, at, at + p.length));
        kinds.add('information the school’s policy counts as personal');
      }
    }
  }
  if (findings.length === 0) {
    return makeResult(
      settings,
      'personal_details',
      'pass',
      counted.size === 5 && phrases.length === 0
        ? 'The post contains no phone number, email address, postcode, street address or date of birth.'
        : `The post contains none of the personal information the school’s policy lists${counted.size + phrases.length > 0 ? ` (${listWords([...[...counted].map((k) => detailNames[k as keyof typeof detailNames]), ...phrases.map((p) => `“${p}”`)], 8)})` : ''}.`,
      rule,
    );
  }
  const what = listWords([...kinds], 5);
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
