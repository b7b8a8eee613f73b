/**
 * Registry bench: push and pull of a 5-layer ~200 MB image against a local docker-registry,
 * berth against skopeo (copy, + umoci unpack for pull) when installed, as ratios in one run.
 * Run alone: node --import tsx test/bench/workloads/registry-transfer.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRegistry } from '../../helpers/registry-server.js';
import { buildImage, type LayerFiles } from '../../engine/registry/image-fixture.js';
import { openTestStore } from '../../engine/registry/registry-test-setup.js';
import { digestHex } from '../../../source/engine/util/index.js';
import { dockerCli, peerAvailable, removeDockerImages } from '../bench-tools.js';

export interface BenchLine {
  name: string;
  berthMs: number;
  otherName?: string;
  otherMs?: number;
  /** berth time / other time: below 1 means berth is faster. */
  ratio?: number;
}

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** ~40 MB that gzips about 2:1, like real layers (text and binaries mixed). */
function layer(index: number, megabytes = 40): LayerFiles {
  const files: LayerFiles = {};
  for (let file = 0; file < 8; file++) {
    const random = randomBytes((megabytes * 1024 * 1024) / 16);
    const text = Buffer.from(random.toString('hex'));
    files[`layer${index}/file${file}.dat`] = Buffer.concat([random, text]).subarray(
      0,
      (megabytes * 1024 * 1024) / 8,
    );
  }
  return files;
}

async function time(action: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await action();
  return Math.round(performance.now() - start);
}

export async function run(): Promise<BenchLine[]> {
  const registry = await startRegistry();
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-registry-'));
  const source = await openTestStore();
  const target = await openTestStore();
  try {
    const image = await buildImage(
      source.engine,
      [0, 1, 2, 3, 4].map((i) => layer(i)),
    );
    const lines: BenchLine[] = [];
    const skopeo = has('skopeo');

    const berthPush = await time(() =>
      source.registry.pushManifest(`${registry.host}/bench/berth:1`, image.manifestDigest),
    );
    let skopeoPush: number | undefined;
    if (skopeo) {
      const layout = join(work, 'oci-src');
      await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
      for (const digest of [image.manifestDigest, image.configDigest, ...image.layerDigests]) {
        await copyFile(
          source.engine.content.path(digest),
          join(layout, 'blobs', 'sha256', digestHex(digest)),
        );
      }
      await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      await writeFile(
        join(layout, 'index.json'),
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: image.manifestDigest,
              size: image.manifestBytes.length,
              annotations: { 'org.opencontainers.image.ref.name': '1' },
            },
          ],
        }),
      );
      skopeoPush = await time(() =>
        execFileSync('skopeo', [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          `oci:${layout}:1`,
          `docker://${registry.host}/bench/skopeo:1`,
        ]),
      );
    }
    lines.push({ name: 'push 5x40MB', berthMs: berthPush, otherName: 'skopeo copy', otherMs: skopeoPush });

    const berthPull = await time(() => target.registry.pull(`${registry.host}/bench/berth:1`));
    let skopeoPull: number | undefined;
    if (skopeo && has('umoci')) {
      skopeoPull = await time(() => {
        execFileSync('skopeo', [
          'copy',
          '--quiet',
          '--src-tls-verify=false',
          `docker://${registry.host}/bench/berth:1`,
          `oci:${join(work, 'oci-dst')}:1`,
        ]);
        execFileSync('umoci', ['unpack', '--image', `${join(work, 'oci-dst')}:1`, join(work, 'bundle')]);
      });
    }
    lines.push({
      name: 'pull 5x40MB (+unpack)',
      berthMs: berthPull,
      otherName: 'skopeo copy + umoci unpack',
      otherMs: skopeoPull,
    });
    if (peerAvailable('docker')) {
      // docker treats 127.0.0.0/8 registries as insecure by default, so it pulls from the same one.
      const reference = `${registry.host}/bench/berth:1`;
      const dockerPull = await time(() => dockerCli(['pull', '--quiet', reference]));
      await removeDockerImages([reference]);
      lines.push({
        name: 'pull 5x40MB (+unpack)',
        berthMs: berthPull,
        otherName: 'docker pull',
        otherMs: dockerPull,
      });
    }
    for (const line of lines)
      if (line.otherMs) line.ratio = Math.round((line.berthMs / line.otherMs) * 100) / 100;
    return lines;
  } finally {
    await source.dispose();
    await target.dispose();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await run()) {
    const other =
      line.otherMs === undefined ? '' : ` | ${line.otherName}: ${line.otherMs} ms | ratio ${line.ratio}`;
    process.stdout.write(`${line.name}: berth ${line.berthMs} ms${other}\n`);
  }
}
