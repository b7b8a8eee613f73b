import test from 'ava';
import {
  DuplicateMountPointError,
  parseMountFlag,
  parseMountRequest,
  parseTmpfsFlag,
  parseVolumeFlag,
  parseVolumesFromFlag,
  splitCsvRecord,
} from '../../../source/engine/volume/index.js';

const cwd = '/home/user/project';

test('-v DEST is an anonymous volume', (t) => {
  t.deepEqual(parseVolumeFlag('/data', cwd), {
    type: 'volume',
    target: '/data',
    readOnly: false,
    noCopy: false,
    labels: {},
  });
  t.is(parseVolumeFlag('/data//sub/../x/', cwd).target, '/data/x');
});

test('-v NAME:DEST[:MODE] is a named volume', (t) => {
  t.deepEqual(parseVolumeFlag('cache:/var/cache', cwd), {
    type: 'volume',
    source: 'cache',
    target: '/var/cache',
    readOnly: false,
    noCopy: false,
    labels: {},
  });
  t.like(parseVolumeFlag('cache:/c:ro', cwd), {
    type: 'volume',
    source: 'cache',
    readOnly: true,
    mode: 'ro',
  });
  t.like(parseVolumeFlag('cache:/c:rw,nocopy', cwd), { readOnly: false, noCopy: true });
  t.like(parseVolumeFlag('cache:/c:z', cwd), { readOnly: false, mode: 'z' });
});

test('-v /HOST:DEST[:MODE] is a bind that creates a missing source', (t) => {
  t.deepEqual(parseVolumeFlag('/srv/www:/usr/share/www', cwd), {
    type: 'bind',
    source: '/srv/www',
    target: '/usr/share/www',
    readOnly: false,
    createSource: true,
    nonRecursive: false,
  });
  t.like(parseVolumeFlag('/srv/www/:/w:ro,rshared', cwd), {
    source: '/srv/www',
    readOnly: true,
    propagation: 'rshared',
  });
  t.like(parseVolumeFlag('./site:/w', cwd), { type: 'bind', source: '/home/user/project/site' });
  t.like(parseVolumeFlag('../up:/w', cwd), { type: 'bind', source: '/home/user/up' });
  t.like(parseVolumeFlag('.:/w', cwd), { type: 'bind', source: '/home/user/project' });
});

