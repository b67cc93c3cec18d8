/**
 * Finding pupils' names in a post, fast.
 *
 * The roll is indexed once per school and roll version: every pair of normalised words that
 * makes a full name ('tom smith', 'smith tom', each part of a hyphenated or double-barrelled name
 * with each part of the other; the legal and preferred first names each with the legal and
 * preferred surnames, so 'alfie smith' for Alfred Smith known as Alfie), every initial form ('tom s', 't smith'), every run-together form
 * ('tomsmith', as in a hashtag) and every first name. A scan then looks each word and each pair of
 * neighbouring words up in hash maps (word, then next word: no key strings are built), so its cost
 * grows with the words of the post, not the names on the roll. Indexes are kept in a bounded LRU cache keyed by school; a new roll version
 * replaces the old one.
 */
import { LRUCache } from 'lru-cache';
import { isTitle, nameParts, startsLine, tokenise, type Token } from './text.ts';
import type { Roll, RollPupil } from './types.ts';

export type NameForm = 'full' | 'initial' | 'joined' | 'first';

/** Two words → pupils: looked up word by word, so a scan builds no key strings. */
export type PairMap = ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;

export interface NameIndex {
  schoolId: string;
  version: string;
  pupilIds: readonly string[];
  /** Index of each pupil id in `pupilIds`. */
  byId: ReadonlyMap<string, number>;
  /** Normalised first-name words of each pupil (given and preferred names). */
  firstParts: readonly (readonly string[])[];
  /** 'tom' then 'smith' → pupils. */
  pairs: PairMap;
  /** Surname first ('smith' then 'tom'), which may also be written 'Smith, Tom'. */
  reversed: PairMap;
  /** 'tom' then 's' (first name, surname initial) and 't' then 'smith' → pupils. */
  initials: PairMap;
  /** 'tomsmith' → pupils. */
  joined: ReadonlyMap<string, readonly number[]>;
  /** First-name word → pupils. */
  firstNames: ReadonlyMap<string, readonly number[]>;
}

function add(map: Map<string, number[]>, key: string, pupil: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [pupil]);
  else if (list[list.length - 1] !== pupil) list.push(pupil);
}

function add2(map: Map<string, Map<string, number[]>>, a: string, b: string, pupil: number): void {
  let inner = map.get(a);
  if (inner === undefined) {
    inner = new Map();
    map.set(a, inner);
  }
  add(inner, b, pupil);
}

function get2(map: PairMap, a: string, b: string): readonly number[] | undefined {
  return map.get(a)?.get(b);
}

/** Build the index of a roll. O(pupils × name parts²); run once per roll version. */
export function buildNameIndex(roll: Roll): NameIndex {
  const pairs = new Map<string, Map<string, number[]>>();
  const reversed = new Map<string, Map<string, number[]>>();
  const initials = new Map<string, Map<string, number[]>>();
  const joined = new Map<string, number[]>();
  const firstNames = new Map<string, number[]>();
  const byId = new Map<string, number>();
  const firstParts: string[][] = [];
  const pupilIds: string[] = [];
  // One copy of each word, however many pupils share it (a smaller heap for a large roll).
  const words = new Map<string, string>();
  const intern = (w: string) => {
    const known = words.get(w);
    if (known !== undefined) return known;
    words.set(w, w);
    return w;
  };
  const parts = (name: string) => nameParts(name).map(intern);

  roll.pupils.forEach((p: RollPupil, i) => {
    pupilIds.push(p.id);
    byId.set(p.id, i);
    const given = parts(p.givenName);
    const preferred = p.preferredName ? parts(p.preferredName) : [];
    const firsts = [...new Set([...given, ...preferred])];
    const legalSurname = parts(p.familyName);
    const preferredSurname = p.preferredFamilyName ? parts(p.preferredFamilyName) : [];
    const surnames = [...new Set([...legalSurname, ...preferredSurname])];
    firstParts.push(firsts);
    for (const f of firsts) {
      add(firstNames, f, i);
      for (const s of surnames) {
        add2(pairs, f, s, i);
        add2(reversed, s, f, i);
      }
      for (const s0 of new Set([legalSurname[0], preferredSurname[0]])) {
        if (s0 !== undefined) add2(initials, f, intern(s0.charAt(0)), i);
      }
    }
    for (const s of surnames) {
      for (const f of firsts) add2(initials, intern(f.charAt(0)), s, i);
    }
    // Run together, as in a hashtag or handle: 'TomSmith', 'tom_smithjones'.
    const fullFirst = [given, preferred].filter((x) => x.length > 0).map((x) => x.join(''));
    for (const fullSurname of new Set([legalSurname, preferredSurname].map((x) => x.join('')))) {
      if (fullSurname === '') continue;
      for (const f of new Set([...fullFirst, ...firsts])) add(joined, `${f}${fullSurname}`, i);
    }
  });
  return {
    schoolId: roll.schoolId,
    version: roll.version,
    pupilIds,
    byId,
    firstParts,
    pairs,
    reversed,
    initials,
    joined,
    firstNames,
  };
}

