import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NetworkModeConflictError,
  checkNetworkOptions,
  hostsFile,
  networkModeText,
  networkNamespaceEntry,
  parseAddHost,
  parseNetworkMode,
  publishesPorts,
  resolvConf,
  runtimeNetworkMode,
  sharesEtcFiles,
  writeEtcFiles,
} from '../../../source/engine/network/index.js';

test('modes and their namespace entries', (t) => {
  for (const value of [undefined, '', 'default', 'bridge', 'private'])
    t.deepEqual(parseNetworkMode(value), { mode: 'private' });
  t.deepEqual(parseNetworkMode('none'), { mode: 'none' });
  t.deepEqual(parseNetworkMode('host'), { mode: 'host' });
  const shared = parseNetworkMode('container:web');
  t.deepEqual(shared, { mode: 'container', target: 'web' });
  t.is(networkModeText(shared), 'container:web');
  t.throws(() => parseNetworkMode('container:'), { message: 'network container: not found' });
  t.throws(() => parseNetworkMode('mynet'), { message: 'network mynet not found' });

  t.is(networkNamespaceEntry({ mode: 'host' }), undefined);
  t.deepEqual(networkNamespaceEntry({ mode: 'private' }), { type: 'network' });
  t.deepEqual(networkNamespaceEntry({ mode: 'none' }), { type: 'network' });
  t.deepEqual(networkNamespaceEntry(shared, 4242), { type: 'network', path: '/proc/4242/ns/net' });
  t.throws(() => networkNamespaceEntry(shared, 0), {
    instanceOf: NetworkModeConflictError,
    message: /non running container: web/,
  });
  t.deepEqual(runtimeNetworkMode(shared, 4242), { mode: 'container', nsPath: '/proc/4242/ns/net' });
  t.deepEqual(runtimeNetworkMode({ mode: 'host' }), { mode: 'host' });
  t.true(publishesPorts({ mode: 'private' }));
  t.false(publishesPorts({ mode: 'host' }));
  t.true(sharesEtcFiles(shared));
  t.false(sharesEtcFiles({ mode: 'none' }));
});

test('options docker refuses or drops per mode', (t) => {
  const shared = parseNetworkMode('container:db');
  t.throws(() => checkNetworkOptions(shared, { publishes: true }), {
    message: 'conflicting options: port publishing and the container type network mode',
  });
  t.throws(() => checkNetworkOptions(shared, { addHosts: ['a:1.2.3.4'] }), {
    message: /custom host-to-IP mapping/,
  });
  t.throws(() => checkNetworkOptions(shared, { hostname: 'x' }), {
    message: /hostname and the network mode/,
  });
  t.throws(() => checkNetworkOptions(shared, { dns: ['1.1.1.1'] }), { message: /dns and the network mode/ });
  t.deepEqual(checkNetworkOptions(shared, {}), []);
  t.deepEqual(checkNetworkOptions({ mode: 'host' }, { publishes: true }), [
    'WARNING: Published ports are discarded when using host network mode',
  ]);
  t.deepEqual(checkNetworkOptions({ mode: 'private' }, { publishes: true, addHosts: ['a:1.1.1.1'] }), []);
});

test('--add-host', (t) => {
  t.deepEqual(parseAddHost('db:10.0.0.5'), { name: 'db', ip: '10.0.0.5' });
  t.deepEqual(parseAddHost('db=10.0.0.5'), { name: 'db', ip: '10.0.0.5' });
  t.deepEqual(parseAddHost('v6:::1'), { name: 'v6', ip: '::1' });
  t.deepEqual(parseAddHost('v6:[fe80::1]'), { name: 'v6', ip: 'fe80::1' });
  t.deepEqual(parseAddHost('gw:host-gateway', { mode: 'host' }), { name: 'gw', ip: '127.0.0.1' });
  t.throws(() => parseAddHost('gw:host-gateway'), {
    message: /host-gateway is only reachable with --network host/,
  });
  t.throws(() => parseAddHost('nocolon'), {
    message: 'invalid argument "nocolon" for "--add-host": want name:ip',
  });
  t.throws(() => parseAddHost('db:notanip'), { message: /want name:ip/ });
});

test('/etc/hosts names the container and carries --add-host lines', (t) => {
  const text = hostsFile(
    { mode: 'private' },
    { hostname: 'abc123', extraHosts: [{ name: 'db', ip: '10.0.0.5' }] },
  );
  const lines = text.trimEnd().split('\n');
  t.is(lines[0], '127.0.0.1\tlocalhost');
  t.is(lines.at(-2), '10.0.0.5\tdb');
  t.is(lines.at(-1), '127.0.0.1\tabc123');
  t.true(text.endsWith('\n'));
  t.is(
    hostsFile({ mode: 'none' }, { hostname: 'web', domainname: 'example.org' }).trimEnd().split('\n').at(-1),
    '127.0.0.1\tweb.example.org web',
  );
  const host = hostsFile(
    { mode: 'host' },
    {
      hostname: 'h',
      hostHosts: '127.0.0.1 localhost\n10.1.1.1 box\n\n',
      extraHosts: [{ name: 'x', ip: '1.2.3.4' }],
    },
  );
  t.is(host, '127.0.0.1 localhost\n10.1.1.1 box\n1.2.3.4\tx\n');
});

test('resolv.conf drops loopback nameservers outside host mode', (t) => {
  const hostText =
    '# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver ::1\nsearch corp.example\noptions edns0\n';
  t.is(
    resolvConf({ mode: 'private' }, hostText),
    '# generated\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n',
  );
  t.is(resolvConf({ mode: 'host' }, hostText), hostText);
  const onlyLoopback = resolvConf({ mode: 'private' }, 'nameserver 127.0.0.53\nsearch lan\n');
  t.regex(onlyLoopback, /^# berth: the host's nameservers are loopback addresses/);
  t.false(/^nameserver/m.test(onlyLoopback));
  t.is(
    resolvConf({ mode: 'private' }, hostText, {
      dns: ['1.1.1.1'],
      dnsSearch: ['a.example', 'b.example'],
      dnsOptions: ['ndots:2'],
    }),
    '# generated\nnameserver 1.1.1.1\nsearch a.example b.example\noptions ndots:2\n',
  );
  t.throws(() => resolvConf({ mode: 'private' }, '', { dns: ['dns.example'] }), {
    message: 'dns.example is not an ip address',
  });
});

test('writeEtcFiles writes the three files of a container directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-etc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeEtcFiles(
    dir,
    { mode: 'private' },
    { hostname: 'c0ffee', extraHosts: [{ name: 'db', ip: '10.0.0.5' }] },
  );
  t.is(await readFile(join(dir, 'hostname'), 'utf8'), 'c0ffee\n');
  t.true((await readFile(join(dir, 'hosts'), 'utf8')).endsWith('10.0.0.5\tdb\n127.0.0.1\tc0ffee\n'));
  const resolv = await readFile(join(dir, 'resolv.conf'), 'utf8');
  t.false(/^nameserver 127\./m.test(resolv));
});
