/**
 * The bundle as a ZIP (ADR 0030): `index.html` (readable, GOV.UK-styled, CSS inline so it opens
 * offline), `data.json` (the same records for machines) and the files, streamed from the file
 * store or decrypted from the evidence store a few files ahead of the ZIP (bounded: see
 * `ReadAhead`). Nothing is held whole in memory but the rows of one person.
 */
import { createRequire } from 'node:module';
import { PassThrough, Readable } from 'node:stream';
import zlib from 'node:zlib';
import yazl from 'yazl';
import { formatDateTimeInWords } from '../../web/dates.ts';
import type { Bundle, BundleFile } from './subject-access.gather.ts';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const CSS = `body{font-family:Arial,sans-serif;color:#0b0c0c;margin:0;line-height:1.4}
header{background:#0b0c0c;color:#fff;padding:10px 30px;font-weight:bold;font-size:1.2rem}
main{max-width:1020px;margin:0 auto;padding:20px 30px}
h1{font-size:2.2rem;margin:20px 0}h2{font-size:1.6rem;margin:40px 0 10px;border-top:2px solid #b1b4b6;padding-top:20px}
p{font-size:1.1875rem;max-width:40em}.hint{color:#505a5f}
table{border-collapse:collapse;width:100%;margin:10px 0 20px;font-size:1rem}
caption{text-align:left;font-weight:bold;padding-bottom:5px}
th,td{border-bottom:1px solid #b1b4b6;padding:8px 15px 8px 0;text-align:left;vertical-align:top}
th{font-weight:bold}a{color:#1d70b8}a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}
ul.contents li{margin:5px 0}.count{color:#505a5f}`;