const cache = new LRUCache<string, NameIndex>({ max: 64 });

/**
 * The index for a school's roll, built at most once per roll version. At most 64 schools' indexes
 * are kept (least recently used dropped); a school's new version replaces its old one.
 */
export function nameIndexFor(roll: Roll): NameIndex {
  const cached = cache.get(roll.schoolId);
  if (cached !== undefined && cached.version === roll.version) return cached;
  const built = buildNameIndex(roll);
  cache.set(roll.schoolId, built);
  return built;
}

/** Forget every cached index (tests). */
export function clearNameIndexCache(): void {
  cache.clear();
}

/**
 * Words that are also common English words or names of months and seasons: written alone at the
 * start of a sentence they are more likely the word than a pupil ('Will you join us?'). Mid-
 * sentence with a capital they still count as a first name.
 */
const AMBIGUOUS_AT_SENTENCE_START = new Set([
  'will',
  'may',
  'june',
  'april',
  'august',
  'summer',
  'autumn',
  'hope',
  'joy',
  'faith',
  'grace',
  'rose',
  'holly',
  'ivy',
  'sky',
  'dawn',
  'eve',
  'max',
  'mark',
  'bill',
  'pat',
  'rob',
  'sue',
  'ray',
  'art',
  'bob',
  'jack',
  'penny',
  'sunny',
  'river',
  'brook',
  'hunter',
  'chase',
  'miles',
  'guy',
  'frank',
  'victor',
  'young',
  'king',
  'page',
  'star',
  'day',
  'gay',
  'don',
  'harry',
  'jean',
  'drew',
  'an',
  'al',
  'bo',
  'jo',
]);

/** Which of the index's maps a hit was found in, so the same key can be looked up elsewhere. */
export type NameMap = 'pairs' | 'reversed' | 'initials' | 'joined' | 'firstNames';

export interface NameHit {
  start: number;
  end: number;
  form: NameForm;
  map: NameMap;
  /** The word (or first of the two words) it was found under. */
  key: string;
  /** The second word, for the two-word maps; '' otherwise. */
  key2: string;
  /** Indexes into `NameIndex.pupilIds` of the pupils it may be (shared with the index: do not change). */
  pupils: readonly number[];
}

/**
 * Every full name (and initial or run-together form) of any pupil on the roll in a text, and
 * every first name written alone of the pupils in `firstNamesOf` (indexes). O(words).
 */
