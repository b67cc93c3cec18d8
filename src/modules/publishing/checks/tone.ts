/**
 * Tone: words from the school's own list (`publishing.toneFlaggedWords`) and an overall word score
 * from the AFINN-165 word list (the `sentiment` package, offline). Only ever a warning: a person
 * judges tone, Lanyard only points at the words.
 */
import { checkLibraries } from './libraries.ts';
import { nameParts, tokenise } from './text.ts';

export interface ToneList {
  /** One-word entries. */
  words: ReadonlySet<string>;
  /** Entries of several words, by their first word. */
  phrases: ReadonlyMap<string, readonly (readonly string[])[]>;
}

const lists = new Map<string, ToneList>();

/** The school's list, normalised like the text (cached by its contents, at most 32 lists). */
export function toneList(entries: readonly string[]): ToneList {
  const key = entries.join('\n');
  const cached = lists.get(key);
  if (cached !== undefined) return cached;
  const words = new Set<string>();
  const phrases = new Map<string, string[][]>();
  for (const entry of entries) {
    const parts = nameParts(entry);
    if (parts.length === 1) words.add(parts[0] as string);
    else if (parts.length > 1) {
      const first = parts[0] as string;
      const list = phrases.get(first);
      if (list === undefined) phrases.set(first, [parts]);
      else list.push(parts);
    }
  }
  const built: ToneList = { words, phrases };
  if (lists.size >= 32) lists.clear();
  lists.set(key, built);
  return built;
}

export interface ToneHit {
  start: number;
  end: number;
}

/** Where the school's listed words and phrases appear in a text. O(words). */
export function findListedWords(text: string, list: ToneList): ToneHit[] {
  const tokens = tokenise(text);
  const hits: ToneHit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const phrases = list.phrases.get(t.norm);
    if (phrases !== undefined) {
      const matched = phrases.find((p) => p.every((w, k) => k === 0 || tokens[i + k]?.norm === w));
      if (matched !== undefined) {
        const last = tokens[i + matched.length - 1]!;
        hits.push({ start: t.start, end: last.end });
        i += matched.length - 1;
        continue;
      }
    }
    if (list.words.has(t.norm)) hits.push({ start: t.start, end: t.end });
  }
  return hits;
}

/**
 * The AFINN-165 score of a text: below zero is negative overall. Needs `loadCheckLibraries()`
 * to have finished (the check runner awaits it).
 */
export function toneScore(text: string): { score: number; negative: string[] } {
  const r = checkLibraries().sentiment.analyze(text);
  return { score: r.score, negative: r.negative };
}
