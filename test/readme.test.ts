// The README promises two command lines; CI must run the second one verbatim, and the version
// printed by `berth --version` must be the package's.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { version } from '../source/cli/version.js';

const readCommandLines = async (): Promise<string[]> => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/```sh\n([^\n]+)\n```/g)].map((match) => match[1] ?? '');
};

test('README has exactly two command lines', async (t) => {
  t.is((await readCommandLines()).length, 2);
});

test('.ci/run runs the README test line verbatim', async (t) => {
  const [, testLine] = await readCommandLines();
  const ci = await readFile(new URL('../.ci/run', import.meta.url), 'utf8');
  t.truthy(testLine);
  t.true(ci.split('\n').includes(testLine ?? ''), 'the README test line is a line of .ci/run');
});

test('version.ts matches package.json', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  t.is(version, pkg.version);
});
