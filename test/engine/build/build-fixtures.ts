/**
 * Shared setup for the builder tests: a fresh store with the real busybox test image, context
 * directories written from a file map, and a read-only view of an image's root filesystem.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createEngine } from '../../../source/engine/engine.js';
import { buildImage, builderDeps, type BuildEvent, type BuildOptions, type BuildResult, type BuilderDeps } from '../../../source/engine/build/index.js';
import { mountRootfs, rootfsDirs, unmountRootfs } from '../../../source/engine/runtime/index.js';
import type { Digest } from '../../../source/engine/util/index.js';
import { seedBusybox as seedBusyboxImage } from '../../fixtures/busybox.js';

/** Context directories written by this test file, removed with its store. */
const contexts: string[] = [];

export interface TestStore {
  root: string;
  deps: BuilderDeps;
  dispose(): Promise<void>;
}

export async function makeStore(): Promise<TestStore> {
  const root = await mkdtemp(join(tmpdir(), 'berth-build-'));
  const engine = await createEngine({ root });
  const deps = builderDeps(engine);
  return {
    root,
    deps,
    dispose: async () => {
      // Anything a failed test left mounted under the store goes first.
      const mounts = execFileSync('cat', ['/proc/mounts'], { encoding: 'utf8' })
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
        .filter((point) => point.startsWith(root));
      for (const point of mounts.reverse()) execFileSync('umount', ['-l', point]);
      await rm(root, { recursive: true, force: true });
      for (const dir of contexts.splice(0)) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** busybox:latest (root and nobody in /etc/passwd, Cmd ["sh"]) in the store; returns its id. */
export async function seedBusybox(store: TestStore, tag = 'busybox:latest'): Promise<Digest> {
  return seedBusyboxImage(store.root, tag);
}

/** Writes a context directory from `files` (path → content; a trailing `/` makes a directory). */
export async function writeContext(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
  contexts.push(dir);
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) {
      await mkdir(join(dir, path), { recursive: true });
      continue;
    }
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

export interface BuildRun extends BuildResult {
  events: BuildEvent[];
  output: string;
}

export async function build(deps: BuilderDeps, options: Omit<BuildOptions, 'onEvent'>): Promise<BuildRun> {
  const events: BuildEvent[] = [];
  const result = await buildImage(deps, { ...options, onEvent: (event) => events.push(event) });
  const output = events
    .filter((event): event is Extract<BuildEvent, { type: 'output' }> => event.type === 'output')
    .map((event) => event.data)
    .join('');
  return { ...result, events, output };
}

/** Runs `inspect` with the image's root filesystem mounted read-write on a throwaway upper dir. */
/** Step numbers that were answered by the cache. */
export function cachedSteps(run: BuildRun): number[] {
  return run.events
    .filter((event): event is Extract<BuildEvent, { type: 'cached' }> => event.type === 'cached')
    .map((event) => event.step);
}

export async function withImageRootfs<T>(store: TestStore, imageId: string, inspect: (rootfs: string) => Promise<T>): Promise<T> {
  const resolved = await store.deps.images.resolve(imageId);
  const dir = await mkdtemp(join(store.root, 'view-'));
  const dirs = rootfsDirs(dir);
  await mountRootfs(dirs, store.deps.layers.lowerDirs(resolved.chainIds));
  try {
    return await inspect(dirs.merged);
  } finally {
    await unmountRootfs(dirs);
    await rm(dir, { recursive: true, force: true });
  }
}
