import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where media files live: one small interface (ARCHITECTURE rule 8) so services never touch the
 * disk, and so an S3-compatible object store can replace the local disk without changing a
 * service.
 *
 * ## Keys
 * A key is an opaque string of `/`-separated segments, e.g. `<schoolId>/<uuid>/original` or
 * `<schoolId>/<uuid>/thumb-320.jpg`. Each segment is 1–128 characters from `A–Z a–z 0–9 . _ -`,
 * is never `.` or `..`, and never starts with `.` (so keys can never reach the temporary area or
 * leave the store). A bad key is refused with {@link FileKeyError} before any I/O happens.
 * Callers should start every key with the school id, so one school's files can be listed or
 * removed by prefix.
 *
 * ## Files and rows stay consistent (ARCHITECTURE rule 10)
 * 1. `const temp = await store.writeTemp(data)` — the bytes go to a temporary name that no key can
 *    reach;
 * 2. the caller commits its database row (which records the key);
 * 3. `await store.commit(temp.name, key)` moves the file into place (atomic on local disk).
 *
 * If the process dies between 1 and 3, the temporary file is left behind. Each process writes its
 * temporaries in a folder of its own (`.tmp/<host>-<pid>-<random>/`), so at start-up
 * `sweepAbandonedTemp()` removes the folders of this host's processes that are no longer running
 * (within seconds of a restart after `kill -9`), without touching an upload that another live
 * process is still receiving; `sweepTemp(olderThan)` (hourly) removes anything older than the
 * grace period, whichever host left it. An orphan sweeper in the media module walks `list()` and
 * deletes committed files that no row refers to. If the database commit fails, the caller calls
 * `discard(temp.name)`.
 *
 * ## How an S3-compatible store plugs in
 * An `S3FileStore implements FileStore` keeps the same contract:
 * - `writeTemp` uploads to `tmp/<uuid>` in the bucket (a multipart upload for streams; the
 *   object's `LastModified` is what `sweepTemp` compares);
 * - `commit(temp, key)` is `CopyObject tmp/<uuid> → files/<key>` then `DeleteObject tmp/<uuid>`
 *   (S3 has no rename; a copy is server-side, so no bytes pass through Lanyard);
 * - `read`/`stream` are `GetObject`, `exists` is `HeadObject`, `delete` is `DeleteObject`
 *   (already idempotent in S3), `list` pages through `ListObjectsV2` under `files/`, and
 *   `sweepTemp` lists `tmp/` (a bucket lifecycle rule that expires `tmp/` after a day does the
 *   same job and can be used as well).
 * The container chooses the implementation from configuration; nothing else changes.
 */
export interface FileStore {
  /**
   * Writes bytes to a new temporary file that no key can reach. The data may be a Buffer or a
   * stream (e.g. an upload, so a large video is never held in memory). If a stream fails the
   * temporary file is removed and the error is rethrown.
   */
  writeTemp(data: Buffer | Readable): Promise<TempFile>;

  /**
   * {@link writeTemp} without hashing the bytes, for a caller that hashes what it cares about
   * itself (the evidence store hashes the plaintext before encrypting it; a second SHA-256 of
   * the ciphertext cost it about a third of its time).
   */
  writeTempUnhashed(data: Readable): Promise<Omit<TempFile, 'sha256'>>;

  /** The whole temporary file (e.g. to check an upload before committing it). */
  readTemp(tempName: string): Promise<Buffer>;

  /**
   * A temporary file as a stream (e.g. an upload that is re-encoded into another store without
   * sitting whole in memory). Throws {@link FileNotFoundError} if it does not exist.
   */
  streamTemp(tempName: string): Promise<Readable>;

  /**
   * Moves a temporary file into place under `key`, replacing any file already there (so a job
   * that runs twice is safe). Call it after the row that records `key` has been committed.
   * Throws {@link FileNotFoundError} if the temporary file does not exist.
   */
  commit(tempName: string, key: string): Promise<void>;

  /** Removes a temporary file that will not be committed (e.g. the transaction failed). Idempotent. */
  discard(tempName: string): Promise<void>;

  /** The whole file. Throws {@link FileNotFoundError} if there is none. */
  read(key: string): Promise<Buffer>;

  /** The file as a stream, for sending to a browser. Throws {@link FileNotFoundError} if there is none. */
  stream(key: string): Promise<Readable>;

  /** Size and last modification time, or `null` if there is no such file. */
  stat(key: string): Promise<FileInfo | null>;

  /** Whether a committed file exists under `key`. */
  exists(key: string): Promise<boolean>;

  /** Deletes the file under `key`. Deleting what is not there is not an error (idempotent). */
  delete(key: string): Promise<void>;

  /**
   * Every committed file (temporaries excluded), optionally only those whose key starts with
   * `prefix` followed by `/` or equal to it. Order is unspecified. Used by the orphan sweeper.
   */
  list(prefix?: string): AsyncIterable<FileInfo>;

  /** Removes temporary files last modified before `olderThan`; returns how many were removed. */
  sweepTemp(olderThan: Date): Promise<number>;

  /**
   * At start-up: removes the temporaries of processes that are no longer running (this host's,
   * told by process id), so a crash leaves no partial upload behind once Lanyard is back. Returns
   * how many files were removed.
   */
  sweepAbandonedTemp(): Promise<number>;
}

/** A file written by {@link FileStore.writeTemp}, waiting for `commit` or `discard`. */
export interface TempFile {
  /** Opaque name to pass to `commit` or `discard`. */
  name: string;
  /** Bytes written. */
  size: number;
  /** SHA-256 of the bytes written, hex (computed while writing, so nothing is read twice). */
  sha256: string;
}

export interface FileInfo {
  key: string;
  size: number;
  modifiedAt: Date;
}

/** A key that is not allowed (path traversal, empty segment, bad characters, too long). */
export class FileKeyError extends Error {
  constructor(readonly key: string) {
    super(`Not a valid file key: ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'FileKeyError';
  }
}

/** The file (or temporary file) does not exist. */
export class FileNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No such file: ${key}`);
    this.name = 'FileNotFoundError';
  }
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
/** `<uuid>.part` (written before temporaries had a folder per process) or `<owner>/<uuid>.part`. */
const TEMP_NAME = /^(?:[a-z0-9]{1,16}-[0-9]{1,10}-[0-9a-f]{1,32}\/)?[0-9a-f-]{36}\.part$/;
const OWNER_DIR = /^([a-z0-9]{1,16})-([0-9]{1,10})-([0-9a-f]{1,32})$/;
const MAX_KEY_LENGTH = 512;

/** Throws {@link FileKeyError} unless `key` is a valid key (see {@link FileStore}). */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new FileKeyError(String(key));
  }
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) throw new FileKeyError(key);
  }
}

