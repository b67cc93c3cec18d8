/**
 * The templates' texts (issue 16 item 1): each seed school's policy as sections and clauses in
 * its own words (seed-texts/, made by scripts/policy-texts.ts), and a short plain text for
 * Lanyard's defaults. A school's first text is its starting point's.
 */
import type { PolicyText } from './policy-text.ts';
import { seed000Text } from './seed-texts/seed-000.ts';
import { seed001Text } from './seed-texts/seed-001.ts';
import { seed002Text } from './seed-texts/seed-002.ts';
import { seed003Text } from './seed-texts/seed-003.ts';
import { seed004Text } from './seed-texts/seed-004.ts';
import { lanyardDefaultsText } from './lanyard-defaults-text.ts';

export * from './policy-text.ts';

/** Each seed's text by seed id ('000' … '004'). */
export const seedTexts: Readonly<Record<string, PolicyText>> = {
  '000': seed000Text,
  '001': seed001Text,
  '002': seed002Text,
  '003': seed003Text,
  '004': seed004Text,
};

/** Template key → the seed whose text it starts from. */
const seedOfTemplate: Readonly<Record<string, string>> = {
  'jump-primary': '000',
  'the-avenue-primary': '001',
  'christ-church-hampstead': '002',
  'sacred-heart-rochdale': '003',
  'john-clifford-primary': '004',
};

/** The text a school starting from this template begins with (Lanyard's own for any other). */
export function templateText(templateKey: string): PolicyText {
  const seed = seedOfTemplate[templateKey];
  return structuredClone(seed ? seedTexts[seed]! : lanyardDefaultsText);
}

/** The seed id behind a template key, or null (Lanyard's defaults). */
export function templateSeed(templateKey: string): string | null {
  return seedOfTemplate[templateKey] ?? null;
}
