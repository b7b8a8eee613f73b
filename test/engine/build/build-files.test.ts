/**
 * What builds put in the filesystem: COPY and ADD (directories, wildcards, --chown with names from
 * the image's /etc/passwd, --chmod, --from, archives, URLs, heredocs), RUN in shell and exec form
 * with SHELL, deletions as whiteouts, .dockerignore, multi-stage builds and ONBUILD.
 */
import { execFileSync } from 'node:child_process';
import { lstat, readFile, readlink, symlink, utimes } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { build, makeStore, seedBusybox, withImageRootfs, writeContext, type TestStore } from './build-fixtures.js';

let store: TestStore;
let server: Server;
let baseUrl: string;

test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
  server = createServer((request, response) => {
    if (request.url === '/files/hello.txt') {
      response.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
      response.end('downloaded\n');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after.always(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.dispose();
});

const read = (root: string, path: string): Promise<string> => readFile(join(root, path), 'utf8');
const exists = (root: string, path: string): Promise<boolean> => lstat(join(root, path)).then(() => true, () => false);

test('COPY places files and directory contents as docker does, with owners and modes', async (t) => {
  const context = await writeContext({
    Dockerfile: [
      'FROM busybox',
      'RUN echo "app:x:1500:1600::/home/app:/bin/sh" >> /etc/passwd && echo "appgrp:x:1600:" >> /etc/group',
      'COPY one.txt /dst/',
      'COPY one.txt /renamed.txt',
      'COPY dir /copied',
      'COPY src/*.js /js/',
      'COPY ["sp ace.txt", "/sp ace.txt"]',
      'COPY --chown=app one.txt /owned/by-name',
      'COPY --chown=7:8 --chmod=600 one.txt /owned/by-id',
      'WORKDIR /rel',
      'COPY one.txt here/',
      '',
    ].join('\n'),
    'one.txt': 'one\n',
    'dir/a.txt': 'a\n',
    'dir/sub/b.txt': 'b\n',
    'src/x.js': 'x',
    'src/y.js': 'y',
    'src/z.ts': 'z',
    'sp ace.txt': 'space',
  });
  await utimes(join(context, 'one.txt'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
  const result = await build(store.deps, { context });
  await withImageRootfs(store, result.imageId, async (root) => {
    t.is(await read(root, 'dst/one.txt'), 'one\n');
    t.is(await read(root, 'renamed.txt'), 'one\n');
    t.is(await read(root, 'copied/a.txt'), 'a\n');
    t.is(await read(root, 'copied/sub/b.txt'), 'b\n');
    t.false(await exists(root, 'copied/dir'));
    t.true(await exists(root, 'js/x.js'));
    t.true(await exists(root, 'js/y.js'));
    t.false(await exists(root, 'js/z.ts'));
    t.is(await read(root, 'sp ace.txt'), 'space');
    const byName = await lstat(join(root, 'owned/by-name'));
    t.deepEqual([byName.uid, byName.gid], [1500, 1600]);
    const byId = await lstat(join(root, 'owned/by-id'));
    t.deepEqual([byId.uid, byId.gid, byId.mode & 0o777], [7, 8, 0o600]);
    const plain = await lstat(join(root, 'dst/one.txt'));
    t.deepEqual([plain.uid, plain.gid], [0, 0]);
    t.is(plain.mtime.toISOString(), '2020-01-01T00:00:00.000Z');
    t.is(await read(root, 'rel/here/one.txt'), 'one\n');
  });
});

test('COPY errors name the Dockerfile line', async (t) => {
  const missing = await writeContext({ Dockerfile: 'FROM busybox\n\nCOPY nope.txt /x\n' });
  const error = await t.throwsAsync(build(store.deps, { context: missing }));
  t.regex(error!.message, /^Dockerfile:3: COPY failed: file not found in build context or excluded by \.dockerignore: stat nope\.txt/);
  const many = await writeContext({ Dockerfile: 'FROM busybox\nCOPY a b /x\n', a: '1', b: '2' });
  const manyError = await t.throwsAsync(build(store.deps, { context: many }));
  t.regex(manyError!.message, /^Dockerfile:2: When using COPY with more than one source file, the destination must be a directory and end with a \//);
});

test('.dockerignore hides files from COPY, with exceptions', async (t) => {
  const context = await writeContext({
    Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
    '.dockerignore': '# comment\n*.log\n!keep.log\nsecret/\n**/tmp\n',
    'a.log': 'x',
    'keep.log': 'k',
    'secret/key': 'k',
    'deep/tmp/x': 'x',
    'deep/ok': 'ok',
  });
  const result = await build(store.deps, { context });
  await withImageRootfs(store, result.imageId, async (root) => {
    t.false(await exists(root, 'ctx/a.log'));
    t.true(await exists(root, 'ctx/keep.log'));
    t.false(await exists(root, 'ctx/secret'));
    t.false(await exists(root, 'ctx/deep/tmp'));
    t.true(await exists(root, 'ctx/deep/ok'));
    t.true(await exists(root, 'ctx/Dockerfile'));
  });
  const excluded = await writeContext({ Dockerfile: 'FROM busybox\nCOPY a.log /\n', '.dockerignore': '*.log\n', 'a.log': 'x' });
  await t.throwsAsync(build(store.deps, { context: excluded }), { message: /excluded by \.dockerignore/ });
});

test('ADD unpacks local archives and downloads URLs with mode 600', async (t) => {
  const context = await writeContext({ 'payload/inner/f.txt': 'inside\n', 'plain.txt': 'plain' });
  execFileSync('tar', ['-C', join(context, 'payload'), '-czf', join(context, 'archive.tar.gz'), '.']);
  execFileSync('tar', ['-C', join(context, 'payload'), '-cjf', join(context, 'archive.tar.bz2'), '.']);
  execFileSync('tar', ['-C', join(context, 'payload'), '-cJf', join(context, 'archive.tar.xz'), '.']);
  const dockerfile = [
    'FROM busybox',
    'ADD archive.tar.gz /gz',
    'ADD archive.tar.bz2 /bz2/',
    'ADD archive.tar.xz /xz',
    'ADD plain.txt /plain.txt',
    `ADD ${baseUrl}/files/hello.txt /downloads/`,
    `ADD ${baseUrl}/files/hello.txt /named.txt`,
    '',
  ].join('\n');
  const result = await build(store.deps, { context, dockerfileText: dockerfile });
  await withImageRootfs(store, result.imageId, async (root) => {
    for (const dir of ['gz', 'bz2', 'xz']) t.is(await read(root, `${dir}/inner/f.txt`), 'inside\n');
    t.is(await read(root, 'plain.txt'), 'plain');
    t.is(await read(root, 'downloads/hello.txt'), 'downloaded\n');
    const info = await lstat(join(root, 'named.txt'));
    t.is(info.mode & 0o777, 0o600);
    t.is(info.mtime.toISOString(), '2015-10-21T07:28:00.000Z');
  });
  const failing = t.throwsAsync(
    build(store.deps, { context, dockerfileText: `FROM busybox\nADD ${baseUrl}/missing /x\n` }),
    { message: /^Dockerfile:2: failed to download .*404/ },
  );
  await failing;
});

test('RUN: shell and exec form, SHELL honoured, build args in the environment, heredocs', async (t) => {
  const dockerfile = [
    'FROM busybox',
    'ARG GREETING=hi',
    'RUN echo "$GREETING from $0" > /shell.txt',
    'RUN ["/bin/sh", "-c", "echo exec > /exec.txt"]',
    'SHELL ["/bin/sh", "-xc"]',
    'RUN echo traced > /traced.txt',
    'RUN <<EOF',
    'echo heredoc-one > /heredoc.txt',
    'echo heredoc-two >> /heredoc.txt',
    'EOF',
    'RUN cat > /fed.txt <<EOT',
    'fed by the shell',
    'EOT',
    'RUN <<EOF',
    '#!/bin/sh',
    'echo "script $0" > /script.txt',
    'EOF',
    'COPY <<EOF /etc/from-heredoc.conf',
    'greeting=${GREETING}',
    'EOF',
    '',
  ].join('\n');
  const context = await writeContext({});
  const result = await build(store.deps, { context, dockerfileText: dockerfile, buildArgs: { GREETING: 'hello' } });
  t.regex(result.output, /\+ echo traced/);
  await withImageRootfs(store, result.imageId, async (root) => {
    t.is(await read(root, 'shell.txt'), 'hello from /bin/sh\n');
    t.is(await read(root, 'exec.txt'), 'exec\n');
    t.is(await read(root, 'traced.txt'), 'traced\n');
    t.is(await read(root, 'heredoc.txt'), 'heredoc-one\nheredoc-two\n');
    t.is(await read(root, 'fed.txt'), 'fed by the shell\n');
    t.is(await read(root, 'script.txt'), 'script /dev/pipes/EOF\n');
    t.is(await read(root, 'etc/from-heredoc.conf'), 'greeting=hello\n');
  });
});

test('a failing RUN reports docker\'s message and tags nothing', async (t) => {
  const context = await writeContext({ Dockerfile: 'FROM busybox\nRUN echo partial > /p && false\n' });
  const error = await t.throwsAsync(build(store.deps, { context, tags: ['broken:1'] }));
  t.is(error!.message, "The command '/bin/sh -c echo partial > /p && false' returned a non-zero code: 1");
  await t.throwsAsync(store.deps.images.resolve('broken:1'));
  const exit = await writeContext({ Dockerfile: 'FROM busybox\nRUN ["sh", "-c", "exit 3"]\n' });
  await t.throwsAsync(build(store.deps, { context: exit }), { message: "The command 'sh -c exit 3' returned a non-zero code: 3" });
});

test('RUN rm in a later layer leaves a whiteout: the file is gone from the image', async (t) => {
  const context = await writeContext({
    Dockerfile: 'FROM busybox\nRUN mkdir -p /data/dir && echo x > /data/file && echo y > /data/dir/z\nRUN rm /data/file && rm -r /data/dir && rm /bin/vi\n',
  });
  const result = await build(store.deps, { context });
  await withImageRootfs(store, result.imageId, async (root) => {
    t.false(await exists(root, 'data/file'));
    t.false(await exists(root, 'data/dir'));
    t.false(await exists(root, 'bin/vi'));
    t.true(await exists(root, 'bin/sh'));
  });
  const config = await store.deps.images.config(result.imageId);
  t.is(config.rootfs.diff_ids.length, 3);
});

test('multi-stage: COPY --from a stage, --target builds only what it needs', async (t) => {
  const dockerfile = [
    'FROM busybox AS build',
    'RUN mkdir /out && echo binary > /out/app && echo junk > /build-only',
    'FROM busybox AS unused',
    'RUN echo never > /never',
    'FROM scratch',
    'COPY --from=build /out/app /app',
    'COPY --from=0 /bin/busybox /busybox',
    '',
  ].join('\n');
  const context = await writeContext({ Dockerfile: dockerfile });
  const result = await build(store.deps, { context });
  t.false(result.events.some((event) => event.type === 'step' && event.instruction.includes('never')));
  t.is(result.steps, 5);
  const config = await store.deps.images.config(result.imageId);
  t.is(config.rootfs.diff_ids.length, 2);
  await withImageRootfs(store, result.imageId, async (root) => {
    t.is(await read(root, 'app'), 'binary\n');
    t.false(await exists(root, 'build-only'));
    t.false(await exists(root, 'bin'));
    t.true(await exists(root, 'busybox'));
  });
  const target = await build(store.deps, { context, target: 'build' });
  t.is(target.steps, 2);
  await withImageRootfs(store, target.imageId, async (root) => t.true(await exists(root, 'build-only')));
});

test('ONBUILD triggers are stored and run by a child build', async (t) => {
  const parentContext = await writeContext({ Dockerfile: 'FROM busybox\nONBUILD COPY marker.txt /from-trigger.txt\nONBUILD RUN echo ran > /trigger-ran\n' });
  await build(store.deps, { context: parentContext, tags: ['onbuild-parent:1'] });
  const child = await writeContext({ Dockerfile: 'FROM onbuild-parent:1\nRUN cat /trigger-ran\n', 'marker.txt': 'marker\n' });
  const result = await build(store.deps, { context: child });
  t.true(result.events.some((event) => event.type === 'triggers' && event.count === 2));
  t.regex(result.output, /ran/);
  const config = await store.deps.images.config(result.imageId);
  t.is(config.config?.OnBuild, undefined);
  await withImageRootfs(store, result.imageId, async (root) => t.is(await read(root, 'from-trigger.txt'), 'marker\n'));
});

test('symlinks in the context are copied as links, WORKDIR is created when missing', async (t) => {
  const context = await writeContext({ Dockerfile: 'FROM busybox\nCOPY links /links\nWORKDIR /made/here\n', 'links/target.txt': 't' });
  await symlink('target.txt', join(context, 'links', 'link'));
  const result = await build(store.deps, { context });
  await withImageRootfs(store, result.imageId, async (root) => {
    t.is(await readlink(join(root, 'links/link')), 'target.txt');
    t.true((await lstat(join(root, 'made/here'))).isDirectory());
  });
});