/** The readable index: every kind of record, with its count and its rows in words. */
export function indexHtml(bundle: Bundle, producedAt: Date): string {
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Information held about ${esc(bundle.subject.name)}</title><style>${CSS}</style></head><body><header>${esc(bundle.schoolName)}</header><main>`,
    `<h1>Information held about ${esc(bundle.subject.name)}</h1>`,
    `<p>This is everything ${esc(bundle.schoolName)} holds about ${esc(bundle.subject.name)} in Lanyard, its system for photo consent, publishing, online safety incidents and staff conduct, as of ${esc(formatDateTimeInWords(producedAt))}. It answers a subject access request under UK GDPR Article 15.</p>`,
    `<p class="hint">Other pupils and parents are not named (“another pupil”, “another parent”). Staff are named with their role. The files are in the folders beside this page; <code>data.json</code> holds the same records for computers.</p>`,
    '<h2 id="contents">Contents</h2><ul class="contents">',
  );
  for (const s of bundle.sections)
    parts.push(
      `<li><a href="#${s.key}">${esc(s.title)}</a> <span class="count">(${s.rows.length} ${s.rows.length === 1 ? 'record' : 'records'})</span></li>`,
    );
  parts.push(`<li>Files <span class="count">(${bundle.files.length})</span></li></ul>`);
  for (const s of bundle.sections) {
    parts.push(`<h2 id="${s.key}">${esc(s.title)}</h2><p>${esc(s.description)}</p>`);
    if (!s.rows.length) {
      parts.push('<p class="hint">None held.</p>');
      continue;
    }
    parts.push(`<table><caption>${esc(s.title)}: ${s.rows.length}</caption><thead><tr>`);
    for (const c of s.columns) parts.push(`<th scope="col">${esc(c)}</th>`);
    parts.push('</tr></thead><tbody>');
    for (const r of s.rows) {
      parts.push('<tr>');
      r.forEach((cell, n) => {
        const isFile =
          /^(consent|media|publications|incidents)\//.test(cell) && !cell.includes(' ');
        const v = isFile ? `<a href="${esc(cell)}">${esc(cell)}</a>` : esc(cell);
        parts.push(n === 0 ? `<th scope="row">${v}</th>` : `<td>${v}</td>`);
      });
      parts.push('</tr>');
    }
    parts.push('</tbody></table>');
  }
  parts.push('</main></body></html>');
  return parts.join('');
}

/** The machine-readable copy: the same sections, redacted the same way. */
export function bundleJson(bundle: Bundle, producedAt: Date): string {
  return JSON.stringify(
    {
      subject: { kind: bundle.subject.kind, name: bundle.subject.name },
      school: bundle.schoolName,
      producedAt: producedAt.toISOString(),
      sections: Object.fromEntries(
        bundle.sections.map((s) => [
          s.key,
          { title: s.title, count: s.rows.length, records: s.data },
        ]),
      ),
      files: bundle.files.map((f) => f.path),
    },
    null,
    2,
  );
}

/**
 * yazl computes each entry's CRC-32 with buffer-crc32, a byte-at-a-time loop in JavaScript (the
 * main cost of a bundle over reading its files, ADR 0030 addendum). Node's zlib has the same
 * CRC-32 natively (`zlib.crc32`, Node 20.15+): the module yazl itself loads is given it, once, so
 * every entry's checksum is computed in C. Same polynomial, same continuation: unit-tested.
 */
function useNativeCrc32(): void {
  if (typeof zlib.crc32 !== 'function') return;
  const fromYazl = createRequire(createRequire(import.meta.url).resolve('yazl'));
  const crc = fromYazl('buffer-crc32') as {
    unsigned: (buf: Buffer | string, previous?: number | Buffer) => number;
    __lanyardNative?: true;
  };
  if (crc.__lanyardNative) return;
  const js = crc.unsigned;
  crc.unsigned = (buf, previous) =>
    Buffer.isBuffer(buf) && (previous === undefined || typeof previous === 'number')
      ? zlib.crc32(buf, previous ?? 0)
      : js(buf, previous);
  crc.__lanyardNative = true;
}
useNativeCrc32();

/** How far the bundle reads ahead of the ZIP: files, and bytes held per file. */
export const READ_AHEAD_FILES = 6;
export const READ_AHEAD_BYTES_PER_FILE = 4 * 1024 * 1024;

interface Prefetched {
  /** What was read so far (all of it when `rest` is null). */
  chunks: Buffer[];
  /** The rest of a file larger than the cap, still to be read, in order. */
  rest: AsyncIterator<Buffer> | null;
  stream: Readable;
}

/**
 * Reads the next files while the ZIP writes the current one: at most `READ_AHEAD_FILES` are
 * open or held, each up to `READ_AHEAD_BYTES_PER_FILE` in memory (a larger file keeps the rest
 * in its stream until the ZIP reaches it), so memory stays bounded whatever the bundle holds and
 * the waits for the disk (or the evidence store's decryption) overlap instead of adding up.
 */
class ReadAhead {
  private readonly started = new Map<number, Promise<Prefetched>>();
  private closed = false;

  constructor(private readonly files: BundleFile[]) {}

  private start(i: number): void {
    if (i >= this.files.length || this.started.has(i) || this.closed) return;
    const p = this.fill(this.files[i]!);
    p.catch(() => undefined); // an error is reported when the ZIP takes this file
    this.started.set(i, p);
  }

  private async fill(file: BundleFile): Promise<Prefetched> {
    const stream = await file.open();
    const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const chunks: Buffer[] = [];
    let held = 0;
    while (held < READ_AHEAD_BYTES_PER_FILE) {
      const next = await it.next();
      if (next.done) return { chunks, rest: null, stream };
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      chunks.push(chunk);
      held += chunk.length;
    }
    return { chunks, rest: it, stream };
  }

  /** File i as a stream for the ZIP; starts reading the ones after it. */
  async take(i: number): Promise<Readable> {
    this.start(i);
    for (let j = i + 1; j <= i + READ_AHEAD_FILES; j++) this.start(j);
    const got = await this.started.get(i)!;
    this.started.delete(i);
    if (!got.rest)
      return Readable.from(got.chunks.length > 1 ? [Buffer.concat(got.chunks)] : got.chunks);
    const { chunks, rest } = got;
    return Readable.from(
      (async function* () {
        yield* chunks;
        for (let n = await rest.next(); !n.done; n = await rest.next()) yield n.value;
      })(),
    );
  }

  /** The ZIP ended or was abandoned: close whatever was opened ahead. */
  close(): void {
    this.closed = true;
    for (const p of this.started.values())
      p.then(
        (got) => got.stream.destroy(),
        () => undefined,
      );
    this.started.clear();
  }
}

/**
 * Streams the ZIP. yazl writes the entries in order, asking for each file's stream when it
 * reaches it (`addReadStreamLazy`); `ReadAhead` has usually read it already, with the next few.
 * Already-compressed files (photos, video, PDF) are stored, the rest deflated. A file that
 * cannot be read ends the ZIP with that error.
 */
export function bundleZip(bundle: Bundle, producedAt: Date): Readable {
  const zip = new yazl.ZipFile();
  const mtime = producedAt;
  zip.addBuffer(Buffer.from(indexHtml(bundle, producedAt), 'utf8'), 'index.html', { mtime });
  zip.addBuffer(Buffer.from(bundleJson(bundle, producedAt), 'utf8'), 'data.json', { mtime });
  const out = new PassThrough();
  const ahead = new ReadAhead(bundle.files);
  const fail = (e: Error) => {
    ahead.close();
    out.destroy(e);
  };
  zip.on('error', fail);
  bundle.files.forEach((f, i) => {
    zip.addReadStreamLazy(f.path, { mtime, compress: !f.store }, (cb) => {
      ahead.take(i).then(
        (s) => {
          // A read that fails part-way (a file gone, evidence failing its check) ends the ZIP.
          s.on('error', (e: Error) => fail(e));
          cb(null, s);
        },
        (e: unknown) => cb(e, undefined as unknown as Readable),
      );
    });
  });
  out.on('close', () => ahead.close());
  zip.end();
  (zip.outputStream as Readable).pipe(out);
  return out;
}
