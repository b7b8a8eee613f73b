/**
 * COPY and ADD as build steps: sources are resolved and checksummed first (that checksum is part
 * of the cache key), and only on a cache miss is the state's rootfs mounted and the files placed,
 * the upper dir becoming the layer. ADD also downloads URLs (mode 600) and unpacks local tar
 * archives (gzip, bzip2, xz or plain) into the destination.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { decompressStream } from '../archive/index.js';
import { parseGroup, parsePasswd, readFileInRoot } from '../runtime/index.js';
import type { AddInstruction, CopyInstruction } from './dockerfile/index.js';
import { BuildError } from './build-errors.js';
import { isTarHeader } from './build-context.js';
import { BuildRootfs, type LayerDeps } from './build-rootfs.js';
import { chainsOf, runConfig, type BuildLayer, type BuildState } from './build-state.js';
import { copySource, isDirInRoot, writeFileInRoot, type Owner } from './copy-files.js';
import { checksumSource, resolveSources, rootfsTree, type CopySource, type SourceTree } from './copy-sources.js';
import { extractTar } from './extract-tar.js';
import { nopStringCreatedBy } from './metadata-steps.js';

export interface OpenedTree {
  tree: SourceTree;
  dispose(): Promise<void>;
}

export interface CopyStepInput {
  instruction: CopyInstruction | AddInstruction;
  state: BuildState;
  expand: (word: string) => string;
  file: string;
  contextTree: SourceTree;
  /** Scratch space on the store's file system. */
  workDir: string;
  deps: LayerDeps;
  /** The tree of a `--from` stage or image. */
  openFrom: (from: string) => Promise<OpenedTree>;
}

export interface PreparedCopy {
  keyParts: string[];
  createdBy: string;
  execute(): Promise<BuildLayer | undefined>;
  dispose(): Promise<void>;
}

type Item =
  | { kind: 'tree'; tree: SourceTree; source: CopySource; unpack: boolean }
  | { kind: 'data'; name: string; data: Buffer; mode: number; mtime: Date };

const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);

async function isArchive(path: string): Promise<boolean> {
  const { stream } = await decompressStream(createReadStream(path, { end: 1024 * 1024 }));
  const head: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      head.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= 512) break;
    }
  } catch {
    return false;
  } finally {
    stream.destroy();
  }
  return isTarHeader(Buffer.concat(head));
}

async function download(url: string, checksum: string | undefined, line: number, file: string): Promise<{ name: string; data: Buffer; mtime: Date }> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw new BuildError(`${file}:${line}: failed to download ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new BuildError(`${file}:${line}: failed to download ${url}: ${response.status} ${response.statusText}`);
  const data = Buffer.from(await response.arrayBuffer());
  if (checksum !== undefined) {
    const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (actual !== checksum) throw new BuildError(`${file}:${line}: digest mismatch for ${url}: expected ${checksum}, got ${actual}`);
  }
  const modified = response.headers.get('last-modified');
  const mtime = modified ? new Date(modified) : new Date();
  const name = posix.basename(new URL(url).pathname);
  return { name, data, mtime: Number.isNaN(mtime.getTime()) ? new Date() : mtime };
}

/** `--chown=user[:group]` against the image's own /etc/passwd and /etc/group. */
export async function resolveOwner(root: string, spec: string, line: number, file: string): Promise<Owner> {
  const [user = '', group] = spec.split(':', 2);
  const passwd = parsePasswd(await readFileInRoot(root, '/etc/passwd'));
  const groups = parseGroup(await readFileInRoot(root, '/etc/group'));
  const numeric = (value: string): boolean => /^\d+$/.test(value);
  let uid: number;
  let primary: number | undefined;
  if (numeric(user)) uid = Number(user);
  else {
    const entry = passwd.find((candidate) => candidate.name === user);
    if (!entry) throw new BuildError(`${file}:${line}: unable to convert uid/gid chown string to host mapping: can't find uid for user ${user}: no such user: ${user}`);
    uid = entry.uid;
    primary = entry.gid;
  }
  const groupName = group ?? user;
  let gid: number;
  if (numeric(groupName)) gid = Number(groupName);
  else {
    const entry = groups.find((candidate) => candidate.name === groupName);
    if (entry) gid = entry.gid;
    else if (group === undefined && primary !== undefined) gid = primary;
    else throw new BuildError(`${file}:${line}: unable to convert uid/gid chown string to host mapping: can't find gid for group ${groupName}: no such group: ${groupName}`);
  }
  return { uid, gid };
}

function parseMode(value: string, line: number, file: string): number {
  if (!/^[0-7]{1,4}$/.test(value)) throw new BuildError(`${file}:${line}: invalid chmod parameter ${value}: only octal modes are supported`);
  return parseInt(value, 8);
}

