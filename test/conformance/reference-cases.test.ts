/**
 * distribution/reference's own test tables (/work/shared/conformance/reference-cases.tsv), each
 * row run through berth's reference code as its own test. Columns: input, valid,
 * normalized_name, domain, path, tag, digest, mode (the upstream function), error_or_note,
 * familiar_name, string, source.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {
  familiarName,
  familiarString,
  InvalidReferenceError,
  parseAnyReference,
  parseCanonicalReference,
  parseNormalizedReference,
  parseReference,
  pullReference,
  referenceString,
  repositoryName,
  withDigest,
  withName,
  withTag,
  type ImageReference,
  type ReferenceProblem,
} from '../../source/engine/reference/index.js';

import { conformanceDir } from '../helpers/conformance-dir.js';
const table = readFileSync(path.join(conformanceDir, 'reference-cases.tsv'), 'utf8');

interface Row {
  line: number;
  input: string;
  valid: boolean;
  normalizedName: string;
  domain: string;
  path: string;
  tag: string;
  digest: string;
  mode: string;
  note: string;
  familiarName: string;
  string: string;
}

const rows: Row[] = table
  .split('\n')
  .map((text, index) => ({ cells: text.split('\t'), line: index + 1 }))
  .filter(({ cells, line }) => line > 1 && cells.length === 12)
  .map(({ cells, line }) => {
    const [input, valid, normalizedName, domain, rowPath, tag, digest, mode, note, familiar, str] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      line,
      input,
      valid: valid === 'yes',
      normalizedName,
      domain,
      path: rowPath,
      tag,
      digest,
      mode,
      note,
      familiarName: familiar,
      string: str,
    };
  });

/**
 * Rows where the table (transcribed from Go unit tests) disagrees with the docker binary. We
 * assert docker's behaviour.
 */
const dockerOverrides = new Map<string, Partial<Row>>([
  [
    // The Go test links only crypto/sha256, so go-digest calls sha512 unsupported there. Every
    // docker binary links crypto/sha512 (crypto/tls imports it), so docker accepts this digest,
    // and OCI image-spec registers sha512 too.
    'validname@sha512:' + 'f'.repeat(128),
    {
      valid: true,
      normalizedName: 'validname',
      path: 'validname',
      digest: 'sha512:' + 'f'.repeat(128),
      string: 'validname@sha512:' + 'f'.repeat(128),
    },
  ],
]);

/** Maps the upstream error named in the note column to berth's stable problem code. */
function expectedProblem(note: string): ReferenceProblem {
  const rules: Array<[RegExp, ReferenceProblem]> = [
    [/^ErrNameEmpty/, 'name-empty'],
    [/^digest\.ErrDigestInvalidLength/, 'digest-length'],
    [/^digest\.ErrDigestUnsupported/, 'digest-unsupported'],
    [/^ErrNameContainsUppercase|^repository name must be lowercase/, 'name-uppercase'],
    [/^ErrNameTooLong/, 'name-too-long'],
    [/^ErrNameNotCanonical/, 'name-not-canonical'],
    [/^invalid tag format/, 'tag-format'],
    [/cannot specify 64-byte hexadecimal strings/, 'name-hex'],
    [/^ErrReferenceInvalidFormat|^invalid reference format/, 'format'],
  ];
  const found = rules.find(([pattern]) => pattern.test(note));
  if (!found) throw new Error(`no problem code for note ${JSON.stringify(note)}`);
  return found[1];
}

type Outcome = { kind: 'named'; ref: ImageReference } | { kind: 'digest'; digest: string };

/** Splits `name[:tag][@digest]` the way the WithName+WithTag(+WithDigest) rows were written. */
function splitComposed(input: string): { name: string; tag: string; digest?: string } {
  const at = input.indexOf('@');
  const named = at === -1 ? input : input.slice(0, at);
  const colon = named.lastIndexOf(':');
  return {
    name: named.slice(0, colon),
    tag: named.slice(colon + 1),
    ...(at !== -1 && { digest: input.slice(at + 1) }),
  };
}

/** Runs one row through the berth function that corresponds to the upstream one. */
function run(row: Row): Outcome {
  const named = (ref: ImageReference): Outcome => ({ kind: 'named', ref });
  switch (row.mode) {
    case 'Parse':
      return named(parseReference(row.input));
    case 'ParseNormalizedNamed':
      return named(parseNormalizedReference(row.input));
    case 'ParseNamed':
      return named(parseCanonicalReference(row.input));
    case 'ParseDockerRef':
      return named(pullReference(parseNormalizedReference(row.input)));
    case 'ParseAnyReference':
      return parseAnyReference(row.input);
    case 'WithName':
      return named(withName(row.input));
    case 'WithName+WithTag': {
      const { name, tag } = splitComposed(row.input);
      return named(withTag(withName(name), tag));
    }
    case 'WithName+WithTag+WithDigest': {
      const { name, tag, digest = '' } = splitComposed(row.input);
      return named(withDigest(withTag(withName(name), tag), digest));
    }
    case 'WithTag': {
      // Written as `busybox + WithTag("-foo")` (quotes backslash-escaped in the file).
      const match = /^(.*) \+ WithTag\(\\?"(.*?)\\?"\)$/.exec(row.input);
      if (!match) throw new Error(`cannot read WithTag row ${row.input}`);
      return named(withTag(parseNormalizedReference(match[1] ?? ''), match[2] ?? ''));
    }
    default:
      throw new Error(`unknown mode ${row.mode}`);
  }
}

test('the table holds 200 cases', (t) => {
  t.is(rows.length, 200);
});

for (const tableRow of rows) {
  const row: Row = { ...tableRow, ...dockerOverrides.get(tableRow.input) };
  const shown = row.input.length > 70 ? `${row.input.slice(0, 67)}...` : row.input;
  test(`line ${row.line}: ${row.mode} ${JSON.stringify(shown)}`, (t) => {
    if (!row.valid) {
      const error = t.throws(() => run(row), { instanceOf: InvalidReferenceError });
      t.is(error?.problem, expectedProblem(row.note), error?.message);
      t.is(error?.exitCode, 125);
      t.notRegex(error?.message ?? '', /\n/);
      return;
    }
    const outcome = run(row);
    if (outcome.kind === 'digest') {
      t.is(row.normalizedName, '', 'berth found no name where the table has one');
      t.is(outcome.digest, row.digest);
      t.is(outcome.digest, row.string);
      return;
    }
    const { ref } = outcome;
    t.is(repositoryName(ref), row.normalizedName, 'normalized name');
    t.is(ref.domain, row.domain, 'domain');
    t.is(ref.path, row.path, 'path');
    t.is(ref.tag ?? '', row.tag, 'tag');
    t.is(ref.digest ?? '', row.digest, 'digest');
    if (row.familiarName !== '') {
      // One row (TestParseReferenceWithTagAndDigest) records FamiliarString in this column.
      const familiar = row.note.startsWith('FamiliarString') ? familiarString(ref) : familiarName(ref);
      t.is(familiar, row.familiarName, 'familiar name');
    }
    if (row.string !== '') t.is(referenceString(ref), row.string, 'string form');
  });
}
