/**
 * What an evidence file is, from its bytes (never its name or the browser's word), and whether
 * Lanyard keeps it (issue 14 item 3): screenshots and photos (checked by the image processor,
 * exactly as the media upload checks them), PDFs, plain text / CSV / JSON / HTML chat exports and
 * ZIP chat exports. Executables, scripts, SVG drawings, PDFs with active content, HTML with
 * scripts, archives of other kinds, and ZIPs holding anything but a chat export's files are
 * refused, each with a message a parent can act on.
 *
 * Everything here reads a file as a stream in pieces (a 50 MB export never sits whole in
 * memory); only an image is read whole, because decoding it is the check, and images are
 * limited to {@link MAX_IMAGE_BYTES}.
 */
import type { Readable } from 'node:stream';

export type EvidenceKind = 'image' | 'pdf' | 'text' | 'csv' | 'json' | 'html' | 'zip';

/** The Content-Type a kind is stored and downloaded as (images: by the decoded format). */
export const evidenceMediaTypes: Record<Exclude<EvidenceKind, 'image'>, string> = {
  pdf: 'application/pdf',
  text: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  zip: 'application/zip',
};

export const imageMediaTypes: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
};

/** How a kind is named on a page ("PDF document"). */
export const evidenceKindLabels: Record<string, string> = {
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/webp': 'WebP image',
  'image/heic': 'HEIC image',
  'application/pdf': 'PDF document',
  'text/plain; charset=utf-8': 'Text file',
  'text/csv; charset=utf-8': 'Spreadsheet (CSV)',
  'application/json': 'Data export (JSON)',
  'text/html; charset=utf-8': 'Web page export (HTML)',
  'application/zip': 'ZIP chat export',
};

/** The file extension a download is given, from what the bytes are (never the uploaded name). */
export const evidenceExtensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'application/pdf': 'pdf',
  'text/plain; charset=utf-8': 'txt',
  'text/csv; charset=utf-8': 'csv',
  'application/json': 'json',
  'text/html; charset=utf-8': 'html',
  'application/zip': 'zip',
};

/** Images are decoded whole to check them; larger than this they are refused. */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

/** Why a file was refused; each code has a plain-English message. */
export type EvidenceRefusal =
  | 'empty'
  | 'executable'
  | 'script'
  | 'svg'
  | 'archive'
  | 'office'
  | 'unknown'
  | 'binary_text'
  | 'html_script'
  | 'pdf_active'
  | 'zip_encrypted'
  | 'zip_bad'
  | 'zip_content'
  | 'zip_too_big'
  | 'image_too_big';

export const evidenceRefusalMessages: Record<EvidenceRefusal, string> = {
  empty: 'The file is empty.',
  executable:
    'The file is a program, which Lanyard never accepts. Send a screenshot, a photo, a PDF or the chat export instead.',
  script:
    'The file is a script (code that can run), which Lanyard never accepts. Send a screenshot, a PDF or the chat export instead.',
  svg: 'The file is an SVG drawing, which Lanyard does not accept because it can contain hidden code. Send a screenshot (PNG or JPEG) instead.',
  archive:
    'Lanyard accepts ZIP files of a chat export only, not other archives (RAR, 7z, gzip). Send the ZIP the app exported, or the files in it.',
  office:
    'Lanyard does not accept Word, Excel or other Office files, because they can contain macros. Save it as a PDF and send that instead.',
  unknown:
    'Lanyard cannot tell what kind of file this is. Send screenshots or photos (JPEG, PNG, WebP), PDFs, text, CSV, JSON or HTML chat exports, or a ZIP chat export.',
  binary_text:
    'The file is not plain text Lanyard can read. Send screenshots or photos (JPEG, PNG, WebP), PDFs, text, CSV, JSON or HTML chat exports, or a ZIP chat export.',
  html_script:
    'The web page contains scripts or active content, which Lanyard does not accept. Take screenshots of it, or save it as a PDF, and send those instead.',
  pdf_active:
    'The PDF contains scripts, attachments or actions that can run, which Lanyard does not accept. Print it to a new PDF (or take screenshots) and send that instead.',
  zip_encrypted:
    'The ZIP file is protected with a password. Export the chat again without a password and send that.',
  zip_bad:
    'The ZIP file is damaged or not a kind Lanyard can check. Export the chat again and send the new file.',
  zip_content:
    'The ZIP file contains files that are not part of a chat export (only text, CSV, JSON, HTML, PDF, images, audio, video and contact cards are accepted). Send the chat export on its own.',
  zip_too_big:
    'The ZIP file unpacks to far more than its size, or holds too many files, so Lanyard cannot check it safely. Send the chat text and the screenshots you need instead.',
  image_too_big: `The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB. Send a screenshot, or a smaller copy of the photo.`,
};

