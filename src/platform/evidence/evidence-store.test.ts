import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore, streamToBuffer } from '../files/file-store.ts';
import {
  EvidenceIntegrityError,
  EvidenceStore,
  EvidenceTooLargeError,
  type StagedEvidence,
} from './evidence-store.ts';

const KEY = crypto.randomBytes(32);
const CHUNK = 1024; // small chunks so the tests cross many chunk boundaries
const RECORD = CHUNK + 16;
const HEADER = 44;

let root: string;
let files: LocalFileStore;
let store: EvidenceStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-evidence-'));
  files = new LocalFileStore(root);
  store = new EvidenceStore(files, KEY, { chunkSize: CHUNK });
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Splits a buffer into irregular pieces, as a network upload arrives. */
function pieces(data: Buffer): Readable {
  const parts: Buffer[] = [];
  let i = 0;
  let n = 1;
  while (i < data.length) {
    parts.push(data.subarray(i, i + n));
    i += n;
    n = (n * 7 + 3) % 3001 || 1;
  }
  return Readable.from(parts);
}

async function put(key: string, data: Buffer): Promise<StagedEvidence> {
  const staged = await store.stage(key, pieces(data));
  await store.commit(staged);
  return staged;
}

async function readBack(s: EvidenceStore, key: string, staged?: StagedEvidence) {
  return streamToBuffer(
    await s.open(key, staged ? { sha256: staged.sha256, size: staged.size } : undefined),
  );
}

async function corrupt(key: string, change: (bytes: Buffer) => Buffer): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await fs.writeFile(file, change(await fs.readFile(file)));
}

async function refusal(s: EvidenceStore, key: string, staged: StagedEvidence) {
  const released: Buffer[] = [];
  try {
    const stream = await s.open(key, { sha256: staged.sha256, size: staged.size });
    for await (const chunk of stream) released.push(chunk as Buffer);
  } catch (e) {
    return { error: e as Error, released: Buffer.concat(released) };
  }
  throw new Error('the stream was not refused');
}

