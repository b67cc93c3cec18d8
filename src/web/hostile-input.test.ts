import { describe, expect, it } from 'vitest';
import { csvCell } from '../modules/consent/office/consent-office.service.ts';
import { clean } from '../modules/people/mis-import/mis-parse.ts';
import { findHostileText } from './hostile-input.ts';

describe('findHostileText', () => {
  it('passes names in every script, punctuation, emoji, tabs and line breaks', () => {
    for (const ok of [
      "Zoë Ó'Brien",
      'Llŷr Siân ap Dafydd',
      'Łucja Żółć-Wiśniewska',
      'Ðorđe Čović',
      'محمد علي',
      '李小龍',
      'Sports day 🏃‍♀️',
      'line one\r\nline two\tindented',
      'right-to-left mark \u200F and zero-width joiner \u200D',
    ])
      expect(findHostileText({ name: ok }), ok).toBeNull();
  });

  it('finds NUL, controls, DEL, C1 and bidi overrides anywhere, and says where', () => {
    expect(findHostileText({ a: 'x\u0000' })).toBe('a');
    expect(findHostileText({ a: ['ok', 'x\u202Egpj.exe'] })).toBe('a.1');
    expect(findHostileText({ a: { b: 'x\u2066' } })).toBe('a.b');
    expect(findHostileText({ 'bad\u0000key': 'v' })).toBe('bad\u0000key');
    for (const c of [
      '\u0001',
      '\u0008',
      '\u000B',
      '\u001B',
      '\u007F',
      '\u0085',
      '\u202A',
      '\u2069',
    ])
      expect(findHostileText({ v: `a${c}b` }), JSON.stringify(c)).toBe('v');
  });

  it("looks at an uploaded file's name, not its bytes", () => {
    const file = Object.assign(Buffer.from([0, 1, 2, 0x1b]), { filename: 'photo.jpg' });
    expect(findHostileText({ file })).toBeNull();
    const evil = Object.assign(Buffer.from('x'), { filename: 'cat\u202Egpj.exe' });
    expect(findHostileText({ file: evil })).toBe('file');
  });

  it('removes them from cells of imported files (MIS and consent spreadsheets), keeping the rest', () => {
    expect(clean(' Zo\u0000ë\u202E ')).toBe('Zoë');
    expect(clean('"Ó\u2066\'Brien"')).toBe("Ó'Brien");
    expect(clean('Llŷr')).toBe('Llŷr');
  });

  it('keeps them, and formulas, out of CSV exports of rows stored before the check existed', () => {
    expect(csvCell('Ann\u202Eexe.jpg')).toBe('Annexe.jpg');
    expect(csvCell('\u0000=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell("Zoë Ó'Brien")).toBe("Zoë Ó'Brien");
  });
});