function assertValidTempName(name: string): void {
  if (!TEMP_NAME.test(name)) throw new FileKeyError(name);
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** A short, path-safe name for this host (temporaries of other hosts are left to `sweepTemp`). */
function hostTag(): string {
  return createHash('sha256').update(os.hostname()).digest('hex').slice(0, 12);
}

/** Whether a process with this id is running on this host. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Files on local disk under `root` (by default `<DATA_DIR>/files`). Committed files live at
 * `<root>/<key>`; temporaries at `<root>/.tmp/<host>-<pid>-<random>/<uuid>.part` (a folder per
 * process) on the same file system, so `commit` is an atomic `rename`. Writes are fsynced before
 * the rename, so a committed key never points at a half-written file after a crash.
 */
export class LocalFileStore implements FileStore {
  readonly root: string;
  private readonly tempRoot: string;
  /** This process's folder under `.tmp` (a new random part each start: pids are reused). */
  private readonly owner: string;
  private readonly tempDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempRoot = path.join(this.root, '.tmp');
    this.owner = `${hostTag()}-${process.pid}-${randomBytes(6).toString('hex')}`;
    this.tempDir = path.join(this.tempRoot, this.owner);
  }

  /** The store rooted at `<dataDir>/files`, the default layout. */
  static inDataDir(dataDir: string): LocalFileStore {
    return new LocalFileStore(path.join(dataDir, 'files'));
  }

  private pathFor(key: string): string {
    assertValidKey(key);
    const full = path.join(this.root, ...key.split('/'));
    // Belt and braces: the key rules already make escaping impossible.
    if (!full.startsWith(this.root + path.sep)) throw new FileKeyError(key);
    return full;
  }

  private tempPath(name: string): string {
    assertValidTempName(name);
    return path.join(this.tempRoot, ...name.split('/'));
  }

  async writeTempUnhashed(data: Readable): Promise<Omit<TempFile, 'sha256'>> {
    const { name, size } = await this.writeTempFile(data, false);
    return { name, size };
  }

  writeTemp(data: Buffer | Readable): Promise<TempFile> {
    return this.writeTempFile(data, true);
  }

  private async writeTempFile(data: Buffer | Readable, hashed: boolean): Promise<TempFile> {
    await fs.mkdir(this.tempDir, { recursive: true, mode: 0o700 });
    const name = `${this.owner}/${randomUUID()}.part`;
    const target = this.tempPath(name);
    try {
      if (Buffer.isBuffer(data)) {
        const handle = await fs.open(target, 'wx', 0o600);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return { name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
      }
      // Streamed straight to disk (an upload is never held in memory), hashed on the way.
      const hash = hashed ? createHash('sha256') : null;
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash?.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      const out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
      await pipeline(data, tap, out);
      const handle = await fs.open(target, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { name, size, sha256: hash?.digest('hex') ?? '' };
    } catch (e) {
      await fs.rm(target, { force: true });
      throw e;
    }
  }

  async readTemp(tempName: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.tempPath(tempName));
    } catch (e) {
      if (isNotFound(e)) throw new FileNotFoundError(tempName);
      throw e;
    }
  }

  async streamTemp(tempName: string): Promise<Readable> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.tempPath(tempName), 'r');
    } catch (e) {
      if (isNotFound(e)) throw new FileNotFoundError(tempName);
      throw e;
    }
    return handle.createReadStream();
  }

  async commit(tempName: string, key: string): Promise<void> {
    const from = this.tempPath(tempName);
    const to = this.pathFor(key);
    await fs.mkdir(path.dirname(to), { recursive: true });
    try {
      await fs.rename(from, to);
    } catch (e) {
      if (isNotFound(e)) throw new FileNotFoundError(tempName);
      throw e;
    }
    await syncDir(path.dirname(to));
  }

  async discard(tempName: string): Promise<void> {
    await fs.rm(this.tempPath(tempName), { force: true });
  }

  async read(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathFor(key));
    } catch (e) {
      if (isNotFound(e)) throw new FileNotFoundError(key);
      throw e;
    }
  }

  async stream(key: string): Promise<Readable> {
    const file = this.pathFor(key);
    // Open first so a missing file is a FileNotFoundError here, not an 'error' event later.
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (e) {
      if (isNotFound(e)) throw new FileNotFoundError(key);
      throw e;
    }
    return handle.createReadStream();
  }

  async stat(key: string): Promise<FileInfo | null> {
    try {
      const s = await fs.stat(this.pathFor(key));
      return s.isFile() ? { key, size: s.size, modifiedAt: s.mtime } : null;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    const file = this.pathFor(key);
    await fs.rm(file, { force: true });
    // Tidy empty parent folders up to the root (best effort: a concurrent write may refill one).
    let dir = path.dirname(file);
    while (dir.startsWith(this.root + path.sep)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }

  async *list(prefix?: string): AsyncIterable<FileInfo> {
    let start = this.root;
    if (prefix !== undefined && prefix !== '') {
      assertValidKey(prefix);
      start = this.pathFor(prefix);
      const s = await fs.stat(start).catch((e: unknown) => {
        if (isNotFound(e)) return null;
        throw e;
      });
      if (s === null) return;
      if (s.isFile()) {
        yield { key: prefix, size: s.size, modifiedAt: s.mtime };
        return;
      }
    }
    yield* this.walk(start);
  }

  private async *walk(dir: string): AsyncIterable<FileInfo> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // .tmp and anything that is not a key
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        yield* this.walk(full);
      } else if (entry.isFile()) {
        const s = await fs.stat(full).catch(() => null);
        if (s === null) continue; // deleted while we walked
        const key = path.relative(this.root, full).split(path.sep).join('/');
        yield { key, size: s.size, modifiedAt: s.mtime };
      }
    }
  }

  async sweepTemp(olderThan: Date): Promise<number> {
    let removed = 0;
    for (const entry of await this.tempEntries()) {
      const full = path.join(this.tempRoot, entry.name);
      if (entry.isDirectory()) {
        // A process's folder: its old files go; the folder too once empty (never our own).
        for (const name of await fs.readdir(full).catch(() => [] as string[])) {
          const file = path.join(full, name);
          const s = await fs.stat(file).catch(() => null);
          if (s?.isFile() && s.mtime.getTime() < olderThan.getTime()) {
            await fs.rm(file, { force: true });
            removed += 1;
          }
        }
        if (entry.name !== this.owner) await fs.rmdir(full).catch(() => undefined);
        continue;
      }
      const s = await fs.stat(full).catch(() => null);
      if (s?.isFile() && s.mtime.getTime() < olderThan.getTime()) {
        await fs.rm(full, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async sweepAbandonedTemp(): Promise<number> {
    const host = hostTag();
    let removed = 0;
    const minuteAgo = Date.now() - 60_000;
    for (const entry of await this.tempEntries()) {
      if (entry.isFile()) {
        // Written before temporaries had a folder per process: a live writer keeps it fresh.
        const full = path.join(this.tempRoot, entry.name);
        const s = await fs.stat(full).catch(() => null);
        if (s && s.mtime.getTime() < minuteAgo) {
          await fs.rm(full, { force: true });
          removed += 1;
        }
        continue;
      }
      if (!entry.isDirectory() || entry.name === this.owner) continue;
      const m = OWNER_DIR.exec(entry.name);
      if (!m || m[1] !== host) continue; // another host's process: left to sweepTemp's age rule
      const pid = Number(m[2]);
      // Our own pid in another folder is an earlier run of this process id (a container restart).
      if (pid !== process.pid && processAlive(pid)) continue;
      const full = path.join(this.tempRoot, entry.name);
      removed += (await fs.readdir(full).catch(() => [] as string[])).length;
      await fs.rm(full, { recursive: true, force: true });
    }
    return removed;
  }

  private async tempEntries() {
    try {
      return await fs.readdir(this.tempRoot, { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  // fsync the directory so the rename survives a power cut; not every platform allows it.
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** Reads a whole stream into memory (for small files and tests). */
export async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
