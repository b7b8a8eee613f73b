/**
 * The image store's records and the shapes its API returns. Records live in
 * <root>/images/images.json; what the faces print (docker's inspect, history, df) is built from
 * them plus the config blob.
 */
import type { ContainerConfig, ImageConfig } from '../oci/index.js';
import type { Digest } from '../util/index.js';

/** One image: a config (its digest is the image ID) and the layers it stacks. */
export interface ImageRecord {
  id: Digest;
  /** The manifest berth saves and pushes for this image. */
  manifest: Digest;
  /** `repository@sha256:…` (full form) for images that came from a registry. */
  repoDigests: string[];
  /** config.created, RFC 3339 ('' when the config has none). */
  created: string;
  /** When the image entered this store, RFC 3339. */
  added: string;
  /** When a tag last pointed here (docker's Metadata.LastTagTime). */
  lastTagTime?: string;
  /** Sum of the layers' content bytes (docker's Size). */
  size: number;
  diffIds: Digest[];
  chainIds: Digest[];
  architecture: string;
  os: string;
  /** The image a build or commit started from, when it is in this store. */
  parent?: Digest;
}

export interface ManifestRecord {
  imageId: Digest;
  mediaType: string;
  size: number;
}

/** The whole index: images by id, tags (full references) → manifest, manifest → image. */
export interface ImageIndexData {
  version: 1;
  images: Record<string, ImageRecord>;
  tags: Record<string, Digest>;
  manifests: Record<string, ManifestRecord>;
}

/** One image as `images` lists it. */
export interface ImageSummary {
  id: Digest;
  /** Familiar `name:tag` strings (`busybox:latest`). */
  repoTags: string[];
  /** Familiar `name@sha256:…` strings. */
  repoDigests: string[];
  created: string;
  size: number;
  /** Containers (any state) made from this image. */
  containers: number;
  /** Untagged and not a parent of another image. */
  dangling: boolean;
  /** Untagged parent of another image (hidden unless --all). */
  intermediate: boolean;
  parent?: Digest;
}

/** What `resolve` returns: enough to create a container or a child image. */
export interface ResolvedImage {
  id: Digest;
  /** The reference as a user should see it (`busybox:latest`), or the short id. */
  ref: string;
  /** The runtime part of the config (docker's Config). */
  config: ContainerConfig;
  chainIds: Digest[];
  record: ImageRecord;
  imageConfig: ImageConfig;
}

/** docker's `image inspect` object. */
export interface ImageInspect {
  Id: Digest;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: ContainerConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver: { Name: string; Data: Record<string, string> };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
  Descriptor: { mediaType: string; digest: Digest; size: number };
}

/** One row of `history`, newest first. */
export interface ImageHistoryEntry {
  /** The image id for the top row (and for local parents), else `<missing>`. */
  id: string;
  created: string;
  createdBy: string;
  size: number;
  comment: string;
  emptyLayer: boolean;
}

/** One line of `rmi` output: docker's `{"Untagged": …}` / `{"Deleted": …}` items. */
export type RemoveLine = { untagged: string } | { deleted: string };

export interface PruneResult {
  lines: RemoveLine[];
  /** Bytes freed on disk (blobs and unpacked layers). */
  reclaimed: number;
}

export interface LoadResult {
  images: { id: Digest; tags: string[] }[];
  /** docker's lines: `Loaded image: busybox:latest` or `Loaded image ID: sha256:…`. */
  lines: string[];
}

export type ArchiveFormat = 'docker' | 'oci';
