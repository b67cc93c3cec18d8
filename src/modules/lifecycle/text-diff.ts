/**
 * What changed between two versions of the policy text, clause by clause, in words (issue 16
 * item 1): jsdiff's word diff (ADR 0031). Clauses are matched by id; a new clause is all added,
 * a removed one all removed; a heading change is shown too.
 */
import { diffWords } from 'diff';
import type { PolicyText } from '../policies/index.ts';

export interface DiffPart {
  text: string;
  change: 'added' | 'removed' | 'same';
}

export interface ClauseDiff {
  sectionHeading: string;
  clauseId: string;
  kind: 'added' | 'removed' | 'changed';
  parts: DiffPart[];
  wordsAdded: number;
  wordsRemoved: number;
}

export interface TextDiff {
  clauses: ClauseDiff[];
  headings: { from: string; to: string }[];
  wordsAdded: number;
  wordsRemoved: number;
}

const countWords = (s: string) => s.split(/\s+/).filter(Boolean).length;

function clauseMap(text: PolicyText) {
  const m = new Map<string, { heading: string; text: string }>();
  for (const s of text.sections)
    for (const c of s.clauses) m.set(c.id, { heading: s.heading, text: c.text });
  return m;
}

/** The word diff of `after` against `before` (either may be the same text: no changes). */
export function diffTexts(before: PolicyText, after: PolicyText): TextDiff {
  const was = clauseMap(before);
  const now = clauseMap(after);
  const clauses: ClauseDiff[] = [];
  for (const [id, c] of now) {
    const old = was.get(id);
    if (!old) {
      const n = countWords(c.text);
      clauses.push({
        sectionHeading: c.heading,
        clauseId: id,
        kind: 'added',
        parts: [{ text: c.text, change: 'added' }],
        wordsAdded: n,
        wordsRemoved: 0,
      });
      continue;
    }
    if (old.text === c.text) continue;
    const parts: DiffPart[] = diffWords(old.text, c.text).map((p) => ({
      text: p.value,
      change: p.added ? 'added' : p.removed ? 'removed' : 'same',
    }));
    clauses.push({
      sectionHeading: c.heading,
      clauseId: id,
      kind: 'changed',
      parts,
      wordsAdded: parts
        .filter((p) => p.change === 'added')
        .reduce((n, p) => n + countWords(p.text), 0),
      wordsRemoved: parts
        .filter((p) => p.change === 'removed')
        .reduce((n, p) => n + countWords(p.text), 0),
    });
  }
  for (const [id, c] of was) {
    if (now.has(id)) continue;
    clauses.push({
      sectionHeading: c.heading,
      clauseId: id,
      kind: 'removed',
      parts: [{ text: c.text, change: 'removed' }],
      wordsAdded: 0,
      wordsRemoved: countWords(c.text),
    });
  }
  const headings: { from: string; to: string }[] = [];
  const oldHeadings = new Map(before.sections.map((s) => [s.id, s.heading]));
  for (const s of after.sections) {
    const h = oldHeadings.get(s.id);
    if (h !== undefined && h !== s.heading) headings.push({ from: h, to: s.heading });
  }
  return {
    clauses,
    headings,
    wordsAdded: clauses.reduce((n, c) => n + c.wordsAdded, 0),
    wordsRemoved: clauses.reduce((n, c) => n + c.wordsRemoved, 0),
  };
}
