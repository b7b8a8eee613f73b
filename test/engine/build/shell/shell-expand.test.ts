import test from 'ava';
import { BerthError } from '../../../../source/engine/errors/index.js';
import {
  ShellExpansionError,
  processWord,
  processWords,
} from '../../../../source/engine/build/shell/index.js';

test('expands $v and ${v}, leaves $ before a non-name character alone', (t) => {
  t.is(processWord('$A-${A}-$.-$', { A: 'x' }).result, 'x-x-$.-$');
});

test('env may be a KEY=value list, a Map, an object or tuples; a later entry wins', (t) => {
  t.is(processWord('$A', ['A=1', 'A=2']).result, '2');
  t.is(processWord('$A', ['A']).result, '');
  t.deepEqual([...processWord('$A', ['A']).matched], ['A']);
  t.is(processWord('$A', new Map([['A', 'm']])).result, 'm');
  t.is(processWord('$A', [['A', 'one'], ['A', 'two']] as const).result, 'two');
  t.is(processWord('$A=${B}', { A: 'a', B: 'b=c' }).result, 'a=b=c');
});

test('reports which names were set and which were referenced but unset', (t) => {
  const { matched, unmatched } = processWord('${A:-$B} $C ${D+x}', { A: '', D: 'd' });
  t.deepEqual([...matched].sort(), ['A', 'D']);
  t.deepEqual([...unmatched].sort(), ['B', 'C']);
});

test('a backtick escape char (# escape=`) escapes and leaves backslashes literal', (t) => {
  const options = { escapeChar: '`' };
  t.is(processWord('C:\\dir\\$A', { A: 'x' }, options).result, 'C:\\dir\\x');
  t.is(processWord('a`$A', { A: 'x' }, options).result, 'a$A');
  t.is(processWord('"q`"uote"', {}, options).result, 'q"uote');
  t.deepEqual(processWords('a` b c', {}, options), ['a b', 'c']);
});

test('skipUnsetEnv leaves references to unset names as written', (t) => {
  const options = { skipUnsetEnv: true };
  t.is(processWord('$X ${Y} ${Z:-z} ${W/a/b} $SET', { SET: '1' }, options).result, '$X ${Y} ${Z:-z} ${W/a/b} 1');
});

test('rawQuotes keeps the quotes, rawEscapes keeps the escapes', (t) => {
  t.is(processWord(`"a $A" 'b'`, { A: 'x' }, { rawQuotes: true }).result, `"a x" 'b'`);
  t.is(processWord('a\\ b\\$A', { A: 'x' }, { rawEscapes: true }).result, 'a\\ b\\$A');
});

test('skipProcessQuotes treats quotes as ordinary characters', (t) => {
  t.is(processWord(`'$A' "$A"`, { A: 'x' }, { skipProcessQuotes: true }).result, `'x' "x"`);
});

test('${v:=w} is refused with a BerthError carrying exit code 1 and the word', (t) => {
  const error = t.throws(() => processWord('he${PWD:=000}xx', { PWD: '/home' }), {
    instanceOf: ShellExpansionError,
  });
  t.true(error instanceof BerthError);
  t.is(error.exitCode, 1);
  t.is(error.code, 'SHELL_EXPANSION');
  t.is(error.word, 'he${PWD:=000}xx');
  t.is(error.message, 'failed to process "he${PWD:=000}xx": unsupported modifier (:=) in substitution');
});

test('syntax errors say what is missing', (t) => {
  t.regex(t.throws(() => processWord('${A', {})).message, /missing '}'/);
  t.regex(t.throws(() => processWord('${A:-x', {})).message, /missing '}'/);
  t.regex(t.throws(() => processWord('${A/x', {})).message, /missing '\/' in \$\{\}/);
  t.regex(t.throws(() => processWord('${}', {})).message, /bad substitution/);
  t.regex(t.throws(() => processWord('"abc', {})).message, /matching double-quote/);
  t.regex(t.throws(() => processWord("'abc", {})).message, /matching single-quote/);
});

test('${v?msg} and ${v:?msg} report the expanded message, or the default one', (t) => {
  t.regex(t.throws(() => processWord('${V?no $W}', { W: 'w' })).message, /V: no w$/);
  t.regex(t.throws(() => processWord('${V?}', {})).message, /V: is not allowed to be unset$/);
  t.regex(t.throws(() => processWord('${V:?}', { V: '' })).message, /V: is not allowed to be empty$/);
});

test('a bad escape in a pattern is an error naming the pattern', (t) => {
  t.regex(t.throws(() => processWord('${A#\\x}', { A: 'abc' })).message, /invalid pattern \(\\x\) in substitution/);
});

test('prefix and suffix removal, shortest and longest', (t) => {
  const env = { F: 'archive.tar.gz' };
  t.is(processWord('${F#*.}', env).result, 'tar.gz');
  t.is(processWord('${F##*.}', env).result, 'gz');
  t.is(processWord('${F%.*}', env).result, 'archive.tar');
  t.is(processWord('${F%%.*}', env).result, 'archive');
  t.is(processWord('${F%.\\*}', env).result, 'archive.tar.gz');
});

test('replace-all follows Go: no second replacement for the empty match after a match', (t) => {
  t.is(processWord('${A//*/r}', { A: 'abc' }).result, 'r');
  t.is(processWord('${A//b/[$0]}', { A: 'abcb' }).result, 'a[]c[]', '$0 was already expanded as a positional');
  // A literal `$0` reaching the replacement is Go's template for the whole match.
  t.is(processWord("${A//b/<'$'0>}", { A: 'abcb' }).result, 'a<b>c<b>');
  t.is(processWord('${A//?/-}', { A: 'héllo' }).result, '-----');
  t.is(processWord('${A/l/L}', { A: 'hello' }).result, 'heLlo');
});

test('words split on unquoted expansions and whitespace only', (t) => {
  const env = { S: ' a  b ', E: '' };
  t.deepEqual(processWords('x${S}y "${S}" $E "" z', env), ['x', 'a', 'b', 'y', ' a  b ', 'z']);
  t.deepEqual(processWords('  ', env), []);
  t.deepEqual(processWords('a\\ b', env), ['a b']);
});

test('non-ASCII names and values, and Unicode spaces split words as Go does', (t) => {
  t.is(processWord('$變數!', { 變數: 'v' }).result, 'v!');
  t.deepEqual(processWords('$S', { S: 'a\u3000b\u00a0c' }), ['a', 'b', 'c']);
  t.deepEqual(processWords('$S', { S: 'a\ufeffb' }), ['a\ufeffb'], 'U+FEFF is not a space in Go');
});
