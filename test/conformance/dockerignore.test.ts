/**
 * .dockerignore vectors from moby/patternmatcher and fsutil (/work/shared/conformance, README §3),
 * one ava test per row, titled `<file>:<line>`.
 */
import { conformanceDir } from '../helpers/conformance-dir.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {
  PatternMatcher,
  matchesPatterns,
  readDockerignore,
} from '../../source/engine/build/dockerignore/index.js';

const dir = conformanceDir;

function lines(file: string): string[] {
  return readFileSync(path.join(dir, file), 'utf8').split('\n');
}

function outcome(run: () => boolean): string {
  try {
    return String(run());
  } catch {
    return 'error';
  }
}

// dockerignore-cases.tsv: mode, patterns (joined by " ;; "), path, expected, source.
let casesHeaderSeen = false;
lines('dockerignore-cases.tsv').forEach((line, index) => {
  if (line.startsWith('#') || line === '') return;
  if (!casesHeaderSeen) {
    casesHeaderSeen = true;
    return;
  }
  const fields = line.split('\t');
  const [mode, patternCell, file, expected, source] = fields as [string, string, string, string, string];
  const patterns = patternCell.split(' ;; ');
  test(`dockerignore-cases.tsv:${index + 1} ${mode} [${patterns.join(' | ')}] ${file} (${source})`, (t) => {
    t.is(fields.length, 5);
    let actual: string;
    switch (mode) {
      case 'mop':
        actual = outcome(() => new PatternMatcher(patterns).matchesOrParentMatches(file));
        break;
      case 'matches':
        actual = outcome(() => matchesPatterns(file, patterns));
        break;
      case 'dockerignore':
        actual = outcome(() =>
          new PatternMatcher(readDockerignore(patterns.join('\n'))).matchesOrParentMatches(file),
        );
        break;
      default:
        t.fail(`unknown mode ${mode}`);
        return;
    }
    t.is(actual, expected);
    if (expected === 'error' && mode !== 'matches') {
      // A pattern that fails at match time must fail on every call, not only the first (moby/moby#52203).
      t.is(
        outcome(() => {
          const matcher = new PatternMatcher(
            mode === 'dockerignore' ? readDockerignore(patterns.join('\n')) : patterns,
          );
          outcome(() => matcher.matchesOrParentMatches(file));
          return matcher.matchesOrParentMatches(file);
        }),
        'error',
      );
    }
  });
});

// dockerignore-readall.tsv: raw line -> normalised pattern or SKIP. Comments only precede the header.
let readAllHeaderSeen = false;
lines('dockerignore-readall.tsv').forEach((line, index) => {
  if (line === '') return;
  if (!readAllHeaderSeen) {
    if (line.startsWith('raw_line\t')) readAllHeaderSeen = true;
    return;
  }
  const [raw, expected, source] = line.split('\t') as [string, string, string];
  test(`dockerignore-readall.tsv:${index + 1} ${JSON.stringify(raw)} (${source})`, (t) => {
    t.deepEqual(readDockerignore(`${raw}\n`), expected === 'SKIP' ? [] : [expected]);
    // The same line in the middle of a file normalises the same way.
    t.deepEqual(readDockerignore(`first\r\n${raw}\nlast`), [
      'first',
      ...(expected === 'SKIP' ? [] : [expected]),
      'last',
    ]);
  });
});
