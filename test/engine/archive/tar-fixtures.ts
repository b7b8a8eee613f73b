/**
 * Helpers for archive and layer tests: build tars from short entry lists, snapshot a directory
 * tree (as a mounted overlay shows it) into comparable lines, and mount/unmount overlays.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsOps, TarWriter, type TarHeader } from '../../../source/engine/archive/index.js';

export type EntrySpec = Partial<TarHeader> & { name: string; body?: string | Buffer };

const EPOCH = new Date('2024-01-02T03:04:05Z');

export function header(spec: EntrySpec): TarHeader {
  const { body, ...rest } = spec;
  const type = rest.type ?? 'file';
  return {
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: body === undefined ? 0 : Buffer.byteLength(body),
    mtime: EPOCH,
    ...rest,
  };
}

export async function makeTar(entries: EntrySpec[]): Promise<Buffer> {
  const writer = new TarWriter();
  const chunks: Buffer[] = [];
  writer.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => writer.stream.on('end', resolve));
  for (const spec of entries) {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    await writer.add(header(spec), body);
  }
  await writer.finish();
  await ended;
  return Buffer.concat(chunks);
}

export function streamOf(data: Buffer, chunkSize = 7 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < data.length; offset += chunkSize)
        yield data.subarray(offset, offset + chunkSize);
    })(),
    { objectMode: false },
  );
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * One line per path: type, mode, owner, and content hash / link target / device numbers /
 * xattrs (trusted.overlay.* omitted unless `overlayXattrs`; `keepXattr` decides instead when
 * given). Directory mtimes are left out: overlayfs and unpacking touch them legitimately. With
 * `exact`, files also show size and link count, and every entry but a whiteout its mtime in ns.
 */
export async function snapshotTree(
  root: string,
  options: { overlayXattrs?: boolean; keepXattr?: (key: string) => boolean; exact?: boolean } = {},
): Promise<string[]> {
  const keep =
    options.keepXattr ?? ((key: string) => options.overlayXattrs || !key.startsWith('trusted.overlay.'));
  const lines: string[] = [];
  const fsops = FsOps.start();
  try {
    const walk = async (rel: string): Promise<void> => {
      for (const name of (await readdir(join(root, rel))).sort()) {
        const path = rel ? `${rel}/${name}` : name;
        const full = join(root, path);
        const stat = await lstat(full, { bigint: true });
        let what: string;
        if (stat.isDirectory()) what = 'dir';
        else if (stat.isFile()) {
          const hash = createHash('sha256')
            .update(await readFile(full))
            .digest('hex')
            .slice(0, 12);
          what = options.exact
            ? `file ${stat.size} ${hash} links=${stat.nlink}`
            : `file ${hash} ${stat.mtimeNs / 1_000_000_000n}`;
        } else if (stat.isSymbolicLink()) what = `symlink ${await readlink(full)}`;
        else if (stat.isCharacterDevice()) what = `char ${stat.rdev}`;
        else if (stat.isBlockDevice()) what = `block ${stat.rdev}`;
        else if (stat.isFIFO()) what = 'fifo';
        else what = 'other';
        // A whiteout's times are whatever unpack or the kernel gave it; nothing reads them.
        const whiteout = stat.isCharacterDevice() && stat.rdev === 0n;
        const time = options.exact && !whiteout ? ` mtime=${stat.mtimeNs}` : '';
        const xattrs = Object.entries(await fsops.xattrs(full))
          .filter(([key]) => keep(key))
          .map(([key, value]) => `${key}=${value.toString('hex')}`)
          .sort();
        lines.push(
          `${path} ${what} ${(stat.mode & 0o7777n).toString(8)} ${stat.uid}:${stat.gid}${time} ${xattrs.join(',')}`.trim(),
        );
        if (stat.isDirectory()) await walk(path);
      }
    };
    await walk('');
  } finally {
    await fsops.close();
  }
  return lines;
}

export function mountOverlay(
  target: string,
  lowers: string[],
  upper?: { upper: string; work: string },
): void {
  const options = [`lowerdir=${lowers.join(':')}`];
  if (upper) options.push(`upperdir=${upper.upper}`, `workdir=${upper.work}`);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', options.join(','), target]);
}

export function unmount(target: string): void {
  try {
    execFileSync('umount', [target], { stdio: 'ignore' });
  } catch {
    // not mounted (the test failed before mounting)
  }
}