test('-v errors name the argument', (t) => {
  const cases: [string, RegExp][] = [
    ['relative', /mount path must be absolute/],
    ['name:relative', /mount path must be absolute/],
    ['/data:ro', /a destination alone cannot take a mode/],
    ['a:b:c:d', /too many colons/],
    [':/data', /empty source/],
    ['name:', /empty destination/],
    ['name:/', /destination can't be '\/'/],
    ['name:/d:ro,rw', /invalid mode: ro,rw/],
    ['name:/d:bogus', /invalid mode: bogus/],
    ['name:/d:rshared', /propagation mode applies to bind mounts/],
    ['/h:/d:nocopy', /nocopy applies to volumes/],
    ['bad/name:/d', /"bad\/name" includes invalid characters for a local volume name/],
    ['~/x:/d', /includes invalid characters/],
    ['x:/d', /"x" includes invalid characters/],
  ];
  for (const [raw, why] of cases) {
    const error = t.throws(() => parseVolumeFlag(raw, cwd), undefined, raw);
    t.true(error?.message.startsWith(`invalid argument "${raw}" for "-v, --volume" flag: `), error?.message);
    t.regex(error?.message ?? '', why, raw);
  }
});

test('--mount volume, bind and tmpfs', (t) => {
  t.deepEqual(
    parseMountFlag(
      'type=volume,source=db,target=/var/lib/db,volume-label=a=b,volume-label=c,volume-nocopy',
      cwd,
    ),
    {
      type: 'volume',
      source: 'db',
      target: '/var/lib/db',
      readOnly: false,
      noCopy: true,
      labels: { a: 'b', c: '' },
    },
  );
  t.like(
    parseMountFlag('target=/anon', cwd),
    { type: 'volume', target: '/anon', readOnly: false },
    'type defaults to volume',
  );
  t.false('source' in parseMountFlag('dst=/anon', cwd));
  t.deepEqual(parseMountFlag('type=bind,src=/etc/app,dst=/app,readonly,bind-propagation=rslave', cwd), {
    type: 'bind',
    source: '/etc/app',
    target: '/app',
    readOnly: true,
    propagation: 'rslave',
    createSource: false,
    nonRecursive: false,
  });
  t.like(parseMountFlag('type=bind,source=./conf,destination=/c,ro=false,bind-nonrecursive', cwd), {
    source: '/home/user/project/conf',
    readOnly: false,
    nonRecursive: true,
  });
  t.deepEqual(parseMountFlag('type=tmpfs,target=/run,tmpfs-size=64m,tmpfs-mode=1770', cwd), {
    type: 'tmpfs',
    target: '/run',
    readOnly: false,
    options: [`size=${64 * 1024 * 1024}`, 'mode=1770'],
    fromTmpfsFlag: false,
  });
  t.like(
    parseMountFlag('"type=volume","src=x1","target=/a,b"', cwd),
    { source: 'x1', target: '/a,b' },
    'CSV quoting',
  );
  t.like(parseMountFlag('TYPE=BIND,Source=/x,Target=/y,RO=1', cwd), { type: 'bind', readOnly: true });
});

test('--mount errors name the argument', (t) => {
  const cases: [string, RegExp][] = [
    ['type=bind,target=/x', /field Source must not be empty/],
    ['type=volume', /target is required/],
    ['type=,target=/x', /type is required/],
    ['type=nfs,target=/x', /mount type unknown/],
    ['type=bind,source=rel,target=/x', /mount path must be absolute/],
    ['type=bind,source=/h,target=rel', /invalid mount path: 'rel'/],
    ['type=volume,target=/', /destination can't be '\/'/],
    ['type=volume,target=/x,readonly', /must not set ReadOnly mode when using anonymous volumes/],
    ['type=tmpfs,source=x,target=/t', /field Source must not be specified/],
    ['type=bind,source=/h,target=/x,volume-nocopy', /cannot mix 'volume-\*' options with mount type 'bind'/],
    [
      'type=volume,target=/x,bind-propagation=shared',
      /cannot mix 'bind-\*' options with mount type 'volume'/,
    ],
    ['type=volume,target=/x,tmpfs-size=1m', /cannot mix 'tmpfs-\*' options with mount type 'volume'/],
    ['type=bind,source=/h,target=/x,bind-propagation=sideways', /invalid propagation mode: sideways/],
    ['type=volume,target=/x,colour=red', /unexpected key 'colour' in 'colour=red'/],
    ['type=volume,target=/x,bogus', /invalid field 'bogus' must be a key=value pair/],
    ['type=volume,target=/x,readonly=maybe', /invalid value for readonly: maybe/],
    ['type=tmpfs,target=/x,tmpfs-size=lots', /invalid value for tmpfs-size: lots/],
    ['type=tmpfs,target=/x,tmpfs-mode=999', /invalid value for tmpfs-mode: 999/],
    ['type=volume,source=a/b,target=/x', /includes invalid characters/],
    ['type=volume,target="/x', /not a valid CSV record/],
    ['type=volume,volume-driver=nfs,target=/x', /volume driver "nfs" is not available/],
  ];
  for (const [raw, why] of cases) {
    const error = t.throws(() => parseMountFlag(raw, cwd), undefined, raw);
    t.true(error?.message.startsWith(`invalid argument "${raw}" for "--mount" flag: `), error?.message);
    t.regex(error?.message ?? '', why, raw);
  }
});

test('splitCsvRecord follows encoding/csv', (t) => {
  t.deepEqual(splitCsvRecord('a,b,,c'), ['a', 'b', '', 'c']);
  t.deepEqual(splitCsvRecord('"a,b","say ""hi"""'), ['a,b', 'say "hi"']);
  t.is(splitCsvRecord('a"b'), undefined);
  t.is(splitCsvRecord('"ab"c'), undefined);
});

test('--tmpfs DEST[:OPTIONS]', (t) => {
  t.deepEqual(parseTmpfsFlag('/run'), {
    type: 'tmpfs',
    target: '/run',
    readOnly: false,
    options: [],
    fromTmpfsFlag: true,
  });
  t.deepEqual(parseTmpfsFlag('/run:rw,size=64m,mode=1777,exec,uid=1000'), {
    type: 'tmpfs',
    target: '/run',
    readOnly: false,
    options: ['size=64m', 'mode=1777', 'exec', 'uid=1000'],
    fromTmpfsFlag: true,
  });
  t.true(parseTmpfsFlag('/ro:ro').readOnly);
  t.throws(() => parseTmpfsFlag('run'), {
    message: /invalid argument "run" for "--tmpfs" flag: .*must be absolute/,
  });
  t.throws(() => parseTmpfsFlag('/run:size=big'), { message: /invalid tmpfs option "size=big"/ });
  t.throws(() => parseTmpfsFlag('/run:bogus'), { message: /invalid tmpfs option "bogus"/ });
  t.throws(() => parseTmpfsFlag('/:size=1m'), { message: /destination can't be/ });
});

test('--volumes-from CONTAINER[:ro|rw]', (t) => {
  t.deepEqual(parseVolumesFromFlag('data'), { container: 'data' });
  t.deepEqual(parseVolumesFromFlag('data:ro'), { container: 'data', mode: 'ro' });
  t.deepEqual(parseVolumesFromFlag('abc123:rw'), { container: 'abc123', mode: 'rw' });
  t.throws(() => parseVolumesFromFlag(''), { message: /cannot be an empty string/ });
  t.throws(() => parseVolumesFromFlag(':ro'), {
    message: /invalid argument ":ro" for "--volumes-from" flag: no container named/,
  });
  t.throws(() => parseVolumesFromFlag('data:rshared'), { message: /invalid mode: rshared/ });
  t.throws(() => parseVolumesFromFlag('data:bogus'), { message: /invalid mode: bogus/ });
});

test('parseMountRequest combines flags and refuses duplicate destinations', (t) => {
  const request = parseMountRequest(
    {
      volume: ['v1:/a', '/b'],
      mount: ['type=bind,source=/h,target=/c'],
      tmpfs: ['/t', '/t:size=1m'],
      volumesFrom: ['other:ro'],
    },
    cwd,
  );
  t.deepEqual(
    request.mounts.map((mount) => [mount.type, mount.target]),
    [
      ['volume', '/a'],
      ['volume', '/b'],
      ['bind', '/c'],
      ['tmpfs', '/t'],
    ],
  );
  t.deepEqual(
    request.mounts.at(-1),
    { type: 'tmpfs', target: '/t', readOnly: false, options: ['size=1m'], fromTmpfsFlag: true },
    'the last --tmpfs for a path wins',
  );
  t.deepEqual(request.volumesFrom, [{ container: 'other', mode: 'ro' }]);
  t.throws(() => parseMountRequest({ volume: ['a1:/x', 'b1:/x/'] }), {
    instanceOf: DuplicateMountPointError,
    message: 'Duplicate mount point: /x',
  });
  t.throws(() => parseMountRequest({ volume: ['a1:/x'], mount: ['target=/x'] }), {
    message: 'Duplicate mount point: /x',
  });
  t.throws(() => parseMountRequest({ tmpfs: ['/x'], volume: ['/x'] }), {
    message: 'Duplicate mount point: /x',
  });
  t.deepEqual(parseMountRequest({}), { mounts: [], volumesFrom: [] });
});
