import test from 'ava';
import { checkDockerfile } from '../../../../source/engine/build/dockerfile/index.js';

const errors = (text: string): Array<[number, string]> =>
  checkDockerfile(text)
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => [problem.line, problem.message]);

const warnings = (text: string): Array<[number, string | undefined]> =>
  checkDockerfile(text)
    .problems.filter((problem) => problem.severity === 'warning')
    .map((problem) => [problem.line, problem.rule]);

test('every broken instruction is listed with its line, not only the first', (t) => {
  const text = [
    'FROM alpine AS build', // 1
    'COPPY a b', // 2
    'RUN --mnt=x true', // 3
    'WORKDIR', // 4
    'HEALTHCHECK --interval=1us CMD true', // 5
    'FROM scratch AS build', // 6
    'COPY --from=build /x /x', // 7
  ].join('\n');
  const result = checkDockerfile(text, 'Dockerfile.ci');
  t.false(result.ok);
  t.deepEqual(errors(text), [
    [2, 'unknown instruction: COPPY (did you mean COPY?)'],
    [3, 'unknown flag: --mnt (did you mean --mount?)'],
    [4, 'WORKDIR requires exactly one argument'],
    [5, 'Interval "interval" cannot be less than 1ms'],
    [6, 'duplicate stage name "build" (first defined on line 1)'],
  ]);
  t.true(result.problems.every((problem) => problem.file === 'Dockerfile.ci'));
});

test('a parser-level error is the single problem reported', (t) => {
  const result = checkDockerfile('FROM a\nRUN <<EOF\necho\n');
  t.false(result.ok);
  t.is(result.problems.length, 1);
  t.like(result.problems[0], { line: 2, severity: 'error', message: 'unterminated heredoc' });
});

test('a Dockerfile with only ARGs has no stage to build', (t) => {
  t.deepEqual(errors('ARG A=1\n'), [[1, 'dockerfile contains no stages to build']]);
});

test('a clean Dockerfile passes with no problems', (t) => {
  const result = checkDockerfile('FROM alpine:3.20 AS base\nWORKDIR /app\nCOPY . .\nCMD ["./run"]\n');
  t.true(result.ok);
  t.deepEqual(result.problems, []);
});

test('build-check warnings follow BuildKit rule names, with lines and docs URLs', (t) => {
  const text = [
    'FROM alpine AS Build', // 1 StageNameCasing
    'FROM alpine as base', // 2 FromAsCasing
    'MAINTAINER me', // 3 MaintainerDeprecated
    'ENV A 1', // 4 LegacyKeyValueFormat
    'WORKDIR app', // 5 WorkdirRelativePath
    'EXPOSE 80:80 53/UDP', // 6 ExposeInvalidFormat + ExposeProtoCasing
    'CMD echo one', // 7 JSONArgsRecommended + MultipleInstructionsDisallowed
    'CMD ["two"]', // 8
    'run \\', // 9 ConsistentInstructionCasing
    '', // 10
    '  true', // 11 NoEmptyContinuation (reported at the instruction's last line)
    'FROM ${IMAGE}', // 12 UndefinedArgInFrom
  ].join('\n');
  t.deepEqual(warnings(text), [
    [1, 'StageNameCasing'],
    [2, 'FromAsCasing'],
    [3, 'MaintainerDeprecated'],
    [4, 'LegacyKeyValueFormat'],
    [5, 'WorkdirRelativePath'],
    [6, 'ExposeProtoCasing'],
    [6, 'ExposeInvalidFormat'],
    [7, 'JSONArgsRecommended'],
    [7, 'MultipleInstructionsDisallowed'],
    [9, 'ConsistentInstructionCasing'],
    [11, 'NoEmptyContinuation'],
    [12, 'UndefinedArgInFrom'],
  ]);
  const result = checkDockerfile(text);
  t.true(result.ok, 'warnings alone do not fail the check');
  t.is(result.problems[0]?.url, 'https://docs.docker.com/go/dockerfile/rule/stage-name-casing/');
  t.is(result.problems[0]?.message, "Stage name 'Build' should be lowercase");
});

test('a SHELL instruction silences JSONArgsRecommended in its stage', (t) => {
  t.deepEqual(warnings('FROM a\nSHELL ["/bin/bash", "-c"]\nCMD echo hi\n'), []);
});

test('# check=skip=… drops rules and error=true turns warnings into errors', (t) => {
  t.deepEqual(warnings('# check=skip=MaintainerDeprecated,JSONArgsRecommended\nFROM a\nMAINTAINER x\nCMD echo\n'), []);
  t.deepEqual(warnings('# check=skip=all\nFROM a\nMAINTAINER x\n'), []);
  const strict = checkDockerfile('# check=error=true\nFROM a\nMAINTAINER x\n');
  t.false(strict.ok);
  t.like(strict.problems[0], { line: 3, severity: 'error', rule: 'MaintainerDeprecated' });
});

test('instructions after a broken FROM are still checked, without a bogus stage error', (t) => {
  t.deepEqual(errors('FROM a b\nRUN --x=1 true\nCOPY x\n'), [
    [1, 'FROM requires either one or three arguments'],
    [2, 'unknown flag: --x'],
    [3, 'COPY requires at least two arguments, but only one was provided. Destination could not be determined'],
  ]);
});
