/**
 * Digest vectors (/work/shared/conformance/digest-vectors.tsv: kind, input, expected, source)
 * against berth's digest helpers: sha256 of blobs, chain IDs, referrers tags.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { chainId, chainIds } from '../../source/engine/oci/identity.js';
import { referrersTag } from '../../source/engine/oci/digest-format.js';
import { sha256, type Digest } from '../../source/engine/util/digest.js';

import { conformanceDir } from '../helpers/conformance-dir.js';
const rows = readFileSync(path.join(conformanceDir, 'digest-vectors.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line, index) => {
    const [kind = '', input = '', expected = '', source = ''] = line.split('\t');
    return { kind, input, expected, source, row: index + 1 };
  });

/** `[sha256:a, sha256:b]` → the listed digests (deliberately not valid hex, as upstream). */
function digestList(input: string): Digest[] {
  const match = /^\[(.*)\]$/.exec(input);
  if (!match) throw new Error(`not a digest list: ${input}`);
  return (match[1] ?? '').split(',').map((item) => {
    const value = item.trim();
    if (!value.startsWith('sha256:')) throw new Error(`not a sha256 digest: ${value}`);
    return value as Digest;
  });
}

/** `(0 bytes)` is the empty blob; `{} (2 bytes)` the bytes before the size note. */
function blobBytes(input: string): string {
  if (input === '(0 bytes)') return '';
  const match = /^(.*) \((\d+) bytes\)$/.exec(input);
  if (!match) throw new Error(`not a blob description: ${input}`);
  const bytes = match[1] ?? '';
  if (Buffer.byteLength(bytes) !== Number(match[2])) throw new Error(`size note does not match: ${input}`);
  return bytes;
}

function compute(kind: string, input: string): string {
  if (kind.startsWith('sha256 of ')) return sha256(blobBytes(input));
  if (kind === 'ChainID') return chainId(digestList(input));
  if (kind === 'ChainIDs (all prefixes)') return chainIds(digestList(input)).join(',');
  if (kind === 'referrers tag') return referrersTag(input);
  throw new Error(`unknown vector kind: ${kind}`);
}

test('the table holds 9 vectors', (t) => {
  t.is(rows.length, 9);
});

for (const { kind, input, expected, source, row } of rows) {
  const shown = input.length > 60 ? `${input.slice(0, 57)}...` : input;
  test(`row ${row}: ${kind} ${shown}`, (t) => {
    t.is(compute(kind, input), expected, source);
  });
}
