/**
 * Policy settings: the shape every rule shares. A rule is `{ value, citation }`; a citation names
 * the seed policy's clause, or says Lanyard or the school chose the value. Also the helpers for
 * writing rules: `seedRules` (templates), `lanyardDefault` and `lanyardDefaultStep` (defaults).
 * The rules themselves are in the section files beside this one (roles.ts … review.ts).
 */
import { z } from 'zod';
import type { PlaybookStep } from './incidents.ts';

export const seedIds = ['000', '001', '002', '003', '004'] as const;
export type SeedId = (typeof seedIds)[number];

/** The seed policy files in /work/shared/seeds, by id. */
export const seedFiles: Readonly<Record<SeedId, string>> = {
  '000': '000_2b37c4910724014e.txt',
  '001': '001_92cf54e43eaf4903.txt',
  '002': '002_df96ec7bf1b09361.txt',
  '003': '003_01e8199a7682c829.txt',
  '004': '004_900ebe4bba8b35d7.txt',
};

/** Section names used when a rule has no seed clause behind it. */
export const LANYARD_DEFAULT = 'Lanyard default';
export const SCHOOL_DECISION = 'School decision';

export const citationSchema = z
  .object({
    /** Seed policy the clause is in; null when the school or Lanyard set the value. */
    seed: z.enum(seedIds).nullable(),
    /** '4.15' (numbered clause), a heading ('Cyberbullying', 'D'), or 'Lanyard default'. */
    section: z.string().trim().min(1).max(80),
    /** A short verbatim excerpt from the seed; empty when there is no seed. */
    quote: z.string().max(200),
    /** Why this value was chosen where the quote alone does not say (defaults, inferences). */
    note: z.string().max(300).optional(),
    /**
     * The school's own policy (issue 15 item 2): `section` is its section ('4.2', 'Photographs'),
     * `quote` its words (may be empty), `seed` null. An edited rule keeps it.
     */
    school: z.literal(true).optional(),
  })
  .superRefine((c, ctx) => {
    if (
      c.seed === null &&
      !c.school &&
      c.section !== LANYARD_DEFAULT &&
      c.section !== SCHOOL_DECISION
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['section'],
        message: `Without a seed the section must be '${LANYARD_DEFAULT}' or '${SCHOOL_DECISION}'`,
      });
    }
    if (c.school && c.seed !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['seed'],
        message: 'A citation of the school’s own policy names no seed',
      });
    }
    if (c.seed !== null && c.quote.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['quote'], message: 'A seed citation needs a quote' });
    }
  });
export type Citation = z.infer<typeof citationSchema>;

/** A leaf of the profile: the value the checks read and the clause it comes from. */
export type RuleValue<T> = { value: T; citation: Citation };

/** Schema of one rule with the given value schema. */
export function ruleSchema<T extends z.ZodType>(value: T) {
  return z.object({ value, citation: citationSchema });
}

export function seedCitation(
  seed: SeedId,
  section: string,
  quote: string,
  note?: string,
): Citation {
  return note === undefined ? { seed, section, quote } : { seed, section, quote, note };
}

export function lanyardDefaultCitation(note: string): Citation {
  return { seed: null, section: LANYARD_DEFAULT, quote: '', note };
}

export function schoolDecisionCitation(note: string): Citation {
  return { seed: null, section: SCHOOL_DECISION, quote: '', note };
}

/** How a citation of the school's own policy is introduced ("School policy §4.2"). */
const SCHOOL_POLICY = 'School policy';

/** The school's own policy: its section and (optionally) its words. */
export function schoolPolicyCitation(section: string, quote: string, note?: string): Citation {
  const c: Citation = { seed: null, section: section.trim(), quote: quote.trim(), school: true };
  return note === undefined ? c : { ...c, note };
}

/** Whether a citation is the school's own policy's section (kept when the rule is edited). */
export function isSchoolPolicyCitation(c: Citation): boolean {
  return c.school === true;
}

/**
 * A numbered clause as seed and section sign, a heading after the seed, 'Lanyard default', or
 * the school's own section ("School policy §4.2", "School policy: Photographs").
 */
export function formatCitation(c: Citation): string {
  if (c.school)
    return /^\d/.test(c.section)
      ? `${SCHOOL_POLICY} §${c.section}`
      : `${SCHOOL_POLICY}: ${c.section}`;
  if (c.seed === null) return c.section;
  return /^\d/.test(c.section) ? `${c.seed} §${c.section}` : `${c.seed} ${c.section}`;
}

/** A rule whose value Lanyard chose because the seed is silent; `note` says why. */
export function lanyardDefault<T>(value: T, note: string): RuleValue<T> {
  return { value, citation: lanyardDefaultCitation(note) };
}

/** A playbook step Lanyard adds where the seed is silent; `note` says why. */
export function lanyardDefaultStep(key: string, stepLabel: string, note: string): PlaybookStep {
  return { key, label: stepLabel, citation: lanyardDefaultCitation(note) };
}

/**
 * Helpers for writing a template: `rule(value, '4.1', 'quote')` and
 * `step('key', 'Label', '8.3', 'quote')`, both citing the given seed.
 */
export function seedRules(seed: SeedId) {
  return {
    rule<T>(value: T, section: string, quote: string, note?: string): RuleValue<T> {
      return { value, citation: seedCitation(seed, section, quote, note) };
    },
    step(
      key: string,
      stepLabel: string,
      section: string,
      quote: string,
      note?: string,
    ): PlaybookStep {
      return { key, label: stepLabel, citation: seedCitation(seed, section, quote, note) };
    },
  };
}

type IsRule<T> = T extends { value: unknown; citation: Citation } ? true : false;

/** Every leaf of a (part of a) profile as a dotted path after `P`, e.g. 'consent.model'. */
export type RulePathOf<T, P extends string = ''> = {
  [K in keyof T & string]: IsRule<T[K]> extends true ? `${P}${K}` : RulePathOf<T[K], `${P}${K}.`>;
}[keyof T & string];
