/**
 * BuildKit's shell-lexer vectors (/work/shared/conformance/buildkit-shell, README §2), one ava
 * test per case, titled `<file>:<line>` so a failure points at the row.
 */
import { conformanceDir } from '../helpers/conformance-dir.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { goTrimSpace, processWord, processWords } from '../../source/engine/build/shell/index.js';
import { convertShellPatternToRegex, reversePattern } from '../../source/engine/build/shell/shell-pattern.js';

const dir = path.join(conformanceDir, 'buildkit-shell');

function lines(file: string): string[] {
  return readFileSync(path.join(dir, file), 'utf8').split('\n');
}

function outcome(run: () => string | string[]): string | string[] {
  try {
    return run();
  } catch {
    return 'error';
  }
}

// envVarTest: `<platform> | <input> | <expected>`, fields TrimSpace'd; env fixed by the Go test.
const envVarEnv = ['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL='];
lines('envVarTest').forEach((line, index) => {
  if (line.startsWith('#') || goTrimSpace(line) === '') return;
  const fields = line.split('|');
  const title = `envVarTest:${index + 1} ${line.trim()}`;
  if (fields.length !== 3) {
    test(title, (t) => t.fail(`expected 3 fields, got ${fields.length}`));
    return;
  }
  const [platform, input, expected] = fields.map(goTrimSpace) as [string, string, string];
  const actual = outcome(() => processWord(input, envVarEnv).result);
  if (platform === 'W') {
    // Windows-only row: there env names are case-insensitive ($pwd = $PWD). berth runs Linux
    // images, where names are case-sensitive, so the Windows answer must NOT come out; the
    // matching `U` row right above checks the Linux answer.
    test(`${title} (Windows-only: names case-insensitive there, not on Linux)`, (t) => {
      t.not(actual, expected);
    });
    return;
  }
  test(title, (t) => {
    t.true(platform === 'A' || platform === 'U', `unknown platform ${platform}`);
    t.is(actual, expected);
  });
});

// wordsTest: cumulative `ENV k=v` lines, then `<input> | <expected words, comma-separated>`.
const wordsEnv: string[] = [];
lines('wordsTest').forEach((line, index) => {
  if (line.startsWith('#')) return;
  if (line.startsWith('ENV ')) {
    wordsEnv.push(line.slice(3).replace(/^ +/, ''));
    return;
  }
  if (line === '') return; // the file's final newline
  const env = [...wordsEnv];
  const fields = line.split('|');
  const title = `wordsTest:${index + 1} ${line}`;
  if (fields.length !== 2) {
    test(title, (t) => t.fail(`expected 2 fields, got ${fields.length}`));
    return;
  }
  const input = goTrimSpace(fields[0]!);
  const expected = fields[1]!.replace(/^ +/, '').split(',');
  test(title, (t) => {
    const actual = outcome(() => processWords(input, env));
    t.deepEqual(actual === 'error' ? ['error'] : actual, expected);
  });
});

// processWord.jsonl: one object per line, from lex_test.go (TestProcessWithMatches and friends).
interface WordCase {
  input: string;
  env: Record<string, string>;
  expected?: string;
  error?: boolean;
  errorContains?: string;
  matched?: string[];
  unmatched?: string[];
}
lines('processWord.jsonl').forEach((line, index) => {
  if (line.trim() === '') return;
  const row = JSON.parse(line) as WordCase;
  test(`processWord.jsonl:${index + 1} ${row.input}`, (t) => {
    if (row.error) {
      const error = t.throws(() => processWord(row.input, row.env));
      if (row.errorContains !== undefined) t.true(error.message.includes(row.errorContains), error.message);
      t.is((error as Error & { exitCode?: number }).exitCode, 1);
      return;
    }
    const actual = processWord(row.input, row.env);
    t.is(actual.result, row.expected ?? '<row has no expected>');
    if (row.matched !== undefined) t.deepEqual([...actual.matched].sort(), [...row.matched].sort());
    if (row.unmatched !== undefined) t.deepEqual([...actual.unmatched].sort(), [...row.unmatched].sort());
  });
});

// pattern-regex.tsv: the pattern helpers behind `${v#p}` / `${v%p}` / `${v/p/r}`.
lines('pattern-regex.tsv').forEach((line, index) => {
  if (line.startsWith('#') || line === '') return;
  const [kind, input, expected] = line.split('\t') as [string, string, string];
  test(`pattern-regex.tsv:${index + 1} ${kind} ${input}`, (t) => {
    if (kind === 'toregex') {
      const actual = outcome(() => convertShellPatternToRegex(input, true, true).goSource);
      t.is(actual, expected === 'ERROR' ? 'error' : expected);
    } else {
      t.is(kind, 'reverse');
      t.is(reversePattern(input), expected);
    }
  });
});