export async function prepareCopy(input: CopyStepInput): Promise<PreparedCopy> {
  const { instruction, expand, file } = input;
  const line = instruction.line;
  const command = instruction.kind;
  if (instruction.kind === 'COPY' && instruction.parents) throw new BuildError(`${file}:${line}: COPY --parents is not supported by berth's builder`);
  if (instruction.exclude.length > 0) throw new BuildError(`${file}:${line}: ${command} --exclude is not supported by berth's builder`);
  if (instruction.kind === 'ADD' && instruction.keepGitDir !== undefined) throw new BuildError(`${file}:${line}: ADD --keep-git-dir is not supported (git sources are not supported)`);
  const config = runConfig(input.state);
  const rawDest = expand(instruction.dest);
  const dest = posix.isAbsolute(rawDest) ? rawDest : posix.join(config.WorkingDir || '/', rawDest) + (rawDest.endsWith('/') ? '/' : '');
  const chown = instruction.chown === undefined ? undefined : expand(instruction.chown);
  const mode = instruction.chmod === undefined ? undefined : parseMode(expand(instruction.chmod), line, file);
  const disposers: (() => Promise<void>)[] = [];
  const dispose = async (): Promise<void> => {
    for (const fn of disposers.reverse()) await fn().catch(() => undefined);
  };
  try {
    let tree = input.contextTree;
    if (instruction.kind === 'COPY' && instruction.from !== undefined) {
      const opened = await input.openFrom(expand(instruction.from));
      disposers.push(() => opened.dispose());
      tree = opened.tree;
    }
    const items: Item[] = [];
    const sums: string[] = [];
    let kinds = new Set<string>();
    for (const raw of instruction.sources) {
      const source = expand(raw);
      if (instruction.kind === 'ADD' && isUrl(source)) {
        const fetched = await download(source, instruction.checksum, line, file);
        if (fetched.name === '' && (dest.endsWith('/') || instruction.sources.length > 1)) {
          throw new BuildError(`${file}:${line}: cannot determine filename from url: ${source}`);
        }
        items.push({ kind: 'data', name: fetched.name, data: fetched.data, mode: 0o600, mtime: fetched.mtime });
        sums.push(createHash('sha256').update(fetched.data).digest('hex'));
        kinds.add('file');
        continue;
      }
      if (isUrl(source)) throw new BuildError(`${file}:${line}: source can't be a URL for COPY`);
      for (const found of await resolveSources(tree, source, command)) {
        let unpack = false;
        if (instruction.kind === 'ADD' && found.stat.isFile() && instruction.unpack !== false) {
          unpack = await isArchive(join(tree.root, found.rel));
        }
        items.push({ kind: 'tree', tree, source: found, unpack });
        sums.push(await checksumSource(tree, found));
        kinds.add(found.stat.isDirectory() ? 'dir' : 'file');
      }
    }
    for (const content of instruction.sourceContents) {
      const data = Buffer.from(content.expand ? expand(content.data) : content.data);
      items.push({ kind: 'data', name: content.path, data, mode: 0o644, mtime: new Date(0) });
      sums.push(createHash('sha256').update(data).digest('hex'));
      kinds.add('file');
    }
    const destIsDirByName = dest.endsWith('/') || dest.endsWith('/.') || rawDest === '.';
    if (items.length > 1 && !destIsDirByName) {
      throw new BuildError(`${file}:${line}: When using ${command} with more than one source file, the destination must be a directory and end with a /`);
    }
    if (items.length > 1) kinds = new Set(['multi']);
    const sum = items.length === 1 ? sums[0]! : createHash('sha256').update(sums.join(',')).digest('hex');
    const createdBy = nopStringCreatedBy(config, `${command} ${[...kinds][0]}:${sum} in ${rawDest} `);
    const keyParts = [command, createdBy, `from=${instruction.kind === 'COPY' ? (instruction.from ?? '') : ''}`, `chown=${chown ?? ''}`, `chmod=${mode ?? ''}`];
    keyParts.push(`unpack=${items.map((item) => (item.kind === 'tree' && item.unpack ? 1 : 0)).join('')}`);

    const execute = async (): Promise<BuildLayer | undefined> => {
      const rootfs = await BuildRootfs.mount(input.workDir, input.deps.layers, chainsOf(input.state));
      try {
        const root = rootfs.merged;
        const owner = chown === undefined ? undefined : await resolveOwner(root, chown, line, file);
        const destPath = posix.normalize(dest);
        const destIsDir = destIsDirByName || items.length > 1 || (await isDirInRoot(root, destPath));
        for (const item of items) {
          if (item.kind === 'data') {
            const target = destIsDir ? posix.join(destPath, item.name) : destPath;
            await writeFileInRoot(root, target, item.data, mode ?? item.mode, owner ?? { uid: 0, gid: 0 }, item.mtime);
          } else if (item.unpack) {
            await extractTar(createReadStream(join(item.tree.root, item.source.rel)), root, destPath, owner ? { owner } : {});
          } else {
            await copySource(item.tree, item.source, root, destPath, destIsDir, { owner, mode });
          }
        }
        return await rootfs.commit(input.deps, chainsOf(input.state).at(-1));
      } finally {
        await rootfs.dispose();
      }
    };
    return { keyParts, createdBy, execute, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** A tree over the rootfs of a state, mounted for reading (`COPY --from`). */
export async function openStateTree(state: BuildState, workDir: string, deps: LayerDeps): Promise<OpenedTree> {
  const rootfs = await BuildRootfs.mount(workDir, deps.layers, chainsOf(state));
  return { tree: rootfsTree(rootfs.merged), dispose: () => rootfs.dispose() };
}

/** A script file for a heredoc RUN (`RUN <<EOF` starting with `#!`), bound into the container. */
export async function writeScratchFile(workDir: string, name: string, data: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(workDir, 'heredoc-'));
  const path = join(dir, name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  await writeFile(path, data, { mode: 0o755 });
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
