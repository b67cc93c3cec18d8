import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedFiles } from '../../settings/rules.ts';
import { lanyardDefaultsTemplate, policyTemplates } from '../index.ts';
import { parseSeed } from './parse-seed.ts';
import {
  clauseIds,
  policyTextSchema,
  resolveCitation,
  seedTexts,
  templateSeed,
  templateText,
} from './index.ts';

/** Every citation in a settings tree: its seed and section. */
function citations(v: unknown, out: { seed: string | null; section: string }[] = []) {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.citation && typeof o.citation === 'object')
      out.push(o.citation as { seed: string | null; section: string });
    for (const x of Object.values(o)) citations(x, out);
  }
  return out;
}

const seedsDir = process.env.SEEDS_DIR ?? '/work/shared/seeds';

describe('seed policy texts', () => {
  it('are valid texts with unique clause and section ids', () => {
    for (const text of Object.values(seedTexts)) {
      expect(policyTextSchema.safeParse(text).success).toBe(true);
      const ids = clauseIds(text);
      expect(new Set(ids).size).toBe(ids.length);
      const sections = text.sections.map((s) => s.id);
      expect(new Set(sections).size).toBe(sections.length);
    }
  });

  it.skipIf(!existsSync(seedsDir))('match the seeds they were made from, word for word', () => {
    for (const [id, file] of Object.entries(seedFiles)) {
      const raw = readFileSync(join(seedsDir, file), 'utf8');
      expect(parseSeed(id, raw)).toEqual(seedTexts[id]);
      // Every word of the seed is in the text (layout aside: list markers, blank lines).
      const words = (s: string) => s.replace(/^- /gm, '').split(/\s+/).filter(Boolean);
      const all = seedTexts[id]!.sections.flatMap((s) => [
        ...s.heading.split(/\s+/),
        ...s.clauses.flatMap((c) => words(c.text)),
      ]);
      expect(all.length).toBeGreaterThan(words(raw).length * 0.97);
    }
  });

  it('parses seed 003’s numbered clauses with their ids', () => {
    const text = seedTexts['003']!;
    const section4 = text.sections.find((s) => s.id === '4')!;
    expect(section4.heading).toBe('Data protection principles');
    expect(section4.clauses.map((c) => c.id)).toContain('4.15');
    expect(section4.clauses.find((c) => c.id === '4.1')!.text).toMatch(
      /^4\.1\. The school will obtain consent from pupils and parents/,
    );
  });

  it('resolves every citation of every template to a real place in that seed’s text', () => {
    for (const template of policyTemplates) {
      const seed = templateSeed(template.key)!;
      const text = templateText(template.key);
      for (const c of citations(template.settings)) {
        if (c.seed !== seed) continue;
        const places = resolveCitation(text, c.section);
        expect(places, `${template.key}: ${c.section}`).not.toEqual([]);
      }
    }
  });

  it('resolves headings, letters, numbers, lists and aliases', () => {
    expect(resolveCitation(seedTexts['003']!, '4.15')[0]!.anchor).toBe('clause-4-15');
    expect(resolveCitation(seedTexts['003']!, '5.13, 6.3').map((p) => p.id)).toEqual([
      '5.13',
      '6.3',
    ]);
    expect(resolveCitation(seedTexts['000']!, 'Cyberbullying')[0]!.anchor).toBe(
      'section-cyberbullying',
    );
    expect(resolveCitation(seedTexts['004']!, 'D')[0]!.anchor).toBe('section-d');
    expect(resolveCitation(seedTexts['002']!, '9')[0]!.anchor).toBe('section-9');
    expect(resolveCitation(seedTexts['001']!, 'Parents')).toHaveLength(2);
    expect(resolveCitation(seedTexts['003']!, 'No such clause')).toEqual([]);
  });

  it('gives Lanyard’s defaults a short text of its own that its citations open', () => {
    const text = templateText(lanyardDefaultsTemplate.key);
    expect(text.sections.length).toBeGreaterThan(2);
    expect(resolveCitation(text, 'Lanyard default')[0]!.id).toBe('lanyard-default');
  });
});
