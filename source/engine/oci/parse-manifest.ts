/** Image manifests, indexes (docker manifest lists) and the oci-layout header. */
import type { ImageIndex, ImageLayout, ImageManifest } from './image-types.js';
import { defined, FieldReader, parseJson } from './json-reader.js';
import { isIndexMediaType, isManifestMediaType, isSchema1MediaType } from './media-types.js';
import { InvalidManifestError, type OciDocumentKind } from './oci-errors.js';
import { readDescriptor, readMediaType } from './parse-descriptor.js';

const MANIFEST_FIELDS = [
  'schemaVersion',
  'mediaType',
  'artifactType',
  'config',
  'layers',
  'subject',
  'annotations',
];
const INDEX_FIELDS = ['schemaVersion', 'mediaType', 'artifactType', 'manifests', 'subject', 'annotations'];

function readSchemaVersion(reader: FieldReader): 2 {
  const version = reader.requiredInteger('schemaVersion');
  if (version === 1) reader.fail('schemaVersion', 'is 1: docker schema1 images are not supported');
  if (version !== 2) reader.fail('schemaVersion', `must be 2, got ${version}`);
  return 2;
}

/** A manifest's own mediaType, when given, must say it is the kind of document we expected. */
function refuseOtherKinds(
  reader: FieldReader,
  mediaType: string | undefined,
  accepts: (type: string) => boolean,
) {
  if (mediaType === undefined || accepts(mediaType)) return;
  if (isSchema1MediaType(mediaType))
    reader.fail('mediaType', `is ${mediaType}: docker schema1 images are not supported`);
  reader.fail('mediaType', `is ${mediaType}, expected an ${reader.document}`);
}

function readManifest(reader: FieldReader): ImageManifest {
  const schemaVersion = readSchemaVersion(reader);
  const mediaType = readMediaType(reader, 'mediaType');
  refuseOtherKinds(reader, mediaType, isManifestMediaType);
  const subject = reader.object('subject');
  return {
    ...reader.rest(MANIFEST_FIELDS),
    schemaVersion,
    ...defined({ mediaType, artifactType: readMediaType(reader, 'artifactType') }),
    config: readDescriptor(reader.requiredObject('config')),
    // image-spec's JSON schema wants at least one layer, but docker builds and pushes images
    // with none (`FROM scratch` + metadata only) and pulls them; berth accepts them as docker does.
    layers: reader.requiredObjectArray('layers').map(readDescriptor),
    ...defined({ subject: subject && readDescriptor(subject), annotations: reader.stringMap('annotations') }),
  };
}

function readIndex(reader: FieldReader): ImageIndex {
  const schemaVersion = readSchemaVersion(reader);
  const mediaType = readMediaType(reader, 'mediaType');
  refuseOtherKinds(reader, mediaType, isIndexMediaType);
  const subject = reader.object('subject');
  return {
    ...reader.rest(INDEX_FIELDS),
    schemaVersion,
    ...defined({ mediaType, artifactType: readMediaType(reader, 'artifactType') }),
    manifests: reader.requiredObjectArray('manifests').map(readDescriptor),
    ...defined({ subject: subject && readDescriptor(subject), annotations: reader.stringMap('annotations') }),
  };
}

function root(document: OciDocumentKind, input: Uint8Array | string): FieldReader {
  return new FieldReader(document, parseJson(document, input));
}

/** An OCI image manifest or docker schema2 manifest; refuses indexes and schema1. */
export function parseManifest(input: Uint8Array | string): ImageManifest {
  return readManifest(root('image manifest', input));
}

/** An OCI image index or docker manifest list. */
export function parseIndex(input: Uint8Array | string): ImageIndex {
  return readIndex(root('image index', input));
}

export type AnyManifest =
  { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex };

/**
 * A manifest or an index, told apart by `contentType` (a registry's Content-Type header), else
 * the document's own mediaType, else its shape (`manifests` means an index).
 */
export function parseAnyManifest(input: Uint8Array | string, contentType?: string): AnyManifest {
  const value = parseJson('image manifest', input);
  const probe = new FieldReader('image manifest', value);
  const declared = contentType?.split(';')[0]?.trim() || probe.string('mediaType');
  if (declared !== undefined && isSchema1MediaType(declared)) {
    throw new InvalidManifestError(
      'image manifest',
      '',
      `is ${declared}: docker schema1 images are not supported`,
    );
  }
  const isIndex =
    declared !== undefined && (isIndexMediaType(declared) || isManifestMediaType(declared))
      ? isIndexMediaType(declared)
      : probe.value['manifests'] !== undefined;
  return isIndex
    ? { kind: 'index', index: readIndex(new FieldReader('image index', value)) }
    : { kind: 'manifest', manifest: readManifest(probe) };
}

/** The `oci-layout` file of an OCI image layout directory. */
export function parseImageLayout(input: Uint8Array | string): ImageLayout {
  const reader: FieldReader = root('image layout', input);
  const version = reader.requiredString('imageLayoutVersion');
  if (version !== '1.0.0')
    reader.fail('imageLayoutVersion', `must be "1.0.0", got ${JSON.stringify(version)}`);
  return { ...reader.rest(['imageLayoutVersion']), imageLayoutVersion: version };
}