/** Names a file is never accepted under, whatever is inside (programs and scripts). */
const DANGEROUS_EXTENSIONS = new Set([
  'exe',
  'dll',
  'com',
  'scr',
  'msi',
  'msp',
  'bat',
  'cmd',
  'ps1',
  'psm1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'mjs',
  'wsf',
  'wsh',
  'hta',
  'lnk',
  'jar',
  'apk',
  'app',
  'dmg',
  'pkg',
  'sh',
  'bash',
  'zsh',
  'py',
  'pl',
  'rb',
  'php',
  'cpl',
  'reg',
  'svg',
  'svgz',
  'xhtml',
  'xml',
  'xsl',
  'iso',
  'img',
  'vhd',
  'docm',
  'xlsm',
  'pptm',
  'appimage',
  'deb',
  'rpm',
  'elf',
  'bin',
  'run',
  'chm',
]);

/** What a chat export's ZIP may contain (WhatsApp, Instagram, Facebook, TikTok exports). */
const ZIP_ENTRY_EXTENSIONS = new Set([
  'txt',
  'csv',
  'json',
  'html',
  'htm',
  'pdf',
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'heic',
  'mp4',
  'mov',
  'webm',
  '3gp',
  'm4v',
  'opus',
  'ogg',
  'oga',
  'm4a',
  'aac',
  'mp3',
  'wav',
  'amr',
  'vcf',
]);

export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

const startsWith = (buf: Buffer, bytes: number[], at = 0) =>
  buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);

