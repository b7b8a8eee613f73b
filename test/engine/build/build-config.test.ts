/**
 * The image config a build produces: every metadata instruction with docker's semantics,
 * variable expansion where docker expands (and not where it does not), and history entries like
 * docker's classic builder.
 */
import test from 'ava';
import { build, makeStore, seedBusybox, writeContext, type TestStore } from './build-fixtures.js';

let store: TestStore;
test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
});
test.after.always(async () => store?.dispose());

async function configOf(dockerfile: string, options: { buildArgs?: Record<string, string>; labels?: Record<string, string> } = {}) {
  const context = await writeContext({ Dockerfile: dockerfile });
  const result = await build(store.deps, { context, ...options });
  return { result, image: await store.deps.images.config(result.imageId) };
}

test('metadata instructions set the config as docker does', async (t) => {
  const { image } = await configOf(
    [
      'FROM busybox',
      'MAINTAINER Jane <jane@example.com>',
      'ENV APP=/srv/app PORT=8080',
      'ENV LEGACY value with spaces',
      'LABEL org.example.name="my app" version=1.0',
      'EXPOSE $PORT 53/udp 7000-7001',
      'VOLUME ["/data", "$APP/cache"]',
      'USER nobody:nobody',
      'WORKDIR $APP',
      'WORKDIR sub',
      'STOPSIGNAL SIGQUIT',
      'HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD wget -q localhost:$PORT || exit 1',
      'SHELL ["/bin/sh", "-ec"]',
      'ONBUILD RUN echo child',
      'CMD echo $APP',
      '',
    ].join('\n'),
  );
  const config = image.config!;
  t.deepEqual(config.Env, [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'APP=/srv/app',
    'PORT=8080',
    'LEGACY=value with spaces',
  ]);
  t.is(image.author, 'Jane <jane@example.com>');
  t.deepEqual(config.Labels, { 'org.example.name': 'my app', version: '1.0' });
  t.deepEqual(config.ExposedPorts, { '8080/tcp': {}, '53/udp': {}, '7000/tcp': {}, '7001/tcp': {} });
  t.deepEqual(config.Volumes, { '/data': {}, '/srv/app/cache': {} });
  t.is(config.User, 'nobody:nobody');
  t.is(config.WorkingDir, '/srv/app/sub');
  t.is(config.StopSignal, 'SIGQUIT');
  t.deepEqual(config.Healthcheck, {
    Test: ['CMD-SHELL', 'wget -q localhost:$PORT || exit 1'],
    Interval: 30e9,
    Timeout: 5e9,
    Retries: 3,
  });
  t.deepEqual(config.Shell, ['/bin/sh', '-ec']);
  t.deepEqual(config.OnBuild, ['RUN echo child']);
  // CMD is not expanded by the builder, and the shell form goes through SHELL.
  t.deepEqual(config.Cmd, ['/bin/sh', '-ec', 'echo $APP']);
});

test('history records every step like the classic builder, empty_layer for metadata', async (t) => {
  const { image } = await configOf('FROM busybox\nARG V=1\nENV A=b\nRUN echo $V > /v\nCMD ["sh"]\nWORKDIR /w\n', {
    buildArgs: { V: '2' },
  });
  const history = image.history!.slice(-5);
  t.deepEqual(
    history.map((entry) => [entry.created_by, entry.empty_layer ?? false]),
    [
      ['/bin/sh -c #(nop)  ARG V=1', true],
      ['/bin/sh -c #(nop)  ENV A=b', true],
      ['|1 V=2 /bin/sh -c echo $V > /v', false],
      ['/bin/sh -c #(nop)  CMD ["sh"]', true],
      ['/bin/sh -c #(nop) WORKDIR /w', false],
    ],
  );
  t.is(image.rootfs.diff_ids.length, 3);
});

test('ENTRYPOINT drops the inherited CMD but keeps one set in the same stage', async (t) => {
  const parent = await configOf('FROM busybox\nCMD ["--name", "World"]\n');
  t.deepEqual(parent.image.config?.Cmd, ['--name', 'World']);
  const reset = await configOf('FROM busybox\nENTRYPOINT ["uv", "run", "main.py"]\n');
  t.deepEqual(reset.image.config?.Entrypoint, ['uv', 'run', 'main.py']);
  t.is(reset.image.config?.Cmd, undefined);
  const kept = await configOf('FROM busybox\nCMD ["--name", "World"]\nENTRYPOINT ["uv", "run", "main.py"]\n');
  t.deepEqual(kept.image.config?.Cmd, ['--name', 'World']);
  const shell = await configOf('FROM busybox\nENTRYPOINT exec top -b\n');
  t.deepEqual(shell.image.config?.Entrypoint, ['/bin/sh', '-c', 'exec top -b']);
});

test('ARG scoping: meta args in FROM, re-declared in a stage, ENV wins over ARG', async (t) => {
  const dockerfile = [
    'ARG BASE=busybox',
    'ARG TAG=latest',
    'FROM ${BASE}:${TAG}',
    'ARG TAG',
    'ARG UNSET',
    'ENV FROM_META=$TAG SEEN=${UNSET:-none}',
    'ARG WHO=arg',
    'ENV WHO=env',
    'LABEL who=$WHO',
    '',
  ].join('\n');
  const { image } = await configOf(dockerfile);
  t.true(image.config!.Env!.includes('FROM_META=latest'));
  t.true(image.config!.Env!.includes('SEEN=none'));
  t.is(image.config!.Labels!.who, 'env');
  const { result } = await configOf('FROM busybox\nARG USED\nLABEL u=$USED\n', { buildArgs: { USED: 'x', EXTRA: 'y' } });
  t.true(
    result.events.some((event) => event.type === 'warning' && event.message === 'One or more build-args [EXTRA] were not consumed'),
  );
});

test('proxy args reach RUN without being declared and stay out of history', async (t) => {
  const { result, image } = await configOf('FROM busybox\nRUN echo "proxy=$HTTP_PROXY" > /proxy\n', {
    buildArgs: { HTTP_PROXY: 'http://proxy.invalid:3128' },
  });
  t.is(image.history!.at(-1)!.created_by, '|0 /bin/sh -c echo "proxy=$HTTP_PROXY" > /proxy');
  t.false(JSON.stringify(image).includes('proxy.invalid'));
  t.false(result.events.some((event) => event.type === 'warning'));
});

test('--label adds a last LABEL step; FROM scratch gets a default PATH', async (t) => {
  const { result, image } = await configOf('FROM scratch\nENV A=1\n', { labels: { 'com.example': 'yes' } });
  t.is(result.steps, 3);
  t.deepEqual(image.config!.Labels, { 'com.example': 'yes' });
  t.deepEqual(image.config!.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
  t.deepEqual(image.rootfs.diff_ids, []);
});
