/**
 * The redaction rules for a subject access bundle (docs/subject-access.md, "Redaction"). A
 * bundle holds what Lanyard keeps about one person; an incident also names other people, and
 * UK GDPR Art. 15(4) and DPA 2018 Sch. 2 para 16 say their data is not disclosed without their
 * consent unless it is reasonable. Lanyard's rules, applied before anything leaves:
 * - other pupils (on the roll or former) → "another pupil"; other parents → "another parent";
 *   anyone else named (people from outside) → "another person";
 * - staff keep their names, with their role: they acted in their professional role;
 * - the subject keeps their own name;
 * - an indecent-image referral: the fact only (its reference and date), never its details;
 * - free text (what happened, notes, outcomes) has the names of other pupils and parents on the
 *   roll, and of the other people named in that incident, replaced (whole words, any case).
 * Pure functions; unit-tested in subject-access.redaction.test.ts.
 */

/** A pupil's legal names and the names they are known by (null when the legal one). */
export interface PupilNames {
  givenName: string;
  familyName: string;
  preferredGivenName?: string | null;
  preferredFamilyName?: string | null;
}

/** Every full name a pupil may be written as: legal and preferred first names and surnames. */
export function fullNamesOf(p: PupilNames): string[] {
  const firsts = [p.givenName, p.preferredGivenName ?? ''].filter((n) => n !== '');
  const lasts = [p.familyName, p.preferredFamilyName ?? ''].filter((n) => n !== '');
  return firsts.flatMap((f) => lasts.map((l) => `${f} ${l}`));
}

export interface NameBook {
  subject: { kind: 'pupil' | 'parent'; id: string; name: string };
  pupils: ReadonlyMap<string, PupilNames>;
  parents: ReadonlyMap<string, { givenName: string; familyName: string }>;
  staff: ReadonlyMap<string, { name: string; role: string }>;
}

export const ANOTHER_PUPIL = 'another pupil';
export const ANOTHER_PARENT = 'another parent';
export const ANOTHER_PERSON = 'another person';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Who someone is, as the bundle names them. */
export function personLabel(book: NameBook, kind: string, id: string | null | undefined): string {
  if (id && id === book.subject.id) return book.subject.name;
  if (kind === 'staff' && id) {
    const s = book.staff.get(id);
    return s ? `${s.name} (${s.role})` : 'a member of staff';
  }
  if (kind === 'pupil' || kind === 'ex_pupil') return ANOTHER_PUPIL;
  if (kind === 'parent') return ANOTHER_PARENT;
  return ANOTHER_PERSON;
}

/**
 * A text redactor for one incident: the names of every other pupil and parent of the school,
 * and `extraNames` (names as given in the incident: former pupils, people from outside), are
 * replaced. Full names first, then given and family names alone of the people named in it.
 */
export function textRedactor(
  book: NameBook,
  named: { kind: string; id?: string | null; name?: string | null }[],
): (text: string | null | undefined) => string | null {
  const replacements: { pattern: string; by: string }[] = [];
  const subjectName = book.subject.name.toLowerCase();
  const add = (name: string, by: string) => {
    const n = name.trim();
    if (n.length < 2 || n.toLowerCase() === subjectName) return;
    replacements.push({ pattern: n, by });
  };
  for (const [id, p] of book.pupils)
    if (id !== book.subject.id) for (const full of fullNamesOf(p)) add(full, ANOTHER_PUPIL);
  for (const [id, p] of book.parents)
    if (id !== book.subject.id) add(`${p.givenName} ${p.familyName}`, ANOTHER_PARENT);
  // People named in this incident: also their given and family names on their own.
  const subjectParts = new Set(subjectName.split(/\s+/));
  for (const n of named) {
    if (n.id && n.id === book.subject.id) continue;
    const by = personLabel(book, n.kind, null);
    if (n.kind === 'staff') continue;
    const row = n.id && (n.kind === 'pupil' ? book.pupils.get(n.id) : book.parents.get(n.id ?? ''));
    const pupil = n.kind === 'pupil' && n.id ? book.pupils.get(n.id) : undefined;
    const parts = row
      ? [
          row.givenName,
          row.familyName,
          pupil?.preferredGivenName ?? '',
          pupil?.preferredFamilyName ?? '',
        ]
      : (n.name ?? '').split(/\s+/);
    if (!row && n.name) add(n.name, by);
    for (const part of parts)
      if (part.length >= 3 && !subjectParts.has(part.toLowerCase())) add(part, by);
  }
  if (!replacements.length) return (t) => t ?? null;
  replacements.sort((a, b) => b.pattern.length - a.pattern.length);
  const byLower = new Map<string, string>();
  for (const r of replacements)
    if (!byLower.has(r.pattern.toLowerCase())) byLower.set(r.pattern.toLowerCase(), r.by);
  const re = new RegExp(
    `(?<![\\p{L}\\p{N}])(${[...byLower.keys()].map(escape).join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  return (t) => (t == null ? null : t.replace(re, (m) => byLower.get(m.toLowerCase()) ?? m));
}

/** Any JSON value with its strings redacted and the ids of people replaced by who they are. */
export function redactJson(
  book: NameBook,
  value: unknown,
  text: (t: string) => string | null,
): unknown {
  if (typeof value === 'string') {
    if (UUID.test(value)) {
      if (value === book.subject.id) return book.subject.name;
      if (book.pupils.has(value)) return ANOTHER_PUPIL;
      if (book.parents.has(value)) return ANOTHER_PARENT;
      if (book.staff.has(value)) return personLabel(book, 'staff', value);
      return value;
    }
    return text(value);
  }
  if (Array.isArray(value)) return value.map((v) => redactJson(book, v, text));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactJson(book, v, text);
    return out;
  }
  return value;
}
