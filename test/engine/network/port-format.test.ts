import test from 'ava';
import {
  NoPublishedPortError,
  portCommandLines,
  portsColumn,
  publishedPorts,
  type PortMapping,
} from '../../../source/engine/network/index.js';

const bound = (
  hostIp: string,
  hostPort: number,
  containerPort: number,
  protocol: 'tcp' | 'udp' = 'tcp',
): PortMapping => ({
  hostIp,
  hostPort,
  containerPort,
  protocol,
});

test('NetworkSettings.Ports: bound ports with real numbers, exposed-only ones null', (t) => {
  const ports = publishedPorts(
    [bound('127.0.0.1', 18080, 80), bound('127.0.0.1', 33000, 80), bound('::1', 5353, 53, 'udp')],
    {
      '80/tcp': {},
      '443/tcp': {},
    },
  );
  t.deepEqual(ports, {
    '80/tcp': [
      { HostIp: '127.0.0.1', HostPort: '18080' },
      { HostIp: '127.0.0.1', HostPort: '33000' },
    ],
    '443/tcp': null,
    '53/udp': [{ HostIp: '::1', HostPort: '5353' }],
  });
});

test('ps PORTS column as docker prints it', (t) => {
  t.is(portsColumn(publishedPorts([bound('127.0.0.1', 18080, 80)])), '127.0.0.1:18080->80/tcp');
  t.is(
    portsColumn(publishedPorts([bound('127.0.0.1', 18080, 80)], { '443/tcp': {} })),
    '443/tcp, 127.0.0.1:18080->80/tcp',
  );
  // Same-number mappings and exposed runs group into ranges; others are listed after them.
  t.is(
    portsColumn(
      publishedPorts(
        [bound('127.0.0.1', 8000, 8000), bound('127.0.0.1', 8001, 8001), bound('127.0.0.1', 9000, 90)],
        {
          '5000/udp': {},
          '5001/udp': {},
          '5003/udp': {},
        },
      ),
    ),
    '5000-5001/udp, 5003/udp, 127.0.0.1:8000-8001->8000-8001/tcp, 127.0.0.1:9000->90/tcp',
  );
  t.is(portsColumn(publishedPorts([bound('::1', 8080, 80)])), '[::1]:8080->80/tcp');
  t.is(portsColumn({}), '');
  t.is(portsColumn(undefined), '');
});

test('port command lines, naturally sorted, and a single private port', (t) => {
  const ports = publishedPorts(
    [
      bound('127.0.0.1', 18080, 80),
      bound('127.0.0.1', 9000, 9000),
      bound('::1', 5353, 53, 'udp'),
      bound('127.0.0.1', 18081, 80),
    ],
    {
      '443/tcp': {},
    },
  );
  t.deepEqual(portCommandLines(ports, 'web'), [
    '53/udp -> [::1]:5353',
    '80/tcp -> 127.0.0.1:18080',
    '80/tcp -> 127.0.0.1:18081',
    '9000/tcp -> 127.0.0.1:9000',
  ]);
  t.deepEqual(portCommandLines(ports, 'web', '80'), ['127.0.0.1:18080', '127.0.0.1:18081']);
  t.deepEqual(portCommandLines(ports, 'web', '53/udp'), ['[::1]:5353']);
  const missing = t.throws(() => portCommandLines(ports, 'web', '443'), { instanceOf: NoPublishedPortError });
  t.is(missing.message, "No public port '443' published for web");
  t.throws(() => portCommandLines(ports, 'web', 'http'), { message: 'invalid port (http)' });
  t.deepEqual(portCommandLines(null, 'web'), []);
});
