import test from 'ava';
import {
  DockerfileSyntaxError,
  expandRunMounts,
  parseGoDuration,
  parseDockerfileInstructions,
  type Instruction,
} from '../../../../source/engine/build/dockerfile/index.js';

function only(text: string): Instruction {
  const { stages } = parseDockerfileInstructions(`FROM base\n${text}\n`);
  const instruction = stages[0]?.instructions[0];
  if (!instruction) throw new Error('no instruction');
  return instruction;
}

function failure(t: import('ava').ExecutionContext, text: string, file?: string): DockerfileSyntaxError {
  const error = t.throws(() => parseDockerfileInstructions(text, file === undefined ? {} : { file }));
  if (!(error instanceof DockerfileSyntaxError)) throw new Error(`expected DockerfileSyntaxError, got ${String(error)}`);
  return error;
}

test('unknown instruction is reported with file and line like docker', (t) => {
  const text = 'FROM a\nRUN a\nRUN b\nRUN c\nRUN d\nRUN e\nCOPPY x y\n';
  const error = failure(t, text);
  t.true(error.message.startsWith('Dockerfile:7: unknown instruction: COPPY'), error.message);
  t.is(error.exitCode, 1);
  t.regex(failure(t, 'FROM a\nFOO bar\n', 'ci/Dockerfile.dev').message, /^ci\/Dockerfile\.dev:2: unknown instruction: FOO \(did you mean FROM\?\)$/);
});

test('stages are grouped by FROM with lowercased names, ARGs before FROM are meta args', (t) => {
  const result = parseDockerfileInstructions('ARG V=1 W\nFROM golang:${V} AS Build\nRUN go build\nFROM --platform=linux/amd64 scratch\nCOPY --from=build /app /\n');
  t.deepEqual(result.metaArgs[0]?.args, [{ name: 'V', default: '1' }, { name: 'W' }]);
  t.is(result.stages.length, 2);
  t.is(result.stages[0]?.name, 'build');
  t.is(result.stages[0]?.from.image, 'golang:${V}');
  t.is(result.stages[1]?.from.platform, 'linux/amd64');
  t.is(result.stages[1]?.name, undefined);
  t.is(result.stages[1]?.index, 1);
  t.deepEqual(
    result.stages[1]?.instructions.map((i) => [i.kind, i.line]),
    [['COPY', 5]],
  );
});

test('an instruction before the first FROM (other than ARG) is an error', (t) => {
  t.is(failure(t, 'RUN x\nFROM a\n').message, 'Dockerfile:1: no build stage in current context');
});

test('FROM argument counts and stage names are validated', (t) => {
  t.regex(failure(t, 'FROM a b\n').message, /FROM requires either one or three arguments/);
  t.regex(failure(t, 'FROM a AS 1st\n').message, /invalid name for build stage: "1st"/);
});

test('RUN: shell and exec form, mounts, network', (t) => {
  const shell = only('RUN --mount=type=cache,target=/root/.cache,sharing=locked --network=none apk add x');
  if (shell.kind !== 'RUN') return t.fail();
  t.is(shell.form, 'shell');
  t.deepEqual(shell.args, ['apk add x']);
  t.is(shell.network, 'none');
  t.deepEqual(shell.mounts, [{ type: 'cache', target: '/root/.cache', sharing: 'locked', readOnly: false, required: false }]);
  const exec = only('RUN ["echo", "hi"]');
  if (exec.kind !== 'RUN') return t.fail();
  t.is(exec.form, 'exec');
  t.deepEqual(exec.args, ['echo', 'hi']);
  t.is(exec.network, 'default');
});