describe('EvidenceStore', () => {
  it('round-trips files of every awkward size, hashing the plaintext as it streams', async () => {
    for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17]) {
      const data = crypto.randomBytes(size);
      const key = `school/evidence/size-${size}`;
      const staged = await put(key, data);
      expect(staged.size).toBe(size);
      expect(staged.sha256).toBe(crypto.createHash('sha256').update(data).digest('hex'));
      expect((await readBack(store, key, staged)).equals(data)).toBe(true);
      expect((await readBack(store, key)).equals(data)).toBe(true);
      const chunks = Math.max(1, Math.ceil(size / CHUNK));
      expect(staged.storedSize).toBe(HEADER + size + chunks * 16);
    }
  });

  it('reveals nothing on disk: no plaintext, and the same file twice encrypts differently', async () => {
    const text = Buffer.from('Screenshot of the group chat: Alex Example wrote '.repeat(200));
    await put('school/evidence/a', text);
    await put('school/evidence/b', text);
    const a = await fs.readFile(path.join(root, 'school/evidence/a'));
    const b = await fs.readFile(path.join(root, 'school/evidence/b'));
    expect(a.includes(Buffer.from('Alex Example'))).toBe(false);
    expect(a.includes(Buffer.from('group chat'))).toBe(false);
    expect(a.subarray(HEADER).equals(b.subarray(HEADER))).toBe(false);
    // Nothing is left behind in the temporary area.
    expect(
      await fs.readdir(path.join(root, '.tmp', (await fs.readdir(path.join(root, '.tmp')))[0]!)),
    ).toEqual([]);
  });

  it('refuses a flipped byte, before releasing any plaintext of the bad chunk', async () => {
    const data = crypto.randomBytes(4 * CHUNK + 100);
    const staged = await put('s/evidence/flip', data);
    // A byte in the third chunk's ciphertext.
    await corrupt('s/evidence/flip', (b) => {
      b[HEADER + 2 * RECORD + 10]! ^= 0x01;
      return b;
    });
    const { error, released } = await refusal(store, 's/evidence/flip', staged);
    expect(error).toBeInstanceOf(EvidenceIntegrityError);
    expect((error as EvidenceIntegrityError).reason).toBe('tampered');
    expect((error as EvidenceIntegrityError).chunk).toBe(2);
    // At most the two good chunks before it were released (what the reader had taken before
    // the error), and they are the true bytes.
    expect(released.length).toBeLessThanOrEqual(2 * CHUNK);
    expect(released.equals(data.subarray(0, released.length))).toBe(true);
  });

  it('refuses a flipped tag, a changed header and a flipped byte in the last chunk', async () => {
    const data = crypto.randomBytes(2 * CHUNK + 5);
    for (const [name, offset] of [
      ['tag', HEADER + RECORD - 1],
      ['chunk size', HEADER - 28 + 3],
      ['salt', HEADER - 16 - 1],
      ['last chunk', HEADER + 2 * RECORD + 2],
    ] as const) {
      const key = `s/evidence/${name.replace(' ', '-')}`;
      const staged = await put(key, data);
      await corrupt(key, (b) => {
        b[offset]! ^= 0x80;
        return b;
      });
      const { error, released } = await refusal(store, key, staged);
      expect(error, name).toBeInstanceOf(EvidenceIntegrityError);
      if (name === 'last chunk') expect(released.length).toBeLessThanOrEqual(2 * CHUNK);
      else expect(released.length, name).toBe(0);
    }
  });

  it('refuses a file cut short at a chunk boundary, mid-chunk, or with bytes added', async () => {
    const data = crypto.randomBytes(3 * CHUNK + 200);
    const cuts: [string, (b: Buffer) => Buffer][] = [
      ['at a boundary', (b) => b.subarray(0, HEADER + 2 * RECORD)],
      ['mid-chunk', (b) => b.subarray(0, HEADER + 2 * RECORD + 300)],
      ['the header only', (b) => b.subarray(0, HEADER)],
      ['half the header', (b) => b.subarray(0, 20)],
      ['bytes added', (b) => Buffer.concat([b, Buffer.alloc(RECORD, 1)])],
      ['the last chunk repeated', (b) => Buffer.concat([b, b.subarray(HEADER + 3 * RECORD)])],
    ];
    for (const [name, cut] of cuts) {
      const key = `s/evidence/cut-${cuts.findIndex((c) => c[0] === name)}`;
      const staged = await put(key, data);
      await corrupt(key, cut);
      const { error } = await refusal(store, key, staged);
      expect(error, name).toBeInstanceOf(EvidenceIntegrityError);
      // Without the recorded hash too: the chunk format alone finds it.
      await expect(readBack(store, key), name).rejects.toBeInstanceOf(EvidenceIntegrityError);
    }
  });

  it('refuses chunks swapped or reordered, and a whole file moved to another key', async () => {
    const data = crypto.randomBytes(3 * CHUNK);
    const staged = await put('s/evidence/swap', data);
    await corrupt('s/evidence/swap', (b) => {
      const first = b.subarray(HEADER, HEADER + RECORD);
      const second = b.subarray(HEADER + RECORD, HEADER + 2 * RECORD);
      return Buffer.concat([b.subarray(0, HEADER), second, first, b.subarray(HEADER + 2 * RECORD)]);
    });
    const swapped = await refusal(store, 's/evidence/swap', staged);
    expect((swapped.error as EvidenceIntegrityError).reason).toBe('tampered');
    expect(swapped.released.length).toBe(0);

    // Chunk 1 of another file (same key, same offsets) in place of this file's chunk 1.
    const other = await put('s/evidence/other', crypto.randomBytes(3 * CHUNK));
    const mine = await put('s/evidence/mine', data);
    const otherBytes = await fs.readFile(path.join(root, 's/evidence/other'));
    await corrupt('s/evidence/mine', (b) => {
      otherBytes.copy(b, HEADER + RECORD, HEADER + RECORD, HEADER + 2 * RECORD);
      return b;
    });
    expect((await refusal(store, 's/evidence/mine', mine)).released.length).toBeLessThanOrEqual(
      CHUNK,
    );
    expect(other.size).toBe(3 * CHUNK);

    // A whole, intact file copied over another key: bound to its own key, so refused.
    const victim = await put('s/evidence/victim', crypto.randomBytes(100));
    await fs.copyFile(path.join(root, 's/evidence/other'), path.join(root, 's/evidence/victim'));
    const moved = await refusal(store, 's/evidence/victim', victim);
    expect((moved.error as EvidenceIntegrityError).reason).toBe('tampered');
  });

  it('holds the last chunk back when the recorded hash or size does not match', async () => {
    const data = crypto.randomBytes(2 * CHUNK + 10);
    const staged = await put('s/evidence/hash', data);
    const wrongHash = await refusal(store, 's/evidence/hash', {
      ...staged,
      sha256: '0'.repeat(64),
    });
    expect((wrongHash.error as EvidenceIntegrityError).reason).toBe('hash_mismatch');
    expect(wrongHash.released.length).toBeLessThanOrEqual(2 * CHUNK);
    const wrongSize = await refusal(store, 's/evidence/hash', { ...staged, size: staged.size - 1 });
    expect((wrongSize.error as EvidenceIntegrityError).reason).toBe('size_mismatch');
    await expect(store.verify('s/evidence/hash', staged)).resolves.toBeUndefined();
  });

  it('says so when the file was written under another key, and releases nothing', async () => {
    const data = crypto.randomBytes(CHUNK * 2);
    const staged = await put('s/evidence/key', data);
    const other = new EvidenceStore(files, crypto.randomBytes(32), { chunkSize: CHUNK });
    const { error, released } = await refusal(other, 's/evidence/key', staged);
    expect((error as EvidenceIntegrityError).reason).toBe('wrong_key');
    expect(error.message).toMatch(/different EVIDENCE_KEY/);
    expect(released.length).toBe(0);
    // Not a file of this format at all.
    await fs.writeFile(path.join(root, 's/evidence/plain'), Buffer.from('%PDF-1.7 hello'));
    await expect(readBack(store, 's/evidence/plain')).rejects.toMatchObject({
      reason: 'not_evidence',
    });
  });

  it('removes the temporary file when the upload fails or grows past its limit', async () => {
    const failing = new Readable({
      read() {
        this.push(crypto.randomBytes(5000));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.stage('s/evidence/fail', failing)).rejects.toThrow('client went away');
    await expect(
      store.stage('s/evidence/big', pieces(crypto.randomBytes(10_000)), { maxBytes: 9_999 }),
    ).rejects.toBeInstanceOf(EvidenceTooLargeError);
    const tmp = path.join(root, '.tmp');
    for (const dir of await fs.readdir(tmp))
      expect(await fs.readdir(path.join(tmp, dir))).toEqual([]);
    expect(await store.exists('s/evidence/fail')).toBe(false);
  });

  it('refuses keys that could leave the store and a key of the wrong length', async () => {
    await expect(store.stage('../x', Readable.from([Buffer.from('x')]))).rejects.toThrow(
      /Not a valid file key/,
    );
    expect(() => new EvidenceStore(files, Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('streams a large file in and out in bounded memory', async () => {
    const big = new EvidenceStore(files, KEY); // the default 64 KiB chunks
    // 256 MB: well over twice the bound below, so a store that held the file (or the ciphertext)
    // whole could not pass, while the garbage a collector leaves stays inside it (a steady
    // 65-72 MB on Node 24 whatever the file's size, against 30-60 MB on Node 20 and 22).
    const total = 256 * 1024 * 1024;
    const block = crypto.randomBytes(1024 * 1024);
    const expectedHash = crypto.createHash('sha256');
    for (let i = 0; i < 256; i++) expectedHash.update(block);
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= total) return this.push(null);
        sent += block.length;
        this.push(block);
      },
    });
    global.gc?.();
    const before = process.memoryUsage();
    let peak = before.rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const staged = await big.stage('s/evidence/large', source);
      await big.commit(staged);
      expect(staged.size).toBe(total);
      expect(staged.sha256).toBe(expectedHash.digest('hex'));
      let back = 0;
      const check = crypto.createHash('sha256');
      for await (const chunk of await big.open('s/evidence/large', staged)) {
        back += (chunk as Buffer).length;
        check.update(chunk as Buffer);
      }
      expect(back).toBe(total);
      expect(check.digest('hex')).toBe(staged.sha256);
    } finally {
      clearInterval(timer);
    }
    // The file never sat whole in memory: growth far under its 256 MB (garbage not yet collected
    // counts too, so the bound is not a few chunks).
    expect((peak - before.rss) / 1024 / 1024).toBeLessThan(100);
  }, 60_000);
});
