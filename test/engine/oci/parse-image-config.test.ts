import test, { type ExecutionContext } from 'ava';
import { InvalidManifestError, parseImageConfig } from '../../../source/engine/oci/index.js';

const diffId = `sha256:${'5'.repeat(64)}`;
const minimal = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } };

/** What `docker build` writes, nulls and docker-only fields included. */
const dockerConfig = {
  architecture: 'amd64',
  os: 'linux',
  created: '2024-05-01T10:00:00.123456789Z',
  docker_version: '24.0.7',
  config: {
    Hostname: '',
    User: '1000:1000',
    Env: ['PATH=/usr/bin:/bin', 'EMPTY='],
    Cmd: null,
    Entrypoint: ['/bin/sh', '-c'],
    WorkingDir: '/srv',
    ExposedPorts: { '8080/tcp': {} },
    Volumes: { '/data': {} },
    Labels: { 'org.example': 'yes' },
    StopSignal: 'SIGTERM',
    OnBuild: null,
    Shell: ['/bin/ash', '-c'],
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Retries: 3 },
    ArgsEscaped: true,
  },
  rootfs: { type: 'layers', diff_ids: [diffId] },
  history: [
    { created: '2024-05-01T09:59:59Z', created_by: '/bin/sh -c #(nop) ADD file:x in /' },
    {
      created: '2024-05-01T10:00:00+02:00',
      created_by: 'CMD ["sh"]',
      empty_layer: true,
      comment: 'buildkit',
    },
  ],
};

function rejects(t: ExecutionContext, value: unknown, message: string): void {
  const error = t.throws(() => parseImageConfig(JSON.stringify(value)), { instanceOf: InvalidManifestError });
  t.is(error?.message, message);
}

test('the minimal OCI config parses', (t) => {
  t.deepEqual(parseImageConfig(JSON.stringify(minimal)), minimal);
});

test('a docker config parses with every docker config field typed', (t) => {
  const config = parseImageConfig(new TextEncoder().encode(JSON.stringify(dockerConfig)));
  t.deepEqual(config.config?.Env, ['PATH=/usr/bin:/bin', 'EMPTY=']);
  t.deepEqual(config.config?.Entrypoint, ['/bin/sh', '-c']);
  t.is(config.config?.Cmd, undefined, 'null Cmd reads as absent');
  t.false('OnBuild' in (config.config ?? {}));
  t.deepEqual(config.config?.ExposedPorts, { '8080/tcp': {} });
  t.deepEqual(config.config?.Healthcheck, {
    Test: ['CMD-SHELL', 'true'],
    Interval: 30_000_000_000,
    Retries: 3,
  });
  t.deepEqual(config.config?.Shell, ['/bin/ash', '-c']);
  t.is(config.config?.ArgsEscaped, true);
  t.is(config.history?.[1]?.empty_layer, true);
  t.deepEqual(config.rootfs.diff_ids, [diffId]);
  // Fields berth does not model are kept.
  t.is((config as unknown as Record<string, unknown>)['docker_version'], '24.0.7');
  t.is((config.config as unknown as Record<string, unknown>)['Hostname'], '');
});

// image-spec's own fixtures for these set "os": 123 too, so they never reach the field they name.
test('type errors are found in config, history and Volumes when os is fine', (t) => {
  rejects(
    t,
    { ...minimal, history: 'should be an array' },
    'invalid image config: history must be an array, got "should be an array"',
  );
  rejects(
    t,
    { ...minimal, config: { Env: [7353] } },
    'invalid image config: config.Env[0] must be a string, got 7353',
  );
  rejects(
    t,
    { ...minimal, config: { Volumes: ['/a'] } },
    'invalid image config: config.Volumes must be an object, got an array',
  );
  rejects(
    t,
    { ...minimal, config: { ExposedPorts: { '80/tcp': true } } },
    'invalid image config: config.ExposedPorts.80/tcp must be an object, got true',
  );
  rejects(
    t,
    { ...minimal, config: { Healthcheck: { Retries: -1 } } },
    'invalid image config: config.Healthcheck.Retries must be an integer of 0 or more, got -1',
  );
  rejects(
    t,
    { ...minimal, history: [{ empty_layer: 'yes' }] },
    'invalid image config: history[0].empty_layer must be true or false, got "yes"',
  );
});

test('required fields and formats', (t) => {
  rejects(t, { os: 'linux', rootfs: minimal.rootfs }, 'invalid image config: architecture is required');
  rejects(t, { architecture: 'amd64', os: 'linux' }, 'invalid image config: rootfs is required');
  rejects(t, { ...minimal, rootfs: { type: 'layers' } }, 'invalid image config: rootfs.diff_ids is required');
  rejects(
    t,
    { ...minimal, rootfs: { type: 'tar', diff_ids: [] } },
    'invalid image config: rootfs.type must be "layers", got "tar"',
  );
  rejects(
    t,
    { ...minimal, rootfs: { type: 'layers', diff_ids: ['abc'] } },
    'invalid image config: rootfs.diff_ids[0] is not a valid digest: "abc"',
  );
  rejects(
    t,
    { ...minimal, created: 'yesterday' },
    'invalid image config: created must be an RFC 3339 date-time, got "yesterday"',
  );
  rejects(
    t,
    { ...minimal, config: { Env: ['=x'] } },
    'invalid image config: config.Env[0] must be NAME=value, got "=x"',
  );
  rejects(
    t,
    { ...minimal, config: { Labels: { a: 1 } } },
    'invalid image config: config.Labels.a must be a string, got 1',
  );
});
