/** Image configs: OCI image-spec config plus the docker fields docker itself writes and reads. */
import { isDescriptorDigest } from './digest-format.js';
import type { ContainerConfig, HealthConfig, HistoryEntry, ImageConfig, RootFs } from './image-types.js';
import { defined, FieldReader, parseJson } from './json-reader.js';

/** RFC 3339, what Go's time.Time reads (image-spec: `created` is date-time). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const CONFIG_FIELDS = [
  'created',
  'author',
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
  'config',
  'rootfs',
  'history',
];
const CONTAINER_FIELDS = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Healthcheck',
  'Shell',
  'OnBuild',
];
const HEALTH_FIELDS = ['Test', 'Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'];
const HISTORY_FIELDS = ['created', 'author', 'created_by', 'comment', 'empty_layer'];

function readDateTime(reader: FieldReader, key: string): string | undefined {
  const value = reader.string(key);
  if (value !== undefined && !DATE_TIME.test(value)) {
    reader.fail(key, `must be an RFC 3339 date-time, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readHealthcheck(reader: FieldReader): HealthConfig {
  return {
    ...reader.rest(HEALTH_FIELDS),
    ...defined({
      Test: reader.stringArray('Test'),
      Interval: reader.integer('Interval', 0),
      Timeout: reader.integer('Timeout', 0),
      StartPeriod: reader.integer('StartPeriod', 0),
      StartInterval: reader.integer('StartInterval', 0),
      Retries: reader.integer('Retries', 0),
    }),
  };
}

function readContainerConfig(reader: FieldReader): ContainerConfig {
  const env = reader.stringArray('Env');
  env?.forEach((entry, index) => {
    // image-spec: entries are VARNAME=VARVALUE; a name is required, the value may be empty.
    if (!/^[^=]+=/.test(entry))
      reader.fail(`Env[${index}]`, `must be NAME=value, got ${JSON.stringify(entry)}`);
  });
  const healthcheck = reader.object('Healthcheck');
  return {
    ...reader.rest(CONTAINER_FIELDS),
    ...defined({
      User: reader.string('User'),
      ExposedPorts: reader.objectMap('ExposedPorts'),
      Env: env,
      Entrypoint: reader.stringArray('Entrypoint'),
      Cmd: reader.stringArray('Cmd'),
      Volumes: reader.objectMap('Volumes'),
      WorkingDir: reader.string('WorkingDir'),
      Labels: reader.stringMap('Labels'),
      StopSignal: reader.string('StopSignal'),
      ArgsEscaped: reader.boolean('ArgsEscaped'),
      Healthcheck: healthcheck && readHealthcheck(healthcheck),
      Shell: reader.stringArray('Shell'),
      OnBuild: reader.stringArray('OnBuild'),
    }),
  };
}

function readRootFs(reader: FieldReader): RootFs {
  const type = reader.requiredString('type');
  if (type !== 'layers') reader.fail('type', `must be "layers", got ${JSON.stringify(type)}`);
  const diffIds = reader.stringArray('diff_ids');
  if (diffIds === undefined) reader.fail('diff_ids', 'is required');
  const checked = diffIds.map((diffId, index) => {
    if (!isDescriptorDigest(diffId))
      reader.fail(`diff_ids[${index}]`, `is not a valid digest: ${JSON.stringify(diffId)}`);
    return diffId;
  });
  return { ...reader.rest(['type', 'diff_ids']), type, diff_ids: checked };
}

function readHistory(reader: FieldReader): HistoryEntry {
  return {
    ...reader.rest(HISTORY_FIELDS),
    ...defined({
      created: readDateTime(reader, 'created'),
      author: reader.string('author'),
      created_by: reader.string('created_by'),
      comment: reader.string('comment'),
      empty_layer: reader.boolean('empty_layer'),
    }),
  };
}

/** An image config blob (OCI `application/vnd.oci.image.config.v1+json` or docker's). */
export function parseImageConfig(input: Uint8Array | string): ImageConfig {
  const reader = new FieldReader('image config', parseJson('image config', input));
  const config = reader.object('config');
  return {
    ...reader.rest(CONFIG_FIELDS),
    ...defined({ created: readDateTime(reader, 'created'), author: reader.string('author') }),
    architecture: reader.requiredString('architecture'),
    os: reader.requiredString('os'),
    ...defined({
      'os.version': reader.string('os.version'),
      'os.features': reader.stringArray('os.features'),
      variant: reader.string('variant'),
      config: config && readContainerConfig(config),
    }),
    rootfs: readRootFs(reader.requiredObject('rootfs')),
    ...defined({ history: reader.objectArray('history')?.map(readHistory) }),
  };
}
