import test from 'ava';
import { BerthError } from '../../../../source/engine/errors/index.js';
import {
  DockerignorePatternError,
  PatternMatcher,
  matchesPatterns,
} from '../../../../source/engine/build/dockerignore/index.js';

const excluded = (patterns: string[], path: string): boolean =>
  new PatternMatcher(patterns).matchesOrParentMatches(path);

test('a lone ! is refused with an error naming the pattern', (t) => {
  const error = t.throws(() => new PatternMatcher(['*.log', '!']), { instanceOf: DockerignorePatternError });
  t.true(error instanceof BerthError);
  t.is(error.exitCode, 1);
  t.is(error.pattern, '!');
  t.regex(error.message, /illegal exclusion pattern/);
});

test('malformed brackets are refused when the matcher is built', (t) => {
  for (const pattern of ['[', 'a[', '[]a]', '[x-]', '[a-b-c]', 'a\\']) {
    const error = t.throws(() => new PatternMatcher([pattern]), { instanceOf: DockerignorePatternError });
    t.is(error.pattern, pattern);
  }
});

test('a reversed range passes construction but fails every match', (t) => {
  const matcher = new PatternMatcher(['ok', '[z-a]*']);
  t.true(matcher.matchesOrParentMatches('ok'), 'an earlier match never reaches the bad pattern');
  for (let i = 0; i < 3; i++) {
    t.throws(() => matcher.matchesOrParentMatches('x'), { instanceOf: DockerignorePatternError });
  }
});

test('patterns are anchored at the root; * stays in one element, ** spans them', (t) => {
  t.true(excluded(['*.log'], 'a.log'));
  t.false(excluded(['*.log'], 'dir/a.log'));
  t.true(excluded(['**/*.log'], 'dir/sub/a.log'));
  t.true(excluded(['dir'], 'dir/sub/a.log'), 'a matched parent excludes everything below');
  t.false(excluded(['dir/**'], 'dir'), 'dir/** does not match the directory itself');
});

test('the last matching rule wins', (t) => {
  t.false(excluded(['*.md', '!README.md'], 'README.md'));
  t.true(excluded(['!README.md', '*.md'], 'README.md'));
});

test('Go regexp syntax reaching the pattern behaves as in Go', (t) => {
  t.true(excluded(['[[:digit:]]*'], '1abc'));
  t.false(excluded(['[[:digit:]]*'], 'abc'));
  t.true(excluded(['\\d*'], '7'), '\\d is a digit class in Go regexps');
  t.true(excluded(['a]*'], 'a]b'), 'a lone ] is literal');
  t.true(excluded(['*.{a}'], 'f.{a}'));
  t.throws(() => excluded(['\\q*'], 'q'), { instanceOf: DockerignorePatternError });
});

test('legacy matches checks only the parent as deep as the pattern', (t) => {
  const matcher = new PatternMatcher(['**/dir']);
  t.true(matcher.matchesOrParentMatches('dir/file'));
  t.false(matcher.matches('dir/file'));
  t.false(matchesPatterns('.', ['*']), 'the context root is never excluded');
  t.true(matchesPatterns('./a/../b.go', ['*.go']));
});

test('parent results are reused per pattern, as fsutil walks', (t) => {
  const matcher = new PatternMatcher(['foo/bar', '!foo']);
  const parent = matcher.matchesUsingParentResults('foo');
  t.false(parent.matched);
  // `!foo` was not consulted for `foo` (nothing matched yet), so for the child it is tested
  // against `foo/bar` alone, unlike matchesOrParentMatches which also tries the parent `foo`.
  t.true(matcher.matchesUsingParentResults('foo/bar', parent.info).matched);
  t.false(matcher.matchesOrParentMatches('foo/bar'));
  t.false(matcher.matchesUsingParentResults('foo/bar').matched, 'without parent info: as matchesOrParentMatches');
});
