import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidArgumentError,
  NetworkModeConflictError,
  checkNetworkOptions,
  parseExposeSpecs,
  parseNetworkMode,
  portsToPublish,
  publishContainerPorts,
  unpublishContainerPorts,
} from '../../../source/engine/index.js';

let dir = '';

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-ports-'));
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('--expose values become ExposedPorts keys, ranges expanded', (t) => {
  t.deepEqual(parseExposeSpecs(['80', '443/tcp', '53/UDP', '7000-7002']), {
    '80/tcp': {},
    '443/tcp': {},
    '53/udp': {},
    '7000/tcp': {},
    '7001/tcp': {},
    '7002/tcp': {},
  });
  t.deepEqual(parseExposeSpecs([]), {});
  for (const bad of ['', 'http', '0', '70000', '90-80', '80/sctp', '1.2.3.4:80'])
    t.throws(() => parseExposeSpecs([bad]), { instanceOf: InvalidArgumentError }, bad);
});

test('what a start publishes: -p, then -P adds the other exposed ports; nothing outside private mode', (t) => {
  const request = {
    networkMode: 'private',
    portBindings: { '80/tcp': [{ HostIp: '', HostPort: '18080' }] },
    exposedPorts: { '80/tcp': {}, '443/tcp': {}, '53/udp': {} },
  };
  t.deepEqual(portsToPublish(request), [{ hostIp: '', hostPort: 18080, containerPort: 80, protocol: 'tcp' }]);
  t.deepEqual(portsToPublish({ ...request, publishAll: true }), [
    { hostIp: '', hostPort: 18080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '', hostPort: 0, containerPort: 443, protocol: 'tcp' },
    { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
  ]);
  for (const networkMode of ['host', 'none', 'container:0123abcd'])
    t.deepEqual(portsToPublish({ ...request, networkMode, publishAll: true }), [], networkMode);
  t.deepEqual(portsToPublish({ networkMode: 'private', portBindings: {} }), []);
});

test('nothing to publish starts no forwarder and reports the exposed ports as unpublished', async (t) => {
  const ports = await publishContainerPorts(dir, {
    networkMode: 'private',
    portBindings: {},
    exposedPorts: { '80/tcp': {} },
  });
  t.deepEqual(ports, { '80/tcp': null });
  t.deepEqual(await publishContainerPorts(dir, { networkMode: 'host', exposedPorts: { '80/tcp': {} } }), {});
  t.deepEqual(await readdir(dir), []);
  await t.notThrowsAsync(unpublishContainerPorts(dir));
  await t.notThrowsAsync(unpublishContainerPorts(join(dir, 'missing')));
});

test('container: mode refuses publishing with exit 125; host mode warns', (t) => {
  const error = t.throws(() => checkNetworkOptions(parseNetworkMode('container:web'), { publishes: true }), {
    instanceOf: NetworkModeConflictError,
  });
  t.is(error?.exitCode, 125);
  t.deepEqual(checkNetworkOptions(parseNetworkMode('host'), { publishes: true }), [
    'WARNING: Published ports are discarded when using host network mode',
  ]);
});
