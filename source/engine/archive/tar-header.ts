/**
 * The tar header: one 512-byte ustar block, plus the pax records that carry what ustar cannot
 * (long names, big numbers, xattrs). Parsing accepts ustar, old GNU and v7 blocks and base-256
 * numbers; encoding always writes ustar with pax records when needed, in a fixed order, so the
 * same entries always produce the same bytes.
 */
import { StoreCorruptError } from '../errors/index.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** Permission bits and setuid/setgid/sticky (07777); the file type lives in `type`. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Buffer>;
  /** pax records that have no field of their own (read: unknown keys; write: extra keys). */
  pax?: Record<string, string>;
}

/** The archive is not a tar stream we can trust (bad checksum, truncated, unsupported entry). */
export class TarFormatError extends StoreCorruptError {
  constructor(message: string) {
    super(`invalid tar archive: ${message}`, 'TAR_INVALID');
  }
}

export const BLOCK = 512;

/** What a raw header block says before pax/GNU extensions are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

const TYPE_BY_FLAG: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

const FLAG_BY_TYPE: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export function entryType(typeflag: string): TarEntryType | undefined {
  return TYPE_BY_FLAG[typeflag];
}

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Octal (NUL/space padded) or base-256 (high bit set, GNU/star) numbers. */
function readNumber(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0] !== undefined && field[0] & 0x80) {
    const negative = (field[0] & 0x40) !== 0;
    let value = 0n;
    for (let index = 0; index < field.length; index++) {
      let byte = field[index] ?? 0;
      if (index === 0) byte &= 0x7f;
      if (negative) byte = ~byte & 0xff;
      value = (value << 8n) | BigInt(byte);
    }
    const result = negative ? -(Number(value) + 1) : Number(value);
    if (!Number.isSafeInteger(result)) throw new TarFormatError('numeric field out of range');
    return result;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad numeric field "${text}"`);
  return Number.parseInt(text, 8);
}

function checksumOf(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < BLOCK; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

export function isZeroBlock(block: Buffer): boolean {
  for (let index = 0; index < BLOCK; index++) if (block[index] !== 0) return false;
  return true;
}

export function parseRawHeader(block: Buffer): RawHeader {
  const stored = readNumber(block, 148, 8);
  const { unsigned, signed } = checksumOf(block);
  if (stored !== unsigned && stored !== signed) throw new TarFormatError('header checksum mismatch');
  let name = readString(block, 0, 100);
  // Only POSIX ustar has a prefix field; old GNU keeps atime/ctime there.
  const magic = block.subarray(257, 263).toString('latin1');
  if (magic === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: readNumber(block, 100, 8),
    uid: readNumber(block, 108, 8),
    gid: readNumber(block, 116, 8),
    size: readNumber(block, 124, 12),
    mtime: readNumber(block, 136, 12),
    typeflag: String.fromCharCode(block[156] ?? 0),
    linkname: readString(block, 157, 100),
    uname: readString(block, 265, 32),
    gname: readString(block, 297, 32),
    devmajor: readNumber(block, 329, 8),
    devminor: readNumber(block, 337, 8),
  };
}

/** pax records are `<len> <key>=<value>\n`, length in bytes; values may be binary (xattrs). */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(offset, space).toString('latin1'), 10);
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw new TarFormatError('bad pax record');
    }
    const record = data.subarray(space + 1, offset + length - 1);
    const equals = record.indexOf(0x3d);
    if (equals === -1) throw new TarFormatError('bad pax record');
    records.set(record.subarray(0, equals).toString('utf8'), Buffer.from(record.subarray(equals + 1)));
    offset += length;
  }
  return records;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

function fitsAscii(value: string, bytes: number): boolean {
  return Buffer.byteLength(value) <= bytes && /^[\x01-\x7f]*$/.test(value);
}

/** The pax records an entry needs, sorted by key for deterministic output. */
export function paxRecordsFor(header: TarHeader, name: string): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  if (!fitsAscii(name, 100)) records.set('path', Buffer.from(name));
  if (header.linkname !== undefined && !fitsAscii(header.linkname, 100)) {
    records.set('linkpath', Buffer.from(header.linkname));
  }
  if (header.size > MAX_OCTAL_12) records.set('size', Buffer.from(String(header.size)));
  if (header.uid > MAX_OCTAL_8 || header.uid < 0) records.set('uid', Buffer.from(String(header.uid)));
  if (header.gid > MAX_OCTAL_8 || header.gid < 0) records.set('gid', Buffer.from(String(header.gid)));
  const seconds = Math.floor(header.mtime.getTime() / 1000);
  if (seconds > MAX_OCTAL_12 || seconds < 0) records.set('mtime', Buffer.from(String(seconds)));
  if (header.uname !== undefined && !fitsAscii(header.uname, 32))
    records.set('uname', Buffer.from(header.uname));
  if (header.gname !== undefined && !fitsAscii(header.gname, 32))
    records.set('gname', Buffer.from(header.gname));
  for (const [key, value] of Object.entries(header.xattrs ?? {})) records.set(`SCHILY.xattr.${key}`, value);
  for (const [key, value] of Object.entries(header.pax ?? {})) records.set(key, Buffer.from(value));
  return new Map([...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function encodePax(records: Map<string, Buffer>): Buffer {
  return Buffer.concat([...records].map(([key, value]) => paxRecord(key, value)));
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value);
  bytes.copy(block, offset, 0, Math.min(bytes.length, length));
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const max = 8 ** (length - 1) - 1;
  if (value < 0 || value > max) return; // carried by a pax record instead
  writeString(block, offset, length - 1, value.toString(8).padStart(length - 1, '0'));
}

/** One ustar block; values that do not fit are left at zero and carried by pax records. */
export function encodeBlock(fields: Omit<RawHeader, 'typeflag'> & { typeflag: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, 100, fields.name);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, fields.uid);
  writeOctal(block, 116, 8, fields.gid);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  block.write(fields.typeflag, 156, 'latin1');
  writeString(block, 157, 100, fields.linkname);
  block.write('ustar\u000000', 257, 'latin1');
  writeString(block, 265, 32, fields.uname);
  writeString(block, 297, 32, fields.gname);
  writeOctal(block, 329, 8, fields.devmajor);
  writeOctal(block, 337, 8, fields.devminor);
  block.fill(0x20, 148, 156);
  const { unsigned } = checksumOf(block);
  writeString(block, 148, 7, unsigned.toString(8).padStart(6, '0') + '\0');
  return block;
}

export function typeflagFor(type: TarEntryType): string {
  return FLAG_BY_TYPE[type];
}

export function paddingFor(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}