export function scanNames(
  index: NameIndex,
  text: string,
  firstNamesOf: ReadonlyMap<string, readonly number[]> | null,
): NameHit[] {
  const tokens = tokenise(text);
  const hits: NameHit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (next !== undefined) {
      const a = t.norm;
      const b = next.norm;
      let found: readonly number[] | undefined;
      let form: NameForm = 'full';
      let map: NameMap = 'pairs';
      // In lower case, a name made of common words ('will young') is more likely the words.
      const plainWords =
        !t.capital &&
        !next.capital &&
        (AMBIGUOUS_AT_SENTENCE_START.has(a) || AMBIGUOUS_AT_SENTENCE_START.has(b));
      // Next to each other, or a full name wrapped onto the next line ('Tom\nSmith').
      const adjacent =
        next.gapBefore === 'space' || next.gapBefore === 'none' || next.gapBefore === 'line';
      if (plainWords) {
        // not a name
      } else if (adjacent) {
        found = get2(index.pairs, a, b);
        if (found === undefined) {
          found = get2(index.reversed, a, b);
          map = 'reversed';
        }
        // Three words: a surname prefix written apart ('Sean O Neill' for O'Neill, 'Ruth Mc
        // Donald'), or a middle initial ('Tom A. Smith').
        const after = tokens[i + 2];
        if (
          found === undefined &&
          b.length <= 3 &&
          after !== undefined &&
          (after.gapBefore === 'space' || after.gapBefore === 'none')
        ) {
          let key2 = b + after.norm;
          let three = get2(index.pairs, a, key2);
          if (three === undefined && next.initialDot && next.capital && t.capital) {
            key2 = after.norm;
            three = get2(index.pairs, a, key2);
          }
          if (three !== undefined) {
            hits.push({
              start: t.start,
              end: after.end,
              form: 'full',
              map: 'pairs',
              key: a,
              key2,
              pupils: three,
            });
            i += 2;
            continue;
          }
        }
      } else if (next.gapBefore === 'comma' && t.capital && next.capital) {
        // 'Smith, Tom' — surname first — but not a list of two names.
        found = get2(index.pairs, a, b) !== undefined ? undefined : get2(index.reversed, a, b);
        map = 'reversed';
      }
      if (found === undefined && adjacent) {
        // 'Tom S.', 'Tom S's', 'Tom S': a first name with a capital, then a capital initial (the
        // words 'I' and 'A' only with a full stop or a possessive).
        if (
          next.norm.length === 1 &&
          next.capital &&
          t.capital &&
          t.norm.length > 1 &&
          (next.initialDot || next.possessive || (b !== 'i' && b !== 'a'))
        ) {
          found = get2(index.initials, a, b);
        }
        // 'T. Smith' or 'T Smith' — a capital initial, not the words 'I' or 'A'.
        if (
          found === undefined &&
          t.norm.length === 1 &&
          t.capital &&
          next.norm.length > 1 &&
          (t.initialDot || (t.norm !== 'i' && t.norm !== 'a'))
        ) {
          found = get2(index.initials, a, b);
        }
        form = 'initial';
        map = 'initials';
      }
      // 'Smith T.' or 'Smith, T.' — surname first, then the first name's initial with its full
      // stop: the 'T. Smith' entry, looked up the other way round.
      let swapped = false;
      if (
        found === undefined &&
        (adjacent || next.gapBefore === 'comma') &&
        t.capital &&
        t.norm.length > 1 &&
        next.capital &&
        next.norm.length === 1 &&
        next.initialDot
      ) {
        found = get2(index.initials, b, a);
        if (found !== undefined) {
          form = 'initial';
          map = 'initials';
          swapped = true;
        }
      }
      if (found !== undefined) {
        hits.push({
          start: t.start,
          end: next.end,
          form,
          map,
          key: swapped ? b : a,
          key2: swapped ? a : b,
          pupils: found,
        });
        i++;
        continue;
      }
    }
    if (t.norm.length >= 5) {
      const j = index.joined.get(t.norm);
      if (j !== undefined) {
        hits.push({
          start: t.start,
          end: t.end,
          form: 'joined',
          map: 'joined',
          key: t.norm,
          key2: '',
          pupils: j,
        });
        continue;
      }
    }
    if (firstNamesOf !== null && t.capital) {
      const pupils = firstNamesOf.get(t.norm);
      if (pupils === undefined) continue;
      if (isTitle(tokens[i - 1]) && !startsLine(t)) continue; // 'Mrs Rose' is staff
      if (startsLine(t) && AMBIGUOUS_AT_SENTENCE_START.has(t.norm)) continue;
      const last = hits[hits.length - 1];
      if (last !== undefined && last.form === 'first' && last.end >= t.start - 1) {
        // 'Mary-Jane': one name, two words.
        hits[hits.length - 1] = { ...last, end: t.end };
        continue;
      }
      hits.push({
        start: t.start,
        end: t.end,
        form: 'first',
        map: 'firstNames',
        key: t.norm,
        key2: '',
        pupils,
      });
    }
  }
  return hits;
}

/** The pupils of `index` a hit found in another index may be (same map, same key). */
export function lookUp(index: NameIndex, hit: NameHit): readonly number[] {
  switch (hit.map) {
    case 'pairs':
    case 'reversed':
    case 'initials':
      return get2(index[hit.map], hit.key, hit.key2) ?? [];
    case 'joined':
    case 'firstNames':
      return index[hit.map].get(hit.key) ?? [];
  }
}
