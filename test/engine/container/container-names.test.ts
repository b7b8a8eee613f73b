import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RANDOM_NAME_COUNT, randomName } from '../../../source/engine/container/container-names.js';
import { ContainerStore } from '../../../source/engine/container/container-store.js';
import type { ContainerRecord } from '../../../source/engine/container/container-record.js';
import { storeLayout } from '../../../source/engine/util/index.js';

const roots: string[] = [];
test.after.always(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

test('random names follow docker scheme and are plentiful', (t) => {
  t.true(RANDOM_NAME_COUNT > 20_000);
  for (let i = 0; i < 200; i++) t.regex(randomName(), /^[a-z]+_[a-z]+$/);
  t.regex(randomName(1), /^[a-z]+_[a-z]+\d$/);
});

test('a taken random name is drawn again; a chosen one is refused; the index follows renames', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'berth-names-'));
  roots.push(root);
  const store = new ContainerStore(storeLayout(root));
  const record = (id: string, name: string): ContainerRecord =>
    ({ id: id.repeat(64), name, created: new Date().toISOString() }) as unknown as ContainerRecord;
  await store.createWithName(record('a', 'same'));
  const drawn = await store.createWithName(record('b', 'same'), true);
  t.not(drawn.name, 'same');
  await t.throwsAsync(store.createWithName(record('c', 'same')), { message: /already in use/ });
  await store.rename('a'.repeat(64), 'other');
  await store.createWithName(record('c', 'same'));
  const index = JSON.parse(await readFile(join(root, 'containers', 'names.json'), 'utf8')) as Record<
    string,
    string
  >;
  t.is(index.other, 'a'.repeat(64));
  t.is(index.same, 'c'.repeat(64));
  // A missing index is rebuilt from the records.
  await rm(join(root, 'containers', 'names.json'));
  await t.throwsAsync(store.createWithName(record('d', 'other')), { message: /already in use/ });
});
