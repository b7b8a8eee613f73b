/**
 * COPY/ADD sources: the trees they are read from (the build context through .dockerignore, or
 * the root filesystem of a stage or image for `--from`), wildcard expansion with Go's
 * filepath.Match as docker does, and the tarsum-like checksum that keys the build cache: type,
 * mode, owner, size, link target and content of every file copied, never its mtime.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { BadPatternError, goPathMatch } from './dockerignore/index.js';
import { resolveInRoot } from '../runtime/index.js';
import type { BuildContext } from './build-context.js';
import { ContextHashes, fileDigest } from './context-hashes.js';
import { BuildError } from './build-errors.js';

/** Where sources are read from; paths are slash-separated and relative to the tree's root. */
export interface SourceTree {
  readonly root: string;
  /** True for the build context: copied files become root-owned unless --chown says otherwise. */
  readonly isContext: boolean;
  stat(rel: string): Promise<Stats | undefined>;
  list(rel: string): Promise<string[]>;
  /** Follows symlinks on the way to `rel` (inside the tree); undefined when it does not exist. */
  follow(rel: string): Promise<string | undefined>;
  /** sha256 (hex) of the content of the regular file `rel`. */
  digest(rel: string): Promise<string>;
}

/** The context's tree; file digests come from `hashes`, which remembers them between builds. */
export function contextTree(context: BuildContext, hashes: ContextHashes = ContextHashes.none(context.dir)): SourceTree {
  return {
    root: context.dir,
    isContext: true,
    digest: (rel) => hashes.digest(rel),
    stat: async (rel) => (rel === '' ? lstat(context.dir) : context.entries.get(rel)?.stat),
    list: async (rel) => context.children.get(rel) ?? [],
    follow: async (rel) => {
      if (rel === '') return '';
      const resolved = await resolveInRoot(context.dir, rel);
      const back = posix.normalize(resolved.slice(context.dir.length).split('\\').join('/')).replace(/^\/+/, '');
      return back === '' || context.entries.has(back) ? back : undefined;
    },
  };
}

export function rootfsTree(root: string): SourceTree {
  return {
    root,
    isContext: false,
    digest: (rel) => fileDigest(join(root, rel)),
    stat: (rel) => lstat(join(root, rel)).catch(() => undefined),
    list: async (rel) => (await readdir(join(root, rel)).catch(() => [] as string[])).sort(),
    follow: async (rel) => {
      const resolved = await resolveInRoot(root, rel);
      const back = resolved.slice(root.length).replace(/^\/+/, '');
      return (await lstat(resolved).catch(() => undefined)) ? back : undefined;
    },
  };
}

/** One source after wildcard expansion, with symlinks on its own path followed. */
export interface CopySource {
  /** Path in the tree. */
  rel: string;
  stat: Stats;
  /** The name it gets under a directory destination. */
  name: string;
}

const wildcard = /[*?[]/;

function cleanSource(source: string): string {
  const cleaned = posix.normalize('/' + source).slice(1);
  return cleaned === '.' ? '' : cleaned.replace(/\/+$/, '');
}

async function walk(tree: SourceTree, rel: string, visit: (rel: string, stat: Stats) => Promise<boolean>): Promise<void> {
  for (const name of await tree.list(rel)) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const stat = await tree.stat(child);
    if (!stat) continue;
    const descend = await visit(child, stat);
    if (descend && stat.isDirectory()) await walk(tree, child, visit);
  }
}

/** Expands one source as docker does: a wildcard matches paths, a matched directory counts whole. */
export async function resolveSources(tree: SourceTree, source: string, command: string): Promise<CopySource[]> {
  const cleaned = cleanSource(source);
  if (!wildcard.test(cleaned)) {
    const rel = await tree.follow(cleaned);
    const stat = rel === undefined ? undefined : await tree.stat(rel);
    if (rel === undefined || !stat) {
      const where = tree.isContext ? 'file not found in build context or excluded by .dockerignore' : 'file not found';
      throw new BuildError(`${command} failed: ${where}: stat ${cleaned || '.'}: file does not exist`);
    }
    return [{ rel, stat, name: posix.basename(cleaned) || posix.basename(tree.root) }];
  }
  // Walk from the deepest directory without wildcards.
  const parts = cleaned.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (wildcard.test(part)) break;
    fixed.push(part);
  }
  const found: CopySource[] = [];
  try {
    await walk(tree, fixed.join('/'), async (rel, stat) => {
      if (!goPathMatch(cleaned, rel)) return true;
      const target = stat.isSymbolicLink() ? await tree.follow(rel) : rel;
      const targetStat = target === undefined ? undefined : await tree.stat(target);
      if (target !== undefined && targetStat) found.push({ rel: target, stat: targetStat, name: posix.basename(rel) });
      return false;
    });
  } catch (error) {
    if (error instanceof BadPatternError) {
      throw new BuildError(`${command} failed: syntax error in pattern: ${source}`);
    }
    throw error;
  }
  if (found.length === 0) throw new BuildError(`${command} failed: no source files were specified`);
  return found;
}

/**
 * The checksum of what a source contributes: every entry under it (a file: itself) with type,
 * mode, owner (only outside the context, where owners are kept), size, link and content.
 */
export async function checksumSource(tree: SourceTree, source: CopySource): Promise<string> {
  const hash = createHash('sha256');
  const add = async (rel: string, stat: Stats, name: string): Promise<void> => {
    const type = stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'link' : stat.isFile() ? 'file' : 'other';
    const owner = tree.isContext ? '' : `${stat.uid}:${stat.gid}`;
    let extra = '';
    if (type === 'link') extra = await readlink(join(tree.root, rel));
    else if (type === 'file') extra = await tree.digest(rel);
    hash.update(`${name}\0${type}\0${(stat.mode & 0o7777).toString(8)}\0${owner}\0${type === 'file' ? stat.size : 0}\0${extra}\n`);
  };
  await add(source.rel, source.stat, '.');
  if (source.stat.isDirectory()) {
    const prefix = source.rel === '' ? '' : `${source.rel}/`;
    await walk(tree, source.rel, async (rel, stat) => {
      await add(rel, stat, rel.slice(prefix.length));
      return true;
    });
  }
  return hash.digest('hex');
}
