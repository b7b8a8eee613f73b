/**
 * The config berth builds equals docker's for the Dockerfiles in test/fixtures/docker-build/; the
 * expected JSON there was produced by docker itself (scripts/compare-build-with-docker.sh).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { build, makeStore, seedBusybox, writeContext, type TestStore } from './build-fixtures.js';

const fixtures = fileURLToPath(new URL('../../fixtures/docker-build/', import.meta.url));
const FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'];

let store: TestStore;
test.before(async () => {
  store = await makeStore();
  await seedBusybox(store);
});
test.after.always(async () => store?.dispose());

for (const file of readdirSync(fixtures).filter((name) => name.endsWith('.Dockerfile'))) {
  const name = file.replace(/\.Dockerfile$/, '');
  test(`${name}: config equals docker's`, async (t) => {
    const expected = JSON.parse(readFileSync(join(fixtures, `${name}.docker.json`), 'utf8')) as Record<string, unknown>;
    const context = await writeContext({});
    const result = await build(store.deps, { context, dockerfileText: readFileSync(join(fixtures, file), 'utf8') });
    const inspect = await store.deps.images.inspect(result.imageId);
    const config = inspect.Config as unknown as Record<string, unknown>;
    const actual: Record<string, unknown> = { Author: inspect.Author };
    for (const field of FIELDS) actual[field] = config[field] ?? null;
    t.deepEqual(actual, expected);
  });
}
