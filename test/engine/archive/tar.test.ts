import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, lstat, link, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readTar,
  TarFormatError,
  type TarHeader,
  hashingStream,
  digestStream,
} from '../../../source/engine/archive/index.js';
import { sha256 } from '../../../source/engine/util/index.js';
import { collect, makeTar, streamOf } from './tar-fixtures.js';

let dir: string;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-tar-'));
});

test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function entriesOf(
  data: Buffer,
  chunkSize?: number,
): Promise<Array<{ header: TarHeader; body: Buffer }>> {
  const out: Array<{ header: TarHeader; body: Buffer }> = [];
  for await (const { header, body } of readTar(streamOf(data, chunkSize)))
    out.push({ header, body: await collect(body) });
  return out;
}

const longName = `${'deep/'.repeat(40)}${'n'.repeat(180)}.txt`;

test('round-trips ustar and pax headers: long names, big ids, xattrs, links, devices', async (t) => {
  const data = await makeTar([
    { name: 'etc', type: 'dir', mode: 0o755, uid: 1, gid: 2, uname: 'daemon', gname: 'bin' },
    { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644 },
    {
      name: 'bin/ping',
      body: 'x'.repeat(1000),
      mode: 0o4755,
      xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]) },
    },
    { name: longName, body: 'long', uid: 70_000_000, gid: 3_000_000 },
    { name: 'ünïcødé/名前', body: 'u' },
    { name: 'link-long', type: 'symlink', linkname: `/${'target/'.repeat(30)}end` },
    { name: 'hard', type: 'hardlink', linkname: 'etc/passwd' },
    { name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
    { name: 'dev/sda', type: 'block', mode: 0o660, devmajor: 8, devminor: 0 },
    { name: 'run/fifo', type: 'fifo', mode: 0o600 },
    { name: 'custom', body: '', pax: { 'BERTH.note': 'kept' } },
  ]);
  const entries = await entriesOf(data);
  t.deepEqual(
    entries.map(({ header }) => header.name),
    [
      'etc',
      'etc/passwd',
      'bin/ping',
      longName,
      'ünïcødé/名前',
      'link-long',
      'hard',
      'dev/null',
      'dev/sda',
      'run/fifo',
      'custom',
    ],
  );
  const [etc, passwd, ping, long, , symlinkEntry, hard, nullDev, sda, fifo, custom] = entries;
  t.is(etc?.header.type, 'dir');
  t.is(etc?.header.uname, 'daemon');
  t.is(passwd?.body.toString(), 'root:x:0:0::/root:/bin/sh\n');
  t.is(ping?.header.mode, 0o4755);
  t.deepEqual(ping?.header.xattrs?.['security.capability'], Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]));
  t.is(ping?.body.length, 1000);
  t.is(long?.header.uid, 70_000_000);
  t.is(long?.header.gid, 3_000_000);
  t.is(long?.body.toString(), 'long');
  t.is(symlinkEntry?.header.linkname, `/${'target/'.repeat(30)}end`);
  t.is(hard?.header.type, 'hardlink');
  t.is(hard?.header.linkname, 'etc/passwd');
  t.deepEqual([nullDev?.header.devmajor, nullDev?.header.devminor], [1, 3]);
  t.is(sda?.header.type, 'block');
  t.is(fifo?.header.type, 'fifo');
  t.is(custom?.header.pax?.['BERTH.note'], 'kept');
  t.is(passwd?.header.mtime.toISOString(), '2024-01-02T03:04:05.000Z');
});

test('output is deterministic and readable by GNU tar', async (t) => {
  const entries = [
    { name: 'a', type: 'dir' as const },
    { name: 'a/b.txt', body: 'bee' },
    { name: longName, body: 'long', xattrs: { 'user.k': Buffer.from('v') } },
  ];
  const first = await makeTar(entries);
  const second = await makeTar(entries);
  t.true(first.equals(second));
  const file = join(dir, 'ours.tar');
  await writeFile(file, first);
  const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
  t.deepEqual(listing, ['a/', 'a/b.txt', longName]);
  const out = join(dir, 'ours-x');
  await mkdir(out);
  execFileSync('tar', ['--xattrs', '-xf', file, '-C', out]);
  t.is(await readFile(join(out, longName), 'utf8'), 'long');
});

