/**
 * Content-addressed blobs in OCI image-layout form: <content>/oci-layout and
 * <content>/blobs/sha256/<hex>. A blob becomes visible only after its bytes hashed to the digest
 * the caller expected, so a torn or tampered download never lands under a digest name.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, readFile, readdir, writeFile, access, open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { StoreCorruptError, NotFoundError } from '../errors/index.js';
import { type Digest, digestHex, isDigest, tempPathFor } from '../util/index.js';

export class DigestMismatchError extends StoreCorruptError {
  constructor(expected: string, actual: string, what = 'blob') {
    super(`${what} digest mismatch: expected ${expected}, got ${actual}`, 'DIGEST_MISMATCH');
  }
}

/** A blob being written: feed it bytes, then commit (verifies and renames) or abort. */
export class BlobWriter extends Writable {
  private readonly hash: Hash = createHash('sha256');
  private readonly file: ReturnType<typeof createWriteStream>;
  private bytes = 0;

  constructor(
    private readonly store: ContentStore,
    readonly tempPath: string,
  ) {
    super();
    this.file = createWriteStream(tempPath, { flags: 'wx' });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.file.write(chunk)) callback();
    else this.file.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.file.end(() => callback());
    this.file.once('error', callback);
  }

  get size(): number {
    return this.bytes;
  }

  /** Digest of everything written so far (valid after the stream finished). */
  digest(): Digest {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }

  /** Verifies against `expected` (when given) and moves the blob into place. */
  async commit(expected?: Digest): Promise<{ digest: Digest; size: number }> {
    const actual = this.digest();
    if (expected && expected !== actual) {
      await rm(this.tempPath, { force: true });
      throw new DigestMismatchError(expected, actual);
    }
    await this.store.adopt(this.tempPath, actual);
    return { digest: actual, size: this.bytes };
  }

  async abort(): Promise<void> {
    this.file.destroy();
    await rm(this.tempPath, { force: true });
  }
}

export class ContentStore {
  readonly blobsDir: string;

  constructor(readonly dir: string) {
    this.blobsDir = join(dir, 'blobs', 'sha256');
  }

  /** Creates the layout files once; cheap to call on every open. */
  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    const layoutFile = join(this.dir, 'oci-layout');
    try {
      await access(layoutFile);
    } catch {
      await writeFile(layoutFile, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    }
    const indexFile = join(this.dir, 'index.json');
    try {
      await access(indexFile);
    } catch {
      await writeFile(indexFile, JSON.stringify({ schemaVersion: 2, manifests: [] }));
    }
  }

  path(digest: Digest): string {
    return join(this.blobsDir, digestHex(digest));
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      await access(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  async size(digest: Digest): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch {
      throw new NotFoundError('blob', digest, 'BLOB_NOT_FOUND');
    }
  }

  async read(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch {
      throw new NotFoundError('blob', digest, 'BLOB_NOT_FOUND');
    }
  }

  async readJson<T>(digest: Digest): Promise<T> {
    const data = await this.read(digest);
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw new StoreCorruptError(`blob ${digest} is not valid JSON`);
    }
  }

  createReadStream(digest: Digest, options?: { start?: number }): ReadStream {
    return createReadStream(this.path(digest), options);
  }

  /** Starts a blob write; temp files live next to the blobs so the final rename is atomic. */
  writer(): BlobWriter {
    return new BlobWriter(this, tempPathFor(join(this.blobsDir, 'incoming')));
  }

  /** Writes bytes whose digest must equal `expected` when given. */
  async put(data: string | Uint8Array, expected?: Digest): Promise<{ digest: Digest; size: number }> {
    const writer = this.writer();
    try {
      await pipeline(async function* () {
        yield typeof data === 'string' ? Buffer.from(data) : data;
      }, writer);
      return await writer.commit(expected);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /** Streams a source into the store, verifying against `expected`. */
  async putStream(source: Readable, expected?: Digest): Promise<{ digest: Digest; size: number }> {
    const writer = this.writer();
    try {
      await pipeline(source, writer);
      return await writer.commit(expected);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /** Moves an already-verified temp file into place under its digest (fsync first: data matters). */
  async adopt(tempPath: string, digest: Digest): Promise<void> {
    const handle = await open(tempPath, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, this.path(digest));
  }

  async delete(digest: Digest): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  /** Every committed blob digest (temp files are skipped). */
  async list(): Promise<Digest[]> {
    const names = await readdir(this.blobsDir).catch(() => [] as string[]);
    return names.map((name) => `sha256:${name}`).filter(isDigest);
  }

  /** Removes temp files left by a killed writer; safe while nobody is writing. */
  async removeLeftovers(olderThanMs = 60_000): Promise<number> {
    const names = await readdir(this.blobsDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      if (!name.startsWith('.')) continue;
      const full = join(this.blobsDir, name);
      const info = await stat(full).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(full, { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }
}
