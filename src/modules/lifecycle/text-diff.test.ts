import { describe, expect, it } from 'vitest';
import { seedTexts, type PolicyText } from '../policies/index.ts';
import { diffTexts } from './text-diff.ts';

const base = (): PolicyText => structuredClone(seedTexts['003']!);

describe('policy text word diff', () => {
  it('finds no change between a text and itself', () => {
    const d = diffTexts(base(), base());
    expect(d.clauses).toEqual([]);
    expect(d.wordsAdded + d.wordsRemoved).toBe(0);
  });

  it('shows the words added and removed in a changed clause', () => {
    const after = base();
    const c = after.sections.find((s) => s.id === '4')!.clauses.find((x) => x.id === '4.1')!;
    c.text = c.text.replace('each academic year', 'each school year and on admission');
    const d = diffTexts(base(), after);
    expect(d.clauses).toHaveLength(1);
    const one = d.clauses[0]!;
    expect(one).toMatchObject({
      clauseId: '4.1',
      kind: 'changed',
      sectionHeading: 'Data protection principles',
    });
    expect(one.parts.filter((p) => p.change === 'removed').map((p) => p.text.trim())).toEqual([
      'academic',
    ]);
    expect(
      one.parts
        .filter((p) => p.change === 'added')
        .map((p) => p.text)
        .join(' '),
    ).toMatch(/school.*and on admission/);
    expect(one.wordsRemoved).toBe(1);
    expect(one.wordsAdded).toBe(4);
    // The unchanged words are kept as they were.
    expect(
      one.parts
        .filter((p) => p.change === 'same')
        .map((p) => p.text)
        .join(''),
    ).toContain('The school will obtain consent');
  });

  it('lists added and removed clauses whole, and a changed heading', () => {
    const after = base();
    const s8 = after.sections.find((s) => s.id === '8')!;
    s8.heading = 'Cyberbullying';
    s8.clauses.push({ id: '8.10', text: 'Pupils can report cyberbullying to any adult.' });
    const s9 = after.sections.find((s) => s.id === '9')!;
    const removed = s9.clauses.pop()!;
    const d = diffTexts(base(), after);
    expect(d.headings).toEqual([{ from: 'Cyber bullying', to: 'Cyberbullying' }]);
    expect(d.clauses.find((c) => c.clauseId === '8.10')).toMatchObject({
      kind: 'added',
      wordsAdded: 7,
    });
    expect(d.clauses.find((c) => c.clauseId === removed.id)).toMatchObject({ kind: 'removed' });
  });
});
