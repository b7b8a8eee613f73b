import test, { type ExecutionContext } from 'ava';
import { BerthError } from '../../../source/engine/errors/index.js';
import {
  InvalidManifestError,
  MediaType,
  parseAnyManifest,
  parseDescriptor,
  parseImageLayout,
  parseIndex,
  parseManifest,
} from '../../../source/engine/oci/index.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifest,
  config: { mediaType: MediaType.dockerConfig, size: 1469, digest: d('a') },
  layers: [
    { mediaType: MediaType.dockerLayerGzip, size: 2310272, digest: d('b') },
    {
      mediaType: MediaType.dockerLayerForeignGzip,
      size: 10,
      digest: d('c'),
      urls: ['https://example.com/layer'],
    },
  ],
};

const dockerList = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifestList,
  manifests: [
    {
      mediaType: MediaType.dockerManifest,
      size: 527,
      digest: d('d'),
      platform: { architecture: 'arm', os: 'linux', variant: 'v7', features: ['sse4'] },
    },
  ],
};

function invalid(t: ExecutionContext, run: () => unknown, message: string): InvalidManifestError {
  const error = t.throws(run, { instanceOf: InvalidManifestError });
  if (!error) throw new Error('unreachable');
  t.is(error.message, message);
  return error;
}

test('a docker schema2 manifest parses as is, from bytes or text', (t) => {
  const bytes = new TextEncoder().encode(JSON.stringify(dockerManifest));
  t.deepEqual(parseManifest(bytes), dockerManifest);
  t.deepEqual(parseManifest(JSON.stringify(dockerManifest)), dockerManifest);
});

test('fields berth does not model survive; null optional fields read as absent', (t) => {
  const manifest = parseManifest(
    JSON.stringify({ ...dockerManifest, annotations: null, 'x-extra': { a: 1 }, layers: [] }),
  );
  t.false('annotations' in manifest);
  t.deepEqual((manifest as unknown as Record<string, unknown>)['x-extra'], { a: 1 });
});

test('a manifest without layers is accepted, as docker does for FROM scratch images', (t) => {
  t.deepEqual(parseManifest(JSON.stringify({ ...dockerManifest, layers: [] })).layers, []);
});

test('errors name the document and the field, on one line, exit 125', (t) => {
  const bad = {
    ...dockerManifest,
    layers: [dockerManifest.layers[0], { ...dockerManifest.layers[0], size: -1 }],
  };
  const error = invalid(
    t,
    () => parseManifest(JSON.stringify(bad)),
    'invalid image manifest: layers[1].size must be an integer of 0 or more, got -1',
  );
  t.is(error.field, 'layers[1].size');
  t.is(error.document, 'image manifest');
  t.is(error.exitCode, 125);
  t.is(error.code, 'INVALID_MANIFEST');
  t.true(error instanceof BerthError);
  // The parser's own wording varies between Node versions; the prefix is berth's.
  t.throws(() => parseManifest('{'), { message: /^invalid image manifest: is not valid JSON \(.+\)$/ });
  invalid(t, () => parseManifest('[]'), 'invalid image manifest: must be a JSON object, got an array');
  invalid(
    t,
    () => parseManifest(JSON.stringify({ ...dockerManifest, config: undefined })),
    'invalid image manifest: config is required',
  );
  invalid(
    t,
    () =>
      parseManifest(
        JSON.stringify({
          ...dockerManifest,
          layers: [{ ...dockerManifest.layers[0], digest: 'sha256:abc' }],
        }),
      ),
    'invalid image manifest: layers[0].digest is not a valid digest (invalid checksum digest length): "sha256:abc"',
  );
  invalid(
    t,
    () =>
      parseManifest(
        JSON.stringify({ ...dockerManifest, layers: [{ ...dockerManifest.layers[1], urls: ['not a url'] }] }),
      ),
    'invalid image manifest: layers[0].urls[0] must be an absolute URL, got "not a url"',
  );
});