test('RUN flag errors: unknown flag, bad network, bad mount', (t) => {
  t.regex(failure(t, 'FROM a\nRUN --mnt=type=bind x\n').message, /^Dockerfile:2: unknown flag: --mnt \(did you mean --mount\?\)$/);
  t.regex(failure(t, 'FROM a\nRUN --network=bridge x\n').message, /invalid network mode "bridge"/);
  t.regex(failure(t, 'FROM a\nRUN --mount=type=nfs x\n').message, /unsupported mount type "nfs"/);
  t.regex(failure(t, 'FROM a\nRUN --mount=type=bind,sharing=locked x\n').message, /invalid cache sharing set for bind mount/);
  t.regex(failure(t, 'FROM a\nRUN --mount=type=secret x\n').message, /invalid secret mount/);
  t.regex(failure(t, 'FROM a\nRUN --mount=type=bind,uid=1 x\n').message, /uid not allowed for "bind" type mounts/);
  t.regex(failure(t, 'FROM a\nRUN --mount=from=$X x\n').message, /doesn't support variable expansion/);
});

test('RUN mounts with $VARS are re-validated once expanded', (t) => {
  const run = only('RUN --mount=type=$T,target=/x true');
  if (run.kind !== 'RUN') return t.fail();
  t.deepEqual(expandRunMounts(run, (word) => word.replace('$T', 'tmpfs')), [{ type: 'tmpfs', target: '/x', readOnly: false, required: false }]);
  const error = t.throws(() => expandRunMounts(run, (word) => word.replace('$T', 'nfs'), 'Dockerfile'));
  t.regex(error?.message ?? '', /^Dockerfile:2: unsupported mount type "nfs"$/);
});

test('generic flag errors: duplicate, missing value, bad boolean', (t) => {
  t.regex(failure(t, 'FROM a\nCOPY --from=a --from=b x y\n').message, /duplicate flag specified: --from/);
  t.regex(failure(t, 'FROM a\nCOPY --from x y\n').message, /missing a value on flag: --from/);
  t.regex(failure(t, 'FROM a\nCOPY --link=maybe x y\n').message, /expecting boolean value for flag --link, not: maybe/);
  t.regex(failure(t, 'FROM a\nCOPY --keep-git-dir x y\n').message, /unknown flag: --keep-git-dir/);
  t.regex(failure(t, 'FROM --chown=1 a\n').message, /unknown flag: --chown/);
});

test('COPY: flags, sources, heredoc sources', (t) => {
  const copy = only('COPY --from=build --chown=app:app --chmod=0755 --link --parents --exclude=*.md --exclude=.git a b /dst/');
  if (copy.kind !== 'COPY') return t.fail();
  t.deepEqual(
    { from: copy.from, chown: copy.chown, chmod: copy.chmod, link: copy.link, parents: copy.parents, exclude: copy.exclude },
    { from: 'build', chown: 'app:app', chmod: '0755', link: true, parents: true, exclude: ['*.md', '.git'] },
  );
  t.deepEqual([copy.sources, copy.dest], [['a', 'b'], '/dst/']);
  const heredoc = only("COPY <<-EOF <<'RAW' x /etc/\n\tone $A\n\tEOF\n$B\nRAW");
  if (heredoc.kind !== 'COPY') return t.fail();
  t.deepEqual(heredoc.sources, ['x']);
  t.deepEqual(heredoc.sourceContents, [
    { path: 'EOF', data: 'one $A\n', expand: true },
    { path: 'RAW', data: '$B\n', expand: false },
  ]);
  t.regex(failure(t, 'FROM a\nCOPY x <<EOF\nhi\nEOF\n').message, /COPY cannot accept a heredoc as a destination/);
});

test('ADD: checksum, keep-git-dir, unpack', (t) => {
  const add = only('ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x/y.tar /z');
  if (add.kind !== 'ADD') return t.fail();
  t.deepEqual([add.checksum, add.keepGitDir, add.unpack], ['sha256:abc', true, false]);
  t.regex(failure(t, 'FROM a\nADD --from=x a b\n').message, /unknown flag: --from/);
});

test('ENV and LABEL pairs keep raw values; legacy form is flagged', (t) => {
  const env = only('ENV A=1 B="two words" C=$A');
  if (env.kind !== 'ENV') return t.fail();
  t.deepEqual(env.pairs, [
    { key: 'A', value: '1' },
    { key: 'B', value: '"two words"' },
    { key: 'C', value: '$A' },
  ]);
  t.false(env.legacy);
  const legacy = only('LABEL maintainer Jane Doe <j@d.e>');
  if (legacy.kind !== 'LABEL') return t.fail();
  t.deepEqual(legacy.pairs, [{ key: 'maintainer', value: 'Jane Doe <j@d.e>' }]);
  t.true(legacy.legacy);
  t.regex(failure(t, 'FROM a\nENV =x\n').message, /ENV names can not be blank/);
});

test('CMD, ENTRYPOINT, SHELL forms', (t) => {
  t.like(only('CMD ["--name", "World"]'), { kind: 'CMD', form: 'exec', args: ['--name', 'World'] });
  t.like(only('ENTRYPOINT uv run main.py'), { kind: 'ENTRYPOINT', form: 'shell', args: ['uv run main.py'] });
  t.like(only('ENTRYPOINT []'), { kind: 'ENTRYPOINT', form: 'exec', args: [] });
  t.like(only('SHELL ["/bin/bash", "-c"]'), { kind: 'SHELL', shell: ['/bin/bash', '-c'] });
  t.regex(failure(t, 'FROM a\nSHELL /bin/bash -c\n').message, /SHELL requires the arguments to be in JSON form/);
});

test('HEALTHCHECK: NONE, CMD-SHELL, durations in nanoseconds, retries', (t) => {
  t.like(only('HEALTHCHECK NONE'), { kind: 'HEALTHCHECK', health: { test: ['NONE'] } });
  t.like(only('HEALTHCHECK --interval=30s --timeout=1.5s --start-period=1m --start-interval=500ms --retries=0 CMD curl -f x'), {
    kind: 'HEALTHCHECK',
    health: { test: ['CMD-SHELL', 'curl -f x'], interval: 30e9, timeout: 1.5e9, startPeriod: 60e9, startInterval: 5e8, retries: 0 },
  });
  t.regex(failure(t, 'FROM a\nHEALTHCHECK --interval=5 CMD x\n').message, /missing unit in duration "5"/);
  t.regex(failure(t, 'FROM a\nHEALTHCHECK --interval=abc CMD x\n').message, /invalid duration "abc"/);
  t.regex(failure(t, 'FROM a\nHEALTHCHECK --retries=-1 CMD x\n').message, /--retries cannot be negative \(-1\)/);
  t.regex(failure(t, 'FROM a\nHEALTHCHECK CONNECT x\n').message, /Unknown type "CONNECT" in HEALTHCHECK \(try CMD\)/);
  t.regex(failure(t, 'FROM a\nHEALTHCHECK CMD\n').message, /Missing command after HEALTHCHECK CMD/);
  t.regex(failure(t, 'FROM a\nHEALTHCHECK NONE x\n').message, /HEALTHCHECK NONE takes no arguments/);
});

test('ONBUILD stores the trigger text, heredoc included', (t) => {
  t.like(only('ONBUILD RUN <<EOF\necho hi\nEOF'), { kind: 'ONBUILD', trigger: 'RUN <<EOF\necho hi\nEOF', triggerKeyword: 'RUN' });
  t.like(only('onbuild   copy . /app'), { trigger: 'copy . /app', triggerKeyword: 'COPY' });
  t.regex(failure(t, 'FROM a\nONBUILD MAINTAINER x\n').message, /MAINTAINER isn't allowed as an ONBUILD trigger/);
});

test('metadata instructions: EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, MAINTAINER', (t) => {
  t.like(only('EXPOSE 8080/tcp 53/udp 80'), { kind: 'EXPOSE', ports: ['53/udp', '80', '8080/tcp'] });
  t.like(only('VOLUME ["/data", "/logs"]'), { kind: 'VOLUME', volumes: ['/data', '/logs'] });
  t.like(only('VOLUME /a /b'), { kind: 'VOLUME', volumes: ['/a', '/b'] });
  t.like(only('USER app:app'), { kind: 'USER', user: 'app:app' });
  t.like(only('WORKDIR /srv/my app'), { kind: 'WORKDIR', path: '/srv/my app' });
  t.like(only('STOPSIGNAL SIGTERM'), { kind: 'STOPSIGNAL', signal: 'SIGTERM' });
  t.like(only('MAINTAINER Jane <j@d.e>'), { kind: 'MAINTAINER', maintainer: 'Jane <j@d.e>' });
  t.regex(failure(t, 'FROM a\nVOLUME [""]\n').message, /VOLUME specified can not be an empty string/);
});

test('each instruction records its line span and source text', (t) => {
  const { stages } = parseDockerfileInstructions('FROM a\n\nRUN echo a \\\n  b\nCMD ["x"]\n');
  t.deepEqual(
    stages[0]?.instructions.map((i) => [i.kind, i.line, i.endLine, i.original]),
    [
      ['RUN', 3, 4, 'RUN echo a   b'],
      ['CMD', 5, 5, 'CMD ["x"]'],
    ],
  );
});

test('Go duration syntax: units, fractions, signs', (t) => {
  t.is(parseGoDuration('1h2m3.5s'), 3723.5e9);
  t.is(parseGoDuration('250us'), 250e3);
  t.is(parseGoDuration('1µs'), 1e3);
  t.is(parseGoDuration('.5ms'), 5e5);
  t.is(parseGoDuration('0'), 0);
  t.is(parseGoDuration('-1s'), -1e9);
  t.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  t.throws(() => parseGoDuration('1d'), { message: 'time: unknown unit "d" in duration "1d"' });
});
