import test, { type ExecutionContext } from 'ava';
import { BerthError } from '../../../source/engine/errors/index.js';
import {
  familiarName,
  familiarString,
  InvalidReferenceError,
  isFullImageId,
  isIdLike,
  parseAnyReference,
  parseCanonicalReference,
  parseNormalizedReference,
  parseReference,
  pullReference,
  referenceString,
  repositoryName,
  withDefaultTag,
  withDigest,
  withName,
  withTag,
  type ReferenceProblem,
} from '../../../source/engine/reference/index.js';

const hex64 = 'e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const digest = `sha256:${hex64}`;

function rejects(t: ExecutionContext, input: string, problem: ReferenceProblem): InvalidReferenceError {
  const error = t.throws(() => parseNormalizedReference(input), { instanceOf: InvalidReferenceError });
  if (!error) throw new Error('unreachable');
  t.is(error.problem, problem, error.message);
  return error;
}

test('busybox normalises to docker.io/library/busybox:latest', (t) => {
  const ref = withDefaultTag(parseNormalizedReference('busybox'));
  t.deepEqual(ref, { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  t.is(referenceString(ref), 'docker.io/library/busybox:latest');
  t.is(familiarString(ref), 'busybox:latest');
  t.is(familiarName(ref), 'busybox');
  t.is(repositoryName(ref), 'docker.io/library/busybox');
});

test('user namespaces on Docker Hub keep their path and lose the domain when shown', (t) => {
  const ref = parseNormalizedReference('jess/t:2');
  t.is(referenceString(ref), 'docker.io/jess/t:2');
  t.is(familiarString(ref), 'jess/t:2');
  t.is(familiarName(parseNormalizedReference('docker.io/library/foo/bar')), 'library/foo/bar');
  t.is(referenceString(parseNormalizedReference('index.docker.io/busybox')), 'docker.io/library/busybox');
});

test('localhost and registry hosts with ports are domains', (t) => {
  t.deepEqual(parseNormalizedReference('localhost:5000/x:1'), {
    domain: 'localhost:5000',
    path: 'x',
    tag: '1',
  });
  t.is(familiarString(parseNormalizedReference('localhost:5000/x:1')), 'localhost:5000/x:1');
  t.deepEqual(parseNormalizedReference('localhost/x'), { domain: 'localhost', path: 'x' });
  t.deepEqual(parseNormalizedReference('registry.example.com:443/team/app:v1.2'), {
    domain: 'registry.example.com:443',
    path: 'team/app',
    tag: 'v1.2',
  });
  t.deepEqual(parseNormalizedReference('127.0.0.1:5000/busybox'), {
    domain: '127.0.0.1:5000',
    path: 'busybox',
  });
  // No slash: the colon starts a tag, never a port.
  t.deepEqual(parseNormalizedReference('localhost:5000'), {
    domain: 'docker.io',
    path: 'library/localhost',
    tag: '5000',
  });
});

test('IPv6 hosts must be bracketed, without zone or embedded IPv4', (t) => {
  t.deepEqual(parseNormalizedReference('[::1]:5000/x:y'), { domain: '[::1]:5000', path: 'x', tag: 'y' });
  t.deepEqual(parseNormalizedReference('[2001:db8::1]/repo'), { domain: '[2001:db8::1]', path: 'repo' });
  rejects(t, '[fe80::1%eth0]:5000/repo', 'format');
  rejects(t, '[2001:db8:3:4::192.0.2.33]:5000/debian', 'format');
  rejects(t, '[::1]:5000', 'format');
  rejects(t, 'fc00::1:5000/debian', 'format');
});

test('digests: name@digest, and name:tag@digest keeps both until pulled', (t) => {
  const pinned = parseNormalizedReference(`busybox@${digest}`);
  t.deepEqual(pinned, { domain: 'docker.io', path: 'library/busybox', digest });
  t.is(withDefaultTag(pinned), pinned, 'a digest needs no default tag');
  t.is(familiarString(pinned), `busybox@${digest}`);

  const both = parseNormalizedReference(`busybox:1.36@${digest}`);
  t.is(both.tag, '1.36');
  t.is(both.digest, digest);
  t.is(referenceString(both), `docker.io/library/busybox:1.36@${digest}`);
  t.deepEqual(pullReference(both), { domain: 'docker.io', path: 'library/busybox', digest });
  t.deepEqual(pullReference(parseNormalizedReference('busybox')).tag, 'latest');
});

test('digests are checked like docker: length, case, algorithm', (t) => {
  t.is(parseNormalizedReference(`x@sha512:${'a'.repeat(128)}`).digest, `sha512:${'a'.repeat(128)}`);
  rejects(t, `x@sha256:${'a'.repeat(63)}`, 'digest-length');
  rejects(t, `x@sha256:${hex64.toUpperCase()}`, 'digest-format');
  rejects(t, `x@md5:${'a'.repeat(32)}`, 'digest-unsupported');
  rejects(t, 'x@sha256:abc', 'format');
});

test('tags: up to 128 characters of [A-Za-z0-9_.-], not starting with . or -', (t) => {
  const longest = 'T' + 'a'.repeat(127);
  t.is(parseNormalizedReference(`busybox:${longest}`).tag, longest);
  rejects(t, `busybox:${longest}a`, 'format');
  rejects(t, 'busybox:.hidden', 'format');
  rejects(t, 'busybox:-dash', 'format');
  t.is(parseNormalizedReference('busybox:UPPER_case.1-2').tag, 'UPPER_case.1-2');
  t.throws(() => withTag(withName('busybox'), '-foo'), { instanceOf: InvalidReferenceError });
});

test('the repository path may be 255 characters, not more', (t) => {
  const path255 = `a/${'b'.repeat(253)}`;
  t.is(parseNormalizedReference(`example.com/${path255}`).path, path255);
  const error = rejects(t, `example.com/${path255}b`, 'name-too-long');
  t.is(error.message, 'repository name must not be more than 255 characters');
});

test('uppercase in the path is rejected with docker message; uppercase first part is a host', (t) => {
  const error = rejects(t, 'Busybox', 'name-uppercase');
  t.is(error.message, 'invalid reference format: repository name (library/Busybox) must be lowercase');
  t.is(error.exitCode, 125);
  t.is(error.code, 'INVALID_REFERENCE');
  t.true(error instanceof BerthError);
  t.is(error.input, 'Busybox');
  rejects(t, 'docker.io/docker/Docker:tag', 'name-uppercase');
  t.deepEqual(parseNormalizedReference('LOCALDOMAIN/fooo'), { domain: 'LOCALDOMAIN', path: 'fooo' });
  t.throws(() => parseReference('Uppercase:tag'), {
    message: /repository name \(Uppercase\) must be lowercase/,
  });
});

test('a bare 64-hex string is an image ID, never a name', (t) => {
  const error = rejects(t, hex64, 'name-hex');
  t.regex(error.message, /cannot specify 64-byte hexadecimal strings/);
  t.deepEqual(parseAnyReference(hex64), { kind: 'digest', digest });
  t.deepEqual(parseAnyReference(digest), { kind: 'digest', digest });
  t.is(parseAnyReference(hex64.slice(1)).kind, 'named', '63 hex characters are a name');
  t.is(parseNormalizedReference(`docker.io/${hex64}`).path, `library/${hex64}`, 'with a domain it is a name');
});

test('malformed names fail with one-line messages that carry the input', (t) => {
  t.is(rejects(t, '', 'format').message, 'invalid reference format: ""');
  t.is(t.throws(() => parseReference(''), { instanceOf: InvalidReferenceError })?.problem, 'name-empty');
  for (const input of [
    '-foo',
    'foo/',
    'foo//bar',
    'dock..er/x',
    ' busybox',
    'busybox ',
    'a b',
    'https://x.io/y',
    'x:',
  ]) {
    const error = rejects(t, input, 'format');
    t.is(error.message, `invalid reference format: ${JSON.stringify(input)}`);
    t.notRegex(error.message, /\n/);
  }
});

test('parseReference does not normalise', (t) => {
  t.deepEqual(parseReference('busybox'), { domain: '', path: 'busybox' });
  t.deepEqual(parseReference('a/b:c'), { domain: 'a', path: 'b', tag: 'c' });
  t.is(referenceString(parseReference('test_com/foo')), 'test_com/foo');
});

test('canonical references must already be in full form', (t) => {
  t.deepEqual(parseCanonicalReference('docker.io/library/busybox:1'), {
    domain: 'docker.io',
    path: 'library/busybox',
    tag: '1',
  });
  const error = t.throws(() => parseCanonicalReference('busybox'), { instanceOf: InvalidReferenceError });
  t.is(error?.problem, 'name-not-canonical');
});

test('withName, withTag and withDigest build references piece by piece', (t) => {
  const ref = withDigest(withTag(withName('localhost:5000/x'), 'v1'), digest);
  t.is(referenceString(ref), `localhost:5000/x:v1@${digest}`);
  t.throws(() => withName('x:tag'), { instanceOf: InvalidReferenceError });
  t.throws(() => withDigest(ref, 'sha256:short'), { instanceOf: InvalidReferenceError });
});

test('ID helpers', (t) => {
  t.true(isFullImageId(hex64));
  t.true(isFullImageId(digest));
  t.false(isFullImageId(hex64.slice(1)));
  t.false(isFullImageId(hex64.toUpperCase()));
  t.true(isIdLike('3f2a'));
  t.true(isIdLike('sha256:3f2a'));
  t.false(isIdLike('busybox'));
  t.false(isIdLike(''));
});
