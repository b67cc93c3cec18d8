import zlib from 'node:zlib';

/** WinAnsi (Windows-1252) bytes 0x80–0x9F; the rest are Latin-1. */
const winAnsiHigh = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const winAnsi = {
  decode: (bytes: Buffer): string =>
    [...bytes]
      .map((b) => (b >= 0x80 && b <= 0x9f ? winAnsiHigh[b - 0x80]! : String.fromCharCode(b)))
      .join(''),
};

/**
 * The text of a PDF as pdfkit writes it (deflated content streams, text as hex strings in TJ,
 * the standard fonts' WinAnsi encoding: curly quotes and apostrophes included), for tests that
 * check what a generated PDF says.
 */
export function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)(\r?)\nendstream/g)) {
    // The compressed data may itself end in a CR byte (0x0D): try with it, then without.
    let content: string | undefined;
    for (const data of [m[1]! + m[2]!, m[1]!]) {
      try {
        content = zlib.inflateSync(Buffer.from(data, 'latin1')).toString('latin1');
        break;
      } catch {
        content = undefined;
      }
    }
    if (content === undefined) continue;
    for (const tj of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!).join('');
      out.push(winAnsi.decode(Buffer.from(hex, 'hex')));
    }
  }
  return out.join(' ').replace(/\s+/g, ' ');
}
