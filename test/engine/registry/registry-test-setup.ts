/** A fresh store root and a RegistryService over it, with a temp docker config and certs.d. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../../source/engine/index.js';
import { RegistryService, type RegistryServiceOptions } from '../../../source/engine/registry/index.js';
import type { Digest } from '../../../source/engine/util/index.js';

export interface TestStore {
  dir: string;
  engine: Engine;
  registry: RegistryService;
  /** Tags (full references) → manifest digest in the image store. */
  tags(): Promise<Record<string, Digest>>;
  dispose(): Promise<void>;
}

export async function openTestStore(
  options: RegistryServiceOptions & { base?: string } = {},
): Promise<TestStore> {
  const dir = options.base ?? (await mkdtemp(join(tmpdir(), 'berth-registry-test-')));
  const engine = await createEngine({ root: join(dir, 'root') });
  const registry = new RegistryService(
    {
      root: engine.layout.root,
      locks: engine.layout.locks,
      configPath: engine.layout.config,
      content: engine.content,
      layers: engine.layers,
      images: engine.images,
      events: engine.events,
    },
    {
      certsDir: options.certsDir ?? join(dir, 'certs.d'),
      dockerConfigDir: options.dockerConfigDir ?? join(dir, 'docker'),
      retry: options.retry ?? { attempts: 4, baseDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 5000 },
    },
  );
  return {
    dir,
    engine,
    registry,
    tags: async () => (await engine.images.read()).tags,
    dispose: async () => {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Files a failed transfer must not leave: temp blobs, unpack work dirs. */
export async function leftovers(engine: Engine): Promise<string[]> {
  const blobs = (await readdir(engine.content.blobsDir)).filter((name) => name.startsWith('.'));
  const tmp = await readdir(engine.layout.tmp).catch(() => [] as string[]);
  return [...blobs, ...tmp.filter((name) => !name.endsWith('.lock'))];
}
