import crypto from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { assertValidKey, type FileStore } from '../files/file-store.ts';

/**
 * Evidence files encrypted at rest (issue 14 item 3): a copy of the file store alone reveals
 * nothing, and any change to a stored file is found before its plaintext is handed on.
 *
 * The bytes live in the ordinary {@link FileStore} (so they are written atomically — temporary
 * file, fsync, rename — backed up with the other files, and could move to an object store), under
 * keys the caller chooses (`<schoolId>/evidence/<id>`). This layer only encrypts and checks.
 *
 * ## Format (version 1)
 *
 * ```
 * header (44 bytes)  "LYEVID" 0x00 0x01 | key id (8) | chunk size u32 BE | salt (16) | nonce prefix (8)
 * chunk 0            AES-256-GCM ciphertext of `chunkSize` plaintext bytes | tag (16)
 * chunk 1 …          the same; the last chunk holds 0 … chunkSize bytes
 * ```
 *
 * - Each file has its own key: HKDF-SHA256 of the master key (`EVIDENCE_KEY`) with the file's
 *   random salt. The key id (an HMAC of the master key) says which master key wrote the file, so a
 *   wrong key is told apart from a damaged file.
 * - Chunk `i`'s nonce is the file's random 8-byte prefix followed by `i` (u32 BE).
 * - Chunk `i`'s additional data is the whole header, `i`, a final-chunk flag (1 for the last chunk,
 *   0 otherwise) and the file's key in the store. So a flipped byte, chunks swapped or reordered,
 *   a file cut short at a chunk boundary or with bytes added, a changed header, or a whole file
 *   moved to another key each fail the tag of the first chunk they touch.
 * - Reading, a chunk's plaintext is passed on only after its tag has been checked. The SHA-256
 *   and the length of the plaintext are computed as it streams; when the caller gives the values
 *   recorded at upload, the last chunk is held back until both match.
 *
 * Nothing holds more than two chunks (plus the streams' own buffers) in memory, whatever the size
 * of the file.
 */

const MAGIC = Buffer.from('LYEVID\x00\x01', 'latin1');
const HEADER_LENGTH = 44;
const TAG_LENGTH = 16;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
const MAX_CHUNKS = 0xffffffff;

/** Why a stored evidence file could not be read back as it was written. */
export type EvidenceIntegrityReason =
  | 'not_evidence' // not a file of this format (or its header is damaged)
  | 'wrong_key' // written under another EVIDENCE_KEY
  | 'tampered' // a chunk failed its check: changed, reordered, cut short or added to
  | 'hash_mismatch' // every chunk checked but the plaintext is not the one recorded
  | 'size_mismatch'; // … or not of the recorded length

const MESSAGES: Record<EvidenceIntegrityReason, string> = {
  not_evidence: 'The stored evidence file is not in the expected format or its header is damaged.',
  wrong_key:
    'The stored evidence file was encrypted with a different EVIDENCE_KEY from the one this server has.',
  tampered:
    'The stored evidence file has been changed, cut short or reordered since it was uploaded.',
  hash_mismatch:
    'The stored evidence file does not match the SHA-256 fingerprint recorded when it was uploaded.',
  size_mismatch: 'The stored evidence file is not the size recorded when it was uploaded.',
};

/** A stored file failed its integrity check. Its plaintext (from the bad chunk on) was not released. */
export class EvidenceIntegrityError extends Error {
  constructor(
    readonly reason: EvidenceIntegrityReason,
    /** The chunk where the problem was found (for the audit record), when known. */
    readonly chunk?: number,
  ) {
    super(MESSAGES[reason]);
    this.name = 'EvidenceIntegrityError';
  }
}

/** A file encrypted into a temporary file of the store, waiting for `commit` or `discard`. */
export interface StagedEvidence {
  /** The key the file is bound to (its chunks' additional data) and will be committed under. */
  key: string;
  tempName: string;
  /** Plaintext length in bytes. */
  size: number;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
  /** Bytes on disk (header, ciphertext and tags). */
  storedSize: number;
}

/** What a reader should find: the values recorded when the file was uploaded. */
export interface ExpectedEvidence {
  sha256: string;
  size: number;
}

/** The bytes of a file are bigger than the caller allows. */
export class EvidenceTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
    this.name = 'EvidenceTooLargeError';
  }
}

function keyId(master: Buffer): Buffer {
  return crypto
    .createHmac('sha256', master)
    .update('lanyard evidence key id v1')
    .digest()
    .subarray(0, 8);
}

function fileKey(master: Buffer, salt: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', master, salt, 'lanyard evidence file key v1', 32));
}

function chunkAad(header: Buffer, index: number, final: boolean, key: string): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = final ? 1 : 0;
  return Buffer.concat([header, tail, Buffer.from(key, 'utf8')]);
}

