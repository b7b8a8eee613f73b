/**
 * Reading a loaded archive's metadata into plans, one per image: which blob is the config, which
 * blobs are the layers, which manifest (if the archive has one) and which names. docker's
 * manifest.json and the OCI index.json may both be present (docker 25+); the index's manifest is
 * used when it describes the same image, so manifest digests survive a save/load round trip.
 */
import { BerthError } from '../errors/index.js';
import {
  isIndexMediaType,
  parseAnyManifest,
  type Annotations,
  type Descriptor,
  type ImageManifest,
} from '../oci/index.js';
import { parseNormalizedReference } from '../reference/index.js';
import { type Digest, isDigest } from '../util/index.js';
import { CONTAINERD_NAME_ANNOTATION, REF_NAME_ANNOTATION } from './image-index.js';
import { goArch } from './image-layers.js';

export class InvalidArchiveError extends BerthError {
  constructor(message: string) {
    super('INVALID_ARCHIVE', `invalid image archive: ${message}`, 1);
  }
}

export interface ArchiveFiles {
  /** manifest.json, index.json, repositories, oci-layout. */
  meta: Map<string, Buffer>;
  /** Every other regular file, by archive path, as the digest it was stored under. */
  blobs: Map<string, Digest>;
  /** Symlinks and hardlinks: archive path → archive path. */
  links: Map<string, string>;
}

export interface ImagePlan {
  configDigest: Digest;
  /** Layer blobs, base first; mediaType unknown for docker-archive layers (sniffed on unpack). */
  layers: { digest: Digest; mediaType?: string }[];
  /** A manifest the archive carries for exactly this image. */
  manifestDigest?: Digest;
  tags: string[];
}

type ReadBlob = (digest: Digest) => Promise<Buffer>;

function blobAt(files: ArchiveFiles, path: string): Digest {
  let current = path.replace(/^\.\//, '');
  for (let hops = 0; hops < 16; hops++) {
    const digest = files.blobs.get(current);
    if (digest) return digest;
    const target = files.links.get(current);
    if (target === undefined) break;
    current = target;
  }
  throw new InvalidArchiveError(`${path} is missing`);
}

function parseJson(files: ArchiveFiles, name: string): unknown {
  try {
    return JSON.parse(files.meta.get(name)?.toString('utf8') ?? '');
  } catch {
    throw new InvalidArchiveError(`${name} is not valid JSON`);
  }
}

/** The name an index entry gives its image, if it gives a full one. */
function nameFrom(annotations: Annotations | undefined): string | undefined {
  for (const candidate of [annotations?.[CONTAINERD_NAME_ANNOTATION], annotations?.[REF_NAME_ANNOTATION]]) {
    // A bare ref.name ("latest") is a tag without a repository: it cannot name an image here.
    if (!candidate || !/[:/]/.test(candidate)) continue;
    try {
      const reference = parseNormalizedReference(candidate);
      if (reference.digest === undefined) return candidate;
    } catch {
      // not a docker reference: ignore the name, keep the image
    }
  }
  return undefined;
}

interface IndexedManifest {
  digest: Digest;
  manifest: ImageManifest;
  name?: string;
}

/** Manifests listed by index.json, nested indexes resolved to this machine's platform. */
async function indexedManifests(files: ArchiveFiles, read: ReadBlob): Promise<IndexedManifest[]> {
  if (!files.meta.has('index.json')) return [];
  const top = parseAnyManifest(files.meta.get('index.json') ?? '');
  if (top.kind !== 'index') throw new InvalidArchiveError('index.json is not an image index');
  const found: IndexedManifest[] = [];
  const visit = async (descriptor: Descriptor, name: string | undefined, depth: number): Promise<void> => {
    if (!isDigest(descriptor.digest))
      throw new InvalidArchiveError(`unsupported digest ${descriptor.digest}`);
    const document = parseAnyManifest(await read(descriptor.digest), descriptor.mediaType);
    if (document.kind === 'manifest') {
      found.push({ digest: descriptor.digest, manifest: document.manifest, ...(name ? { name } : {}) });
      return;
    }
    if (depth > 4) throw new InvalidArchiveError('image indexes nest too deeply');
    const children = document.index.manifests;
    const native = children.find(
      (child) => child.platform?.os === 'linux' && child.platform.architecture === goArch(),
    );
    const chosen = native ?? children.find((child) => !isIndexMediaType(child.mediaType)) ?? children[0];
    if (chosen) await visit(chosen, name, depth + 1);
  };
  for (const descriptor of top.index.manifests) await visit(descriptor, nameFrom(descriptor.annotations), 0);
  return found;
}

function planFromManifest(entry: IndexedManifest): ImagePlan {
  const { manifest } = entry;
  if (!isDigest(manifest.config.digest))
    throw new InvalidArchiveError(`unsupported digest ${manifest.config.digest}`);
  return {
    configDigest: manifest.config.digest,
    layers: manifest.layers.map((layer) => {
      if (!isDigest(layer.digest)) throw new InvalidArchiveError(`unsupported digest ${layer.digest}`);
      return { digest: layer.digest, mediaType: layer.mediaType };
    }),
    manifestDigest: entry.digest,
    tags: entry.name ? [entry.name] : [],
  };
}

/** Groups manifests of the same image (one index entry per tag) into one plan. */
function merge(plans: ImagePlan[]): ImagePlan[] {
  const byKey = new Map<string, ImagePlan>();
  for (const plan of plans) {
    const key = `${plan.configDigest} ${plan.manifestDigest ?? ''}`;
    const existing = byKey.get(key);
    if (existing) existing.tags = [...new Set([...existing.tags, ...plan.tags])];
    else byKey.set(key, { ...plan, tags: [...plan.tags] });
  }
  return [...byKey.values()];
}

export async function ociPlans(files: ArchiveFiles, read: ReadBlob): Promise<ImagePlan[]> {
  return merge((await indexedManifests(files, read)).map(planFromManifest));
}

interface DockerEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

function dockerEntries(files: ArchiveFiles): DockerEntry[] {
  const value = parseJson(files, 'manifest.json');
  if (!Array.isArray(value)) throw new InvalidArchiveError('manifest.json is not a list');
  return value.map((item: unknown) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const config = entry['Config'];
    const layers = entry['Layers'];
    const tags = entry['RepoTags'] ?? [];
    const strings = (list: unknown): list is string[] =>
      Array.isArray(list) && list.every((element) => typeof element === 'string');
    if (typeof config !== 'string' || !strings(layers) || !strings(tags)) {
      throw new InvalidArchiveError('manifest.json entries need Config, Layers and RepoTags');
    }
    return { Config: config, RepoTags: tags, Layers: layers };
  });
}

export async function dockerPlans(files: ArchiveFiles, read: ReadBlob): Promise<ImagePlan[]> {
  const indexed = await indexedManifests(files, read).catch(() => [] as IndexedManifest[]);
  const plans = dockerEntries(files).map((entry): ImagePlan => {
    const configDigest = blobAt(files, entry.Config);
    const layers = entry.Layers.map((path) => ({ digest: blobAt(files, path) }));
    const same = indexed.find(
      ({ manifest }) =>
        manifest.config.digest === configDigest &&
        manifest.layers.length === layers.length &&
        manifest.layers.every((layer, i) => layer.digest === layers[i]?.digest),
    );
    if (!same) return { configDigest, layers, tags: entry.RepoTags };
    const plan = planFromManifest(same);
    return { ...plan, tags: entry.RepoTags };
  });
  return merge(plans);
}