/** First look, from the first bytes and the name: a kind to check further, or a refusal. */
export function sniffEvidence(
  head: Buffer,
  filename: string,
): { kind: EvidenceKind } | { refused: EvidenceRefusal } {
  if (head.length === 0) return { refused: 'empty' };
  const ext = extensionOf(filename);
  if (ext === 'svg' || ext === 'svgz') return { refused: 'svg' };
  // Programs, whatever they are called.
  if (
    startsWith(head, [0x4d, 0x5a]) || // Windows (MZ)
    startsWith(head, [0x7f, 0x45, 0x4c, 0x46]) || // ELF
    startsWith(head, [0xfe, 0xed, 0xfa, 0xce]) ||
    startsWith(head, [0xfe, 0xed, 0xfa, 0xcf]) ||
    startsWith(head, [0xce, 0xfa, 0xed, 0xfe]) ||
    startsWith(head, [0xcf, 0xfa, 0xed, 0xfe]) || // Mach-O
    startsWith(head, [0xca, 0xfe, 0xba, 0xbe]) || // Mach-O universal, Java class
    startsWith(head, [0x00, 0x61, 0x73, 0x6d]) // WebAssembly
  )
    return { refused: 'executable' };
  if (startsWith(head, [0x23, 0x21])) return { refused: 'script' }; // #!
  if (DANGEROUS_EXTENSIONS.has(ext))
    return { refused: ext === 'exe' || ext === 'dll' || ext === 'msi' ? 'executable' : 'script' };
  // Images (decoded by the image processor to be sure).
  if (
    startsWith(head, [0xff, 0xd8, 0xff]) ||
    startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ||
    (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') ||
    (head.toString('latin1', 4, 8) === 'ftyp' &&
      /^(heic|heix|mif1|msf1|avif)$/.test(head.toString('latin1', 8, 12)))
  )
    return { kind: 'image' };
  if (head.toString('latin1', 0, 5) === '%PDF-') return { kind: 'pdf' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'zip' };
  if (startsWith(head, [0x50, 0x4b, 0x05, 0x06]) || startsWith(head, [0x50, 0x4b, 0x07, 0x08]))
    return { refused: 'zip_bad' };
  if (
    startsWith(head, [0x52, 0x61, 0x72, 0x21]) || // RAR
    startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) || // 7z
    startsWith(head, [0x1f, 0x8b]) || // gzip
    startsWith(head, [0x42, 0x5a, 0x68]) || // bzip2
    startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) // xz
  )
    return { refused: 'archive' };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
    return { refused: 'office' };
  // Text of some kind (checked in full by scanText).
  const text = textHead(head);
  if (text === null) return { refused: 'unknown' };
  const lead = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 4096)
    .toLowerCase();
  if (lead.startsWith('<svg') || (lead.startsWith('<?xml') && lead.includes('<svg')))
    return { refused: 'svg' };
  if (
    lead.startsWith('<!doctype html') ||
    lead.startsWith('<html') ||
    /<(html|head|body)[\s>]/.test(lead)
  )
    return { kind: 'html' };
  if (lead.startsWith('<?xml')) return { refused: 'unknown' };
  // JSON: an object, or an array of objects, strings or arrays ("[05/12/2026, 21:04] Sam: …"
  // is a WhatsApp chat, not JSON).
  if (/^(\{|\[\s*[{["\]])/.test(lead)) return { kind: 'json' };
  if (ext === 'csv') return { kind: 'csv' };
  return { kind: 'text' };
}

// eslint-disable-next-line no-control-regex -- control characters are what text must not have
const CONTROL = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/;

/** The head as UTF-8 text, or null when it is not text (bad UTF-8, NULs, control bytes). */
function textHead(head: Buffer): string | null {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    // `stream: true`: a character cut at the end of the head is not an error.
    const text = decoder.decode(head, { stream: true });
    return CONTROL.test(text) ? null : text;
  } catch {
    return null;
  }
}

/** Patterns that make HTML active (scripts, handlers, frames, plug-ins, redirects). */
const HTML_ACTIVE =
  /<\s*(script|iframe|frame|object|embed|applet|base|form)\b|<[^<>]{0,1000}\son[a-z]+\s*=|<[^<>]{0,1000}\b(href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(javascript|vbscript)\s*:|<\s*meta[^<>]{0,1000}http-equiv\s*=\s*["']?refresh/i;
/** PDF names that run or launch something, or carry files. */
const PDF_ACTIVE =
  /\/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData|GoToE)(?![A-Za-z0-9])/;

/** Reads a stream in pieces, giving each piece with the end of the one before (for matches across). */
async function scanPieces(
  stream: Readable,
  each: (piece: Buffer, overlap: Buffer) => boolean | void,
  overlapBytes = 256,
): Promise<boolean> {
  let tail = Buffer.alloc(0);
  for await (const chunk of stream) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    if (each(piece, tail) === false) {
      stream.destroy();
      return false;
    }
    const joined = tail.length > 0 ? Buffer.concat([tail, piece]) : piece;
    tail = Buffer.from(joined.subarray(Math.max(0, joined.length - overlapBytes)));
  }
  return true;
}

/**
 * Reads a text-kind file in full: UTF-8 throughout with no control characters; an HTML export
 * with no scripts or active content.
 */
export async function scanText(
  stream: Readable,
  kind: 'text' | 'csv' | 'json' | 'html',
): Promise<EvidenceRefusal | null> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let refusal: EvidenceRefusal | null = null;
  let previous = '';
  const ok = await scanPieces(stream, (piece) => {
    let text: string;
    try {
      text = decoder.decode(piece, { stream: true });
    } catch {
      refusal = 'binary_text';
      return false;
    }
    if (CONTROL.test(text)) {
      refusal = 'binary_text';
      return false;
    }
    if (kind === 'html' && HTML_ACTIVE.test(previous + text)) {
      refusal = 'html_script';
      return false;
    }
    // Enough of what came before for a tag split across pieces (the patterns look ≤ 1 KB back).
    previous = (previous + text).slice(-2048);
  });
  if (!ok) return refusal;
  try {
    decoder.decode();
  } catch {
    return 'binary_text';
  }
  return null;
}

/** Reads a PDF in full for names of active content (scripts, launches, attachments, forms). */
export async function scanPdf(stream: Readable): Promise<EvidenceRefusal | null> {
  let found = false;
  await scanPieces(stream, (piece, overlap) => {
    if (PDF_ACTIVE.test(Buffer.concat([overlap, piece]).toString('latin1'))) {
      found = true;
      return false;
    }
  });
  return found ? 'pdf_active' : null;
}

/** How much of a ZIP's end is kept while it streams past (its central directory must fit). */
const ZIP_TAIL_BYTES = 4 * 1024 * 1024;
const ZIP_MAX_ENTRIES = 20_000;
const ZIP_MAX_UNPACKED = 2 * 1024 * 1024 * 1024;
const ZIP_MAX_RATIO = 200;

/**
 * Checks a ZIP from its central directory (kept from the end of the stream): not encrypted, no
 * links or paths that climb out, only a chat export's kinds of file, and no zip bomb. The entries
 * are not unpacked: the file is kept as it was sent.
 */
export async function scanZip(stream: Readable, size: number): Promise<EvidenceRefusal | null> {
  const pieces: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    pieces.push(piece);
    kept += piece.length;
    while (kept - (pieces[0]?.length ?? 0) >= ZIP_TAIL_BYTES) kept -= pieces.shift()!.length;
  }
  const tail = Buffer.concat(pieces);
  const tailStart = size - tail.length;
  // End of central directory: 22 bytes plus a comment of up to 65535.
  let eocd = -1;
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 65535); i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'zip_bad';
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) return 'zip_too_big';
  if (entries > ZIP_MAX_ENTRIES) return 'zip_too_big';
  if (entries === 0) return 'zip_bad';
  let at = cdOffset - tailStart;
  if (at < 0) return 'zip_too_big';
  if (at + cdSize > eocd) return 'zip_bad';
  let unpacked = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > tail.length || tail.readUInt32LE(at) !== 0x02014b50) return 'zip_bad';
    const flags = tail.readUInt16LE(at + 8);
    const method = tail.readUInt16LE(at + 10);
    const packed = tail.readUInt32LE(at + 20);
    const plain = tail.readUInt32LE(at + 24);
    const nameLength = tail.readUInt16LE(at + 28);
    const extraLength = tail.readUInt16LE(at + 30);
    const commentLength = tail.readUInt16LE(at + 32);
    const madeBy = tail.readUInt16LE(at + 4) >> 8;
    const external = tail.readUInt32LE(at + 38);
    const name = tail.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 0x1 || flags & 0x40) return 'zip_encrypted';
    if (packed === 0xffffffff || plain === 0xffffffff) return 'zip_too_big';
    if (method !== 0 && method !== 8) return 'zip_bad';
    // Unix symbolic links; paths that climb out or are absolute.
    if (madeBy === 3 && ((external >>> 16) & 0o170000) === 0o120000) return 'zip_content';
    if (
      name.length === 0 ||
      name.startsWith('/') ||
      name.includes('\\') ||
      /^[A-Za-z]:/.test(name) ||
      name.split('/').includes('..') ||
      CONTROL.test(name)
    )
      return 'zip_content';
    if (name.endsWith('/')) continue; // a folder
    const base = name.split('/').pop()!;
    if (base.startsWith('._') || name.startsWith('__MACOSX/')) continue; // macOS metadata
    if (!ZIP_ENTRY_EXTENSIONS.has(extensionOf(base))) return 'zip_content';
    unpacked += plain;
    if (plain > 0 && packed === 0) return 'zip_too_big';
    if (packed > 0 && plain / packed > ZIP_MAX_RATIO) return 'zip_too_big';
  }
  if (unpacked > ZIP_MAX_UNPACKED) return 'zip_too_big';
  return null;
}
