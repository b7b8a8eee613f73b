/**
 * The distribution spec's endpoint and error-code tables (shared/conformance) run against
 * berth's URL builders and error mapping: one test per row.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import {
  blobPath,
  distributionEndpoints,
  distributionErrorCodes,
  isDistributionErrorCode,
  manifestPath,
  pingPath,
  referrersPath,
  registryErrorFromResponse,
  tagsListPath,
  uploadCompleteUrl,
  uploadLocation,
  uploadStartPath,
  type EndpointId,
} from '../../source/engine/registry/index.js';
import { join } from 'node:path';
import { BerthError } from '../../source/engine/errors/index.js';
import { conformanceDir } from '../helpers/conformance-dir.js';

function rows(file: string): string[][] {
  const text = readFileSync(join(conformanceDir, file), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

const sample = {
  name: 'library/busybox',
  digest: `sha256:${'ab'.repeat(32)}`,
  tag: 'v1.36',
  location: '/v2/library/busybox/blobs/uploads/5f1c?_state=opaque',
  base: new URL('https://registry.example:5000'),
};

/** The path each row's template describes, built by berth's builders from the sample values. */
const builders: Record<EndpointId, () => string> = {
  'end-1': () => pingPath(),
  'end-2': () => blobPath(sample.name, sample.digest),
  'end-3': () => manifestPath(sample.name, sample.tag),
  'end-4a': () => uploadStartPath(sample.name),
  'end-4b': () => uploadStartPath(sample.name, { digest: sample.digest }),
  'end-4c': () => uploadStartPath(sample.name, { digestAlgorithm: 'sha256' }),
  'end-5': () => uploadLocation(sample.base, sample.location).href,
  'end-6': () => uploadCompleteUrl(uploadLocation(sample.base, sample.location), sample.digest).href,
  'end-7a': () => manifestPath(sample.name, sample.tag),
  'end-7b': () => manifestPath(sample.name, sample.digest, ['1', '2', '3']),
  'end-8a': () => tagsListPath(sample.name),
  'end-8b': () => tagsListPath(sample.name, { n: 10, last: 'v1' }),
  'end-9': () => manifestPath(sample.name, sample.tag),
  'end-10': () => blobPath(sample.name, sample.digest),
  'end-11': () => uploadStartPath(sample.name, { mount: sample.digest, from: 'library/other' }),
  'end-12a': () => referrersPath(sample.name, sample.digest),
  'end-12b': () =>
    referrersPath(sample.name, sample.digest, { artifactType: 'application/vnd.example+json' }),
  'end-13': () => uploadLocation(sample.base, sample.location).href,
  'end-14': () => uploadLocation(sample.base, sample.location).href,
};

/** Fills a row's template with the same sample values (and the values each query names). */
function expand(template: string, id: string): string {
  const location = new URL(sample.location, sample.base).href;
  const values: Record<string, string> = {
    '<name>': sample.name,
    '<digest>': sample.digest,
    '<tag-or-digest>': id === 'end-7b' ? sample.digest : sample.tag,
    '<algorithm>': 'sha256',
    '<integer>': '10',
    '<tagname>': 'v1',
    '<other_name>': 'library/other',
    '<artifactType>': encodeURIComponent('application/vnd.example+json'),
  };
  let text = template;
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(key, value);
  if (text.startsWith('<blob-push-location>')) {
    // The location already carries a query, so the digest is appended with '&'.
    text = location + text.slice('<blob-push-location>'.length).replace('?', '&');
  }
  return text;
}

function canonical(url: string): string {
  const parsed = new URL(url, 'https://registry.example:5000');
  const query = [...parsed.searchParams.entries()].map(([k, v]) => `${k}=${v}`).sort();
  return `${parsed.pathname}?${query.join('&')}`;
}

for (const [id, method, path, success, failure] of rows('distribution-endpoints.tsv')) {
  test(`${id}: ${method} ${path}`, (t) => {
    const endpoint = id as EndpointId;
    t.true(endpoint in distributionEndpoints, 'berth knows the endpoint');
    const spec = distributionEndpoints[endpoint];
    t.deepEqual(
      [...spec.methods],
      method!.split('/').map((m) => m.trim()),
    );
    t.deepEqual([...spec.success], success!.split('/').map(Number));
    t.deepEqual([...spec.failure], failure!.split('/').map(Number));
    t.is(canonical(builders[endpoint]()), canonical(expand(path!, id!)));
  });
}

for (const [id, code, description] of rows('distribution-error-codes.tsv')) {
  test(`${id}: ${code}`, (t) => {
    t.true(isDistributionErrorCode(code!));
    t.is((distributionErrorCodes as Record<string, string>)[code!], description);
    const body = JSON.stringify({ errors: [{ code, message: description, detail: {} }] });
    const error = registryErrorFromResponse(400, body, {
      registry: 'registry.example',
      repository: 'library/busybox',
      reference: 'v1',
    });
    t.true(error instanceof BerthError);
    t.is(error.registryCode, code);
    t.regex(error.code, /^REGISTRY_/);
    t.false(error.message.includes('\n'));
    t.true(error.message.length > 10);
  });
}
