import test from 'ava';
import { DockerfileSyntaxError, dumpAst, parseDockerfile } from '../../../../source/engine/build/dockerfile/index.js';

const dump = (text: string): string => dumpAst(parseDockerfile(text).children);

function syntaxError(t: import('ava').ExecutionContext, fn: () => unknown): DockerfileSyntaxError {
  const error = t.throws(fn);
  if (!(error instanceof DockerfileSyntaxError)) throw new Error(`expected DockerfileSyntaxError, got ${String(error)}`);
  return error;
}

test('errors carry the file name, the line and exit code 1', (t) => {
  const error = syntaxError(t, () => parseDockerfile('FROM x\n\n# c\nCMD [ "a", [ "b" ] ]\n', { file: 'app.Dockerfile' }));
  t.is(error.message, 'app.Dockerfile:4: when using JSON array syntax, arrays must be comprised of strings only');
  t.is(error.line, 4);
  t.is(error.exitCode, 1);
  t.is(error.code, 'DOCKERFILE_SYNTAX');
});

test('an empty file and a file of comments have no instructions', (t) => {
  t.regex(syntaxError(t, () => parseDockerfile('')).message, /^Dockerfile:1: file with no instructions$/);
  t.regex(syntaxError(t, () => parseDockerfile('# a\n\n# b\n')).message, /Dockerfile:3: file with no instructions/);
});

test('an unterminated heredoc is reported from its instruction line', (t) => {
  const error = syntaxError(t, () => parseDockerfile('FROM x\nRUN <<EOF\necho hi\n'));
  t.is(error.line, 2);
  t.is(error.endLine, 3);
  t.is(error.detail, 'unterminated heredoc');
});

test('ENV without a value fails at its line', (t) => {
  t.is(syntaxError(t, () => parseDockerfile('FROM x\nENV PATH\n')).message, 'Dockerfile:2: ENV must have two arguments');
});

test('ENV k=v form rejects a word without =', (t) => {
  t.regex(syntaxError(t, () => parseDockerfile('FROM x\nENV a=b c\n')).message, /can't find = in "c"/);
});

test('an invalid or repeated escape directive is an error', (t) => {
  t.regex(syntaxError(t, () => parseDockerfile('# escape=x\nFROM a\n')).message, /^Dockerfile:1: invalid escape token 'x'/);
  t.regex(syntaxError(t, () => parseDockerfile('# escape=`\n# escape=`\nFROM a\n')).message, /^Dockerfile:2: only one escape parser directive/);
});

test('directives are reported with their lines and only at the top', (t) => {
  const ast = parseDockerfile('# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n# escape=\\\nRUN a `\n  b\n');
  t.deepEqual(ast.directives, [
    { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
    { name: 'check', value: 'skip=all', line: 2 },
    { name: 'escape', value: '`', line: 3 },
  ]);
  t.is(ast.escapeChar, '`');
  t.is(dumpAst(ast.children), '(from "a")\n(run "a   b")');
});

test('instruction keywords are case-insensitive and kept as written', (t) => {
  const ast = parseDockerfile('from alpine\nRuN echo hi\n');
  t.deepEqual(
    ast.children.map((node) => [node.keyword, node.name]),
    [
      ['from', 'from'],
      ['RuN', 'run'],
    ],
  );
});

test('CRLF line endings and a BOM are handled', (t) => {
  t.is(dump('\ufeffFROM a\r\nRUN b \\\r\n  c\r\n'), '(from "a")\n(run "b   c")');
});

test('a heredoc keeps CRLF in its body and accepts a CRLF terminator', (t) => {
  const ast = parseDockerfile('FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\n');
  t.is(ast.children[1]?.heredocs[0]?.content, 'echo hi\r\n');
});

test('flags: quotes removed, escapes honoured, a bare -- ends them', (t) => {
  t.is(dump('COPY --chown="a b" --from=x\\ y -- --notaflag /d'), '(copy ["--chown=a b" "--from=x y"] "--notaflag" "/d")');
  t.is(dump('RUN --mount=type=cache,target=/x --network=host make'), '(run ["--mount=type=cache,target=/x" "--network=host"] "make")');
});

test('exec form ignores text after the JSON array, like Go\'s json.Decoder', (t) => {
  t.is(dump('CMD ["a", "b"] trailing'), '(cmd "a" "b")');
  t.true(parseDockerfile('CMD ["a"]').children[0]?.json);
  t.false(parseDockerfile('CMD [\'a\']').children[0]?.json);
});

test('JSON arrays with non-strings are an error, not shell form', (t) => {
  t.regex(syntaxError(t, () => parseDockerfile('RUN ["a", 1]')).message, /arrays must be comprised of strings only/);
});

test('ONBUILD nests its trigger with flags and heredocs', (t) => {
  const ast = parseDockerfile('FROM a\nONBUILD COPY --from=b <<EOF /x\nhello\nEOF\nONBUILD RUN ["x"]\n');
  t.is(dumpAst(ast.children), '(from "a")\n(onbuild (copy ["--from=b"] "<<EOF" "/x"))\n(onbuild (run "x"))');
  t.is(ast.children[1]?.heredocs[0]?.content, 'hello\n');
  t.deepEqual([ast.children[1]?.startLine, ast.children[1]?.endLine], [2, 4]);
  t.is(ast.children[2]?.startLine, 5);
});

test('exec-form RUN and non-heredoc instructions never read heredoc bodies', (t) => {
  const ast = parseDockerfile('RUN ["cat", "<<EOF"]\nEOF\n');
  t.is(ast.children.length, 2);
  t.deepEqual(ast.children[0]?.heredocs, []);
});

test('several heredocs and a file descriptor on one line', (t) => {
  const ast = parseDockerfile('RUN 3<<A cat /dev/fd/3 - <<-B\na\nA\n\tb\n\tB\nFROM x\n');
  t.deepEqual(
    ast.children[0]?.heredocs.map((doc) => [doc.name, doc.fileDescriptor, doc.chomp, doc.content]),
    [
      ['A', 3, false, 'a\n'],
      ['B', 0, true, '\tb\n'],
    ],
  );
  t.is(ast.children[1]?.startLine, 6);
});

test('comments above an instruction are attached to it', (t) => {
  const ast = parseDockerfile('# build stage\n# second line\nFROM a AS b\nRUN x\n');
  t.deepEqual(ast.children[0]?.comments, ['build stage', 'second line']);
  t.deepEqual(ast.children[1]?.comments, []);
});

test('an empty continuation line warns with its line', (t) => {
  const ast = parseDockerfile('FROM a\nRUN a \\\n\n  b\n');
  t.is(ast.warnings.length, 1);
  t.is(ast.warnings[0]?.line, 4);
  t.is(ast.warnings[0]?.rule, 'NoEmptyContinuation');
});

test('unknown instructions parse (the instruction layer rejects them)', (t) => {
  t.is(dump('FROM a\nCOPPY x y'), '(from "a")\n(coppy "")');
});

test('WORKDIR, USER and STOPSIGNAL keep their whole argument as one string', (t) => {
  t.is(dump('WORKDIR /a b\nUSER a b'), '(workdir "/a b")\n(user "a b")');
});

test('Go quoting in the dump: control bytes, non-printables and astral runes', (t) => {
  t.is(dump('CMD ["\\u0001\\u007f\\u00a0\\ud83d\\ude00é\\u2028"]'), '(cmd "\\x01\\x7f\\u00a0😀é\\u2028")');
});
