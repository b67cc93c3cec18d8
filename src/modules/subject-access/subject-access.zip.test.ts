import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unzipEntries } from '../../../test/support/unzip.ts';
import { bundleZip, READ_AHEAD_BYTES_PER_FILE, READ_AHEAD_FILES } from './subject-access.zip.ts';
import type { Bundle, BundleFile } from './subject-access.gather.ts';

/** The textbook CRC-32 (bit by bit), to check the one yazl now uses. */
function referenceCrc32(buf: Buffer, previous = 0): number {
  let crc = ~previous >>> 0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

const drain = async (s: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** Each entry's compression method, from the central directory (0 stored, 8 deflated). */
function methods(zip: Buffer): Map<string, number> {
  let eocd = zip.length - 22;
  while (zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, number>();
  for (let n = 0; n < zip.readUInt16LE(eocd + 10); n++) {
    const nameLength = zip.readUInt16LE(p + 28);
    out.set(zip.toString('utf8', p + 46, p + 46 + nameLength), zip.readUInt16LE(p + 10));
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

const bundleOf = (files: BundleFile[]): Bundle => ({
  subject: { kind: 'pupil', id: 'p1', name: 'Amy Clarke' },
  schoolName: 'Oakfield',
  sections: [],
  files,
});

describe('the bundle ZIP', () => {
  it('yazl’s CRC-32 is the native one, and agrees with the textbook CRC, continued or not', () => {
    const crc = createRequire(createRequire(import.meta.url).resolve('yazl'))('buffer-crc32') as {
      unsigned: (b: Buffer, p?: number) => number;
      __lanyardNative?: true;
    };
    expect(crc.__lanyardNative).toBe(true);
    const a = randomBytes(70_001);
    const b = randomBytes(3);
    expect(crc.unsigned(a)).toBe(referenceCrc32(a));
    expect(crc.unsigned(b, crc.unsigned(a))).toBe(referenceCrc32(Buffer.concat([a, b])));
    expect(crc.unsigned(Buffer.alloc(0))).toBe(0);
    expect(zlib.crc32(a)).toBe(referenceCrc32(a));
  });

  it('reads a few files ahead, never more, and writes every byte in order; photos stored', async () => {
    const contents = Array.from({ length: 25 }, (_, i) =>
      // A few files larger than what is held per file, so the rest streams when reached.
      i % 8 === 3 ? randomBytes(READ_AHEAD_BYTES_PER_FILE + 123_457) : randomBytes(50_000 + i),
    );
    let open = 0;
    let mostOpen = 0;
    const files: BundleFile[] = contents.map((bytes, i) => ({
      path: i % 2 ? `media/originals/${i}.jpg` : `notes/${i}.txt`,
      store: i % 2 === 1,
      async open() {
        open += 1;
        mostOpen = Math.max(mostOpen, open);
        const s = Readable.from(
          (async function* () {
            for (let o = 0; o < bytes.length; o += 65_536) yield bytes.subarray(o, o + 65_536);
          })(),
        );
        s.on('close', () => (open -= 1));
        return s;
      },
    }));
    const zip = await drain(bundleZip(bundleOf(files), new Date('2026-12-06T18:28:00Z')));
    const entries = unzipEntries(zip);
    expect([...entries.keys()]).toEqual(['index.html', 'data.json', ...files.map((f) => f.path)]);
    files.forEach((f, i) => expect(entries.get(f.path)!.equals(contents[i]!), f.path).toBe(true));
    expect(mostOpen).toBeGreaterThan(1);
    expect(mostOpen).toBeLessThanOrEqual(READ_AHEAD_FILES + 1);
    const m = methods(zip);
    expect(m.get('media/originals/1.jpg')).toBe(0);
    expect(m.get('notes/0.txt')).toBe(8);
    expect(m.get('index.html')).toBe(8);
  });

  it('a file that cannot be read, or fails part-way, ends the ZIP with the error', async () => {
    const ok: BundleFile = {
      path: 'a.txt',
      store: false,
      open: async () => Readable.from([Buffer.from('fine')]),
    };
    const missing: BundleFile = {
      path: 'b.txt',
      store: false,
      open: () => Promise.reject(new Error('no such file')),
    };
    await expect(drain(bundleZip(bundleOf([ok, missing]), new Date()))).rejects.toThrow(
      'no such file',
    );
    const broken: BundleFile = {
      path: 'c.jpg',
      store: true,
      open: async () =>
        Readable.from(
          (async function* () {
            yield randomBytes(READ_AHEAD_BYTES_PER_FILE + 10);
            yield randomBytes(10);
            throw new Error('evidence failed its check');
          })(),
        ),
    };
    await expect(drain(bundleZip(bundleOf([ok, broken]), new Date()))).rejects.toThrow(
      'evidence failed its check',
    );
  });
});
