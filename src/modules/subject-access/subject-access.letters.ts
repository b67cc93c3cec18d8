/**
 * Incident letters in a subject access bundle (docs/subject-access.md, "Redaction rules"): the
 * words of each letter the school wrote about an incident the person is in, redacted like the
 * rest of the incident. The PDF as sent is not included: it names its recipient, who is often
 * another parent. Pure functions; unit-tested in subject-access.letters.test.ts.
 */
import { formatDateInWords } from '../../web/dates.ts';
import { ANOTHER_PERSON, textRedactor, type NameBook } from './subject-access.redaction.ts';

export interface LetterToRedact {
  recipientName: string;
  subject: string;
  body: string;
}

export interface RedactedLetter {
  /** Who it was to: the subject, one of a pupil's own parents, or "another person". */
  to: string;
  subject: string;
  body: string;
}

const TITLE = /^(mr|mrs|ms|miss|mx|dr)\.?\s+/i;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Whether a recipient's name (as typed on the letter) is one of `own`: the same full name, or a
 * title with the same family name ("Mrs Patel" for Asha Patel), optionally with an initial.
 */
export function isOneOf(
  recipient: string,
  own: readonly { givenName: string; familyName: string }[],
): boolean {
  const r = norm(recipient);
  const bare = r.replace(TITLE, '');
  return own.some((p) => {
    const full = norm(`${p.givenName} ${p.familyName}`);
    const family = norm(p.familyName);
    if (r === full || bare === full) return true;
    if (!TITLE.test(r)) return false;
    const initial = norm(p.givenName).charAt(0);
    return bare === family || bare === `${initial} ${family}` || bare === `${initial}. ${family}`;
  });
}

/**
 * A letter as the bundle shows it. The recipient keeps their name only when they are the subject
 * or (for a pupil) one of the pupil's own parents; anyone else is "another person", and their
 * name is taken out of the subject and the body as well (as a whole, then its words), with the
 * incident's other people and every other pupil and parent of the school.
 */
export function redactLetter(
  book: NameBook,
  letter: LetterToRedact,
  named: {
    personKind: string;
    pupilId: string | null;
    parentId: string | null;
    staffId: string | null;
    name: string | null;
  }[],
  own: readonly { givenName: string; familyName: string }[],
): RedactedLetter {
  const keep = isOneOf(letter.recipientName, own);
  const people = named.map((p) => ({
    kind: p.personKind,
    id: p.pupilId ?? p.parentId ?? p.staffId,
    name: p.name,
  }));
  // The recipient as written ("Mr Wright") first, whole; then their name without the title.
  let whole = (t: string) => t;
  if (!keep) {
    const full = letter.recipientName.trim();
    const bare = full.replace(TITLE, '');
    if (bare) people.push({ kind: 'other', id: null, name: bare });
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(full)}(?![\\p{L}\\p{N}])`, 'giu');
    whole = (t) => t.replace(re, ANOTHER_PERSON);
  }
  const redact = textRedactor(book, people);
  const text = (t: string) => redact(whole(t)) ?? '';
  return {
    to: keep ? letter.recipientName : ANOTHER_PERSON,
    subject: text(letter.subject),
    body: text(letter.body),
  };
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** One letter as a small page that opens offline: the school, the date, the subject, the words. */
export function letterHtml(
  schoolName: string,
  reference: string,
  createdAt: Date,
  letter: RedactedLetter,
): string {
  const paragraphs = letter.body
    .split(/\n\s*\n/)
    .map((p) => `<p>${esc(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(letter.subject)}</title><style>body{font-family:Arial,sans-serif;color:#0b0c0c;max-width:40em;margin:20px auto;padding:0 20px;line-height:1.5}.hint{color:#505a5f}</style></head><body><p><strong>${esc(schoolName)}</strong></p><p>${esc(formatDateInWords(createdAt))}</p><p class="hint">A copy of a letter about incident ${esc(reference)}, to ${esc(letter.to)}, made for a subject access request. Other pupils, parents and people are not named.</p><h1>${esc(letter.subject)}</h1>${paragraphs}</body></html>`;
}
