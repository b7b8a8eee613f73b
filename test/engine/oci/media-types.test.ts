import test from 'ava';
import {
  isIndexMediaType,
  isManifestMediaType,
  isNondistributableLayer,
  isSchema1MediaType,
  layerCompression,
  MEDIA_TYPE_GRAMMAR,
  MediaType,
  PULLABLE_MANIFEST_TYPES,
} from '../../../source/engine/oci/index.js';

test('manifest, index and schema1 types are told apart', (t) => {
  t.true(isManifestMediaType(MediaType.ociManifest));
  t.true(isManifestMediaType(MediaType.dockerManifest));
  t.false(isManifestMediaType(MediaType.ociIndex));
  t.true(isIndexMediaType(MediaType.dockerManifestList));
  t.true(isSchema1MediaType(MediaType.dockerSchema1SignedManifest));
  t.false(isSchema1MediaType(MediaType.dockerManifest));
  t.false(PULLABLE_MANIFEST_TYPES.some(isSchema1MediaType));
});

test('layer compression by media type; unknown types are not layers berth unpacks', (t) => {
  t.is(layerCompression(MediaType.ociLayerTar), 'none');
  t.is(layerCompression(MediaType.ociLayerGzip), 'gzip');
  t.is(layerCompression(MediaType.ociLayerZstd), 'zstd');
  t.is(layerCompression(MediaType.dockerLayerGzip), 'gzip');
  t.is(layerCompression(MediaType.ociLayerNondistributableZstd), 'zstd');
  t.is(layerCompression('application/vnd.example+type'), undefined);
  t.true(isNondistributableLayer(MediaType.dockerLayerForeignGzip));
  t.true(isNondistributableLayer(MediaType.ociLayerNondistributableGzip));
  t.false(isNondistributableLayer(MediaType.ociLayerGzip));
});

test('every known media type fits the descriptor grammar', (t) => {
  for (const type of Object.values(MediaType)) t.regex(type, MEDIA_TYPE_GRAMMAR);
});
