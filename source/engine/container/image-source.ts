/**
 * What the container domain needs from images, as a small port: the engine wires it to the image
 * store (resolve a reference, and store a committed layer as a new image).
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../util/index.js';

/** The runtime part of an OCI image config (`config` in the image config JSON). */
export interface RunConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
}

export interface ContainerImage {
  /** Config digest: docker's image ID. */
  id: Digest;
  /** The reference as the user should see it (e.g. busybox:latest), or the id. */
  ref: string;
  config: RunConfig;
  /** Chain ids of the image's layers, base first. */
  chainIds: Digest[];
}

export interface CommitRequest {
  parent: Digest;
  /** The container layer as an OCI changeset tar. */
  layer: Readable;
  config: RunConfig;
  comment?: string;
  author?: string;
  /** Tag to give the new image (repo[:tag]). */
  ref?: string;
  containerId: string;
}

export interface ImageSource {
  /** Throws a NotFoundError-like BerthError when the image is not in the store. */
  resolve(ref: string): Promise<ContainerImage>;
  /** Stores the layer and returns the new image's id. */
  commit(request: CommitRequest): Promise<Digest>;
}
