import test from 'ava';
import {
  InvalidPublishError,
  exposedPortsOf,
  fromPortBindings,
  parsePublishSpec,
  parsePublishSpecs,
  publishAllExposed,
  toPortBindings,
  type PortMapping,
} from '../../../source/engine/network/index.js';

const tcp = (hostIp: string, hostPort: number, containerPort: number): PortMapping => ({
  hostIp,
  hostPort,
  containerPort,
  protocol: 'tcp',
});

test('docker -p forms', (t) => {
  t.deepEqual(parsePublishSpec('18080:80'), [tcp('', 18080, 80)]);
  t.deepEqual(parsePublishSpec('127.0.0.1:18080:80'), [tcp('127.0.0.1', 18080, 80)]);
  t.deepEqual(parsePublishSpec('127.0.0.1::80'), [tcp('127.0.0.1', 0, 80)]);
  t.deepEqual(parsePublishSpec('80'), [tcp('', 0, 80)]);
  t.deepEqual(parsePublishSpec('0:80'), [tcp('', 0, 80)]);
  t.deepEqual(parsePublishSpec('53:53/udp'), [
    { hostIp: '', hostPort: 53, containerPort: 53, protocol: 'udp' },
  ]);
  t.deepEqual(parsePublishSpec('8080:80/TCP'), [tcp('', 8080, 80)]);
  t.deepEqual(parsePublishSpec('[::1]:8080:80'), [tcp('::1', 8080, 80)]);
  t.deepEqual(parsePublishSpec('[::1]::80'), [tcp('::1', 0, 80)]);
  // docker's unbracketed IPv6: everything before the last two parts is the address.
  t.deepEqual(parsePublishSpec('::1:8080:80'), [tcp('::1', 8080, 80)]);
});

test('ranges', (t) => {
  t.deepEqual(parsePublishSpec('8000-8001:80-81'), [tcp('', 8000, 80), tcp('', 8001, 81)]);
  t.deepEqual(
    parsePublishSpec('127.0.0.1:8000-8001:80-81/udp').map((m) => m.protocol),
    ['udp', 'udp'],
  );
  t.deepEqual(parsePublishSpec('80-82'), [tcp('', 0, 80), tcp('', 0, 81), tcp('', 0, 82)]);
  t.deepEqual(parsePublishSpec('8000-8010:80'), [{ ...tcp('', 8000, 80), hostPortLast: 8010 }]);
  t.deepEqual(parsePublishSpecs(['1:2', '3']), [tcp('', 1, 2), tcp('', 0, 3)]);
});

test('bad specs name the argument and what is wrong', (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['abc', /invalid containerPort: abc/],
    ['80:', /invalid containerPort: \(empty\)/],
    ['x:80', /invalid hostPort: x/],
    ['70000:80', /invalid hostPort: 70000/],
    ['80:0', /invalid containerPort: 0/],
    ['999.1.1.1:80:80', /invalid ip address: 999\.1\.1\.1/],
    ['localhost:80:80', /invalid ip address: localhost/],
    ['80/sctp', /sctp is not supported/],
    ['80/icmp', /invalid proto: icmp/],
    ['80/', /invalid proto: \(empty\)/],
    ['8000-8002:80-81', /host range 8000-8002 and container range 80-81 differ in size/],
    ['82-80', /invalid containerPort: 82-80/],
    ['[::1:80:80', /invalid ip address/],
  ];
  for (const [spec, message] of cases) {
    const error = t.throws(() => parsePublishSpec(spec), { instanceOf: InvalidPublishError }, spec);
    t.true(error.message.startsWith(`invalid publish spec "${spec}": `), error.message);
    t.regex(error.message, message);
    t.is(error.exitCode, 125);
  }
});

test('-P publishes every exposed port to a free one, explicit -p wins', (t) => {
  const exposed = { '80/tcp': {}, '443/tcp': {}, '53/udp': {}, bogus: {} };
  const explicit = parsePublishSpec('127.0.0.1:18080:80');
  t.deepEqual(publishAllExposed(exposed, explicit), [
    tcp('127.0.0.1', 18080, 80),
    tcp('', 0, 443),
    { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
  ]);
  t.deepEqual(publishAllExposed(null), []);
});

test('docker PortBindings round trip, and published ports become exposed', (t) => {
  const mappings = [
    ...parsePublishSpec('127.0.0.1:18080:80'),
    ...parsePublishSpec('8000-8010:81'),
    ...parsePublishSpec('[::1]::53/udp'),
    tcp('', 0, 80),
  ];
  const bindings = toPortBindings(mappings);
  t.deepEqual(bindings, {
    '80/tcp': [
      { HostIp: '127.0.0.1', HostPort: '18080' },
      { HostIp: '', HostPort: '' },
    ],
    '81/tcp': [{ HostIp: '', HostPort: '8000-8010' }],
    '53/udp': [{ HostIp: '::1', HostPort: '' }],
  });
  t.deepEqual(fromPortBindings(bindings), [mappings[0], mappings[3], mappings[1], mappings[2]]);
  t.deepEqual(fromPortBindings(undefined), []);
  t.deepEqual(exposedPortsOf(mappings, { '9000/tcp': {} }), {
    '9000/tcp': {},
    '80/tcp': {},
    '81/tcp': {},
    '53/udp': {},
  });
  t.throws(() => fromPortBindings({ 'x/tcp': [] }), { instanceOf: InvalidPublishError });
});
