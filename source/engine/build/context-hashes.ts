/**
 * Content digests of a build context's files, remembered between builds so that a rebuild does
 * not read the whole context again to key its COPY steps. As BuildKit's contenthash does, an
 * entry is trusted only while the file's stat is the same: size, mtime and ctime to the
 * nanosecond, inode, device, mode and owner. ctime cannot be set from user space, so any write,
 * rename over, chmod or chown since the digest was taken shows up, even one that restores size
 * and mtime. A file changed too close to when it was hashed could share a timestamp with the
 * bytes we read (the "racily clean" case git guards against), so such an entry is not trusted.
 *
 * One JSON file per context directory under <root>/build-cache/context-hashes/, written
 * atomically when a build learnt something new; a lost or torn file only costs a re-read.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type StoreLayout } from '../util/index.js';
import { contextHashesDir } from './build-cache.js';

const VERSION = 1;

/** An entry whose ctime is within this of when it was hashed is not kept (clock ticks, skew). */
const RACY_NS = 2_000_000_000n;

/** Bodies up to this size are read with one call; bigger ones are streamed. */
const SMALL_FILE = 1024 * 1024;

interface StoredFile {
  /** size, mtime ns, ctime ns, inode, device, mode, uid, gid: all must match. */
  stat: string;
  digest: string;
}

interface StoredHashes {
  version: number;
  context: string;
  files: Record<string, StoredFile>;
}

function statKey(stat: BigIntStats): string {
  return [stat.size, stat.mtimeNs, stat.ctimeNs, stat.ino, stat.dev, stat.mode, stat.uid, stat.gid].join(':');
}

/** sha256 (hex) of a file's content. */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  const { size } = lstatSync(path);
  if (size <= SMALL_FILE) return hash.update(readFileSync(path)).digest('hex');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ContextHashes {
  private readonly next = new Map<string, StoredFile>();
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly contextDir: string,
    private readonly known: Map<string, StoredFile>,
  ) {}

  /** Digests computed fresh every time, nothing remembered (a stdin context, a test). */
  static none(contextDir: string): ContextHashes {
    return new ContextHashes(undefined, contextDir, new Map());
  }

  /**
   * The remembered digests of `contextDir`. With `trust` false (`--no-cache`) every digest is
   * computed again, and what it finds is remembered for the next build.
   */
  static async open(layout: Pick<StoreLayout, 'root'>, contextDir: string, trust: boolean): Promise<ContextHashes> {
    const file = join(contextHashesDir(layout), `${createHash('sha256').update(contextDir).digest('hex')}.json`);
    const known = new Map<string, StoredFile>();
    if (trust) {
      try {
        const stored = JSON.parse(await readFile(file, 'utf8')) as StoredHashes;
        if (stored.version === VERSION && stored.context === contextDir) {
          for (const [rel, entry] of Object.entries(stored.files)) known.set(rel, entry);
        }
      } catch {
        // missing or unreadable: every file is read once more
      }
    }
    return new ContextHashes(file, contextDir, known);
  }

  /** The content digest of the context file `rel` (slash-separated, relative to the context). */
  async digest(rel: string): Promise<string> {
    const path = join(this.contextDir, rel);
    const before = lstatSync(path, { bigint: true });
    const key = statKey(before);
    const known = this.known.get(rel);
    if (known && known.stat === key) {
      this.next.set(rel, known);
      return known.digest;
    }
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const digest = await fileDigest(path);
    const after = lstatSync(path, { bigint: true });
    // Kept only when nothing changed while reading and the last change is clearly older than the
    // read: a later write then always moves ctime past what is stored.
    if (this.file && statKey(after) === key && after.ctimeNs + RACY_NS < startedNs) {
      this.next.set(rel, { stat: key, digest });
      this.changed = true;
    }
    return digest;
  }

  /**
   * Writes what this build learnt, keeping earlier entries for files this build did not hash
   * (another Dockerfile may copy them) as long as `exists` says the file is still there.
   */
  async save(exists: (rel: string) => boolean): Promise<void> {
    if (!this.file) return;
    for (const [rel, entry] of this.known) {
      if (this.next.has(rel)) continue;
      if (exists(rel)) this.next.set(rel, entry);
      else this.changed = true;
    }
    if (!this.changed) return;
    const stored: StoredHashes = { version: VERSION, context: this.contextDir, files: Object.fromEntries(this.next) };
    await writeFileAtomic(this.file, JSON.stringify(stored));
  }
}
