/**
 * Text helpers shared by the checks: the fields of a post that people read, a tokeniser that
 * normalises words for name matching (case, diacritics, apostrophes, possessives) and keeps their
 * offsets, and grapheme counting.
 */
import type { PostForChecks } from './types.ts';

export interface TextField {
  /** 'title', 'text' or 'alt:<mediaId>'. */
  where: string;
  /** How the field is named in a sentence: 'the title', 'the text', 'the alt text of Photo 1'. */
  name: string;
  text: string;
}

/** The title, the text and every alt text of a post. */
export function fieldsOf(post: PostForChecks): TextField[] {
  const fields: TextField[] = [
    { where: 'title', name: 'the title', text: post.title },
    { where: 'text', name: 'the text', text: post.text },
  ];
  for (const m of post.media) {
    if (m.altText.trim() !== '') {
      fields.push({ where: `alt:${m.id}`, name: `the alt text of ${m.label}`, text: m.altText });
    }
  }
  return fields;
}

/**
 * What separates a token from the one before it. 'line' is a single line break and nothing else
 * (text wrapped by hand): a full name may run across it, but a word after it starts a line.
 */
export type Gap = 'none' | 'space' | 'line' | 'comma' | 'stop';

export interface Token {
  /** Lower case, no diacritics, no apostrophes, no possessive ending. */
  norm: string;
  start: number;
  end: number;
  /** The first letter is upper case as written. */
  capital: boolean;
  /** The token is a single letter followed directly by a full stop ('S.'). */
  initialDot: boolean;
  /** The word as written ended with a possessive ("Smith's", "Jones'", "S's"). */
  possessive: boolean;
  /** What lies between this token and the one before (the first token: 'stop'). */
  gapBefore: Gap;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’]*/gu;
const MARKS = /\p{M}/gu;
const APOSTROPHES = /['’]/g;
/** Already normal: lower-case ASCII letters and digits only. */
const PLAIN = /^[a-z0-9]+$/;
/** Titles after which a full stop does not end a sentence ('Mr. Smith'). */
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'mx', 'dr', 'st', 'miss', 'prof', 'rev']);
/** Letters the normal form leaves alone but people write as two ('æ' → 'ae'). */
const FOLD: Record<string, string> = { æ: 'ae', œ: 'oe', ø: 'o', ß: 'ss', ł: 'l', đ: 'd', ð: 'd' };
const FOLDABLE = /[æœøßłđð]/g;

/** A word or name as matched: lower case, no diacritics, apostrophes or possessive 's. */
export function normaliseWord(word: string): string {
  const lower = word.toLowerCase();
  if (PLAIN.test(lower)) return lower;
  let w = lower.normalize('NFD').replace(MARKS, '');
  w = w.replace(FOLDABLE, (c) => FOLD[c] ?? c);
  w = w.replace(/['’]s$/, '').replace(/['’]+$/, '');
  return w.replace(APOSTROPHES, '');
}

/** A name's words, normalised: 'Smith-Jones' → ['smith', 'jones'], "O'Brien" → ['obrien']. */
export function nameParts(name: string): string[] {
  const out: string[] = [];
  for (const m of name.matchAll(WORD)) {
    const n = normaliseWord(m[0]);
    if (n !== '') out.push(n);
  }
  return out;
}

function classifyGap(gap: string, previous: Token | undefined): Gap {
  if (previous === undefined) return 'stop';
  if (gap === '') return 'none';
  let g = gap;
  // A full stop right after an initial or a title is not the end of a sentence ('T. Smith').
  if (
    g.startsWith('.') &&
    (previous.norm.length === 1 || ABBREVIATIONS.has(previous.norm)) &&
    !/^\.\s*\n\s*\n/.test(g)
  ) {
    g = g.slice(1);
  }
  // 'tom.smith' (no space after the dot) reads as one handle, not two sentences.
  if (/^[._]$/.test(g)) return 'space';
  // One line break between two words, nothing else: a name wrapped onto the next line.
  if (/^[^\S\n]*\r?\n[^\S\n]*$/.test(g)) return 'line';
  if (/[.!?;:\n()[\]{}|/\\•–—]/.test(g)) return 'stop';
  if (/[,&+]/.test(g)) return 'comma';
  return 'space';
}

/**
 * The last few texts tokenised, so the name and tone checks of one run share the work. At most 8;
 * `runChecks` empties it before and after each run, so no post's text stays in memory.
 */
const recent = new Map<string, readonly Token[]>();

export function forgetTokens(): void {
  recent.clear();
}

/** The words of a text with their offsets and what separates them. O(length). */
export function tokenise(text: string): readonly Token[] {
  const known = recent.get(text);
  if (known !== undefined) return known;
  const tokens = tokenize(text);
  if (recent.size >= 8) recent.delete(recent.keys().next().value as string);
  recent.set(text, tokens);
  return tokens;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let lastEnd = 0;
  for (const m of text.matchAll(WORD)) {
    const raw = m[0];
    const start = m.index;
    // The possessive ending is not part of the name: "Tom Smith's" is found as 'Tom Smith'.
    const bare = raw.replace(/['’]s$/, '').replace(/['’]+$/, '');
    const end = start + bare.length;
    const norm = normaliseWord(raw);
    if (norm === '') continue;
    const previous = tokens[tokens.length - 1];
    const first = raw.charAt(0);
    tokens.push({
      norm,
      start,
      end,
      capital: first !== first.toLowerCase(),
      initialDot: norm.length === 1 && text.charAt(end) === '.',
      possessive: bare.length < raw.length,
      gapBefore: classifyGap(text.slice(lastEnd, start), previous),
    });
    lastEnd = start + raw.length;
  }
  return tokens;
}

/** True when the token starts a sentence or a line (a capital there says less). */
export function startsLine(token: Token): boolean {
  return token.gapBefore === 'stop' || token.gapBefore === 'line';
}

/** True when the token is a title ('Mrs', 'Dr') so the next word is someone's surname. */
export function isTitle(token: Token | undefined): boolean {
  return token !== undefined && ABBREVIATIONS.has(token.norm);
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** User-perceived characters (Bluesky's limit counts these), fast for plain ASCII. */
export function graphemeCount(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}