test('reads GNU tar archives: long names (L/K), base-256 numbers, hardlinks, symlinks', async (t) => {
  const src = join(dir, 'gnu-src');
  await mkdir(join(src, 'sub'), { recursive: true });
  const longFile = join(src, 'sub', 'f'.repeat(200));
  await writeFile(longFile, 'gnu-long');
  await link(longFile, join(src, 'sub', 'hard'));
  await symlink('l'.repeat(150), join(src, 'sub', 'sym'));
  const file = join(dir, 'gnu.tar');
  // --owner with a uid above 07777777 forces base-256 in GNU format.
  execFileSync('tar', ['--format=gnu', '--owner=big:3000000', '--group=0', '-cf', file, '-C', src, 'sub']);
  const entries = await entriesOf(await readFile(file), 1000);
  const byName = new Map(entries.map((entry) => [entry.header.name, entry]));
  const long = byName.get(`sub/${'f'.repeat(200)}`);
  const hard = byName.get('sub/hard');
  t.truthy(long ?? hard);
  // GNU tar stores whichever of the two links it met first as the file.
  const [fileEntry, linkEntry] = long?.header.type === 'file' ? [long, hard] : [hard, long];
  t.is(fileEntry?.body.toString(), 'gnu-long');
  t.is(fileEntry?.header.uid, 3_000_000);
  t.is(linkEntry?.header.type, 'hardlink');
  t.is(byName.get('sub/sym')?.header.linkname, 'l'.repeat(150));
  t.is(byName.get('sub')?.header.type, 'dir');
});

test('reads pax archives written by GNU tar, including xattrs and a 10 KiB record tail', async (t) => {
  const src = join(dir, 'pax-src');
  await mkdir(src);
  await writeFile(join(src, 'data.bin'), Buffer.alloc(70_000, 7));
  const file = join(dir, 'pax.tar');
  execFileSync('tar', ['--format=pax', '-cf', file, '-C', src, 'data.bin']);
  const data = await readFile(file);
  t.is(data.length % 10240, 0);
  const entries = await entriesOf(data);
  t.is(entries.length, 1);
  t.deepEqual(entries[0]?.body, Buffer.alloc(70_000, 7));
});

test('bodies the consumer does not read are skipped; partial reads too', async (t) => {
  const data = await makeTar([
    { name: 'one', body: 'a'.repeat(5000) },
    { name: 'two', body: 'b'.repeat(3000) },
    { name: 'three', body: 'c'.repeat(10) },
  ]);
  const seen: string[] = [];
  for await (const { header, body } of readTar(streamOf(data, 100))) {
    seen.push(header.name);
    if (header.name === 'two') {
      // read one chunk and abandon the rest
      for await (const chunk of body) {
        t.is((chunk as Buffer)[0], 'b'.charCodeAt(0));
        break;
      }
    }
    if (header.name === 'three') t.is((await collect(body)).toString(), 'c'.repeat(10));
  }
  t.deepEqual(seen, ['one', 'two', 'three']);
});

test('the whole stream is consumed, so an upstream hash is the digest of every byte', async (t) => {
  const data = Buffer.concat([await makeTar([{ name: 'x', body: 'x' }]), Buffer.alloc(8192)]);
  const hasher = hashingStream();
  streamOf(data).pipe(hasher);
  for await (const entry of readTar(hasher)) t.is(entry.header.name, 'x');
  t.is(hasher.digest(), sha256(data));
  t.is(hasher.size, data.length);
  t.deepEqual(await digestStream(streamOf(data)), { digest: sha256(data), size: data.length });
});

test('corrupt and truncated archives are refused', async (t) => {
  const data = await makeTar([{ name: 'file', body: 'z'.repeat(2000) }]);
  const corrupt = Buffer.from(data);
  corrupt[10] = 0x41; // inside the name: checksum no longer matches
  await t.throwsAsync(entriesOf(corrupt), { instanceOf: TarFormatError, message: /checksum/ });
  await t.throwsAsync(entriesOf(data.subarray(0, 1024)), {
    instanceOf: TarFormatError,
    message: /truncated/,
  });
});

test('v7 directories (trailing slash, type 0) are directories', async (t) => {
  const data = await makeTar([{ name: 'olddir/', type: 'file' }]);
  const [entry] = await entriesOf(data);
  t.is(entry?.header.type, 'dir');
  t.is(entry?.header.name, 'olddir');
});

test('GNU tar extracts a hardlink and symlink written by TarWriter', async (t) => {
  const data = await makeTar([
    { name: 'f', body: 'content', mode: 0o640 },
    { name: 'h', type: 'hardlink', linkname: 'f' },
    { name: 's', type: 'symlink', linkname: 'f' },
  ]);
  const file = join(dir, 'links.tar');
  await writeFile(file, data);
  const out = join(dir, 'links-x');
  await mkdir(out);
  execFileSync('tar', ['-xf', file, '-C', out]);
  const [f, h] = await Promise.all([lstat(join(out, 'f')), lstat(join(out, 'h'))]);
  t.is(f.ino, h.ino);
  t.is(f.mode & 0o777, 0o640);
  t.true((await lstat(join(out, 's'))).isSymbolicLink());
  t.is((await collect(createReadStream(join(out, 'h')))).toString(), 'content');
});
