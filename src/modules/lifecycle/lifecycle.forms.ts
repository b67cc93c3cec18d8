import { z } from 'zod';
import type { FormRead } from '../../web/form-route.ts';
import type { FieldErrors } from '../../errors.ts';
import type { PolicyText } from '../policies/index.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
/** Line endings as one, trailing spaces off: the school's words otherwise exactly as typed. */
const clean = (v: unknown) =>
  str(v)
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trim();

/** The next clause id in a section: '4.18' after '4.17', else '<section>-p<n>'. */
export function nextClauseId(sectionId: string, ids: readonly string[]): string {
  const numbered = ids
    .map((id) => /^(\d+)\.(\d+)$/.exec(id))
    .filter((m): m is RegExpExecArray => m !== null);
  if (numbered.length > 0) {
    const major = numbered[0]![1]!;
    const max = Math.max(...numbered.filter((m) => m[1] === major).map((m) => Number(m[2])));
    let n = max + 1;
    while (ids.includes(`${major}.${n}`)) n++;
    return `${major}.${n}`;
  }
  let n = ids.length + 1;
  while (ids.includes(`${sectionId}-p${n}`)) n++;
  return `${sectionId}-p${n}`;
}

export interface TextEdit {
  text: PolicyText;
  note: string;
  substantive: boolean;
  expectedVersion: number;
}

/**
 * Reads the section and clause editor (no JavaScript): for each section of the text it was
 * drawn from, its heading (`heading-<i>`), each clause's words (`clause-<i>-<j>`; left empty,
 * the clause is removed) and a new clause at its end (`new-<i>`); a new section at the end
 * (`newSectionHeading`, `newSectionText`); why (`note`); substantive or minor (`kind`).
 */
export function readTextEdit(body: unknown, from: PolicyText): FormRead<TextEdit> {
  const b = (body ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const sections = from.sections.map((s, i) => {
    const heading = clean(b[`heading-${i}`]) || s.heading;
    const clauses = s.clauses
      .map((c, j) => ({ id: c.id, text: clean(b[`clause-${i}-${j}`] ?? c.text) }))
      .filter((c) => c.text !== '');
    const added = clean(b[`new-${i}`]);
    if (added)
      clauses.push({
        id: nextClauseId(
          s.id,
          clauses.map((c) => c.id),
        ),
        text: added,
      });
    return { id: s.id, heading, clauses };
  });
  const newHeading = clean(b.newSectionHeading);
  const newText = clean(b.newSectionText);
  if (newHeading || newText) {
    if (!newHeading) errors.newSectionHeading = 'Enter a heading for the new section';
    else {
      let id = newHeading
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60);
      if (!id) id = `section-${sections.length + 1}`;
      while (sections.some((s) => s.id === id)) id = `${id}-2`;
      sections.push({
        id,
        heading: newHeading,
        clauses: newText ? [{ id: `${id}-p1`, text: newText }] : [],
      });
    }
  }
  const kind = str(b.kind);
  if (kind !== 'substantive' && kind !== 'minor')
    errors.kind =
      'Say whether this is a substantive change (everyone reads it again) or a minor one';
  const note = clean(b.note);
  if (!note) errors.note = 'Say why the policy is changing (this goes in the version history)';
  else if (note.length > 2000) errors.note = 'Keep the reason under 2,000 characters';
  const expectedVersion = Number(str(b.expectedVersion));
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1)
    errors.note = errors.note ?? 'The form is out of date: open the editor again';
  const title = clean(b.title) || from.title;
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      text: { title, sections, citationAliases: from.citationAliases },
      note,
      substantive: kind === 'substantive',
      expectedVersion,
    },
  };
}

export const reviewForm = z.object({
  reason: z.enum(['scheduled', 'early'], { error: 'Say whether this is the scheduled review' }),
  'metOn-day': z.string().trim().default(''),
  'metOn-month': z.string().trim().default(''),
  'metOn-year': z.string().trim().default(''),
  attendees: z
    .string()
    .trim()
    .min(1, 'Say who met to review the policy')
    .max(2000, 'Keep this under 2,000 characters'),
  decisions: z
    .string()
    .trim()
    .min(1, 'Say what the review decided')
    .max(5000, 'Keep this under 5,000 characters'),
  versions: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) =>
      (v === undefined ? [] : Array.isArray(v) ? v : [v])
        .flatMap((x) => x.split(','))
        .filter((x) => x.trim() !== '')
        .map(Number),
    ),
});

/** dd, mm, yyyy → 'yyyy-mm-dd' (the service says if it is not a real date). */
export const isoOf = (d: string, m: string, y: string) =>
  `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;

export const approveForm = z.object({
  'next-day': z.string().trim().default(''),
  'next-month': z.string().trim().default(''),
  'next-year': z.string().trim().default(''),
});

export const guidanceForm = z.object({
  confirm: z.literal('yes', {
    error: 'Tick the box to confirm that you have read the guidance',
  }),
});
