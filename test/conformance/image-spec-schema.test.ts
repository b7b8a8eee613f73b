/**
 * image-spec's own schema test tables (/work/shared/conformance/image-spec-schema/fixtures, read
 * its README): each fixture runs through berth's hand-written validator and through the
 * upstream JSON schemas in ajv, and both must give the answer image-spec's Go validator gives,
 * except where a difference is listed (and explained) in `knownDifferences`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Ajv, type AnySchemaObject } from 'ajv';
import addFormats from 'ajv-formats';
import {
  InvalidManifestError,
  parseDescriptor,
  parseImageConfig,
  parseImageLayout,
  parseIndex,
  parseManifest,
} from '../../source/engine/oci/index.js';
import { sha256 } from '../../source/engine/util/digest.js';

import { conformanceDir } from '../helpers/conformance-dir.js';
const schemaDir = path.join(conformanceDir, 'image-spec-schema');
const fixtureDir = path.join(schemaDir, 'fixtures');

interface Fixture {
  test: string;
  validator: string;
  schema: string;
  comment: string;
  expect_fail: boolean;
  doc: string;
  digest_of_doc?: string;
}

/** Where berth or the bare JSON schema deliberately differ from image-spec's Go validator. */
const knownDifferences: Array<{ comment: RegExp; berth?: boolean; schema?: boolean; why: string }> = [
  {
    comment: /^expected failure: empty layer/,
    berth: true,
    why:
      'docker builds, pushes and pulls images without layers (FROM scratch + metadata); the spec ' +
      'prose says layers SHOULD have one entry, only the schema says MUST. berth follows docker.',
  },
  // The README's three checks the Go validator does beyond the schema: berth does them too.
  {
    comment: /^expected failure: Env is invalid/,
    schema: true,
    why: 'Env NAME=value is checked in Go, not in the schema',
  },
  {
    comment: /characters needs to be lower for sha256/,
    schema: true,
    why: 'registered algorithms (sha256 = 64 lowercase hex) are checked by go-digest, not the schema',
  },
  {
    comment: /invalid data base64, missing padding/,
    schema: true,
    why: 'Go decodes []byte as padded base64',
  },
];

/** The Go test swaps docker schema2 media types for OCI ones before validating. */
function convertDockerTypes(doc: string): string {
  return doc
    .replaceAll(
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.index.v1+json',
    )
    .replaceAll(
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
    )
    .replaceAll(
      'application/vnd.docker.image.rootfs.diff.tar.gzip',
      'application/vnd.oci.image.layer.v1.tar+gzip',
    )
    .replaceAll('application/vnd.docker.container.image.v1+json', 'application/vnd.oci.image.config.v1+json');
}

const berthValidators: Record<string, (doc: string) => unknown> = {
  ValidatorMediaTypeDescriptor: parseDescriptor,
  ValidatorMediaTypeManifest: parseManifest,
  ValidatorMediaTypeImageIndex: parseIndex,
  ValidatorMediaTypeImageConfig: parseImageConfig,
  ValidatorMediaTypeLayoutHeader: parseImageLayout,
};

/** True when berth accepts the document; any error other than InvalidManifestError is a bug. */
function berthAccepts(validator: string, doc: string): { ok: boolean; message?: string } {
  const validate = berthValidators[validator];
  if (!validate) throw new Error(`no berth validator for ${validator}`);
  try {
    validate(doc);
    return { ok: true };
  } catch (error) {
    if (error instanceof InvalidManifestError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * The schemas are draft-04 with `id` and relative refs. Ajv 8 reads them once `$schema` is
 * dropped (draft-04 and draft-07 agree on every keyword these files use), nested `id`s are
 * removed (they move the base URI and break the relative refs below them), and each file is
 * registered under every URL image-spec's schema.go maps to it.
 */
const schemaAliases: Record<string, string[]> = {
  'config-schema.json': ['https://opencontainers.org/schema/image/config'],
  'content-descriptor.json': [
    'https://opencontainers.org/schema/descriptor',
    'https://opencontainers.org/schema/image/content-descriptor.json',
  ],
  'defs-descriptor.json': [
    'https://opencontainers.org/schema/defs-descriptor.json',
    'https://opencontainers.org/schema/image/defs-descriptor.json',
  ],
  'defs.json': [
    'https://opencontainers.org/schema/defs.json',
    'https://opencontainers.org/schema/image/defs.json',
    'https://opencontainers.org/schema/descriptor/defs.json',
  ],
  'image-index-schema.json': ['https://opencontainers.org/schema/image/index'],
  'image-layout-schema.json': ['https://opencontainers.org/schema/image/layout'],
  'image-manifest-schema.json': ['https://opencontainers.org/schema/image/manifest'],
};

function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key !== 'id' && key !== '$schema') out[key] = stripIds(item);
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
for (const [file, aliases] of Object.entries(schemaAliases)) {
  const schema = stripIds(JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8'))) as AnySchemaObject;
  for (const alias of aliases) ajv.addSchema(schema, alias);
}

function schemaAccepts(schemaFile: string, doc: string): { ok: boolean; errors?: string } {
  const alias = schemaAliases[schemaFile]?.[0];
  const validate = alias === undefined ? undefined : ajv.getSchema(alias);
  if (!validate) throw new Error(`no schema registered for ${schemaFile}`);
  let value: unknown;
  try {
    value = JSON.parse(doc);
  } catch {
    return { ok: false, errors: 'invalid JSON' };
  }
  const ok = validate(value) === true;
  return { ok, errors: ajv.errorsText(validate.errors) };
}

const files = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.json'))
  .sort();
const fixtures = files.flatMap((file) => {
  const { cases } = JSON.parse(readFileSync(path.join(fixtureDir, file), 'utf8')) as { cases: Fixture[] };
  return cases.map((fixture, index) => ({ file, index, fixture }));
});

test('the fixtures hold 71 cases', (t) => {
  t.is(fixtures.length, 71);
});

for (const { file, index, fixture } of fixtures) {
  const label = fixture.comment ? fixture.comment.slice(0, 70) : fixture.test;
  test(`${file} #${index}: ${label}`, (t) => {
    const goAccepts = !fixture.expect_fail;
    const difference = knownDifferences.find((known) => known.comment.test(fixture.comment));
    const isDockerDoc = file === 'backwards_compatibility.json';
    if (isDockerDoc) {
      // Real Docker Hub documents: their digest is what the registry served.
      const served: string = sha256(fixture.doc);
      t.is(served, fixture.digest_of_doc ?? '', 'digest of the document');
    }
    const schemaDoc = isDockerDoc ? convertDockerTypes(fixture.doc) : fixture.doc;

    const berth = berthAccepts(fixture.validator, fixture.doc);
    t.is(berth.ok, difference?.berth ?? goAccepts, `berth: ${berth.message ?? 'accepted'}`);
    if (!berth.ok) t.notRegex(berth.message ?? '', /\n/, 'one-line error');
    if (isDockerDoc) {
      // berth reads docker schema2 as it is; the OCI-typed version must pass as well.
      t.is(berthAccepts(fixture.validator, schemaDoc).ok, goAccepts, 'berth on the OCI-typed document');
    }

    const schema = schemaAccepts(fixture.schema, schemaDoc);
    t.is(schema.ok, difference?.schema ?? goAccepts, `JSON schema: ${schema.errors ?? ''}`);
    if (difference === undefined) t.is(berth.ok, schema.ok, 'berth agrees with the JSON schema');
  });
}