test('schema1, a wrong schemaVersion and index media types are refused by parseManifest', (t) => {
  invalid(
    t,
    () => parseManifest(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] })),
    'invalid image manifest: schemaVersion is 1: docker schema1 images are not supported',
  );
  invalid(
    t,
    () => parseManifest(JSON.stringify({ ...dockerManifest, schemaVersion: 3 })),
    'invalid image manifest: schemaVersion must be 2, got 3',
  );
  invalid(
    t,
    () =>
      parseManifest(JSON.stringify({ ...dockerManifest, mediaType: MediaType.dockerSchema1SignedManifest })),
    `invalid image manifest: mediaType is ${MediaType.dockerSchema1SignedManifest}: docker schema1 images are not supported`,
  );
  invalid(
    t,
    () => parseManifest(JSON.stringify({ ...dockerManifest, mediaType: MediaType.ociIndex })),
    `invalid image manifest: mediaType is ${MediaType.ociIndex}, expected an image manifest`,
  );
  invalid(
    t,
    () => parseIndex(JSON.stringify({ ...dockerList, mediaType: MediaType.ociManifest })),
    `invalid image index: mediaType is ${MediaType.ociManifest}, expected an image index`,
  );
});

test('a docker manifest list parses with platforms, and platform needs os and architecture', (t) => {
  t.deepEqual(parseIndex(JSON.stringify(dockerList)), dockerList);
  const noOs = {
    ...dockerList,
    manifests: [{ ...dockerList.manifests[0], platform: { architecture: 'amd64' } }],
  };
  invalid(
    t,
    () => parseIndex(JSON.stringify(noOs)),
    'invalid image index: manifests[0].platform.os is required',
  );
  t.deepEqual(parseIndex(JSON.stringify({ schemaVersion: 2, manifests: [] })).manifests, []);
});

test('parseAnyManifest tells manifests from indexes by content type, mediaType or shape', (t) => {
  const list = JSON.stringify(dockerList);
  const manifest = JSON.stringify(dockerManifest);
  t.is(parseAnyManifest(list).kind, 'index');
  t.is(parseAnyManifest(manifest).kind, 'manifest');
  t.is(parseAnyManifest(JSON.stringify({ schemaVersion: 2, manifests: [] })).kind, 'index');
  const { mediaType: _ignored, ...untyped } = dockerManifest;
  t.is(parseAnyManifest(JSON.stringify(untyped), `${MediaType.ociManifest}; charset=utf-8`).kind, 'manifest');
  t.throws(() => parseAnyManifest(manifest, MediaType.dockerSchema1SignedManifest), {
    instanceOf: InvalidManifestError,
  });
  // The header says index but the body is a manifest: the body must then fit an index.
  t.throws(() => parseAnyManifest(JSON.stringify(untyped), MediaType.ociIndex), {
    instanceOf: InvalidManifestError,
  });
});

test('descriptors: data must be padded base64; unknown digest algorithms pass the grammar', (t) => {
  const base = { mediaType: MediaType.ociEmpty, size: 2, digest: d('e') };
  t.is(parseDescriptor(JSON.stringify({ ...base, data: 'e30=' })).data, 'e30=');
  invalid(
    t,
    () => parseDescriptor(JSON.stringify({ ...base, data: 'e30' })),
    'invalid descriptor: data must be base64 with padding',
  );
  t.is(parseDescriptor(JSON.stringify({ ...base, digest: 'blake3:abc' })).digest, 'blake3:abc');
  t.is(parseDescriptor(JSON.stringify({ ...base, digest: `sha512:${'f'.repeat(128)}` })).size, 2);
  invalid(
    t,
    () => parseDescriptor(JSON.stringify({ ...base, size: 1.5 })),
    'invalid descriptor: size must be an integer of 0 or more, got 1.5',
  );
  invalid(
    t,
    () => parseDescriptor(JSON.stringify({ ...base, annotations: { a: 1 } })),
    'invalid descriptor: annotations.a must be a string, got 1',
  );
});

test('the oci-layout header must say 1.0.0', (t) => {
  t.deepEqual(parseImageLayout('{"imageLayoutVersion":"1.0.0"}'), { imageLayoutVersion: '1.0.0' });
  invalid(
    t,
    () => parseImageLayout('{"imageLayoutVersion":"2.0.0"}'),
    'invalid image layout: imageLayoutVersion must be "1.0.0", got "2.0.0"',
  );
});
