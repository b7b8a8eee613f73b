/**
 * A real (if small) image source for the container tests until the image store lands: busybox
 * from Debian's busybox-static unpacked as a genuine layer by the LayerStore, and commits stored
 * as new layers on top. Images live in a JSON file in the test's store root.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LayerStore } from '../../../source/engine/store/layer-store.js';
import { NotFoundError } from '../../../source/engine/errors/index.js';
import { sha256, storeLayout, type Digest } from '../../../source/engine/util/index.js';
import type { CommitRequest, ContainerImage, ImageSource } from '../../../source/engine/container/image-source.js';

export class TestImages implements ImageSource {
  private readonly layers: LayerStore;
  private readonly file: string;

  constructor(readonly root: string) {
    const layout = storeLayout(root);
    this.layers = new LayerStore(layout.layers, layout.tmp);
    this.file = join(root, 'test-images.json');
  }

  private async all(): Promise<Record<string, ContainerImage>> {
    return JSON.parse(await readFile(this.file, 'utf8').catch(() => '{}')) as Record<string, ContainerImage>;
  }

  private async save(ref: string, image: ContainerImage): Promise<void> {
    const images = await this.all();
    images[ref] = image;
    images[image.id] = image;
    await writeFile(this.file, JSON.stringify(images));
  }

  async resolve(ref: string): Promise<ContainerImage> {
    const images = await this.all();
    const image = images[ref] ?? images[ref.includes(':') ? ref : `${ref}:latest`];
    if (!image) throw new NotFoundError('image', ref, 'IMAGE_NOT_FOUND');
    return image;
  }

  async commit(request: CommitRequest): Promise<Digest> {
    const parent = (await this.all())[request.parent];
    if (!parent) throw new NotFoundError('image', request.parent);
    const { chainId } = await this.layers.unpack(request.layer, parent.chainIds.at(-1));
    const id = sha256(JSON.stringify({ parent: parent.id, chainId, config: request.config, at: Date.now() }));
    const ref = request.ref ?? id;
    await this.save(ref.includes(':') || ref.startsWith('sha256:') ? ref : `${ref}:latest`, {
      id,
      ref,
      config: request.config,
      chainIds: [...parent.chainIds, chainId],
    });
    return id;
  }

  /** busybox:latest from /bin/busybox with its applet links, /etc/passwd and /etc/group. */
  async seedBusybox(): Promise<ContainerImage> {
    const staging = await mkdtemp(join(this.root, 'bb-'));
    try {
      await mkdir(join(staging, 'bin'), { recursive: true });
      await mkdir(join(staging, 'etc'));
      await mkdir(join(staging, 'tmp'), { mode: 0o1777 });
      await copyFile('/bin/busybox', join(staging, 'bin', 'busybox'));
      execFileSync('chmod', ['755', join(staging, 'bin', 'busybox')]);
      const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const applet of applets) {
        if (applet !== 'busybox') await symlink('busybox', join(staging, 'bin', applet)).catch(() => undefined);
      }
      await writeFile(join(staging, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nalice:x:1000:1000::/home/alice:/bin/sh\n');
      await writeFile(join(staging, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\nalice:x:1000:\nwheel:x:10:alice\n');
      const tar = spawn('tar', ['--numeric-owner', '-C', staging, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const { chainId } = await this.layers.unpack(tar.stdout as Readable, undefined);
      const image: ContainerImage = {
        id: sha256('busybox-test-' + chainId),
        ref: 'busybox:latest',
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
        chainIds: [chainId],
      };
      await this.save('busybox:latest', image);
      return image;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}
