/**
 * Converts a seed policy's plain text (/work/shared/seeds/00N_*.txt) into sections and clauses,
 * keeping the school's wording exactly (`npm run policy-texts` writes seed-texts/*.json once;
 * parse-seed.test.ts checks the committed files still match the seeds when they are present).
 *
 * A heading is a line the seed's layout marks as one (below, per seed); the text before the
 * first heading is the front page. Numbered clauses ('4.15 …', seed 003) are clauses with their
 * following paragraphs; elsewhere each paragraph (lines up to a blank line) is one clause,
 * numbered within its section ('cyberbullying-p2').
 */
import type { PolicySection, PolicyText } from './policy-text.ts';
import { slug } from './policy-text.ts';

interface SeedLayout {
  title: string;
  /** The line where the policy's body starts (1-based; a contents list before it is skipped). */
  bodyFrom: (lines: string[]) => number;
  /** A heading line's section id and heading, or null. */
  heading: (line: string) => { id: string; heading: string } | null;
  /** Numbered clauses ('2.1.' or '4.15'): their id, or null. */
  clause?: (line: string) => string | null;
  citationAliases?: Record<string, string[]>;
}

const listed = (headings: string[]) => (line: string) => {
  const t = line.trim();
  return headings.includes(t)
    ? { id: slug(t.replace(/:$/, '')), heading: t.replace(/:$/, '') }
    : null;
};
const numbered = (line: string) => {
  const m = /^(\d+)\. (\S.*)$/.exec(line.trim());
  return m && !/\t/.test(line) ? { id: m[1]!, heading: m[2]!.trim() } : null;
};

export const seedLayouts: Record<string, SeedLayout> = {
  '000': {
    title: 'Jump Primary School Social Networking Policy',
    bodyFrom: () => 1,
    heading: listed([
      'Objectives:',
      'Key Principles:',
      'Aims:',
      'Overview and Expectations:',
      'The role of Staff, Governors and Volunteers when Social Networking:',
      'Potential and Actual Breaches:',
      'The Role of Parents When Social Networking:',
      'Safer Online Behaviour:',
      'Mobile Phones/Camera/iPad Usage:',
      'Protection of Personal Information:',
      'Access to Inappropriate Images and Internet Usage:',
      'Cyberbullying:',
      'PREVENT:',
      'Link with Other Policies:',
      'Review of Policy:',
    ]),
  },
  '001': {
    title: 'The Avenue Primary School Social Media Policy',
    bodyFrom: () => 1,
    heading: listed([
      'Overview',
      'Objectives',
      'Appropriate use of social networking sites by parents',
      'Inappropriate use of social networking sites by parents',
      'Procedure the school will follow if inappropriate use continues:',
      'Social Networking Policy – Staff',
      'Introduction',
      'Key Principles',
      'Aims',
      'Code of Conduct for Social Networking',
      'Potential and Actual Breaches of the Code of Conduct',
    ]),
    // 'Parents' names the parents' part of the policy: its two sections on parents' use.
    citationAliases: {
      Parents: [
        'appropriate-use-of-social-networking-sites-by-parents',
        'inappropriate-use-of-social-networking-sites-by-parents',
      ],
    },
  },
  '002': {
    title: 'Christ Church School, Hampstead: Schools Social Media Policy',
    bodyFrom: (lines) => lines.findIndex((l) => l.startsWith('The Governing Body of')) + 1,
    heading: (line) =>
      line.trim() === 'Appendix A' ? { id: 'Appendix A', heading: 'Appendix A' } : numbered(line),
  },
  '003': {
    title: 'Sacred Heart RC Primary School Social Media Policy',
    bodyFrom: (lines) => lines.lastIndexOf('Statement of intent') + 1,
    heading: (line) =>
      line.trim() === 'Statement of intent'
        ? { id: 'statement-of-intent', heading: 'Statement of intent' }
        : numbered(line),
    // '4.1. The school …', or a bullet '- 4.6. Where parents …' (the list marker is layout).
    clause: (line) => /^(?:- )?(\d+\.\d+)\.?(\s|$)/.exec(line.trim())?.[1] ?? null,
  },
  '004': {
    title: 'John Clifford Primary School Social Media Policy',
    bodyFrom: () => 1,
    heading: (line) => {
      const t = line.trim();
      if (t === 'John Clifford Primary School')
        return { id: 'introduction', heading: 'Introduction' };
      const m = /^([A-D])\. (\S.*)$/.exec(t);
      return m ? { id: m[1]!, heading: m[2]! } : null;
    },
  },
};

/** Parses one seed's text with its layout. */
export function parseSeed(seedId: string, raw: string): PolicyText {
  const layout = seedLayouts[seedId];
  if (!layout) throw new Error(`No layout for seed ${seedId}`);
  const lines = raw.replace(/\r\n/g, '\n').split('\n');
  const from = Math.max(0, layout.bodyFrom(lines) - 1);
  const sections: PolicySection[] = [];
  let section: PolicySection = { id: 'front-page', heading: 'Front page', clauses: [] };
  // Paragraphs of the open clause; a numbered clause collects until the next one.
  let paragraphs: string[] = [];
  let para: string[] = [];
  let clauseId: string | null = null;
  let counter = 0;
  const endPara = () => {
    if (para.length) paragraphs.push(para.join('\n'));
    para = [];
  };
  const endClause = () => {
    endPara();
    if (paragraphs.length) {
      const id = clauseId ?? `${section.id}-p${++counter}`;
      section.clauses.push({ id, text: paragraphs.join('\n\n') });
    }
    paragraphs = [];
    clauseId = null;
  };
  const endSection = () => {
    endClause();
    if (section.clauses.length || section.id !== 'front-page') sections.push(section);
  };
  const frontLines = lines.slice(0, from).filter((l) => l.trim() !== '');
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    if (i === from && frontLines.length) {
      // A contents list or cover before the body stays with the front page.
      paragraphs = [frontLines.join('\n')];
      endClause();
    }
    const h = layout.heading(line);
    if (h) {
      endSection();
      section = { id: h.id, heading: h.heading, clauses: [] };
      counter = 0;
      continue;
    }
    const numberedId = layout.clause?.(line);
    if (numberedId) {
      endClause();
      clauseId = numberedId;
      para = [line.trim().replace(/^- /, '')];
      continue;
    }
    if (line.trim() === '') {
      endPara();
      if (!layout.clause || clauseId === null) endClause();
      continue;
    }
    para.push(line);
  }
  endSection();
  return { title: layout.title, sections, citationAliases: layout.citationAliases ?? {} };
}
