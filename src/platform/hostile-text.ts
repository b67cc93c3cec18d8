/**
 * Characters no form, query string or API body has a use for: C0 controls other than tab, line
 * feed and carriage return (NUL among them: PostgreSQL refuses it in text, so it used to end in a
 * 500), DEL, C1 controls, and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that make "Evil\u202Egpj.exe" read as "Evilexe.jpg" in a name, a label or a
 * spreadsheet. Letters of every script, accents, apostrophes and emoji are all fine.
 */
export const HOSTILE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

const HOSTILE_CHARACTERS = new RegExp(HOSTILE_CHARACTER.source, 'gu');

/**
 * The same characters, removed: for text inside a file (an MIS export, a consent spreadsheet),
 * where one stray character should not sink the whole file, and for text leaving Lanyard (CSV
 * exports) that was stored before the edge check existed.
 */
export function stripHostileCharacters(value: string): string {
  return value.replace(HOSTILE_CHARACTERS, '');
}