function nonceFor(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, 8);
  return nonce;
}

/**
 * Plaintext in, the format above out; hashes and counts the plaintext on the way. Holds at most
 * one chunk: a full chunk is sealed only once more bytes arrive (so it is known not to be the
 * last), or at the end with the final flag.
 */
class EncryptStream extends Transform {
  readonly hash = crypto.createHash('sha256');
  size = 0;
  private readonly buffer: Buffer;
  private filled = 0;
  private index = 0;
  private readonly header: Buffer;
  private readonly key: Buffer;
  private readonly prefix: Buffer;

  constructor(
    master: Buffer,
    private readonly storeKey: string,
    private readonly chunkSize: number,
    private readonly maxBytes: number,
  ) {
    super();
    const salt = crypto.randomBytes(16);
    this.prefix = crypto.randomBytes(8);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(chunkSize, 0);
    this.header = Buffer.concat([MAGIC, keyId(master), size, salt, this.prefix]);
    this.key = fileKey(master, salt);
    this.buffer = Buffer.alloc(chunkSize);
    this.push(this.header);
  }

  private seal(length: number, final: boolean): void {
    if (this.index >= MAX_CHUNKS) throw new Error('Evidence file has too many chunks');
    const cipher = crypto.createCipheriv(
      'aes-256-gcm',
      this.key,
      nonceFor(this.prefix, this.index),
    );
    cipher.setAAD(chunkAad(this.header, this.index, final, this.storeKey));
    const body = cipher.update(this.buffer.subarray(0, length));
    const rest = cipher.final();
    // One write per chunk: the ciphertext and its tag together.
    this.push(Buffer.concat([body, rest, cipher.getAuthTag()]));
    this.index += 1;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      this.size += data.length;
      if (this.size > this.maxBytes) throw new EvidenceTooLargeError(this.maxBytes);
      this.hash.update(data);
      let offset = 0;
      while (offset < data.length) {
        if (this.filled === this.chunkSize) {
          // More bytes follow, so the full chunk waiting here is not the last.
          this.seal(this.chunkSize, false);
          this.filled = 0;
        }
        const n = Math.min(this.chunkSize - this.filled, data.length - offset);
        data.copy(this.buffer, this.filled, offset, offset + n);
        this.filled += n;
        offset += n;
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.seal(this.filled, true);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

/**
 * The format above in, checked plaintext out. Keeps one sealed chunk in hand until the next
 * bytes (or the end) say whether it is the last; with `expected`, the last chunk's plaintext is
 * released only after the hash and length of the whole file match.
 */
class DecryptStream extends Transform {
  private readonly hash = crypto.createHash('sha256');
  private size = 0;
  private header: Buffer | null = null;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private chunkSize = 0;
  private index = 0;
  private key: Buffer | null = null;
  private prefix: Buffer | null = null;

  constructor(
    private readonly master: Buffer,
    private readonly storeKey: string,
    private readonly expected: ExpectedEvidence | undefined,
  ) {
    super();
  }

  private consume(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLength = rest.length;
    return out;
  }

  private readHeader(): void {
    const header = Buffer.from(this.consume(HEADER_LENGTH));
    if (!header.subarray(0, 8).equals(MAGIC)) throw new EvidenceIntegrityError('not_evidence');
    if (!crypto.timingSafeEqual(header.subarray(8, 16), keyId(this.master)))
      throw new EvidenceIntegrityError('wrong_key');
    const chunkSize = header.readUInt32BE(16);
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE)
      throw new EvidenceIntegrityError('not_evidence');
    this.chunkSize = chunkSize;
    this.key = fileKey(this.master, header.subarray(20, 36));
    this.prefix = header.subarray(36, 44);
    this.header = header;
  }

  /** Checks and decrypts one sealed chunk; throws before returning anything if it fails. */
  private open(record: Buffer, final: boolean): Buffer {
    if (record.length < TAG_LENGTH) throw new EvidenceIntegrityError('tampered', this.index);
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      this.key!,
      nonceFor(this.prefix!, this.index),
    );
    decipher.setAAD(chunkAad(this.header!, this.index, final, this.storeKey));
    decipher.setAuthTag(record.subarray(record.length - TAG_LENGTH));
    const body = decipher.update(record.subarray(0, record.length - TAG_LENGTH));
    let rest: Buffer;
    try {
      rest = decipher.final();
    } catch {
      throw new EvidenceIntegrityError('tampered', this.index);
    }
    this.index += 1;
    return rest.length > 0 ? Buffer.concat([body, rest]) : body;
  }

  private release(plain: Buffer): void {
    this.hash.update(plain);
    this.size += plain.length;
    if (this.expected && this.size > this.expected.size)
      throw new EvidenceIntegrityError('size_mismatch');
    if (plain.length > 0) this.push(plain);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      if (!this.header) {
        if (this.pendingLength < HEADER_LENGTH) return done();
        this.readHeader();
      }
      const record = this.chunkSize + TAG_LENGTH;
      // A full record is known not to be the last only once a byte after it has arrived.
      while (this.pendingLength > record) this.release(this.open(this.consume(record), false));
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.header) throw new EvidenceIntegrityError('not_evidence');
      const plain = this.open(this.consume(this.pendingLength), true);
      const size = this.size + plain.length;
      if (this.expected) {
        this.hash.update(plain);
        if (size !== this.expected.size) throw new EvidenceIntegrityError('size_mismatch');
        const got = this.hash.digest();
        const want = Buffer.from(this.expected.sha256, 'hex');
        if (want.length !== got.length || !crypto.timingSafeEqual(got, want))
          throw new EvidenceIntegrityError('hash_mismatch');
        this.size = size;
        if (plain.length > 0) this.push(plain);
      } else {
        this.release(plain);
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

export interface EvidenceStoreOptions {
  /** Plaintext bytes per chunk (default 64 KiB). Readers take the size from each file's header. */
  chunkSize?: number;
}

/**
 * Encrypted, checked evidence files in a {@link FileStore}. The master key (`EVIDENCE_KEY`,
 * 32 bytes) comes from configuration and is never written anywhere by this class.
 */
export class EvidenceStore {
  private readonly master: Buffer;
  private readonly chunkSize: number;

  constructor(
    private readonly files: FileStore,
    key: Buffer,
    options: EvidenceStoreOptions = {},
  ) {
    if (key.length !== 32) throw new Error('The evidence key must be 32 bytes');
    this.master = Buffer.from(key);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1 || this.chunkSize > MAX_CHUNK_SIZE)
      throw new Error('Evidence chunk size out of range');
  }

  /**
   * Encrypts `input` into a temporary file bound to `key` (never reachable by a key until
   * {@link commit}); hashes and counts the plaintext as it streams. If the stream fails, or
   * grows past `maxBytes`, the temporary file is removed and the error rethrown.
   */
  async stage(
    key: string,
    input: Readable,
    options: { maxBytes?: number } = {},
  ): Promise<StagedEvidence> {
    assertValidKey(key);
    const encrypt = new EncryptStream(
      this.master,
      key,
      this.chunkSize,
      options.maxBytes ?? Number.MAX_SAFE_INTEGER,
    );
    // The input's errors reach the encrypting stream, which the file store's pipeline watches.
    input.once('error', (e) => encrypt.destroy(e));
    encrypt.once('error', () => input.destroy());
    // The plaintext's SHA-256 is taken while encrypting; the ciphertext needs no second hash.
    const temp = await this.files.writeTempUnhashed(input.pipe(encrypt));
    return {
      key,
      tempName: temp.name,
      size: encrypt.size,
      sha256: encrypt.hash.digest('hex'),
      storedSize: temp.size,
    };
  }

  /** Moves a staged file into place under its key (after the row naming it has committed). */
  async commit(staged: StagedEvidence): Promise<void> {
    await this.files.commit(staged.tempName, staged.key);
  }

  /** Removes a staged file that will not be committed. Idempotent. */
  async discard(staged: StagedEvidence): Promise<void> {
    await this.files.discard(staged.tempName);
  }

  /**
   * The plaintext of the file under `key`, as a stream. Each chunk is checked before its bytes
   * are passed on; a failure ends the stream with an {@link EvidenceIntegrityError}. With
   * `expected`, the hash and length are checked too, before the last chunk is released.
   * Throws FileNotFoundError when there is no such file.
   */
  async open(key: string, expected?: ExpectedEvidence): Promise<Readable> {
    const source = await this.files.stream(key);
    const decrypt = new DecryptStream(this.master, key, expected);
    source.once('error', (e) => decrypt.destroy(e));
    decrypt.once('close', () => source.destroy());
    return source.pipe(decrypt);
  }

  /**
   * Reads the whole file through {@link open} and throws the first problem found
   * (an {@link EvidenceIntegrityError}), without keeping any of it.
   */
  async verify(key: string, expected: ExpectedEvidence): Promise<void> {
    const stream = await this.open(key, expected);
    for await (const _chunk of stream) {
      /* checked as it passes */
    }
  }

  /**
   * Removes a committed file. Only for a file no record names (its transaction failed after the
   * file was moved into place); recorded evidence is never removed.
   */
  async remove(key: string): Promise<void> {
    await this.files.delete(key);
  }

  /** Whether a committed file exists under `key`. */
  exists(key: string): Promise<boolean> {
    return this.files.exists(key);
  }
}
