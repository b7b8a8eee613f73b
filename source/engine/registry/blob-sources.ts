/**
 * Where each blob came from (registry + repository), remembered on pull and push so a later push
 * to another repository of the same registry can mount the blob instead of uploading it
 * (docker keeps the same "v2 metadata"). Lives at <root>/registry/blob-sources.json.
 */
import { join } from 'node:path';
import { readJsonOr, withLock, writeJsonAtomic, type Digest } from '../util/index.js';

type Sources = Record<string, Array<{ registry: string; repository: string }>>;

const PER_BLOB = 5;

export class BlobSources {
  private readonly file: string;
  private readonly lock: string;

  constructor(root: string, locksDir: string) {
    this.file = join(root, 'registry', 'blob-sources.json');
    this.lock = join(locksDir, 'registry-blob-sources.lock');
  }

  async record(registry: string, repository: string, digests: readonly Digest[]): Promise<void> {
    if (digests.length === 0) return;
    await withLock(this.lock, async () => {
      const sources = await readJsonOr<Sources>(this.file, {});
      for (const digest of digests) {
        const list = (sources[digest] ?? []).filter(
          (s) => !(s.registry === registry && s.repository === repository),
        );
        sources[digest] = [{ registry, repository }, ...list].slice(0, PER_BLOB);
      }
      await writeJsonAtomic(this.file, sources);
    });
  }

  /** Repositories on `registry` (other than `repository`) known to hold `digest`. */
  async mountSources(registry: string, repository: string, digest: Digest): Promise<string[]> {
    const sources = await readJsonOr<Sources>(this.file, {});
    return (sources[digest] ?? [])
      .filter((source) => source.registry === registry && source.repository !== repository)
      .map((source) => source.repository);
  }
}
