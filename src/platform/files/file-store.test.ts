import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileKeyError,
  FileNotFoundError,
  LocalFileStore,
  assertValidKey,
  streamToBuffer,
  type FileInfo,
} from './file-store.ts';

let dir: string;
let store: LocalFileStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-files-'));
  store = new LocalFileStore(path.join(dir, 'files'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Every file under the temporary area (each process writes in a folder of its own). */
async function tempFiles(): Promise<string[]> {
  const root = path.join(dir, 'files/.tmp');
  const out: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true, recursive: true }).catch(() => []))
    if (e.isFile()) out.push(path.relative(root, path.join(e.parentPath, e.name)));
  return out.sort();
}

async function collect(it: AsyncIterable<FileInfo>): Promise<string[]> {
  const keys: string[] = [];
  for await (const f of it) keys.push(f.key);
  return keys.sort();
}

describe('LocalFileStore', () => {
  it('writes to a temporary name that no key reaches, and commit moves it into place', async () => {
    const temp = await store.writeTemp(Buffer.from('photo bytes'));
    expect(temp.size).toBe(11);
    expect(await collect(store.list())).toEqual([]); // temporaries are not listed
    expect(await store.exists('school-1/abc/original')).toBe(false);

    await store.commit(temp.name, 'school-1/abc/original');
    expect((await store.read('school-1/abc/original')).toString()).toBe('photo bytes');
    expect(await store.exists('school-1/abc/original')).toBe(true);
    const info = await store.stat('school-1/abc/original');
    expect(info).toMatchObject({ key: 'school-1/abc/original', size: 11 });
    // The temporary is gone: committing it again is a FileNotFoundError.
    await expect(store.commit(temp.name, 'school-1/abc/again')).rejects.toBeInstanceOf(
      FileNotFoundError,
    );
    expect(await tempFiles()).toEqual([]);
  });

  it('accepts a stream and removes the temporary file when the stream fails', async () => {
    const ok = await store.writeTemp(Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
    expect(ok.size).toBe(4);
    // Hashed while written, so a caller never reads the upload back to hash it.
    expect(ok.sha256).toBe('88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589');
    expect((await store.readTemp(ok.name)).toString()).toBe('abcd');
    await store.commit(ok.name, 's/1/video');
    expect(await streamToBuffer(await store.stream('s/1/video'))).toEqual(Buffer.from('abcd'));

    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.writeTemp(failing)).rejects.toThrow('client went away');
    expect(await tempFiles()).toEqual([]);
  });

  it('commit replaces an existing file (a job that runs twice is safe)', async () => {
    const a = await store.writeTemp(Buffer.from('first'));
    await store.commit(a.name, 's/1/thumb');
    const b = await store.writeTemp(Buffer.from('second'));
    await store.commit(b.name, 's/1/thumb');
    expect((await store.read('s/1/thumb')).toString()).toBe('second');
  });

  it('discard removes a temporary that will not be committed, and is idempotent', async () => {
    const temp = await store.writeTemp(Buffer.from('x'));
    await store.discard(temp.name);
    await store.discard(temp.name);
    await expect(store.commit(temp.name, 's/1/x')).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('delete is idempotent and tidies empty folders', async () => {
    const temp = await store.writeTemp(Buffer.from('x'));
    await store.commit(temp.name, 's/media-1/original');
    await store.delete('s/media-1/original');
    await store.delete('s/media-1/original');
    await store.delete('never/existed');
    expect(await store.exists('s/media-1/original')).toBe(false);
    await expect(fs.stat(path.join(dir, 'files/s'))).rejects.toThrow();
  });

  it('read, stream and stat of a missing key', async () => {
    await expect(store.read('s/none')).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(store.stream('s/none')).rejects.toBeInstanceOf(FileNotFoundError);
    expect(await store.stat('s/none')).toBeNull();
  });

  it('lists committed files, optionally under a prefix', async () => {
    for (const key of ['a/1/original', 'a/1/thumb', 'a/2/original', 'b/1/original']) {
      const t = await store.writeTemp(Buffer.from(key));
      await store.commit(t.name, key);
    }
    await store.writeTemp(Buffer.from('uncommitted'));
    expect(await collect(store.list())).toEqual([
      'a/1/original',
      'a/1/thumb',
      'a/2/original',
      'b/1/original',
    ]);
    expect(await collect(store.list('a/1'))).toEqual(['a/1/original', 'a/1/thumb']);
    expect(await collect(store.list('a/1/thumb'))).toEqual(['a/1/thumb']);
    expect(await collect(store.list('c'))).toEqual([]);
    for await (const f of store.list('b')) expect(f.modifiedAt).toBeInstanceOf(Date);
  });

  it('sweepTemp removes only temporaries older than the cut-off', async () => {
    const old = await store.writeTemp(Buffer.from('old'));
    const fresh = await store.writeTemp(Buffer.from('fresh'));
    const committed = await store.writeTemp(Buffer.from('kept'));
    await store.commit(committed.name, 's/1/original');
    const hourAgo = new Date(Date.now() - 3600_000);
    await fs.utimes(path.join(dir, 'files/.tmp', old.name), hourAgo, hourAgo);

    expect(await store.sweepTemp(new Date(Date.now() - 600_000))).toBe(1);
    await expect(store.commit(old.name, 's/1/old')).rejects.toBeInstanceOf(FileNotFoundError);
    await store.commit(fresh.name, 's/1/fresh'); // still there
    expect(await store.exists('s/1/original')).toBe(true);
    expect(await new LocalFileStore(path.join(dir, 'empty')).sweepTemp(new Date())).toBe(0);
  });

  it('sweepAbandonedTemp removes the folders of processes that died, never a live one', async () => {
    const mine = await store.writeTemp(Buffer.from('mine, still uploading'));
    const owner = mine.name.split('/')[0]!;
    const host = owner.split('-')[0]!;
    // A process that was killed (-9) mid-upload: a pid no process has, its partial file left.
    const dead = path.join(dir, 'files/.tmp', `${host}-4194303-abc123`);
    await fs.mkdir(dead, { recursive: true });
    await fs.writeFile(path.join(dead, `${crypto.randomUUID()}.part`), 'partial upload');
    // An earlier run under this very pid (containers restart with the same pid).
    const earlier = path.join(dir, 'files/.tmp', `${host}-${process.pid}-0000aa`);
    await fs.mkdir(earlier);
    await fs.writeFile(path.join(earlier, `${crypto.randomUUID()}.part`), 'partial');
    // A live process on this host (our parent), and a process on another host: left alone.
    const live = path.join(dir, 'files/.tmp', `${host}-${process.ppid}-0000bb`);
    await fs.mkdir(live);
    await fs.writeFile(path.join(live, `${crypto.randomUUID()}.part`), 'receiving');
    const other = path.join(dir, 'files/.tmp', `ffffffffffff-4194303-0000cc`);
    await fs.mkdir(other);
    await fs.writeFile(path.join(other, `${crypto.randomUUID()}.part`), 'other host');
    // A file from the layout before per-process folders, a minute old.
    const legacy = path.join(dir, 'files/.tmp', `${crypto.randomUUID()}.part`);
    await fs.writeFile(legacy, 'old layout');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await fs.utimes(legacy, twoMinutesAgo, twoMinutesAgo);

    expect(await store.sweepAbandonedTemp()).toBe(3);
    const left = await tempFiles();
    expect(left).toHaveLength(3);
    expect(left.some((f) => f.startsWith(owner))).toBe(true);
    expect(left.some((f) => f.startsWith(path.basename(live)))).toBe(true);
    expect(left.some((f) => f.startsWith(path.basename(other)))).toBe(true);
    await store.commit(mine.name, 's/1/mine'); // our own upload is untouched
  });

  it('refuses keys that could escape the store or reach the temporary area', async () => {
    const bad = [
      '',
      '../etc/passwd',
      'a/../../etc/passwd',
      '/etc/passwd',
      'a//b',
      'a/./b',
      'a/..',
      '.tmp/x.part',
      'a/.hidden',
      'a\\b',
      'a/b\0c',
      'a/b c',
      'x'.repeat(513),
    ];
    for (const key of bad) {
      expect(() => assertValidKey(key), key).toThrow(FileKeyError);
      await expect(store.read(key)).rejects.toBeInstanceOf(FileKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(FileKeyError);
      await expect(store.exists(key)).rejects.toBeInstanceOf(FileKeyError);
    }
    const temp = await store.writeTemp(Buffer.from('x'));
    await expect(store.commit(temp.name, '../outside')).rejects.toBeInstanceOf(FileKeyError);
    await expect(store.commit('../../etc/passwd', 's/1/x')).rejects.toBeInstanceOf(FileKeyError);
    await expect(store.discard('../x.part')).rejects.toBeInstanceOf(FileKeyError);
    expect(() => assertValidKey('2f0c-11/8e3a_b.c/original.jpg')).not.toThrow();
  });

  it('inDataDir roots the store at <DATA_DIR>/files', () => {
    expect(LocalFileStore.inDataDir('/srv/lanyard').root).toBe(path.resolve('/srv/lanyard/files'));
  });
});
