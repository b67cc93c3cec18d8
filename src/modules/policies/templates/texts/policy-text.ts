/**
 * The policy as a document (issue 16 item 1): sections of clauses, each clause in the school's
 * own words. A template's text comes from its seed policy (seed-texts/, made once from
 * /work/shared/seeds by `npm run policy-texts`); a school's text is versioned with its profile.
 */
import { z } from 'zod';

export const policyClauseSchema = z.object({
  /** Unique in the text: '4.15' (a numbered clause) or '<section>-p<n>' for a paragraph. */
  id: z.string().trim().min(1).max(110),
  /** The school's words, exactly: paragraphs separated by a blank line; '- ' starts a bullet. */
  text: z.string().max(20_000),
});
export const policySectionSchema = z.object({
  /** '4' (a numbered section), 'D' (a lettered one) or a short name made from the heading. */
  id: z.string().trim().min(1).max(100),
  heading: z.string().trim().min(1).max(200),
  clauses: z.array(policyClauseSchema).max(200),
});
export const policyTextSchema = z.object({
  title: z.string().trim().min(1).max(200),
  sections: z.array(policySectionSchema).min(1).max(100),
  /**
   * How the template's citations name places in this text: the citation's section as written in
   * the rules ('Parents', 'Front page', '5.13, 6.3') → the section or clause ids it means, where
   * that is not simply a clause id, a section id or a heading.
   */
  citationAliases: z.record(z.string(), z.array(z.string())).default({}),
});
export type PolicyClause = z.infer<typeof policyClauseSchema>;
export type PolicySection = z.infer<typeof policySectionSchema>;
export type PolicyText = z.infer<typeof policyTextSchema>;

/** A place in the text a citation can open: a section or a clause. */
export interface TextPlace {
  kind: 'section' | 'clause';
  id: string;
  /** The page's fragment: `clause-4-15`, `section-cyberbullying`. */
  anchor: string;
}

/** A fragment-safe slug ('4.15' → '4-15', 'Mobile Phones/Camera' → 'mobile-phones-camera'). */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export const clauseAnchor = (id: string) => `clause-${slug(id)}`;
export const sectionAnchor = (id: string) => `section-${slug(id)}`;

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[:.]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();

function findOne(text: PolicyText, part: string): TextPlace | null {
  const p = part.trim().replace(/\.$/, '');
  for (const s of text.sections) {
    for (const c of s.clauses)
      if (c.id === p) return { kind: 'clause', id: c.id, anchor: clauseAnchor(c.id) };
  }
  for (const s of text.sections) {
    if (s.id === p || norm(s.heading) === norm(p))
      return { kind: 'section', id: s.id, anchor: sectionAnchor(s.id) };
  }
  return null;
}

/**
 * The places a citation's section names in this text ('5.13, 6.3' is two), or [] when the text
 * has no such place (the school changed its text, or the rule cites another school's policy).
 */
export function resolveCitation(text: PolicyText, section: string): TextPlace[] {
  const alias = text.citationAliases[section];
  const whole = alias ? null : findOne(text, section);
  if (whole) return [whole];
  const parts = alias ?? section.split(',');
  const found: TextPlace[] = [];
  for (const part of parts) {
    const place = findOne(text, part);
    if (!place) return [];
    found.push(place);
  }
  return found;
}

/** Every clause id, in order (the editor and the diff). */
export function clauseIds(text: PolicyText): string[] {
  return text.sections.flatMap((s) => s.clauses.map((c) => c.id));
}
