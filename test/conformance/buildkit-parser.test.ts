/**
 * BuildKit's own Dockerfile parser vectors (/work/shared/conformance/buildkit-parser), fed to
 * berth's parser: every case is its own test, nothing is skipped. Formats: see that folder's README.
 */
import { conformanceDir } from '../helpers/conformance-dir.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import {
  DockerfileSyntaxError,
  detectSyntax,
  dumpAst,
  findDirectiveValue,
  heredocsFromLine,
  parseAllDirectives,
  parseDockerfile,
  parseHeredocWord,
  parseNodeInstruction,
  parseWords,
  type Instruction,
} from '../../source/engine/build/dockerfile/index.js';

const root = join(conformanceDir, 'buildkit-parser');
const read = (...parts: string[]): string => readFileSync(join(root, ...parts), 'utf8');
const jsonLines = (file: string): unknown[] =>
  read(file)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): unknown => JSON.parse(line));

function record(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('expected an object');
  return value as Record<string, unknown>;
}

// testfiles/: the AST dump must equal `result` byte for byte.
for (const dir of readdirSync(join(root, 'testfiles')).sort()) {
  test(`testfiles/${dir}: dump matches result`, (t) => {
    const ast = parseDockerfile(read('testfiles', dir, 'Dockerfile'));
    t.is(dumpAst(ast.children) + '\n', read('testfiles', dir, 'result'));
  });
}

// testfiles-negative/: parsing must fail.
for (const dir of readdirSync(join(root, 'testfiles-negative')).sort()) {
  test(`testfiles-negative/${dir}: parse fails`, (t) => {
    const error = t.throws(() => parseDockerfile(read('testfiles-negative', dir, 'Dockerfile')));
    t.true(error instanceof DockerfileSyntaxError, String(error));
  });
}

test('a line longer than 65535 bytes is rejected', (t) => {
  const text = `FROM busybox\nRUN ${'a'.repeat(65536)}\n`;
  const error = t.throws(() => parseDockerfile(text));
  t.regex(error?.message ?? '', /dockerfile line greater than max allowed size of 65535/);
});

test('a line of exactly 65535 bytes is accepted', (t) => {
  const line = 'RUN ' + 'a'.repeat(65535 - 4);
  const ast = parseDockerfile(`FROM busybox\n${line}\n`);
  t.is(ast.children[1]?.args[0]?.length, 65531);
});

// testfile-line/: 1-based line spans of the root and each instruction.
test('testfile-line: instruction line numbers', (t) => {
  const expected = record(JSON.parse(read('testfile-line', 'expected.json')));
  const ast = parseDockerfile(read('testfile-line', 'Dockerfile'));
  const rootSpan = record(expected.root);
  t.is(ast.startLine, Number(rootSpan.startLine));
  t.is(ast.endLine, Number(rootSpan.endLine));
  t.deepEqual(
    ast.children.map((child) => [child.startLine, child.endLine]),
    expected.children,
  );
});

// warnings-empty-continuation/
test('warnings-empty-continuation: two warnings with the joined lines', (t) => {
  const expected = record(JSON.parse(read('warnings-empty-continuation', 'expected.json')));
  const ast = parseDockerfile(read('warnings-empty-continuation', 'Dockerfile'));
  t.true(expected.parse_ok);
  t.is(ast.warnings.length, Number(expected.warning_count));
  const contains = expected.warnings_short_contains as string[][];
  contains.forEach((needles, index) => {
    for (const needle of needles)
      t.true(ast.warnings[index]?.short.includes(needle), `warning ${index}: ${needle}`);
  });
  t.true(ast.warnings[0]?.detail[0]?.includes(String(expected.warning0_detail0_contains)));
});

// heredoc-extract/: heredocs attached to each instruction.
{
  const ast = parseDockerfile(read('heredoc-extract', 'Dockerfile'));
  for (const row of jsonLines('heredoc-extract/expected.jsonl').map(record)) {
    test(`heredoc-extract child ${String(row.child)}: ${String(row.line)}`, (t) => {
      const node = ast.children[Number(row.child)];
      t.truthy(node);
      t.is(node?.name, String(row.instruction));
      t.is(node?.original, String(row.line));
      const heredocs = node?.heredocs.map((doc) => ({ ...doc })) ?? [];
      if (row.heredocs === null) t.deepEqual(heredocs, []);
      else
        t.deepEqual(
          heredocs,
          (row.heredocs as unknown[]).map(record).map((doc) => ({
            name: doc.name,
            content: doc.content,
            expand: doc.expand,
            chomp: doc.chomp,
            fileDescriptor: doc.fileDescriptor,
          })),
        );
    });
  }
}

