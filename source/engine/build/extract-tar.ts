/**
 * Unpacks a tar (any compression) into a directory inside a root, as ADD does with local archives
 * and as `build -` does with a tar context. Every path is resolved inside the root, so neither an
 * entry named `../../x` nor a symlink in the archive can write outside it. Device nodes are
 * skipped (a build context or an ADDed archive has no business creating them).
 */
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, mkdir, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressStream, readTar } from '../archive/index.js';
import { resolveInRoot } from '../runtime/index.js';

export interface ExtractOptions {
  /** Owner for every entry; the archive's own ids otherwise. */
  owner?: { uid: number; gid: number };
}

function cleanName(name: string): string {
  return posix.normalize('/' + name).slice(1).replace(/\/+$/, '');
}

async function clearFor(path: string, keepDir: boolean): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return;
  if (keepDir && info.isDirectory()) return;
  await rm(path, { recursive: true, force: true });
}

export async function extractTar(source: Readable, root: string, dest: string, options: ExtractOptions = {}): Promise<number> {
  const { stream } = await decompressStream(source);
  const dirTimes: [string, Date][] = [];
  let count = 0;
  await mkdir(await resolveInRoot(root, dest), { recursive: true });
  for await (const { header, body } of readTar(stream)) {
    const name = cleanName(header.name);
    if (name === '' || name === '.') {
      body.resume();
      continue;
    }
    const target = await resolveInRoot(root, posix.join(dest, name), false);
    await mkdir(await resolveInRoot(root, posix.join(dest, posix.dirname(name))), { recursive: true });
    const uid = options.owner?.uid ?? header.uid;
    const gid = options.owner?.gid ?? header.gid;
    switch (header.type) {
      case 'dir':
        await clearFor(target, true);
        await mkdir(target, { recursive: true });
        dirTimes.push([target, header.mtime]);
        break;
      case 'file':
        await clearFor(target, false);
        await pipeline(body, createWriteStream(target, { mode: 0o600 }));
        break;
      case 'symlink':
        await clearFor(target, false);
        await symlink(header.linkname ?? '', target);
        break;
      case 'hardlink': {
        await clearFor(target, false);
        const existing = await resolveInRoot(root, posix.join(dest, cleanName(header.linkname ?? '')), false);
        await link(existing, target);
        break;
      }
      default:
        body.resume();
        continue;
    }
    body.resume();
    if (header.type !== 'hardlink') await lchown(target, uid, gid);
    // After chown, which clears setuid bits.
    if (header.type === 'dir' || header.type === 'file') await chmod(target, header.mode & 0o7777);
    if (header.type === 'file') await utimes(target, header.mtime, header.mtime);
    count++;
  }
  // Directory times last: writing their entries changed them.
  for (const [dir, time] of dirTimes.reverse()) await utimes(dir, time, time).catch(() => undefined);
  return count;
}

/** The parent of a path inside the root, resolved (for callers placing a single file). */
export async function parentInRoot(root: string, path: string): Promise<string> {
  return resolveInRoot(root, dirname(path));
}
