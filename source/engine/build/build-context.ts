/**
 * The build context: a directory (or a tar from stdin, unpacked into scratch space) seen through
 * its .dockerignore. Sources of COPY/ADD are looked up in the index of included entries, so an
 * excluded file is "not found" exactly as with docker, without copying the context anywhere.
 */
import { lstat, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { decompressStream } from '../archive/index.js';
import { loadIgnoreFile, PatternMatcher, walkContext, type ContextEntry } from './dockerignore/index.js';
import { BuildError } from './build-errors.js';
import { extractTar } from './extract-tar.js';

export interface BuildContext {
  /** Absolute directory holding the context ('' entries: an empty context). */
  dir: string;
  /** Included entries by slash-separated relative path. */
  entries: Map<string, ContextEntry>;
  /** Child names of every included directory ('' is the root), in byte order. */
  children: Map<string, string[]>;
  /** Sum of included regular files' sizes. */
  bytes: number;
  dockerfileText: string;
  /** The name errors are reported under (`Dockerfile`, `app.Dockerfile`). */
  dockerfileName: string;
  dispose(): Promise<void>;
}

/** Whether a 512-byte block is a tar header (ustar magic, or a v7 header with a good checksum). */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  const magic = block.subarray(257, 262).toString('latin1');
  if (magic === 'ustar') return true;
  // v7 tar: check the header checksum.
  const stored = parseInt(block.subarray(148, 156).toString('latin1').replace(/\0/g, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

/** Reads the whole stream and says whether it is a tar (after decompression) or a bare file. */
async function readStdinContext(stream: Readable): Promise<{ data: Buffer; tar: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  const raw = Buffer.concat(chunks);
  const { stream: plain } = await decompressStream(Readable.from([raw]));
  const head: Buffer[] = [];
  let length = 0;
  for await (const chunk of plain) {
    head.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= 512) break;
  }
  plain.destroy();
  return { data: raw, tar: isTarHeader(Buffer.concat(head)) };
}

async function indexContext(dir: string, dockerfileRel: string | undefined, ignoreFrom: string | undefined): Promise<Pick<BuildContext, 'entries' | 'children' | 'bytes'>> {
  const ignore = await loadIgnoreFile(dir, ignoreFrom);
  let matcher: PatternMatcher;
  try {
    matcher = new PatternMatcher(ignore.patterns);
  } catch (error) {
    throw new BuildError(`error reading .dockerignore: ${(error as Error).message}`);
  }
  const entries = new Map<string, ContextEntry>();
  const children = new Map<string, string[]>([['', []]]);
  let bytes = 0;
  for await (const entry of walkContext(dir, matcher, dockerfileRel === undefined ? {} : { dockerfile: dockerfileRel })) {
    entries.set(entry.path, entry);
    const slash = entry.path.lastIndexOf('/');
    const parent = slash < 0 ? '' : entry.path.slice(0, slash);
    const list = children.get(parent) ?? [];
    list.push(entry.path.slice(slash + 1));
    children.set(parent, list);
    if (entry.kind === 'dir') children.set(entry.path, children.get(entry.path) ?? []);
    if (entry.kind === 'file') bytes += entry.stat.size;
  }
  return { entries, children, bytes };
}

export interface ContextRequest {
  context: string | Readable;
  dockerfile?: string;
  dockerfileText?: string;
  /** Scratch space for a stdin tar (on the store's file system). */
  scratchDir: string;
}

export async function openContext(request: ContextRequest): Promise<BuildContext> {
  let dir: string;
  let scratch: string | undefined;
  let stdinDockerfile: string | undefined;
  if (typeof request.context === 'string') {
    dir = resolve(request.context);
    const info = await lstat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new BuildError(`unable to prepare context: path "${request.context}" not found`);
  } else {
    scratch = await mkdtemp(join(request.scratchDir, 'context-'));
    dir = join(scratch, 'context');
    const { data, tar } = await readStdinContext(request.context);
    if (tar) await extractTar(Readable.from([data]), dir, '/');
    else {
      await mkdir(dir, { recursive: true });
      stdinDockerfile = data.toString('utf8');
    }
  }
  try {
    let text = request.dockerfileText ?? stdinDockerfile;
    const name = request.dockerfile ?? 'Dockerfile';
    let dockerfileRel: string | undefined;
    if (text === undefined) {
      const path = isAbsolute(name) ? name : join(dir, name);
      text = await readFile(path, 'utf8').catch(() => {
        throw new BuildError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${path}: no such file or directory`);
      });
      const rel = relative(dir, path);
      if (!rel.startsWith('..') && !isAbsolute(rel)) dockerfileRel = rel.split(sep).join('/');
    }
    const ignoreFrom = request.dockerfileText === undefined && stdinDockerfile === undefined ? name : undefined;
    const indexed = await indexContext(dir, dockerfileRel, ignoreFrom);
    return {
      dir,
      ...indexed,
      dockerfileText: text,
      dockerfileName: basename(name),
      dispose: async () => {
        if (scratch) await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}