// heredoc-words.tsv: ParseHeredoc on one word, and heredoc names on a whole line.
for (const line of read('heredoc-words.tsv').split('\n')) {
  if (line === '' || line.startsWith('#')) continue;
  const [kind = '', input = '', expected = ''] = line.split('\t');
  if (kind === 'word') {
    test(`heredoc-words: word ${JSON.stringify(input)} → ${expected}`, (t) => {
      if (expected === 'ERROR') t.throws(() => parseHeredocWord(input));
      else if (expected === 'NOT_HEREDOC') t.is(parseHeredocWord(input), null);
      else t.is(parseHeredocWord(input)?.name, expected);
    });
  } else {
    test(`heredoc-words: line ${JSON.stringify(input)} → [${expected}]`, (t) => {
      t.is(
        heredocsFromLine(input)
          .map((doc) => doc.name)
          .join(','),
        expected,
      );
    });
  }
}

// parse-words.jsonl: word splitting for ARG and ENV/LABEL values.
for (const row of jsonLines('parse-words.jsonl').map(record)) {
  test(`parse-words: ${JSON.stringify(row.input)}`, (t) => {
    t.deepEqual(parseWords(String(row.input), '\\'), row.expect);
  });
}

// directives.jsonl
jsonLines('directives.jsonl')
  .map(record)
  .forEach((row, index) => {
    const input = (row.input_hex_prefix === 'efbbbf' ? '\ufeff' : '') + String(row.input);
    test(`directives #${index + 1} ${String(row.fn)}: ${JSON.stringify(row.input)}`, (t) => {
      if (row.fn === 'ParseAll') {
        t.deepEqual(
          parseAllDirectives(input).map(({ name, value }) => ({ name, value })),
          row.expect,
        );
        return;
      }
      const found = row.fn === 'DetectSyntax' ? detectSyntax(input) : findDirectiveValue('check', input);
      t.is(found !== null, row.ok === true);
      if (typeof row.ref === 'string') t.is(found?.ref ?? '', row.ref);
      if (typeof row.cmdline === 'string') t.is(found?.cmdline ?? '', row.cmdline);
      if (typeof row.line === 'number') t.is(found?.line, row.line);
    });
  });

// instructions-cases.jsonl: the instruction layer on the first instruction.
jsonLines('instructions-cases.jsonl')
  .map(record)
  .forEach((row, index) => {
    test(`instructions-cases #${index + 1} ${String(row.kind)}: ${JSON.stringify(row.dockerfile)}`, (t) => {
      const ast = parseDockerfile(String(row.dockerfile));
      const node = ast.children[0];
      if (!node) return t.fail('no instruction parsed');
      if (row.kind === 'error') {
        const error = t.throws(() => parseNodeInstruction(node));
        t.true(error?.message.includes(String(row.errorContains)), error?.message);
        return;
      }
      const instruction: Instruction = parseNodeInstruction(node);
      const expect = record(row.expect);
      if (expect.healthTest !== undefined) {
        t.is(instruction.kind, 'HEALTHCHECK');
        if (instruction.kind === 'HEALTHCHECK') t.deepEqual(instruction.health.test, expect.healthTest);
      }
      if (expect.flagsUsed !== undefined) {
        t.is(instruction.kind, 'RUN');
        if (instruction.kind === 'RUN') t.deepEqual(instruction.flagsUsed, expect.flagsUsed);
      }
    });
  });

// README note on instructions-cases: durations below 1ms (other than 0) are errors.
for (const [flag, value] of [
  ['interval', '1us'],
  ['timeout', '999us'],
  ['start-period', '500ns'],
  ['start-interval', '0.5ms'],
] as const) {
  test(`HEALTHCHECK --${flag}=${value} is below 1ms and rejected`, (t) => {
    const node = parseDockerfile(`HEALTHCHECK --${flag}=${value} CMD true`).children[0];
    if (!node) return t.fail('no instruction parsed');
    const error = t.throws(() => parseNodeInstruction(node));
    t.true(error?.message.includes('cannot be less than 1ms'), error?.message);
  });
}

test('HEALTHCHECK durations of 0s are accepted (unset)', (t) => {
  const node = parseDockerfile(
    'HEALTHCHECK --interval=0s --timeout=0s --start-period=0s --start-interval=0s CMD true',
  ).children[0];
  if (!node) return t.fail('no instruction parsed');
  const instruction = parseNodeInstruction(node);
  t.is(instruction.kind, 'HEALTHCHECK');
});
