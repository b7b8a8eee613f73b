/**
 * Streaming tar reader: yields one entry at a time with its body as a stream, never holding a
 * whole file in memory. Understands ustar, pax (local and global records), GNU long names (L/K)
 * and base-256 numbers. A body the consumer does not read is skipped when it asks for the next
 * entry. After the end-of-archive marker the rest of the source is drained, so a hash computed
 * upstream (the diffID) covers every byte of the stream.
 */
import { Readable } from 'node:stream';
import { ByteReader } from './byte-reader.js';
import {
  BLOCK,
  type TarHeader,
  TarFormatError,
  entryType,
  isZeroBlock,
  paddingFor,
  parsePax,
  parseRawHeader,
} from './tar-header.js';

export interface TarEntry {
  header: TarHeader;
  body: Readable;
}

/** Largest metadata entry (pax record set, GNU long name) we agree to hold in memory. */
const MAX_META = 16 * 1024 * 1024;

interface BodyState {
  remaining: number;
  closed: boolean;
}

function bodyStream(reader: ByteReader, state: BodyState): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    while (!state.closed && state.remaining > 0) {
      const chunk = await reader.serial(async () => {
        if (state.closed || state.remaining === 0) return Buffer.alloc(0);
        const part = await reader.readSome(state.remaining);
        state.remaining -= part.length;
        return part;
      });
      if (chunk.length === 0) {
        if (!state.closed) throw new TarFormatError('archive truncated inside a file');
        return;
      }
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

async function readMeta(reader: ByteReader, size: number): Promise<Buffer> {
  if (size > MAX_META) throw new TarFormatError('metadata entry too large');
  const data = await reader.readExact(size);
  if (data.length < size) throw new TarFormatError('archive truncated');
  await reader.skip(paddingFor(size));
  return data;
}

function cString(data: Buffer): string {
  const end = data.indexOf(0);
  return data.subarray(0, end === -1 ? data.length : end).toString('utf8');
}

function paxNumber(value: Buffer, key: string): number {
  const number = Number(value.toString('latin1'));
  if (!Number.isFinite(number)) throw new TarFormatError(`bad pax ${key}`);
  return number;
}

function applyPax(header: TarHeader, records: Map<string, Buffer>): void {
  for (const [key, value] of records) {
    if (key.startsWith('SCHILY.xattr.')) {
      header.xattrs ??= {};
      header.xattrs[key.slice('SCHILY.xattr.'.length)] = value;
      continue;
    }
    switch (key) {
      case 'path':
        header.name = value.toString('utf8');
        break;
      case 'linkpath':
        header.linkname = value.toString('utf8');
        break;
      case 'size':
        header.size = paxNumber(value, key);
        break;
      case 'uid':
        header.uid = paxNumber(value, key);
        break;
      case 'gid':
        header.gid = paxNumber(value, key);
        break;
      case 'uname':
        header.uname = value.toString('utf8');
        break;
      case 'gname':
        header.gname = value.toString('utf8');
        break;
      case 'mtime':
        header.mtime = new Date(paxNumber(value, key) * 1000);
        break;
      default:
        if (key.startsWith('GNU.sparse.')) throw new TarFormatError('sparse files are not supported');
        header.pax ??= {};
        header.pax[key] = value.toString('utf8');
    }
  }
}

export async function* readTar(source: Readable): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let globalPax = new Map<string, Buffer>();
  let localPax: Map<string, Buffer> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let finished = false;
  try {
    for (;;) {
      const block = await reader.serial(() => reader.readExact(BLOCK));
      if (block.length === 0) break; // archive without end marker: accept, as GNU tar does
      if (block.length < BLOCK) throw new TarFormatError('archive truncated');
      if (isZeroBlock(block)) break;
      const raw = parseRawHeader(block);
      if (raw.size < 0) throw new TarFormatError('negative entry size');
      switch (raw.typeflag) {
        case 'x':
          localPax = parsePax(await reader.serial(() => readMeta(reader, raw.size)));
          continue;
        case 'g':
          globalPax = new Map([
            ...globalPax,
            ...parsePax(await reader.serial(() => readMeta(reader, raw.size))),
          ]);
          continue;
        case 'L':
          longName = cString(await reader.serial(() => readMeta(reader, raw.size)));
          continue;
        case 'K':
          longLink = cString(await reader.serial(() => readMeta(reader, raw.size)));
          continue;
      }
      let type = entryType(raw.typeflag);
      if (!type) throw new TarFormatError(`unsupported entry type "${raw.typeflag}" for ${raw.name}`);
      const header: TarHeader = {
        name: longName ?? raw.name,
        type,
        mode: raw.mode & 0o7777,
        uid: raw.uid,
        gid: raw.gid,
        size: raw.size,
        mtime: new Date(raw.mtime * 1000),
      };
      if (raw.linkname || longLink) header.linkname = longLink ?? raw.linkname;
      if (raw.uname) header.uname = raw.uname;
      if (raw.gname) header.gname = raw.gname;
      if (type === 'char' || type === 'block') {
        header.devmajor = raw.devmajor;
        header.devminor = raw.devminor;
      }
      applyPax(header, globalPax);
      if (localPax) applyPax(header, localPax);
      localPax = undefined;
      longName = undefined;
      longLink = undefined;
      // v7 archives mark directories only by the trailing slash.
      if (type === 'file' && header.name.endsWith('/')) type = header.type = 'dir';
      if (header.name.length > 1) header.name = header.name.replace(/\/+$/, '');
      // Only regular files carry data; a size on anything else is ignored, as GNU tar does.
      const dataSize = type === 'file' ? header.size : 0;
      if (type !== 'file') header.size = 0;
      const state: BodyState = { remaining: dataSize, closed: false };
      const body = bodyStream(reader, state);
      yield { header, body };
      state.closed = true;
      await reader.serial(async () => {
        const skipped = await reader.skip(state.remaining);
        if (skipped < state.remaining) throw new TarFormatError('archive truncated inside a file');
        state.remaining = 0;
        await reader.skip(paddingFor(dataSize));
      });
      if (!body.destroyed) body.destroy();
    }
    finished = true;
    await reader.serial(() => reader.drain());
  } finally {
    if (!finished) await reader.close();
  }
}
