/** Content descriptors and platforms, shared by manifests and indexes. */
import { checkDigest } from './digest-format.js';
import type { Descriptor, Platform } from './image-types.js';
import { defined, FieldReader, parseJson } from './json-reader.js';
import { MEDIA_TYPE_GRAMMAR } from './media-types.js';

/** RFC 3986 absolute URI: a scheme, then no whitespace or characters URIs never hold raw. */
const URI_GRAMMAR = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$/;
/** Standard base64 with padding, as Go decodes []byte fields. */
const BASE64_GRAMMAR = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const DESCRIPTOR_FIELDS = [
  'mediaType',
  'digest',
  'size',
  'urls',
  'annotations',
  'data',
  'artifactType',
  'platform',
];
const PLATFORM_FIELDS = ['architecture', 'os', 'os.version', 'os.features', 'variant', 'features'];

export function readMediaType(reader: FieldReader, key: string, required: true): string;
export function readMediaType(reader: FieldReader, key: string, required?: false): string | undefined;
export function readMediaType(reader: FieldReader, key: string, required = false): string | undefined {
  const value = required ? reader.requiredString(key) : reader.string(key);
  if (value !== undefined && !MEDIA_TYPE_GRAMMAR.test(value)) {
    reader.fail(key, `must be a media type (type/subtype), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function readPlatform(reader: FieldReader): Platform {
  return {
    ...reader.rest(PLATFORM_FIELDS),
    architecture: reader.requiredString('architecture'),
    os: reader.requiredString('os'),
    ...defined({
      'os.version': reader.string('os.version'),
      'os.features': reader.stringArray('os.features'),
      variant: reader.string('variant'),
      features: reader.stringArray('features'),
    }),
  };
}

export function readDescriptor(reader: FieldReader): Descriptor {
  const mediaType = readMediaType(reader, 'mediaType', true);
  const size = reader.requiredInteger('size', 0);
  const digest = reader.requiredString('digest');
  const check = checkDigest(digest);
  // Unknown algorithms pass when they fit the grammar: the spec allows them, berth cannot verify them.
  if (!check.ok && check.problem !== 'unsupported') {
    reader.fail('digest', `is not a valid digest (${check.message}): ${JSON.stringify(digest)}`);
  }
  const urls = reader.stringArray('urls');
  urls?.forEach((url, index) => {
    if (!URI_GRAMMAR.test(url))
      reader.fail(`urls[${index}]`, `must be an absolute URL, got ${JSON.stringify(url)}`);
  });
  const data = reader.string('data');
  if (data !== undefined && !BASE64_GRAMMAR.test(data)) reader.fail('data', 'must be base64 with padding');
  const platform = reader.object('platform');
  return {
    ...reader.rest(DESCRIPTOR_FIELDS),
    mediaType,
    digest: digest as Descriptor['digest'],
    size,
    ...defined({
      urls,
      annotations: reader.stringMap('annotations'),
      data,
      artifactType: readMediaType(reader, 'artifactType'),
      platform: platform && readPlatform(platform),
    }),
  };
}

/** A descriptor document (`application/vnd.oci.descriptor.v1+json`). */
export function parseDescriptor(input: Uint8Array | string): Descriptor {
  return readDescriptor(new FieldReader('descriptor', parseJson('descriptor', input)));
}
