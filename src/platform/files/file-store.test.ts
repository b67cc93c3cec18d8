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
    expect(await fs.readdir(path.join(dir, 'files/.tmp'))).toEqual([]);
  });

  it('accepts a stream and removes the temporary file when the stream fails', async () => {
    const ok = await store.writeTemp(Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
    expect(ok.size).toBe(4);
    await store.commit(ok.name, 's/1/video');
    expect(await streamToBuffer(await store.stream('s/1/video'))).toEqual(Buffer.from('abcd'));

    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.writeTemp(failing)).rejects.toThrow('client went away');
    expect(await fs.readdir(path.join(dir, 'files/.tmp'))).toEqual([]);
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
